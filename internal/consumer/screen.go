package consumer

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/match"
)

// HeldDelay is how long a message waits before it is delivered again when the rules in
// force would hide it but could not be read again to confirm that: hiding acknowledges
// for good, so a message is never hidden by rules that may be out of date.
const HeldDelay = 10 * time.Second

// Verdict is what a Screen makes of one message.
type Verdict int

// The verdicts.
const (
	Show     Verdict = iota // a valid event that the consumer selects
	Invalid                 // not a valid stored event: what the bridge dead-letters
	Filtered                // a valid event that the consumer's filter or event types leave out
)

// String names the verdict, as logs say it.
func (v Verdict) String() string {
	switch v {
	case Show:
		return "show"
	case Invalid:
		return "invalid"
	}
	return "filtered"
}

// Tally counts the messages Screens hid, by why. A handler keeps one for all its
// consumers and reports it; the zero value is ready to use and safe for concurrent use.
type Tally struct {
	Invalid  atomic.Int64 // not valid stored events
	Filtered atomic.Int64 // left out by a filter or an event type pattern
}

// rules are what a consumer shows of the valid events JetStream delivers to it.
type rules struct {
	// types are the event type patterns, when the subjects select more types than
	// they do (a "*" inside a name); nil when every delivered type is selected.
	types  []string
	filter *match.Filter // nil when there is none
}

// compileRules compiles the rules of the normalized spec s.
func compileRules(s *Spec) (*rules, error) {
	r := &rules{}
	if s.partialPatterns() {
		r.types = s.eventTypes()
	}
	if len(s.Filter) > 0 {
		f, err := match.Compile(s.Filter)
		if err != nil {
			return nil, err
		}
		r.filter = f
	}
	return r, nil
}

// events are the parsed events Screens match filters against, reused: parsing into
// one allocates nothing once it has grown.
var events = sync.Pool{New: func() any { return new(match.Event) }}

