package lambdamain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

// recorder stands in for the process: it records what run asks of the runtime and of
// exit, in order.
type recorder struct {
	events    []string
	handler   any
	onSIGTERM func()
	logs      bytes.Buffer
}

func (rec *recorder) runner() runner {
	return runner{
		logger: slog.New(slog.NewJSONHandler(&rec.logs, nil)),
		start: func(handler any, onSIGTERM func()) {
			rec.events = append(rec.events, "start")
			rec.handler, rec.onSIGTERM = handler, onSIGTERM
		},
		exit: func(code int) { rec.events = append(rec.events, fmt.Sprintf("exit %d", code)) },
	}
}

// keepDefaultLogger restores the default loggers run replaces.
func keepDefaultLogger(t *testing.T) {
	saved, out, flags := slog.Default(), log.Writer(), log.Flags()
	t.Cleanup(func() {
		slog.SetDefault(saved)
		log.SetOutput(out)
		log.SetFlags(flags)
	})
}

// built is what the tests' cold starts build.
type built struct{ name string }

func TestRun(t *testing.T) {
	errColdStart := errors.New("config: HERALD_TEST_TABLE is not set")
	tests := []struct {
		name          string
		coldStartErr  error
		close         bool // the Function has a Close
		daemon        bool // the Function has a Daemon
		wantEvents    []string
		wantSIGTERM   bool     // start is given a SIGTERM hook
		sigtermEvents []string // what the hook does, after wantEvents
		wantLog       []string // parts of the log
	}{
		{
			name:         "cold start fails: logged, exit 1, no runtime",
			coldStartErr: errColdStart,
			wantEvents:   []string{"exit 1"},
			wantLog:      []string{`"msg":"cold start failed"`, `"error":"config: HERALD_TEST_TABLE is not set"`, `"level":"ERROR"`},
		},
		{
			name:       "nothing to close: no SIGTERM hook",
			wantEvents: []string{"start"},
		},
		{
			name:          "something to close: SIGTERM closes, then exits 0",
			close:         true,
			wantEvents:    []string{"start"},
			wantSIGTERM:   true,
			sigtermEvents: []string{"start", "close", "exit 0"},
		},
		{
			name:       "daemon: runs instead of the runtime, then closes",
			close:      true,
			daemon:     true,
			wantEvents: []string{"daemon", "close"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keepDefaultLogger(t)
			rec := &recorder{}
			want := &built{name: "handler"}
			wired := false
			coldStart := func(ctx context.Context) (*built, error) {
				if ctx == nil {
					t.Error("cold start without a context")
				}
				if tt.coldStartErr != nil {
					return nil, tt.coldStartErr
				}
				return want, nil
			}
			function := func(b *built) Function {
				wired = true
				if b != want {
					t.Errorf("function given %v, want what the cold start built", b)
				}
				f := Function{Handler: b}
				if tt.close {
					f.Close = func() { rec.events = append(rec.events, "close") }
				}
				if tt.daemon {
					f.Daemon = func(context.Context) { rec.events = append(rec.events, "daemon") }
				}
				return f
			}
			run(rec.runner(), coldStart, function)

			if !slices.Equal(rec.events, tt.wantEvents) {
				t.Errorf("events %q, want %q", rec.events, tt.wantEvents)
			}
			if wired != (tt.coldStartErr == nil) {
				t.Errorf("function called: %v, want %v", wired, tt.coldStartErr == nil)
			}
			if slices.Contains(tt.wantEvents, "start") && rec.handler != want {
				t.Errorf("runtime started on %v, want the built handler", rec.handler)
			}
			if (rec.onSIGTERM != nil) != tt.wantSIGTERM {
				t.Fatalf("SIGTERM hook given: %v, want %v", rec.onSIGTERM != nil, tt.wantSIGTERM)
			}
			if tt.wantSIGTERM {
				rec.onSIGTERM()
				if !slices.Equal(rec.events, tt.sigtermEvents) {
					t.Errorf("after SIGTERM, events %q, want %q", rec.events, tt.sigtermEvents)
				}
			}
			for _, part := range tt.wantLog {
				if !strings.Contains(rec.logs.String(), part) {
					t.Errorf("log %q lacks %s", rec.logs.String(), part)
				}
			}
		})
	}
}
