// Command partner is a Lambda function of a partner's, which lambda actions invoke in the
// suite's local stack (herald-local -lambda-targets). What it does depends on the name it
// runs under:
//
//   - partner-judge answers a sync trigger: it approves an event whose data.ok is true
//     and denies any other, with a reason.
//   - partner-fail fails every invocation (a function error).
package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

// event is the part of a Herald event the judge reads.
type event struct {
	Data struct {
		OK bool `json:"ok"`
	} `json:"data"`
}

// decision is a sync trigger's answer.
type decision struct {
	Approve bool   `json:"approve"`
	Reason  string `json:"reason,omitempty"`
}

func main() {
	switch name := os.Getenv("AWS_LAMBDA_FUNCTION_NAME"); name {
	case "partner-judge":
		lambda.Start(func(_ context.Context, e event) (decision, error) {
			if e.Data.OK {
				return decision{Approve: true}, nil
			}
			return decision{Reason: "the partner's judge requires data.ok"}, nil
		})
	default:
		lambda.Start(func(context.Context, event) (decision, error) {
			return decision{}, errors.New("the partner is down")
		})
	}
}
