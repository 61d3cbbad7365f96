package heraldctl

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/test/stacktest"
)

// ctl runs the heraldctl binary against the stack with the token in tokenVar (one of the
// banner's) and returns its output and exit code.
type ctl struct {
	bin, url string
	p        *stacktest.Stack
}

func (c *ctl) run(t *testing.T, tokenVar string, args ...string) (string, int) {
	t.Helper()
	token := strings.TrimSpace(c.p.Shell(t, `printf '%s' "$`+tokenVar+`"`))
	cmd := exec.Command(c.bin, append([]string{"--url", c.url, "--token", token, "--config", filepath.Join(t.TempDir(), "none.json")}, args...)...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("heraldctl %v: %v", args, err)
	}
	return string(out), code
}

// must runs heraldctl and fails the test unless it exits 0.
func (c *ctl) must(t *testing.T, tokenVar string, args ...string) string {
	t.Helper()
	out, code := c.run(t, tokenVar, args...)
	if code != 0 {
		t.Fatalf("heraldctl %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// TestHeraldctl runs heraldctl against herald-local: a consumer (create, publish, fetch,
// ack), a trigger with a webhook (create, its delivery in the log), the inbox, exit
// codes for errors, and a token minted with the local secret.
func TestHeraldctl(t *testing.T) {
	p := stacktest.Start(t)
	c := &ctl{bin: stacktest.Heraldctl(t), url: stacktest.CheckedAPI(t, p.Banner["HTTP API"]), p: p}
	hook := stacktest.NewHookReceiver(t)

	// A trigger first, so that the Router's first load has it.
	var tr struct {
		ID string `json:"id"`
	}
	out := c.must(t, "DEMO_TOKEN", "--output", "json", "triggers", "create", `{"name":"ctl","resource":{"path":"projects/demo/ctl","include_subresources":true},"events":["*"],"action":{"type":"http","url":"`+hook.URL+`"}}`)
	if err := json.Unmarshal([]byte(out), &tr); err != nil || tr.ID == "" || !strings.Contains(out, "whsec_") {
		t.Fatalf("triggers create: %s", out)
	}

	var cons struct {
		ID string `json:"id"`
	}
	out = c.must(t, "DEMO_TOKEN", "--output", "json", "consumers", "create", `{"target":{"resources":[{"path":"projects/demo/ctl","include_subresources":true}]}}`)
	if err := json.Unmarshal([]byte(out), &cons); err != nil || cons.ID == "" {
		t.Fatalf("consumers create: %s", out)
	}
	// A misspelt event type: the consumer is made all the same, with a warning on stderr
	// and its id alone on stdout.
	out = c.must(t, "DEMO_TOKEN", "-q", "consumers", "create", `{"target":{"resources":[{"path":"projects/demo/ctl"}]},"event_types":["job.JobFinishd"]}`)
	if !strings.Contains(out, "heraldctl: warning: event_types[0]: no event type job.JobFinishd is known") {
		t.Errorf("consumers create of a misspelt type: %s, want a warning", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, "heraldctl: warning: ") {
			c.must(t, "DEMO_TOKEN", "consumers", "delete", line)
		}
	}
	out = c.must(t, "PUBLISHER_TOKEN", "publish", `{"event":"resource.ResourceCreated","resource":{"type":"collection","path":"projects/demo/ctl/c1","after":{"title":"c1"}},"recipients":["demo"]}`)
	if !strings.Contains(out, "UUID") {
		t.Fatalf("publish: %s", out)
	}
	var msgs []struct {
		Reply json.RawMessage `json:"reply"`
	}
	out = c.must(t, "DEMO_TOKEN", "--output", "json", "consumers", "fetch", cons.ID, "--wait", "2000")
	if err := json.Unmarshal([]byte(out), &msgs); err != nil || len(msgs) != 1 {
		t.Fatalf("consumers fetch: %s", out)
	}
	replies, _ := json.Marshal([]json.RawMessage{msgs[0].Reply})
	if out := c.must(t, "DEMO_TOKEN", "consumers", "ack", string(replies)); !strings.Contains(out, "1") {
		t.Fatalf("consumers ack: %s", out)
	}
	if out := c.must(t, "DEMO_TOKEN", "--output", "json", "consumers", "get", cons.ID); !strings.Contains(out, `"num_ack_pending": 0`) {
		t.Errorf("consumers get after the ack: %s", out)
	}

	// fetch --follow streams what comes next.
	follow := exec.Command(c.bin, "--url", c.url, "--token", strings.TrimSpace(p.Shell(t, `printf '%s' "$DEMO_TOKEN"`)), "--output", "json", "consumers", "fetch", cons.ID, "--follow")
	stdout, err := follow.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := follow.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { follow.Process.Kill(); follow.Wait() })
	lines := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	followed := c.must(t, "PUBLISHER_TOKEN", "-q", "publish", `{"event":"resource.ResourceUpdated","resource":{"type":"collection","path":"projects/demo/ctl/c2","before":{"title":"c2"},"after":{"title":"c2, renamed"}}}`)
	deadline := time.After(30 * time.Second)
	for got := ""; !strings.Contains(got, strings.TrimSpace(followed)); {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("fetch --follow ended before the event %s arrived", followed)
			}
			got += line
		case <-deadline:
			t.Fatalf("fetch --follow did not print the event %s within 30 s", followed)
		}
	}

	// The webhook arrives and the delivery log says so.
	testenv.WaitFor(t, 30*time.Second, func() bool {
		h, _ := hook.Received()
		return len(h) > 0
	}, "the trigger's webhook")
	testenv.WaitFor(t, 10*time.Second, func() bool {
		return strings.Contains(c.must(t, "DEMO_TOKEN", "triggers", "deliveries", tr.ID), "succeeded")
	}, "the delivery log to show the success")

	// The event named demo as a recipient: it is in the inbox; acknowledging empties it.
	var notes []struct {
		ID string `json:"id"`
	}
	testenv.WaitFor(t, 30*time.Second, func() bool {
		out = c.must(t, "DEMO_TOKEN", "--output", "json", "notifications", "list")
		return json.Unmarshal([]byte(out), &notes) == nil && len(notes) > 0
	}, "the notification in the inbox")
	ids := make([]string, len(notes))
	for i, n := range notes {
		ids[i] = n.ID
	}
	c.must(t, "DEMO_TOKEN", append([]string{"notifications", "ack"}, ids...)...)
	if out := c.must(t, "DEMO_TOKEN", "--output", "json", "notifications", "count"); !strings.Contains(out, `"unacknowledged": 0`) {
		t.Errorf("count after acknowledging: %s", out)
	}

	// One event type of the catalog, with its contract.
	if out := c.must(t, "DEMO_TOKEN", "catalog", "job.JobFinished"); !strings.Contains(out, `"$id": "urn:herald:event-schema:job.JobFinished"`) || !strings.Contains(out, `"example"`) {
		t.Errorf("catalog job.JobFinished: %s", out)
	}

	// Errors have exit codes scripts can use.
	for _, tt := range []struct {
		token string
		args  []string
		code  int
	}{
		{"OTHER_TOKEN", []string{"consumers", "get", cons.ID}, 3},
		{"OTHER_TOKEN", []string{"publish", `{"event":"resource.ResourceCreated","resource":{"type":"x","path":"p"}}`}, 4},
		{"PUBLISHER_TOKEN", []string{"publish", `{"event":"nodot","resource":{"type":"x","path":"p"}}`}, 5},
		{"PUBLISHER_TOKEN", []string{"publish", `{"event":"job.JobFinished","resource":{"type":"job","id":"j1","path":"p/j1"},"data":{"jobType":"TRANSCODE"}}`}, 5},
		{"DEMO_TOKEN", []string{"catalog", "job.JobFinishd"}, 3},
		{"DEMO_TOKEN", []string{"consumers", "frobnicate"}, 2},
		{"DEMO_TOKEN", []string{"publish", `not json`}, 2},
	} {
		if out, code := c.run(t, tt.token, tt.args...); code != tt.code {
			t.Errorf("heraldctl %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), code, tt.code, out)
		}
	}

	// A minted token works against the stack, which uses the default local secret.
	minted := strings.TrimSpace(c.must(t, "DEMO_TOKEN", "token", "--sub", "ctl-user"))
	cmd := exec.Command(c.bin, "--url", c.url, "--token", minted, "--output", "json", "notifications", "count")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), `"unacknowledged": 0`) {
		t.Errorf("a minted token: %v\n%s", err, out)
	}

	// An administrator (a minted token with the admin role) lists, disables and deletes
	// demo's trigger and consumer; demo may not.
	adminTok := strings.TrimSpace(c.must(t, "DEMO_TOKEN", "token", "--sub", "ctl-admin", "--role", "admin"))
	asAdmin := func(args ...string) (string, error) {
		out, err := exec.Command(c.bin, append([]string{"--url", c.url, "--token", adminTok, "--config", filepath.Join(t.TempDir(), "none.json")}, args...)...).CombinedOutput()
		return string(out), err
	}
	if out, err := asAdmin("admin", "triggers", "list", "--owner", "demo"); err != nil || !strings.Contains(out, tr.ID) {
		t.Errorf("admin triggers list: %v\n%s", err, out)
	}
	if out, err := asAdmin("admin", "consumers", "disable", cons.ID); err != nil || !strings.Contains(out, "disabled by an administrator") {
		t.Errorf("admin consumers disable: %v\n%s", err, out)
	}
	if out, code := c.run(t, "DEMO_TOKEN", "consumers", "fetch", cons.ID); code != 1 || !strings.Contains(out, "409") {
		t.Errorf("fetching from the disabled consumer: exit %d, want 1 with the 409\n%s", code, out)
	}
	if out, code := c.run(t, "DEMO_TOKEN", "admin", "triggers", "delete", tr.ID); code != 4 {
		t.Errorf("demo deleting with admin: exit %d, want 4\n%s", code, out)
	}
	if out, err := asAdmin("admin", "triggers", "delete", tr.ID); err != nil {
		t.Errorf("admin triggers delete: %v\n%s", err, out)
	}
	if out, code := c.run(t, "DEMO_TOKEN", "triggers", "get", tr.ID); code != 3 {
		t.Errorf("demo's trigger after the administrator deleted it: exit %d, want 3\n%s", code, out)
	}
}
