package main

import (
	"context"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/devstack/template"
	"github.com/heraldhq/herald/internal/auth"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		expr    string
		want    time.Duration
		wantErr bool
	}{
		{"rate(1 minute)", time.Minute, false},
		{"rate(5 minutes)", 5 * time.Minute, false},
		{"rate(2 hours)", 2 * time.Hour, false},
		{"rate(1 day)", 24 * time.Hour, false},
		{"rate(0 minutes)", 0, true},
		{"rate(1 fortnight)", 0, true},
		{"rate(minute)", 0, true},
		{"cron(0 12 * * ? *)", 0, true},
	}
	for _, tt := range tests {
		got, err := parseRate(tt.expr)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseRate(%q) = %v, %v; want %v, error %v", tt.expr, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPrefixWriterWritesWholeLines(t *testing.T) {
	var out strings.Builder
	var mu sync.Mutex
	var tapped []string
	a := newPrefixWriter(&mu, &out, "A", func(line []byte) { tapped = append(tapped, string(line)) })
	b := newPrefixWriter(&mu, &out, "B", nil)
	a.Write([]byte("first half "))
	b.Write([]byte("b line\n"))
	a.Write([]byte("second half\nnext"))
	a.Write([]byte(" line\n"))
	want := "B | b line\nA | first half second half\nA | next line\n"
	if out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
	if want := []string{"first half second half\n", "next line\n"}; !slices.Equal(tapped, want) {
		t.Errorf("tapped %q, want A's lines %q without the prefix", tapped, want)
	}
}

func TestCheckPortsNamesTakenPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	err = checkPorts(map[string]int{"api-port": port, "nats-port": 0})
	if err == nil || !strings.Contains(err.Error(), "api-port") || !strings.Contains(err.Error(), "is taken") {
		t.Fatalf("err = %v, want it to name the taken api-port", err)
	}
	ln.Close()
	if err := checkPorts(map[string]int{"api-port": port}); err != nil {
		t.Fatalf("free port reported: %v", err)
	}
}

func TestOptionsFromFlagsOverEnvironment(t *testing.T) {
	t.Setenv("HERALD_LOCAL_API_PORT", "3100")
	t.Setenv("HERALD_LOCAL_NATS_PORT", "4300")
	t.Setenv("HERALD_LOCAL_STREAM_MAX_BYTES", "")
	t.Setenv("HERALD_JWT_SECRET", "")
	o, _, err := parseOptions("herald-local", []string{"-nats-port", "4400"}, "/repo")
	if err != nil {
		t.Fatal(err)
	}
	if o.apiPort != 3100 || o.natsPort != 4400 || o.dynamoDB != 8000 || o.sqsPort != 4566 {
		t.Fatalf("ports %+v", o)
	}
	if o.secret != localstack.DevSecret || o.state != "/repo/.herald" {
		t.Fatalf("secret %q state %q", o.secret, o.state)
	}
	if o.maxStreams != 0 {
		t.Fatalf("maxStreams %d, want 0 (the template's default)", o.maxStreams)
	}
	t.Setenv("HERALD_LOCAL_MAX_STREAMS_PER_USER", "3")
	if o, _, _ = parseOptions("herald-local", []string{"-api-port", "0"}, "/repo"); o.maxStreams != 3 {
		t.Fatalf("maxStreams %d from HERALD_LOCAL_MAX_STREAMS_PER_USER=3, want 3", o.maxStreams)
	}
	if o, _, _ = parseOptions("herald-local", []string{"-max-streams-per-user", "5"}, "/repo"); o.maxStreams != 5 {
		t.Fatalf("maxStreams %d from -max-streams-per-user 5, want 5", o.maxStreams)
	}
	if o.streamMaxBytes != localstack.StreamMaxBytes {
		t.Fatalf("streamMaxBytes %d, want the local stack's %d", o.streamMaxBytes, localstack.StreamMaxBytes)
	}
	t.Setenv("HERALD_LOCAL_STREAM_MAX_BYTES", "2097152")
	if o, _, _ = parseOptions("herald-local", nil, "/repo"); o.streamMaxBytes != 2<<20 {
		t.Fatalf("streamMaxBytes %d from HERALD_LOCAL_STREAM_MAX_BYTES=2097152, want 2 MiB", o.streamMaxBytes)
	}
	if o, _, _ = parseOptions("herald-local", []string{"-stream-max-bytes", "1048576"}, "/repo"); o.streamMaxBytes != 1<<20 {
		t.Fatalf("streamMaxBytes %d from -stream-max-bytes 1048576, want 1 MiB", o.streamMaxBytes)
	}
	if _, _, err := parseOptions("herald-local", []string{"stray"}, "/repo"); err == nil {
		t.Fatal("a stray argument must be an error")
	}
}

