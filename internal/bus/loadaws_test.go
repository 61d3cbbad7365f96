package bus_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
)

// TestOptionsLoadAWSOnlyForASecret checks that the options get the AWS configuration from
// the loader they are given, which a cold start shares between its parts, and only when
// they have a secret to read.
func TestOptionsLoadAWSOnlyForASecret(t *testing.T) {
	errNoAWS := errors.New("no AWS configuration here")
	const arn = "arn:aws:secretsmanager:eu-west-1:1:secret:nats"
	tests := []struct {
		name      string
		env       map[string]string
		read      func(ctx context.Context, load config.AWSLoader) error
		wantLoads int
	}{
		{
			name: "Herald's connection without a secret",
			env:  map[string]string{"HERALD_NATS_URL": "nats://n:4222", "HERALD_NATS_CREDS_FILE": "/opt/herald.creds"},
			read: readOptions,
		},
		{
			name:      "Herald's connection with a secret",
			env:       map[string]string{"HERALD_NATS_URL": "nats://n:4222", "HERALD_NATS_CREDS_SECRET": arn},
			read:      readOptions,
			wantLoads: 1,
		},
		{
			name: "the actions' connection without a secret",
			env:  map[string]string{"HERALD_NATS_URL": "nats://n:4222", "HERALD_ACTIONS_NATS_CREDS_FILE": "/opt/actions.creds"},
			read: readActionsOptions,
		},
		{
			name:      "the actions' connection with a secret",
			env:       map[string]string{"HERALD_NATS_URL": "nats://n:4222", "HERALD_ACTIONS_NATS_CREDS_SECRET": arn},
			read:      readActionsOptions,
			wantLoads: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setActionsEnv(t, tt.env)
			loads := 0
			load := func(context.Context) (aws.Config, error) {
				loads++
				return aws.Config{}, errNoAWS
			}
			err := tt.read(t.Context(), load)
			if loads != tt.wantLoads {
				t.Errorf("loaded the AWS configuration %d times, want %d", loads, tt.wantLoads)
			}
			switch {
			case tt.wantLoads > 0 && !errors.Is(err, errNoAWS):
				t.Errorf("err = %v, want the loader's %v", err, errNoAWS)
			case tt.wantLoads == 0 && err != nil:
				t.Errorf("err = %v, want none", err)
			}
		})
	}
}

func readOptions(ctx context.Context, load config.AWSLoader) error {
	_, err := bus.OptionsFromEnv(ctx, load, "test")
	return err
}

func readActionsOptions(ctx context.Context, load config.AWSLoader) error {
	_, _, err := bus.ActionsOptionsFromEnv(ctx, load, "test")
	return err
}
