package inbox

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/internal/store"
)

// Attribute names in the Notifications table.
const (
	attrUser           = "user_id"
	attrID             = "id"
	attrVariant        = "variant"
	attrMessage        = "message"
	attrRefs           = "refs" // JSON, as the API shows it
	attrEventUUID      = "event_uuid"
	attrCreatedAt      = "created_at"
	attrAcknowledgedAt = "acknowledged_at"
	attrExpiresAt      = store.TTLAttribute
	attrUnacked        = "unacked_user" // the unacknowledged index's key: set while unacknowledged
	attrAcked          = "acked_user"   // the acknowledged index's key: set once acknowledged
)

// item returns n as a table item.
func item(n *Notification) (map[string]types.AttributeValue, error) {
	refs, err := json.Marshal(n.Refs)
	if err != nil {
		return nil, fmt.Errorf("inbox: encoding the refs of %s: %w", n.ID, err)
	}
	it := map[string]types.AttributeValue{
		attrUser:      str(n.UserID),
		attrID:        str(n.ID),
		attrVariant:   str(string(n.Variant)),
		attrMessage:   str(n.Message),
		attrRefs:      str(string(refs)),
		attrEventUUID: str(n.EventUUID),
		attrCreatedAt: timeValue(n.CreatedAt),
	}
	// Without expires_at, DynamoDB's TTL never deletes the item: an unacknowledged one
	// kept until acknowledged.
	if !n.ExpiresAt.IsZero() {
		it[attrExpiresAt] = store.TTL(n.ExpiresAt)
	}
	if n.AcknowledgedAt != nil {
		it[attrAcknowledgedAt] = timeValue(*n.AcknowledgedAt)
		it[attrAcked] = str(n.UserID)
	} else {
		it[attrUnacked] = str(n.UserID)
	}
	return it, nil
}

// fromItem reads an item that item wrote.
func fromItem(it map[string]types.AttributeValue) (*Notification, error) {
	var err error
	get := func(name string) string {
		v, ok := it[name].(*types.AttributeValueMemberS)
		if !ok {
			if err == nil {
				err = fmt.Errorf("inbox: item %v has no string attribute %s", it[attrID], name)
			}
			return ""
		}
		return v.Value
	}
	n := &Notification{UserID: get(attrUser), ID: get(attrID), EventUUID: get(attrEventUUID)}
	n.Variant, n.Message = Variant(get(attrVariant)), get(attrMessage)
	refs, created := get(attrRefs), get(attrCreatedAt)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(refs), &n.Refs); err != nil {
		return nil, fmt.Errorf("inbox: item %s has unreadable refs: %w", n.ID, err)
	}
	if n.Refs == nil {
		n.Refs = []Ref{}
	}
	if n.CreatedAt, err = time.Parse(time.RFC3339Nano, created); err != nil {
		return nil, fmt.Errorf("inbox: item %s: %s: %w", n.ID, attrCreatedAt, err)
	}
	if v, ok := it[attrAcknowledgedAt].(*types.AttributeValueMemberS); ok {
		t, err := time.Parse(time.RFC3339Nano, v.Value)
		if err != nil {
			return nil, fmt.Errorf("inbox: item %s: %s: %w", n.ID, attrAcknowledgedAt, err)
		}
		n.AcknowledgedAt = &t
	}
	if v, ok := it[attrExpiresAt].(*types.AttributeValueMemberN); ok {
		secs, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("inbox: item %s: %s: %w", n.ID, attrExpiresAt, err)
		}
		n.ExpiresAt = time.Unix(secs, 0).UTC()
	}
	return n, nil
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// timeValue stores t as RFC 3339 in UTC, which sorts and reads well in the console.
func timeValue(t time.Time) types.AttributeValue { return str(t.UTC().Format(time.RFC3339Nano)) }
