// Package testenv is the environment Herald's integration tests run in: the real local
// AWS emulators (dynalite for DynamoDB, fauxqs for SNS and SQS) with everything
// template.yaml declares already created in them, and an embedded NATS server with
// JetStream. No in-memory fake stands in for any of them.
//
// A package with integration tests starts one environment for its test binary:
//
//	var env *testenv.Env
//
//	func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }
//
// Start points the standard AWS variables (AWS_ENDPOINT_URL_DYNAMODB, _SQS, _SNS,
// AWS_REGION and static credentials) at the emulators, so that code under test which
// calls config.LoadDefaultConfig reaches them without any test-only wiring, and
// [Env.Setenv] gives a test the environment variables template.yaml gives a function.
//
// When something the environment needs is missing (node, npm, a free port) Start fails
// and the test binary fails with it: integration tests are never skipped silently.
//
// Each test binary gets its own emulators (started by package emulator, as the local
// stack's are) on ports chosen by the system, so the packages that `go test ./...` runs
// in parallel do not share state.
package testenv
