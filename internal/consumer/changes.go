package consumer

import (
	"encoding/json"

	"github.com/heraldhq/herald/internal/fault"
)

// Changes is the body of PUT /v1/consumers/{id}: the settings to change, each member
// present changed and each absent kept. A member given as null goes back to its
// default (no filter, no back-off, every event type of the target, the default ack
// wait and so on). Callers decode it strictly, so unknown members are refused.
//
// The settings JetStream fixes when a consumer is made (target, deliver_policy,
// start_time, start_sequence) are members too, so that Apply can refuse them by name
// rather than as unknown.
type Changes struct {
	EventTypes    json.RawMessage `json:"event_types"`
	Filter        json.RawMessage `json:"filter"`
	AckWaitMS     json.RawMessage `json:"ack_wait_ms"`
	MaxDeliver    json.RawMessage `json:"max_deliver"`
	BackOff       json.RawMessage `json:"back_off"`
	MaxAckPending json.RawMessage `json:"max_ack_pending"`
	IdleExpiry    json.RawMessage `json:"idle_expiry"`

	Target        json.RawMessage `json:"target"`
	DeliverPolicy json.RawMessage `json:"deliver_policy"`
	StartTime     json.RawMessage `json:"start_time"`
	StartSequence json.RawMessage `json:"start_sequence"`
}

// fixedRule says why a setting cannot change.
const fixedRule = "cannot be changed: JetStream fixes it when the consumer is made; create another consumer instead"

// Apply returns spec with the changes made and normalized, or a fault Invalid naming
// every member that cannot be changed or breaks a rule (see Spec.Normalize). spec is
// not changed.
func (c *Changes) Apply(spec Spec) (Spec, error) {
	var v validator
	for _, fixed := range []struct {
		name string
		raw  json.RawMessage
	}{
		{"target", c.Target}, {"deliver_policy", c.DeliverPolicy},
		{"start_time", c.StartTime}, {"start_sequence", c.StartSequence},
	} {
		if fixed.raw != nil {
			v.fail(fixed.name, fixedRule)
		}
	}

	// Each member is decoded into a fresh value, so that null resets the setting.
	out := spec
	set := func(name string, raw json.RawMessage, dst any, kind string) {
		if raw == nil {
			return
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			v.fail(name, "must be "+kind)
		}
	}
	if c.EventTypes != nil {
		out.EventTypes = nil
		set("event_types", c.EventTypes, &out.EventTypes, "an array of event type patterns")
	}
	if c.Filter != nil {
		out.Filter = c.Filter // Normalize checks and compacts it; null is none
	}
	if c.AckWaitMS != nil {
		out.AckWaitMS = nil
		set("ack_wait_ms", c.AckWaitMS, &out.AckWaitMS, "a whole number of milliseconds")
	}
	if c.MaxDeliver != nil {
		out.MaxDeliver = nil
		set("max_deliver", c.MaxDeliver, &out.MaxDeliver, "a whole number")
	}
	if c.BackOff != nil {
		out.BackOff = nil
		set("back_off", c.BackOff, &out.BackOff, `an array of durations such as ["1s", "30s"]`)
	}
	if c.MaxAckPending != nil {
		out.MaxAckPending = nil
		set("max_ack_pending", c.MaxAckPending, &out.MaxAckPending, "a whole number")
	}
	if c.IdleExpiry != nil {
		out.IdleExpiry = ""
		set("idle_expiry", c.IdleExpiry, &out.IdleExpiry, `a duration such as "24h"`)
	}
	if len(v.fields) > 0 {
		return spec, fault.Fields(v.fields)
	}
	if err := out.Normalize(); err != nil {
		return spec, err
	}
	return out, nil
}
