package main

import (
	"context"
	"log/slog"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/inbox"
)

// Handler turns the events of an SQS batch into personal notifications.
type Handler struct {
	Store *inbox.Store
}

// Handle writes the notifications of every event in the batch. A message whose event
// cannot be read, or whose notifications could not all be written, is reported as a
// batch item failure: it comes back, and after the queue's receive limit goes to its
// dead-letter queue. Writing is idempotent, so coming back never makes a second
// notification; the other messages of the batch are done.
func (h *Handler) Handle(ctx context.Context, batch awsevents.SQSEvent) (awsevents.SQSEventResponse, error) {
	var resp awsevents.SQSEventResponse
	for _, m := range batch.Records {
		if !h.record(ctx, m) {
			resp.BatchItemFailures = append(resp.BatchItemFailures, awsevents.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp, nil
}

// record handles one message and reports whether it is done.
func (h *Handler) record(ctx context.Context, m awsevents.SQSMessage) bool {
	ev, err := event.Decode([]byte(m.Body))
	if err == nil {
		err = ev.Validate()
	}
	if err != nil {
		// The bridge only relays valid events, so this is a message from elsewhere;
		// the dead-letter queue keeps it for someone to look at.
		uuid := ""
		if ev != nil {
			uuid = ev.UUID
		}
		slog.ErrorContext(ctx, "inbox message is not a valid event", "message_id", m.MessageId, "uuid", uuid, "error", err.Error())
		return false
	}
	recipients := inbox.Unique(ev.Recipients)
	if len(recipients) == 0 {
		slog.DebugContext(ctx, "event without recipients", "uuid", ev.UUID, "event", ev.Event)
		return true
	}
	content, ignored := inbox.FromEvent(ev)
	if len(ignored) > 0 {
		slog.WarnContext(ctx, "invalid parts of the notification field were derived instead", "uuid", ev.UUID, "fields", ignored)
	}
	ns := make([]*inbox.Notification, len(recipients))
	for i, r := range recipients {
		ns[i] = h.Store.New(r, content, ev.UUID, ev.Timestamp)
	}
	created, err := h.Store.PutAll(ctx, ns)
	if err != nil {
		slog.ErrorContext(ctx, "writing notifications failed; the event comes back", "uuid", ev.UUID, "message_id", m.MessageId, "error", err.Error())
		return false
	}
	slog.InfoContext(ctx, "notifications written", "uuid", ev.UUID, "event", ev.Event, "variant", content.Variant, "recipients", len(recipients), "new", created)
	return true
}
