package main

import (
	"fmt"
	"os"
	"testing"
)

// TestMain lets tests and benchmarks run the stack in their own process: the stack
// starts its NATS server by running its own executable as `nats-server`, which in a
// test is the test binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "nats-server" {
		if err := natsServerMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "herald-local:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
