package wire_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/action"
	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/match"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/internal/trigger"
	"github.com/heraldhq/herald/wire"
)

const (
	sampleUUID    = "8f2792c7-b01a-4493-ba5a-d0588a4aad8e"
	sampleTrigger = "01JD3N4V5W6X7Y8Z9ABCDEFGHK"
	sampleAck     = "$JS.ACK.HERALD_EVENTS.01JD3N4V5W6X7Y8Z9ABCDEFGHJ.1.42.42.1700000000123456789.0"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)

// serverEvent is an event that uses every part of the envelope: members of every kind,
// unknown members at each level (one spelled like a known one in another case), a null
// before, and an origin.
func serverEvent(t *testing.T) *event.Event {
	ev := &event.Event{
		Event: "job.JobFinished", UUID: sampleUUID, Timestamp: t0, RequestID: "req-1",
		User: &event.User{ID: "u1", Extra: map[string]json.RawMessage{"name": json.RawMessage(`"Ada"`)}},
		Resource: &event.Resource{
			Type: "job", ID: "j1", Path: "projects/p1/jobs/j1", Namespaces: []string{"ns1", "ns2"},
			Before: json.RawMessage(`null`), After: json.RawMessage(`{"state":"done","progress":1.0}`),
			Extra: map[string]json.RawMessage{"revision": json.RawMessage(`3`)},
		},
		Recipients:   []string{"u2", "u3"},
		Notification: json.RawMessage(`{"variant":"EVENT","message":"The job is done."}`),
		Data:         json.RawMessage(`{"jobType":"TRANSCODE","sizes":[1,2.5,-3e2],"ok":true,"none":null,"text":"é \u2028"}`),
		PublisherID:  "pub-1",
		Extra: map[string]json.RawMessage{
			"x-trace": json.RawMessage(`{"id":"abc"}`),
			"Event":   json.RawMessage(`"not the type"`),
		},
	}
	ev.SetOrigin(event.Origin{Trigger: sampleTrigger, Hop: 1})
	if err := ev.Validate(); err != nil {
		t.Fatalf("the sample event is invalid: %v", err)
	}
	return ev
}

// serverJSON encodes v as the server's handlers do.
func serverJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding %T: %v", v, err)
	}
	return b
}

// sameJSON fails unless a and b hold the same JSON value.
func sameJSON(t *testing.T, what string, got, want []byte) {
	t.Helper()
	decode := func(b []byte) any {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("%s: %q is not JSON: %v", what, b, err)
		}
		return v
	}
	if !reflect.DeepEqual(decode(got), decode(want)) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// TestServerToWire: what the server writes, read into the wire type and written again,
