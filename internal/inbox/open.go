package inbox

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/heraldhq/herald/internal/config"
)

// OpenStore builds the Store a function keeps for its lifetime from its environment:
// HERALD_NOTIFICATIONS_TABLE, HERALD_UNACKED_RETENTION_DAYS and
// HERALD_ACKED_RETENTION_DAYS (whole days, at least 1), and cfg, the AWS configuration
// the function loaded once at its cold start.
func OpenStore(cfg aws.Config) (*Store, error) {
	table, err := config.Required("HERALD_NOTIFICATIONS_TABLE")
	if err != nil {
		return nil, err
	}
	unacked, err := config.Days("HERALD_UNACKED_RETENTION_DAYS", DefaultUnackedRetention)
	if err != nil {
		return nil, err
	}
	acked, err := config.Days("HERALD_ACKED_RETENTION_DAYS", DefaultAckedRetention)
	if err != nil {
		return nil, err
	}
	return &Store{DB: dynamodb.NewFromConfig(cfg), Table: table, UnackedRetention: unacked, AckedRetention: acked, Now: time.Now}, nil
}
