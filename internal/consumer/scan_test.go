package consumer

import (
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
)

func TestIDTime(t *testing.T) {
	made := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	id := ulid.MustNew(ulid.Timestamp(made), ulid.DefaultEntropy()).String()
	tests := []struct {
		name   string
		id     string
		want   time.Time
		wantOK bool
	}{
		{"consumer id", id, made, true},
		{"bridge consumer", "herald-bridge", time.Time{}, false},
		{"too short", id[:25], time.Time{}, false},
		{"not base 32", "01JNF00000000000000000000U", time.Time{}, false},
		{"empty", "", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := IDTime(tt.id)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("IDTime(%q) = %v, %v; want %v, %v", tt.id, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
