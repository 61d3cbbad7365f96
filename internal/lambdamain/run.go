package lambdamain

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Function is what a cold start hands the runtime.
type Function struct {
	// Handler is the Lambda handler, in any form lambda.Start takes.
	Handler any

	// Close releases what the handler keeps (NATS connections), flushing what they
	// hold. When set, Lambda's SIGTERM, sent when it retires an idle environment, closes
	// and exits rather than waiting to be killed. Nil for nothing to close.
	Close func()

	// Daemon, when set, runs instead of the Lambda runtime, until SIGINT or SIGTERM
	// cancels its context; Close follows. The local stack runs the Bridge so.
	Daemon func(ctx context.Context)
}

// Run is a function's main. It builds the handler with coldStart, once, turns it into a
// Function with function, and starts the Lambda runtime on it; it returns only in
// daemon mode. A cold start error is logged as "cold start failed" and exits with
// status 1, which Lambda reports as an init error.
func Run[H any](coldStart func(ctx context.Context) (H, error), function func(H) Function) {
	h, err := withLevel(lambdacontext.NewLogHandler(), os.Getenv("HERALD_LOG_LEVEL"))
	if err != nil {
		// A bad level is the operator's to fix, but no reason to lose the logs.
		slog.New(h).Warn("log level not applied", "error", err.Error())
	}
	run(runner{logger: slog.New(h), start: startLambda, exit: os.Exit}, coldStart, function)
}

// runner is what Run does to the process, which tests replace.
type runner struct {
	logger *slog.Logger                        // becomes the default logger
	start  func(handler any, onSIGTERM func()) // the Lambda runtime; onSIGTERM nil for none
	exit   func(code int)
}

func run[H any](r runner, coldStart func(context.Context) (H, error), function func(H) Function) {
	slog.SetDefault(r.logger)
	ctx := context.Background()
	h, err := coldStart(ctx)
	if err != nil {
		slog.Error("cold start failed", "error", err.Error())
		r.exit(1)
		return
	}
	f := function(h)
	if f.Daemon != nil {
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		f.Daemon(ctx)
		if f.Close != nil {
			f.Close()
		}
		return
	}
	var onSIGTERM func()
	if f.Close != nil {
		onSIGTERM = func() {
			f.Close()
			r.exit(0)
		}
	}
	r.start(f.Handler, onSIGTERM)
}

// startLambda starts the Lambda runtime. SIGTERM is asked for only with something to
// close, since asking registers an extension with Lambda.
func startLambda(handler any, onSIGTERM func()) {
	if onSIGTERM == nil {
		lambda.Start(handler)
		return
	}
	lambda.StartWithOptions(handler, lambda.WithEnableSIGTERM(onSIGTERM))
}
