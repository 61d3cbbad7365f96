package store

import (
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TTLAttribute is the attribute every Herald table declares in TimeToLiveSpecification.
const TTLAttribute = "expires_at"

// TTL is the expires_at value for t: epoch seconds, as DynamoDB TTL reads it.
func TTL(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Unix(), 10)}
}

// Expired reports whether an item with the given expires_at (epoch seconds) has expired
// at now. DynamoDB deletes expired items lazily, up to days later, so every read filters
// them out itself.
func Expired(expiresAt int64, now time.Time) bool {
	return expiresAt > 0 && expiresAt <= now.Unix()
}
