package main

import (
	"context"
	"errors"
	"flag"
	"os"

	"github.com/heraldhq/herald/devstack/emulator"
)

// runMain starts the stack, prints the banner, and runs until ctx ends.
func runMain(ctx context.Context, args []string) error {
	root, err := emulator.RepoRoot()
	if err != nil {
		return err
	}
	opts, _, err := parseOptions("herald-local", args, root)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	tokens, err := mintTokens(opts.secret)
	if err != nil {
		return err
	}
	if opts.functions != "" {
		os.Stdout.WriteString("herald-local: starting NATS, DynamoDB and SNS/SQS, with the functions in " + opts.functions + "…\n")
	} else {
		os.Stdout.WriteString("herald-local: building functions and starting NATS, DynamoDB and SNS/SQS…\n")
	}
	l, err := start(ctx, opts, os.Stdout)
	if err != nil {
		return err
	}
	printBanner(os.Stdout, l, tokens)
	<-ctx.Done()
	os.Stdout.WriteString("\nherald-local: stopping…\n")
	l.Close()
	os.Stdout.WriteString("herald-local: stopped\n")
	return nil
}
