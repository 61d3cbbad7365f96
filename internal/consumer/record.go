package consumer

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/wire"
)

// Record is a consumer as the Consumers table keeps it and the API shows it: the
// normalized spec, whose fields appear at the top level in JSON, plus who owns it,
// the filter subjects it maps to, and when it was made, last used and will expire.
type Record struct {
	ID    string `json:"id"` // a ULID; also the durable name of the JetStream consumer
	Owner string `json:"owner"`
	Spec
	FilterSubjects []string  `json:"filter_subjects"`
	CreatedAt      time.Time `json:"created_at"`
	LastUsedAt     time.Time `json:"last_used_at"`
	// ExpiresAt is LastUsedAt plus the idle expiry, the JetStream consumer's
	// InactiveThreshold: the record and the consumer go away together. While the owner
	// has the consumer paused, the idle clock starts when the pause ends.
	ExpiresAt time.Time `json:"expires_at"`
	// DisabledReason says why the consumer delivers nothing (an administrator disabled
	// it); empty while it is enabled.
	DisabledReason string `json:"disabled_reason,omitempty"`
	// PausedUntil is when the pause last asked for ends (by the owner, or for good by an
	// administrator's disable); nil when none was asked for since the last resume. The
	// JetStream consumer's pause follows it; the API shows the JetStream consumer's.
	PausedUntil *time.Time `json:"-"`

	// specJSON is the spec as the table holds it, when the record was read from or
	// written to it: Update replaces the spec on the condition that it is still this.
	specJSON string
}

// Attribute names of the Consumers table.
const (
	attrID             = "id"
	attrOwner          = "owner"
	attrSpec           = "spec"
	attrFilterSubjects = "filter_subjects"
	attrCreatedAt      = "created_at"
	attrLastUsedAt     = "last_used_at"
	attrExpiresAt      = store.TTLAttribute
	attrDisabledReason = "disabled_reason"
	attrPausedUntil    = "paused_until"
)

// ValidID reports whether id has the form of a consumer id. Anything else cannot name a
// consumer, and is refused before it reaches a JetStream API subject.
func ValidID(id string) bool {
	if len(id) != ulid.EncodedSize {
		return false
	}
	_, err := ulid.ParseStrict(id)
	return err == nil
}

// item returns the record as a DynamoDB item. The spec is kept as one JSON document:
// it is only ever read whole, and so it can grow fields without a table change.
func (r *Record) item() (map[string]types.AttributeValue, error) {
	spec, err := json.Marshal(&r.Spec)
	if err != nil {
		return nil, fmt.Errorf("consumer: encoding the spec of %s: %w", r.ID, err)
	}
	filters := make([]types.AttributeValue, len(r.FilterSubjects))
	for i, f := range r.FilterSubjects {
		filters[i] = &types.AttributeValueMemberS{Value: f}
	}
	it := map[string]types.AttributeValue{
		attrID:             &types.AttributeValueMemberS{Value: r.ID},
		attrOwner:          &types.AttributeValueMemberS{Value: r.Owner},
		attrSpec:           &types.AttributeValueMemberS{Value: string(spec)},
		attrFilterSubjects: &types.AttributeValueMemberL{Value: filters},
		attrCreatedAt:      timeValue(r.CreatedAt),
		attrLastUsedAt:     timeValue(r.LastUsedAt),
		attrExpiresAt:      store.TTL(r.ExpiresAt),
	}
	if r.PausedUntil != nil {
		it[attrPausedUntil] = timeValue(*r.PausedUntil)
	}
	if r.DisabledReason != "" {
		it[attrDisabledReason] = &types.AttributeValueMemberS{Value: r.DisabledReason}
	}
	return it, nil
}

// storedSpec returns the spec attribute as the table holds it for r.
func (r *Record) storedSpec() (types.AttributeValue, error) {
	if r.specJSON != "" {
		return &types.AttributeValueMemberS{Value: r.specJSON}, nil
	}
	spec, err := json.Marshal(&r.Spec)
	if err != nil {
		return nil, fmt.Errorf("consumer: encoding the spec of %s: %w", r.ID, err)
	}
	return &types.AttributeValueMemberS{Value: string(spec)}, nil
}

