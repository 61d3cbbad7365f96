package consumer

import (
	"github.com/nats-io/nats.go/jetstream"
)

// Settings of every consumer that the spec does not choose.
const (
	// MaxAckPending bounds the messages delivered and not yet acknowledged. JetStream's
	// default of 1000 would let one unacknowledged batch of the largest size (1000)
	// stop delivery until its ack wait runs out; ten times that never stalls a fetch.
	MaxAckPending = 10_000
	// MaxWaiting bounds the pull requests waiting on the consumer at once: batch
	// fetches and live streams of one consumer, from any number of clients.
	MaxWaiting = 512
)

// ConsumerConfig returns the configuration of the durable pull consumer for the
// normalized spec s on the HERALD_EVENTS stream. name is the consumer id (a ULID),
// used as the durable name; owner is the caller who created it, named in the
// description so that the consumer can be traced from the NATS side.
//
// The filters are FilterSubjects; a single one goes into FilterSubject instead, which
// every server version understands. Acknowledgement is explicit, and the idle expiry
// is the InactiveThreshold, so JetStream removes a consumer nobody uses.
func (s *Spec) ConsumerConfig(name, owner string) jetstream.ConsumerConfig {
	cfg := jetstream.ConsumerConfig{
		Durable:           name,
		Description:       "Herald consumer of " + owner,
		AckPolicy:         jetstream.AckExplicitPolicy,
		AckWait:           s.AckWait(),
		MaxDeliver:        s.maxDeliver(),
		InactiveThreshold: s.IdleExpiryDuration(),
		MaxAckPending:     MaxAckPending,
		MaxWaiting:        MaxWaiting,
		ReplayPolicy:      jetstream.ReplayInstantPolicy,
	}
	if filters := s.FilterSubjects(); len(filters) == 1 {
		cfg.FilterSubject = filters[0]
	} else {
		cfg.FilterSubjects = filters
	}
	switch s.DeliverPolicy {
	case DeliverNew:
		cfg.DeliverPolicy = jetstream.DeliverNewPolicy
	case DeliverByStartTime:
		cfg.DeliverPolicy = jetstream.DeliverByStartTimePolicy
		if s.StartTime != nil {
			t := *s.StartTime // a copy: the config must not change with the spec
			cfg.OptStartTime = &t
		}
	case DeliverByStartSequence:
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		if s.StartSequence != nil {
			cfg.OptStartSeq = *s.StartSequence
		}
	default:
		cfg.DeliverPolicy = jetstream.DeliverAllPolicy
	}
	return cfg
}
