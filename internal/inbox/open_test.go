package inbox

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/config"
)

// TestOpenStoreRetention: unacknowledged notifications are kept until acknowledged by
// default and with 0; a number of days is a safety net; a negative one is refused, as is
// an acknowledged retention under a day.
func TestOpenStoreRetention(t *testing.T) {
	tests := []struct {
		unacked, acked string
		want           time.Duration // of UnackedRetention
		wantErr        bool
	}{
		{"", "", 0, false},
		{"0", "30", 0, false},
		{"365", "", 365 * 24 * time.Hour, false},
		{"-1", "", 0, true},
		{"x", "", 0, true},
		{"0", "0", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.unacked+"/"+tt.acked, func(t *testing.T) {
			t.Setenv("HERALD_NOTIFICATIONS_TABLE", "NotificationsTable")
			t.Setenv("HERALD_UNACKED_RETENTION_DAYS", tt.unacked)
			t.Setenv("HERALD_ACKED_RETENTION_DAYS", tt.acked)
			s, err := OpenStore(aws.Config{Region: "us-east-1"}, nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("OpenStore: %v, want an error: %v", err, tt.wantErr)
			}
			if err == nil && s.UnackedRetention != tt.want {
				t.Errorf("UnackedRetention = %v, want %v", s.UnackedRetention, tt.want)
			}
		})
	}
}

// TestDialStore: the Store of a function without JetStream announces on a connection of
// its own to the environment's NATS; an environment without the table is refused.
func TestDialStore(t *testing.T) {
	for _, k := range []string{"HERALD_NATS_CREDS_SECRET", "HERALD_NATS_CREDS_FILE", "HERALD_NATS_CA_FILE", "HERALD_NATS_CA_SECRET", "HERALD_UNACKED_RETENTION_DAYS", "HERALD_ACKED_RETENTION_DAYS"} {
		t.Setenv(k, "")
	}
	t.Setenv("HERALD_NATS_URL", env.NATSURL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("HERALD_NOTIFICATIONS_TABLE", "NotificationsTable")
	s, err := DialStore(t.Context(), config.AWS, "herald-test")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Feed.NC.Close()
	if s.Table != "NotificationsTable" || s.Feed.NC.Opts.Name != "herald-test" {
		t.Errorf("table %q, connection %q", s.Table, s.Feed.NC.Opts.Name)
	}
	testenv.WaitFor(t, 10*time.Second, s.Feed.NC.IsConnected, "the announcements' connection")

	t.Setenv("HERALD_NOTIFICATIONS_TABLE", "")
	if _, err := DialStore(t.Context(), config.AWS, "herald-test"); err == nil {
		t.Error("DialStore without HERALD_NOTIFICATIONS_TABLE succeeded")
	}
}
