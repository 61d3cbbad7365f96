package ticket

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/reply"
)

// t0 is the tests' clock.
var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

var (
	oldKey = reply.Key{ID: "k1", Secret: []byte(strings.Repeat("a", 32))}
	newKey = reply.Key{ID: "k2", Secret: []byte(strings.Repeat("b", 32))}
)

// keysOf returns ticket keys derived from a keyring of keys, on a clock at *now.
func keysOf(t *testing.T, now *time.Time, keys ...reply.Key) *Keys {
	t.Helper()
	ring, err := reply.NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	k, err := NewKeys(ring)
	if err != nil {
		t.Fatal(err)
	}
	k.Now = func() time.Time { return *now }
	return k
}

// owner is a caller whose token expires in an hour.
func owner() auth.Claims {
	return auth.Claims{Subject: "u1", TokenType: auth.Personal, Roles: []string{auth.RolePublisher},
		Perms: map[string]auth.Level{"projects/p1": auth.Read}, Expires: t0.Add(time.Hour)}
}

const path = "/v1/consumers/01JD3N4V5W6X7Y8Z9ABCDEFGHJ/stream"

// resign returns s with its payload changed by edit and signed again with secret, as a
// forger holding that secret would.
func resign(t *testing.T, s string, secret []byte, edit func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(s, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(p)
	}
	raw, _ = json.Marshal(p)
	signed := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(raw)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(signed))
	return signed + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// swapPayload returns s with its payload changed by edit and the mac kept.
func swapPayload(t *testing.T, s string, edit func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(s, ".")
	forged := resign(t, s, []byte("x"), edit)
	fp := strings.Split(forged, ".")
	return parts[0] + "." + parts[1] + "." + fp[2] + "." + parts[3]
}

func TestIssueAndVerify(t *testing.T) {
	now := t0
	k := keysOf(t, &now, newKey, oldKey)
	s, issued, err := k.Issue(owner(), path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "t1.k2.") {
		t.Errorf("ticket %q is not signed by the first key", s)
	}
	if issued.Expires != t0.Add(MaxTTL) {
		t.Errorf("expires %v, want %v", issued.Expires, t0.Add(MaxTTL))
	}
	now = t0.Add(MaxTTL - time.Second)
	got, err := k.Verify(s, path)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !reflect.DeepEqual(got, &issued) {
		t.Errorf("Verify = %+v, want what Issue said, %+v", got, issued)
	}
	if want := owner(); !reflect.DeepEqual(got.Claims, want) {
		t.Errorf("claims %+v, want %+v", got.Claims, want)
	}
	_, again, err := k.Issue(owner(), path)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID == issued.ID {
		t.Error("two tickets share an id")
	}
	// Nothing of the signing secrets is in a ticket, nor any secret of the token.
	for _, key := range []reply.Key{newKey, oldKey} {
		if strings.Contains(s, string(key.Secret)) || strings.Contains(s, base64.RawURLEncoding.EncodeToString(key.Secret)) {
			t.Errorf("the ticket holds the secret of %s", key.ID)
		}
	}
}

