package client

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/heraldhq/herald/wire"
)

// pagedServer answers a listing of ids in pages of the client's limit, with the cursor
// being the id to start after; failAt makes the page starting there a 503.
func pagedServer(rec *recorder, ids []string, failAt string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		q, _ := url.ParseQuery(r.URL.RawQuery)
		if failAt != "" && q.Get("cursor") == failAt {
			writeProblem(w, 404, "not-found", "not found", "gone")
			return
		}
		start := 0
		for i, id := range ids {
			if id == q.Get("cursor") {
				start = i + 1
			}
		}
		end := min(start+2, len(ids))
		items := []map[string]string{}
		for _, id := range ids[start:end] {
			items = append(items, map[string]string{"id": id})
		}
		next := ""
		if end < len(ids) {
			next = ids[end-1]
		}
		writeJSON(w, 200, map[string]any{"items": items, "next_cursor": next})
	}
}

func TestAllConsumers(t *testing.T) {
	ids := []string{"a", "b", "c", "d", "e"}
	tests := []struct {
		name      string
		failAt    string
		stopAfter int // 0: read all
		wantIDs   []string
		wantErr   bool
		wantPages int
	}{
		{name: "every page", wantIDs: ids, wantPages: 3},
		{name: "stop early", stopAfter: 3, wantIDs: []string{"a", "b", "c"}, wantPages: 2},
		{name: "error on a later page", failAt: "d", wantIDs: []string{"a", "b", "c", "d"}, wantErr: true, wantPages: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			c, _ := newTestClient(t, pagedServer(&rec, ids, tt.failAt))
			var got []string
			var gotErr error
			for r, err := range c.AllConsumers(context.Background(), ListOptions{Limit: 2}) {
				if err != nil {
					gotErr = err
					break
				}
				got = append(got, r.ID)
				if len(got) == tt.stopAfter {
					break
				}
			}
			if (gotErr != nil) != tt.wantErr || tt.wantErr && !IsNotFound(gotErr) {
				t.Errorf("error %v", gotErr)
			}
			if len(got) != len(tt.wantIDs) || (len(got) > 0 && got[len(got)-1] != tt.wantIDs[len(tt.wantIDs)-1]) {
				t.Errorf("ids %v, want %v", got, tt.wantIDs)
			}
			reqs := rec.all()
			if len(reqs) != tt.wantPages {
				t.Fatalf("%d pages fetched, want %d", len(reqs), tt.wantPages)
			}
			if reqs[0].Query != "limit=2" || len(reqs) > 1 && reqs[1].Query != "cursor=b&limit=2" {
				t.Errorf("queries %q, %q", reqs[0].Query, reqs[len(reqs)-1].Query)
			}
		})
	}
}

// TestAllStopsOnAStuckCursor: a server that hands back the cursor it got would loop
// the iteration for ever.
func TestAllStopsOnAStuckCursor(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		writeJSON(w, 200, map[string]any{"items": []any{}, "next_cursor": "same"})
	})
	var errs int
	for _, err := range c.AllTriggers(context.Background(), ListOptions{}) {
		if err != nil {
			errs++
		}
	}
	if errs != 1 || rec.count() != 2 {
		t.Errorf("%d errors after %d pages", errs, rec.count())
	}
}

// TestAllWithParameters: the notification and delivery iterators keep their filters on
// every page.
func TestAllWithParameters(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, pagedServer(&rec, []string{"a", "b", "c"}, ""))
	ctx := context.Background()
	var n int
	for _, err := range c.AllNotifications(ctx, wire.StateAcknowledged, ListOptions{Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	for _, err := range c.AllDeliveries(ctx, "T1", wire.StatusRetrying, ListOptions{Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 6 {
		t.Errorf("%d items, want 6", n)
	}
	want := []string{
		"/v1/me/notifications?limit=2&state=acknowledged",
		"/v1/me/notifications?cursor=b&limit=2&state=acknowledged",
		"/v1/triggers/T1/deliveries?limit=2&status=retrying",
		"/v1/triggers/T1/deliveries?cursor=b&limit=2&status=retrying",
	}
	reqs := rec.all()
	if len(reqs) != len(want) {
		t.Fatalf("%d requests", len(reqs))
	}
	for i, r := range reqs {
		if got := r.Path + "?" + r.Query; got != want[i] {
			t.Errorf("request %d: %s, want %s", i, got, want[i])
		}
	}
}
