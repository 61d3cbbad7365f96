package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/devstack/gateway"
	"github.com/heraldhq/herald/devstack/lambdalocal"
	"github.com/heraldhq/herald/devstack/localnats"
	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/devstack/meter"
	"github.com/heraldhq/herald/devstack/metricsview"
	"github.com/heraldhq/herald/devstack/sqssource"
	"github.com/heraldhq/herald/devstack/template"
)

// region is the local stack's AWS region.
const region = emulator.Region

// local is a running local stack.
type local struct {
	opts      options
	log       *slog.Logger
	logs      io.Writer
	logsMu    sync.Mutex
	metrics   *metricsview.View // the metrics of every function's EMF lines, served at /metrics
	nats      *natsProcess
	emu       *emulator.Emulators
	stack     *template.Stack
	aws       aws.Config
	functions map[string]*lambdalocal.Function
	// targets are the functions of -lambda-targets: others' functions, which lambda
	// actions may invoke through the Lambda Invoke API, and which are not Herald's.
	targets map[string]*lambdalocal.Function
	configs map[string]lambdalocal.Config // how each function was started, to start more
	api     *http.Server
	apiURL  string
	natsURL string
	cancel  context.CancelFunc
	workers sync.WaitGroup
	infraMu sync.Mutex // guards nats and emu, which supervisors replace on restart
	ready   time.Duration

	// actionsNATSURL is natsURL as the actions user, with its password: what nats
	// actions publish through.
	actionsNATSURL string

	// meter counts the stack's billable calls (see meter.go); meterEnv holds the
	// AWS_ENDPOINT_URL_* variables that lead through its proxies, served by
	// meterServers. Both are empty for herald-local invoke, which calls the emulators.
	meter        *meter.Meter
	meterEnv     map[string]string
	meterServers []*http.Server
}

// awsEnv is the AWS SDK environment a function runs with locally: the emulators'
// endpoints, region and credentials (functions start with a clean environment, so the
// variables to unset need no entry).
func awsEnv(emu *emulator.Emulators) map[string]string {
	env := map[string]string{}
	for k, v := range emu.AWSEnv() {
		if v != nil {
			env[k] = *v
		}
	}
	return env
}

// startInfra starts NATS and the emulators, provisions the template in them, and keeps
// both running: either is restarted on the same port and state when it exits.
func startInfra(ctx, runCtx context.Context, l *local, t *template.Template) error {
	natsDir := filepath.Join(l.opts.state, "nats")
	if err := os.MkdirAll(natsDir, 0o755); err != nil {
		return err
	}
	subjects, err := localnats.TemplateSubjects(t)
	if err != nil {
		return err
	}
	// Kept in the state folder, so that a restart keeps the password functions were given.
	nc := natsConfig{port: l.opts.natsPort, dir: natsDir, passwordFile: localstack.ActionsPasswordFile(l.opts.state), subjects: subjects}
	password, err := localnats.LoadPassword(nc.passwordFile)
	if err != nil {
		return err
	}
	if l.nats, err = startNATS(ctx, nc, l.functionLogs("nats")); err != nil {
		return err
	}
	l.natsURL = l.nats.URL()
	if l.actionsNATSURL, err = localnats.ActionsURL(l.natsURL, password); err != nil {
		return err
	}
	nc.port = l.nats.port
	l.workers.Go(func() {
		l.supervise(runCtx, "NATS", l.nats.Done(), func(ctx context.Context) (<-chan struct{}, error) {
			p, err := startNATS(ctx, nc, l.functionLogs("nats"))
			if err != nil {
				return nil, err
			}
			l.infraMu.Lock()
			l.nats = p
			l.infraMu.Unlock()
			return p.Done(), nil
		})
	})

	emuOpts := emulator.Options{
		Root: l.opts.root, DynamoDBPort: l.opts.dynamoDB, SQSPort: l.opts.sqsPort,
		DynamoDBPath: filepath.Join(l.opts.state, "dynamodb"),
		SQSPath:      filepath.Join(l.opts.state, "sqs"),
	}
	if err := os.MkdirAll(emuOpts.SQSPath, 0o755); err != nil {
		return err
	}
	if l.emu, err = emulator.Start(ctx, emuOpts); err != nil {
		return err
	}
	// Restarts keep the ports the functions were given.
	emuOpts.DynamoDBPort, emuOpts.SQSPort = urlPort(l.emu.DynamoDB), urlPort(l.emu.SQS)
	l.workers.Go(func() {
		l.supervise(runCtx, "the AWS emulators", l.emu.Done(), func(ctx context.Context) (<-chan struct{}, error) {
			e, err := emulator.Start(ctx, emuOpts)
			if err != nil {
				return nil, err
			}
			l.infraMu.Lock()
			l.emu = e
			l.infraMu.Unlock()
			return e.Done(), nil
		})
	})
	return l.provision(ctx, t)
}

