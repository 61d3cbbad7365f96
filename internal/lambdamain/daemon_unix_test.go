//go:build unix

package lambdamain

import (
	"context"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"
)

// TestRunDaemonStopsOnSIGTERM sends the process SIGTERM while the daemon runs and
// checks that it cancels the daemon's context, after which Close runs and nothing exits.
func TestRunDaemonStopsOnSIGTERM(t *testing.T) {
	keepDefaultLogger(t)
	rec := &recorder{}
	daemon := func(ctx context.Context) {
		rec.events = append(rec.events, "daemon")
		if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
			t.Errorf("sending SIGTERM: %v", err)
			return
		}
		select {
		case <-ctx.Done():
			rec.events = append(rec.events, "stopped")
		case <-time.After(10 * time.Second):
			t.Error("SIGTERM did not cancel the daemon's context")
		}
	}
	run(rec.runner(), func(context.Context) (struct{}, error) { return struct{}{}, nil }, func(struct{}) Function {
		return Function{Daemon: daemon, Close: func() { rec.events = append(rec.events, "close") }}
	})
	if want := []string{"daemon", "stopped", "close"}; !slices.Equal(rec.events, want) {
		t.Errorf("events %q, want %q", rec.events, want)
	}
}
