package main

import (
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/consumer"
)

// TestCache checks when a cached consumer is trusted: not past cacheTTL since it was
// read, not with its record expired, and not after drop; a touch updates the record
// without resetting its load time.
func TestCache(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	rec := func(expires time.Time) *consumer.Record {
		return &consumer.Record{ID: "c", Owner: "alice", ExpiresAt: expires}
	}
	tests := []struct {
		name   string
		expiry time.Time
		at     time.Time
		want   bool
	}{
		{"fresh", t0.Add(time.Hour), t0.Add(time.Second), true},
		{"just before the TTL", t0.Add(time.Hour), t0.Add(cacheTTL - time.Nanosecond), true},
		{"at the TTL", t0.Add(time.Hour), t0.Add(cacheTTL), false},
		{"record expired", t0.Add(10 * time.Second), t0.Add(11 * time.Second), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c cache
			c.put("c", rec(tt.expiry), nil, nil, t0)
			if _, _, _, ok := c.get("c", tt.at); ok != tt.want {
				t.Errorf("get at +%v: cached %v, want %v", tt.at.Sub(t0), ok, tt.want)
			}
		})
	}

	var c cache
	c.put("c", rec(t0.Add(time.Hour)), nil, nil, t0)
	touched := rec(t0.Add(2 * time.Hour))
	c.put("c", touched, nil, nil, t0.Add(cacheTTL/2))
	r, _, _, ok := c.get("c", t0.Add(cacheTTL/2))
	if !ok || !r.ExpiresAt.Equal(touched.ExpiresAt) {
		t.Fatalf("after a touch got %v (cached %v), want expires_at %v", r, ok, touched.ExpiresAt)
	}
	r.Owner = "mallory"
	if r, _, _, _ := c.get("c", t0); r.Owner != "alice" {
		t.Errorf("a change to a returned record reached the cache: owner %q", r.Owner)
	}
	if _, _, _, ok := c.get("c", t0.Add(cacheTTL)); ok {
		t.Error("a touch reset the load time: still cached a TTL after the first read")
	}
	c.drop("c")
	if _, _, _, ok := c.get("c", t0); ok {
		t.Error("cached after drop")
	}
	for i := range maxCached + 1 {
		c.put(string(rune('a'+i%26))+time.Duration(i).String(), rec(t0.Add(time.Hour)), nil, nil, t0)
	}
	if len(c.entries) > maxCached {
		t.Errorf("%d entries, want at most %d", len(c.entries), maxCached)
	}
}
