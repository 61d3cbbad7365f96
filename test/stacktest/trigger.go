package stacktest

import (
	"encoding/json"
	"testing"
)

// CreateTrigger makes the demo user's trigger on item events under projects/demo, with
// a webhook to url, and returns its id and the secret shown at creation.
func CreateTrigger(t testing.TB, p *Stack, api, url string) (id, secret string) {
	t.Helper()
	out := p.Shell(t, `curl -s -X POST `+api+`/v1/triggers -H "Authorization: Bearer $DEMO_TOKEN" -H 'Content-Type: application/json' `+
		`-d '{"name":"items","resource":{"path":"projects/demo","include_subresources":true},"events":["resource.*"],"filter":{"resource.type":"itemsvc.*"},"action":{"type":"http","url":"`+url+`/hook"}}'`)
	var tr struct {
		ID     string `json:"id"`
		Action struct {
			Secret string `json:"secret"`
		} `json:"action"`
	}
	if err := json.Unmarshal([]byte(out), &tr); err != nil || tr.ID == "" || tr.Action.Secret == "" {
		t.Fatalf("create trigger: %s", out)
	}
	return tr.ID, tr.Action.Secret
}
