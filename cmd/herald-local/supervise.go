package main

import (
	"context"
	"time"
)

// supervise restarts a server of the stack (NATS, the AWS emulators) each time it exits
// while the stack runs, as a process manager would: done is closed when the running one
// exits, and start brings up a new one on the same ports and state, so the functions find
// it where they left it. Failed starts are retried with a growing pause. It returns when
// ctx ends.
func (l *local) supervise(ctx context.Context, name string, done <-chan struct{}, start func(context.Context) (<-chan struct{}, error)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-done:
		}
		if ctx.Err() != nil {
			return
		}
		l.log.Error(name+" exited; restarting", "server", name)
		pause := 100 * time.Millisecond
		for {
			began := time.Now()
			d, err := start(ctx)
			if err == nil {
				l.log.Info(name+" restarted", "server", name, "took", time.Since(began).Round(time.Millisecond).String())
				done = d
				break
			}
			if ctx.Err() != nil {
				return
			}
			l.log.Error(name+" did not restart; trying again", "server", name, "error", err.Error(), "pause", pause.String())
			select {
			case <-ctx.Done():
				return
			case <-time.After(pause):
			}
			pause = min(2*pause, 5*time.Second)
		}
	}
}