// urlPort is the port of a http://HOST:PORT URL, or 0.
func urlPort(u string) int {
	_, port, err := net.SplitHostPort(strings.TrimPrefix(u, "http://"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(port)
	return n
}

// provision points this process's AWS SDK at the emulators and creates (or finds) the
// template's resources there.
func (l *local) provision(ctx context.Context, t *template.Template) error {
	emulator.Setenv(l.emu.AWSEnv())
	var err error
	if l.aws, err = awsconfig.LoadDefaultConfig(ctx); err != nil {
		return err
	}
	params := localstack.RequiredParameters(l.opts.secret)
	maps.Copy(params, map[string]string{"NatsUrl": l.natsURL, "AllowNetworks": localstack.AllowNetworks,
		"MaxTriggersPerUser": strconv.Itoa(localstack.MaxTriggersPerUser), "MaxConsumersPerUser": strconv.Itoa(localstack.MaxConsumersPerUser),
		"ActionTargets": l.opts.actionTargets, "MaxOpenStreams": strconv.Itoa(localstack.MaxOpenStreams), "CorsOrigins": l.opts.corsOrigins})
	if l.opts.maxStreams > 0 {
		params["MaxStreamsPerUser"] = strconv.Itoa(l.opts.maxStreams)
	}
	if l.opts.streamMaxBytes > 0 {
		params["StreamMaxBytes"] = strconv.FormatInt(l.opts.streamMaxBytes, 10)
	}
	l.stack, err = template.Provision(ctx, t, template.Clients{
		DynamoDB: dynamodb.NewFromConfig(l.aws), SQS: sqs.NewFromConfig(l.aws), SNS: sns.NewFromConfig(l.aws),
	}, params)
	if err != nil {
		return fmt.Errorf("creating the template's resources: %w", err)
	}
	return nil
}

// functionEnv is the environment fn runs with locally: the template's, resolved against
// the local resources, plus the emulator endpoints.
func (l *local) functionEnv(fn template.Function) (map[string]string, error) {
	env, err := l.stack.FunctionEnv(fn)
	if err != nil {
		return nil, err
	}
	for k, v := range awsEnv(l.emu) {
		env[k] = v
	}
	for k, v := range l.meterEnv {
		env[k] = v
	}
	// lambda actions invoke the stack's own functions through herald-local.
	env["AWS_ENDPOINT_URL_LAMBDA"] = l.apiURL
	// The functions the template gives the variable (deployed, they get a .creds secret
	// instead) publish nats actions as the confined actions user.
	if _, ok := env["HERALD_ACTIONS_NATS_URL"]; ok {
		env["HERALD_ACTIONS_NATS_URL"] = l.actionsNATSURL
	}
	// Deployed, the stack-name pattern covers the functions the template cannot name;
	// local functions are named by logical id, so each is added by its ARN.
	if own, ok := env["HERALD_OWN_RESOURCES"]; ok {
		env["HERALD_OWN_RESOURCES"] = own + "," + strings.Join(l.functionARNs(), ",")
	}
	return env, nil
}

// functionARNs returns the ARNs of the stack's functions, sorted.
func (l *local) functionARNs() []string {
	var arns []string
	for _, p := range l.stack.Resources {
		if p.Type == template.TypeFunction {
			arns = append(arns, p.ARN)
		}
	}
	sort.Strings(arns)
	return arns
}

func (l *local) functionLogs(name string) io.Writer {
	var tap func([]byte)
	if l.metrics != nil {
		tap = func(line []byte) { l.metrics.Line(line) }
	}
	return newPrefixWriter(&l.logsMu, l.logs, name, tap)
}

// start brings up the whole stack and returns once it is ready to serve.
func start(ctx context.Context, opts options, logs io.Writer) (*local, error) {
	began := time.Now()
	l := &local{opts: opts, logs: logs, metrics: metricsview.New(), functions: map[string]*lambdalocal.Function{}, targets: map[string]*lambdalocal.Function{}, configs: map[string]lambdalocal.Config{}}
	l.log = slog.New(slog.NewTextHandler(l.functionLogs("herald-local"), nil))
	ok := false
	defer func() {
		if !ok {
			l.Close()
		}
	}()
	if err := checkPorts(map[string]int{"api-port": opts.apiPort, "nats-port": opts.natsPort, "dynamodb-port": opts.dynamoDB, "sqs-port": opts.sqsPort}); err != nil {
		return nil, err
	}
	t, err := template.Load(filepath.Join(opts.root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	fns := t.Functions()
	ids := make([]string, len(fns))
	for i, fn := range fns {
		ids[i] = fn.LogicalID
	}

	// Building and starting the servers are independent: do both at once.
	type built struct {
		bins map[string]string
		err  error
	}
	buildDone := make(chan built, 1)
	go func() {
		bins, err := functionBinaries(ctx, opts, ids)
		buildDone <- built{bins, err}
	}()
	// Everything that runs until Close (supervisors, daemons, event sources) runs under
	// runCtx; Close cancels it first.
	runCtx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	infraErr := startInfra(ctx, runCtx, l, t)
	b := <-buildDone
	if infraErr != nil {
		return nil, infraErr
	}
	if b.err != nil {
		return nil, b.err
	}
	if err := l.startMeter(); err != nil {
		return nil, err
	}

	// The API listens before the functions start: they reach the Lambda Invoke API it
	// serves through AWS_ENDPOINT_URL_LAMBDA.
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.apiPort)))
	if err != nil {
		return nil, fmt.Errorf("HTTP API: %w", err)
	}
	defer func() {
		if !ok {
			ln.Close() // not served yet: Shutdown would not close it
		}
	}()
	l.apiURL = "http://" + ln.Addr().String()
	l.api = &http.Server{ReadHeaderTimeout: 10 * time.Second}

	sqsClient := l.meteredSQS()

	invokers := map[string]gateway.Invoker{}
	for _, fn := range fns {
		env, err := l.functionEnv(fn)
		if err != nil {
			return nil, err
		}
		if d, ok := fn.Metadata["LocalDaemon"].(map[string]any); ok {
			// As lambdalocal does for functions, so that daemons log JSON too.
			env["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
			env["AWS_LAMBDA_FUNCTION_NAME"] = fn.LogicalID
			overrides, _ := d["Environment"].(map[string]any)
			for k, v := range overrides {
				env[k] = fmt.Sprint(v)
			}
			dm := &daemon{name: fn.LogicalID, binary: b.bins[fn.LogicalID], env: env, logs: l.meter.LogWriter(fn.LogicalID, l.functionLogs(fn.LogicalID)), log: l.log}
			l.workers.Add(1)
			go func() { defer l.workers.Done(); dm.run(runCtx) }()
			continue
		}
		cfg := lambdalocal.Config{
			Name: fn.LogicalID, Binary: b.bins[fn.LogicalID], Env: env,
			Timeout:  time.Duration(template.Int(fn.Properties["Timeout"], 3)) * time.Second,
			MemoryMB: template.Int(fn.Properties["MemorySize"], 128),
			Logs:     l.meter.LogWriter(fn.LogicalID, l.functionLogs(fn.LogicalID)),
		}
		if streams(fn) {
			// Every open stream holds an instance for up to the function's timeout.
			cfg.MaxInstances = localstack.StreamInstances
		}
		l.recordInvocations(&cfg)
		f, err := lambdalocal.New(cfg)
		if err != nil {
			return nil, err
		}
		l.configs[fn.LogicalID] = cfg
		l.functions[fn.LogicalID] = f
		invokers[fn.LogicalID] = f
		if err := l.eventSources(runCtx, fn, f, sqsClient); err != nil {
			return nil, err
		}
	}

	if err := l.startTargets(); err != nil {
		return nil, err
	}

	// Warm every function once: the first request is then as fast as the rest, and each
	// cold start is measured and logged.
	var warm sync.WaitGroup
	warmErrs := make(chan error, len(l.functions)+len(l.targets))
	for id, f := range l.invocable() {
		warm.Add(1)
		go func() {
			defer warm.Done()
			if err := f.Warm(ctx); err != nil {
				warmErrs <- fmt.Errorf("%s did not start: %w", id, err)
				return
			}
			if cs := f.ColdStarts(); len(cs) > 0 {
				l.log.Info("function warm", "function", id, "cold_start", cs[0].String())
			}
		}()
	}
	warm.Wait()
	close(warmErrs)
	if err := <-warmErrs; err != nil {
		return nil, err
	}

	gwCfg, err := gateway.FromStack(l.stack)
	if err != nil {
		return nil, err
	}
	gw, err := gateway.New(gwCfg, invokers, region, l.log)
	if err != nil {
		return nil, err
	}
	l.observeGateway(gw)
	l.api.Handler = l.withUsage(withMetricsPage(withLambdaAPI(gw, l.invocable(), l.log), l.metrics))
	go l.api.Serve(ln)
	l.ready = time.Since(began)
	ok = true
	return l, nil
}

// streams reports whether fn streams its responses (a Function URL in RESPONSE_STREAM
// mode): its invocations last as long as their clients read.
func streams(fn template.Function) bool {
	url, _ := fn.Properties["FunctionUrlConfig"].(map[string]any)
	return url["InvokeMode"] == "RESPONSE_STREAM"
}

// startTargets starts the functions of -lambda-targets, with nothing of the stack's in
// their environment: they stand for others' functions, which lambda actions reach only
// through the Lambda Invoke API. A name of the stack's own functions is refused, since a
// lambda action may never reach those.
func (l *local) startTargets() error {
	for name, bin := range l.opts.lambdaTargets {
		if _, ok := l.functions[name]; ok {
			return fmt.Errorf("-lambda-targets: %s is one of the stack's own functions", name)
		}
		f, err := lambdalocal.New(lambdalocal.Config{Name: name, Binary: bin, Timeout: 30 * time.Second, Logs: l.functionLogs(name)})
		if err != nil {
			return fmt.Errorf("-lambda-targets: %w", err)
		}
		l.targets[name] = f
	}
	return nil
}

// invocable returns every function the Lambda Invoke API serves: the stack's and the
// lambda targets.
func (l *local) invocable() map[string]*lambdalocal.Function {
	all := maps.Clone(l.functions)
	maps.Copy(all, l.targets)
	return all
}

// eventSources starts fn's SQS event source mappings and schedules.
func (l *local) eventSources(ctx context.Context, fn template.Function, f *lambdalocal.Function, client *sqs.Client) error {
	for _, name := range fn.EventNames() {
		ev := fn.Events[name]
		switch ev.Type {
		case "SQS":
			queue, err := l.stack.Resolve(ev.Properties["Queue"])
			if err != nil {
				return fmt.Errorf("%s event %s: %w", fn.LogicalID, name, err)
			}
			arn, _ := queue.(string)
			url, err := l.queueURL(arn)
			if err != nil {
				return fmt.Errorf("%s event %s: %w", fn.LogicalID, name, err)
			}
			m := sqssource.Mapping{
				Function: fn.LogicalID, QueueURL: url, QueueARN: arn, Region: region,
				BatchSize:               template.Int(ev.Properties["BatchSize"], 10),
				Window:                  time.Duration(template.Int(ev.Properties["MaximumBatchingWindowInSeconds"], 0)) * time.Second,
				ReportBatchItemFailures: hasString(ev.Properties["FunctionResponseTypes"], "ReportBatchItemFailures"),
				Invoker:                 f,
				Logger:                  l.log,
			}
			l.workers.Add(1)
			go func() {
				defer l.workers.Done()
				if err := sqssource.Run(ctx, client, m); err != nil && ctx.Err() == nil {
					l.log.Error("event source mapping stopped", "function", fn.LogicalID, "queue", url, "error", err.Error())
				}
			}()
		case "Schedule":
			expr, _ := ev.Properties["Schedule"].(string)
			every, err := parseRate(expr)
			if err != nil {
				l.log.Warn("schedule not run locally", "function", fn.LogicalID, "error", err.Error())
				continue
			}
			s := &schedule{function: fn.LogicalID, rule: fn.LogicalID + name, interval: every, fn: f, region: region, log: l.log}
			l.workers.Add(1)
			go func() { defer l.workers.Done(); s.run(ctx) }()
		}
	}
	return nil
}

// queueURL finds the local URL of the queue with the given ARN.
func (l *local) queueURL(arn string) (string, error) {
	for _, p := range l.stack.Resources {
		if p.ARN == arn && p.URL != "" {
			return p.URL, nil
		}
	}
	return "", fmt.Errorf("no queue with ARN %s in the template", arn)
}

// Close stops everything it started, in reverse order, and waits for it.
func (l *local) Close() {
	if l.api != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		l.api.Shutdown(ctx)
		cancel()
	}
	if l.cancel != nil {
		l.cancel()
	}
	l.workers.Wait()
	for _, f := range l.invocable() {
		f.Close()
	}
	l.closeMeter()
	// The supervisors have stopped: nothing replaces these any more.
	if l.emu != nil {
		l.emu.Close()
	}
	if l.nats != nil {
		l.nats.Close()
	}
}

func hasString(v any, want string) bool {
	list, _ := v.([]any)
	for _, x := range list {
		if s, _ := x.(string); s == want {
			return true
		}
	}
	return false
}
