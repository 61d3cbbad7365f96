package consumer

import (
	"context"
	"errors"
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
)

// maxSyncRounds bounds how often sync updates JetStream for one change: each further
// round means another change was written meanwhile, whose own sync follows it.
const maxSyncRounds = 4

// sync brings the JetStream consumer id into line with its record: the spec, the pause
// and the inactivity threshold that goes with it (Record.consumerConfig). Every change
// of a consumer (Update, Pause, Resume, Disable) writes the record first and then
// syncs. After each JetStream update sync reads the record again and, if it changed
// meanwhile, updates again: two changes at once may reach JetStream in either order,
// and the one that reached it last re-reads after it, so JetStream ends holding the
// record's last state (an update never undoes a pause or resume made meanwhile).
func (s *Store) sync(ctx context.Context, id string) error {
	r, err := s.Lookup(ctx, id)
	if err != nil {
		return err
	}
	for round := 1; ; round++ {
		if s.beforeConfigure != nil {
			s.beforeConfigure(r)
		}
		if err := s.configure(ctx, r); err != nil {
			return err
		}
		again, err := s.Lookup(ctx, id)
		if err != nil {
			return err
		}
		if again.state() == r.state() {
			return nil
		}
		if round == maxSyncRounds {
			slog.WarnContext(ctx, "the consumer kept changing while JetStream was brought into line", "consumer", id)
			return fault.New(fault.Unavailable, "the consumer kept changing meanwhile; try again")
		}
		r = again
	}
}

// configure updates the JetStream consumer of the record r to what r says now: its
// configuration, then its pause. JetStream ignores the pause in an update, keeping the
// consumer's own, so the pause is set through its pause API when it differs.
func (s *Store) configure(ctx context.Context, r *Record) error {
	now := s.now()
	c, err := s.JS.UpdateConsumer(ctx, event.StreamName, r.consumerConfig(now))
	if err != nil {
		return busError(err)
	}
	have := PauseStateOf(c.CachedInfo())
	switch end, paused := r.pauseEnd(now); {
	case paused && (!have.Paused || !have.PausedUntil.Equal(end)):
		_, err = s.JS.PauseConsumer(ctx, event.StreamName, r.ID, end)
	case !paused && have.Paused:
		_, err = s.JS.ResumeConsumer(ctx, event.StreamName, r.ID)
	}
	return busError(err)
}

// busError is the fault for a failed change of a JetStream consumer (nil for none).
func busError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jetstream.ErrConsumerNotFound), errors.Is(err, jetstream.ErrConsumerDoesNotExist):
		return notFound()
	}
	return fault.Wrap(fault.Unavailable, err, "the event bus did not change the consumer; try again")
}
