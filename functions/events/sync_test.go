package main

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/heraldhq/herald/internal/action"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/trigger"
	"github.com/heraldhq/herald/internal/webhook"
)

// newSyncHandler returns a Handler whose sync triggers come from the template's table,
// and a scope path of the test's own for them.
func newSyncHandler(t *testing.T) (*Handler, string) {
	t.Helper()
	h, _ := newHandler(t)
	table, err := env.Stack.Ref("TriggersTable")
	if err != nil {
		t.Fatal(err)
	}
	h.Sync = &trigger.Index{Store: &trigger.Store{DB: env.DynamoDB, Table: table}, Select: trigger.IsSync}
	h.Runner = &action.Runner{Webhooks: action.NewWebhooks(webhook.ClientOptions{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})}
	deliveries, err := env.Stack.Ref("DeliveriesTable")
	if err != nil {
		t.Fatal(err)
	}
	h.Deliveries = &delivery.Store{DB: env.DynamoDB, Table: deliveries, Retention: delivery.DefaultRetention}
	return h, "projects/" + uuid.NewString()[:8]
}

// syncTrigger stores a sync trigger on path with the given action and returns its id.
func syncTrigger(t *testing.T, h *Handler, path, actionJSON string) string {
	t.Helper()
	s := trigger.Spec{Name: "veto", Mode: trigger.Sync, Resource: trigger.Resource{Path: path, IncludeSubresources: true}, Events: []string{"*"}, Action: json.RawMessage(actionJSON)}
	if err := s.Normalize(); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureSecret(nil); err != nil {
		t.Fatal(err)
	}
	tr, err := h.Sync.Store.Create(context.Background(), s, "owner")
	if err != nil {
		t.Fatal(err)
	}
	return tr.ID
}

func publishSync(t *testing.T, h *Handler, path, data string) (int, map[string]any) {
	t.Helper()
	body := `{"event":"item.ItemCreated","resource":{"type":"itemsvc.Item","id":"i1","path":"` + path + `/items/i1"}` + data + `}`
	resp, out := do(t, h, request("POST", "/v1/events", body, publisher, map[string]string{"mode": "sync"}))
	return resp.StatusCode, out
}

// onStream counts the events on the handler's stream (each handler has a server of its
// own).
func onStream(t *testing.T, h *Handler) uint64 {
	t.Helper()
	s, err := h.JS.Stream(context.Background(), event.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// TestSyncJavaScriptVeto: a script that requires data.metadata.title vetoes an event
// without it (422, not published) and approves one with it (201, published).
func TestSyncJavaScriptVeto(t *testing.T) {
	h, path := newSyncHandler(t)
	syncTrigger(t, h, path, `{"type":"javascript","script":"function handle(e){ var t = e.data && e.data.metadata && e.data.metadata.title; return t ? {approve:true} : {approve:false, reason:'a title is required'} }"}`)
	status, out := publishSync(t, h, path, ``)
	if status != http.StatusUnprocessableEntity || out["approved"] != false || !strings.Contains(toJSON(out["denials"]), "a title is required") {
		t.Fatalf("without a title: %d %v", status, out)
	}
	// The veto is a problem with exactly these members, as clients read it.
	want := map[string]any{"type": "urn:herald:problem:vetoed", "title": "vetoed", "status": float64(http.StatusUnprocessableEntity),
		"detail": "a sync trigger denied the event; it was not published", "approved": false}
	if len(out) != len(want)+1 || out["denials"] == nil {
		t.Errorf("veto members %v, want those of %v and denials", slices.Sorted(maps.Keys(out)), want)
	}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("veto %s = %v, want %v", k, out[k], v)
		}
	}
	if n := onStream(t, h); n != 0 {
		t.Fatalf("a vetoed event is on the stream (%d)", n)
	}
	status, out = publishSync(t, h, path, `,"data":{"metadata":{"title":"Final cut"}}`)
	if status != http.StatusCreated || out["approved"] != true || out["sequence"] == nil {
		t.Fatalf("with a title: %d %v", status, out)
	}
	if n := onStream(t, h); n != 1 {
		t.Fatalf("%d events on the stream after the approved one, want 1", n)
	}
}

// TestSyncWebhookTimeout: a sync webhook that does not answer in time denies, unless it
// allows on error.
func TestSyncWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	t.Cleanup(func() { close(release); slow.Close() })

	h, path := newSyncHandler(t)
	syncTrigger(t, h, path, `{"type":"http","url":"`+slow.URL+`","timeout_ms":200}`)
	if status, out := publishSync(t, h, path, ``); status != http.StatusUnprocessableEntity {
		t.Fatalf("timed-out webhook: %d %v, want 422", status, out)
	}
	h2, path2 := newSyncHandler(t)
	syncTrigger(t, h2, path2, `{"type":"http","url":"`+slow.URL+`","timeout_ms":200,"on_error":"allow"}`)
	if status, out := publishSync(t, h2, path2, ``); status != http.StatusCreated {
		t.Fatalf("timed-out webhook with on_error allow: %d %v, want 201", status, out)
	}
}

