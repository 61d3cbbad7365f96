package workload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/wire"
)

// Config describes a workload and the stack it runs on.
type Config struct {
	// API is the stack's HTTP API.
	API string
	// SQS is the SQS emulator's own endpoint, where Drive watches Queues drain without
	// being counted.
	SQS string
	// Queues are the queues (by name) that must be empty before Drive returns: those the
	// functions are fed from (see [Queues]).
	Queues []string
	// PublisherToken publishes the events; UserToken, with READ/WRITE on Path, owns the
	// trigger and the consumer.
	PublisherToken, UserToken string
	// Path is the resource the events are about the children of ("projects/demo").
	Path string
	// Events is how many events are published.
	Events int
	// PublishBatch is how many events go in one POST /v1/events (at most 100; 1 sends
	// single events, not batches).
	PublishBatch int
	// Publishers is how many publish requests are in flight at once.
	Publishers int
	// FetchBatch and FetchWait are the consumer's batch_size and wait_ms.
	FetchBatch int
	FetchWait  time.Duration
	// Progress, when set, receives a line now and then.
	Progress io.Writer
}

// Result is what a workload did.
type Result struct {
	Events          int           // events published (and stored)
	PublishRequests int           // POST /v1/events sent (retries not counted)
	Delivered       int           // distinct events the webhook received
	Webhooks        int           // webhook requests received, duplicates included
	Fetches         int           // consumer batches fetched
	Acknowledges    int           // POST /v1/acknowledge sent
	Acknowledged    int           // distinct events the consumer acknowledged
	Took            time.Duration // from the first publish to the drained queues
}

// Run is a prepared workload.
type Run struct {
	cfg      Config
	pub      *client.Client
	user     *client.Client
	hook     *receiver
	trigger  string
	consumer string
}

// Prepare checks cfg and makes the webhook receiver, the trigger and the consumer.
func Prepare(ctx context.Context, cfg Config) (*Run, error) {
	switch {
	case cfg.Events <= 0:
		return nil, errors.New("workload: Events must be positive")
	case cfg.PublishBatch < 1 || cfg.PublishBatch > 100:
		return nil, errors.New("workload: PublishBatch must be 1 to 100")
	case cfg.FetchBatch < 1 || cfg.FetchBatch > 1000:
		return nil, errors.New("workload: FetchBatch must be 1 to 1000")
	case cfg.Publishers < 1:
		return nil, errors.New("workload: Publishers must be positive")
	case cfg.Path == "" || cfg.API == "" || cfg.SQS == "":
		return nil, errors.New("workload: API, SQS and Path are needed")
	}
	hc := &http.Client{Timeout: time.Minute}
	pub, err := client.New(cfg.API, client.WithToken(cfg.PublisherToken), client.WithHTTPClient(hc))
	if err != nil {
		return nil, err
	}
	user, err := client.New(cfg.API, client.WithToken(cfg.UserToken), client.WithHTTPClient(hc))
	if err != nil {
		return nil, err
	}
	r := &Run{cfg: cfg, pub: pub, user: user}
	if r.hook, err = newReceiver(); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			r.Close()
		}
	}()
	tr, err := user.CreateTrigger(ctx, wire.TriggerSpec{
		Name:     "cost-workload",
		Resource: wire.TriggerResource{Path: cfg.Path, IncludeSubresources: true},
		Events:   []string{EventType},
		Action:   []byte(fmt.Sprintf(`{"type":"http","url":%q}`, r.hook.url+"/hook")),
	})
	if err != nil {
		return nil, fmt.Errorf("workload: creating the trigger: %w", err)
	}
	r.trigger = tr.ID
	c, err := user.CreateConsumer(ctx, wire.ConsumerSpec{
		Target:        wire.Target{Resources: []wire.ResourceTarget{{Path: cfg.Path, IncludeSubresources: true}}},
		DeliverPolicy: wire.DeliverNew,
	})
	if err != nil {
		return nil, fmt.Errorf("workload: creating the consumer: %w", err)
	}
	r.consumer = c.ID
	ok = true
	return r, nil
}

// Close stops the webhook receiver.
func (r *Run) Close() {
	r.hook.close()
}

// Drive publishes the events, consumes them, and waits until each was delivered to the
// webhook and acknowledged, and the queues are empty; ctx bounds it all.
func (r *Run) Drive(ctx context.Context) (Result, error) {
	began := time.Now()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	consumed := make(chan consumeResult, 1)
	go func() { consumed <- r.consume(ctx) }()

	res := Result{Events: r.cfg.Events}
	var err error
	if res.PublishRequests, err = r.publish(ctx); err != nil {
		cancel(err)
		<-consumed
		return res, err
	}
	r.progress("published %d events in %d requests", res.Events, res.PublishRequests)
	c := <-consumed
	res.Fetches, res.Acknowledges, res.Acknowledged = c.fetches, c.acknowledges, c.acknowledged
	if c.err != nil {
		return res, c.err
	}
	r.progress("the consumer acknowledged %d events in %d fetches", res.Acknowledged, res.Fetches)
	if err := waitFor(ctx, "every event delivered to the webhook", func() (bool, error) {
		return r.hook.distinct() >= r.cfg.Events, nil
	}); err != nil {
		return res, err
	}
	res.Delivered, res.Webhooks = r.hook.counts()
	r.progress("the webhook received %d events", res.Delivered)
	if err := r.drain(ctx); err != nil {
		return res, err
	}
	res.Took = time.Since(began)
	return res, nil
}

func (r *Run) progress(format string, args ...any) {
	if r.cfg.Progress != nil {
		fmt.Fprintf(r.cfg.Progress, "workload: "+format+"\n", args...)
	}
}

// waitFor polls cond until it holds, fails, or ctx ends.
func waitFor(ctx context.Context, what string, cond func() (bool, error)) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil {
			return fmt.Errorf("workload: waiting for %s: %w", what, err)
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("workload: waiting for %s: %w", what, context.Cause(ctx))
		case <-tick.C:
		}
	}
}
