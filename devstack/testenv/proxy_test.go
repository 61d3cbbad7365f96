package testenv

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// echoServer answers each line with the same line, until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// roundTrip sends a line on c and reads the answer.
func roundTrip(c net.Conn, msg string) (string, error) {
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte(msg + "\n")); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSuffix(line, "\n"), err
}

func TestProxy(t *testing.T) {
	p := StartProxy(t, echoServer(t))
	if !strings.HasPrefix(p.Addr(), "127.0.0.1:") || p.URL() != "http://"+p.Addr() {
		t.Fatalf("Addr %q, URL %q", p.Addr(), p.URL())
	}

	open, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	if got, err := roundTrip(open, "up"); err != nil || got != "up" {
		t.Fatalf("through the proxy: %q, %v; want the echo", got, err)
	}

	p.SetDown(true)
	if _, err := roundTrip(open, "cut"); err == nil {
		t.Error("a connection open before SetDown(true) still works")
	}
	// A new connection may be accepted by the kernel, but it is closed before any
	// byte reaches the target.
	if c, err := net.Dial("tcp", p.Addr()); err == nil {
		got, err := roundTrip(c, "down")
		c.Close()
		if err == nil {
			t.Errorf("a new connection while down answered %q", got)
		}
	}

	p.SetDown(false)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := roundTrip(c, "back"); err != nil || got != "back" {
		t.Errorf("after SetDown(false): %q, %v; want the echo", got, err)
	}

	if err := p.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := roundTrip(c, "closed"); err == nil {
		t.Error("a connection still works after Close")
	}
	if c, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		c.Close()
		t.Error("the proxy still accepts connections after Close")
	}
}

// TestProxySNS takes SNS away from a client and gives it back, as the tests of the
// Bridge do.
func TestProxySNS(t *testing.T) {
	p := StartProxy(t, strings.TrimPrefix(env.Endpoints.SNS, "http://"))
	client := sns.NewFromConfig(env.AWS, func(o *sns.Options) {
		o.BaseEndpoint = aws.String(p.URL())
		o.Retryer = retry.AddWithMaxAttempts(o.Retryer, 1) // see each failure at once
	})
	topic := env.Stack.Resources["EventsTopic"].ARN
	publish := func() error {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		_, err := client.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("ping")})
		return err
	}
	if err := publish(); err != nil {
		t.Fatalf("publish through the proxy: %v", err)
	}
	p.SetDown(true)
	err := publish()
	if err == nil {
		t.Fatal("publish succeeded while SNS was down")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("publish while down hung until the deadline instead of failing: %v", err)
	}
	p.SetDown(false)
	if err := publish(); err != nil {
		t.Errorf("publish after SNS came back: %v", err)
	}
}
