package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/wire"
)

// app holds what every command needs.
type app struct {
	url, token, output, config string
	quiet                      bool // print only ids, for scripts: CONSUMER=$(heraldctl -q consumers create …)
	stdin                      io.Reader
	stdout, stderr             io.Writer
}

// fileConfig is the config file's content.
type fileConfig struct {
	URL   string `json:"url"`
	Token string `json:"token"`
}

// defaultURL is herald-local's HTTP API, where a fresh `make run` listens.
const defaultURL = "http://127.0.0.1:3000"

// parseGlobal reads the global flags, then fills what they leave unset from the
// environment and the config file.
func parseGlobal(args []string, stderr io.Writer) (*app, []string, error) {
	a := &app{}
	fs := flag.NewFlagSet("heraldctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	// The usage goes to stderr after a bad flag; --help is answered by run, on stdout.
	fs.Usage = func() {}
	fs.StringVar(&a.url, "url", "", "the API's base URL (HERALD_URL; default "+defaultURL+")")
	fs.StringVar(&a.token, "token", "", "the bearer token (HERALD_TOKEN)")
	fs.StringVar(&a.output, "output", "table", "table or json")
	fs.StringVar(&a.config, "config", defaultConfigPath(), "the config file")
	fs.BoolVar(&a.quiet, "q", false, "print only the id of what a command makes or lists")
	if err := fs.Parse(args); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			usage(stderr)
		}
		return nil, nil, err
	}
	if a.output != "table" && a.output != "json" {
		fmt.Fprintln(stderr, "heraldctl: --output must be table or json")
		return nil, nil, errUsage
	}
	var fc fileConfig
	if b, err := os.ReadFile(a.config); err == nil {
		if err := json.Unmarshal(b, &fc); err != nil {
			fmt.Fprintf(stderr, "heraldctl: the config file %s is not JSON: %v\n", a.config, err)
			return nil, nil, errUsage
		}
	}
	a.url = first(a.url, os.Getenv("HERALD_URL"), fc.URL, defaultURL)
	a.token = first(a.token, os.Getenv("HERALD_TOKEN"), fc.Token)
	return a, fs.Args(), nil
}

func defaultConfigPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "heraldctl", "config.json")
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// client returns an API client for the configured URL and token.
func (a *app) client() (*client.Client, error) {
	var opts []client.Option
	if a.token != "" {
		opts = append(opts, client.WithToken(a.token))
	}
	opts = append(opts, client.WithUserAgent("heraldctl/1"))
	return client.New(a.url, opts...)
}

// jsonArg reads a JSON argument: literal JSON, "@file", or "-" for standard input.
func (a *app) jsonArg(arg string, v any) error {
	var b []byte
	var err error
	switch {
	case arg == "-":
		b, err = io.ReadAll(a.stdin)
	case strings.HasPrefix(arg, "@"):
		b, err = os.ReadFile(arg[1:])
	default:
		b = []byte(arg)
	}
	if err != nil {
		return usageErr("reading %s: %v", arg, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return usageErr("not valid JSON (%v): give JSON, @file or - for standard input", err)
	}
	return nil
}

// warn prints the warnings of a create answer on stderr, one a line, so that they
// reach a person without changing what scripts read on stdout.
func (a *app) warn(ws []wire.Warning) {
	for _, w := range ws {
		fmt.Fprintf(a.stderr, "heraldctl: warning: %s: %s\n", w.Field, w.Message)
	}
}

// printIDs writes one id per line, for -q.
func (a *app) printIDs(ids ...string) error {
	for _, id := range ids {
		if _, err := fmt.Fprintln(a.stdout, id); err != nil {
			return err
		}
	}
	return nil
}

// print writes v as JSON, or as the table rows gives when the output is a table.
func (a *app) print(v any, rows func(t *table)) error {
	if a.output == "json" || rows == nil {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	}
	t := newTable(a.stdout)
	rows(t)
	return t.flush()
}

// errUsage marks bad usage; its message was printed already.
var errUsage = errors.New("usage")

// usageError is bad usage with a message.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErr(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// needArgs checks a command's positional arguments.
func needArgs(args []string, n int, what string) error {
	if len(args) < n {
		return usageErr("missing %s", what)
	}
	return nil
}
