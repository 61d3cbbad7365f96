package delivery

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/heraldhq/herald/internal/config"
)

// Open builds the Store and the Queue a function keeps for its lifetime, from its
// environment (HERALD_DELIVERIES_TABLE, HERALD_DELIVERIES_QUEUE_URL and
// HERALD_DELIVERY_LOG_RETENTION_DAYS) and the AWS configuration cfg.
func Open(cfg aws.Config) (*Store, *Queue, error) {
	table, err := config.Required("HERALD_DELIVERIES_TABLE")
	if err != nil {
		return nil, nil, err
	}
	queue, err := config.Required("HERALD_DELIVERIES_QUEUE_URL")
	if err != nil {
		return nil, nil, err
	}
	retention, err := config.Days("HERALD_DELIVERY_LOG_RETENTION_DAYS", DefaultRetention)
	if err != nil {
		return nil, nil, err
	}
	return &Store{DB: dynamodb.NewFromConfig(cfg), Table: table, Retention: retention, Now: time.Now},
		&Queue{SQS: sqs.NewFromConfig(cfg), URL: queue}, nil
}

// OpenStore builds the Store alone, for a function that writes the delivery log but
// queues no task (EventsApi, for sync verdicts): HERALD_DELIVERIES_TABLE and
// HERALD_DELIVERY_LOG_RETENTION_DAYS.
func OpenStore(cfg aws.Config) (*Store, error) {
	table, err := config.Required("HERALD_DELIVERIES_TABLE")
	if err != nil {
		return nil, err
	}
	retention, err := config.Days("HERALD_DELIVERY_LOG_RETENTION_DAYS", DefaultRetention)
	if err != nil {
		return nil, err
	}
	return &Store{DB: dynamodb.NewFromConfig(cfg), Table: table, Retention: retention, Now: time.Now}, nil
}
