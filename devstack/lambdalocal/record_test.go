package lambdalocal

import (
	"io"
	"sync"
	"testing"
	"time"
)

// recorder keeps what Config.Record reports.
type recorder struct {
	mu        sync.Mutex
	durations []time.Duration
}

func (r *recorder) record(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.durations = append(r.durations, d)
}

func (r *recorder) got() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.durations...)
}

// TestRecord checks that every invocation that reached the runtime is recorded once,
// with the duration its response reports, whatever its outcome, and before the caller
// has seen the end of its response; an invocation whose instance never started is not.
func TestRecord(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		req     req
		want    int  // invocations recorded
		wantErr bool // the invocation fails
	}{
		{"success", Config{}, req{Mode: "echo", Data: "x"}, 1, false},
		{"function error", Config{}, req{Mode: "error", Message: "nope"}, 1, true},
		{"streamed", Config{}, req{Mode: "stream", Chunks: []string{"a", "b"}}, 1, false},
		{"timeout", Config{Timeout: 200 * time.Millisecond}, req{Mode: "sleep", MS: 60_000}, 1, true},
		{"init failure", Config{Env: map[string]string{"FN_INIT": "exit"}}, req{Mode: "echo"}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			cfg := tt.cfg
			cfg.MaxInstances = 1
			cfg.Record = rec.record
			f := newFunction(t, cfg)
			resp, err := f.Invoke(testContext(t), tt.req.payload(t))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadAll(resp.Body); err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if (resp.Err != nil) != tt.wantErr {
				t.Fatalf("Err = %v, want an error: %v", resp.Err, tt.wantErr)
			}
			got := rec.got()
			if len(got) != tt.want {
				t.Fatalf("recorded %d invocations (%v), want %d", len(got), got, tt.want)
			}
			if tt.want == 1 && (got[0] <= 0 || got[0] != resp.Duration) {
				t.Errorf("recorded %v, want the response's Duration %v", got[0], resp.Duration)
			}
		})
	}
}