// selects reports whether the valid event e, whose body is data, passes the rules.
func (r *rules) selects(e *event.Event, data []byte) bool {
	if r.types != nil {
		ok := false
		for _, p := range r.types {
			if event.Glob(p, e.Event) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if r.filter == nil {
		return true
	}
	ev := events.Get().(*match.Event)
	defer events.Put(ev)
	if err := ev.Parse(data); err != nil {
		return false // a valid event always parses; one that does not matches nothing
	}
	return r.filter.Match(ev)
}

// Screen decides which of the messages JetStream delivers to a consumer are shown to
// its client: only valid stored events (event.CheckStored, the bridge's own rule) that
// the consumer's event type patterns and filter select. Those it does not show it
// acknowledges, counts and logs, so that they never come back. A Screen is compiled
// once per consumer and is safe for concurrent use.
//
// Rules change (PUT /v1/consumers/{id}, through any instance), and hiding is for good:
// so a Screen that follows the consumer (Store.Screen) reads its rules again, once per
// pull, after the pull returned and before it hides anything, and judges the pull by
// what it read. A change answered before a pull returned therefore holds for that pull
// on every instance.
type Screen struct {
	id    string
	tally *Tally
	// reload reads the consumer's spec again, as the table holds it, or is nil for a
	// Screen that never does.
	reload func(context.Context) (*Spec, string, error)
	held   time.Duration // how long a message waits that could not be confirmed hidden

	mu    sync.Mutex
	rules *rules
	key   string // the stored spec the rules were compiled from; "" when unknown
}

// NewScreen returns the Screen of the consumer id with the normalized spec s, counting
// what it hides in tally (nil for no count). It never reads the consumer again: see
// Store.Screen for one that follows changes.
func NewScreen(id string, s *Spec, tally *Tally) (*Screen, error) {
	r, err := compileRules(s)
	if err != nil {
		return nil, err
	}
	if tally == nil {
		tally = new(Tally)
	}
	return &Screen{id: id, tally: tally, rules: r, held: HeldDelay}, nil
}

// Screen returns the Screen of the consumer r, which reads r again from the store
// before it hides anything (see Screen).
func (s *Store) Screen(r *Record, tally *Tally) (*Screen, error) {
	sc, err := NewScreen(r.ID, &r.Spec, tally)
	if err != nil {
		return nil, err
	}
	id := r.ID
	sc.key = r.specJSON
	sc.reload = func(ctx context.Context) (*Spec, string, error) {
		fresh, err := s.Lookup(ctx, id)
		if err != nil {
			return nil, "", err
		}
		return &fresh.Spec, fresh.specJSON, nil
	}
	return sc, nil
}

// Judge returns the verdict of the rules in force on the message on subject with body
// data, and the uuid of its event when it has one.
func (sc *Screen) Judge(subject string, data []byte) (Verdict, string) {
	j := sc.current().judge(subject, data)
	return j.verdict, j.uuid
}

// judgement is a verdict on one message, with what judging it again needs.
type judgement struct {
	verdict Verdict
	uuid    string
	event   *event.Event // nil for an invalid message
}

// judge returns the verdict of the rules r on the message on subject with body data.
func (r *rules) judge(subject string, data []byte) judgement {
	e, err := event.CheckStored(subject, data)
	if err != nil {
		j := judgement{verdict: Invalid}
		if e != nil {
			j.uuid = e.UUID
		}
		return j
	}
	j := judgement{verdict: Show, uuid: e.UUID, event: e}
	if !r.selects(e, data) {
		j.verdict = Filtered
	}
	return j
}

// current returns the rules in force.
func (sc *Screen) current() *rules {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.rules
}

// confirm reads the rules again and makes them the rules in force. It returns them and
// whether they differ from the rules judged (were); false with an error when they could
// not be read or do not compile, in which case nothing may be hidden by them.
func (sc *Screen) confirm(ctx context.Context, were *rules) (*rules, bool, error) {
	spec, key, err := sc.reload(ctx)
	if err != nil {
		return nil, false, err
	}
	sc.mu.Lock()
	same := key != "" && key == sc.key
	cur := sc.rules
	sc.mu.Unlock()
	if same {
		return cur, cur != were, nil
	}
	r, err := compileRules(spec)
	if err != nil {
		return nil, false, fmt.Errorf("the stored filter does not compile: %w", err)
	}
	sc.mu.Lock()
	sc.rules, sc.key = r, key
	sc.mu.Unlock()
	return r, true, nil
}

// Sifted is what Sift made of the messages of one pull.
type Sifted struct {
	Shown []jetstream.Msg // to show, in the order pulled
	// Hidden counts the messages acknowledged and never shown: invalid ones, and those
	// the rules read after the pull leave out.
	Hidden int
	// Held counts the messages the rules in force leave out but that could not be
	// confirmed hidden (the rules could not be read again): they are given back for
	// redelivery after HeldDelay, never acknowledged.
	Held int
}

// Sift returns the messages of one pull to show, in order, and hides the others. An
// invalid message is acknowledged at once. When the rules in force would leave any
// valid one out, the rules are read again first (one read, after the pull returned)
// and every valid message of the pull is judged by them; those they leave out are
// acknowledged. If they cannot be read, what the rules in force leave out is given
// back with a delay instead: a message is never acknowledged by rules that may be out
// of date. Acknowledgements and naks are sent without waiting for the server: callers
// that end soon after, such as a batch request, flush the connection. Each hidden
// message is counted and logged with its stream sequence and uuid.
func (sc *Screen) Sift(ctx context.Context, msgs []jetstream.Msg) Sifted {
	r := sc.current()
	js := make([]judgement, len(msgs))
	filtered := false
	for i, m := range msgs {
		js[i] = r.judge(m.Subject(), m.Data())
		filtered = filtered || js[i].verdict == Filtered
	}
	var confirmErr error
	if filtered && sc.reload != nil {
		fresh, changed, err := sc.confirm(ctx, r)
		switch {
		case err != nil:
			confirmErr = err
			slog.WarnContext(ctx, "reading the consumer's rules again failed; the messages they would hide are given back", "consumer", sc.id, "error", err.Error())
		case changed:
			for i, m := range msgs {
				if js[i].event != nil {
					js[i].verdict = Show
					if !fresh.selects(js[i].event, m.Data()) {
						js[i].verdict = Filtered
					}
				}
			}
		}
	}
	var out Sifted
	for i, m := range msgs {
		switch {
		case js[i].verdict == Show:
			out.Shown = append(out.Shown, m)
		case js[i].verdict == Filtered && confirmErr != nil:
			out.Held++
			sc.hold(ctx, m, js[i].uuid)
		default:
			out.Hidden++
			sc.hide(ctx, m, js[i])
		}
	}
	return out
}

// sequence is the stream sequence of m, or 0 when it has no metadata.
func sequence(m jetstream.Msg) uint64 {
	if md, err := m.Metadata(); err == nil {
		return md.Sequence.Stream
	}
	return 0
}

// hide acknowledges m, which the judgement j does not show, and counts and logs it.
func (sc *Screen) hide(ctx context.Context, m jetstream.Msg, j judgement) {
	seq := sequence(m)
	if err := m.Ack(); err != nil {
		// It comes back after its ack wait and is judged again.
		slog.WarnContext(ctx, "acknowledging a hidden message failed", "consumer", sc.id, "sequence", seq, "uuid", j.uuid, "error", err.Error())
	}
	if j.verdict == Invalid {
		sc.tally.Invalid.Add(1)
		slog.WarnContext(ctx, "invalid message hidden from the consumer", "consumer", sc.id, "sequence", seq, "uuid", j.uuid, "subject", m.Subject())
		return
	}
	sc.tally.Filtered.Add(1)
	slog.DebugContext(ctx, "message left out by the consumer's filter", "consumer", sc.id, "sequence", seq, "uuid", j.uuid)
}

// hold gives m back for redelivery after the Screen's delay: the rules in force leave it
// out, but they could not be confirmed.
func (sc *Screen) hold(ctx context.Context, m jetstream.Msg, uuid string) {
	seq := sequence(m)
	if err := m.NakWithDelay(sc.held); err != nil {
		// It comes back after its ack wait instead.
		slog.WarnContext(ctx, "giving back a message that could not be confirmed hidden failed", "consumer", sc.id, "sequence", seq, "uuid", uuid, "error", err.Error())
		return
	}
	slog.InfoContext(ctx, "message given back until the consumer's rules can be read", "consumer", sc.id, "sequence", seq, "uuid", uuid, "delay", sc.held.String())
}
