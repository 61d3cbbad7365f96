package consumer

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/fault"
)

// decodeSpec decodes a create body the way the handlers do: strictly.
func decodeSpec(t *testing.T, body string) *Spec {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return &s
}

// resourcesBody returns a target of n resources as JSON.
func resourcesBody(n int) string {
	rs := make([]string, n)
	for i := range rs {
		rs[i] = fmt.Sprintf(`{"path":"projects/p%d","include_subresources":true}`, i)
	}
	return `{"resources":[` + strings.Join(rs, ",") + `]}`
}

// typesBody returns n distinct event types as a JSON array.
func typesBody(n int) string {
	ts := make([]string, n)
	for i := range ts {
		ts[i] = fmt.Sprintf(`"d%d.*"`, i)
	}
	return "[" + strings.Join(ts, ",") + "]"
}

func TestNormalizeDefaults(t *testing.T) {
	s := decodeSpec(t, `{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]}}`)
	if err := s.Normalize(); err != nil {
		t.Fatalf("Normalize() = %v", err)
	}
	if s.DeliverPolicy != DeliverAll {
		t.Errorf("DeliverPolicy = %q, want %q", s.DeliverPolicy, DeliverAll)
	}
	if s.AckWaitMS == nil || *s.AckWaitMS != 30000 {
		t.Errorf("AckWaitMS = %v, want 30000", s.AckWaitMS)
	}
	if s.MaxDeliver == nil || *s.MaxDeliver != -1 {
		t.Errorf("MaxDeliver = %v, want -1", s.MaxDeliver)
	}
	if s.IdleExpiry != "168h" {
		t.Errorf("IdleExpiry = %q, want 168h", s.IdleExpiry)
	}
	if s.MaxAckPending == nil || *s.MaxAckPending != DefaultMaxAckPending {
		t.Errorf("MaxAckPending = %v, want %d", s.MaxAckPending, DefaultMaxAckPending)
	}
	if s.AckWait() != 30*time.Second || s.IdleExpiryDuration() != DefaultIdleExpiry || DefaultIdleExpiry != 168*time.Hour {
		t.Errorf("AckWait() = %v, IdleExpiryDuration() = %v, want 30s and 168h", s.AckWait(), s.IdleExpiryDuration())
	}
	if s.StartTime != nil || s.StartSequence != nil || s.EventTypes != nil || s.BackOff != nil || s.Filter != nil {
		t.Errorf("Normalize set fields that have no default: %+v", s)
	}

	// Normalizing again changes nothing: a stored spec can be normalized on load.
	before, _ := json.Marshal(s)
	if err := s.Normalize(); err != nil {
		t.Fatalf("second Normalize() = %v", err)
	}
	if after, _ := json.Marshal(s); string(after) != string(before) {
		t.Errorf("second Normalize() changed the spec:\n%s\n%s", before, after)
	}
}

func TestNormalizeKeepsGivenSettings(t *testing.T) {
	s := decodeSpec(t, `{"target":{"all":true},"deliver_policy":"by_start_sequence","start_sequence":7,
		"ack_wait_ms":1000,"max_deliver":5,"idle_expiry":"90m"}`)
	if err := s.Normalize(); err != nil {
		t.Fatalf("Normalize() = %v", err)
	}
	if s.DeliverPolicy != DeliverByStartSequence || *s.StartSequence != 7 || *s.AckWaitMS != 1000 ||
		*s.MaxDeliver != 5 || s.IdleExpiry != "90m" || s.IdleExpiryDuration() != 90*time.Minute {
		t.Errorf("Normalize() changed given settings: %+v", s)
	}
}

func TestNormalizeKeepsSubSecondStartTime(t *testing.T) {
	s := decodeSpec(t, `{"target":{"all":true},"deliver_policy":"by_start_time","start_time":"2026-11-22T18:00:00.123456789+02:00"}`)
	if err := s.Normalize(); err != nil {
		t.Fatalf("Normalize() = %v", err)
	}
	want := time.Date(2026, 11, 22, 16, 0, 0, 123456789, time.UTC)
	if !s.StartTime.Equal(want) {
		t.Errorf("StartTime = %v, want %v", s.StartTime, want)
	}
}

