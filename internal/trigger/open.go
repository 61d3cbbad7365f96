package trigger

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/heraldhq/herald/internal/config"
)

// OpenStore builds the Store a function keeps for its lifetime from its environment
// (HERALD_TRIGGERS_TABLE) and cfg, the AWS configuration the function loaded once at its
// cold start.
func OpenStore(cfg aws.Config) (*Store, error) {
	table, err := config.Required("HERALD_TRIGGERS_TABLE")
	if err != nil {
		return nil, err
	}
	return &Store{DB: dynamodb.NewFromConfig(cfg), Table: table, Now: time.Now}, nil
}
