package template

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestRoutes(t *testing.T) {
	tmpl, err := Load(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := tmpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]Route{}
	for _, r := range routes {
		if _, dup := byKey[r.String()]; dup {
			t.Errorf("route %s listed twice", r)
		}
		byKey[r.String()] = r
	}
	for _, tc := range []struct {
		key, function       string
		public, functionURL bool
	}{
		{"GET /v1/health", "EventsApi", true, false},
		{"POST /v1/acknowledge", "ConsumersApi", true, false},
		{"POST /v1/events", "EventsApi", false, false},
		{"GET /v1/consumers/{id}/stream", "Stream", false, true},
		{"GET /v1/me/notifications/stream", "Stream", false, true},
	} {
		r, ok := byKey[tc.key]
		if !ok {
			t.Errorf("route %s missing from %d routes", tc.key, len(routes))
			continue
		}
		if r.Function != tc.function || r.Public != tc.public || r.FunctionURL != tc.functionURL {
			t.Errorf("%s = %+v, want function %s, public %v, function URL %v", tc.key, r, tc.function, tc.public, tc.functionURL)
		}
	}
	if got := tmpl.QueueConsumers(); !slices.Equal(got, []string{"Deliver", "Inbox", "Router"}) {
		t.Errorf("QueueConsumers() = %v, want [Deliver Inbox Router]", got)
	}
}
