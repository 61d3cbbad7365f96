package consumer

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
)

// decodeChanges decodes a PUT body the way the handler does: strictly.
func decodeChanges(t *testing.T, body string) *Changes {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	var c Changes
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return &c
}

func TestChangesApply(t *testing.T) {
	base := decodeSpec(t, `{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},
		"event_types":["job.*"],"deliver_policy":"new","ack_wait_ms":30000,"max_deliver":5,"idle_expiry":"24h",
		"back_off":["1s","2s"],"max_ack_pending":50,"filter":{"data.x":1}}`)
	if err := base.Normalize(); err != nil {
		t.Fatal(err)
	}
	type fe struct{ Field, Message string }
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, s Spec)
		want  []fe
	}{
		{"nothing changes", `{}`, func(t *testing.T, s Spec) {
			a, _ := json.Marshal(&s)
			b, _ := json.Marshal(base)
			if string(a) != string(b) {
				t.Errorf("spec = %s, want %s", a, b)
			}
		}, nil},
		{"given members change, others stay", `{"ack_wait_ms":2000,"event_types":["item.Item*"]}`, func(t *testing.T, s Spec) {
			if *s.AckWaitMS != 2000 || !slices.Equal(s.EventTypes, []string{"item.Item*"}) {
				t.Errorf("ack_wait_ms, event_types = %d, %q", *s.AckWaitMS, s.EventTypes)
			}
			if *s.MaxDeliver != 5 || s.IdleExpiry != "24h" || *s.MaxAckPending != 50 || string(s.Filter) != `{"data.x":1}` ||
				!slices.Equal(s.BackOff, []string{"1s", "2s"}) || s.DeliverPolicy != DeliverNew {
				t.Errorf("the members not given changed: %+v", s)
			}
		}, nil},
		{"null resets to the default", `{"filter":null,"back_off":null,"max_deliver":null,"max_ack_pending":null,"event_types":null,"idle_expiry":null,"ack_wait_ms":null}`,
			func(t *testing.T, s Spec) {
				if s.Filter != nil || s.BackOff != nil || *s.MaxDeliver != DefaultMaxDeliver || *s.MaxAckPending != DefaultMaxAckPending ||
					s.EventTypes != nil || s.IdleExpiry != "168h" || *s.AckWaitMS != DefaultAckWaitMS {
					t.Errorf("spec = %+v, want every default", s)
				}
			}, nil},
		{"an empty filter is none", `{"filter":{}}`, func(t *testing.T, s Spec) {
			if s.Filter != nil {
				t.Errorf("filter = %s, want none", s.Filter)
			}
		}, nil},
		{"fixed members named", `{"target":{"all":true},"deliver_policy":"all","start_time":null,"start_sequence":3}`, nil,
			[]fe{{"target", "cannot be changed"}, {"deliver_policy", "cannot be changed"}, {"start_time", "cannot be changed"}, {"start_sequence", "cannot be changed"}}},
		{"wrong types named", `{"ack_wait_ms":"2s","back_off":"1s","event_types":"job.*","max_ack_pending":1.5}`, nil,
			[]fe{{"event_types", "an array"}, {"ack_wait_ms", "milliseconds"}, {"back_off", "an array of durations"}, {"max_ack_pending", "whole number"}}},
		{"rules checked on the result", `{"max_deliver":1}`, nil, []fe{{"back_off", "more than max_deliver (1)"}}},
		{"new values checked", `{"back_off":["1s","0s"],"filter":{"a":{"regex":"("}},"event_types":["*.X"]}`, nil,
			[]fe{{"event_types[0]", "not supported"}, {"back_off[1]", "from 1s"}, {"filter.a.regex", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := json.Marshal(base)
			got, err := decodeChanges(t, tt.body).Apply(*base)
			if after, _ := json.Marshal(base); string(after) != string(before) {
				t.Errorf("Apply changed the spec it was given:\n%s\n%s", before, after)
			}
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Apply() = %v", err)
				}
				tt.check(t, got)
				return
			}
			if !fault.Is(err, fault.Invalid) {
				t.Fatalf("Apply() = %v, want an Invalid fault", err)
			}
			fields := err.(*fault.Error).Fields
			if len(fields) != len(tt.want) {
				t.Fatalf("Apply() fields =\n\t%q\nwant\n\t%q", fields, tt.want)
			}
			for i, w := range tt.want {
				if fields[i].Field != w.Field || !strings.Contains(fields[i].Message, w.Message) {
					t.Errorf("field error %d = %q: %q, want %q: …%q…", i, fields[i].Field, fields[i].Message, w.Field, w.Message)
				}
			}
		})
	}
}

