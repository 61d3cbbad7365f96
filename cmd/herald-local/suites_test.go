package main

import (
	"path/filepath"
	"sort"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/shared/auth"
	"github.com/heraldhq/herald/shared/emulator"
	"github.com/heraldhq/herald/shared/stack"
)

// This file holds what the stress suites (security, bad input, queue consumers, chaos)
// share: tokens for any identity, and the template's routes and queue consumers that a
// suite must cover.

// mintToken returns a token for c, signed with the secret startStack's stacks use.
func mintToken(t testing.TB, c auth.Claims) string {
	t.Helper()
	tok, err := auth.Mint([]byte(DevSecret), c, TokenTTL)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// loadTemplate parses the repository's template.yaml.
func loadTemplate(t testing.TB) *stack.Template {
	t.Helper()
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := stack.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// templateRoutes returns every HTTP route of template.yaml.
func templateRoutes(t testing.TB) []stack.Route {
	t.Helper()
	routes, err := loadTemplate(t).Routes()
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) == 0 {
		t.Fatal("template.yaml declares no HTTP routes")
	}
	return routes
}

// checkCovers fails t unless covered holds exactly want's keys: a suite that misses one
// of the template's routes (or queue consumers), or names one the template lacks, is
// out of date.
func checkCovers(t testing.TB, suite string, want []string, covered map[string]bool) {
	t.Helper()
	var missing, extra []string
	wanted := map[string]bool{}
	for _, w := range want {
		wanted[w] = true
		if !covered[w] {
			missing = append(missing, w)
		}
	}
	for c := range covered {
		if !wanted[c] {
			extra = append(extra, c)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Errorf("the %s suite does not cover template.yaml:\n  not covered: %v\n  not in the template: %v", suite, missing, extra)
	}
}

// connectJetStream connects to the stack's NATS (the banner's URL) for the test's life.
func connectJetStream(t testing.TB, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}
