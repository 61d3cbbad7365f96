package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/devstack/localstack"
)

// options configure a local stack.
type options struct {
	root  string // the repository: template.yaml, Makefile, local/
	state string // where NATS keeps its data and functions are built
	// functions, when set, is a folder of prebuilt function binaries for this machine
	// (<functions>/<LogicalId>/bootstrap, as `make build` lays them out): they are run
	// instead of building the functions into state.
	functions string
	apiPort   int
	natsPort  int
	dynamoDB  int
	sqsPort   int
	secret    string
	// maxStreams is the template's MaxStreamsPerUser; 0 keeps the template's default.
	maxStreams int
	// streamMaxBytes is the template's StreamMaxBytes, the bound of HERALD_EVENTS: by
	// default localstack.StreamMaxBytes; 0 keeps the template's default. Tests set it small to fill the stream cheaply.
	streamMaxBytes int64
	// corsOrigins is the template's CorsOrigins: the origins whose pages may call
	// the API and open streams from a browser.
	corsOrigins string
	// actionTargets is the template's ActionTargets: the ARN patterns sqs, sns and lambda
	// actions may reach; empty allows none, as deployed by default.
	actionTargets string
	// lambdaTargets are functions of others' that lambda actions may invoke: name →
	// binary (a Lambda custom runtime's bootstrap, absolute). The Lambda Invoke API serves
	// them beside the stack's own, as partner-hook or arn:…:function:partner-hook.
	lambdaTargets map[string]string
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// parseOptions reads flags over HERALD_LOCAL_* variables over defaults.
func parseOptions(name string, args []string, root string) (options, *flag.FlagSet, error) {
	o := options{root: root}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.IntVar(&o.apiPort, "api-port", envInt("HERALD_LOCAL_API_PORT", 3000), "HTTP API port (HERALD_LOCAL_API_PORT)")
	fs.IntVar(&o.natsPort, "nats-port", envInt("HERALD_LOCAL_NATS_PORT", 4222), "NATS port (HERALD_LOCAL_NATS_PORT)")
	fs.IntVar(&o.dynamoDB, "dynamodb-port", envInt("HERALD_LOCAL_DYNAMODB_PORT", 8000), "DynamoDB emulator port (HERALD_LOCAL_DYNAMODB_PORT)")
	fs.IntVar(&o.sqsPort, "sqs-port", envInt("HERALD_LOCAL_SQS_PORT", 4566), "SNS/SQS emulator port (HERALD_LOCAL_SQS_PORT)")
	fs.StringVar(&o.state, "state", envString("HERALD_LOCAL_STATE", filepath.Join(root, ".herald")), "state folder: NATS data, built functions (HERALD_LOCAL_STATE)")
	fs.StringVar(&o.functions, "functions", envString("HERALD_LOCAL_FUNCTIONS", ""), "folder of prebuilt function binaries, <folder>/<LogicalId>/bootstrap, run instead of building the functions; empty builds them into the state folder (HERALD_LOCAL_FUNCTIONS)")
	fs.StringVar(&o.secret, "jwt-secret", envString("HERALD_JWT_SECRET", localstack.DevSecret), "HS256 secret for API tokens (HERALD_JWT_SECRET)")
	fs.IntVar(&o.maxStreams, "max-streams-per-user", envInt("HERALD_LOCAL_MAX_STREAMS_PER_USER", 0), "open streams per user, the MaxStreamsPerUser parameter; 0 keeps the template's default (HERALD_LOCAL_MAX_STREAMS_PER_USER)")
	fs.Int64Var(&o.streamMaxBytes, "stream-max-bytes", int64(envInt("HERALD_LOCAL_STREAM_MAX_BYTES", localstack.StreamMaxBytes)), "bytes HERALD_EVENTS may hold, the StreamMaxBytes parameter (at least 1048576); 0 keeps the template's default, 4 GiB, which NATS reserves on disk (HERALD_LOCAL_STREAM_MAX_BYTES)")
	fs.StringVar(&o.corsOrigins, "cors-origins", envString("HERALD_LOCAL_CORS_ORIGINS", localstack.CorsOrigins), "comma-separated origins whose pages may call the API from a browser, the CorsOrigins parameter; scheme://host:* allows any port, locally only (HERALD_LOCAL_CORS_ORIGINS)")
	fs.StringVar(&o.actionTargets, "action-targets", envString("HERALD_LOCAL_ACTION_TARGETS", ""), "comma-separated ARN patterns sqs, sns and lambda actions may reach, such as arn:aws:sqs:*:*:partner-*; empty allows none (HERALD_LOCAL_ACTION_TARGETS)")
	targets := fs.String("lambda-targets", envString("HERALD_LOCAL_LAMBDA_TARGETS", ""), "comma-separated NAME=BINARY: functions of others' for lambda actions to invoke, run locally from their bootstrap binaries (allow them with -action-targets, such as arn:aws:lambda:*:*:function:partner-*) (HERALD_LOCAL_LAMBDA_TARGETS)")
	if err := fs.Parse(args); err != nil {
		return o, fs, err
	}
	var err error
	if o.lambdaTargets, err = parseLambdaTargets(*targets); err != nil {
		return o, fs, fmt.Errorf("-lambda-targets: %w", err)
	}
	if fs.NArg() > 0 && name == "herald-local" {
		return o, fs, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	// Functions run in their own folders, so a relative path to their binaries would be
	// looked up from there.
	if o.functions != "" {
		abs, err := filepath.Abs(o.functions)
		if err != nil {
			return o, fs, fmt.Errorf("-functions: %w", err)
		}
		o.functions = abs
	}
	return o, fs, nil
}

// checkPorts fails early, naming the port, when something already listens there.
func checkPorts(ports map[string]int) error {
	var errs []error
	for what, port := range ports {
		if port == 0 {
			continue
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			errs = append(errs, fmt.Errorf("port %d (%s) is taken; stop what uses it or choose another with -%s", port, what, what))
			continue
		}
		ln.Close()
	}
	return errors.Join(errs...)
}

// lambdaName is what a Lambda function name may be.
var lambdaName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// parseLambdaTargets reads -lambda-targets: NAME=BINARY pairs, comma-separated. Each
// binary's path is made absolute, since functions run in their own folders.
func parseLambdaTargets(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		name, bin, ok := strings.Cut(pair, "=")
		switch {
		case !ok || bin == "":
			return nil, fmt.Errorf("%q is not NAME=BINARY", pair)
		case !lambdaName.MatchString(name):
			return nil, fmt.Errorf("%q is not a function name (letters, digits, - and _, at most 64)", name)
		case out[name] != "":
			return nil, fmt.Errorf("%s is named twice", name)
		}
		abs, err := filepath.Abs(bin)
		if err != nil {
			return nil, err
		}
		out[name] = abs
	}
	return out, nil
}