// is the same JSON: nothing is lost, renamed or added on the way through a client.
func TestServerToWire(t *testing.T) {
	keys, err := reply.NewKeyring(reply.Key{ID: "k1", Secret: bytes.Repeat([]byte{7}, reply.MinSecretBytes)})
	if err != nil {
		t.Fatal(err)
	}
	filter, err := match.Compile(json.RawMessage(`{"data.jobType":"PROXY","resource.type":"j*","data.missing":{"exists":true},"data.sizes":[2.5,9]}`))
	if err != nil {
		t.Fatal(err)
	}
	matchEvent, err := match.ParseEvent(serverJSON(t, serverEvent(t)))
	if err != nil {
		t.Fatal(err)
	}
	enabled := false
	shownTrigger := (&trigger.Trigger{
		ID: sampleTrigger, Owner: "u1",
		Spec: trigger.Spec{
			Name:     "hook",
			Resource: trigger.Resource{Path: "projects/p1", IncludeSubresources: true, Type: "job"},
			Events:   []string{"job.*"}, Filter: json.RawMessage(`{"data.jobType":"TRANSCODE"}`),
			Action: json.RawMessage(`{"type":"http","url":"https://example.org/hook","secret":"whsec_abc"}`),
			Mode:   trigger.Sync, Retry: &trigger.Retry{Schedule: []string{"5s", "1m"}}, Enabled: &enabled,
			Writable: []string{"projects/p1"},
		},
		DisabledReason: "disabled by an administrator", ExhaustedInRow: 3, CreatedAt: t0, UpdatedAt: t0.Add(time.Hour),
	}).View()
	acked := t0.Add(time.Minute)
	next := t0.Add(5 * time.Minute)

	tests := []struct {
		name   string
		server any
		wire   any // a pointer to decode into
	}{
		{"event", serverEvent(t), new(wire.Event)},
		{"event without timestamp or user", &event.Event{Event: "system.Announcement", UUID: sampleUUID}, new(wire.Event)},
		{"events by value", []event.Event{*serverEvent(t)}, new([]wire.Event)},
		{"catalog", event.Catalog(), new([]wire.EntityType)},
		{"trigger as shown", shownTrigger, new(wire.Trigger)},
		{"placeholder trigger", &trigger.Trigger{ID: sampleTrigger, Owner: "u1", Spec: trigger.Spec{
			Name: "p", Resource: trigger.Resource{Path: "projects/p1"}, Events: []string{}, Action: json.RawMessage(`{"type":"nats","subject":"s"}`), Mode: trigger.Async,
		}, CreatedAt: t0, UpdatedAt: t0}, new(wire.Trigger)},
		{"consumer", &consumer.Record{
			ID: "01JD3N4V5W6X7Y8Z9ABCDEFGHJ", Owner: "u1",
			Spec: consumer.Spec{
				Target:     consumer.Target{Resources: []consumer.ResourceTarget{{Path: "projects/p1", IncludeSubresources: true}, {Path: "projects/p2"}}},
				EventTypes: []string{"job.*"}, DeliverPolicy: consumer.DeliverByStartSequence, StartSequence: new(uint64(42)),
				AckWaitMS: new(int64(60_000)), MaxDeliver: new(5), IdleExpiry: "24h",
			},
			FilterSubjects: []string{"herald.events.job.*.projects.p1.>"},
			CreatedAt:      t0, LastUsedAt: t0, ExpiresAt: t0.Add(24 * time.Hour), DisabledReason: "disabled by an administrator",
		}, new(wire.Consumer)},
		{"consumer from a time", &consumer.Record{
			ID: "01JD3N4V5W6X7Y8Z9ABCDEFGHJ", Owner: "u1",
			Spec:      consumer.Spec{Target: consumer.Target{All: true}, DeliverPolicy: consumer.DeliverByStartTime, StartTime: &t0},
			CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0,
		}, new(wire.Consumer)},
		{"message", consumer.Message{
			Sequence: 42, Delivered: 2, Subject: "herald.events.job.JobFinished.projects.p1.jobs.j1",
			Event: serverJSON(t, serverEvent(t)), Reply: keys.Sign(sampleAck, "01JD3N4V5W6X7Y8Z9ABCDEFGHJ"),
		}, new(wire.Message)},
		{"message of what is not JSON", consumer.Message{Sequence: 1, Delivered: 1, Subject: "s", Event: consumer.EventJSON([]byte("not json"))}, new(wire.Message)},
		{"notification", &inbox.Notification{
			ID: "01JD3N4V5W6X7Y8Z9ABCDEFGHM", UserID: "u1",
			Content: inbox.Content{Variant: inbox.AccessRequested, Message: "u2 requested access to projects/p1.", Refs: []inbox.Ref{
				{Type: inbox.RefResource, Name: "project", Value: "projects/p1"}, {Type: inbox.RefUser, Name: "actor", Value: "u2"},
			}},
			EventUUID: sampleUUID, CreatedAt: t0, AcknowledgedAt: &acked, ExpiresAt: t0.Add(90 * 24 * time.Hour),
		}, new(wire.Notification)},
		{"unacknowledged notification", &inbox.Notification{
			ID: "01JD3N4V5W6X7Y8Z9ABCDEFGHM", UserID: "u1", Content: inbox.Content{Variant: inbox.Announcement, Message: "hi", Refs: []inbox.Ref{}},
			EventUUID: sampleUUID, CreatedAt: t0, ExpiresAt: t0,
		}, new(wire.Notification)},
		{"delivery", &delivery.Record{
			TriggerID: sampleTrigger, ID: "01JD3N4V5W6X7Y8Z9ABCDEFGHN", EventUUID: sampleUUID, Status: delivery.StatusRetrying,
			Attempts: 2, RoundStart: 1, NextAttemptAt: &next, CreatedAt: t0, UpdatedAt: t0.Add(time.Second),
			Log: []delivery.Attempt{
				{At: t0, StatusCode: 500, DurationMS: 12, Response: "oops"},
				{At: t0.Add(5 * time.Second), DurationMS: 10_000, Error: "timeout"},
			},
			Event: serverJSON(t, serverEvent(t)),
		}, new(wire.Delivery)},
		{"verdicts", []action.Verdict{{TriggerID: sampleTrigger, Approve: true}, {TriggerID: "T2", Reason: "quota exceeded"}}, new([]wire.Verdict)},
		{"explanation", filter.Explain(matchEvent).Steps, new([]wire.Step)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sent := serverJSON(t, tt.server)
			if err := json.Unmarshal(sent, tt.wire); err != nil {
				t.Fatalf("decoding %s into %T: %v", sent, tt.wire, err)
			}
			again, err := json.Marshal(tt.wire)
			if err != nil {
				t.Fatalf("encoding %T: %v", tt.wire, err)
			}
			sameJSON(t, "written again", again, sent)
		})
	}
}

