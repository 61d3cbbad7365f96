package stacktest

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/heraldhq/herald/devstack/testenv"
)

// Refusals collects the permission violations a NATS server reports to a connection:
// how a test sees the server refuse what a user may not do.
type Refusals struct {
	mu      sync.Mutex
	refused []string
}

// Option is the connection option that reports the connection's errors to r.
func (r *Refusals) Option() nats.Option {
	return nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		if errors.Is(err, nats.ErrPermissionViolation) {
			r.mu.Lock()
			r.refused = append(r.refused, err.Error())
			r.mu.Unlock()
		}
	})
}

// WaitFor waits until the server has refused something naming each of subjects, and
// fails the test otherwise.
func (r *Refusals) WaitFor(t testing.TB, what string, subjects ...string) {
	t.Helper()
	testenv.WaitFor(t, 10*time.Second, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, s := range subjects {
			if !slices.ContainsFunc(r.refused, func(e string) bool { return strings.Contains(e, s) }) {
				return false
			}
		}
		return true
	}, what)
}
