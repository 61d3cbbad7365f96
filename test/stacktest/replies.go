package stacktest

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/reply"
)

// AckBody is an acknowledge request of replies.
func AckBody(action string, replies ...reply.Reply) string {
	b, _ := json.Marshal(map[string]any{"replies": replies, "action": action})
	return string(b)
}

// WithConsumer returns r with its ack subject naming consumer instead of its own: the
// signature, made for the original consumer, must not carry over.
func WithConsumer(t testing.TB, r reply.Reply, consumer string) reply.Reply {
	t.Helper()
	info, err := reply.ParseAckSubject(r.Reply)
	if err != nil {
		t.Fatal(err)
	}
	r.Reply = strings.Replace(r.Reply, "."+info.Consumer+".", "."+consumer+".", 1)
	return r
}

// FlipHMAC returns r with one bit of its signature changed, still well-formed base64.
func FlipHMAC(t testing.TB, r reply.Reply) reply.Reply {
	t.Helper()
	mac, err := base64.StdEncoding.DecodeString(r.HMAC)
	if err != nil {
		t.Fatal(err)
	}
	mac[0] ^= 1
	r.HMAC = base64.StdEncoding.EncodeToString(mac)
	return r
}
