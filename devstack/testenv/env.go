package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/nats-io/nats-server/v2/server"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/devstack/localnats"
	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/devstack/template"
)

// Env is a running test environment. Its fields are set by Start and must not be
// changed; it is safe for concurrent use by parallel tests.
type Env struct {
	Root      string    // the repository root
	Endpoints Endpoints // where the emulators listen

	// AWS is the SDK configuration loaded from the environment Start set, the one any
	// code calling config.LoadDefaultConfig in this process gets too.
	AWS      aws.Config
	DynamoDB *dynamodb.Client
	SQS      *sqs.Client
	SNS      *sns.Client

	Template *template.Template // template.yaml
	Stack    *template.Stack    // template.yaml provisioned into the emulators

	NATS    *server.Server // the embedded JetStream server shared by the binary's tests
	NATSURL string         // its client URL; also the template's NatsUrl parameter
	// ActionsNATSURL is the same server's URL as the actions user (credentials included),
	// who may publish only on the template's NatsActionSubjects: what nats actions publish
	// through. Connections without credentials (NATSURL) are Herald's, with every permission.
	ActionsNATSURL string

	emu        *emulator.Emulators
	actions    localnats.Actions // the actions user of every NATS server the environment starts
	natsDir    string
	restoreEnv func()
	closeOnce  sync.Once
}

// Start starts the emulators (running npm ci in local/ first if node_modules is missing
// or stale), points the process's AWS environment variables at them, starts the NATS
// server and provisions template.yaml with NatsUrl set to it. On error, whatever was
// started is stopped again.
func Start(ctx context.Context) (*Env, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	e := &Env{Root: root}
	ok := false
	defer func() {
		if !ok {
			e.Close()
		}
	}()

	// Ports of 0: each test binary gets emulators of its own.
	if e.emu, err = emulator.Start(ctx, emulator.Options{Root: root}); err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	e.Endpoints = Endpoints{DynamoDB: e.emu.DynamoDB, SQS: e.emu.SQS, SNS: e.emu.SNS}
	e.restoreEnv = emulator.Setenv(e.emu.AWSEnv())
	if e.AWS, err = config.LoadDefaultConfig(ctx); err != nil {
		return nil, fmt.Errorf("testenv: load AWS config: %w", err)
	}
	e.DynamoDB = dynamodb.NewFromConfig(e.AWS)
	e.SQS = sqs.NewFromConfig(e.AWS)
	e.SNS = sns.NewFromConfig(e.AWS)

	if e.Template, err = template.Load(filepath.Join(root, "template.yaml")); err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	if e.natsDir, err = newNATSDir(); err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	actionsPassword, err := localnats.NewPassword()
	if err != nil {
		return nil, err
	}
	subjects, err := localnats.TemplateSubjects(e.Template)
	if err != nil {
		return nil, err
	}
	e.actions = localnats.Actions{Password: actionsPassword, Subjects: subjects}
	if e.NATS, err = StartConfinedNATS(e.natsDir, e.actions); err != nil {
		return nil, err
	}
	e.NATSURL = e.NATS.ClientURL()
	if e.ActionsNATSURL, err = localnats.ActionsURL(e.NATSURL, actionsPassword); err != nil {
		return nil, err
	}
	params := map[string]string{}
	if _, ok := e.Template.Parameters["NatsUrl"]; ok {
		// The project's own template: give it what its rules require.
		params = localstack.RequiredParameters(localstack.DevSecret)
		params["NatsUrl"] = e.NATSURL
	}
	clients := template.Clients{DynamoDB: e.DynamoDB, SQS: e.SQS, SNS: e.SNS}
	if e.Stack, err = template.Provision(ctx, e.Template, clients, params); err != nil {
		return nil, fmt.Errorf("testenv: provision template.yaml: %w", err)
	}
	ok = true
	return e, nil
}

// Close stops the NATS server and the emulators, waiting until the node process is gone,
// and restores the environment variables Start changed. It may be called more than once.
func (e *Env) Close() {
	e.closeOnce.Do(func() {
		if e.NATS != nil {
			e.NATS.Shutdown()
			e.NATS.WaitForShutdown()
		}
		if e.natsDir != "" {
			os.RemoveAll(e.natsDir)
		}
		if e.emu != nil {
			e.emu.Close()
		}
		if e.restoreEnv != nil {
			e.restoreEnv()
		}
	})
}

// Main runs a package's tests inside an environment, for TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }
//
// It starts the environment into *env, runs the tests and closes the environment. If the
// environment cannot start, it says why on stderr and returns 1 without running any
// test, so that a missing tool fails the build instead of skipping the tests.
func Main(m *testing.M, env **Env) int {
	// npm ci on a fresh machine takes most of this; starting takes a second or two.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	e, err := Start(ctx)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: the integration test environment did not start:\n%v\n", err)
		return 1
	}
	defer e.Close()
	*env = e
	return m.Run()
}

// FunctionEnv returns the environment variables template.yaml gives the function with
// this logical id, resolved against the environment (Globals merged), with
// HERALD_NATS_URL set to e.NATSURL and, where the template declares it,
// HERALD_ACTIONS_NATS_URL set to e.ActionsNATSURL. It fails the test if there is no such
// function.
func (e *Env) FunctionEnv(t testing.TB, logicalID string) map[string]string {
	t.Helper()
	fn, ok := e.Template.Function(logicalID)
	if !ok {
		t.Fatalf("testenv: template.yaml has no function %s", logicalID)
	}
	vars, err := e.Stack.FunctionEnv(fn)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	vars["HERALD_NATS_URL"] = e.NATSURL
	if _, ok := vars["HERALD_ACTIONS_NATS_URL"]; ok {
		vars["HERALD_ACTIONS_NATS_URL"] = e.ActionsNATSURL
	}
	return vars
}

// Setenv sets, for the duration of the test, every environment variable that
// template.yaml gives the function with this logical id, as FunctionEnv returns them.
// To point the function elsewhere (say at a server from NewNATS), call t.Setenv after
// it. Like t.Setenv, it cannot be used in parallel tests.
func (e *Env) Setenv(t testing.TB, logicalID string) {
	t.Helper()
	for k, v := range e.FunctionEnv(t, logicalID) {
		t.Setenv(k, v)
	}
}
