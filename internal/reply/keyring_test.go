package reply_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/reply"
)

func TestParseKeyring(t *testing.T) {
	k1, k2 := secret("k1", "live"), secret("k2", "live")
	tests := []struct {
		name string
		in   string
	}{
		{"padded standard base64", "k2:" + base64.StdEncoding.EncodeToString(k2) + ",k1:" + base64.StdEncoding.EncodeToString(k1)},
		{"unpadded standard base64", "k2:" + base64.RawStdEncoding.EncodeToString(k2) + ",k1:" + base64.RawStdEncoding.EncodeToString(k1)},
		{"URL alphabet", "k2:" + base64.URLEncoding.EncodeToString(k2) + ",k1:" + base64.RawURLEncoding.EncodeToString(k1)},
		{"spaces around entries", "  k2:" + base64.StdEncoding.EncodeToString(k2) + " , k1:" + base64.StdEncoding.EncodeToString(k1) + "\n"},
	}
	// Replies from a keyring built directly with the same secrets must verify, which
	// shows that the secrets were decoded to the right bytes.
	want := newKeyring(t, "live", "k2", "k1")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := reply.ParseKeyring(tt.in)
			if err != nil {
				t.Fatalf("ParseKeyring: %v", err)
			}
			if got := k.IDs(); !slices.Equal(got, []string{"k2", "k1"}) {
				t.Errorf("IDs = %v, want [k2 k1]", got)
			}
			r := k.Sign(subjectV1, consumer)
			if r.KeyID != "k2" {
				t.Errorf("signed with %q, want k2", r.KeyID)
			}
			if err := want.Verify(r, consumer); err != nil {
				t.Errorf("a reply signed by the parsed keyring does not verify with the same secrets: %v", err)
			}
		})
	}
}

// TestParseKeyringErrors checks each malformed key list is refused with a useful
// message that holds no part of any secret in it.
func TestParseKeyringErrors(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(secret("k1", "live"))
	short := base64.StdEncoding.EncodeToString(secret("k1", "live")[:31])
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", "empty"},
		{"blank", "  ", "empty"},
		{"empty entry", "k1:" + good + ",", "key 2 is empty"},
		{"no id", good, "key 1 is not of the form id:base64-secret"},
		{"empty id", ":" + good, "key 1: the id must be"},
		{"id too long", strings.Repeat("k", 33) + ":" + good, "key 1: the id must be"},
		{"id with a dot", "k.1:" + good, "key 1: the id must be"},
		{"secret as the id", good[:20] + "+:" + good, "key 1: the id must be"},
		{"short secret", "k1:" + short, `key "k1": the secret must be at least 32 bytes, not 31`},
		{"empty secret", "k1:", `key "k1": the secret is not valid base64`},
		{"bad base64", "k1:" + good[:10] + "!" + good[11:], `key "k1": the secret is not valid base64`},
		{"truncated base64", "k1:" + good[:len(good)-3] + "=", `key "k1": the secret is not valid base64`},
		{"duplicate id", "k1:" + good + ",k2:" + good + ",k1:" + good, `key "k1" appears more than once`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := reply.ParseKeyring(tt.in)
			if err == nil {
				t.Fatalf("ParseKeyring = %v, want an error containing %q", k, tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error = %q, want it to contain %q", msg, tt.want)
			}
			for _, s := range []string{good, short, good[:12], good[len(good)-12:], good[11:23]} {
				if strings.Contains(msg, s) {
					t.Errorf("error %q contains secret material %q", msg, s)
				}
			}
		})
	}
}

func TestNewKeyringErrors(t *testing.T) {
	s := secret("k1", "live")
	tests := []struct {
		name string
		keys []reply.Key
		want string
	}{
		{"no keys", nil, "at least one key"},
		{"bad id", []reply.Key{{ID: "k 1", Secret: s}}, "key 1: the id must be"},
		{"bad second id", []reply.Key{{ID: "k1", Secret: s}, {ID: "", Secret: s}}, "key 2: the id must be"},
		{"short secret", []reply.Key{{ID: "k1", Secret: s[:31]}}, "at least 32 bytes"},
		{"nil secret", []reply.Key{{ID: "k1"}}, "at least 32 bytes, not 0"},
		{"duplicate id", []reply.Key{{ID: "k1", Secret: s}, {ID: "k1", Secret: secret("k1", "other")}}, "more than once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := reply.NewKeyring(tt.keys...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewKeyring = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestNewKeyringCopiesSecrets(t *testing.T) {
	s := secret("k1", "live")
	k, err := reply.NewKeyring(reply.Key{ID: "k1", Secret: s})
	if err != nil {
		t.Fatal(err)
	}
	r := k.Sign(subjectV1, consumer)
	clear(s) // the caller wipes its copy
	if err := k.Verify(r, consumer); err != nil {
		t.Errorf("Verify after the caller cleared its secret = %v, want nil", err)
	}
}

// TestFormattingHidesSecrets prints a Keyring and a Key with every common verb and
// checks that the output names the keys but holds no representation of the secrets.
func TestFormattingHidesSecrets(t *testing.T) {
	s := secret("k1", "live")
	k, err := reply.NewKeyring(reply.Key{ID: "k1", Secret: s})
	if err != nil {
		t.Fatal(err)
	}
	forms := []string{
		string(s), hex.EncodeToString(s), strings.ToUpper(hex.EncodeToString(s)),
		base64.StdEncoding.EncodeToString(s), fmt.Sprint(s[:4])[1:8], fmt.Sprintf("%#v", s[:4])[8:],
	}
	for _, v := range []any{k, reply.Key{ID: "k1", Secret: s}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%q"} {
			out := fmt.Sprintf(verb, v)
			if !strings.Contains(out, "k1") {
				t.Errorf("Sprintf(%q, %T) = %q, want it to name the key k1", verb, v, out)
			}
			for _, f := range forms {
				if bytes.Contains([]byte(out), []byte(f)) {
					t.Errorf("Sprintf(%q, %T) = %q, contains the secret as %q", verb, v, out, f)
				}
			}
		}
	}
}
