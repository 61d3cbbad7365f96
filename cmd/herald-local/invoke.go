package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/devstack/lambdalocal"
	"github.com/heraldhq/herald/devstack/localnats"
	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/devstack/template"
)

// invokeMain runs one invocation of a function's real binary with an event file, against
// the resources of the running local stack, and prints the response: `make invoke`.
func invokeMain(ctx context.Context, args []string) error {
	root, err := emulator.RepoRoot()
	if err != nil {
		return err
	}
	opts, fs, err := parseOptions("herald-local invoke", args, root)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	id, eventFile := fs.Arg(0), fs.Arg(1)
	if id == "" || eventFile == "" {
		return errors.New("usage: herald-local invoke [flags] <LogicalId> <event.json>")
	}
	payload, err := os.ReadFile(eventFile)
	if err != nil {
		return err
	}
	if !json.Valid(payload) {
		return fmt.Errorf("%s is not JSON", eventFile)
	}
	for what, port := range map[string]int{"NATS": opts.natsPort, "DynamoDB": opts.dynamoDB, "SNS/SQS": opts.sqsPort} {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
		if err != nil {
			return fmt.Errorf("no %s on 127.0.0.1:%d: start the local stack first (make run)", what, port)
		}
		c.Close()
	}
	t, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return err
	}
	f, ok := t.Function(id)
	if !ok {
		return fmt.Errorf("template.yaml has no function %q", id)
	}
	l := &local{
		opts:    opts,
		natsURL: fmt.Sprintf("nats://127.0.0.1:%d", opts.natsPort),
		emu: &emulator.Emulators{
			DynamoDB: fmt.Sprintf("http://127.0.0.1:%d", opts.dynamoDB),
			SQS:      fmt.Sprintf("http://127.0.0.1:%d", opts.sqsPort),
			SNS:      fmt.Sprintf("http://127.0.0.1:%d", opts.sqsPort),
		},
	}
	// The running stack's NATS actions user, whose password its state folder keeps.
	if pw, err := os.ReadFile(localstack.ActionsPasswordFile(opts.state)); err == nil {
		if l.actionsNATSURL, err = localnats.ActionsURL(l.natsURL, strings.TrimSpace(string(pw))); err != nil {
			return err
		}
	}
	if err := l.provision(ctx, t); err != nil {
		return err
	}
	bins, err := functionBinaries(ctx, opts, []string{id})
	if err != nil {
		return err
	}
	env, err := l.functionEnv(f)
	if err != nil {
		return err
	}
	fnc, err := lambdalocal.New(lambdalocal.Config{
		Name: id, Binary: bins[id], Env: env, MaxInstances: 1,
		Timeout: time.Duration(template.Int(f.Properties["Timeout"], 3)) * time.Second, MemoryMB: template.Int(f.Properties["MemorySize"], 128),
		Logs: os.Stderr,
	})
	if err != nil {
		return err
	}
	defer fnc.Close()
	out, err := fnc.InvokeBytes(ctx, payload)
	if err != nil {
		return fmt.Errorf("%s failed: %w", id, err)
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, out, "", "  ") == nil {
		out = pretty.Bytes()
	}
	fmt.Println(string(out))
	return nil
}
