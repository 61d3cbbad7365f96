package bridge

import "time"

// ConsumerName is the durable consumer the bridge reads through.
const ConsumerName = "herald-bridge"

// Options tune the relay. The zero value means the defaults below.
type Options struct {
	// Concurrency is the number of PublishBatch calls in flight (default 16).
	Concurrency int
	// PullBatch is how many messages the bridge asks NATS for at a time (default 500).
	PullBatch int
	// PullWait bounds one pull request (default 1s): how long a stop can take to be
	// noticed while the stream is idle. Messages are handled as they arrive, not at its end.
	PullWait time.Duration
	// Linger is how long a partly filled batch waits for more messages before it is sent
	// anyway (default 2ms): long enough to fill batches under load, short enough not to add
	// latency when idle.
	Linger time.Duration
	// Retries is how many times entries SNS failed are retried at once before the message
	// is NAKed (default 3; negative for none).
	Retries int
	// RetryBackoff is the first pause between those retries; it doubles (default 100ms).
	RetryBackoff time.Duration
	// NakDelay is the first redelivery delay after retries ran out; it doubles with each
	// delivery up to MaxNakDelay (defaults 2s and 1m).
	NakDelay    time.Duration
	MaxNakDelay time.Duration
	// AckWait is the consumer's AckWait (default 60s). It must exceed the longest time a
	// message can spend in the bridge, or messages are redelivered while still in flight.
	AckWait time.Duration
	// MaxAckPending caps unacknowledged messages (default 10,000).
	MaxAckPending int
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	if o.PullBatch <= 0 {
		o.PullBatch = 500
	}
	if o.PullWait <= 0 {
		o.PullWait = time.Second
	}
	if o.Linger <= 0 {
		o.Linger = 2 * time.Millisecond
	}
	if o.Retries < 0 {
		o.Retries = 0
	} else if o.Retries == 0 {
		o.Retries = 3
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = 100 * time.Millisecond
	}
	if o.NakDelay <= 0 {
		o.NakDelay = 2 * time.Second
	}
	if o.MaxNakDelay <= 0 {
		o.MaxNakDelay = time.Minute
	}
	if o.AckWait <= 0 {
		o.AckWait = 60 * time.Second
	}
	if o.MaxAckPending <= 0 {
		o.MaxAckPending = 10_000
	}
	return o
}

// nakDelay is the redelivery delay for a message delivered n times: NakDelay doubling,
// capped at MaxNakDelay.
func (o Options) nakDelay(delivered uint64) time.Duration {
	d := o.NakDelay
	for i := uint64(1); i < delivered && d < o.MaxNakDelay; i++ {
		d *= 2
	}
	return min(d, o.MaxNakDelay)
}
