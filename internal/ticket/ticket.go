package ticket

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/reply"
)

// Limits and names of tickets.
const (
	// MaxTTL is the longest a ticket lives: enough for a page to open the stream it
	// asked for, short enough that one seen in a URL is soon worthless.
	MaxTTL = 60 * time.Second
	// MaxBytes bounds a ticket, which travels in a URL's query.
	MaxBytes = 8 << 10
	// Purpose is what the ticket keys are derived from the reply keys for.
	Purpose = "herald stream ticket v1"
	// QueryParam is the query parameter a stream takes a ticket in.
	QueryParam = "ticket"
	// InboxStreamPath is the path of the caller's inbox stream, which inbox tickets open.
	InboxStreamPath = "/v1/me/notifications/stream"

	// version starts every ticket, so that another format can be told from this one.
	version = "t1"
	// idBytes is the size of a ticket's random id.
	idBytes = 16
	// clockLeeway is how far the issuer's clock may run ahead of the stream's.
	clockLeeway = 5 * time.Second
)

// ConsumerStreamPath returns the path of consumer id's stream, which its tickets open.
func ConsumerStreamPath(id string) string { return "/v1/consumers/" + id + "/stream" }

// Ticket is what a verified ticket says.
type Ticket struct {
	// ID names the ticket in the ledger of spent tickets.
	ID string
	// Path is the stream the ticket opens.
	Path string
	// Claims are the caller's when the ticket was issued; Expires is the token's exp.
	Claims auth.Claims
	// Expires is when the ticket itself lapses.
	Expires time.Time
}

// payload is a ticket's JSON.
type payload struct {
	ID       string                `json:"jti"`
	Path     string                `json:"path"`
	Subject  string                `json:"sub"`
	Type     auth.TokenType        `json:"typ"`
	Roles    []string              `json:"roles,omitempty"`
	Perms    map[string]auth.Level `json:"perms,omitempty"`
	TokenExp int64                 `json:"tok_exp"` // the token's exp, Unix seconds
	Exp      int64                 `json:"exp"`     // the ticket's, Unix seconds
}

