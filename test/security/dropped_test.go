package security

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/advisory"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/test/stacktest"
)

// droppedNoticesStayWithOwners: MESSAGE_DROPPED notices go to the owner of the consumer
// that dropped, and nobody else. Two users read the same events; one lets a message run
// out of deliveries on purpose. Only that user is told, of that consumer only: a user
// cannot make notices appear in another's inbox by dropping messages, nor learn of
// another's drops. (Advisories cannot be forged from outside: the only NATS user a
// tenant reaches, through nats actions, may not publish on $JS subjects; see
// actionsNATSConfined. What one forged from inside the account can do is bounded; see
// forgedAdvisoriesTellNobody.)
func droppedNoticesStayWithOwners(t *testing.T, w *stacktest.World) {
	const scope = "projects/suite-drops"
	read := map[string]auth.Level{scope: auth.Read}
	victim := stacktest.MintToken(t, auth.Claims{Subject: "drops-victim", TokenType: auth.Personal, Perms: read})
	dropper := stacktest.MintToken(t, auth.Claims{Subject: "drops-dropper", TokenType: auth.Personal, Perms: read})
	create := func(token string) string {
		var rec struct {
			ID string `json:"id"`
		}
		w.AC.OK(t, stacktest.Call{Method: http.MethodPost, Path: "/v1/consumers", Token: token,
			Body: `{"target":{"resources":[{"path":"` + scope + `","include_subresources":true}]},"ack_wait_ms":1000,"max_deliver":1}`}, http.StatusCreated, &rec)
		return rec.ID
	}
	victims, droppers := create(victim), create(dropper)
	w.AC.OK(t, stacktest.Call{Method: http.MethodPost, Path: "/v1/events", Token: w.Publisher,
		Body: `{"event":"resource.ResourceCreated","resource":{"type":"collection","path":"` + scope + `/c1","after":{"title":"c1"}}}`}, http.StatusAccepted, nil)

	stacktest.ExhaustUntil(t, w.AC, dropper, droppers, "the dropper's notice", func(about []stacktest.Notice) bool { return len(about) == 1 })
	// The dropper's consumer named in another's notice would be there by now: the
	// notice is written once for everyone it concerns.
	if all, _ := stacktest.DroppedNotices(t, w.AC, victim, droppers); len(all) != 0 {
		t.Errorf("the victim got %d MESSAGE_DROPPED notices of the dropper's consumer: %+v", len(all), all)
	}
	// The victim's own drop is told to the victim, and the dropper hears nothing of it.
	stacktest.ExhaustUntil(t, w.AC, victim, victims, "the victim's own notice", func(about []stacktest.Notice) bool { return len(about) == 1 })
	if all, about := stacktest.DroppedNotices(t, w.AC, dropper, droppers); len(all) != 1 || len(about) != 1 {
		t.Errorf("the dropper holds %+v; want only the notice of its own consumer", all)
	}
	// Nor can the dropper reach the victim's notice by id.
	_, about := stacktest.DroppedNotices(t, w.AC, victim, victims)
	a := w.AC.OK(t, stacktest.Call{Method: http.MethodPost, Path: "/v1/me/notifications/acknowledge", Token: dropper, Body: `{"ids":["` + about[0].ID + `"]}`}, http.StatusOK, nil)
	if !bytes.Contains(a.Body, []byte(`"not_found":["`+about[0].ID+`"]`)) {
		t.Errorf("the dropper acknowledging the victim's notice: %s, want it not found", a)
	}
}

// forgedAdvisoriesTellNobody: a max-deliveries advisory that the server did not send
// (published by a NATS user of the account allowed to publish on $JS.EVENT.>, which
// deploy.md tells operators to deny) puts no notice in the inbox of the consumer's
// owner when the consumer's max_deliver denies it: a consumer without one (-1) gives
// nothing up, and one with max_deliver 5 gives a message up after 5 deliveries, not 1.
// Both are dated far in the future, which would otherwise date a notice there.
func forgedAdvisoriesTellNobody(t *testing.T, w *stacktest.World) {
	const scope = "projects/suite-forged"
	victim := stacktest.MintToken(t, auth.Claims{Subject: "forged-victim", TokenType: auth.Personal, Perms: map[string]auth.Level{scope: auth.Read}})
	create := func(extra string) string {
		var rec struct {
			ID string `json:"id"`
		}
		w.AC.OK(t, stacktest.Call{Method: http.MethodPost, Path: "/v1/consumers", Token: victim,
			Body: `{"target":{"resources":[{"path":"` + scope + `","include_subresources":true}]}` + extra + `}`}, http.StatusCreated, &rec)
		return rec.ID
	}
	unlimited, five := create(""), create(`,"max_deliver":5`)
	js := stacktest.ConnectJetStream(t, w.P.Banner["NATS"])
	var last uint64
	for _, f := range []struct {
		consumer   string
		deliveries int
	}{{unlimited, 1000}, {five, 1}} {
		body := fmt.Sprintf(`{"type":"io.nats.jetstream.advisory.v1.max_deliver","timestamp":"2099-01-01T00:00:00Z","stream":"HERALD_EVENTS","consumer":%q,"stream_seq":1,"deliveries":%d}`,
			f.consumer, f.deliveries)
		ack, err := js.Publish(t.Context(), bus.MaxDeliveriesPrefix+"."+event.StreamName+"."+f.consumer, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		last = ack.Sequence
	}
	testenv.WaitFor(t, time.Minute, func() bool {
		c, err := js.Consumer(t.Context(), bus.AdvisoryStream, advisory.ConsumerName)
		if err != nil {
			return false
		}
		info, err := c.Info(t.Context())
		return err == nil && info.AckFloor.Stream >= last
	}, "the forged advisories acknowledged")
	if all, _ := stacktest.DroppedNotices(t, w.AC, victim, ""); len(all) != 0 {
		t.Errorf("forged advisories of %s and %s put notices in their owner's inbox: %+v", unlimited, five, all)
	}
}
