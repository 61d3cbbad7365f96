package action

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/heraldhq/herald/internal/bus"
)

// The headers of a nats action's message besides Nats-Msg-Id (the delivery id). Herald
// sets all of them: a nats action has no field for headers, and a transform shapes the
// payload only, so no action can set a message id of another delivery's.
const (
	HeaderEvent   = "Herald-Event"   // the event type
	HeaderTrigger = "Herald-Trigger" // the trigger's id
)

// Timings of a nats action (variables for the tests only).
var (
	// natsFlushTimeout bounds the wait for the NATS server to take the publish.
	natsFlushTimeout = 5 * time.Second
	// natsProbeWait is how long a publish on a subject that something listens on, but
	// that no stream is known to capture, waits for an answer. A stream acknowledges in
	// milliseconds; subscribers that do not answer cost this wait, once per
	// natsCoreMemory.
	natsProbeWait = time.Second
	// natsAckTimeout bounds the wait for the acknowledgement of a stream known to capture
	// the subject: without it, the attempt fails and is retried (the stream drops the
	// retry's copy if the first was stored, by its Nats-Msg-Id).
	natsAckTimeout = 5 * time.Second
	// natsCoreMemory is how long a subject whose listeners did not answer is published
	// on without waiting; natsStreamMemory how long a subject stays known as captured
	// after a stream last acknowledged a publish there.
	natsCoreMemory   = time.Minute
	natsStreamMemory = 10 * time.Minute
)

// maxNATSRoutes bounds how many subjects are remembered; past it all are forgotten.
const maxNATSRoutes = 10_000

// nats publishes the payload on the action's subject, as the actions' own NATS user,
// with a reply subject, and reads what the server makes of it:
//
//   - a stream captures the subject: it answers with an acknowledgement, which is the
//     success (or with an error, a failed attempt). The Nats-Msg-Id header, the delivery
//     id, lets the stream drop a retry's copy within its duplicate window.
//   - nothing listens at all: the server answers "no responders" before it answers the
//     flush. That is a success, as a core publish nobody receives always was, unless the
//     action requires a listener.
//   - subscribers listen but do not answer: they got the message, as with a core
//     publish. After natsProbeWait without an answer that is a success, and the subject
//     is published on without waiting for natsCoreMemory.
//   - a subscriber answers: it got the message; a success.
//
// A publish the server refuses (outside the actions user's permissions) fails for good.
func (r *Runner) nats(ctx context.Context, d Delivery, payload []byte) Outcome {
	if r.Actions == nil {
		return unavailable("nats")
	}
	subject := d.Action.Subject
	msg := &nats.Msg{Subject: subject, Reply: bus.ActionsInbox(), Data: payload, Header: nats.Header{}}
	msg.Header.Set(nats.MsgIdHdr, d.DeliveryID)
	msg.Header.Set(HeaderEvent, d.Event.Event)
	msg.Header.Set(HeaderTrigger, d.TriggerID)

	sub, err := r.natsPublish(ctx, msg)
	if sub != nil {
		defer sub.Unsubscribe()
	}
	var refused *natsRefused
	switch {
	case errors.As(err, &refused) && !refused.subscription():
		return failed(fmt.Errorf("refused by the NATS server: %w", refused.err), true)
	case refused != nil:
		// The operator's NATS user for actions may not read answers (set up before nats
		// actions read them): the message went out as a core publish, unconfirmed.
		if d.Action.RequireListener {
			return failed(fmt.Errorf("nats: require_listener needs the NATS user for actions to read answers on %s.>, which its permissions refuse: %w", bus.ActionsInboxPrefix, refused.err), true)
		}
		return Outcome{OK: true, Response: "published; unconfirmed: the NATS user for actions may not read answers"}
	case err != nil:
		return failed(fmt.Errorf("nats: %w", err), false)
	}

	now := r.now()
	route := r.natsRoutes.get(subject, now)
	// "No responders" comes before the flush's answer; anything else takes longer. The
	// client reads the server's 503 as ErrNoResponders.
	m, err := sub.NextMsg(0)
	noResponders := errors.Is(err, nats.ErrNoResponders)
	if m == nil && !noResponders && route.core {
		return Outcome{OK: true, Response: "delivered to the subject's subscribers (no stream captures it)"}
	}
	wait := natsProbeWait
	if route.captured {
		wait = natsAckTimeout
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		if m == nil && !noResponders {
			m, err = sub.NextMsgWithContext(wctx)
			noResponders = errors.Is(err, nats.ErrNoResponders)
			switch {
			case err == nil, noResponders:
			case ctx.Err() != nil:
				return failed(fmt.Errorf("nats: %w", ctx.Err()), false)
			case route.captured:
				return failed(fmt.Errorf("nats: the stream capturing %s did not acknowledge the message within %s", subject, wait), false)
			default:
				r.natsRoutes.set(subject, natsRoute{core: true}, now.Add(natsCoreMemory))
				return Outcome{OK: true, Response: fmt.Sprintf("delivered to the subject's subscribers; no stream acknowledged it within %s", wait)}
			}
		}
		if noResponders {
			r.natsRoutes.forget(subject)
			if d.Action.RequireListener {
				return failed(fmt.Errorf("nats: nothing listens on %s (no stream captures it, no subscriber) and the action requires a listener", subject), false)
			}
			return Outcome{OK: true, Response: "nothing listens on the subject; nobody received it"}
		}
		if status := m.Header.Get("Status"); status != "" {
			return failed(fmt.Errorf("nats: the server answered %s %s", status, m.Header.Get("Description")), false)
		}
		if ack, ok := readPubAck(m.Data); ok {
			r.natsRoutes.set(subject, natsRoute{captured: true}, now.Add(natsStreamMemory))
			if ack.Error != nil {
				return failed(fmt.Errorf("nats: the stream refused the message: %s (error %d)", ack.Error.Description, ack.Error.ErrCode), false)
			}
			// The namespace is shared by every tenant: the log says what happened, not
			// whose stream stored it nor how many messages it holds.
			res := "stored by a stream that captures the subject"
			if ack.Duplicate {
				res += " (a duplicate of an earlier attempt, not stored again)"
			}
			return Outcome{OK: true, Response: res}
		}
		if !route.captured {
			// What the subscriber said stays out of the log, for the same reason.
			return Outcome{OK: true, Response: "a subscriber answered"}
		}
		// A subscriber answered first; the stream's acknowledgement is still due.
		m = nil
	}
}