// Keys issues and verifies tickets. It is safe for concurrent use.
type Keys struct {
	keys []reply.Key // derived; keys[0] signs
	byID map[string]int
	// TTL is how long issued tickets live; zero or more than MaxTTL means MaxTTL.
	TTL time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// NewKeys returns the ticket keys derived from the reply keyring ring.
func NewKeys(ring *reply.Keyring) (*Keys, error) {
	keys, err := ring.Derive(Purpose)
	if err != nil {
		return nil, err
	}
	k := &Keys{keys: keys, byID: make(map[string]int, len(keys))}
	for i, key := range keys {
		k.byID[key.ID] = i
	}
	return k, nil
}

func (k *Keys) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

func (k *Keys) ttl() time.Duration {
	if k.TTL <= 0 || k.TTL > MaxTTL {
		return MaxTTL
	}
	return k.TTL
}

// Issue returns a ticket that opens the stream at path for the caller c, and what it
// says. c.Expires must be the token's exp: the ticket lapses by then at the latest, and
// the stream it opens ends then. Pass c narrowed to what the stream checks ([Narrow]).
// A token that has expired, or whose expiry is unknown, gets no ticket
// (fault.Unauthorized).
func (k *Keys) Issue(c auth.Claims, path string) (string, Ticket, error) {
	now := k.now()
	switch {
	case c.Expires.IsZero():
		return "", Ticket{}, fault.New(fault.Unauthorized, "the token's expiry is unknown, so no ticket can be issued for it")
	case !c.Expires.After(now):
		return "", Ticket{}, fault.New(fault.Unauthorized, "the token has expired")
	}
	// Whole seconds, rounded down: the ticket never outlives the token nor its TTL.
	exp := now.Add(k.ttl())
	if c.Expires.Before(exp) {
		exp = c.Expires
	}
	exp = time.Unix(exp.Unix(), 0).UTC()
	id := make([]byte, idBytes)
	rand.Read(id)
	p := payload{
		ID: base64.RawURLEncoding.EncodeToString(id), Path: path,
		Subject: c.Subject, Type: c.TokenType, Roles: c.Roles, Perms: c.Perms,
		TokenExp: c.Expires.Unix(), Exp: exp.Unix(),
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return "", Ticket{}, fmt.Errorf("ticket: encoding: %w", err)
	}
	key := k.keys[0]
	signed := version + "." + key.ID + "." + base64.RawURLEncoding.EncodeToString(raw)
	s := signed + "." + base64.RawURLEncoding.EncodeToString(mac(key.Secret, signed))
	if len(s) > MaxBytes {
		return "", Ticket{}, fault.New(fault.Invalid, "the token carries too many grants on this stream's resources for a ticket; send the token in the Authorization header instead")
	}
	t := Ticket{ID: p.ID, Path: path, Claims: c, Expires: exp}
	t.Claims.Expires = time.Unix(p.TokenExp, 0).UTC()
	return s, t, nil
}

// errInvalid is every refusal of a ticket that is not genuine: which part was wrong is
// no business of whoever presented it.
var errInvalid = fault.New(fault.Unauthorized, "the ticket is not valid")

// Verify checks the ticket s for the stream at path: its mac (in constant time), that it
// opens path, and that neither it nor the token it stands for has expired. It does not
// record the ticket as used: [Ledger.Spend] does. Every refusal is fault.Unauthorized,
// and none quotes the ticket.
func (k *Keys) Verify(s, path string) (*Ticket, error) {
	if s == "" {
		return nil, fault.New(fault.Unauthorized, "the ticket is empty")
	}
	if len(s) > MaxBytes {
		return nil, errInvalid
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 || parts[0] != version {
		return nil, errInvalid
	}
	i, ok := k.byID[parts[1]]
	if !ok {
		return nil, errInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(parts[3])
	if err != nil || len(got) != sha256.Size {
		return nil, errInvalid
	}
	signed := s[:len(s)-len(parts[3])-1]
	if !hmac.Equal(got, mac(k.keys[i].Secret, signed)) {
		return nil, errInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, errInvalid
	}
	var p payload
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil || dec.More() {
		return nil, errInvalid
	}
	now := k.now()
	switch {
	case p.ID == "" || p.Exp <= 0 || p.TokenExp <= 0:
		return nil, errInvalid
	case time.Unix(p.Exp, 0).After(now.Add(MaxTTL + clockLeeway)):
		// Signed with Herald's key, yet longer-lived than Herald issues: refuse it rather
		// than trust an issuer that is not this code.
		return nil, errInvalid
	case p.Path != path:
		return nil, fault.New(fault.Unauthorized, "the ticket is for another stream")
	case !now.Before(time.Unix(p.Exp, 0)):
		return nil, fault.New(fault.Unauthorized, "the ticket has expired; ask for a new one")
	case !now.Before(time.Unix(p.TokenExp, 0)):
		return nil, fault.New(fault.Unauthorized, "the token the ticket was issued for has expired")
	}
	c := auth.Claims{Subject: p.Subject, TokenType: p.Type, Roles: p.Roles, Perms: p.Perms, Expires: time.Unix(p.TokenExp, 0).UTC()}
	// The claims are checked as the authorizer's are: a ticket carries nothing a token
	// could not.
	checked, err := auth.FromContext(c.Context())
	if err != nil {
		return nil, errInvalid
	}
	checked.Expires = c.Expires
	return &Ticket{ID: p.ID, Path: p.Path, Claims: *checked, Expires: time.Unix(p.Exp, 0).UTC()}, nil
}

// mac is the ticket MAC of signed under key.
func mac(key []byte, signed string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(signed))
	return m.Sum(nil)
}

// Narrow returns c holding only the grants that bear on paths: those on a path or on
// one of its ancestors, which are all that auth.Claims.LevelOn reads for it. A ticket
// for a consumer's stream needs no others, and one seen in a URL then tells nothing of
// the caller's other grants. Roles, subject, type and expiry are kept.
func Narrow(c auth.Claims, paths []string) auth.Claims {
	out := c
	out.Perms = nil
	for p, l := range c.Perms {
		for _, want := range paths {
			if want == p || strings.HasPrefix(want, p+"/") {
				if out.Perms == nil {
					out.Perms = map[string]auth.Level{}
				}
				out.Perms[p] = l
				break
			}
		}
	}
	return out
}
