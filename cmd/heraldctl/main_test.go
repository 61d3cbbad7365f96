package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/auth"
)

// TestConfigPrecedence checks where the URL and token come from: flags, then the
// environment, then the config file, then the default URL.
func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.json")
	if err := os.WriteFile(file, []byte(`{"url":"http://from-file","token":"file-token"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name               string
		env                map[string]string
		args               []string
		wantURL, wantToken string
	}{
		{"file", nil, []string{"--config", file}, "http://from-file", "file-token"},
		{"env over file", map[string]string{"HERALD_URL": "http://from-env", "HERALD_TOKEN": "env-token"}, []string{"--config", file}, "http://from-env", "env-token"},
		{"flags over env", map[string]string{"HERALD_URL": "http://from-env", "HERALD_TOKEN": "env-token"}, []string{"--config", file, "--url", "http://from-flag", "--token", "flag-token"}, "http://from-flag", "flag-token"},
		{"default", nil, []string{"--config", filepath.Join(dir, "missing.json")}, defaultURL, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HERALD_URL", "")
			t.Setenv("HERALD_TOKEN", "")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			a, _, err := parseGlobal(append(tt.args, "catalog"), &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			if a.url != tt.wantURL || a.token != tt.wantToken {
				t.Errorf("url %q token %q, want %q and %q", a.url, a.token, tt.wantURL, tt.wantToken)
			}
		})
	}
}

// TestLocalCommands checks the commands that need no server: usage errors and their exit
// code, completion, and a minted token that verifies with the local secret.
func TestLocalCommands(t *testing.T) {
	t.Setenv("HERALD_JWT_SECRET", "")
	for _, args := range [][]string{{}, {"frobnicate"}, {"--output", "yaml", "catalog"}, {"consumers", "get"}, {"token", "--perm", "projects/p1"}, {"completion", "zsh"}} {
		if code, _, errOut := runCtl(t, args...); code != exitUsage || errOut == "" {
			t.Errorf("heraldctl %v: exit %d (%q), want %d with a message", args, code, errOut, exitUsage)
		}
	}
	if code, out, _ := runCtl(t, "completion", "bash"); code != 0 || !strings.Contains(out, "complete -F _heraldctl heraldctl") {
		t.Errorf("completion bash: exit %d\n%s", code, out)
	}
	code, out, _ := runCtl(t, "token", "--sub", "u1", "--perm", "projects/p1=read", "--role", "publisher", "--type", "service")
	if code != 0 {
		t.Fatalf("token: exit %d", code)
	}
	v, err := auth.NewVerifier(context.Background(), auth.Options{HMACSecret: []byte(devSecret)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Verify(context.Background(), strings.TrimSpace(out))
	if err != nil || c.Subject != "u1" || c.TokenType != auth.Service || c.Perms["projects/p1"] != auth.Read || !c.IsPublisher() {
		t.Errorf("the minted token: %+v, %v", c, err)
	}
}

// TestHelp checks that asking any command for help answers its usage on stdout and exits
// 0, with no server and no token: help is an answer, not a usage error.
func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want string // a line the answer must hold
	}{
		{[]string{"--help"}, "usage: heraldctl [--url URL]"},
		{[]string{"-h"}, "usage: heraldctl [--url URL]"},
		{[]string{"help"}, "usage: heraldctl [--url URL]"},
		{[]string{"publish", "--help"}, "  publish EVENT [--sync]"},
		{[]string{"catalog", "-h"}, "  catalog "},
		{[]string{"consumers", "--help"}, "  consumers fetch ID [--batch N] [--wait MS] [--follow]"},
		{[]string{"consumers", "create", "--help"}, "  consumers create SPEC"},
		{[]string{"consumers", "update", "--help"}, "  consumers update ID CHANGES"},
		{[]string{"consumers", "pause", "ID", "--help"}, "  consumers pause ID [--until RFC3339]"},
		{[]string{"consumers", "ack", "-help"}, "                                         acknowledge replies"},
		{[]string{"notifications", "--help"}, "  notifications count"},
		{[]string{"triggers", "replay", "ID", "--help"}, "  triggers replay ID"},
		{[]string{"admin", "--help"}, "  admin consumers disable ID | delete ID"},
		{[]string{"token", "--help"}, "  token [--sub ID]"},
		{[]string{"completion", "--help"}, "  completion bash"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			t.Setenv("HERALD_TOKEN", "")
			code := run(context.Background(), tt.args, strings.NewReader(""), &out, &errOut)
			if code != exitOK {
				t.Errorf("exit code %d, want %d; stderr: %s", code, exitOK, errOut.String())
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("stdout does not hold %q:\n%s", tt.want, out.String())
			}
			if errOut.Len() != 0 {
				t.Errorf("stderr: %s", errOut.String())
			}
		})
	}
	// A help flag after "--" is an argument, not a request for help.
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate", "--", "--help"}, strings.NewReader(""), &out, &errOut); code != exitUsage {
		t.Errorf("frobnicate -- --help: exit code %d, want %d", code, exitUsage)
	}
}
