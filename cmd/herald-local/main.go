// Command herald-local runs the whole of Herald on one machine: a NATS server with
// JetStream, the DynamoDB and SNS/SQS emulators, every function of template.yaml
// built for this machine (or taken prebuilt from -functions) and run under a local Lambda
// Runtime API, the HTTP API with its authorizer, the SQS event source mappings and the
// schedules. `make run` starts it.
//
//	herald-local [flags]                       start the stack; Ctrl-C stops it
//	herald-local invoke -fn ID -event FILE     invoke one function once, like sam local invoke
//	herald-local nats-server -port N -store DIR the stack's NATS server, which it starts itself
//
// Ports and the JWT secret come from flags or HERALD_LOCAL_* variables; see -help.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch {
	case len(os.Args) > 1 && os.Args[1] == "invoke":
		err = invokeMain(ctx, os.Args[2:])
	case len(os.Args) > 1 && os.Args[1] == "nats-server":
		// The stack's own NATS child process; see natsserver.go.
		err = natsServerMain(os.Args[2:])
	default:
		err = runMain(ctx, os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "herald-local:", err)
		os.Exit(1)
	}
}
