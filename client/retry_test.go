package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/wire"
)

func TestBackoff(t *testing.T) {
	p := retryPolicy{attempts: 10, base: 100 * time.Millisecond, max: time.Second}
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 200 * time.Millisecond, 400 * time.Millisecond},
		{4, 400 * time.Millisecond, 800 * time.Millisecond},
		{5, 500 * time.Millisecond, time.Second}, // capped
		{60, 500 * time.Millisecond, time.Second},
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := p.backoff(tt.attempt)
			if d < tt.min || d > tt.max {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", tt.attempt, d, tt.min, tt.max)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("backoff(%d) took %d distinct values in 200 draws: no jitter", tt.attempt, len(seen))
		}
	}
	if d := (retryPolicy{base: 0, max: time.Second}).backoff(3); d != 0 {
		t.Errorf("zero base gave %v", d)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{" 3 ", 3 * time.Second, true},
		{"0", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"99999999999999999999", maxRetryAfter + time.Second, true},
		{"-5", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		got, ok := retryAfter(h, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestRetryableStatus(t *testing.T) {
	tests := []struct {
		code          int
		idem, nonIdem bool
	}{
		{200, false, false},
		{400, false, false},
		{404, false, false},
		{422, false, false},
		{429, true, true},
		{500, true, false},
		{501, false, false},
		{502, true, false},
		{503, true, false},
		{504, true, false},
	}
	for _, tt := range tests {
		if got := retryableStatus(tt.code, true); got != tt.idem {
			t.Errorf("retryableStatus(%d, idempotent) = %v", tt.code, got)
		}
		if got := retryableStatus(tt.code, false); got != tt.nonIdem {
			t.Errorf("retryableStatus(%d, not idempotent) = %v", tt.code, got)
		}
	}
}

// TestRetryPolicyByRoute checks which requests are sent again after a 500: idempotent
// ones until the attempts run out, creates and other one-off actions never.
func TestRetryPolicyByRoute(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		call      func(*Client) error
		wantCalls int
	}{
		{"create consumer", func(c *Client) error { _, err := c.CreateConsumer(ctx, wire.ConsumerSpec{}); return err }, 1},
		{"create trigger", func(c *Client) error { _, err := c.CreateTrigger(ctx, testTriggerSpec()); return err }, 1},
		{"create notification", func(c *Client) error { _, err := c.CreateNotification(ctx, []string{"u1"}, testContent()); return err }, 1},
		{"fire", func(c *Client) error { _, err := c.FireTrigger(ctx, "T1", testEvent()); return err }, 1},
		{"retry delivery", func(c *Client) error { _, err := c.RetryDelivery(ctx, "T1", "D1"); return err }, 1},
		{"replay", func(c *Client) error {
			_, err := c.ReplayTrigger(ctx, "T1", ReplayOptions{StartSequence: 1})
			return err
		}, 1},
		{"health", func(c *Client) error { _, err := c.Health(ctx); return err }, 1},
		{"publish", func(c *Client) error { _, err := c.Publish(ctx, testEvent()); return err }, 3},
		{"acknowledge", func(c *Client) error {
			_, err := c.Acknowledge(ctx, []wire.Reply{{Reply: "r"}}, wire.Ack, 0)
			return err
		}, 3},
		{"acknowledge notifications", func(c *Client) error { _, err := c.AcknowledgeNotifications(ctx, []string{"N1"}); return err }, 3},
		{"get", func(c *Client) error { _, err := c.GetConsumer(ctx, "C1"); return err }, 3},
		{"update consumer", func(c *Client) error { _, err := c.UpdateConsumer(ctx, "C1", wire.ConsumerChanges{}); return err }, 3},
		{"pause consumer", func(c *Client) error { _, err := c.PauseConsumer(ctx, "C1", time.Time{}); return err }, 3},
		{"resume consumer", func(c *Client) error { _, err := c.ResumeConsumer(ctx, "C1"); return err }, 3},
		{"delete", func(c *Client) error { return c.DeleteTrigger(ctx, "T1") }, 3},
		{"replace", func(c *Client) error { _, err := c.ReplaceTrigger(ctx, "T1", testTriggerSpec()); return err }, 3},
		{"test", func(c *Client) error { _, err := c.TestTrigger(ctx, "T1", testEvent()); return err }, 3},
		{"enable", func(c *Client) error { _, err := c.EnableTrigger(ctx, "T1"); return err }, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				rec.add(r)
				writeProblem(w, 500, "internal-error", "internal error", "an unexpected error occurred; it has been logged")
			}, WithRetry(3, time.Millisecond))
			err := tt.call(c)
			if statusOf(err) != 500 {
				t.Errorf("error %v, want the 500", err)
			}
			if n := rec.count(); n != tt.wantCalls {
				t.Errorf("%d attempts, want %d", n, tt.wantCalls)
			}
		})
	}
}