// TestSyncWebhookAnswers: 2xx approves, a JSON {"approve":false} denies with its reason.
func TestSyncWebhookAnswers(t *testing.T) {
	h, path := newSyncHandler(t)
	judge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Data struct {
				OK bool `json:"ok"`
			} `json:"data"`
		}
		_ = json.NewDecoder(r.Body).Decode(&ev)
		if !ev.Data.OK {
			w.Write([]byte(`{"approve":false,"reason":"not ok"}`))
		}
	}))
	t.Cleanup(judge.Close)
	syncTrigger(t, h, path, `{"type":"http","url":"`+judge.URL+`"}`)
	if status, out := publishSync(t, h, path, `,"data":{"ok":false}`); status != http.StatusUnprocessableEntity || !strings.Contains(toJSON(out), "not ok") {
		t.Fatalf("denied: %d %v", status, out)
	}
	if status, out := publishSync(t, h, path, `,"data":{"ok":true}`); status != http.StatusCreated {
		t.Fatalf("approved: %d %v", status, out)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestSyncFailsClosed: a 2xx answer approves only when its body is empty or a decision
// within 64 KiB. A long denial is still a denial (the bug: only the first KiB was read,
// and what did not parse approved); anything that is not a decision denies unless the
// trigger allows on error. Every verdict is in the trigger's delivery log.
func TestSyncFailsClosed(t *testing.T) {
	long := strings.Repeat("r", 1100)
	for _, tt := range []struct {
		name, body, onError string
		want                int
	}{
		{"a long denial", `{"approve":false,"reason":"` + long + `"}`, "", http.StatusUnprocessableEntity},
		{"an approval over 64 KiB", `{"approve":true,"reason":"` + strings.Repeat("x", action.MaxDecisionBytes) + `"}`, "", http.StatusUnprocessableEntity},
		{"text", "ok", "", http.StatusUnprocessableEntity},
		{"approve not a boolean", `{"approve":"yes"}`, "", http.StatusUnprocessableEntity},
		{"no approve", `{"ok":true}`, "", http.StatusUnprocessableEntity},
		{"empty", "", "", http.StatusCreated},
		{"an approval", `{"approve":true}`, "", http.StatusCreated},
		{"text, allowed on error", "ok", `,"on_error":"allow"`, http.StatusCreated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			judge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(tt.body)) }))
			t.Cleanup(judge.Close)
			h, path := newSyncHandler(t)
			id := syncTrigger(t, h, path, `{"type":"http","url":"`+judge.URL+`"`+tt.onError+`}`)
			status, out := publishSync(t, h, path, ``)
			if status != tt.want {
				t.Fatalf("%d %v, want %d", status, out, tt.want)
			}
			if status == http.StatusUnprocessableEntity && strings.Contains(toJSON(out), strings.Repeat("r", action.MaxReasonBytes+1)) {
				t.Errorf("the denial's reason is not bounded: %v", out)
			}
			if n := onStream(t, h); (n == 1) != (tt.want == http.StatusCreated) {
				t.Errorf("%d events on the stream after a %d", n, status)
			}
			logged, _, err := h.Deliveries.List(context.Background(), id, "", 10, "")
			if err != nil {
				t.Fatal(err)
			}
			wantStatus := delivery.StatusDenied
			if tt.want == http.StatusCreated {
				wantStatus = delivery.StatusApproved
			}
			if len(logged) != 1 || logged[0].Status != wantStatus || len(logged[0].Log) != 1 {
				t.Fatalf("delivery log %+v, want one %s verdict", logged, wantStatus)
			}
		})
	}
}

// TestSyncAnswerSaysCataloged: an approved sync publish says whether its type is in the
// catalog, as the other publish answers do.
func TestSyncAnswerSaysCataloged(t *testing.T) {
	h, path := newSyncHandler(t)
	if status, out := publishSync(t, h, path, ``); status != http.StatusCreated || out["cataloged"] != true {
		t.Fatalf("a catalog type: %d %v", status, out)
	}
	custom := `{"event":"my-svc.ThingHappened","resource":{"type":"thing","path":"` + path + `/things/t1"}}`
	resp, out := do(t, h, request("POST", "/v1/events", custom, publisher, map[string]string{"mode": "sync"}))
	if resp.StatusCode != http.StatusCreated || out["cataloged"] != false {
		t.Fatalf("a type outside the catalog: %d %v", resp.StatusCode, out)
	}
}
