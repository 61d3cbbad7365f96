package readme

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/test/stacktest"
)

// TestReadmeTour runs the README's heraldctl tour exactly as written, in one shell,
// against herald-local (its URL in place of the default port), after the banner's token
// exports: every line must succeed.
func TestReadmeTour(t *testing.T) {
	p := stacktest.Start(t)
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
	script := strings.ReplaceAll(block, "http://127.0.0.1:3000", stacktest.CheckedAPI(t, p.Banner["HTTP API"]))
	// The build line writes into the checkout; run it in a copy of PATH's bin instead.
	bin := t.TempDir()
	script = strings.ReplaceAll(script, "bin/heraldctl", bin+"/heraldctl")
	script = strings.ReplaceAll(script, `"$PWD/bin:$PATH"`, `"`+bin+`:$PATH"`)
	// Between publishing and counting, the notification travels through the inbox
	// queue: wait for it as a user would, by asking again.
	script = strings.Replace(script, "heraldctl --token \"$DEMO_TOKEN\" notifications count",
		`for i in $(seq 1 60); do heraldctl --token "$DEMO_TOKEN" --output json notifications count | grep -q '"unacknowledged": 1' && break; sleep 0.5; done; heraldctl --token "$DEMO_TOKEN" notifications count`, 1)
	out := p.Shell(t, "set -e\ncd "+root+"\n"+script)
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
	p := stacktest.Start(t)
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	api := stacktest.CheckedAPI(t, p.Banner["HTTP API"])
	blocks := strings.Split(string(readme), "```sh\n")[1:]
	ran := 0
	for _, b := range blocks {
		block, _, _ := strings.Cut(b, "```")
		if strings.Contains(block, "make run") || strings.Contains(block, "sam ") || strings.Contains(block, "heraldctl") {
			continue // the stack itself, a deployment, and the tour (TestReadmeTour)
		}
		ran++
		out := p.Shell(t, `export HERALD_URL=`+api+`; export TOKEN="$DEMO_TOKEN"`, block)
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
