package action

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/actionspec"
	"github.com/heraldhq/herald/internal/event"
)

// Runner runs actions. Its clients are built once per cold start; any may be nil in a
// process that runs no action of that type (such an action then fails for good).
type Runner struct {
	Webhooks *Webhooks // http actions
	SQS      *sqs.Client
	SNS      *sns.Client
	Lambda   *lambda.Client
	// Actions is the connection nats actions publish through: its own NATS user, whose
	// permissions allow publishing only in the action namespace, so that the server
	// itself refuses anything else (Herald's own check runs first). Never Herald's
	// connection.
	Actions *nats.Conn
	// JS is Herald's own connection, for the events a javascript action makes (checked
	// and published as the trigger's owner).
	JS jetstream.JetStream
	// Policy says what actions may reach.
	Policy actionspec.Policy
	Now    func() time.Time // time.Now when nil

	// natsMu makes one nats action at a time publish and flush, so that a permission
	// violation the server reports in between is known to be that action's.
	natsMu sync.Mutex
	// natsRoutes remembers what publishing on each subject showed: whether a stream
	// captures it (see nats.go).
	natsRoutes natsRoutes
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Delivery is one run's input: the action, the event, and the ids that identify the
// delivery to its receiver.
type Delivery struct {
	Action     *Config
	Event      *event.Event
	Raw        json.RawMessage // the event as stored
	DeliveryID string
	TriggerID  string
	// Owner and Scope say as whom, and where, the events a javascript action returns
	// are published.
	Owner string
	Scope Scope
}

// Scope is where a trigger's action may publish events: inside the trigger's scope, on
// the paths where its owner held WRITE when they last saved it.
type Scope struct {
	Path         string
	Subresources bool
	Writable     []string
}

// Run runs d's action once.
func (r *Runner) Run(ctx context.Context, d Delivery) Outcome {
	start := r.now()
	if field, msg := r.Policy.CheckSend(d.Action); msg != "" {
		return failed(fmt.Errorf("refused: action.%s %s", field, msg), true)
	}
	payload := d.Raw
	if d.Action.Transform != "" {
		out, err := runTransform(ctx, d.Action.Transform, d.Raw)
		if err != nil {
			o := failed(fmt.Errorf("transform: %w", err), true)
			o.Duration = r.now().Sub(start)
			return o
		}
		payload = out
	}
	var o Outcome
	switch d.Action.Type {
	case "http":
		o = r.http(ctx, d, payload)
	case "sqs":
		o = r.sqs(ctx, d, payload)
	case "sns":
		o = r.sns(ctx, d, payload)
	case "lambda":
		o = r.lambda(ctx, d, payload)
	case "nats":
		o = r.nats(ctx, d, payload)
	case "javascript":
		o = r.javascript(ctx, d)
	default:
		o = failed(fmt.Errorf("unknown action type %q", d.Action.Type), true)
	}
	if o.Duration == 0 {
		o.Duration = r.now().Sub(start)
	}
	return o
}

// unavailable fails a run for want of the client its type needs.
func unavailable(what string) Outcome {
	return failed(errors.New(what+" actions are not available in this function"), true)
}

func (r *Runner) sqs(ctx context.Context, d Delivery, payload []byte) Outcome {
	if r.SQS == nil {
		return unavailable("sqs")
	}
	// The event's identifying fields as message attributes, so that a consumer routes or
	// drops a message without parsing its body (which a transform may have reshaped).
	in := &sqs.SendMessageInput{QueueUrl: aws.String(d.Action.QueueURL), MessageBody: aws.String(string(payload)), MessageAttributes: sqsAttributes(d.Event)}
	if d.Action.MessageGroupID != "" {
		// FIFO queues: the delivery id dedupes a retried send within SQS's window.
		in.MessageGroupId = aws.String(d.Action.MessageGroupID)
		in.MessageDeduplicationId = aws.String(d.DeliveryID)
	}
	if _, err := r.SQS.SendMessage(ctx, in); err != nil {
		return failed(fmt.Errorf("sqs: %w", err), false)
	}
	return Outcome{OK: true}
}

func (r *Runner) sns(ctx context.Context, d Delivery, payload []byte) Outcome {
	if r.SNS == nil {
		return unavailable("sns")
	}
	// The event's message attributes, as on Herald's own topic, so that subscribers
	// can filter the same way, with resource_id and namespaces.
	in := &sns.PublishInput{TopicArn: aws.String(d.Action.TopicARN), Message: aws.String(string(payload)), MessageAttributes: snsAttributes(d.Event)}
	if d.Action.MessageGroupID != "" {
		// FIFO topics: the delivery id dedupes a retried publish within SNS's window.
		in.MessageGroupId = aws.String(d.Action.MessageGroupID)
		in.MessageDeduplicationId = aws.String(d.DeliveryID)
	}
	if _, err := r.SNS.Publish(ctx, in); err != nil {
		return failed(fmt.Errorf("sns: %w", err), false)
	}
	return Outcome{OK: true}
}

func (r *Runner) lambda(ctx context.Context, d Delivery, payload []byte) Outcome {
	if r.Lambda == nil {
		return unavailable("lambda")
	}
	typ := lambdatypes.InvocationTypeEvent
	if d.Action.InvocationType == string(lambdatypes.InvocationTypeRequestResponse) {
		typ = lambdatypes.InvocationTypeRequestResponse
	}
	out, err := r.Lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(d.Action.Function), InvocationType: typ, Payload: payload})
	if err != nil {
		return failed(fmt.Errorf("lambda: %w", err), false)
	}
	if out.FunctionError != nil {
		return Outcome{StatusCode: int(out.StatusCode), Response: string(out.Payload), Err: fmt.Errorf("lambda: the function failed: %s", aws.ToString(out.FunctionError))}
	}
	return Outcome{OK: true, StatusCode: int(out.StatusCode), Response: string(out.Payload)}
}
