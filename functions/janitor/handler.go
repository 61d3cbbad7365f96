package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/store"
)

// DefaultMargin is how long before its deadline a run stops starting new work: enough
// for the deletion in flight to finish. What is left is done by the next run.
const DefaultMargin = 5 * time.Second

// MinAge is how old a consumer must be before a missing half counts as lost. Create
// makes the JetStream consumer first and the record right after; within this time
// either may be missing only because the create is still under way.
const MinAge = time.Minute

// scanPage is how many records one Scan request reads.
const scanPage = 100

// Handler cleans up consumers on each scheduled invocation.
type Handler struct {
	Store  *consumer.Store
	JS     jetstream.JetStream
	Now    func() time.Time // time.Now when nil; what expiry and age are measured against
	Margin time.Duration    // zero means DefaultMargin
}

// Result is what one run removed.
type Result struct {
	// Expired counts consumers whose record's expires_at had passed, removed whole.
	Expired int `json:"expired"`
	// OrphanConsumers counts JetStream consumers named like a consumer id that had no
	// record: left by a create that failed half-way, or by a record deleted alone.
	OrphanConsumers int `json:"orphan_consumers"`
	// OrphanRecords counts records whose JetStream consumer had gone, which JetStream
	// does by itself once a consumer has been idle for its InactiveThreshold.
	OrphanRecords int `json:"orphan_records"`
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Handle runs one cleanup. It lists the JetStream consumers first and scans the records
// second: a consumer old enough to count was made before its record, so a record
// missing from the list has really lost its consumer, and a consumer whose record the
// scan does not see has really lost its record. When the deadline nears it stops where
// it is; each deletion stands on its own, so the next run simply carries on. A deletion
// that fails is logged and skipped, and reported in the error once the run ends.
func (h *Handler) Handle(ctx context.Context, _ awsevents.EventBridgeEvent) (Result, error) {
	var res Result
	deadline, ok := ctx.Deadline()
	if !ok {
		return res, errors.New("janitor: the invocation has no deadline")
	}
	margin := h.Margin
	if margin <= 0 {
		margin = DefaultMargin
	}
	// The deadline is on the real clock, whatever Now says.
	stopAt := deadline.Add(-margin)
	near := func() bool { return !time.Now().Before(stopAt) }

	complete, err := h.run(ctx, &res, near)
	slog.InfoContext(ctx, "janitor run finished",
		"expired", res.Expired, "orphan_consumers", res.OrphanConsumers, "orphan_records", res.OrphanRecords,
		"complete", complete, "error", errText(err))
	return res, err
}

// run does the work of Handle, counting into res, and reports whether it got to the end.
func (h *Handler) run(ctx context.Context, res *Result, near func() bool) (bool, error) {
	if near() {
		return false, nil
	}
	now := h.now()
	names, err := h.consumerNames(ctx)
	if err != nil {
		return false, err
	}
	var failed []error
	// seen holds every record the scan read, expired or not: a consumer named by one
	// is not an orphan, whatever became of it.
	seen := map[string]bool{}
	for r, err := range h.Store.All(ctx, scanPage) {
		if err != nil {
			return false, errors.Join(append(failed, err)...)
		}
		if near() {
			return false, errors.Join(failed...)
		}
		seen[r.ID] = true
		switch {
		case store.Expired(r.ExpiresAt.Unix(), now):
			// Store.Delete removes the JetStream consumer first, so nothing is
			// delivered from a consumer without a record, and tolerates it being gone.
			if err := h.Store.Delete(ctx, r.ID); err != nil {
				failed = append(failed, h.failed(ctx, "expired consumer", r.ID, err))
				continue
			}
			res.Expired++
		case !names[r.ID] && now.Sub(r.CreatedAt) >= MinAge:
			if err := h.Store.Delete(ctx, r.ID); err != nil {
				failed = append(failed, h.failed(ctx, "record without a JetStream consumer", r.ID, err))
				continue
			}
			res.OrphanRecords++
		}
	}
	for name := range names {
		if near() {
			return false, errors.Join(failed...)
		}
		if seen[name] {
			continue
		}
		// Only consumer ids: herald-bridge and anything else on the stream that is
		// not Herald's to manage stays.
		made, ok := consumer.IDTime(name)
		if !ok || now.Sub(made) < MinAge {
			continue
		}
		if err := h.JS.DeleteConsumer(ctx, event.StreamName, name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			failed = append(failed, h.failed(ctx, "JetStream consumer without a record", name, err))
			continue
		}
		res.OrphanConsumers++
	}
	return true, errors.Join(failed...)
}

// consumerNames lists the consumers on HERALD_EVENTS.
func (h *Handler) consumerNames(ctx context.Context) (map[string]bool, error) {
	stream, err := h.JS.Stream(ctx, event.StreamName)
	if err != nil {
		return nil, fmt.Errorf("janitor: opening stream %s: %w", event.StreamName, err)
	}
	lister := stream.ConsumerNames(ctx)
	names := map[string]bool{}
	for name := range lister.Name() {
		names[name] = true
	}
	if err := lister.Err(); err != nil {
		return nil, fmt.Errorf("janitor: listing the consumers of %s: %w", event.StreamName, err)
	}
	return names, nil
}

// failed logs a deletion that did not happen and returns it as an error naming what.
func (h *Handler) failed(ctx context.Context, what, id string, err error) error {
	slog.WarnContext(ctx, "janitor could not delete", "what", what, "id", id, "error", err.Error())
	return fmt.Errorf("janitor: deleting %s %s: %w", what, id, err)
}

func errText(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}
