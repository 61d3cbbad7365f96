package advisory

import (
	"fmt"
	"time"

	"github.com/heraldhq/herald/internal/inbox"
)

// Hour is the hour a drop at t counts in: one notice per consumer and hour.
func Hour(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// NoticeID is the id of the MESSAGE_DROPPED notice of consumer for hour, in owner's
// inbox: derived from the three, so that every drop of that hour adds to one notice,
// and sorted by the hour.
func NoticeID(consumer, owner string, hour time.Time) string {
	return inbox.ID("message-dropped/"+consumer+"/"+hour.Format(time.RFC3339), owner, hour)
}

// Content is what the notice says: count messages of consumer dropped in hour, the
// last at stream sequence last, each after deliveries deliveries.
func Content(consumer string, hour time.Time, deliveries uint64, count int64, last uint64) inbox.Content {
	what := "1 message was"
	if count != 1 {
		what = fmt.Sprintf("%d messages were", count)
	}
	msg := fmt.Sprintf("%s dropped by consumer %s between %s and %s UTC: delivered %d times (its max_deliver) without an acknowledgement, "+
		"they will not be delivered again. The last was stream sequence %d; a consumer starting at a sequence can read them again while the stream keeps them.",
		what, consumer, hour.Format("2006-01-02 15:04"), hour.Add(time.Hour).Format("15:04"), deliveries, last)
	return inbox.Content{
		Variant: inbox.MessageDropped,
		Message: msg,
		Refs:    []inbox.Ref{{Type: inbox.RefResource, Name: "consumer", Value: "consumers/" + consumer}},
	}
}