func testContent() wire.Content {
	return wire.Content{Variant: wire.VariantAnnouncement, Message: "hi"}
}

// TestCreateRetriedOn429: throttling happens before the function runs, so even a create
// is sent again.
func TestCreateRetriedOn429(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if rec.add(r) == 0 {
			writeJSON(w, 429, map[string]string{"message": "Too Many Requests"})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		w.Write([]byte(consumerJSON))
	})
	if _, err := c.CreateConsumer(context.Background(), wire.ConsumerSpec{}); err != nil {
		t.Fatal(err)
	}
	if n := rec.count(); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

// TestBrokenConnection: the emulation reads the request and drops the connection
// without answering. The request may have been done, so a create is not sent again,
// while a publish is, with the same uuid.
func TestBrokenConnection(t *testing.T) {
	tests := []struct {
		name      string
		call      func(*Client) error
		wantCalls int
	}{
		{"create consumer", func(c *Client) error {
			_, err := c.CreateConsumer(context.Background(), wire.ConsumerSpec{})
			return err
		}, 1},
		{"publish", func(c *Client) error {
			_, err := c.Publish(context.Background(), &wire.Event{Event: "job.JobFinished"})
			return err
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if rec.add(r) == 0 {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err != nil {
						t.Error(err)
						return
					}
					conn.Close()
					return
				}
				writeJSON(w, 202, map[string]any{"uuid": testUUID, "sequence": 1})
			})
			err := tt.call(c)
			if n := rec.count(); n != tt.wantCalls {
				t.Fatalf("%d attempts, want %d (error %v)", n, tt.wantCalls, err)
			}
			if tt.wantCalls == 1 && err == nil {
				t.Error("no error after the connection broke")
			}
			if reqs := rec.all(); len(reqs) == 2 && string(reqs[0].Body) != string(reqs[1].Body) {
				t.Errorf("the retry sent %s, not %s", reqs[1].Body, reqs[0].Body)
			}
		})
	}
}

// TestCreateRetriedWhenNotSent: a connection that could not be made means the request
// never left, so even a create is sent again.
func TestCreateRetriedWhenNotSent(t *testing.T) {
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		w.Write([]byte(triggerJSON))
	}, WithHTTPClient(&http.Client{Transport: tr}))
	if _, err := c.CreateTrigger(context.Background(), testTriggerSpec()); err != nil {
		t.Fatal(err)
	}
	if d, n := dials.Load(), rec.count(); d != 2 || n != 1 {
		t.Errorf("%d dials and %d requests, want 2 and 1", d, n)
	}
}

// TestRetryAfterHonoured: the pause before a retry is the server's Retry-After, not the
// backoff, in either form.
func TestRetryAfterHonoured(t *testing.T) {
	for _, value := range []string{"7", time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)} {
		var rec recorder
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			if rec.add(r) == 0 {
				w.Header().Set("Retry-After", value)
				writeJSON(w, 429, map[string]string{"message": "Too Many Requests"})
				return
			}
			writeJSON(w, 200, map[string]int{"unacknowledged": 1})
		})
		slept := recordSleeps(c)
		if _, err := c.CountNotifications(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(*slept) != 1 {
			t.Fatalf("Retry-After %q: slept %v", value, *slept)
		}
		// An HTTP date is whole seconds, read a moment later.
		if d := (*slept)[0]; d > 30*time.Second || d < 7*time.Second || value == "7" && d != 7*time.Second {
			t.Errorf("Retry-After %q: slept %v", value, d)
		}
	}
}

