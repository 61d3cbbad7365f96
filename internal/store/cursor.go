package store

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/internal/fault"
)

// MaxCursorBytes bounds a cursor as it arrives in a query string.
const MaxCursorBytes = 2048

// listingAttr carries, in a cursor, the name of the listing that made it. No key
// attribute of Herald's tables starts with "@".
const listingAttr = "@listing"

// EncodeCursor turns DynamoDB's LastEvaluatedKey into an opaque cursor for
// "next_cursor" of the named listing ("consumers", "triggers" …). Only string and number
// key attributes occur in Herald's tables. An empty key means the last page: the cursor
// is "".
func EncodeCursor(listing string, key map[string]types.AttributeValue) (string, error) {
	if len(key) == 0 {
		return "", nil
	}
	flat := make(map[string]string, len(key)+1)
	flat[listingAttr] = listing
	for name, v := range key {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			flat[name] = "S:" + v.Value
		case *types.AttributeValueMemberN:
			flat[name] = "N:" + v.Value
		default:
			return "", fmt.Errorf("store: key attribute %s has a type cursors do not carry", name)
		}
	}
	b, err := json.Marshal(flat)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// DecodeCursor turns a cursor of the named listing back into an ExclusiveStartKey. want
// names the key attributes the query's index has; pinned gives attributes whose value
// the cursor must carry unchanged (the caller's own partition), so that a cursor edited
// by hand cannot start a read in someone else's partition. A cursor another listing made
// is refused even when its keys look alike. Errors are Invalid faults on field "cursor".
func DecodeCursor(cursor, listing string, want []string, pinned map[string]string) (map[string]types.AttributeValue, error) {
	if cursor == "" {
		return nil, nil
	}
	bad := func(msg string) error { return fault.Field("cursor", msg) }
	if len(cursor) > MaxCursorBytes {
		return nil, bad("is too long")
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, bad("is not a cursor this API returned")
	}
	var flat map[string]string
	if err := json.Unmarshal(raw, &flat); err != nil || len(flat) != len(want)+1 {
		return nil, bad("is not a cursor this API returned")
	}
	if flat[listingAttr] != listing {
		return nil, bad("belongs to another listing")
	}
	key := make(map[string]types.AttributeValue, len(flat))
	for _, name := range want {
		v, ok := flat[name]
		if !ok || len(v) < 2 || v[1] != ':' {
			return nil, bad("is not a cursor this API returned")
		}
		typ, val := v[:1], v[2:]
		if p, ok := pinned[name]; ok && (typ != "S" || val != p) {
			return nil, bad("belongs to another listing")
		}
		switch typ {
		case "S":
			key[name] = &types.AttributeValueMemberS{Value: val}
		case "N":
			key[name] = &types.AttributeValueMemberN{Value: val}
		default:
			return nil, bad("is not a cursor this API returned")
		}
	}
	return key, nil
}