// natsPublish subscribes to msg's reply subject, publishes msg and flushes, one action
// at a time, and returns the subscription. A permission violation the server reported
// meanwhile is a *natsRefused: the server's refusal is not an error of the publish nor of
// the flush, but it comes before the flush's answer and stays as the connection's last
// error.
func (r *Runner) natsPublish(ctx context.Context, msg *nats.Msg) (*nats.Subscription, error) {
	nc := r.Actions
	r.natsMu.Lock()
	defer r.natsMu.Unlock()
	before := nc.LastError()
	sub, err := nc.SubscribeSync(msg.Reply)
	if err != nil {
		return nil, err
	}
	if err := nc.PublishMsg(msg); err != nil {
		return sub, err
	}
	fctx, cancel := context.WithTimeout(ctx, natsFlushTimeout)
	defer cancel()
	if err := nc.FlushWithContext(fctx); err != nil {
		return sub, err
	}
	if after := nc.LastError(); after != nil && after != before && errors.Is(after, nats.ErrPermissionViolation) {
		return sub, &natsRefused{after}
	}
	return sub, nil
}

// natsRefused is the server's refusal of a nats action's publish, or of the subscription
// to its answers: when both are refused, the publish's refusal comes last.
type natsRefused struct{ err error }

func (e *natsRefused) Error() string { return e.err.Error() }

// subscription reports whether the subscription to the answers was refused, not the
// publish.
func (e *natsRefused) subscription() bool {
	return strings.Contains(strings.ToLower(e.err.Error()), "subscription to")
}

// pubAck is a JetStream publish acknowledgement, or its error.
type pubAck struct {
	Stream    string `json:"stream"`
	Sequence  uint64 `json:"seq"`
	Duplicate bool   `json:"duplicate"`
	Error     *struct {
		Code        int    `json:"code"`
		ErrCode     int    `json:"err_code"`
		Description string `json:"description"`
	} `json:"error"`
}

// readPubAck reads an answer as a stream's acknowledgement; ok is false for any other.
func readPubAck(data []byte) (a pubAck, ok bool) {
	if json.Unmarshal(data, &a) != nil {
		return pubAck{}, false
	}
	return a, a.Stream != "" || a.Error != nil
}

// natsRoute is what publishing on a subject last showed.
type natsRoute struct {
	captured bool // a stream acknowledged a publish there
	core     bool // listeners got a publish there and did not answer
}

// natsRoutes remembers a natsRoute per subject for a while, so that only the first
// publish on a subject with silent subscribers waits for an answer that does not come,
// and so that a stream known to capture a subject must acknowledge every publish there.
// It is the process's own: each Deliver instance learns for itself.
type natsRoutes struct {
	mu sync.Mutex
	m  map[string]routeEntry
}

type routeEntry struct {
	natsRoute
	until time.Time
}

// get returns what is known of subject at now.
func (n *natsRoutes) get(subject string, now time.Time) natsRoute {
	n.mu.Lock()
	defer n.mu.Unlock()
	e, ok := n.m[subject]
	if !ok || !now.Before(e.until) {
		return natsRoute{}
	}
	return e.natsRoute
}

// set remembers route for subject until until.
func (n *natsRoutes) set(subject string, route natsRoute, until time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil || len(n.m) >= maxNATSRoutes {
		n.m = map[string]routeEntry{}
	}
	n.m[subject] = routeEntry{route, until}
}

// forget drops what is known of subject.
func (n *natsRoutes) forget(subject string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.m, subject)
}
