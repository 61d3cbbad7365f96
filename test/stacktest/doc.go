// Package stacktest is what the whole-system suites under test/ share: a local stack
// started as a user starts it (herald-local, run as a process with its output captured),
// the binaries it runs, built at most once, and the helpers the suites use on it — webhook
// receivers, tokens, a JetStream connection, the template's routes, an API client that
// checks every answer against openapi.yaml, and the resources one user holds for the
// requests of others to aim at.
//
// Each suite package runs its tests through [Main], and starts a stack with [Start]:
//
//	func TestMain(m *testing.M) { os.Exit(stacktest.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		p := stacktest.Start(t)
//		api := p.Banner["HTTP API"]
//		…
//	}
//
// # Binaries
//
// A stack runs herald-local and every function of template.yaml built for this machine,
// and the heraldctl suite runs heraldctl. When HERALD_TEST_BUILD names a folder (`make
// test` builds it once with `make build-local`, and sets it for every suite package of
// the run) the binaries there are used and nothing is built:
//
//	<folder>/herald-local
//	<folder>/heraldctl
//	<folder>/functions/<LogicalId>/bootstrap
//
// Without it (go test ./test/e2e by hand) they are built once per test process, with the
// same Makefile targets and flags, into a temporary folder that [Main] removes.
//
// Nothing here ships; nothing under internal/ or functions/ may import it.
package stacktest
