package trigger

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/heraldhq/herald/shared/config"
)

// OpenStore builds the Store a function keeps for its lifetime from its environment:
// HERALD_TRIGGERS_TABLE and the AWS configuration.
func OpenStore(ctx context.Context) (*Store, error) {
	table, err := config.Required("HERALD_TRIGGERS_TABLE")
	if err != nil {
		return nil, err
	}
	cfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	return &Store{DB: dynamodb.NewFromConfig(cfg), Table: table, Now: time.Now}, nil
}