func TestNormalize(t *testing.T) {
	const p1 = `{"resources":[{"path":"projects/p1"}]}`
	type fe struct{ Field, Message string } // a wanted field error: the exact field, part of the message
	tests := []struct {
		name string
		body string
		want []fe // field names exactly, messages as substrings; none for a valid body
	}{
		// Valid bodies.
		{"resources", `{"target":` + p1 + `}`, nil},
		{"user", `{"target":{"user":"00b82755-b5e6-4c8b-a4cf-66bb4f697f17"}}`, nil},
		{"announcements", `{"target":{"announcements":true}}`, nil},
		{"all", `{"target":{"all":true}}`, nil},
		{"empty lists and false flags count as absent", `{"target":{"resources":[],"user":"","announcements":false,"all":true},"event_types":[]}`, nil},
		{"most resources", `{"target":` + resourcesBody(MaxResources) + `}`, nil},
		{"repeated and covering resources", `{"target":{"resources":[{"path":"a"},{"path":"a"},{"path":"a","include_subresources":true},{"path":"a/b"}]}}`, nil},
		{"event type patterns", `{"target":` + p1 + `,"event_types":["*","resource.*","resource.ResourceCreated","my_domain-2.Some_Name-3","resource.*"]}`, nil},
		{"most event types", `{"target":` + p1 + `,"event_types":` + typesBody(MaxEventTypes) + `}`, nil},
		{"deliver new", `{"target":` + p1 + `,"deliver_policy":"new"}`, nil},
		{"deliver all", `{"target":` + p1 + `,"deliver_policy":"all"}`, nil},
		{"by start time", `{"target":` + p1 + `,"deliver_policy":"by_start_time","start_time":"2026-11-22T18:00:00.5Z"}`, nil},
		{"by start sequence", `{"target":` + p1 + `,"deliver_policy":"by_start_sequence","start_sequence":1}`, nil},
		{"lowest settings", `{"target":` + p1 + `,"ack_wait_ms":1000,"max_deliver":1,"idle_expiry":"1m"}`, nil},
		{"highest settings", `{"target":` + p1 + `,"ack_wait_ms":43200000,"max_deliver":1000,"idle_expiry":"8760h"}`, nil},
		{"unlimited deliveries", `{"target":` + p1 + `,"max_deliver":-1}`, nil},

		// The target.
		{"no target", `{}`, []fe{{"target", "must name one of"}}},
		{"empty resources", `{"target":{"resources":[]}}`, []fe{{"target", "must name one of"}, {"target.resources", "at least one"}}},
		{"two targets", `{"target":{"resources":[{"path":"a"}],"user":"u1"}}`, []fe{{"target", "not resources and user"}}},
		{"three targets", `{"target":{"user":"u1","announcements":true,"all":true}}`, []fe{{"target", "not user and announcements and all"}}},
		{"too many resources", `{"target":` + resourcesBody(MaxResources+1) + `}`, []fe{{"target.resources", "at most 100 entries, not 101"}}},
		{"bad paths, every one named", `{"target":{"resources":[{"path":"a"},{"path":""},{"path":"a/b"},{"path":"a//b"},{"path":"a/*"},{"path":"a/b/"}]}}`,
			[]fe{{"target.resources[1].path", "is required"}, {"target.resources[3].path", `"//"`},
				{"target.resources[4].path", `'*'`}, {"target.resources[5].path", `end with "/"`}}},
		{"path too deep", `{"target":{"resources":[{"path":"` + strings.Repeat("a/", 16) + `a"}]}}`,
			[]fe{{"target.resources[0].path", "at most 16 segments"}}},
		{"user with a slash", `{"target":{"user":"u1/x"}}`, []fe{{"target.user", "[A-Za-z0-9_~:-]"}}},
		{"user with an at sign", `{"target":{"user":"jo@example.org"}}`, []fe{{"target.user", "users/<id>"}}},
		{"user too long", `{"target":{"user":"` + strings.Repeat("u", 507) + `"}}`, []fe{{"target.user", "at most 506 bytes"}}},
		{"longest user", `{"target":{"user":"` + strings.Repeat("u", 506) + `"}}`, nil},

		// Event types.
		{"empty event type", `{"target":` + p1 + `,"event_types":[""]}`, []fe{{"event_types[0]", "is required"}}},
		{"star inside a name", `{"target":` + p1 + `,"event_types":["resource.*","item.Item*","job.*Finished","job.J*b*"]}`, nil},
		{"star inside a name that is not a name", `{"target":` + p1 + `,"event_types":["item.It em*"]}`,
			[]fe{{"event_types[0]", "the name may hold"}}},
		{"star for a domain", `{"target":` + p1 + `,"event_types":["*.ItemCreated"]}`, []fe{{"event_types[0]", `"*.<Name>" is not supported`}}},
		{"star inside a domain", `{"target":` + p1 + `,"event_types":["it*.Created"]}`, []fe{{"event_types[0]", "the domain must be written out whole"}}},
		{"star star", `{"target":` + p1 + `,"event_types":["*.*"]}`, []fe{{"event_types[0]", `written "*"`}}},
		{"full wildcard", `{"target":` + p1 + `,"event_types":[">"]}`, []fe{{"event_types[0]", `">" is not`}}},
		{"domain wildcard without a domain", `{"target":` + p1 + `,"event_types":[".*"]}`, []fe{{"event_types[0]", "the domain must be"}}},
		{"bad domain", `{"target":` + p1 + `,"event_types":["my domain.*"]}`, []fe{{"event_types[0]", "the domain must be"}}},
		{"three tokens", `{"target":` + p1 + `,"event_types":["a.b.*"]}`, []fe{{"event_types[0]", "the name may hold"}}},
		{"three tokens without star", `{"target":` + p1 + `,"event_types":["a.b.c"]}`, []fe{{"event_types[0]", "two tokens"}}},
		{"one token", `{"target":` + p1 + `,"event_types":["resource"]}`, []fe{{"event_types[0]", "two tokens"}}},
		{"too many event types", `{"target":` + p1 + `,"event_types":` + typesBody(MaxEventTypes+1) + `}`,
			[]fe{{"event_types", "at most 50 entries, not 51"}}},

		{"most filter subjects", `{"target":` + resourcesBody(MaxResources) + `,"event_types":` + typesBody(MaxFilterSubjects/MaxResources) + `}`, nil},
		{"too many filter subjects", `{"target":` + resourcesBody(MaxResources) + `,"event_types":` + typesBody(MaxFilterSubjects/MaxResources+1) + `}`,
			[]fe{{"event_types", "makes 1100 filter subjects"}}},
		{"covered resources do not count", `{"target":{"resources":[{"path":"projects","include_subresources":true},` +
			strings.TrimPrefix(resourcesBody(MaxResources-1), `{"resources":[`) + `,"event_types":` + typesBody(MaxEventTypes) + `}`, nil},
		{"covered event types do not count", `{"target":` + resourcesBody(MaxResources) + `,"event_types":["*",` +
			strings.TrimPrefix(typesBody(MaxEventTypes-1), "[") + `}`, nil},

		// Deliver policy and start.
		{"unknown policy", `{"target":` + p1 + `,"deliver_policy":"first"}`, []fe{{"deliver_policy", `"by_start_sequence"`}}},
		{"deliver last", `{"target":` + p1 + `,"deliver_policy":"last"}`, nil},
		{"deliver last per subject", `{"target":` + p1 + `,"deliver_policy":"last_per_subject"}`, nil},
		{"start sequence with last", `{"target":` + p1 + `,"deliver_policy":"last","start_sequence":3}`, []fe{{"start_sequence", "only allowed"}}},
		{"unknown policy says nothing about start fields", `{"target":` + p1 + `,"deliver_policy":"by_time","start_time":"2026-11-22T18:00:00Z"}`,
			[]fe{{"deliver_policy", "must be"}}},
		{"start time missing", `{"target":` + p1 + `,"deliver_policy":"by_start_time"}`, []fe{{"start_time", "is required"}}},
		{"start time with the default policy", `{"target":` + p1 + `,"start_time":"2026-11-22T18:00:00Z"}`, []fe{{"start_time", "only allowed"}}},
		{"start time with new", `{"target":` + p1 + `,"deliver_policy":"new","start_time":"2026-11-22T18:00:00Z"}`, []fe{{"start_time", "only allowed"}}},
		{"zero start time", `{"target":` + p1 + `,"deliver_policy":"by_start_time","start_time":"0001-01-01T00:00:00Z"}`, []fe{{"start_time", "zero"}}},
		{"start sequence missing", `{"target":` + p1 + `,"deliver_policy":"by_start_sequence"}`, []fe{{"start_sequence", "is required"}}},
		{"start sequence zero", `{"target":` + p1 + `,"deliver_policy":"by_start_sequence","start_sequence":0}`, []fe{{"start_sequence", "at least 1"}}},
		{"start sequence with all", `{"target":` + p1 + `,"deliver_policy":"all","start_sequence":3}`, []fe{{"start_sequence", "only allowed"}}},
		{"both starts", `{"target":` + p1 + `,"deliver_policy":"by_start_time","start_time":"2026-11-22T18:00:00Z","start_sequence":3}`,
			[]fe{{"start_sequence", "only allowed"}}},

		// Settings.
		{"ack wait too short", `{"target":` + p1 + `,"ack_wait_ms":999}`, []fe{{"ack_wait_ms", "between 1000 and 43200000"}}},
		{"ack wait zero", `{"target":` + p1 + `,"ack_wait_ms":0}`, []fe{{"ack_wait_ms", "between"}}},
		{"ack wait too long", `{"target":` + p1 + `,"ack_wait_ms":43200001}`, []fe{{"ack_wait_ms", "between"}}},
		{"max deliver zero", `{"target":` + p1 + `,"max_deliver":0}`, []fe{{"max_deliver", "-1 (unlimited) or between 1 and 1000"}}},
		{"max deliver -2", `{"target":` + p1 + `,"max_deliver":-2}`, []fe{{"max_deliver", "-1"}}},
		{"max deliver too many", `{"target":` + p1 + `,"max_deliver":1001}`, []fe{{"max_deliver", "-1"}}},
		{"idle expiry without unit", `{"target":` + p1 + `,"idle_expiry":"1h30"}`, []fe{{"idle_expiry", "a duration"}}},
		{"idle expiry in days", `{"target":` + p1 + `,"idle_expiry":"7d"}`, []fe{{"idle_expiry", "a duration"}}},
		{"idle expiry too short", `{"target":` + p1 + `,"idle_expiry":"59s"}`, []fe{{"idle_expiry", "between 1m and 8760h"}}},
		{"idle expiry too long", `{"target":` + p1 + `,"idle_expiry":"8761h"}`, []fe{{"idle_expiry", "between"}}},
		{"idle expiry negative", `{"target":` + p1 + `,"idle_expiry":"-1h"}`, []fe{{"idle_expiry", "between"}}},

		// Back-off.
		{"back-off", `{"target":` + p1 + `,"back_off":["1s","3s","1m30s","12h"]}`, nil},
		{"back-off as long as max deliver", `{"target":` + p1 + `,"back_off":["1s","3s"],"max_deliver":2}`, nil},
		{"empty back-off", `{"target":` + p1 + `,"back_off":[]}`, nil},
		{"back-off entries named", `{"target":` + p1 + `,"back_off":["1s","999ms","3 s","13h","-1s"]}`,
			[]fe{{"back_off[1]", "from 1s to 12h"}, {"back_off[2]", "a duration"}, {"back_off[3]", "from 1s to 12h"}, {"back_off[4]", "from 1s to 12h"}}},
		{"back-off longer than max deliver", `{"target":` + p1 + `,"back_off":["1s","3s","5s"],"max_deliver":2}`,
			[]fe{{"back_off", "more than max_deliver (2)"}}},
		{"back-off too long", `{"target":` + p1 + `,"back_off":[` + strings.Repeat(`"1s",`, MaxBackOff) + `"1s"]}`,
			[]fe{{"back_off", "at most 20 entries, not 21"}}},

		// Max ack pending.
		{"max ack pending", `{"target":` + p1 + `,"max_ack_pending":1}`, nil},
		{"most max ack pending", `{"target":` + p1 + `,"max_ack_pending":100000}`, nil},
		{"max ack pending zero", `{"target":` + p1 + `,"max_ack_pending":0}`, []fe{{"max_ack_pending", "between 1 and 100000"}}},
		{"max ack pending too many", `{"target":` + p1 + `,"max_ack_pending":100001}`, []fe{{"max_ack_pending", "between"}}},

		// Filter.
		{"filter", `{"target":` + p1 + `,"filter":{"data.metadata.title":{"prefix":"Final"},"$or":[{"event":"job.*"},{"resource.type":"item"}]}}`, nil},
		{"null filter", `{"target":` + p1 + `,"filter":null}`, nil},
		{"empty filter", `{"target":` + p1 + `,"filter":{}}`, nil},
		{"filter not an object", `{"target":` + p1 + `,"filter":["a"]}`, []fe{{"filter", "JSON object"}}},
		{"filter errors named under filter", `{"target":` + p1 + `,"filter":{"data.title":{"regex":"("},"a":{"nope":1}}}`,
			[]fe{{"filter.a.nope", "unknown operator"}, {"filter.data.title.regex", ""}}},

		{"every error at once", `{"target":{"resources":[{"path":"/a"}],"all":true},"event_types":["a*.b"],
			"deliver_policy":"by_start_sequence","start_time":"2026-11-22T18:00:00Z",
			"ack_wait_ms":1,"max_deliver":0,"idle_expiry":"soon"}`,
			[]fe{{"target", "not resources and all"}, {"target.resources[0].path", `start with "/"`}, {"event_types[0]", "written out whole"},
				{"start_time", "only allowed"}, {"start_sequence", "is required"}, {"ack_wait_ms", "between"},
				{"max_deliver", "-1"}, {"idle_expiry", "a duration"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decodeSpec(t, tt.body).Normalize()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Normalize() = %v, want nil", err)
				}
				return
			}
			if !fault.Is(err, fault.Invalid) {
				t.Fatalf("Normalize() = %v, want an Invalid fault", err)
			}
			got := err.(*fault.Error).Fields
			if len(got) != len(tt.want) {
				t.Fatalf("Normalize() fields =\n\t%q\nwant\n\t%q", got, tt.want)
			}
			for i, w := range tt.want {
				if got[i].Field != w.Field || !strings.Contains(got[i].Message, w.Message) {
					t.Errorf("field error %d = %q: %q, want %q: …%q…", i, got[i].Field, got[i].Message, w.Field, w.Message)
				}
			}
		})
	}
}
