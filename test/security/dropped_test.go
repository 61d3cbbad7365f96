package security

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/test/stacktest"
)

// droppedNoticesStayWithOwners: MESSAGE_DROPPED notices go to the owner of the consumer
// that dropped, and nobody else. Two users read the same events; one lets a message run
// out of deliveries on purpose. Only that user is told, of that consumer only: a user
// cannot make notices appear in another's inbox by dropping messages, nor learn of
// another's drops. (Advisories cannot be forged from outside: the only NATS user a
// tenant reaches, through nats actions, may not publish on $JS subjects; see
// actionsNATSConfined.)
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
