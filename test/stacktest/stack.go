package stacktest

import (
	"bufio"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/emulator"
)

// Stack is herald-local started as a user starts it, with its output captured.
type Stack struct {
	// Cmd is the herald-local process.
	Cmd *exec.Cmd
	// Banner holds the URLs the banner prints: "HTTP API", "Metrics", "NATS",
	// "DynamoDB", "SNS/SQS", "Events topic" and "Usage".
	Banner map[string]string
	// Rewrite, when set, changes each command line Shell runs (to send requests through
	// a checking proxy).
	Rewrite func(string) string
	// State is the stack's state folder.
	State string
	// Exited receives herald-local's exit once it exits.
	Exited chan error

	mu        sync.Mutex
	output    strings.Builder
	ready     chan struct{}
	done      chan struct{} // closed once herald-local has exited
	functions string        // the folder of the functions' binaries
}

// Text returns everything herald-local printed so far: the banner, then every function's
// logs.
func (p *Stack) Text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.String()
}

var bannerLine = regexp.MustCompile(`^  (HTTP API|Metrics|NATS|DynamoDB|SNS/SQS|Events topic|Usage)\s+(\S+)`)

// Start runs herald-local on free ports with its own state folder and the binaries of
// [HeraldLocal], returning once it printed its banner; the stack is killed when the test
// ends. args are further flags, such as -action-targets.
func Start(t testing.TB, args ...string) *Stack {
	t.Helper()
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin, functions := HeraldLocal(t)
	p := &Stack{Banner: map[string]string{}, ready: make(chan struct{}), Exited: make(chan error, 1), done: make(chan struct{}), State: t.TempDir(), functions: functions}
	p.Cmd = exec.Command(bin, append([]string{"-api-port", "0", "-nats-port", "0", "-dynamodb-port", "0", "-sqs-port", "0",
		"-state", p.State, "-functions", functions}, args...)...)
	p.Cmd.Dir = root
	p.Cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := p.Cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.Cmd.Stderr = p.Cmd.Stdout
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		readyOnce := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.output.WriteString(line + "\n")
			if m := bannerLine.FindStringSubmatch(line); m != nil {
				p.Banner[m[1]] = m[2]
			}
			p.mu.Unlock()
			if strings.HasPrefix(line, "Logs of every function follow") {
				readyOnce.Do(func() { close(p.ready) })
			}
		}
		p.Exited <- p.Cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.stop)
	select {
	case <-p.ready:
	case err := <-p.Exited:
		t.Fatalf("herald-local exited before it was ready: %v\n%s", err, p.Text())
	// Other test packages start stacks on the same cores meanwhile, and a stack's
	// emulators may first have to be installed (npm ci).
	case <-time.After(8 * time.Minute):
		t.Fatalf("herald-local not ready after 8 minutes:\n%s", p.Text())
	}
	return p
}

// stopGrace is how long a stack has to stop on SIGTERM before it is killed.
const stopGrace = 30 * time.Second

// stop stops the stack as Ctrl-C does and waits until it has: herald-local stops NATS
// and the emulators, which run in process groups of their own, before it exits. Killed
// outright, it would leave NATS to notice alone and write its store while the test
// removes the state folder. SIGKILL to its group remains the fallback.
func (p *Stack) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// Shell runs command lines as a user pastes them into one shell, after the banner's
// export lines, and returns what the last one printed.
func (p *Stack) Shell(t testing.TB, lines ...string) string {
	t.Helper()
	var script []string
	for _, l := range strings.Split(p.Text(), "\n") {
		if strings.HasPrefix(l, "  export ") {
			script = append(script, strings.TrimSpace(l))
		}
	}
	script = append(script, lines[:len(lines)-1]...)
	script = append(script, "echo '--- last'", lines[len(lines)-1])
	if p.Rewrite != nil {
		for i := range script {
			script[i] = p.Rewrite(script[i])
		}
	}
	out, err := exec.Command("bash", "-c", strings.Join(script, "\n")).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", lines[len(lines)-1], err, out)
	}
	_, last, _ := strings.Cut(string(out), "--- last\n")
	return last
}

// Env returns a variable the banner exports (DEMO_TOKEN …).
func (p *Stack) Env(t testing.TB, name string) string {
	t.Helper()
	v := strings.TrimSpace(p.Shell(t, `printf %s "$`+name+`"`))
	if v == "" {
		t.Fatalf("the banner exports no %s", name)
	}
	return v
}

// Invoke runs `herald-local invoke` against the running stack's ports, as make invoke
// does, with the stack's function binaries, and returns what it printed.
func (p *Stack) Invoke(t *testing.T, fn, eventFile string) string {
	t.Helper()
	port := func(name string) string { u := p.Banner[name]; return u[strings.LastIndex(u, ":")+1:] }
	cmd := exec.Command(p.Cmd.Path, "invoke", "-nats-port", port("NATS"), "-dynamodb-port", port("DynamoDB"), "-sqs-port", port("SNS/SQS"),
		"-state", p.State, "-functions", p.functions, fn, eventFile)
	cmd.Dir = p.Cmd.Dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("herald-local invoke %s %s: %v\n%s", fn, eventFile, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}
