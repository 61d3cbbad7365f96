package stacktest

import (
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/internal/webhook"
)

// World is what the owner (and, for comparison, the intruder) holds in a running stack.
type World struct {
	P    *Stack
	AC   *APIClient
	Hook *HookReceiver

	// Tokens: the owner's personal token with READ on ScopePath; the intruder's, with the
	// same grant; the owner's scoped token with the same grant; the owner's personal token
	// without any grant on ScopePath (bare); a publisher; a service token without roles.
	Owner, Intruder, Scoped, Bare, Publisher, Service string

	Consumer, IntruderConsumer string      // consumers of ScopePath, each with one message fetched and not acknowledged
	Reply, IntruderReply       reply.Reply // the replies of those messages
	Trigger, IntruderTrigger   string      // triggers on ScopePath/hooks with a webhook to Hook
	TriggerSpec                string      // the owner's trigger's spec, without its secret
	Secret                     string      // the owner's trigger's secret, shown at creation
	Delivery                   string      // a succeeded delivery of the owner's trigger
	Notification               string      // one of the owner's notifications
	Sequence                   uint64      // an event's sequence on the stream
}

// NewWorld makes the owner's resources, and the intruder's, through the API.
func NewWorld(t *testing.T, p *Stack) *World {
	t.Helper()
	w := &World{P: p, AC: NewAPIClient(t, p), Hook: NewHookReceiver(t)}
	read := map[string]auth.Level{ScopePath: auth.Read}
	w.Owner = MintToken(t, auth.Claims{Subject: OwnerSub, TokenType: auth.Personal, Perms: read})
	w.Intruder = MintToken(t, auth.Claims{Subject: IntruderSub, TokenType: auth.Personal, Perms: read})
	w.Scoped = MintToken(t, auth.Claims{Subject: OwnerSub, TokenType: auth.Scoped, Perms: read})
	w.Bare = MintToken(t, auth.Claims{Subject: OwnerSub, TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/elsewhere": auth.Read}})
	w.Publisher = MintToken(t, auth.Claims{Subject: PublisherSub, TokenType: auth.Service, Roles: []string{auth.RolePublisher}})
	w.Service = MintToken(t, auth.Claims{Subject: "suite-service", TokenType: auth.Service})

	// Triggers on a subtree no published event touches: only fire, retry and replay
	// deliver, so nothing runs behind the suites' backs.
	w.TriggerSpec = `{"name":"hooks","resource":{"path":"` + ScopePath + `/hooks","include_subresources":true},"events":["resource.*"],` +
		`"action":{"type":"http","url":"` + w.Hook.URL + `/hook"},"retry":{"schedule":["1s"]}}`
	var tr struct {
		ID     string `json:"id"`
		Action struct {
			Secret string `json:"secret"`
		} `json:"action"`
	}
	w.AC.OK(t, Call{Method: "POST", Path: "/v1/triggers", Token: w.Owner, Body: w.TriggerSpec}, http.StatusCreated, &tr)
	w.Trigger, w.Secret = tr.ID, tr.Action.Secret
	if _, err := webhook.ParseSecret(w.Secret); err != nil {
		t.Fatalf("the create answer shows no usable secret: %v", err)
	}
	w.AC.OK(t, Call{Method: "POST", Path: "/v1/triggers", Token: w.Intruder, Body: w.TriggerSpec}, http.StatusCreated, &tr)
	w.IntruderTrigger = tr.ID

	consumerSpec := `{"target":{"resources":[{"path":"` + ScopePath + `","include_subresources":true}]},"ack_wait_ms":43200000}`
	var rec struct {
		ID string `json:"id"`
	}
	w.AC.OK(t, Call{Method: "POST", Path: "/v1/consumers", Token: w.Owner, Body: consumerSpec}, http.StatusCreated, &rec)
	w.Consumer = rec.ID
	w.AC.OK(t, Call{Method: "POST", Path: "/v1/consumers", Token: w.Intruder, Body: consumerSpec}, http.StatusCreated, &rec)
	w.IntruderConsumer = rec.ID

	var ack struct {
		Sequence uint64 `json:"sequence"`
	}
	w.AC.OK(t, Call{Method: "POST", Path: "/v1/events", Token: w.Publisher,
		Body: `{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"` + ScopePath + `/items/i1","after":{"title":"i1"}}}`}, http.StatusAccepted, &ack)
	w.Sequence = ack.Sequence

	var created struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	w.AC.OK(t, Call{Method: "POST", Path: "/v1/notifications", Token: w.Publisher,
		Body: `{"recipients":["` + OwnerSub + `"],"variant":"ANNOUNCEMENT","message":"maintenance tonight"}`}, http.StatusCreated, &created)
	if len(created.Items) != 1 {
		t.Fatalf("notification create made %d notifications", len(created.Items))
	}
	w.Notification = created.Items[0].ID

	var fired struct {
		DeliveryID string `json:"delivery_id"`
	}
	w.AC.OK(t, Call{Method: "POST", Path: "/v1/triggers/" + w.Trigger + "/fire", Token: w.Owner,
		Body: `{"event":{"event":"resource.ResourceUpdated","resource":{"type":"itemsvc.Item","path":"` + ScopePath + `/hooks/h1"}}}`}, http.StatusAccepted, &fired)
	w.Delivery = fired.DeliveryID
	w.WaitDeliveries(t, w.Trigger, "succeeded", 1)

	w.Reply = w.fetchOne(t, w.Owner, w.Consumer)
	w.IntruderReply = w.fetchOne(t, w.Intruder, w.IntruderConsumer)
	return w
}

// WaitDeliveries waits until the trigger's log holds at least n deliveries with status.
func (w *World) WaitDeliveries(t *testing.T, trigger, status string, n int) []DeliveryView {
	t.Helper()
	return Tenant{AC: w.AC, Token: w.Owner}.Deliveries(t, trigger, status, n)
}

// fetchOne fetches the consumer's one message (the event NewWorld published) and returns
// its reply, leaving it unacknowledged.
func (w *World) fetchOne(t *testing.T, token, consumer string) reply.Reply {
	t.Helper()
	var batch struct {
		Messages []struct {
			Reply reply.Reply `json:"reply"`
		} `json:"messages"`
	}
	testenv.WaitFor(t, 30*time.Second, func() bool {
		w.AC.OK(t, Call{Method: "GET", Path: "/v1/consumers/" + consumer + "/batch?batch_size=10&wait_ms=1000", Token: token}, http.StatusOK, &batch)
		return len(batch.Messages) > 0
	}, "a message for consumer "+consumer)
	if len(batch.Messages) != 1 {
		t.Fatalf("consumer %s got %d messages, want 1", consumer, len(batch.Messages))
	}
	return batch.Messages[0].Reply
}

// SpareConsumer makes a consumer of the owner's for a call that is allowed to delete it.
func (w *World) SpareConsumer(t *testing.T) string {
	t.Helper()
	var rec struct {
		ID string `json:"id"`
	}
	w.AC.OK(t, Call{Method: "POST", Path: "/v1/consumers", Token: w.Owner,
		Body: `{"target":{"resources":[{"path":"` + ScopePath + `/spare"}]},"deliver_policy":"new"}`}, http.StatusCreated, &rec)
	return rec.ID
}

// SpareTrigger makes a trigger of the owner's for a call that is allowed to delete it.
func (w *World) SpareTrigger(t *testing.T) string {
	t.Helper()
	var tr struct {
		ID string `json:"id"`
	}
	w.AC.OK(t, Call{Method: "POST", Path: "/v1/triggers", Token: w.Owner,
		Body: `{"name":"spare","resource":{"path":"` + ScopePath + `/spare"},"action":{"type":"nats","subject":"herald.actions.suite.spare"}}`}, http.StatusCreated, &tr)
	return tr.ID
}
