package consumer

import (
	"github.com/nats-io/nats.go/jetstream"
)

// Settings of every consumer that the spec does not choose.
const (
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
		MaxAckPending:     s.maxAckPending(),
		MaxWaiting:        MaxWaiting,
		ReplayPolicy:      jetstream.ReplayInstantPolicy,
	}
	if filters := s.FilterSubjects(); len(filters) == 1 {
		cfg.FilterSubject = filters[0]
	} else {
		cfg.FilterSubjects = filters
	}
	if bo := s.backOff(); len(bo) > 0 {
		// JetStream takes the first step for the ack wait anyway; saying so keeps the
		// configuration it reports the one asked for.
		cfg.BackOff = bo
		cfg.AckWait = bo[0]
	}
	switch s.DeliverPolicy {
	case DeliverNew:
		cfg.DeliverPolicy = jetstream.DeliverNewPolicy
	case DeliverLast:
		cfg.DeliverPolicy = jetstream.DeliverLastPolicy
	case DeliverLastPerSubject:
		cfg.DeliverPolicy = jetstream.DeliverLastPerSubjectPolicy
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