func TestIssueExpiry(t *testing.T) {
	now := t0
	tests := []struct {
		name     string
		ttl      time.Duration
		tokenExp time.Time
		want     time.Time // zero: refused
	}{
		{"a minute by default", 0, t0.Add(time.Hour), t0.Add(MaxTTL)},
		{"a shorter TTL", 10 * time.Second, t0.Add(time.Hour), t0.Add(10 * time.Second)},
		{"never longer than MaxTTL", time.Hour, t0.Add(2 * time.Hour), t0.Add(MaxTTL)},
		{"never after the token", 0, t0.Add(20*time.Second + 500*time.Millisecond), t0.Add(20 * time.Second)},
		{"a token that has expired", 0, t0, time.Time{}},
		{"a token without an expiry", 0, time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := keysOf(t, &now, newKey)
			k.TTL = tt.ttl
			c := owner()
			c.Expires = tt.tokenExp
			_, got, err := k.Issue(c, path)
			if tt.want.IsZero() {
				if !fault.Is(err, fault.Unauthorized) {
					t.Fatalf("Issue = %v, want Unauthorized", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.Expires.Equal(tt.want) {
				t.Errorf("expires %v, want %v", got.Expires, tt.want)
			}
			if !got.Claims.Expires.Equal(time.Unix(tt.tokenExp.Unix(), 0)) {
				t.Errorf("the token's expiry %v, want %v", got.Claims.Expires, tt.tokenExp)
			}
		})
	}
}

// TestVerifyRefuses presents tickets that must not open the stream: each is
// Unauthorized, and no refusal quotes the ticket.
func TestVerifyRefuses(t *testing.T) {
	now := t0
	k := keysOf(t, &now, newKey, oldKey)
	good, _, err := k.Issue(owner(), path)
	if err != nil {
		t.Fatal(err)
	}
	shortToken := owner()
	shortToken.Expires = t0.Add(30 * time.Second)
	short, _, err := k.Issue(shortToken, path)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	ticketKey := func(id string) []byte {
		i := k.byID[id]
		return k.keys[i].Secret
	}
	tests := []struct {
		name   string
		ticket string
		path   string
		at     time.Time
	}{
		{"empty", "", path, t0},
		{"another consumer's stream", good, "/v1/consumers/01JD3N4V5W6X7Y8Z9ABCDEFGHK/stream", t0},
		{"the inbox stream", good, InboxStreamPath, t0},
		{"expired", good, path, t0.Add(MaxTTL)},
		{"long expired", good, path, t0.Add(24 * time.Hour)},
		{"its token expired", short, path, t0.Add(30 * time.Second)},
		{"a flipped mac", parts[0] + "." + parts[1] + "." + parts[2] + "." + flip(parts[3]), path, t0},
		{"a truncated mac", parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[3][:20], path, t0},
		{"no mac", parts[0] + "." + parts[1] + "." + parts[2], path, t0},
		{"an empty mac", parts[0] + "." + parts[1] + "." + parts[2] + ".", path, t0},
		{"a mac not base64", parts[0] + "." + parts[1] + "." + parts[2] + ".!!!!", path, t0},
		{"another version", "t2" + good[2:], path, t0},
		{"an unknown key id", parts[0] + ".k9." + parts[2] + "." + parts[3], path, t0},
		{"the other key's id", parts[0] + ".k1." + parts[2] + "." + parts[3], path, t0},
		{"a fifth part", good + ".x", path, t0},
		{"oversized", good + strings.Repeat("A", MaxBytes), path, t0},
		{"the subject changed", swapPayload(t, good, func(p map[string]any) { p["sub"] = "u2" }), path, t0},
		{"perms raised", swapPayload(t, good, func(p map[string]any) { p["perms"] = map[string]string{"projects": "ADMIN"} }), path, t0},
		{"the admin role added", swapPayload(t, good, func(p map[string]any) { p["roles"] = []string{"admin"} }), path, t0},
		{"the expiry pushed back", swapPayload(t, good, func(p map[string]any) { p["exp"] = t0.Add(time.Hour).Unix() }), path, t0.Add(2 * MaxTTL)},
		{"the path changed", swapPayload(t, good, func(p map[string]any) { p["path"] = "/v1/consumers/X/stream" }), "/v1/consumers/X/stream", t0},
		// Signed with the reply secret itself, as a reply signature is: the ticket key is
		// another, so no reply MAC passes as a ticket's.
		{"signed with the reply secret", resign(t, good, newKey.Secret, nil), path, t0},
		{"signed with a key derived for another purpose", resign(t, good, derived(t, "another purpose"), nil), path, t0},
		// Genuinely signed, but not what Herald issues.
		{"signed, living an hour", resign(t, good, ticketKey("k2"), func(p map[string]any) { p["exp"] = t0.Add(time.Hour).Unix() }), path, t0},
		{"signed, an unknown field", resign(t, good, ticketKey("k2"), func(p map[string]any) { p["scope"] = "all" }), path, t0},
		{"signed, an invalid token type", resign(t, good, ticketKey("k2"), func(p map[string]any) { p["typ"] = "root" }), path, t0},
		{"signed, an invalid level", resign(t, good, ticketKey("k2"), func(p map[string]any) { p["perms"] = map[string]string{"projects/p1": "GOD"} }), path, t0},
		{"signed, no subject", resign(t, good, ticketKey("k2"), func(p map[string]any) { delete(p, "sub") }), path, t0},
		{"signed, no id", resign(t, good, ticketKey("k2"), func(p map[string]any) { delete(p, "jti") }), path, t0},
		{"signed, no token expiry", resign(t, good, ticketKey("k2"), func(p map[string]any) { delete(p, "tok_exp") }), path, t0},
		{"signed, not JSON", func() string {
			signed := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString([]byte("{"))
			m := hmac.New(sha256.New, ticketKey("k2"))
			m.Write([]byte(signed))
			return signed + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
		}(), path, t0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = tt.at
			got, err := k.Verify(tt.ticket, tt.path)
			if !fault.Is(err, fault.Unauthorized) {
				t.Fatalf("Verify = %+v, %v; want Unauthorized", got, err)
			}
			if tt.ticket != "" && strings.Contains(err.Error(), tt.ticket) {
				t.Errorf("the refusal quotes the ticket: %v", err)
			}
		})
	}
}

// derived returns the key newKey derives for purpose.
func derived(t *testing.T, purpose string) []byte {
	t.Helper()
	ring, err := reply.NewKeyring(newKey)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ring.Derive(purpose)
	if err != nil {
		t.Fatal(err)
	}
	return keys[0].Secret
}

// flip changes the first character of a base64url string.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

// TestRotation: a ticket signed before a rotation verifies while its key is still on
// the ring, and not once it is dropped.
func TestRotation(t *testing.T) {
	now := t0
	before := keysOf(t, &now, oldKey)
	s, _, err := before.Issue(owner(), path)
	if err != nil {
		t.Fatal(err)
	}
	rotated := keysOf(t, &now, newKey, oldKey)
	if _, err := rotated.Verify(s, path); err != nil {
		t.Errorf("a ticket of the old key after the rotation: %v", err)
	}
	after := keysOf(t, &now, newKey)
	if _, err := after.Verify(s, path); !fault.Is(err, fault.Unauthorized) {
		t.Errorf("a ticket of a dropped key: %v, want Unauthorized", err)
	}
	// A key of the same id but another secret is another key.
	other := keysOf(t, &now, reply.Key{ID: "k1", Secret: []byte(strings.Repeat("c", 32))})
	if _, err := other.Verify(s, path); !fault.Is(err, fault.Unauthorized) {
		t.Errorf("a ticket under a replaced secret: %v, want Unauthorized", err)
	}
}

// TestNoReplyFromTicket: the MAC of a ticket is not a reply signature, as acknowledging
// would need: the reply keyring refuses it.
func TestNoReplyFromTicket(t *testing.T) {
	now := t0
	ring, err := reply.NewKeyring(newKey)
	if err != nil {
		t.Fatal(err)
	}
	k := keysOf(t, &now, newKey)
	s, _, err := k.Issue(owner(), path)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(s, ".")
	macBytes, _ := base64.RawURLEncoding.DecodeString(parts[3])
	r := reply.Reply{Reply: "$JS.ACK.HERALD_EVENTS.C1.1.42.42.1700000000000000000.0", Salt: "c2FsdHNhbHRzYWx0c2FsdA", HMAC: base64.StdEncoding.EncodeToString(macBytes), KeyID: "k2"}
	if err := ring.Verify(r, "C1"); err == nil {
		t.Error("a ticket's MAC verifies as a reply signature")
	}
}

func TestNarrow(t *testing.T) {
	c := auth.Claims{Subject: "u1", TokenType: auth.Scoped, Roles: []string{auth.RoleAdmin}, Expires: t0,
		Perms: map[string]auth.Level{
			"projects":           auth.Read,
			"projects/p1":        auth.Write,
			"projects/p1/c/x":    auth.Admin,
			"projects/p10":       auth.Admin,
			"projects/p2":        auth.Read,
			"users/u1":           auth.Read,
			"projects/p1x/items": auth.Read,
		}}
	tests := []struct {
		name  string
		paths []string
		want  map[string]auth.Level
	}{
		{"one path: it and its ancestors", []string{"projects/p1"}, map[string]auth.Level{"projects": auth.Read, "projects/p1": auth.Write}},
		{"a deeper path", []string{"projects/p1/c/x/y"}, map[string]auth.Level{"projects": auth.Read, "projects/p1": auth.Write, "projects/p1/c/x": auth.Admin}},
		{"two paths", []string{"projects/p2", "users/u1"}, map[string]auth.Level{"projects": auth.Read, "projects/p2": auth.Read, "users/u1": auth.Read}},
		{"segment-wise, not by prefix", []string{"projects/p1x"}, map[string]auth.Level{"projects": auth.Read}},
		{"no paths", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Narrow(c, tt.paths)
			if !reflect.DeepEqual(got.Perms, tt.want) {
				t.Errorf("perms %v, want %v", got.Perms, tt.want)
			}
			if got.Subject != c.Subject || got.TokenType != c.TokenType || !reflect.DeepEqual(got.Roles, c.Roles) || got.Expires != c.Expires {
				t.Errorf("Narrow changed more than the perms: %+v", got)
			}
			// What the narrowed claims grant on the paths is what the caller holds.
			for _, p := range tt.paths {
				if got.LevelOn(p) != c.LevelOn(p) {
					t.Errorf("LevelOn(%q) = %v, want %v", p, got.LevelOn(p), c.LevelOn(p))
				}
			}
		})
	}
	if len(c.Perms) != 7 {
		t.Error("Narrow changed the claims it was given")
	}
}

func TestIssueTooLarge(t *testing.T) {
	now := t0
	k := keysOf(t, &now, newKey)
	c := owner()
	c.Perms = map[string]auth.Level{}
	for i := range 400 {
		c.Perms["projects/"+strings.Repeat("p", 20)+"/"+strings.Repeat("x", i%50)+"y"+string(rune('a'+i%26))+strings.Repeat("z", i/26)] = auth.Read
	}
	if _, _, err := k.Issue(c, path); !fault.Is(err, fault.Invalid) {
		t.Errorf("Issue of a ticket over MaxBytes = %v, want Invalid", err)
	}
}