// TestStoreUpdate checks that Update changes the JetStream consumer in place (its
// position kept) and the record together, and keeps a pause.
func TestStoreUpdate(t *testing.T) {
	s, c := newStore(t)
	ctx := t.Context()
	r, err := s.Create(ctx, resourceSpec("projects/p1"), "u-upd")
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Pause(ctx, r, c.t.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// The pause changed the record: the record read before it is stale.
	stale := r
	if r, err = s.Get(ctx, r.ID, "u-upd"); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)
	next, err := decodeChanges(t, `{"ack_wait_ms":2000,"back_off":["2s","5s"],"max_ack_pending":7,"event_types":["job.Job*"],"idle_expiry":"2h","filter":{"data.x":1}}`).Apply(r.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, stale, next); !fault.Is(err, fault.Conflict) {
		t.Fatalf("Update of the record read before a pause = %v, want Conflict", err)
	}
	got, err := s.Update(ctx, r, next)
	if err != nil {
		t.Fatal(err)
	}
	if want := st.PausedUntil.Add(2 * time.Hour).Truncate(time.Second); !got.ExpiresAt.Equal(want) {
		t.Errorf("expires_at = %v, want %v: the idle expiry starts over at the end of the pause", got.ExpiresAt, want)
	}
	info, err := s.JS.Consumer(ctx, event.StreamName, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	cfg := info.CachedInfo().Config
	if cfg.AckWait != 2*time.Second || !slices.Equal(cfg.BackOff, []time.Duration{2 * time.Second, 5 * time.Second}) ||
		cfg.MaxAckPending != 7 || cfg.InactiveThreshold != 2*time.Hour+2*time.Hour || cfg.FilterSubject != "herald.events.job.*.projects.p1.>" {
		t.Errorf("the server holds %+v; want among others an inactive threshold of the pause left (2h) plus the idle expiry (2h)", cfg)
	}
	if !info.CachedInfo().Paused {
		t.Error("the update resumed the paused consumer")
	}
	stored, err := s.Get(ctx, r.ID, "u-upd")
	if err != nil {
		t.Fatal(err)
	}
	if *stored.MaxAckPending != 7 || string(stored.Filter) != `{"data.x":1}` || !slices.Equal(stored.FilterSubjects, []string{"herald.events.job.*.projects.p1.>"}) {
		t.Errorf("the record holds %+v", stored)
	}

	// The record read before the update is stale now: its update is refused, and
	// JetStream keeps what the record holds.
	again, err := decodeChanges(t, `{"max_ack_pending":9}`).Apply(r.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, r, again); !fault.Is(err, fault.Conflict) {
		t.Fatalf("Update of a stale record = %v, want Conflict", err)
	}
	info, err = s.JS.Consumer(ctx, event.StreamName, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.CachedInfo().Config.MaxAckPending; got != 7 {
		t.Errorf("after the refused update JetStream has max ack pending %d, want the record's 7", got)
	}

	// Updating the record just read works again.
	if _, err := s.Update(ctx, stored, again); err != nil {
		t.Errorf("Update of the fresh record = %v", err)
	}
}

// consumerUpdates counts the requests that create or update the JetStream consumer id
// from now on; call the returned function for the count so far.
func consumerUpdates(t *testing.T, js jetstream.JetStream, id string) func() int {
	t.Helper()
	var n atomic.Int64
	for _, subject := range []string{"$JS.API.CONSUMER.CREATE." + event.StreamName + "." + id, "$JS.API.CONSUMER.CREATE." + event.StreamName + "." + id + ".>"} {
		sub, err := js.Conn().Subscribe(subject, func(*nats.Msg) { n.Add(1) })
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sub.Unsubscribe() })
	}
	if err := js.Conn().Flush(); err != nil {
		t.Fatal(err)
	}
	return func() int {
		t.Helper()
		if err := js.Conn().Flush(); err != nil {
			t.Fatal(err)
		}
		return int(n.Load())
	}
}

// TestStoreUpdateWritesTheRecordFirst checks that a change whose record cannot be
// written never reaches JetStream: Screens judge by the record, so JetStream must not
// deliver by new subjects while the record still holds old rules.
func TestStoreUpdateWritesTheRecordFirst(t *testing.T) {
	s, _ := newStore(t)
	ctx := t.Context()
	r, err := s.Create(ctx, resourceSpec("projects/p1"), "u-order")
	if err != nil {
		t.Fatal(err)
	}
	next, err := decodeChanges(t, `{"max_ack_pending":3,"event_types":["job.*"]}`).Apply(r.Spec)
	if err != nil {
		t.Fatal(err)
	}
	updates := consumerUpdates(t, s.JS, r.ID)
	broken := *s
	broken.Table = "no-such-table-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := broken.Update(ctx, r, next); err == nil {
		t.Fatal("Update succeeded without a table")
	}
	if n := updates(); n != 0 {
		t.Errorf("%d JetStream consumer updates for a change whose record was not written, want none", n)
	}
	c, err := s.JS.Consumer(ctx, event.StreamName, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.CachedInfo().Config.MaxAckPending; got != DefaultMaxAckPending {
		t.Errorf("JetStream has max ack pending %d, want %d still", got, DefaultMaxAckPending)
	}
}

