package lambdalocal

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config describes one function. The zero values of the optional fields give Lambda's
// defaults.
type Config struct {
	// Name is the function's logical id, e.g. "EventsApi". It becomes
	// AWS_LAMBDA_FUNCTION_NAME and the last part of the function ARN, so it must be a
	// valid Lambda function name (letters, digits, '-' and '_', at most 64).
	Name string
	// Binary is the path to the bootstrap executable. Its directory is the process's
	// working directory and LAMBDA_TASK_ROOT, as /var/task is in Lambda.
	Binary string
	// Env is the function's environment, as in the template's Environment.Variables.
	// The package adds what Lambda sets: AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_FUNCTION_NAME,
	// AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_LAMBDA_FUNCTION_VERSION ($LATEST),
	// AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME, AWS_LAMBDA_INITIALIZATION_TYPE,
	// AWS_EXECUTION_ENV, _HANDLER (bootstrap) and LAMBDA_TASK_ROOT, which Env cannot
	// override; and AWS_LAMBDA_LOG_FORMAT (JSON), AWS_REGION and AWS_DEFAULT_REGION
	// (us-east-1) and TZ (:UTC), which Env can. Of the parent's environment the process
	// inherits PATH and HOME only, so that a function sees the same variables locally as
	// in Lambda and nothing of the developer's shell leaks in.
	Env map[string]string
	// Timeout limits each invocation; 0 means Lambda's default of 3 seconds.
	Timeout time.Duration
	// MemoryMB is reported to the function (AWS_LAMBDA_FUNCTION_MEMORY_SIZE); 0 means
	// 128. Memory is not limited locally.
	MemoryMB int
	// MaxInstances is the number of concurrent execution environments, like reserved
	// concurrency; 0 means 4. Invoke waits for a free one.
	MaxInstances int
	// Logs receives the processes' stdout and stderr, one complete line per Write, lines
	// of concurrent instances never interleaved. Nil discards the output.
	Logs io.Writer
	// Record, when set, is called once for every invocation that reached the runtime,
	// when it ends (by its response, an error, a timeout or a crash), with its duration
	// as Response.Duration measures it: what Lambda bills. It is called before the caller
	// can see the end of the response, so a count it keeps is up to date once Invoke's
	// caller has read the body; it must return quickly and must not call the Function.
	Record func(duration time.Duration)
}

const (
	defaultTimeout      = 3 * time.Second
	defaultMemoryMB     = 128
	defaultMaxInstances = 4
	defaultRegion       = "us-east-1"

	// accountID is the account in local ARNs, as other local AWS emulators use it.
	accountID = "000000000000"
)

var functionName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// normalize validates c and fills in the defaults. The Env map is copied so that later
// changes by the caller do not reach running instances.
func (c Config) normalize() (Config, error) {
	if !functionName.MatchString(c.Name) {
		return c, fmt.Errorf("lambdalocal: invalid function name %q", c.Name)
	}
	if c.Binary == "" {
		return c, errors.New("lambdalocal: " + c.Name + ": no Binary")
	}
	bin, err := filepath.Abs(c.Binary)
	if err != nil {
		return c, fmt.Errorf("lambdalocal: %s: %w", c.Name, err)
	}
	info, err := os.Stat(bin)
	if err != nil {
		return c, fmt.Errorf("lambdalocal: %s: %w", c.Name, err)
	}
	if !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0 {
		return c, fmt.Errorf("lambdalocal: %s: %s is not an executable file", c.Name, bin)
	}
	c.Binary = bin

	switch {
	case c.Timeout < 0:
		return c, fmt.Errorf("lambdalocal: %s: negative Timeout", c.Name)
	case c.Timeout == 0:
		c.Timeout = defaultTimeout
	}
	switch {
	case c.MemoryMB == 0:
		c.MemoryMB = defaultMemoryMB
	case c.MemoryMB < 128 || c.MemoryMB > 10240:
		// Lambda's range; a template outside it would fail to deploy.
		return c, fmt.Errorf("lambdalocal: %s: MemoryMB %d outside 128..10240", c.Name, c.MemoryMB)
	}
	switch {
	case c.MaxInstances < 0:
		return c, fmt.Errorf("lambdalocal: %s: negative MaxInstances", c.Name)
	case c.MaxInstances == 0:
		c.MaxInstances = defaultMaxInstances
	}
	for k := range c.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return c, fmt.Errorf("lambdalocal: %s: invalid environment variable name %q", c.Name, k)
		}
	}
	c.Env = maps.Clone(c.Env)
	return c, nil
}

func (c *Config) region() string {
	if r := c.Env["AWS_REGION"]; r != "" {
		return r
	}
	return defaultRegion
}

func (c *Config) arn() string {
	return "arn:aws:lambda:" + c.region() + ":" + accountID + ":function:" + c.Name
}

// environ builds the environment of one instance's process, sorted for reproducibility.
func (c *Config) environ(runtimeAPI, logStream string) []string {
	env := map[string]string{
		"AWS_LAMBDA_LOG_FORMAT": "JSON",
		"AWS_REGION":            c.region(),
		"AWS_DEFAULT_REGION":    c.region(),
		"TZ":                    ":UTC",
	}
	for _, k := range []string{"PATH", "HOME"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	maps.Copy(env, c.Env)
	maps.Copy(env, map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
		"AWS_LAMBDA_FUNCTION_NAME":        c.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(c.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + c.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      logStream,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_provided.al2023",
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                filepath.Dir(c.Binary),
	})
	out := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out
}
