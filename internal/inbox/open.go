package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
)

// OpenStore builds the Store a function keeps for its lifetime from its environment:
// HERALD_NOTIFICATIONS_TABLE, HERALD_UNACKED_RETENTION_DAYS (whole days; 0, the
// default, keeps unacknowledged notifications until acknowledged) and
// HERALD_ACKED_RETENTION_DAYS (whole days, at least 1), and cfg, the AWS configuration
// the function loaded once at its cold start. feed announces what the store writes to
// the users' live streams: every function that writes notifications passes one (nil
// only where nothing is written).
func OpenStore(cfg aws.Config, feed *Feed) (*Store, error) {
	table, err := config.Required("HERALD_NOTIFICATIONS_TABLE")
	if err != nil {
		return nil, err
	}
	days, err := config.Int("HERALD_UNACKED_RETENTION_DAYS", int(DefaultUnackedRetention/(24*time.Hour)))
	if err != nil {
		return nil, err
	}
	if days < 0 {
		return nil, fmt.Errorf("HERALD_UNACKED_RETENTION_DAYS must be 0 (until acknowledged) or a number of days, not %d", days)
	}
	unacked := time.Duration(days) * 24 * time.Hour
	acked, err := config.Days("HERALD_ACKED_RETENTION_DAYS", DefaultAckedRetention)
	if err != nil {
		return nil, err
	}
	return &Store{DB: dynamodb.NewFromConfig(cfg), Table: table, UnackedRetention: unacked, AckedRetention: acked, Now: time.Now, Feed: feed}, nil
}

// DialStore builds the Store of a function that writes notifications and has no
// JetStream connection of its own to announce them on: it loads the AWS configuration
// with loadAWS, connects to NATS core as name (bus.DialCore, which does not fail while
// NATS is down), and opens the Store (OpenStore) with a Feed on that connection. The
// function closes Store.Feed.NC at its end.
func DialStore(ctx context.Context, loadAWS config.AWSLoader, name string) (*Store, error) {
	cfg, err := loadAWS(ctx)
	if err != nil {
		return nil, err
	}
	nc, err := bus.DialCore(ctx, loadAWS, name)
	if err != nil {
		return nil, err
	}
	s, err := OpenStore(cfg, NewFeed(nc))
	if err != nil {
		nc.Close()
		return nil, err
	}
	return s, nil
}
