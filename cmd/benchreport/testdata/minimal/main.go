// Command minimal is the smallest aws-lambda-go function: the baseline of the binary
// size and cold start figures in BENCHMARKS.md. It is built exactly as the functions are
// (make build-bench-baseline) and answers every invocation at once.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(context.Context, json.RawMessage) (map[string]bool, error) {
	return map[string]bool{"ok": true}, nil
}

func main() {
	lambda.Start(handle)
}