// TestActionTargetsOption checks that -action-targets (or HERALD_LOCAL_ACTION_TARGETS)
// gives the template's ActionTargets, empty by default as deployed.
func TestActionTargetsOption(t *testing.T) {
	tests := []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"default: none", "", nil, ""},
		{"environment", "arn:aws:sqs:*:*:env-*", nil, "arn:aws:sqs:*:*:env-*"},
		{"flag over environment", "arn:aws:sqs:*:*:env-*", []string{"-action-targets", "arn:aws:sqs:*:*:partner-*,arn:aws:sns:*:*:x"}, "arn:aws:sqs:*:*:partner-*,arn:aws:sns:*:*:x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HERALD_LOCAL_ACTION_TARGETS", tt.env)
			o, _, err := parseOptions("herald-local", tt.args, "/repo")
			if err != nil {
				t.Fatal(err)
			}
			if o.actionTargets != tt.want {
				t.Errorf("actionTargets = %q, want %q", o.actionTargets, tt.want)
			}
		})
	}
}

// TestCorsOriginsOption checks that -cors-origins (or
// HERALD_LOCAL_CORS_ORIGINS) gives the template's CorsOrigins: pages on this
// machine, on any port, by default; none when given empty.
func TestCorsOriginsOption(t *testing.T) {
	tests := []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"default: this machine, any port", "", nil, "http://localhost:*,http://127.0.0.1:*"},
		{"environment", "https://app.example.com", nil, "https://app.example.com"},
		{"flag over environment", "https://app.example.com", []string{"-cors-origins", "http://localhost:5173"}, "http://localhost:5173"},
		{"none", "", []string{"-cors-origins", ""}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HERALD_LOCAL_CORS_ORIGINS", tt.env)
			o, _, err := parseOptions("herald-local", tt.args, "/repo")
			if err != nil {
				t.Fatal(err)
			}
			if o.corsOrigins != tt.want {
				t.Errorf("corsOrigins = %q, want %q", o.corsOrigins, tt.want)
			}
		})
	}
}

