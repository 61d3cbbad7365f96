package main

import (
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/store"
)

// Bounds of the cache of consumers a warm instance fetches from.
const (
	// cacheTTL is how long a cached record is trusted before it is read again. Owner
	// and target are fixed at creation; event types and filter may change (PUT), but
	// the cached Screen reads them again after each pull before it hides anything; a
	// deleted consumer is noticed by the fetch itself. So this only bounds how long an
	// instance could miss a change made by hand.
	cacheTTL = time.Minute
	// maxCached bounds the memory of the cache; past it the cache starts over.
	maxCached = 4096
)

// cache keeps the records and JetStream handles of the consumers one warm instance has
// fetched from, so that a fetch costs one pull request rather than a DynamoDB read and
// a consumer lookup before it. The caller's claims are still checked against the record
// on every fetch: ownership and READ on the scope paths never come from the cache.
type cache struct {
	mu      sync.Mutex
	entries map[string]cached
}

// cached is one consumer in the cache.
type cached struct {
	record consumer.Record // a copy: callers get copies of it, never a shared pointer
	js     jetstream.Consumer
	screen *consumer.Screen // compiled once per consumer; safe for concurrent use
	loaded time.Time
}

// get returns the consumer id as cached, if it was loaded less than cacheTTL ago and its
// record has not expired.
func (c *cache) get(id string, now time.Time) (*consumer.Record, jetstream.Consumer, *consumer.Screen, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok || now.Sub(e.loaded) >= cacheTTL || store.Expired(e.record.ExpiresAt.Unix(), now) {
		return nil, nil, nil, false
	}
	r := e.record
	return &r, e.js, e.screen, true
}

// put caches the consumer id, or updates its record (after a touch) keeping its load
// time when it is cached already.
func (c *cache) put(id string, r *consumer.Record, js jetstream.Consumer, sc *consumer.Screen, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[id]; ok && e.js == js && e.screen == sc {
		e.record = *r
		c.entries[id] = e
		return
	}
	if c.entries == nil || len(c.entries) >= maxCached {
		c.entries = make(map[string]cached)
	}
	c.entries[id] = cached{record: *r, js: js, screen: sc, loaded: now}
}

// drop forgets the consumer id: it was deleted, or its JetStream consumer is gone.
func (c *cache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
}
