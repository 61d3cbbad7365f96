package store

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/internal/fault"
)

func TestCursorRoundTrip(t *testing.T) {
	key := map[string]types.AttributeValue{
		"user_id": &types.AttributeValueMemberS{Value: "u-1"},
		"id":      &types.AttributeValueMemberS{Value: "01JD0000000000000000000000"},
		"seq":     &types.AttributeValueMemberN{Value: "42"},
	}
	c, err := EncodeCursor("inbox", key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeCursor(c, "inbox", []string{"user_id", "id", "seq"}, map[string]string{"user_id": "u-1"})
	if err != nil {
		t.Fatal(err)
	}
	if got["user_id"].(*types.AttributeValueMemberS).Value != "u-1" || got["seq"].(*types.AttributeValueMemberN).Value != "42" ||
		got["id"].(*types.AttributeValueMemberS).Value != "01JD0000000000000000000000" {
		t.Fatalf("decoded %v", got)
	}
	if c, _ := EncodeCursor("inbox", nil); c != "" {
		t.Fatalf("last page cursor = %q, want empty", c)
	}
	if k, err := DecodeCursor("", "inbox", []string{"id"}, nil); k != nil || err != nil {
		t.Fatalf("empty cursor = %v, %v", k, err)
	}
}

func TestCursorRefusesTampering(t *testing.T) {
	mine, _ := EncodeCursor("inbox", map[string]types.AttributeValue{
		"user_id": &types.AttributeValueMemberS{Value: "u-1"}, "id": &types.AttributeValueMemberS{Value: "x"},
	})
	theirs, _ := EncodeCursor("inbox", map[string]types.AttributeValue{
		"user_id": &types.AttributeValueMemberS{Value: "u-2"}, "id": &types.AttributeValueMemberS{Value: "x"},
	})
	// The same keys, made by another listing of the same user.
	elsewhere, _ := EncodeCursor("triggers", map[string]types.AttributeValue{
		"user_id": &types.AttributeValueMemberS{Value: "u-1"}, "id": &types.AttributeValueMemberS{Value: "x"},
	})
	want := []string{"user_id", "id"}
	pinned := map[string]string{"user_id": "u-1"}
	tests := []struct {
		name, cursor, msg string
	}{
		{"another user's partition", theirs, "another listing"},
		{"another listing of the same user", elsewhere, "another listing"},
		{"not base64", "%%%", "not a cursor"},
		{"not JSON", "bm90IGpzb24", "not a cursor"},
		{"missing attribute", mustCursor(t, map[string]types.AttributeValue{"user_id": &types.AttributeValueMemberS{Value: "u-1"}}), "not a cursor"},
		{"too long", strings.Repeat("a", MaxCursorBytes+1), "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeCursor(tt.cursor, "inbox", want, pinned)
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "cursor") || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want an Invalid fault on cursor saying %q", err, tt.msg)
			}
		})
	}
	if _, err := DecodeCursor(mine, "inbox", want, pinned); err != nil {
		t.Fatalf("own cursor refused: %v", err)
	}
}

func mustCursor(t *testing.T, key map[string]types.AttributeValue) string {
	t.Helper()
	c, err := EncodeCursor("inbox", key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEncodeCursorRefusesOtherTypes(t *testing.T) {
	if _, err := EncodeCursor("inbox", map[string]types.AttributeValue{"b": &types.AttributeValueMemberB{Value: []byte{1}}}); err == nil {
		t.Fatal("a binary key attribute must be refused")
	}
}

func TestTTL(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	if v := TTL(now).(*types.AttributeValueMemberN).Value; v != "1800000000" {
		t.Fatalf("TTL = %s", v)
	}
	tests := []struct {
		expires int64
		want    bool
	}{{0, false}, {1_799_999_999, true}, {1_800_000_000, true}, {1_800_000_001, false}}
	for _, tt := range tests {
		if got := Expired(tt.expires, now); got != tt.want {
			t.Errorf("Expired(%d) = %v, want %v", tt.expires, got, tt.want)
		}
	}
}