// TestRetryAfterTooLong: a Retry-After past what the client waits by itself returns the
// error at once.
func TestRetryAfterTooLong(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		w.Header().Set("Retry-After", strconv.Itoa(int(maxRetryAfter/time.Second)+1))
		writeProblem(w, 503, "service-unavailable", "service unavailable", "try later")
	})
	slept := recordSleeps(c)
	_, err := c.Publish(context.Background(), testEvent())
	if !IsUnavailable(err) || rec.count() != 1 || len(*slept) != 0 {
		t.Errorf("error %v after %d attempts and pauses %v", err, rec.count(), *slept)
	}
}

// TestBackoffBetweenAttempts: without Retry-After the pauses follow the backoff, and
// the last answer is the error once the attempts run out.
func TestBackoffBetweenAttempts(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		writeJSON(w, 502, map[string]string{"message": "Internal Server Error"})
	}, WithRetry(4, 100*time.Millisecond))
	slept := recordSleeps(c)
	_, err := c.GetTrigger(context.Background(), "T1")
	var e *Error
	if !errors.As(err, &e) || e.Status != 502 || e.Message != "Internal Server Error" {
		t.Fatalf("error %v", err)
	}
	if rec.count() != 4 || len(*slept) != 3 {
		t.Fatalf("%d attempts, pauses %v", rec.count(), *slept)
	}
	for i, d := range *slept {
		hi := 100 * time.Millisecond << i
		if d < hi/2 || d > hi {
			t.Errorf("pause %d: %v, want within [%v, %v]", i, d, hi/2, hi)
		}
	}
}

// TestCancelDuringBackoff: ending the context during a (long) pause ends the call at
// once, with both the context's error and the last answer.
func TestCancelDuringBackoff(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		writeProblem(w, 503, "service-unavailable", "service unavailable", "the event bus failed; try again")
	}, WithRetry(5, time.Hour))
	go func() {
		for rec.count() == 0 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(10 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	_, err := c.ListConsumers(ctx, ListOptions{})
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("took %v", took)
	}
	if !errors.Is(err, context.Canceled) || !IsUnavailable(err) {
		t.Errorf("error %v, want context.Canceled wrapping the 503 too", err)
	}
	if n := rec.count(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

// TestTokenFuncPerAttempt: the token is asked for before every attempt, and an error
// getting it fails the call without sending it.
func TestTokenFuncPerAttempt(t *testing.T) {
	var calls atomic.Int32
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if rec.add(r) == 0 {
			writeJSON(w, 503, map[string]string{"message": "Service Unavailable"})
			return
		}
		writeJSON(w, 200, map[string]int{"unacknowledged": 0})
	}, WithTokenFunc(func(context.Context) (string, error) {
		return "t" + strconv.Itoa(int(calls.Add(1))), nil
	}), WithUserAgent("herald-test/2"))
	if _, err := c.CountNotifications(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := rec.all()
	if reqs[0].Header.Get("Authorization") != "Bearer t1" || reqs[1].Header.Get("Authorization") != "Bearer t2" {
		t.Errorf("tokens %q, %q", reqs[0].Header.Get("Authorization"), reqs[1].Header.Get("Authorization"))
	}
	if ua := reqs[0].Header.Get("User-Agent"); ua != "herald-test/2" {
		t.Errorf("User-Agent %q", ua)
	}

	boom := errors.New("no token today")
	c2, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { rec.add(r) },
		WithTokenFunc(func(context.Context) (string, error) { return "", boom }))
	if _, err := c2.CountNotifications(context.Background()); !errors.Is(err, boom) {
		t.Errorf("error %v", err)
	}
	if n := rec.count(); n != 2 {
		t.Errorf("%d requests, want the 2 of the first client", n)
	}
}
