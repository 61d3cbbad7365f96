package bus

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/trace"
)

// DeadLetterStream keeps what the bridge could not relay (invalid events published
// straight to NATS) for as long as events are kept, so that operators can inspect it.
const DeadLetterStream = "HERALD_DEADLETTER"

// ErrorHeader names why a message was dead-lettered.
const ErrorHeader = "Herald-Error"

// Connect opens a NATS connection that keeps reconnecting: functions hold it for the life
// of the execution environment, and a NATS restart must not need a cold start.
func Connect(o Options) (*nats.Conn, error) {
	return connect(o, nats.RetryOnFailedConnect(false))
}

// connect is Connect with the options extra added (or overriding its own).
func connect(o Options, extra ...nats.Option) (*nats.Conn, error) {
	opts := []nats.Option{
		nats.Name(o.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
	}
	switch {
	case len(o.Creds) > 0:
		opts = append(opts, nats.UserCredentialBytes(o.Creds))
	case o.CredsFile != "":
		opts = append(opts, nats.UserCredentials(o.CredsFile))
	}
	switch {
	case len(o.CA) > 0:
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(o.CA) {
			return nil, errors.New("bus: the NATS CA bundle holds no PEM certificate")
		}
		opts = append(opts, nats.ClientTLSConfig(nil, func() (*x509.CertPool, error) { return pool, nil }))
	case o.CAFile != "":
		opts = append(opts, nats.RootCAs(o.CAFile))
	}
	nc, err := nats.Connect(o.URL, append(opts, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("bus: connecting to NATS: %w", err)
	}
	return nc, nil
}

// StreamConfig returns the HERALD_EVENTS stream configuration for o.
func StreamConfig(o StreamOptions) jetstream.StreamConfig {
	replicas := max(o.Replicas, 1)
	return jetstream.StreamConfig{
		Name:        event.StreamName,
		Description: "Herald resource events; MaxAge is the shelf life, MaxBytes the disk it may fill",
		Subjects:    []string{event.StreamSubjects},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      o.ShelfLife,
		// Discard old applies to bytes as to age: a flood pushes out the oldest events,
		// the least valuable to a consumer that has not fetched them in days, rather than
		// refusing new ones or filling the server's disk.
		MaxBytes:   maxBytes(o.MaxBytes),
		Duplicates: min(o.DedupeWindow, o.ShelfLife),
		Storage:    jetstream.FileStorage,
		Replicas:   replicas,
		// An event is at most event.MaxSize; headers (Nats-Msg-Id, tracing) need a little more.
		MaxMsgSize: event.MaxSize + 16*1024,
	}
}

func deadLetterConfig(o StreamOptions) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        DeadLetterStream,
		Description: "Messages the bridge could not relay, with a Herald-Error header",
		Subjects:    []string{event.DeadLetterSubject},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      o.ShelfLife,
		Storage:     jetstream.FileStorage,
		Replicas:    max(o.Replicas, 1),
	}
}

// maxBytes is a stream's MaxBytes for n: JetStream's -1 (no limit) for 0 or less.
func maxBytes(n int64) int64 {
	if n <= 0 {
		return -1
	}
	return n
}

// EnsureStreams creates the HERALD_EVENTS, dead-letter and advisory streams, or updates
// them to the configuration given. It is safe to call from every cold start: an
// unchanged configuration is a no-op on the server, and a changed one (a new ShelfLife
// or StreamMaxBytes deployed) is applied by the first function to start after the
// deploy; a MaxBytes below what the stream holds discards its oldest events at once.
func EnsureStreams(ctx context.Context, js jetstream.JetStream, o StreamOptions) (jetstream.Stream, error) {
	if o.ShelfLife <= 0 || o.DedupeWindow <= 0 {
		return nil, errors.New("bus: shelf life and dedupe window must be positive")
	}
	if _, err := js.CreateOrUpdateStream(ctx, deadLetterConfig(o)); err != nil {
		return nil, fmt.Errorf("bus: ensuring stream %s: %w", DeadLetterStream, err)
	}
	// Before HERALD_EVENTS, so that no consumer of it can drop a message unheard.
	if _, err := js.CreateOrUpdateStream(ctx, AdvisoryConfig(o)); err != nil {
		return nil, fmt.Errorf("bus: ensuring stream %s: %w", AdvisoryStream, err)
	}
	s, err := js.CreateOrUpdateStream(ctx, StreamConfig(o))
	if err != nil {
		return nil, fmt.Errorf("bus: ensuring stream %s: %w", event.StreamName, err)
	}
	return s, nil
}

