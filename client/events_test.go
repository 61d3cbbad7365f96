package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/heraldhq/herald/wire"
)

// TestPublishRetriesWithTheSameUUID: the emulation fails twice with 503, then stores
// the event; every attempt must carry the uuid the client made before the first.
func TestPublishRetriesWithTheSameUUID(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if rec.add(r) < 2 {
			writeProblem(w, 503, "service-unavailable", "service unavailable", "the event bus did not accept the event; retry with the same uuid")
			return
		}
		var ev wire.Event
		json.Unmarshal(rec.all()[2].Body, &ev)
		writeJSON(w, 202, map[string]any{"uuid": ev.UUID, "sequence": 11})
	})
	ev := &wire.Event{Event: "job.JobFinished", Resource: &wire.Resource{Type: "job", Path: "projects/p1/jobs/j1"}}
	res, err := c.Publish(context.Background(), ev)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	reqs := rec.all()
	if len(reqs) != 3 {
		t.Fatalf("%d attempts, want 3", len(reqs))
	}
	var uuids []string
	for _, r := range reqs {
		var sent wire.Event
		if err := json.Unmarshal(r.Body, &sent); err != nil {
			t.Fatalf("sent %s: %v", r.Body, err)
		}
		uuids = append(uuids, sent.UUID)
	}
	if uuids[0] == "" || uuids[0] != uuids[1] || uuids[1] != uuids[2] {
		t.Errorf("uuids %q, want one non-empty uuid thrice", uuids)
	}
	if ev.UUID != uuids[0] || res.UUID != uuids[0] || res.Sequence != 11 {
		t.Errorf("event uuid %q, result %+v, sent %q", ev.UUID, res, uuids[0])
	}
}

// TestPublishKeepsTheCallersUUID: a uuid the caller set is never replaced.
func TestPublishKeepsTheCallersUUID(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		writeJSON(w, 202, map[string]any{"uuid": testUUID, "sequence": 1, "duplicate": true})
	})
	res, err := c.Publish(context.Background(), testEvent())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Duplicate {
		t.Errorf("duplicate not decoded: %+v", res)
	}
	var sent wire.Event
	json.Unmarshal(rec.all()[0].Body, &sent)
	if sent.UUID != testUUID {
		t.Errorf("sent uuid %q", sent.UUID)
	}
}

func TestPublishBatch(t *testing.T) {
	results := func(errs ...string) map[string]any {
		var out []map[string]any
		for i, e := range errs {
			r := map[string]any{"uuid": "u" + string(rune('0'+i))}
			if e == "" {
				r["sequence"] = i + 1
			} else {
				r["error"] = e
			}
			out = append(out, r)
		}
		return map[string]any{"results": out}
	}
	tests := []struct {
		name       string
		answer     func(attempt int, w http.ResponseWriter)
		wantCalls  int
		wantErr    func(error) bool
		wantFailed int
		wantResult bool
	}{
		{
			name:       "all stored",
			answer:     func(_ int, w http.ResponseWriter) { writeJSON(w, 202, results("", "")) },
			wantCalls:  1,
			wantResult: true,
		},
		{
			name: "partly stored, then all on a retry",
			answer: func(attempt int, w http.ResponseWriter) {
				if attempt == 0 {
					writeJSON(w, 503, results("", "not published; retry with the same uuid"))
					return
				}
				writeJSON(w, 202, results("", ""))
			},
			wantCalls:  2,
			wantResult: true,
		},
		{
			name: "partly stored until the retries run out",
			answer: func(_ int, w http.ResponseWriter) {
				writeJSON(w, 503, results("", "not published; retry with the same uuid"))
			},
			wantCalls:  4,
			wantErr:    IsUnavailable,
			wantFailed: 1,
			wantResult: true,
		},
		{
			name: "an invalid event fails the batch",
			answer: func(_ int, w http.ResponseWriter) {
				writeProblem(w, 400, "invalid-request", "invalid request", "the request has an invalid field",
					FieldError{Field: "events[1].event", Message: "is required"})
			},
			wantCalls: 1,
			wantErr: func(err error) bool {
				var e *Error
				return IsInvalid(err) && errors.As(err, &e) && len(e.Errors) == 1 && e.Errors[0].Field == "events[1].event"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { tt.answer(rec.add(r), w) })
			evs := []*wire.Event{testEvent(), {Event: "job.JobFailed", Resource: &wire.Resource{Type: "job", Path: "projects/p1/jobs/j2"}}}
			res, err := c.PublishBatch(context.Background(), evs)
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !tt.wantErr(err) {
				t.Fatalf("error %v", err)
			}
			if (res != nil) != tt.wantResult {
				t.Fatalf("result %+v", res)
			}
			if res != nil && len(res.Failed()) != tt.wantFailed {
				t.Errorf("failed %+v", res.Failed())
			}
			reqs := rec.all()
			if len(reqs) != tt.wantCalls {
				t.Fatalf("%d calls, want %d", len(reqs), tt.wantCalls)
			}
			// Every attempt sends the same body, uuids filled in before the first.
			var first struct{ Events []wire.Event }
			json.Unmarshal(reqs[0].Body, &first)
			if len(first.Events) != 2 || first.Events[0].UUID != testUUID || first.Events[1].UUID == "" || first.Events[1].UUID != evs[1].UUID {
				t.Errorf("sent %s", reqs[0].Body)
			}
			for _, r := range reqs[1:] {
				if string(r.Body) != string(reqs[0].Body) {
					t.Errorf("a retry sent %s, not %s", r.Body, reqs[0].Body)
				}
			}
		})
	}
}

// TestPublishSyncVeto: a 422 veto is a *VetoError with the denials, wrapping the *Error
// of the answer, and is not retried.
func TestPublishSyncVeto(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(422)
		w.Write([]byte(`{"type":"urn:herald:problem:vetoed","title":"vetoed","status":422,"detail":"a sync trigger denied the event; it was not published","approved":false,"denials":[{"trigger_id":"T9","approve":false,"reason":"quota exceeded"}]}`))
	})
	res, err := c.PublishSync(context.Background(), testEvent())
	if res != nil {
		t.Errorf("result %+v", res)
	}
	var veto *VetoError
	if !errors.As(err, &veto) || !IsVetoed(err) {
		t.Fatalf("error %v, want a *VetoError", err)
	}
	if veto.UUID != testUUID || len(veto.Denials) != 1 || veto.Denials[0].TriggerID != "T9" || veto.Denials[0].Reason != "quota exceeded" {
		t.Errorf("veto %+v", veto)
	}
	var e *Error
	if !errors.As(err, &e) || e.Status != 422 || e.Type != "urn:herald:problem:vetoed" {
		t.Errorf("wrapped error %+v", e)
	}
	if want := "herald: event " + testUUID + " vetoed by trigger T9: quota exceeded"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if n := rec.count(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
	if q := rec.all()[0].Query; q != "mode=sync" {
		t.Errorf("query %q", q)
	}
}

// TestHealthDegraded: a 503 health answer is returned decoded with the error, after one
// attempt.
func TestHealthDegraded(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		writeJSON(w, 503, map[string]string{"status": "degraded", "nats": "RECONNECTING"})
	})
	h, err := c.Health(context.Background())
	if !IsUnavailable(err) {
		t.Errorf("error %v", err)
	}
	if h == nil || h.Status != "degraded" || h.NATS != "RECONNECTING" {
		t.Errorf("health %+v", h)
	}
	if n := rec.count(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}
