package consumer

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
)

// OpenStore builds the Store a function keeps for its lifetime, from its environment:
// HERALD_CONSUMERS_TABLE, the AWS configuration from loadAWS and the bus (bus.Open, with
// name as the NATS connection name). What every function working on consumers does at
// cold start.
func OpenStore(ctx context.Context, loadAWS config.AWSLoader, name string) (*Store, error) {
	table, err := config.Required("HERALD_CONSUMERS_TABLE")
	if err != nil {
		return nil, err
	}
	cfg, err := loadAWS(ctx)
	if err != nil {
		return nil, err
	}
	js, err := bus.Open(ctx, loadAWS, name)
	if err != nil {
		return nil, err
	}
	return &Store{JS: js, DB: dynamodb.NewFromConfig(cfg), Table: table, Now: time.Now}, nil
}