// recordFrom reads an item that item wrote.
func recordFrom(it map[string]types.AttributeValue) (*Record, error) {
	var r Record
	var err error
	str := func(name string) string {
		v, ok := it[name].(*types.AttributeValueMemberS)
		if !ok {
			if err == nil {
				err = fmt.Errorf("consumer: item %v has no string attribute %s", it[attrID], name)
			}
			return ""
		}
		return v.Value
	}
	r.ID, r.Owner = str(attrID), str(attrOwner)
	spec := str(attrSpec)
	created, lastUsed := str(attrCreatedAt), str(attrLastUsedAt)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(spec), &r.Spec); err != nil {
		return nil, fmt.Errorf("consumer: item %s has an unreadable spec: %w", r.ID, err)
	}
	r.specJSON = spec
	if r.CreatedAt, err = time.Parse(time.RFC3339Nano, created); err != nil {
		return nil, fmt.Errorf("consumer: item %s: %s: %w", r.ID, attrCreatedAt, err)
	}
	if r.LastUsedAt, err = time.Parse(time.RFC3339Nano, lastUsed); err != nil {
		return nil, fmt.Errorf("consumer: item %s: %s: %w", r.ID, attrLastUsedAt, err)
	}
	if l, ok := it[attrFilterSubjects].(*types.AttributeValueMemberL); ok {
		for _, v := range l.Value {
			if s, ok := v.(*types.AttributeValueMemberS); ok {
				r.FilterSubjects = append(r.FilterSubjects, s.Value)
			}
		}
	}
	if v, ok := it[attrDisabledReason].(*types.AttributeValueMemberS); ok {
		r.DisabledReason = v.Value
	}
	if v, ok := it[attrPausedUntil].(*types.AttributeValueMemberS); ok {
		t, err := time.Parse(time.RFC3339Nano, v.Value)
		if err != nil {
			return nil, fmt.Errorf("consumer: item %s: %s: %w", r.ID, attrPausedUntil, err)
		}
		r.PausedUntil = &t
	}
	if n, ok := it[attrExpiresAt].(*types.AttributeValueMemberN); ok {
		secs, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("consumer: item %s: %s: %w", r.ID, attrExpiresAt, err)
		}
		r.ExpiresAt = time.Unix(secs, 0).UTC()
	}
	return &r, nil
}

// pauseEnd returns when the pause in force at now ends, or false when the consumer is
// not paused then. A disabled consumer is paused for good, whatever the record says of
// a pause (records disabled before pauses were recorded say nothing).
func (r *Record) pauseEnd(now time.Time) (time.Time, bool) {
	if r.DisabledReason != "" {
		if r.PausedUntil != nil && r.PausedUntil.After(now) {
			return *r.PausedUntil, true
		}
		return now.Add(pausedFor), true
	}
	if r.PausedUntil == nil || !r.PausedUntil.After(now) {
		return time.Time{}, false
	}
	return *r.PausedUntil, true
}

// idleFrom returns when the idle clock of r starts for a use at now: at now, or at the
// end of the owner's pause, as a paused consumer cannot be used. A disabled consumer's
// clock runs: nothing re-enables it, so it goes away when idle.
func (r *Record) idleFrom(now time.Time) time.Time {
	if end, ok := r.pauseEnd(now); ok && r.DisabledReason == "" {
		return end
	}
	return now
}

// expiry returns the expires_at of r used at now: the idle expiry after idleFrom, in
// whole seconds as the table keeps it.
func (r *Record) expiry(now time.Time) time.Time {
	return r.idleFrom(now).Add(r.IdleExpiryDuration()).Truncate(time.Second).UTC()
}

// state is what of r the JetStream consumer follows: its spec, pause and disable.
func (r *Record) state() string {
	paused := ""
	if r.PausedUntil != nil {
		paused = r.PausedUntil.UTC().Format(time.RFC3339Nano)
	}
	return r.specJSON + "\x00" + paused + "\x00" + r.DisabledReason
}

// consumerConfig returns the configuration of the JetStream consumer of r at now: its
// spec's, with an inactivity threshold that lets the idle clock start only when the
// owner's pause ends (JetStream counts a paused consumer as idle). The pause itself is
// not in it: JetStream keeps a consumer's pause through updates (see Store.configure).
func (r *Record) consumerConfig(now time.Time) jetstream.ConsumerConfig {
	cfg := r.Spec.ConsumerConfig(r.ID, r.Owner)
	cfg.InactiveThreshold += r.idleFrom(now).Sub(now)
	return cfg
}

// timeValue stores t as RFC 3339 in UTC, which sorts and reads well in the console.
func timeValue(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberS{Value: t.UTC().Format(time.RFC3339Nano)}
}

// Created is the answer to creating a consumer: its record, and warnings about the spec
// that did not stop the create (event types that Herald knows nothing of).
type Created struct {
	*Record
	Warnings []wire.Warning `json:"warnings,omitempty"`
}
