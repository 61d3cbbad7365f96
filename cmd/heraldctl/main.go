// Command heraldctl is the command line for Herald's HTTP API: publishing events,
// consumers and their messages, the personal inbox, and triggers with their
// deliveries. Every common job is one line:
//
//	heraldctl publish '{"event":"resource.ResourceCreated","resource":{"type":"collection","path":"projects/p1/c1","after":{"title":"Season 2"}}}'
//	heraldctl consumers create '{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]}}'
//	heraldctl consumers fetch $CONSUMER --follow
//	heraldctl notifications list
//	heraldctl triggers deliveries $TRIGGER --status exhausted
//
// The API's URL and token come from --url and --token, else HERALD_URL and
// HERALD_TOKEN, else the config file (--config, default
// $XDG_CONFIG_HOME/heraldctl/config.json: {"url": "…", "token": "…"}). Output is a table
// for people or JSON (--output json) for scripts. Exit codes: 0 success, 1 the request
// failed (network, server), 2 bad usage, 3 not found, 4 not allowed (401/403), 5 invalid
// input (400), 6 vetoed by a sync trigger (422).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs one command line and returns its exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app, rest, err := parseGlobal(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		// heraldctl --help: the usage was asked for, so it is the answer, on stdout.
		usage(stdout)
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	app.stdin, app.stdout, app.stderr = stdin, stdout, stderr
	if len(rest) == 0 {
		usage(stderr)
		return exitUsage
	}
	if wantsHelp(rest[1:]) {
		commandHelp(stdout, rest[0])
		return exitOK
	}
	if err := app.dispatch(ctx, rest); err != nil {
		fmt.Fprintln(stderr, "heraldctl:", message(err))
		return exitCode(err)
	}
	return exitOK
}
