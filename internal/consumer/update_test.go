package consumer

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

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
	if _, err := s.Pause(ctx, r, time.Time{}); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)
	next, err := decodeChanges(t, `{"ack_wait_ms":2000,"back_off":["2s","5s"],"max_ack_pending":7,"event_types":["job.Job*"],"idle_expiry":"2h","filter":{"data.x":1}}`).Apply(r.Spec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Update(ctx, r, next)
	if err != nil {
		t.Fatal(err)
	}
	if want := c.t.Add(2 * time.Hour).Truncate(time.Second); !got.ExpiresAt.Equal(want) {
		t.Errorf("expires_at = %v, want %v: the idle expiry starts over", got.ExpiresAt, want)
	}
	info, err := s.JS.Consumer(ctx, event.StreamName, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	cfg := info.CachedInfo().Config
	if cfg.AckWait != 2*time.Second || !slices.Equal(cfg.BackOff, []time.Duration{2 * time.Second, 5 * time.Second}) ||
		cfg.MaxAckPending != 7 || cfg.InactiveThreshold != 2*time.Hour || cfg.FilterSubject != "herald.events.job.*.projects.p1.>" {
		t.Errorf("the server holds %+v", cfg)
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

	// The record read before the first update is stale now: its update is refused,
	// and JetStream is set back to what the record holds.
	stale, err := decodeChanges(t, `{"max_ack_pending":9}`).Apply(r.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, r, stale); !fault.Is(err, fault.Conflict) {
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
	if _, err := s.Update(ctx, stored, stale); err != nil {
		t.Errorf("Update of the fresh record = %v", err)
	}
}

// TestStoreUpdateUndo checks that a failed record write sets JetStream back.
func TestStoreUpdateUndo(t *testing.T) {
	s, _ := newStore(t)
	ctx := t.Context()
	r, err := s.Create(ctx, resourceSpec("projects/p1"), "u-undo")
	if err != nil {
		t.Fatal(err)
	}
	next, err := decodeChanges(t, `{"max_ack_pending":3}`).Apply(r.Spec)
	if err != nil {
		t.Fatal(err)
	}
	broken := *s
	broken.Table = "no-such-table-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := broken.Update(ctx, r, next); err == nil {
		t.Fatal("Update succeeded without a table")
	}
	c, err := s.JS.Consumer(ctx, event.StreamName, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.CachedInfo().Config.MaxAckPending; got != DefaultMaxAckPending {
		t.Errorf("after the failed write JetStream has max ack pending %d, want %d again", got, DefaultMaxAckPending)
	}
}

func TestStorePauseResume(t *testing.T) {
	s, c := newStore(t)
	ctx := t.Context()
	r, err := s.Create(ctx, resourceSpec("projects/p1"), "u-pause")
	if err != nil {
		t.Fatal(err)
	}
	paused := func() bool {
		t.Helper()
		cons, err := s.JS.Consumer(ctx, event.StreamName, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		return PauseStateOf(cons.CachedInfo()).Paused
	}

	until := c.t.Add(time.Hour).Truncate(time.Second)
	st, err := s.Pause(ctx, r, until)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Paused || st.PausedUntil == nil || !st.PausedUntil.Equal(until) || !paused() {
		t.Errorf("Pause = %+v, want paused until %v", st, until)
	}
	if _, err := s.Resume(ctx, r); err != nil || paused() {
		t.Errorf("Resume = %v, paused afterwards %v", err, paused())
	}
	st, err = s.Pause(ctx, r, time.Time{})
	if err != nil || st.PausedUntil == nil || st.PausedUntil.Before(c.t.Add(50*365*24*time.Hour)) {
		t.Errorf("Pause without an end = %+v, %v; want paused for good", st, err)
	}
	if _, err := s.Pause(ctx, r, c.t.Add(-time.Second)); !fault.Is(err, fault.Invalid) {
		t.Errorf("Pause until the past = %v, want Invalid", err)
	}

	// An administrator's disable is not the owner's to undo.
	if _, err := s.Resume(ctx, r); err != nil {
		t.Fatal(err)
	}
	d, err := s.Disable(ctx, r.ID, "disabled by an administrator")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resume(ctx, d); !fault.Is(err, fault.Conflict) {
		t.Errorf("Resume of a disabled consumer = %v, want Conflict", err)
	}
	if _, err := s.Pause(ctx, d, time.Time{}); !fault.Is(err, fault.Conflict) {
		t.Errorf("Pause of a disabled consumer = %v, want Conflict", err)
	}
	if !paused() {
		t.Error("the disabled consumer is not paused")
	}

	if err := s.Delete(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pause(ctx, r, time.Time{}); !fault.Is(err, fault.NotFound) {
		t.Errorf("Pause of a deleted consumer = %v, want NotFound", err)
	}
}
