package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/devstack/testenv"
)

// ctl runs the heraldctl binary against the stack with the token in tokenVar (one of the
// banner's) and returns its output and exit code.
type ctl struct {
	bin, url string
	p        *stackProcess
}

func (c *ctl) run(t *testing.T, tokenVar string, args ...string) (string, int) {
	t.Helper()
	token := strings.TrimSpace(c.p.shell(t, `printf '%s' "$`+tokenVar+`"`))
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
	p := startStack(t)
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	c := &ctl{bin: filepath.Join(t.TempDir(), "heraldctl"), url: checkedAPI(t, p.banner["HTTP API"]), p: p}
	build := exec.Command("go", "build", "-o", c.bin, "./cmd/heraldctl")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building heraldctl: %v\n%s", err, out)
	}
	hook := newHookReceiver(t)

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
	out = c.must(t, "PUBLISHER_TOKEN", "publish", `{"event":"resource.ResourceCreated","resource":{"type":"collection","path":"projects/demo/ctl/c1"},"recipients":["demo"]}`)
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
	follow := exec.Command(c.bin, "--url", c.url, "--token", strings.TrimSpace(p.shell(t, `printf '%s' "$DEMO_TOKEN"`)), "--output", "json", "consumers", "fetch", cons.ID, "--follow")
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
	followed := c.must(t, "PUBLISHER_TOKEN", "-q", "publish", `{"event":"resource.ResourceUpdated","resource":{"type":"collection","path":"projects/demo/ctl/c2"}}`)
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
		h, _ := hook.received()
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

	// Errors have exit codes scripts can use.
	for _, tt := range []struct {
		token string
		args  []string
		code  int
	}{
		{"OTHER_TOKEN", []string{"consumers", "get", cons.ID}, 3},
		{"OTHER_TOKEN", []string{"publish", `{"event":"resource.ResourceCreated","resource":{"type":"x","path":"p"}}`}, 4},
		{"PUBLISHER_TOKEN", []string{"publish", `{"event":"nodot","resource":{"type":"x","path":"p"}}`}, 5},
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

// TestReadmeTour runs the README's heraldctl tour exactly as written, in one shell,
// against herald-local (its URL in place of the default port), after the banner's token
// exports: every line must succeed.
func TestReadmeTour(t *testing.T) {
	p := startStack(t)
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## A five-minute tour with heraldctl")
	if !ok {
		t.Fatal("README has no heraldctl tour")
	}
	_, block, ok := strings.Cut(after, "```sh\n")
	if !ok {
		t.Fatal("the tour has no sh block")
	}
	block, _, _ = strings.Cut(block, "```")
	script := strings.ReplaceAll(block, "http://127.0.0.1:3000", checkedAPI(t, p.banner["HTTP API"]))
	// The build line writes into the checkout; run it in a copy of PATH's bin instead.
	bin := t.TempDir()
	script = strings.ReplaceAll(script, "bin/heraldctl", bin+"/heraldctl")
	script = strings.ReplaceAll(script, `"$PWD/bin:$PATH"`, `"`+bin+`:$PATH"`)
	// Between publishing and counting, the notification travels through the inbox
	// queue: wait for it as a user would, by asking again.
	script = strings.Replace(script, "heraldctl --token \"$DEMO_TOKEN\" notifications count",
		`for i in $(seq 1 60); do heraldctl --token "$DEMO_TOKEN" --output json notifications count | grep -q '"unacknowledged": 1' && break; sleep 0.5; done; heraldctl --token "$DEMO_TOKEN" notifications count`, 1)
	out := p.shell(t, "set -e\ncd "+root+"\n"+script)
	for _, want := range []string{"UUID", "SEQUENCE", "UNACKNOWLEDGED", "MATCHED"} {
		if !strings.Contains(out, want) {
			t.Errorf("the tour's output lacks %q:\n%s", want, out)
		}
	}
}

// TestReadmeAPIExamples runs every other sh block of the README as written against
// herald-local, with HERALD_URL set to it and TOKEN to the demo user's token (as a reader
// following the README would set them), except the blocks that start the stack or deploy
// it (make run, sam): every answer must be a success, not a problem or a refusal.
func TestReadmeAPIExamples(t *testing.T) {
	p := startStack(t)
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	api := checkedAPI(t, p.banner["HTTP API"])
	blocks := strings.Split(string(readme), "```sh\n")[1:]
	ran := 0
	for _, b := range blocks {
		block, _, _ := strings.Cut(b, "```")
		if strings.Contains(block, "make run") || strings.Contains(block, "sam ") || strings.Contains(block, "heraldctl") {
			continue // the stack itself, a deployment, and the tour (TestReadmeTour)
		}
		ran++
		out := p.shell(t, `export HERALD_URL=`+api+`; export TOKEN="$DEMO_TOKEN"`, block)
		for _, bad := range []string{"urn:herald:problem", `"message":`} {
			if strings.Contains(out, bad) {
				t.Errorf("README example failed:\n%s\nanswered:\n%s", block, out)
			}
		}
	}
	if ran < 3 {
		t.Errorf("ran %d README examples, want the publishing, notification and trigger ones", ran)
	}
}
