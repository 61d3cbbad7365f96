package reply_test

import (
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/reply"
)

// Names used throughout the tests, shaped like the real ones: the stream Herald
// stores events on, consumer ids (ULIDs), and ack subjects of both layouts.
const (
	stream    = "HERALD_EVENTS"
	consumer  = "01JD3N4V5W6X7Y8Z9ABCDEFGHJ"
	consumer2 = "01JD3N4V5W6X7Y8Z9ABCDEFGHK"
	subjectV1 = "$JS.ACK." + stream + "." + consumer + ".1.42.7.1763834400123456789.3"
	subjectV2 = "$JS.ACK._.AbCdEfGhIjKlMnOpQrStUv." + stream + "." + consumer + ".2.43.8.1763834400123456790.0.x7Kq2"
)

// secret returns a deterministic 32-byte secret for a key id; label tells apart
// keys that share an id but belong to different keyrings.
func secret(id, label string) []byte {
	s := sha256.Sum256([]byte(label + "/" + id))
	return s[:]
}

// newKeyring returns a keyring of the given ids, in order, with secrets from label.
func newKeyring(t testing.TB, label string, ids ...string) *reply.Keyring {
	t.Helper()
	keys := make([]reply.Key, len(ids))
	for i, id := range ids {
		keys[i] = reply.Key{ID: id, Secret: secret(id, label)}
	}
	k, err := reply.NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fields returns the field errors of err, failing the test unless err is a fault
// Invalid error.
func fields(t *testing.T, err error) []fault.FieldError {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.Invalid {
		t.Fatalf("error = %v, want a fault Invalid error", err)
	}
	return fe.Fields
}

// reason returns the single reason Verify gave, failing the test unless err is a fault
// Invalid error with exactly one unnamed field error.
func reason(t *testing.T, err error) string {
	t.Helper()
	fs := fields(t, err)
	if len(fs) != 1 || fs[0].Field != "" {
		t.Fatalf("fields = %+v, want one field error with an empty field name", fs)
	}
	return fs[0].Message
}
