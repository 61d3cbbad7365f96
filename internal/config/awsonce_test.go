package config

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestOnceLoadsAtMostOnce(t *testing.T) {
	errLoad := errors.New("no credentials")
	tests := []struct {
		name      string
		asks      int   // how many times the configuration is asked for
		loadErr   error // what the underlying load fails with; nil for success
		wantLoads int
	}{
		{"never asked: never loaded", 0, nil, 0},
		{"asked once", 1, nil, 1},
		{"asked many times: loaded once", 5, nil, 1},
		{"a failed load is not retried", 3, errLoad, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loads := 0
			load := once(func(context.Context) (aws.Config, error) {
				loads++
				if tt.loadErr != nil {
					return aws.Config{}, tt.loadErr
				}
				return aws.Config{Region: "eu-west-1"}, nil
			})
			for i := range tt.asks {
				cfg, err := load(t.Context())
				if !errors.Is(err, tt.loadErr) {
					t.Fatalf("ask %d: err = %v, want %v", i, err, tt.loadErr)
				}
				if tt.loadErr == nil && cfg.Region != "eu-west-1" {
					t.Errorf("ask %d: region %q, want the loaded eu-west-1", i, cfg.Region)
				}
			}
			if loads != tt.wantLoads {
				t.Errorf("loaded %d times, want %d", loads, tt.wantLoads)
			}
		})
	}
}

// TestOnceConcurrent checks that parts of a cold start asking at the same time still
// share one load.
func TestOnceConcurrent(t *testing.T) {
	var mu sync.Mutex
	loads := 0
	load := once(func(context.Context) (aws.Config, error) {
		mu.Lock()
		defer mu.Unlock()
		loads++
		return aws.Config{Region: "eu-west-1"}, nil
	})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if cfg, err := load(t.Context()); err != nil || cfg.Region != "eu-west-1" {
				t.Errorf("got %q, %v; want the loaded eu-west-1", cfg.Region, err)
			}
		})
	}
	wg.Wait()
	if loads != 1 {
		t.Errorf("loaded %d times, want 1", loads)
	}
}
