package stacktest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/testenv"
)

// Tenant is one user of the stack with a token.
type Tenant struct {
	AC    *APIClient
	Token string
}

// DeliveryView is a delivery as a trigger's log lists it.
type DeliveryView struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Attempts int    `json:"attempts"`
	Log      []struct {
		StatusCode int    `json:"status_code"`
		Error      string `json:"error"`
		Response   string `json:"response"`
	} `json:"log"`
}

// CreateTrigger sends spec and returns the answer.
func (u Tenant) CreateTrigger(t *testing.T, spec string) Answer {
	t.Helper()
	return u.AC.Do(t, Call{Method: "POST", Path: "/v1/triggers", Token: u.Token, Body: spec})
}

// Trigger creates spec, which must be accepted, and returns the trigger's id.
func (u Tenant) Trigger(t *testing.T, spec string) string {
	t.Helper()
	var tr struct {
		ID string `json:"id"`
	}
	u.AC.OK(t, Call{Method: "POST", Path: "/v1/triggers", Token: u.Token, Body: spec}, http.StatusCreated, &tr)
	return tr.ID
}

// Fire runs trigger's action on an event of type typ at path.
func (u Tenant) Fire(t *testing.T, trigger, typ, path string) {
	t.Helper()
	u.AC.OK(t, Call{Method: "POST", Path: "/v1/triggers/" + trigger + "/fire", Token: u.Token,
		Body: `{"event":{"event":"` + typ + `","resource":{"type":"job","path":"` + path + `"}}}`}, http.StatusAccepted, nil)
}

// Deliveries waits until trigger's log holds n deliveries with status and returns them.
func (u Tenant) Deliveries(t *testing.T, trigger, status string, n int) []DeliveryView {
	t.Helper()
	var page struct {
		Items []DeliveryView `json:"items"`
	}
	testenv.WaitFor(t, 90*time.Second, func() bool {
		u.AC.OK(t, Call{Method: "GET", Path: "/v1/triggers/" + trigger + "/deliveries?status=" + status, Token: u.Token}, http.StatusOK, &page)
		return len(page.Items) >= n
	}, fmt.Sprintf("%d %s deliveries of trigger %s", n, status, trigger))
	return page.Items
}

// RefusedDelivery waits for trigger's one exhausted delivery and fails t unless its log
// says why with reason.
func (u Tenant) RefusedDelivery(t *testing.T, trigger, reason string) {
	t.Helper()
	d := u.Deliveries(t, trigger, "exhausted", 1)[0]
	if len(d.Log) == 0 || !strings.Contains(d.Log[len(d.Log)-1].Error, reason) {
		t.Errorf("delivery %+v, want its log to say %q", d, reason)
	}
}
