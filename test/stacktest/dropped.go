package stacktest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/testenv"
)

// Notice is a personal notification as the inbox lists it.
type Notice struct {
	ID        string `json:"id"`
	Variant   string `json:"variant"`
	Message   string `json:"message"`
	EventUUID string `json:"event_uuid"`
	Refs      []struct {
		Type  string `json:"type"`
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"refs"`
	AcknowledgedAt *string `json:"acknowledged_at"`
}

// DroppedNotices returns the MESSAGE_DROPPED notices in the inbox of token's user,
// acknowledged or not, and of those the ones that refer to consumer.
func DroppedNotices(t testing.TB, ac *APIClient, token, consumer string) (all, about []Notice) {
	t.Helper()
	var page struct {
		Items []Notice `json:"items"`
	}
	ac.OK(t, Call{Method: http.MethodGet, Path: "/v1/me/notifications?state=all&limit=100", Token: token}, http.StatusOK, &page)
	for _, n := range page.Items {
		if n.Variant != "MESSAGE_DROPPED" {
			continue
		}
		all = append(all, n)
		for _, r := range n.Refs {
			if r.Type == "RESOURCE" && r.Name == "consumer" && r.Value == "consumers/"+consumer {
				about = append(about, n)
				break
			}
		}
	}
	return all, about
}

// ExhaustUntil fetches consumer's messages with token, acknowledging none, until done
// holds of the MESSAGE_DROPPED notices about it in the inbox of token's user. JetStream
// gives a message up when a fetch finds its last ack wait over, so the fetches go on
// while the test waits.
func ExhaustUntil(t testing.TB, ac *APIClient, token, consumer, what string, done func(about []Notice) bool) []Notice {
	t.Helper()
	var about []Notice
	testenv.WaitFor(t, 2*time.Minute, func() bool {
		ac.OK(t, Call{Method: http.MethodGet, Path: "/v1/consumers/" + consumer + "/batch?batch_size=100&wait_ms=1500", Token: token}, http.StatusOK, nil)
		_, about = DroppedNotices(t, ac, token, consumer)
		return done(about)
	}, what)
	return about
}

// Says reports whether a notice's message contains every one of parts.
func (n Notice) Says(parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(n.Message, p) {
			return false
		}
	}
	return true
}
