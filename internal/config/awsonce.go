package config

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// AWSLoader returns the AWS SDK configuration. The cold-start functions that need it
// only sometimes (to read a secret, say) take one rather than an aws.Config, so that a
// function that needs no AWS configuration never loads it. AWS is one; AWSOnce makes
// one that loads at most once.
type AWSLoader func(context.Context) (aws.Config, error)

// AWSOnce returns an AWSLoader that loads the configuration (AWS) on its first call and
// gives every later call the same result: a function's cold start passes it to each part
// that may need the configuration, and so loads it once, or not at all when none does.
// A failed load is not retried; the cold start fails with it.
func AWSOnce() AWSLoader { return once(AWS) }

// once memoizes load, with the context of its first call.
func once(load AWSLoader) AWSLoader {
	var (
		o   sync.Once
		cfg aws.Config
		err error
	)
	return func(ctx context.Context) (aws.Config, error) {
		o.Do(func() { cfg, err = load(ctx) })
		return cfg, err
	}
}
