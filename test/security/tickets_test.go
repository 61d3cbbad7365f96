package security

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/internal/ticket"
	"github.com/heraldhq/herald/test/stacktest"
)

// This file holds the stream tickets' cases: the security matrix's rows of the two
// stream-ticket routes, and what another tenant, or anyone holding a ticket, can try
// with one.

// ticketSecurityCases are the stream-ticket routes' columns of the security matrix.
func ticketSecurityCases(t *testing.T, w *stacktest.World) map[string][]secCase {
	issued := stacktest.Want{Status: 201, Check: func(t *testing.T, a stacktest.Answer) {
		var tk struct {
			Ticket    string    `json:"ticket"`
			ExpiresAt time.Time `json:"expires_at"`
		}
		if json.Unmarshal(a.Body, &tk) != nil || tk.Ticket == "" || time.Until(tk.ExpiresAt) > ticket.MaxTTL {
			t.Errorf("ticket answer %s", a)
		}
	}}
	path := "/v1/consumers/" + w.Consumer + "/stream-ticket"
	inbox := "/v1/me/notifications/stream-ticket"
	return map[string][]secCase{
		"POST /v1/consumers/{id}/stream-ticket": {
			{whoNone, stacktest.Call{Method: "POST", Path: path}, stacktest.Want{Status: 401, Gateway: true}},
			{whoIntruder, stacktest.Call{Method: "POST", Path: path, Token: w.Intruder}, stacktest.Want{Status: 404}},
			{whoScoped, stacktest.Call{Method: "POST", Path: path, Token: w.Scoped}, issued},
			{whoLacking, stacktest.Call{Method: "POST", Path: path, Token: w.Bare}, stacktest.Want{Status: 403}},
			{"an admin of another project", stacktest.Call{Method: "POST", Path: path,
				Token: stacktest.MintToken(t, auth.Claims{Subject: stacktest.IntruderSub, TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/elsewhere": auth.Admin}})}, stacktest.Want{Status: 404}},
		},
		"POST /v1/me/notifications/stream-ticket": {
			{whoNone, stacktest.Call{Method: "POST", Path: inbox}, stacktest.Want{Status: 401, Gateway: true}},
			// Another user gets a ticket of their own inbox, never the owner's.
			{whoIntruder, stacktest.Call{Method: "POST", Path: inbox, Token: w.Intruder}, issued},
			{whoScoped, stacktest.Call{Method: "POST", Path: inbox, Token: w.Scoped}, stacktest.Want{Status: 403}},
			{whoLacking + " (a service token)", stacktest.Call{Method: "POST", Path: inbox, Token: w.Publisher}, stacktest.Want{Status: 403}},
		},
	}
}

// streamTickets checks what tenants can do with tickets: none for another user's
// consumer; a ticket opens its own consumer's stream once, and no other stream; an
// expired, altered or forged ticket opens nothing; and no ticket reaches a log line.
func streamTickets(t *testing.T, w *stacktest.World) {
	var issued []string
	ask := func(t *testing.T, path, token string) string {
		t.Helper()
		var tk struct {
			Ticket string `json:"ticket"`
		}
		w.AC.OK(t, stacktest.Call{Method: "POST", Path: path, Token: token}, http.StatusCreated, &tk)
		issued = append(issued, tk.Ticket)
		return tk.Ticket
	}
	forConsumer := func(t *testing.T, consumer, token string) string {
		t.Helper()
		return ask(t, "/v1/consumers/"+consumer+"/stream-ticket", token)
	}
	open := func(consumer, tk string) stacktest.Call {
		return stacktest.Call{Method: "GET", Path: "/v1/consumers/" + consumer + "/stream?ticket=" + url.QueryEscape(tk)}
	}
	stream := stacktest.Want{Status: 200, Check: func(t *testing.T, a stacktest.Answer) {
		if ct := a.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Errorf("stream: Content-Type %q", ct)
		}
	}}
	refused := stacktest.Want{Status: 401}
	expect := func(t *testing.T, c stacktest.Call, want stacktest.Want) {
		t.Helper()
		stacktest.Expect(t, c, w.AC.Do(t, c), want)
	}
	spare := w.SpareConsumer(t)

	t.Run("another user's consumer", func(t *testing.T) {
		expect(t, stacktest.Call{Method: "POST", Path: "/v1/consumers/" + w.Consumer + "/stream-ticket", Token: w.Intruder}, stacktest.Want{Status: 404})
		// Their own consumer's ticket does not open the owner's, nor theirs the owner's.
		expect(t, open(w.Consumer, forConsumer(t, w.IntruderConsumer, w.Intruder)), refused)
		expect(t, open(w.IntruderConsumer, forConsumer(t, w.Consumer, w.Owner)), refused)
		// An inbox ticket opens no consumer's stream.
		expect(t, open(w.IntruderConsumer, ask(t, "/v1/me/notifications/stream-ticket", w.Intruder)), refused)
	})
	t.Run("inbox", func(t *testing.T) {
		inbox := func(tk string) stacktest.Call {
			return stacktest.Call{Method: "GET", Path: "/v1/me/notifications/stream?ticket=" + url.QueryEscape(tk)}
		}
		// A consumer's ticket opens no inbox, and an inbox ticket opens its own once.
		expect(t, inbox(forConsumer(t, w.IntruderConsumer, w.Intruder)), refused)
		tk := ask(t, "/v1/me/notifications/stream-ticket", w.Intruder)
		expect(t, inbox(tk), stream)
		expect(t, inbox(tk), refused)
	})
	t.Run("consumer A's ticket on consumer B", func(t *testing.T) {
		tk := forConsumer(t, w.Consumer, w.Owner)
		expect(t, open(spare, tk), refused)
		// Refused on B, it is not spent: it still opens A.
		expect(t, open(w.Consumer, tk), stream)
	})
	t.Run("reused", func(t *testing.T) {
		tk := forConsumer(t, spare, w.Owner)
		expect(t, open(spare, tk), stream)
		expect(t, open(spare, tk), refused)
		expect(t, open(spare, tk), refused)
	})
	t.Run("expired", func(t *testing.T) {
		// Minted with the stack's keys, as Herald would have a minute and more ago.
		keys := stackTicketKeys(t)
		keys.Now = func() time.Time { return time.Now().Add(-ticket.MaxTTL - 5*time.Second) }
		c := auth.Claims{Subject: stacktest.OwnerSub, TokenType: auth.Personal, Perms: map[string]auth.Level{stacktest.ScopePath: auth.Read}, Expires: time.Now().Add(time.Hour)}
		tk, _, err := keys.Issue(c, ticket.ConsumerStreamPath(spare))
		if err != nil {
			t.Fatal(err)
		}
		issued = append(issued, tk)
		expect(t, open(spare, tk), refused)
	})
	t.Run("tampered", func(t *testing.T) {
		tk := forConsumer(t, w.IntruderConsumer, w.Intruder)
		parts := strings.Split(tk, ".")
		edit := func(f func(map[string]any)) string {
			raw, err := base64.RawURLEncoding.DecodeString(parts[2])
			if err != nil {
				t.Fatal(err)
			}
			var p map[string]any
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatal(err)
			}
			f(p)
			raw, _ = json.Marshal(p)
			return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[3]
		}
		flipped := "A"
		if parts[3][0] == 'A' {
			flipped = "B"
		}
		cases := map[string]stacktest.Call{
			"the mac flipped": open(w.IntruderConsumer, parts[0]+"."+parts[1]+"."+parts[2]+"."+flipped+parts[3][1:]),
			"the intruder's ticket made the owner's": open(w.Consumer, edit(func(p map[string]any) {
				p["sub"], p["path"] = stacktest.OwnerSub, ticket.ConsumerStreamPath(w.Consumer)
			})),
			"the admin role added":   open(w.IntruderConsumer, edit(func(p map[string]any) { p["roles"] = []string{auth.RoleAdmin} })),
			"the expiry pushed back": open(w.IntruderConsumer, edit(func(p map[string]any) { p["tok_exp"] = time.Now().Add(24 * time.Hour).Unix() })),
			// Signed with the reply key itself, as a reply's HMAC is: no ticket.
			"signed with the reply key": open(w.IntruderConsumer, func() string {
				secret, _ := base64.StdEncoding.DecodeString(localstack.DevReplyKeys[strings.Index(localstack.DevReplyKeys, ":")+1:])
				signed := parts[0] + "." + parts[1] + "." + parts[2]
				m := hmac.New(sha256.New, secret)
				m.Write([]byte(signed))
				return signed + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
			}()),
		}
		for name, c := range cases {
			t.Run(name, func(t *testing.T) { expect(t, c, refused) })
		}
		// The genuine one, untouched, still opens its stream: the refusals spent nothing.
		expect(t, open(w.IntruderConsumer, tk), stream)
	})
	t.Run("not logged", func(t *testing.T) {
		_, logs, ok := strings.Cut(w.P.Text(), "Logs of every function follow")
		if !ok || !strings.Contains(logs, "stream ticket issued") {
			t.Fatalf("no ticket issued in the stack's logs:\n%s", stacktest.Truncate(logs, 2000))
		}
		leaked := 0
		for _, tk := range issued {
			mac := tk[strings.LastIndex(tk, ".")+1:]
			if strings.Contains(logs, tk) || strings.Contains(logs, url.QueryEscape(tk)) || strings.Contains(logs, mac) {
				leaked++
			}
		}
		if leaked > 0 {
			t.Errorf("%d of %d tickets appear in the stack's logs", leaked, len(issued))
		}
	})
}

// stackTicketKeys returns the ticket keys of the local stack, derived from its reply
// keys, as a forger who held them would.
func stackTicketKeys(t *testing.T) *ticket.Keys {
	t.Helper()
	ring, err := reply.ParseKeyring(localstack.DevReplyKeys)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ticket.NewKeys(ring)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
