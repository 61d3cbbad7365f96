package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/heraldhq/herald/shared/config"
)

// OpenStore builds the Store a function keeps for its lifetime from its environment:
// HERALD_NOTIFICATIONS_TABLE, HERALD_UNACKED_RETENTION_DAYS and
// HERALD_ACKED_RETENTION_DAYS (whole days, at least 1), and the AWS configuration.
func OpenStore(ctx context.Context) (*Store, error) {
	table, err := config.Required("HERALD_NOTIFICATIONS_TABLE")
	if err != nil {
		return nil, err
	}
	unacked, err := days("HERALD_UNACKED_RETENTION_DAYS", DefaultUnackedRetention)
	if err != nil {
		return nil, err
	}
	acked, err := days("HERALD_ACKED_RETENTION_DAYS", DefaultAckedRetention)
	if err != nil {
		return nil, err
	}
	cfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	return &Store{DB: dynamodb.NewFromConfig(cfg), Table: table, UnackedRetention: unacked, AckedRetention: acked, Now: time.Now}, nil
}

// days reads the environment variable name as a whole number of days.
func days(name string, def time.Duration) (time.Duration, error) {
	n, err := config.Int(name, int(def/(24*time.Hour)))
	if err != nil {
		return 0, err
	}
	if n < 1 {
		return 0, fmt.Errorf("%s must be at least 1 day, not %d", name, n)
	}
	return time.Duration(n) * 24 * time.Hour, nil
}
