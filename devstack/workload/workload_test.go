package workload

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/template"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/event/contract"
)

// TestNewEvent checks that the workload's events are valid, meet the contract of their
// catalog type, are distinct in path, and are about EventSize bytes once the uuid and
// timestamp are filled in.
func TestNewEvent(t *testing.T) {
	tests := []struct {
		i    int
		path string
	}{
		{0, "projects/demo/items/i000000"},
		{7, "projects/demo/items/i000007"},
		{99_999, "projects/demo/items/i099999"},
	}
	for _, tt := range tests {
		ev := NewEvent("projects/demo", tt.i)
		ev.UUID = "0b8f6d8e-7f43-4b4b-9d8c-6a1f0f2b1c3d"
		ev.Timestamp = time.Date(2026, 12, 7, 12, 0, 0, 123456789, time.UTC)
		data, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if d := len(data) - EventSize; d < -16 || d > 16 {
			t.Errorf("event %d is %d bytes, want about %d", tt.i, len(data), EventSize)
		}
		decoded, err := event.Decode(data)
		if err != nil {
			t.Fatalf("event %d does not validate: %v\n%s", tt.i, err, data)
		}
		if !event.Known(decoded.Event) {
			t.Errorf("event %d is of %s, which is not in the catalog", tt.i, decoded.Event)
		}
		if err := contract.Check(decoded); err != nil {
			t.Errorf("event %d breaks its contract: %v", tt.i, err)
		}
		if decoded.Path() != tt.path {
			t.Errorf("event %d is about %s, want %s", tt.i, decoded.Path(), tt.path)
		}
	}
}

// TestQueues checks that the workload waits on the queues template.yaml feeds functions
// from, and on no dead-letter queue.
func TestQueues(t *testing.T) {
	// Tests run in the package's folder.
	tmpl, err := template.Load(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Queues(tmpl), []string{"DeliveriesQueue", "InboxQueue", "RouteQueue"}; !slices.Equal(got, want) {
		t.Errorf("Queues = %v, want %v", got, want)
	}
}
