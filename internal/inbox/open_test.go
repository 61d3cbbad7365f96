package inbox

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
