package event

import "encoding/json"

// OriginKey is the envelope field that says an event was made by a trigger's action.
const OriginKey = "origin"

// MaxHop bounds Origin.Hop as an envelope field; the hop limit Herald enforces on
// actions is lower (see package action).
const MaxHop = 100

// Origin says which trigger's action made an event, and how many actions deep the chain
// that led to it is: an event published by a service has none; one a trigger's action
// made in answer to it has hop 1; one made in answer to that, hop 2; and so on.
type Origin struct {
	Trigger string `json:"trigger"`
	Hop     int    `json:"hop"`
}

// Origin returns the event's origin, or false when a service published it. An origin
// that does not parse is none (Validate refuses such events).
func (e *Event) Origin() (Origin, bool) {
	raw, ok := e.Extra[OriginKey]
	if !ok {
		return Origin{}, false
	}
	var o Origin
	if json.Unmarshal(raw, &o) != nil || o.Trigger == "" {
		return Origin{}, false
	}
	return o, true
}

// SetOrigin marks the event as made by a trigger's action.
func (e *Event) SetOrigin(o Origin) {
	if e.Extra == nil {
		e.Extra = map[string]json.RawMessage{}
	}
	e.Extra[OriginKey], _ = json.Marshal(o)
}

// checkOrigin returns why an origin field is malformed, or "".
func checkOrigin(raw json.RawMessage) string {
	var o struct {
		Trigger *string `json:"trigger"`
		Hop     *int    `json:"hop"`
	}
	const shape = `must be {"trigger": "<trigger id>", "hop": 1 to ` + "100}"
	if json.Unmarshal(raw, &o) != nil || o.Trigger == nil || o.Hop == nil || *o.Trigger == "" || len(*o.Trigger) > 64 || *o.Hop < 1 || *o.Hop > MaxHop {
		return shape
	}
	return ""
}
