package consumer

import (
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
)

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
	if _, err := s.Pause(ctx, r, c.t.Add(PauseForever+time.Hour)); !fault.Is(err, fault.Invalid) {
		t.Errorf("Pause until beyond %v = %v, want Invalid", PauseForever, err)
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

// TestPausedConsumerDoesNotExpire checks that a paused consumer's idle clock starts
// when its pause ends: JetStream's inactivity threshold covers the pause, the record
// expires only after it, a use while paused does not bring the expiry back, and a
// resume or disable sets the idle expiry from then.
func TestPausedConsumerDoesNotExpire(t *testing.T) {
	s, c := newStore(t)
	ctx := t.Context()
	spec := resourceSpec("projects/p1")
	spec.IdleExpiry = "1h"
	r, err := s.Create(ctx, spec, "u-idle")
	if err != nil {
		t.Fatal(err)
	}
	// check compares the JetStream consumer's inactivity threshold and the record's
	// expiry with what they must be.
	check := func(when string, threshold time.Duration, expires time.Time) {
		t.Helper()
		cons, err := s.JS.Consumer(ctx, event.StreamName, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := cons.CachedInfo().Config.InactiveThreshold; got != threshold {
			t.Errorf("%s: JetStream's inactive threshold %v, want %v", when, got, threshold)
		}
		got, err := s.Get(ctx, r.ID, "u-idle")
		if err != nil {
			t.Fatal(err)
		}
		if want := expires.Truncate(time.Second); !got.ExpiresAt.Equal(want) {
			t.Errorf("%s: expires_at %v, want %v", when, got.ExpiresAt, want)
		}
	}

	until := c.t.Add(30 * 24 * time.Hour)
	if _, err := s.Pause(ctx, r, until); err != nil {
		t.Fatal(err)
	}
	check("paused for 30 days", 30*24*time.Hour+time.Hour, until.Add(time.Hour))

	// Used while paused, over a day later: the use is recorded, the expiry stays.
	c.t = c.t.Add(25 * time.Hour)
	cached := *r
	if err := s.Touch(ctx, &cached); err != nil {
		t.Fatal(err)
	}
	check("touched while paused", 30*24*time.Hour+time.Hour, until.Add(time.Hour))
	if got, err := s.Get(ctx, r.ID, "u-idle"); err != nil || !got.LastUsedAt.Equal(c.t) {
		t.Errorf("last_used_at after a touch while paused: %v, %v; want %v", got.LastUsedAt, err, c.t)
	}

	// A pause until a resume keeps it for as long.
	if _, err := s.Pause(ctx, r, time.Time{}); err != nil {
		t.Fatal(err)
	}
	check("paused until a resume", PauseForever+time.Hour, c.t.Add(PauseForever+time.Hour))

	// Resumed, the idle clock starts now.
	c.t = c.t.Add(time.Hour)
	if _, err := s.Resume(ctx, r); err != nil {
		t.Fatal(err)
	}
	check("resumed", time.Hour, c.t.Add(time.Hour))

	// A disabled consumer is paused for good but expires when idle.
	if _, err := s.Pause(ctx, r, time.Time{}); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)
	if _, err := s.Disable(ctx, r.ID, "disabled by an administrator"); err != nil {
		t.Fatal(err)
	}
	check("disabled", time.Hour, c.t.Add(time.Hour))
}
