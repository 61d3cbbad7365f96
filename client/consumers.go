package client

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/heraldhq/herald/wire"
)

// CreateConsumer creates a consumer (201) and returns it with its defaults filled in.
// A create is not idempotent (each makes a consumer), so it is retried only when the
// request certainly did not reach the server: a failed connection or a 429.
func (c *Client) CreateConsumer(ctx context.Context, spec wire.ConsumerSpec) (*wire.Consumer, error) {
	var out wire.Consumer
	req := &request{method: http.MethodPost, path: "/v1/consumers", body: spec}
	if err := c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListConsumers returns a page of the caller's consumers.
func (c *Client) ListConsumers(ctx context.Context, opts ListOptions) (*Page[*wire.Consumer], error) {
	var out Page[*wire.Consumer]
	req := &request{method: http.MethodGet, path: "/v1/consumers", query: opts.values(), idempotent: true}
	if err := c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllConsumers iterates over the caller's consumers from opts on, opts.Limit at a
// time. An error ends the iteration:
//
//	for r, err := range c.AllConsumers(ctx, client.ListOptions{}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(r.ID)
//	}
func (c *Client) AllConsumers(ctx context.Context, opts ListOptions) iter.Seq2[*wire.Consumer, error] {
	return all(ctx, opts, c.ListConsumers)
}

// ConsumerInfo is a consumer as GET /v1/consumers/{id} shows it: the record and the
// counts and pause of its JetStream consumer.
type ConsumerInfo struct {
	wire.Consumer
	// NumPending counts the messages on the consumer's subjects not yet delivered,
	// before its filter is applied: some may be hidden when fetched.
	NumPending uint64 `json:"num_pending"`
	// NumAckPending counts delivered messages waiting for an acknowledgement.
	NumAckPending int `json:"num_ack_pending"`
	// Paused says that nothing is delivered now (paused, or disabled by an
	// administrator), until PausedUntil.
	Paused      bool       `json:"paused"`
	PausedUntil *time.Time `json:"paused_until,omitempty"`
}

// GetConsumer returns one of the caller's consumers.
func (c *Client) GetConsumer(ctx context.Context, id string) (*ConsumerInfo, error) {
	path, err := pathOf("v1", "consumers", id)
	if err != nil {
		return nil, err
	}
	var out ConsumerInfo
	if err := c.call(ctx, &request{method: http.MethodGet, path: path, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateConsumer changes the settings of one of the caller's consumers in place
// (PUT /v1/consumers/{id}): the members of changes that are set, and those it resets,
// change; the others are kept. It returns the consumer as GetConsumer does. The same
// changes sent twice have the same effect, so the request is retried.
func (c *Client) UpdateConsumer(ctx context.Context, id string, changes wire.ConsumerChanges) (*ConsumerInfo, error) {
	path, err := pathOf("v1", "consumers", id)
	if err != nil {
		return nil, err
	}
	var out ConsumerInfo
	if err := c.call(ctx, &request{method: http.MethodPut, path: path, body: changes, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PauseConsumer pauses one of the caller's consumers until the given time, or until
// ResumeConsumer when until is zero: nothing is delivered to batches or streams
// meanwhile. It returns the consumer as GetConsumer does.
func (c *Client) PauseConsumer(ctx context.Context, id string, until time.Time) (*ConsumerInfo, error) {
	path, err := pathOf("v1", "consumers", id, "pause")
	if err != nil {
		return nil, err
	}
	req := &request{method: http.MethodPost, path: path, idempotent: true}
	if !until.IsZero() {
		req.body = struct {
			Until time.Time `json:"until"`
		}{until}
	}
	var out ConsumerInfo
	if err := c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ResumeConsumer ends the pause of one of the caller's consumers; it returns the
// consumer as GetConsumer does.
func (c *Client) ResumeConsumer(ctx context.Context, id string) (*ConsumerInfo, error) {
	path, err := pathOf("v1", "consumers", id, "resume")
	if err != nil {
		return nil, err
	}
	var out ConsumerInfo
	if err := c.call(ctx, &request{method: http.MethodPost, path: path, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteConsumer deletes a consumer (204). It is retried like any idempotent request,
// so a retry after an attempt that did delete it but lost the answer reports
// IsNotFound: callers that only want the consumer gone may take that as done.
func (c *Client) DeleteConsumer(ctx context.Context, id string) error {
	path, err := pathOf("v1", "consumers", id)
	if err != nil {
		return err
	}
	return c.call(ctx, &request{method: http.MethodDelete, path: path, idempotent: true}, nil)
}

// FetchOptions tune Fetch. The zero value asks for the server's default batch (10)
// without waiting.
type FetchOptions struct {
	// BatchSize is the most messages to return, 1 to 1000; 0 leaves it to the server.
	BatchSize int
	// Wait is how long to wait for messages when there are none, up to 20s, in whole
	// milliseconds; 0 answers at once.
	Wait time.Duration
}

// Fetch returns the consumer's next messages (GET /v1/consumers/{id}/batch), possibly
// none. Nothing is acknowledged: hand each message's Reply to Acknowledge once it is
// processed, or it comes back after the consumer's ack wait.
//
// A retried fetch may leave the messages of the lost attempt unacknowledged until their
// ack wait passes; they are redelivered then, not lost.
func (c *Client) Fetch(ctx context.Context, id string, opts FetchOptions) ([]wire.Message, error) {
	path, err := pathOf("v1", "consumers", id, "batch")
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if opts.BatchSize != 0 {
		q.Set("batch_size", strconv.Itoa(opts.BatchSize))
	}
	if ms := opts.Wait.Milliseconds(); ms > 0 {
		q.Set("wait_ms", strconv.FormatInt(ms, 10))
	}
	var out struct {
		Messages []wire.Message `json:"messages"`
	}
	if err := c.call(ctx, &request{method: http.MethodGet, path: path, query: q, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// Acknowledge applies action to the messages whose replies are given, all of one
// consumer, and returns how many were acknowledged. An empty action is wire.Ack.
// delay, in whole milliseconds up to 12h, asks a wire.Nak to redeliver no sooner;
// it must be 0 with any other action.
//
// The signed replies are the credential: no token is needed. Acknowledging is
// idempotent, so the request is retried; a 503 whose Errors list replies not confirmed
// (the consumer deleted, the event bus down) may be sent again as it is.
func (c *Client) Acknowledge(ctx context.Context, replies []wire.Reply, action wire.AckAction, delay time.Duration) (int, error) {
	if len(replies) == 0 {
		return 0, errors.New("herald: Acknowledge: no replies")
	}
	if action == "" {
		action = wire.Ack
	}
	body := struct {
		Replies []wire.Reply   `json:"replies"`
		Action  wire.AckAction `json:"action"`
		DelayMS int64          `json:"delay_ms,omitempty"`
	}{replies, action, delay.Milliseconds()}
	var out struct {
		Acknowledged int `json:"acknowledged"`
	}
	req := &request{method: http.MethodPost, path: "/v1/acknowledge", body: body, idempotent: true}
	if err := c.call(ctx, req, &out); err != nil {
		return 0, err
	}
	return out.Acknowledged, nil
}
