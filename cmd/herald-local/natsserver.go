package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/heraldhq/herald/devstack/localnats"
)

// The local stack runs NATS in a child process of its own (herald-local nats-server), not
// inside herald-local: a NATS server that dies then takes nothing else with it, and is
// restarted on the same port and store like any other server of the stack.

// natsStartTimeout bounds how long the NATS child may take to accept connections.
const natsStartTimeout = 15 * time.Second

// natsServerMain runs a NATS server with JetStream until its standard input closes (the
// stack stopped, or died) or it is signalled. It prints {"port":N} once it accepts
// connections.
func natsServerMain(args []string) error {
	fs := flag.NewFlagSet("herald-local nats-server", flag.ContinueOnError)
	port := fs.Int("port", -1, "port to listen on (-1 picks a free one)")
	store := fs.String("store", "", "JetStream store folder")
	passwordFile := fs.String("actions-password-file", "", "file holding the password of the actions user")
	subjects := fs.String("actions-subjects", "", "comma-separated subjects the actions user may publish on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *store == "" || *passwordFile == "" {
		return errors.New("nats-server: -store and -actions-password-file are required")
	}
	password, err := localnats.LoadPassword(*passwordFile)
	if err != nil {
		return err
	}
	opts := &server.Options{
		ServerName: "herald-local", Host: "127.0.0.1", Port: *port,
		JetStream: true, StoreDir: *store, NoSigs: true, NoLog: true,
		// Every stored message reaches the disk before it is acknowledged, so a NATS
		// server killed at any moment loses no event it accepted. A deployed stack gets
		// the same guarantee from replicated streams.
		SyncAlways: true,
	}
	// Connections without credentials are Herald's; nats actions publish as a user
	// confined to the action namespace, as they do deployed.
	if err := localnats.Configure(opts, localnats.Actions{Password: password, Subjects: localnats.SplitSubjects(*subjects)}); err != nil {
		return err
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return fmt.Errorf("starting NATS: %w", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(natsStartTimeout) {
		ns.Shutdown()
		return fmt.Errorf("NATS did not start within %v", natsStartTimeout)
	}
	fmt.Printf("{\"port\":%d}\n", ns.Addr().(*net.TCPAddr).Port)
	io.Copy(io.Discard, os.Stdin)
	ns.Shutdown()
	ns.WaitForShutdown()
	return nil
}

// natsProcess is a running herald-local nats-server.
type natsProcess struct {
	cmd       *exec.Cmd
	stdin     *os.File
	port      int
	done      chan struct{}
	closeOnce sync.Once
}

// natsConfig says how to run herald-local nats-server.
type natsConfig struct {
	port         int      // 0 picks one
	dir          string   // the JetStream store
	passwordFile string   // the actions user's password (see localnats.LoadPassword)
	subjects     []string // the action namespace
}

// startNATS starts herald-local nats-server as c says, and returns once it accepts
// connections. Its standard error goes to logs.
func startNATS(ctx context.Context, c natsConfig, logs io.Writer) (*natsProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	port := c.port
	if port == 0 {
		port = -1
	}
	cmd := exec.Command(self, "nats-server", "-port", strconv.Itoa(port), "-store", c.dir,
		"-actions-password-file", c.passwordFile, "-actions-subjects", strings.Join(c.subjects, ","))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, logs
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, fmt.Errorf("starting NATS: %w", err)
	}
	p := &natsProcess{cmd: cmd, stdin: inW, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(p.done)
	}()
	ports := make(chan int, 1)
	go func() {
		defer outR.Close()
		var announced struct{ Port int }
		if err := json.NewDecoder(bufio.NewReader(outR)).Decode(&announced); err == nil {
			ports <- announced.Port
		}
		close(ports)
	}()
	timer := time.NewTimer(natsStartTimeout + 5*time.Second)
	defer timer.Stop()
	select {
	case port, ok := <-ports:
		if ok && port > 0 {
			p.port = port
			return p, nil
		}
		p.Close()
		return nil, fmt.Errorf("NATS exited before it accepted connections (%v)", cmd.ProcessState)
	case <-timer.C:
		p.Close()
		return nil, errors.New("NATS did not start in time")
	case <-ctx.Done():
		p.Close()
		return nil, ctx.Err()
	}
}

// URL is the server's client URL.
func (p *natsProcess) URL() string { return "nats://127.0.0.1:" + strconv.Itoa(p.port) }

// Done is closed once the process has exited.
func (p *natsProcess) Done() <-chan struct{} { return p.done }

// Close stops the server: closing its standard input asks it to shut down cleanly; it is
// killed if it has not within 5 seconds.
func (p *natsProcess) Close() {
	p.closeOnce.Do(func() {
		p.stdin.Close()
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	})
}