// TestStoreUpdateRefusedByJetStream checks that when JetStream refuses a change whose
// record was written, the record is set back: the two agree again, and the caller is
// told the change did not happen.
func TestStoreUpdateRefusedByJetStream(t *testing.T) {
	s, _ := newStore(t)
	ctx := t.Context()
	r, err := s.Create(ctx, resourceSpec("projects/p1"), "u-refused")
	if err != nil {
		t.Fatal(err)
	}
	next, err := decodeChanges(t, `{"max_ack_pending":3,"filter":{"data.x":1}}`).Apply(r.Spec)
	if err != nil {
		t.Fatal(err)
	}
	// A connection to the bus that is closed: every JetStream request fails.
	nc, err := nats.Connect(s.JS.Conn().ConnectedUrl())
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
	down, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	broken := *s
	broken.JS = down
	if _, err := broken.Update(ctx, r, next); !fault.Is(err, fault.Unavailable) {
		t.Fatalf("Update with JetStream down = %v, want Unavailable", err)
	}
	got, err := s.Get(ctx, r.ID, "u-refused")
	if err != nil {
		t.Fatal(err)
	}
	if got.Filter != nil || *got.MaxAckPending != DefaultMaxAckPending || got.specJSON != r.specJSON {
		t.Errorf("after JetStream refused, the record holds %s, want the spec before the change %s", got.specJSON, r.specJSON)
	}
	// The record set back is the one to change next.
	if _, err := s.Update(ctx, got, next); err != nil {
		t.Errorf("Update after the refused one = %v", err)
	}
}

// TestStoreUpdateKeepsAPauseMadeMeanwhile checks that a pause, resume or disable that
// lands while an update brings JetStream into line is not undone by it: the update
// reads the record again after JetStream took it, and applies what changed meanwhile.
func TestStoreUpdateKeepsAPauseMadeMeanwhile(t *testing.T) {
	tests := []struct {
		name        string
		pausedFirst bool
		meanwhile   func(s *Store, r *Record) error
		wantPaused  bool
	}{
		{"pause", false, func(s *Store, r *Record) error { _, err := s.Pause(context.Background(), r, time.Time{}); return err }, true},
		{"resume", true, func(s *Store, r *Record) error { _, err := s.Resume(context.Background(), r); return err }, false},
		{"disable", false, func(s *Store, r *Record) error {
			_, err := s.Disable(context.Background(), r.ID, "disabled by an administrator")
			return err
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newStore(t)
			ctx := t.Context()
			r, err := s.Create(ctx, resourceSpec("projects/p1"), "u-meanwhile")
			if err != nil {
				t.Fatal(err)
			}
			if tt.pausedFirst {
				if _, err := s.Pause(ctx, r, time.Time{}); err != nil {
					t.Fatal(err)
				}
				if r, err = s.Get(ctx, r.ID, "u-meanwhile"); err != nil {
					t.Fatal(err)
				}
			}
			next, err := decodeChanges(t, `{"max_ack_pending":3}`).Apply(r.Spec)
			if err != nil {
				t.Fatal(err)
			}
			// Between the update's read of the record and its JetStream update, the
			// change happens through another instance, from start to end.
			other := *s
			done := false
			s.beforeConfigure = func(*Record) {
				if done {
					return
				}
				done = true
				fresh, err := other.Lookup(ctx, r.ID)
				if err == nil {
					err = tt.meanwhile(&other, fresh)
				}
				if err != nil {
					t.Errorf("the change meanwhile: %v", err)
				}
			}
			if _, err := s.Update(ctx, r, next); err != nil {
				t.Fatal(err)
			}
			if !done {
				t.Fatal("the change meanwhile did not happen")
			}
			c, err := s.JS.Consumer(ctx, event.StreamName, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			info := c.CachedInfo()
			if PauseStateOf(info).Paused != tt.wantPaused || info.Config.MaxAckPending != 3 {
				t.Errorf("JetStream: paused %v, max ack pending %d; want paused %v and the update's 3", PauseStateOf(info).Paused, info.Config.MaxAckPending, tt.wantPaused)
			}
		})
	}
}
