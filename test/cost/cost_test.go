package cost

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/devstack/meter"
	"github.com/heraldhq/herald/devstack/template"
	"github.com/heraldhq/herald/devstack/workload"
	"github.com/heraldhq/herald/test/stacktest"
)

// events is the workload's size here: enough for several batches at every stage.
const events = 200

// TestWorkloadMetered runs the cost workload against a stack and checks the difference
// of the stack's counters over it: each billable kind of call was counted, and the
// counts agree with what the workload did.
func TestWorkloadMetered(t *testing.T) {
	p := stacktest.Start(t)
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	run, err := workload.Prepare(ctx, workload.Config{
		API: p.Banner["HTTP API"], SQS: p.Banner["SNS/SQS"], Queues: workload.Queues(tmpl),
		PublisherToken: p.Env(t, "PUBLISHER_TOKEN"), UserToken: p.Env(t, "DEMO_TOKEN"), Path: "projects/demo",
		Events: events, PublishBatch: 50, Publishers: 2, FetchBatch: 40, FetchWait: 500 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	usageURL := p.Banner["Usage"]
	if usageURL == "" {
		t.Fatalf("the banner has no Usage URL:\n%s", p.Text())
	}
	before, err := meter.Fetch(ctx, http.DefaultClient, usageURL)
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.Drive(ctx)
	if err != nil {
		t.Fatalf("%v\n%s", err, p.Text())
	}
	after, err := meter.Fetch(ctx, http.DefaultClient, usageURL)
	if err != nil {
		t.Fatal(err)
	}
	u := after.Sub(before)
	t.Logf("workload %+v", res)
	for _, c := range u.Counters {
		t.Logf("%+v", c)
	}

	if res.Delivered != events || res.Acknowledged != events || res.PublishRequests != events/50 {
		t.Fatalf("workload %+v, want %d events published in %d requests, each delivered and acknowledged", res, events, events/50)
	}
	// A batch of the event source mappings holds at most 10 messages, so each of
	// Router's and Deliver's invocations handles at most 10.
	atLeast := []struct {
		what string
		got  float64
		want float64
	}{
		{"HTTP API requests publishing", float64(u.Sum(meter.APIGateway, "POST /v1/events", "").Requests), float64(res.PublishRequests)},
		{"HTTP API requests fetching", float64(u.Sum(meter.APIGateway, "GET /v1/consumers/{id}/batch", "").Requests), float64(res.Fetches)},
		{"HTTP API requests acknowledging", float64(u.Sum(meter.APIGateway, "POST /v1/acknowledge", "").Requests), float64(res.Acknowledges)},
		{"EventsApi invocations", float64(u.Sum(meter.Lambda, "EventsApi", "").Requests), float64(res.PublishRequests)},
		{"Authorizer invocations", float64(u.Sum(meter.Lambda, "Authorizer", "").Requests), 1},
		{"Router invocations", float64(u.Sum(meter.Lambda, "Router", "").Requests), events / 10},
		{"Deliver invocations", float64(u.Sum(meter.Lambda, "Deliver", "").Requests), events / 10},
		// Lambda bills each invocation at least a millisecond: no timing in this bound.
		{"Router GB-seconds", u.Sum(meter.Lambda, "Router", "").GBSeconds(), float64(u.Sum(meter.Lambda, "Router", "").Requests) * 0.001 * 0.5},
		{"SNS messages published", float64(u.Sum(meter.SNS, "EventsTopic", "").Messages), events},
		{"SNS billed publishes", float64(u.Sum(meter.SNS, "EventsTopic", "").Billed), events / 10},
		{"RouteQueue messages received", float64(u.Sum(meter.SQS, "RouteQueue", "ReceiveMessage").Messages), events},
		{"RouteQueue messages deleted", float64(u.Sum(meter.SQS, "RouteQueue", "DeleteMessageBatch").Messages), events},
		{"DeliveriesQueue messages received", float64(u.Sum(meter.SQS, "DeliveriesQueue", "ReceiveMessage").Messages), events},
		{"DeliveriesQueue requests", float64(u.Sum(meter.SQS, "DeliveriesQueue", "").Billed), events / 10},
		{"DeliveriesTable write units", u.Sum(meter.DynamoDB, "DeliveriesTable", "").WriteUnits, events},
		{"DeliveriesTable read units", u.Sum(meter.DynamoDB, "DeliveriesTable", "").ReadUnits, 0.5},
		{"log bytes", float64(u.Sum(meter.Logs, "", "").Bytes), 1},
	}
	for _, c := range atLeast {
		if c.got < c.want {
			t.Errorf("%s: %v, want at least %v", c.what, c.got, c.want)
		}
	}
	// Nothing in the workload publishes more than it did, or reaches the inbox.
	if got := u.Sum(meter.SNS, "EventsTopic", "").Messages; got > events {
		t.Errorf("SNS messages published: %d, more than the %d events", got, events)
	}
	if got := u.Sum(meter.SQS, "InboxQueue", "ReceiveMessage").Messages; got != 0 {
		t.Errorf("InboxQueue received %d messages; no event of the workload has recipients", got)
	}
	// Herald's Bridge is a daemon locally: it is priced as a fixed cost, never invoked.
	if got := u.Sum(meter.Lambda, "Bridge", "").Requests; got != 0 {
		t.Errorf("Bridge invoked %d times", got)
	}
}
