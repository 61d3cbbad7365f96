package consumer

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/match"
)

// ScreenFresh is how old a Screen's rules may be when it hides a message for not
// matching them. Hiding acknowledges the message for good, so a rule changed by
// PUT /v1/consumers/{id} through another instance must not hide what the new rule
// shows: a Screen older than this reads the consumer again before it hides anything.
const ScreenFresh = time.Second

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
type Screen struct {
	id    string
	tally *Tally
	// reload reads the consumer's spec again, or is nil for a Screen that never does.
	reload func(context.Context) (*Spec, error)
	now    func() time.Time

	mu     sync.Mutex
	rules  *rules
	loaded time.Time
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
	return &Screen{id: id, tally: tally, now: time.Now, rules: r, loaded: time.Now()}, nil
}

// Screen returns the Screen of the consumer r, which reads r again from the store
// before it hides a message by rules older than ScreenFresh.
func (s *Store) Screen(r *Record, tally *Tally) (*Screen, error) {
	sc, err := NewScreen(r.ID, &r.Spec, tally)
	if err != nil {
		return nil, err
	}
	id := r.ID
	sc.now = s.now
	sc.loaded = s.now()
	sc.reload = func(ctx context.Context) (*Spec, error) {
		fresh, err := s.Lookup(ctx, id)
		if err != nil {
			return nil, err
		}
		return &fresh.Spec, nil
	}
	return sc, nil
}

// Judge returns the verdict on the message on subject with body data, and the uuid of
// its event when it has one.
func (sc *Screen) Judge(ctx context.Context, subject string, data []byte) (Verdict, string) {
	e, err := event.CheckStored(subject, data)
	if err != nil {
		uuid := ""
		if e != nil {
			uuid = e.UUID
		}
		return Invalid, uuid
	}
	if sc.current().selects(e, data) {
		return Show, e.UUID
	}
	// Before hiding it for good, make sure the rules are not stale.
	if r, ok := sc.refresh(ctx); ok && r.selects(e, data) {
		return Show, e.UUID
	}
	return Filtered, e.UUID
}

// current returns the rules in force.
func (sc *Screen) current() *rules {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.rules
}

// refresh reads the rules again when they are older than ScreenFresh, and returns the
// rules that were read, or false when they were fresh already, the Screen never
// reloads, or reading failed (the rules in force stand then: they are at most one
// change behind).
func (sc *Screen) refresh(ctx context.Context) (*rules, bool) {
	if sc.reload == nil {
		return nil, false
	}
	sc.mu.Lock()
	stale := sc.now().Sub(sc.loaded) >= ScreenFresh
	sc.mu.Unlock()
	if !stale {
		return nil, false
	}
	spec, err := sc.reload(ctx)
	if err != nil {
		slog.WarnContext(ctx, "reading the consumer's filter again failed", "consumer", sc.id, "error", err.Error())
		return nil, false
	}
	r, err := compileRules(spec)
	if err != nil {
		slog.ErrorContext(ctx, "the consumer's stored filter does not compile", "consumer", sc.id, "error", err.Error())
		return nil, false
	}
	sc.mu.Lock()
	sc.rules, sc.loaded = r, sc.now()
	sc.mu.Unlock()
	return r, true
}

// Shows reports whether the fetched message m is to be shown. When it is not, it has
// been acknowledged (without waiting for the server: callers that end soon after, such
// as a batch request, flush the connection), counted, and logged with its stream
// sequence and uuid.
func (sc *Screen) Shows(ctx context.Context, m jetstream.Msg) bool {
	verdict, uuid := sc.Judge(ctx, m.Subject(), m.Data())
	if verdict == Show {
		return true
	}
	var seq uint64
	if md, err := m.Metadata(); err == nil {
		seq = md.Sequence.Stream
	}
	if err := m.Ack(); err != nil {
		// It comes back after its ack wait and is judged again.
		slog.WarnContext(ctx, "acknowledging a hidden message failed", "consumer", sc.id, "sequence", seq, "uuid", uuid, "error", err.Error())
	}
	if verdict == Invalid {
		sc.tally.Invalid.Add(1)
		slog.WarnContext(ctx, "invalid message hidden from the consumer", "consumer", sc.id, "sequence", seq, "uuid", uuid, "subject", m.Subject())
		return false
	}
	sc.tally.Filtered.Add(1)
	slog.DebugContext(ctx, "message left out by the consumer's filter", "consumer", sc.id, "sequence", seq, "uuid", uuid)
	return false
}