// TestLambdaTargetsOption checks that -lambda-targets (or HERALD_LOCAL_LAMBDA_TARGETS)
// names functions by binary, made absolute, and refuses what is not NAME=BINARY.
func TestLambdaTargetsOption(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  string
		args []string
		want map[string]string // nil: refused
	}{
		{"default: none", "", nil, map[string]string{}},
		{"environment", "partner-a=/bin/a", nil, map[string]string{"partner-a": "/bin/a"}},
		{"flag over environment, relative made absolute", "partner-a=/bin/a", []string{"-lambda-targets", "partner-b=b/bootstrap, partner-c=/c"},
			map[string]string{"partner-b": filepath.Join(cwd, "b/bootstrap"), "partner-c": "/c"}},
		{"no binary", "", []string{"-lambda-targets", "partner-a"}, nil},
		{"empty binary", "", []string{"-lambda-targets", "partner-a="}, nil},
		{"not a function name", "", []string{"-lambda-targets", "partner a=/bin/a"}, nil},
		{"named twice", "", []string{"-lambda-targets", "p=/a,p=/b"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HERALD_LOCAL_LAMBDA_TARGETS", tt.env)
			o, _, err := parseOptions("herald-local", tt.args, "/repo")
			if tt.want == nil {
				if err == nil {
					t.Fatalf("accepted: %v", o.lambdaTargets)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(o.lambdaTargets, tt.want) {
				t.Errorf("lambdaTargets = %v, want %v", o.lambdaTargets, tt.want)
			}
		})
	}
}

func TestDevTokensVerify(t *testing.T) {
	tokens, err := mintTokens(localstack.DevSecret)
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(context.Background(), auth.Options{HMACSecret: []byte(localstack.DevSecret)})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devTokens {
		c, err := v.Verify(context.Background(), tokens[d.env])
		if err != nil {
			t.Fatalf("%s does not verify: %v", d.env, err)
		}
		if c.Subject != d.claims.Subject || c.TokenType != d.claims.TokenType || c.IsPublisher() != d.claims.IsPublisher() {
			t.Errorf("%s claims %+v, want %+v", d.env, c, d.claims)
		}
	}
	if _, err := mintTokens("short"); err == nil {
		t.Fatal("a secret under 32 bytes must be refused")
	}
}

// TestFunctionsOption checks that -functions (or HERALD_LOCAL_FUNCTIONS) names the folder
// of prebuilt function binaries, empty by default, so that the functions are built.
func TestFunctionsOption(t *testing.T) {
	tests := []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"default: build them", "", nil, ""},
		{"environment", "/prebuilt", nil, "/prebuilt"},
		{"flag over environment", "/prebuilt", []string{"-functions", "/other"}, "/other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HERALD_LOCAL_FUNCTIONS", tt.env)
			o, _, err := parseOptions("herald-local", tt.args, "/repo")
			if err != nil {
				t.Fatal(err)
			}
			if o.functions != tt.want {
				t.Errorf("functions = %q, want %q", o.functions, tt.want)
			}
		})
	}
}

// TestFunctionBinariesPrebuilt checks that with -functions the stack runs the binaries
// in that folder and builds nothing, and that a missing one stops it, named.
func TestFunctionBinariesPrebuilt(t *testing.T) {
	dir, state := t.TempDir(), t.TempDir()
	for _, id := range []string{"Router", "Deliver"} {
		bin := localstack.FunctionBinary(dir, id)
		if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := options{root: t.TempDir(), state: state, functions: dir}
	bins, err := functionBinaries(context.Background(), opts, []string{"Router", "Deliver"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"Router", "Deliver"} {
		if bins[id] != localstack.FunctionBinary(dir, id) {
			t.Errorf("%s: %q, want the prebuilt %q", id, bins[id], localstack.FunctionBinary(dir, id))
		}
	}
	if _, err := os.Stat(filepath.Join(state, "build")); !os.IsNotExist(err) {
		t.Errorf("the state folder has a build folder (%v): nothing should be built", err)
	}
	if _, err := functionBinaries(context.Background(), opts, []string{"Router", "Bridge"}); err == nil || !strings.Contains(err.Error(), "Bridge") {
		t.Errorf("a missing prebuilt binary: err = %v, want one naming Bridge", err)
	}
}

// TestStreamingFunctions: the template's response-streaming function, and only it, gets
// the instances of every open stream and some to spare.
func TestStreamingFunctions(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fn := range tmpl.Functions() {
		if streams(fn) {
			got = append(got, fn.LogicalID)
		}
	}
	if !slices.Equal(got, []string{"Stream"}) {
		t.Errorf("streaming functions %q, want [Stream]", got)
	}
	if localstack.StreamInstances <= localstack.MaxOpenStreams {
		t.Errorf("%d Stream instances for %d open streams: none to spare", localstack.StreamInstances, localstack.MaxOpenStreams)
	}
}