// Ack is the stream's receipt for one published event.
type Ack struct {
	UUID      string `json:"uuid"`
	Sequence  uint64 `json:"sequence"`
	Duplicate bool   `json:"duplicate,omitempty"`
}

// message is the NATS message of an event, with the trace header of the invocation that
// publishes it (trace.FromContext), which the Bridge hands on.
func message(ctx context.Context, e *event.Event, data []byte) *nats.Msg {
	msg := &nats.Msg{Subject: e.Subject(), Data: data, Header: nats.Header{}}
	if h := trace.FromContext(ctx); trace.Valid(h) {
		msg.Header.Set(trace.Header, h)
	}
	return msg
}

// Publish stores one event and waits for the stream's acknowledgement. The event's uuid is
// the Nats-Msg-Id, so publishing the same event twice within the dedupe window stores it
// once and answers with the first copy's sequence.
func Publish(ctx context.Context, js jetstream.JetStream, e *event.Event) (Ack, error) {
	data, err := e.MarshalJSON()
	if err != nil {
		return Ack{}, fmt.Errorf("bus: encoding event %s: %w", e.UUID, err)
	}
	pa, err := js.PublishMsg(ctx, message(ctx, e, data), jetstream.WithMsgID(e.UUID), jetstream.WithExpectStream(event.StreamName))
	if err != nil {
		return Ack{}, fmt.Errorf("bus: publishing event %s: %w", e.UUID, err)
	}
	return Ack{UUID: e.UUID, Sequence: pa.Sequence, Duplicate: pa.Duplicate}, nil
}

// PublishAll stores events with every publish in flight at once, then waits for all
// acknowledgements; a batch of a hundred costs about one round trip, not a hundred. The
// result has one entry per event, in order; errs[i] is set where event i failed.
func PublishAll(ctx context.Context, js jetstream.JetStream, events []*event.Event) ([]Ack, []error) {
	acks := make([]Ack, len(events))
	errs := make([]error, len(events))
	futures := make([]jetstream.PubAckFuture, len(events))
	for i, e := range events {
		data, err := e.MarshalJSON()
		if err != nil {
			errs[i] = fmt.Errorf("bus: encoding event %s: %w", e.UUID, err)
			continue
		}
		f, err := js.PublishMsgAsync(message(ctx, e, data), jetstream.WithMsgID(e.UUID), jetstream.WithExpectStream(event.StreamName))
		if err != nil {
			errs[i] = fmt.Errorf("bus: publishing event %s: %w", e.UUID, err)
			continue
		}
		futures[i] = f
	}
	for i, f := range futures {
		if f == nil {
			continue
		}
		// An answer already in is taken first: select picks at random among ready cases,
		// and an expired ctx must not turn a stored event into a reported failure.
		select {
		case pa := <-f.Ok():
			acks[i] = Ack{UUID: events[i].UUID, Sequence: pa.Sequence, Duplicate: pa.Duplicate}
			continue
		case err := <-f.Err():
			errs[i] = fmt.Errorf("bus: publishing event %s: %w", events[i].UUID, err)
			continue
		default:
		}
		select {
		case pa := <-f.Ok():
			acks[i] = Ack{UUID: events[i].UUID, Sequence: pa.Sequence, Duplicate: pa.Duplicate}
		case err := <-f.Err():
			errs[i] = fmt.Errorf("bus: publishing event %s: %w", events[i].UUID, err)
		case <-ctx.Done():
			errs[i] = fmt.Errorf("bus: publishing event %s: %w", events[i].UUID, ctx.Err())
		}
	}
	return acks, errs
}

// Close flushes what the connection still buffers (acknowledgements, publishes) for at
// most 300 ms and closes it: for a function's SIGTERM hook, which Lambda gives 500 ms.
func Close(js jetstream.JetStream) { CloseConn(js.Conn()) }
