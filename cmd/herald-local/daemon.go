package main

import (
	"context"
	"io"
	"log/slog"
	"os/exec"
	"sort"
	"syscall"
	"time"
)

// daemon runs a function's binary as a long-running process rather than per invocation:
// what the template's Metadata LocalDaemon asks for (the Bridge, which in AWS drains on a
// schedule, runs continuously locally so that events flow at once). It is restarted when
// it exits, and stopped with SIGTERM when ctx ends.
type daemon struct {
	name   string
	binary string
	env    map[string]string
	logs   io.Writer
	log    *slog.Logger
}

func (d *daemon) run(ctx context.Context) {
	pause := 200 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		err := d.once(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			pause = 200 * time.Millisecond
		}
		d.log.Error("daemon exited; restarting", "function", d.name, "error", errString(err), "pause", pause.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 10*time.Second)
	}
}

func (d *daemon) once(ctx context.Context) error {
	cmd := exec.Command(d.binary)
	cmd.Env = envList(d.env)
	cmd.Stdout, cmd.Stderr = d.logs, d.logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		// SIGTERM lets it flush acknowledgements and drain NATS; SIGKILL if it hangs.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			return <-done
		}
	}
}

func envList(env map[string]string) []string {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+env[k])
	}
	return out
}

func errString(err error) string {
	if err == nil {
		return "exited"
	}
	return err.Error()
}
