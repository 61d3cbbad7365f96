package gateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestObserve checks that every request the gateway answers is reported once, with its
// route, its function, whether it is a Function URL, and its body sizes: routed requests,
// refusals of the authorizer, and requests no route takes.
func TestObserve(t *testing.T) {
	api := newFake(answer[map[string]any](`{"ok":true}`))
	auth := newFake(allow(nil))
	cfg := Config{
		Routes: []Route{
			{Method: "POST", Path: "/v1/events", Function: "Api", Authorizer: "Jwt"},
			{Method: "GET", Path: "/v1/consumers/{id}/stream", Function: "Live", URL: true},
		},
		Authorizers: map[string]Authorizer{"Jwt": {Function: "Auth", IdentityHeaders: []string{"Authorization"}}},
	}
	g := newGateway(t, cfg, map[string]Invoker{"Api": api, "Live": api, "Auth": auth})
	var mu sync.Mutex
	var got []Served
	g.Observe(func(s Served) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, s)
	})

	tests := []struct {
		name         string
		method, path string
		token        string
		body         string
		want         Served
	}{
		{"routed", "POST", "/v1/events", "Bearer t", `{"event":"a.B"}`,
			Served{Route: "POST /v1/events", Function: "Api", RequestBytes: 15, ResponseBytes: 11}},
		{"no token: the gateway's own 401", "POST", "/v1/events", "", `{}`,
			Served{Route: "POST /v1/events", Function: "Api", RequestBytes: 2, ResponseBytes: int64(len(`{"message":"Unauthorized"}` + "\n"))}},
		{"function URL", "GET", "/v1/consumers/c1/stream", "", "",
			Served{Route: "GET /v1/consumers/{id}/stream", Function: "Live", URL: true, ResponseBytes: 11}},
		{"no route", "GET", "/v1/nothing", "", "", Served{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			r := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.token != "" {
				r.Header.Set("Authorization", tt.token)
			}
			w := serve(g, r)
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 {
				t.Fatalf("observed %d requests (%+v), want 1", len(got), got)
			}
			want := tt.want
			if tt.want.Route == "" {
				// The 404's problem body, whatever its wording.
				want.ResponseBytes = int64(w.Body.Len())
				if w.Code != http.StatusNotFound {
					t.Errorf("status %d, want 404", w.Code)
				}
			}
			if got[0] != want {
				t.Errorf("observed %+v, want %+v", got[0], want)
			}
		})
	}
}
