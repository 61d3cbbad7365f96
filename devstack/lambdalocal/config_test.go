package lambdalocal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewValidates(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(notExec, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"empty name", Config{Binary: testBinary}, "invalid function name"},
		{"bad name", Config{Name: "Events Api", Binary: testBinary}, "invalid function name"},
		{"long name", Config{Name: strings.Repeat("a", 65), Binary: testBinary}, "invalid function name"},
		{"no binary", Config{Name: "Fn"}, "no Binary"},
		{"missing binary", Config{Name: "Fn", Binary: filepath.Join(dir, "nope")}, "no such file"},
		{"directory", Config{Name: "Fn", Binary: dir}, "not an executable file"},
		{"not executable", Config{Name: "Fn", Binary: notExec}, "not an executable file"},
		{"negative timeout", Config{Name: "Fn", Binary: testBinary, Timeout: -1}, "negative Timeout"},
		{"memory too small", Config{Name: "Fn", Binary: testBinary, MemoryMB: 64}, "MemoryMB"},
		{"memory too large", Config{Name: "Fn", Binary: testBinary, MemoryMB: 10241}, "MemoryMB"},
		{"negative instances", Config{Name: "Fn", Binary: testBinary, MaxInstances: -1}, "MaxInstances"},
		{"bad env name", Config{Name: "Fn", Binary: testBinary, Env: map[string]string{"A=B": "c"}}, "environment variable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, %v; want error containing %q", f, err, tt.want)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	env := map[string]string{"A": "1"}
	f, err := New(Config{Name: "EventsApi", Binary: testBinary, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env["A"] = "changed" // the function keeps its own copy
	c := f.cfg
	if c.Timeout != 3*time.Second || c.MemoryMB != 128 || c.MaxInstances != 4 || c.Env["A"] != "1" {
		t.Errorf("defaults: Timeout %v, MemoryMB %d, MaxInstances %d, Env %v", c.Timeout, c.MemoryMB, c.MaxInstances, c.Env)
	}
	if !filepath.IsAbs(c.Binary) {
		t.Errorf("Binary %q not made absolute", c.Binary)
	}
	if want := "arn:aws:lambda:us-east-1:000000000000:function:EventsApi"; f.arn != want {
		t.Errorf("arn = %q, want %q", f.arn, want)
	}
	if len(pidsOf(f)) != 0 {
		t.Error("New started an instance")
	}
}

// TestEnvironment checks what the process sees: Lambda's variables, the function's own,
// and of the parent's environment PATH and HOME only.
func TestEnvironment(t *testing.T) {
	t.Setenv("LAMBDALOCAL_PARENT_ONLY", "leak")
	f := newFunction(t, Config{
		Name:     "EnvFn",
		MemoryMB: 256,
		Env: map[string]string{
			"HERALD_TABLE":             "Triggers",
			"AWS_REGION":               "eu-central-1",
			"AWS_LAMBDA_FUNCTION_NAME": "Overridden", // reserved: ignored
			"TZ":                       "Europe/Berlin",
		},
	})
	var env map[string]string
	call(t, testContext(t), f, req{Mode: "env"}, &env)

	dir := filepath.Dir(f.cfg.Binary)
	want := map[string]string{
		"HERALD_TABLE":                    "Triggers",
		"AWS_REGION":                      "eu-central-1",
		"AWS_DEFAULT_REGION":              "eu-central-1",
		"AWS_LAMBDA_FUNCTION_NAME":        "EnvFn",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_FORMAT":           "JSON",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/EnvFn",
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                dir,
		"TZ":                              "Europe/Berlin",
		"PATH":                            os.Getenv("PATH"),
		"(cwd)":                           dir,
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if api := env["AWS_LAMBDA_RUNTIME_API"]; !strings.HasPrefix(api, "127.0.0.1:") {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q", api)
	}
	if s := env["AWS_LAMBDA_LOG_STREAM_NAME"]; !strings.Contains(s, "/[$LATEST]") {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", s)
	}
	if _, ok := env["LAMBDALOCAL_PARENT_ONLY"]; ok {
		t.Error("the parent's environment leaked into the function")
	}
}

func TestEnvironmentDefaults(t *testing.T) {
	f := newFunction(t, Config{Env: map[string]string{"AWS_LAMBDA_LOG_FORMAT": "Text"}})
	var env map[string]string
	call(t, testContext(t), f, req{Mode: "env"}, &env)
	for k, v := range map[string]string{"AWS_REGION": "us-east-1", "TZ": ":UTC", "AWS_LAMBDA_LOG_FORMAT": "Text", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"} {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
}
