package trigger

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/fault"
)

const validSpec = `{"name":"transcodes","resource":{"path":"projects/p1","include_subresources":true,"type":"job"},
 "events":["job.JobFinished","job.Job*"],"filter":{"data.jobType":["TRANSCODE","THUMBNAIL"],"data.metadata.title":{"regex":"^Final"}},
 "action":{"type":"http","url":"https://example.org/hook"}}`

func decode(t *testing.T, s string) Spec {
	t.Helper()
	var sp Spec
	if err := json.Unmarshal([]byte(s), &sp); err != nil {
		t.Fatal(err)
	}
	return sp
}

func TestNormalizeDefaults(t *testing.T) {
	s := decode(t, validSpec)
	if err := s.Normalize(); err != nil {
		t.Fatalf("valid spec: %v", err)
	}
	if s.Mode != Async || s.Enabled == nil || !*s.Enabled || s.Retry == nil || len(s.Retry.Schedule) != len(DefaultSchedule) {
		t.Errorf("defaults: mode %q enabled %v retry %+v", s.Mode, s.Enabled, s.Retry)
	}
	if got := s.ScheduleDurations(); len(got) != 7 || got[0].Seconds() != 5 || got[6].Hours() != 10 {
		t.Errorf("schedule %v", got)
	}
	placeholder := decode(t, `{"name":"p","resource":{"path":"projects/p1"},"action":{"type":"nats","subject":"x.y"}}`)
	if err := placeholder.Normalize(); err != nil {
		t.Fatalf("placeholder: %v", err)
	}
}

func TestNormalizeRefuses(t *testing.T) {
	tests := []struct {
		name, edit, field string
	}{
		{"no name", `"name":""`, "name"},
		{"bad path", `"resource":{"path":"projects/p 1"}`, "resource.path"},
		{"bad type pattern", `"resource":{"path":"p","type":"job/x"}`, "resource.type"},
		{"event without domain", `"events":["JobFinished"]`, "events[0]"},
		{"event with three parts", `"events":["a.b.c"]`, "events[0]"},
		{"empty event part", `"events":["job.*","*.Finished",".x"]`, "events[2]"},
		{"bad filter", `"filter":{"data.x":{"regex":"("}}`, "filter.data.x.regex"},
		{"filter not an object", `"filter":[1]`, "filter"},
		{"no action", `"action":null`, "action"},
		{"action not an object", `"action":[1]`, "action"},
		{"mode", `"mode":"later"`, "mode"},
		{"empty schedule", `"retry":{"schedule":[]}`, "retry.schedule"},
		{"bad step", `"retry":{"schedule":["5s","13h"]}`, "retry.schedule[1]"},
		{"step too short", `"retry":{"schedule":["10ms"]}`, "retry.schedule[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var base map[string]json.RawMessage
			_ = json.Unmarshal([]byte(validSpec), &base)
			var edit map[string]json.RawMessage
			if err := json.Unmarshal([]byte("{"+tt.edit+"}"), &edit); err != nil {
				t.Fatal(err)
			}
			for k, v := range edit {
				base[k] = v
			}
			b, _ := json.Marshal(base)
			s := decode(t, string(b))
			err := s.Normalize()
			var fe *fault.Error
			if !fault.Is(err, fault.Invalid) || !errors.As(err, &fe) {
				t.Fatalf("Normalize = %v, want Invalid", err)
			}
			for _, f := range fe.Fields {
				if f.Field == tt.field {
					return
				}
			}
			t.Errorf("error %v does not name %s", err, tt.field)
		})
	}
	many := decode(t, `{"name":"n","resource":{"path":"p"},"action":{"type":"nats","subject":"s"},"events":[`+strings.Repeat(`"a.b",`, MaxEvents)+`"a.b"]}`)
	if err := many.Normalize(); err == nil || !strings.Contains(err.Error(), "events:") {
		t.Errorf("too many events: %v", err)
	}
}

func TestAuthorize(t *testing.T) {
	reader := &auth.Claims{Subject: "u", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p1": auth.Read}}
	writer := &auth.Claims{Subject: "u", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p1": auth.Write}}
	async := decode(t, validSpec)
	_ = async.Normalize()
	sync := async
	sync.Mode = Sync
	for _, tt := range []struct {
		name   string
		s      Spec
		c      *auth.Claims
		wantOK bool
	}{
		{"async with READ", async, reader, true},
		{"sync with READ", sync, reader, false},
		{"sync with WRITE", sync, writer, true},
		{"elsewhere", async, &auth.Claims{Subject: "u", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p2": auth.Admin}}, false},
	} {
		err := tt.s.Authorize(tt.c)
		if (err == nil) != tt.wantOK || (err != nil && !fault.Is(err, fault.Forbidden)) {
			t.Errorf("%s: Authorize = %v", tt.name, err)
		}
	}
}

func TestView(t *testing.T) {
	tr := &Trigger{Spec: Spec{Action: json.RawMessage(`{"type":"http","url":"https://x","secret":"whsec_abc","previous_secrets":["whsec_old"]}`)}}
	v := tr.View()
	if strings.Contains(string(v.Action), "whsec_") || !strings.Contains(string(tr.Action), "whsec_abc") {
		t.Errorf("view action %s (stored %s): the secret must be gone from the view only", v.Action, tr.Action)
	}
}
