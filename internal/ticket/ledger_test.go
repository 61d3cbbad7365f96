package ticket

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/fault"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

// newRedeemer returns a Redeemer on the template's StreamsTable, with ticket keys on
// the real clock.
func newRedeemer(t *testing.T) *Redeemer {
	t.Helper()
	table, err := env.Stack.Ref("StreamsTable")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	k := keysOf(t, &now, newKey)
	k.Now = nil
	return &Redeemer{Keys: k, Ledger: &Ledger{DB: env.DynamoDB, Table: table}}
}

// caller is a caller whose token expires in an hour.
func caller() auth.Claims {
	return auth.Claims{Subject: "u1", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p1": auth.Read},
		Expires: time.Unix(time.Now().Add(time.Hour).Unix(), 0).UTC()}
}

// TestSpendOnce: a ticket is redeemed once; the second time it is refused, on whichever
// instance, and tickets do not spend each other.
func TestSpendOnce(t *testing.T) {
	r := newRedeemer(t)
	s, _, err := r.Keys.Issue(caller(), path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Redeem(t.Context(), s, path)
	if err != nil {
		t.Fatalf("the first redemption: %v", err)
	}
	if want := caller(); c.Subject != want.Subject || !c.Expires.Equal(want.Expires) || c.Perms["projects/p1"] != auth.Read {
		t.Errorf("claims %+v, want %+v", c, want)
	}
	other := &Redeemer{Keys: r.Keys, Ledger: &Ledger{DB: env.DynamoDB, Table: r.Ledger.Table}}
	if _, err := other.Redeem(t.Context(), s, path); !fault.Is(err, fault.Unauthorized) {
		t.Errorf("the second redemption: %v, want Unauthorized", err)
	}
	s2, _, err := r.Keys.Issue(caller(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Redeem(t.Context(), s2, path); err != nil {
		t.Errorf("another ticket of the same caller: %v", err)
	}
	// A ticket refused for its path is not spent by the refusal.
	s3, _, err := r.Keys.Issue(caller(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Redeem(t.Context(), s3, InboxStreamPath); !fault.Is(err, fault.Unauthorized) {
		t.Fatalf("a ticket on another path: %v, want Unauthorized", err)
	}
	if _, err := r.Redeem(t.Context(), s3, path); err != nil {
		t.Errorf("the ticket on its own path after a refusal elsewhere: %v", err)
	}
}

// TestSpendRace: of many redemptions of one ticket at once, exactly one succeeds.
func TestSpendRace(t *testing.T) {
	r := newRedeemer(t)
	s, _, err := r.Keys.Issue(caller(), path)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := r.Redeem(context.Background(), s, path)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case !fault.Is(err, fault.Unauthorized):
			t.Errorf("a redemption failed otherwise: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d redemptions succeeded, want 1", ok, n)
	}
}

// TestAuthenticate covers the two ways into a stream: a ticket in the query, or the
// bearer token in the Authorization header.
func TestAuthenticate(t *testing.T) {
	r := newRedeemer(t)
	secret := []byte(strings.Repeat("s", auth.MinSecretLen))
	v, err := auth.NewVerifier(t.Context(), auth.Options{HMACSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	scoped := caller()
	scoped.TokenType = auth.Scoped
	token := func(c auth.Claims) string {
		tok, err := auth.Mint(secret, c, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	ticket := func(c auth.Claims, p string) string {
		s, _, err := r.Keys.Issue(c, p)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	spent := ticket(caller(), path)
	if _, err := r.Redeem(t.Context(), spent, path); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		headers map[string]string
		query   map[string]string
		redeem  *Redeemer
		inbox   bool
		want    fault.Kind // 0: allowed
	}{
		{"a ticket", nil, map[string]string{"ticket": ticket(caller(), path)}, r, false, 0},
		{"a bearer token", map[string]string{"authorization": "Bearer " + token(caller())}, nil, r, false, 0},
		{"a bearer token, the header in another case", map[string]string{"Authorization": "Bearer " + token(caller())}, nil, r, false, 0},
		{"nothing", nil, nil, r, false, fault.Unauthorized},
		{"an empty ticket", nil, map[string]string{"ticket": ""}, r, false, fault.Unauthorized},
		{"a spent ticket", nil, map[string]string{"ticket": spent}, r, false, fault.Unauthorized},
		{"a ticket and a token", map[string]string{"authorization": "Bearer " + token(caller())}, map[string]string{"ticket": ticket(caller(), path)}, r, false, fault.Unauthorized},
		{"a ticket where none are taken", nil, map[string]string{"ticket": ticket(caller(), path)}, nil, false, fault.Unauthorized},
		{"two tickets", nil, map[string]string{"ticket": ticket(caller(), path) + "," + ticket(caller(), path)}, r, false, fault.Unauthorized},
		{"a forged token", map[string]string{"authorization": "Bearer forged.forged.forged"}, nil, r, false, fault.Unauthorized},
		{"the inbox, a ticket", nil, map[string]string{"ticket": ticket(caller(), InboxStreamPath)}, r, true, 0},
		{"the inbox, a bearer token", map[string]string{"authorization": "Bearer " + token(caller())}, nil, r, true, 0},
		{"the inbox, a consumer's ticket", nil, map[string]string{"ticket": ticket(caller(), path)}, r, true, fault.Unauthorized},
		{"the inbox, a scoped ticket", nil, map[string]string{"ticket": ticket(scoped, InboxStreamPath)}, r, true, fault.Forbidden},
		{"the inbox, a scoped token", map[string]string{"authorization": "Bearer " + token(scoped)}, nil, r, true, fault.Forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c *auth.Claims
			var err error
			if tt.inbox {
				c, err = AuthenticateInbox(t.Context(), v, tt.redeem, tt.headers, tt.query)
			} else {
				c, err = Authenticate(t.Context(), v, tt.redeem, tt.headers, tt.query, path)
			}
			if tt.want != 0 {
				if !fault.Is(err, tt.want) {
					t.Fatalf("= %+v, %v; want %v", c, err, tt.want)
				}
				if s := tt.query["ticket"]; s != "" && strings.Contains(err.Error(), s) {
					t.Errorf("the refusal quotes the ticket: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Subject != "u1" || c.Expires.IsZero() {
				t.Errorf("claims %+v", c)
			}
		})
	}
}
