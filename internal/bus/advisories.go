package bus

import (
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/event"
)

// AdvisoryStream keeps the advisories JetStream publishes when a message of a consumer
// of HERALD_EVENTS exhausts its MaxDeliver. The server publishes an advisory as a core
// NATS message, lost when nobody listens, and Herald's functions do not always run; a
// stream always listens, and the Bridge reads it at its own pace.
const AdvisoryStream = "HERALD_ADVISORIES"

// MaxDeliveriesPrefix starts the subject of a max-deliveries advisory, which goes on
// with the stream's and the consumer's names: <prefix>.<stream>.<consumer>.
const MaxDeliveriesPrefix = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES"

// MaxDeliveriesSubjects are the advisories of HERALD_EVENTS' consumers only: what other
// streams' consumers drop is none of Herald's business.
const MaxDeliveriesSubjects = MaxDeliveriesPrefix + "." + event.StreamName + ".*"

// The advisory stream's bounds. An advisory waits there only while the Bridge is not
// running (it reads them every minute), so a day covers an outage the Bridge's alarms
// page for long before; 64 MiB holds some 200,000 advisories of about 300 bytes, and a
// flood past it loses the oldest, not the disk.
const (
	AdvisoryMaxAge   = 24 * time.Hour
	AdvisoryMaxBytes = 64 << 20
)

// AdvisoryConfig returns the HERALD_ADVISORIES stream configuration for o (its replicas).
func AdvisoryConfig(o StreamOptions) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        AdvisoryStream,
		Description: "JetStream's max-deliveries advisories of HERALD_EVENTS' consumers, for the owners' notices",
		Subjects:    []string{MaxDeliveriesSubjects},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      AdvisoryMaxAge,
		MaxBytes:    AdvisoryMaxBytes,
		Storage:     jetstream.FileStorage,
		Replicas:    max(o.Replicas, 1),
	}
}