// TestWireEventFields: reading the server's event fills the wire event's fields, the
// unknown members included, as a client reading it expects.
func TestWireEventFields(t *testing.T) {
	var w wire.Event
	if err := json.Unmarshal(serverJSON(t, serverEvent(t)), &w); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"event", w.Event == "job.JobFinished"},
		{"timestamp to the nanosecond", w.Timestamp.Equal(t0)},
		{"user extra", string(w.User.Extra["name"]) == `"Ada"`},
		{"resource extra", string(w.Resource.Extra["revision"]) == `3`},
		{"null before kept", string(w.Resource.Before) == `null`},
		{"origin in extra", string(w.Extra["origin"]) == `{"trigger":"`+sampleTrigger+`","hop":1}`},
		{"a name in another case is unknown", string(w.Extra["Event"]) == `"not the type"`},
		{"no known member in extra", w.Extra["event"] == nil && w.Extra["resource"] == nil && len(w.Extra) == 3},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: not as the server wrote it: %+v", c.name, w)
		}
	}
}

// TestWireToServer: what a client sends in the wire types, the server decodes as it
// does a request (strictly, refusing unknown members), loses nothing of, and finds
// valid.
func TestWireToServer(t *testing.T) {
	keys, err := reply.NewKeyring(reply.Key{ID: "k1", Secret: bytes.Repeat([]byte{7}, reply.MinSecretBytes)})
	if err != nil {
		t.Fatal(err)
	}
	const consumerID = "01JD3N4V5W6X7Y8Z9ABCDEFGHJ"
	// A reply as a client holds it: read from a message the server signed.
	var message wire.Message
	if err := json.Unmarshal(serverJSON(t, consumer.Message{Sequence: 1, Delivered: 1, Subject: "s", Event: json.RawMessage(`{}`),
		Reply: keys.Sign(sampleAck, consumerID)}), &message); err != nil {
		t.Fatal(err)
	}
	disabled := false

	tests := []struct {
		name string
		wire any
		// server decodes what the wire type wrote as the server does, checks it, and
		// returns the server's value to compare with.
		server func(t *testing.T, raw []byte) any
	}{
		{
			name: "event to publish",
			wire: &wire.Event{
				Event: "job.JobFinished", UUID: sampleUUID, RequestID: "req-1",
				User: &wire.User{ID: "u1", Extra: map[string]json.RawMessage{"name": json.RawMessage(`"Ada"`)}},
				Resource: &wire.Resource{Type: "job", Path: "projects/p1/jobs/j1", Namespaces: []string{"ns1"},
					Before: json.RawMessage(`null`), After: json.RawMessage(`{"state":"done"}`), Extra: map[string]json.RawMessage{"revision": json.RawMessage(`3`)}},
				Recipients: []string{"u2"}, Notification: json.RawMessage(`{"message":"done"}`), Data: json.RawMessage(`{"jobType":"TRANSCODE"}`),
				PublisherID: "pub-1", Extra: map[string]json.RawMessage{"x-trace": json.RawMessage(`{"id":"abc"}`)},
			},
			server: func(t *testing.T, raw []byte) any {
				ev, err := event.Decode(raw)
				if err != nil {
					t.Fatalf("event.Decode: %v", err)
				}
				back := serverJSON(t, ev)
				ev.FillDefaults(t0)
				if err := ev.Validate(); err != nil {
					t.Errorf("Validate: %v", err)
				}
				return json.RawMessage(back)
			},
		},
		{
			name: "event with a timestamp and an origin",
			wire: &wire.Event{
				Event: "job.JobFinished", UUID: sampleUUID, Timestamp: t0.In(time.FixedZone("CET", 3600)),
				Resource: &wire.Resource{Type: "job", ID: "j1", Path: "projects/p1/jobs/j1"},
				Extra:    map[string]json.RawMessage{"origin": json.RawMessage(`{"trigger":"` + sampleTrigger + `","hop":2}`)},
			},
			server: func(t *testing.T, raw []byte) any {
				ev, err := event.Decode(raw)
				if err != nil {
					t.Fatalf("event.Decode: %v", err)
				}
				if err := ev.Validate(); err != nil {
					t.Errorf("Validate: %v", err)
				}
				if o, ok := ev.Origin(); !ok || o.Hop != 2 || !ev.Timestamp.Equal(t0) {
					t.Errorf("origin %+v %v, timestamp %v", o, ok, ev.Timestamp)
				}
				return ev
			},
		},
		{
			name: "trigger spec",
			wire: &wire.TriggerSpec{
				Name:     "hook",
				Resource: wire.TriggerResource{Path: "projects/p1", IncludeSubresources: true, Type: "job"},
				Events:   []string{"job.*", "item.ItemCreated"}, Filter: json.RawMessage(`{"data.jobType":"TRANSCODE"}`),
				Action: json.RawMessage(`{"type":"http","url":"https://example.org/hook"}`),
				Mode:   wire.ModeSync, Retry: &wire.TriggerRetry{Schedule: []string{"5s", "1m"}}, Enabled: &disabled,
			},
			server: func(t *testing.T, raw []byte) any {
				var s trigger.Spec
				if err := apigw.DecodeJSON(raw, &s); err != nil {
					t.Fatalf("decoding as the server does: %v", err)
				}
				back := serverJSON(t, &s)
				if err := s.Normalize(); err != nil || s.Writable != nil {
					t.Errorf("Normalize: %v (writable %q)", err, s.Writable)
				}
				return json.RawMessage(back)
			},
		},
		{
			name: "minimal trigger spec",
			wire: &wire.TriggerSpec{Name: "p", Resource: wire.TriggerResource{Path: "projects/p1"}, Action: json.RawMessage(`{"type":"nats","subject":"s"}`)},
			server: func(t *testing.T, raw []byte) any {
				var s trigger.Spec
				if err := apigw.DecodeJSON(raw, &s); err != nil {
					t.Fatalf("decoding as the server does: %v", err)
				}
				back := serverJSON(t, &s)
				if err := s.Normalize(); err != nil || s.Mode != trigger.Async {
					t.Errorf("Normalize: %v, mode %q", err, s.Mode)
				}
				return json.RawMessage(back)
			},
		},
		{
			name: "consumer spec",
			wire: &wire.ConsumerSpec{
				Target:     wire.Target{Resources: []wire.ResourceTarget{{Path: "projects/p1", IncludeSubresources: true}, {Path: "projects/p2"}}},
				EventTypes: []string{"job.*"}, DeliverPolicy: wire.DeliverByStartSequence, StartSequence: new(uint64(42)),
				AckWaitMS: new(int64(60_000)), MaxDeliver: new(5), IdleExpiry: "24h",
				BackOff: []string{"1s", "3s"}, MaxAckPending: new(100), Filter: json.RawMessage(`{"data.metadata.title":{"prefix":"Final"}}`),
			},
			server: decodeConsumerSpec,
		},
		{
			name: "consumer changes",
			wire: &wire.ConsumerChanges{EventTypes: []string{"job.Job*"}, AckWaitMS: new(int64(2000)), BackOff: []string{"1s"},
				Filter: json.RawMessage(`{"event":"job.*"}`), Reset: []string{"max_deliver", "idle_expiry"}},
			server: func(t *testing.T, raw []byte) any {
				var c consumer.Changes
				if err := apigw.DecodeJSON(raw, &c); err != nil {
					t.Fatalf("decoding as the server does: %v", err)
				}
				if string(c.MaxDeliver) != "null" || string(c.IdleExpiry) != "null" || c.MaxAckPending != nil || c.Target != nil {
					t.Errorf("the server reads %+v, want max_deliver and idle_expiry null and nothing else of the unset ones", c)
				}
				var back wire.ConsumerChanges
				if err := json.Unmarshal(raw, &back); err != nil {
					t.Fatal(err)
				}
				return &back
			},
		},
		{
			name:   "consumer spec from a time",
			wire:   &wire.ConsumerSpec{Target: wire.Target{Announcements: true}, DeliverPolicy: wire.DeliverByStartTime, StartTime: &t0},
			server: decodeConsumerSpec,
		},
		{
			name:   "empty consumer spec of one user",
			wire:   &wire.ConsumerSpec{Target: wire.Target{User: "u1"}},
			server: decodeConsumerSpec,
		},
		{
			name: "notification content",
			wire: &struct {
				Recipients []string `json:"recipients"`
				wire.Content
			}{[]string{"u1"}, wire.Content{Variant: wire.VariantAnnouncement, Message: "Maintenance tonight.",
				Refs: []wire.Ref{{Type: wire.RefResource, Name: "project", Value: "projects/p1"}}}},
			server: func(t *testing.T, raw []byte) any {
				// The body of POST /v1/notifications.
				var body struct {
					Recipients []string `json:"recipients"`
					inbox.Content
				}
				if err := apigw.DecodeJSON(raw, &body); err != nil {
					t.Fatalf("decoding as the server does: %v", err)
				}
				if err := body.Content.Validate(""); err != nil {
					t.Errorf("Validate: %v", err)
				}
				return &body
			},
		},
		{
			name: "replies to acknowledge",
			wire: &struct {
				Replies []wire.Reply   `json:"replies"`
				Action  wire.AckAction `json:"action"`
			}{[]wire.Reply{message.Reply}, wire.Nak},
			server: func(t *testing.T, raw []byte) any {
				var body struct {
					Replies []reply.Reply `json:"replies"`
					Action  string        `json:"action"`
				}
				if err := apigw.DecodeJSON(raw, &body); err != nil {
					t.Fatalf("decoding as the server does: %v", err)
				}
				if err := keys.Verify(body.Replies[0], consumerID); err != nil {
					t.Errorf("the reply does not verify: %v", err)
				}
				if _, err := reply.ParseAction(body.Action); err != nil {
					t.Errorf("ParseAction: %v", err)
				}
				return &body
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := json.Marshal(tt.wire)
			if err != nil {
				t.Fatalf("encoding %T: %v", tt.wire, err)
			}
			sameJSON(t, "the server's reading, written again", serverJSON(t, tt.server(t, raw)), raw)
		})
	}
}

// decodeConsumerSpec decodes a consumer spec as POST /v1/consumers does and checks it.
func decodeConsumerSpec(t *testing.T, raw []byte) any {
	var s consumer.Spec
	if err := apigw.DecodeJSON(raw, &s); err != nil {
		t.Fatalf("decoding as the server does: %v", err)
	}
	back := serverJSON(t, &s)
	if err := s.Normalize(); err != nil {
		t.Errorf("Normalize: %v", err)
	}
	return json.RawMessage(back)
}
