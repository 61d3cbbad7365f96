package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/test/apidoc"
	"github.com/heraldhq/herald/test/stacktest"
	"github.com/heraldhq/herald/wire"
)

// checked is a transport that checks every answer against openapi.yaml.
type checked struct {
	t     *testing.T
	base  http.RoundTripper
	mu    sync.Mutex
	count map[string]int // answers checked, by "METHOD path status"
}

func (c *checked) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(req)
	if err != nil || strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return resp, err // an endless stream has no body to check at once
	}
	if err := apidoc.CheckResponse(req, resp); err != nil {
		c.t.Errorf("%v", err)
	}
	c.mu.Lock()
	c.count[req.Method+" "+req.URL.Path+" "+http.StatusText(resp.StatusCode)]++
	c.mu.Unlock()
	return resp, nil
}

// TestResponsesFollowOpenAPI drives herald-local through the Go client over every kind
// of route, successes and refusals, and checks every answer against openapi.yaml.
func TestResponsesFollowOpenAPI(t *testing.T) {
	p := stacktest.Start(t)
	api := p.Banner["HTTP API"]
	tr := &checked{t: t, base: http.DefaultTransport, count: map[string]int{}}
	token := func(name string) string { return strings.TrimSpace(p.Shell(t, `printf '%s' "$`+name+`"`)) }
	mk := func(tok string) *client.Client {
		opts := []client.Option{client.WithHTTPClient(&http.Client{Transport: tr}), client.WithRetry(1, time.Millisecond)}
		if tok != "" {
			opts = append(opts, client.WithToken(tok))
		}
		c, err := client.New(api, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	demo, other, pub, anon := mk(token("DEMO_TOKEN")), mk(token("OTHER_TOKEN")), mk(token("PUBLISHER_TOKEN")), mk("")
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	refused := func(err error) {
		t.Helper()
		if err == nil {
			t.Fatal("a refused request succeeded")
		}
	}

	_, err := anon.Health(ctx)
	must(err)
	_, err = demo.Catalog(ctx)
	must(err)
	_, err = demo.CatalogEvent(ctx, "job.JobFinished")
	must(err)
	hook := stacktest.NewHookReceiver(t)
	trg, err := demo.CreateTrigger(ctx, wire.TriggerSpec{Name: "api", Resource: wire.TriggerResource{Path: "projects/demo/api", IncludeSubresources: true},
		Events: []string{"*"}, Action: json.RawMessage(`{"type":"http","url":"` + hook.URL + `"}`)})
	must(err)
	rec, err := demo.CreateConsumer(ctx, wire.ConsumerSpec{Target: wire.Target{Resources: []wire.ResourceTarget{{Path: "projects/demo/api", IncludeSubresources: true}}}})
	must(err)
	// A misspelt event type: made, with a warning.
	typo, err := demo.CreateConsumer(ctx, wire.ConsumerSpec{Target: wire.Target{Resources: []wire.ResourceTarget{{Path: "projects/demo/api"}}}, EventTypes: []string{"job.JobFinishd"}})
	must(err)
	if len(typo.Warnings) != 1 || typo.Warnings[0].Field != "event_types[0]" {
		t.Errorf("a consumer of a misspelt type has warnings %+v", typo.Warnings)
	}
	must(demo.DeleteConsumer(ctx, typo.ID))
	ev := &wire.Event{Event: "resource.ResourceCreated", Resource: &wire.Resource{Type: "collection", Path: "projects/demo/api/c1", After: json.RawMessage(`{"title":"c1"}`)}, Recipients: []string{"demo"}}
	_, err = pub.Publish(ctx, ev)
	must(err)
	_, err = pub.PublishBatch(ctx, []*wire.Event{{Event: "job.JobCreated", Resource: &wire.Resource{Type: "job", ID: "j1", Path: "projects/demo/api/j1"}, Data: json.RawMessage(`{"jobType":"TRANSCODE","state":"READY"}`)}})
	must(err)
	_, err = pub.CreateNotification(ctx, []string{"demo"}, wire.Content{Variant: wire.VariantAnnouncement, Message: "hello"})
	must(err)

	_, err = demo.ListConsumers(ctx, client.ListOptions{})
	must(err)
	_, err = demo.GetConsumer(ctx, rec.ID)
	must(err)
	msgs, err := demo.Fetch(ctx, rec.ID, client.FetchOptions{BatchSize: 10, Wait: 2 * time.Second})
	must(err)
	replies := make([]wire.Reply, len(msgs))
	for i, m := range msgs {
		replies[i] = m.Reply
	}
	if len(replies) > 0 {
		_, err = anon.Acknowledge(ctx, replies, wire.Ack, 0)
		must(err)
	}

	testenv.WaitFor(t, 30*time.Second, func() bool {
		n, err := demo.CountNotifications(ctx)
		return err == nil && n >= 2
	}, "the notifications")
	page, err := demo.ListNotifications(ctx, wire.StateUnacknowledged, client.ListOptions{})
	must(err)
	_, err = demo.AcknowledgeNotifications(ctx, []string{page.Items[0].ID})
	must(err)
	_, err = demo.ListNotificationsWhere(ctx, wire.StateAll, client.NotificationFilter{Variant: wire.VariantEvent, Ref: &wire.Ref{Type: wire.RefResource, Value: "projects/demo/api/c1"}}, client.ListOptions{})
	must(err)
	_, err = demo.CountNotificationsWhere(ctx, client.NotificationFilter{Variant: wire.VariantAnnouncement})
	must(err)
	inbox, err := demo.InboxStream(ctx, page.Items[0].ID)
	must(err)
	if !inbox.Next() {
		t.Errorf("the inbox stream: %v", inbox.Err())
	}
	inbox.Close()
	_, err = demo.AcknowledgeNotificationsBefore(ctx, page.Items[0].ID)
	must(err)
	_, err = demo.AcknowledgeAllNotifications(ctx)
	must(err)

	_, err = demo.ListTriggers(ctx, client.ListOptions{})
	must(err)
	_, err = demo.GetTrigger(ctx, trg.ID)
	must(err)
	_, err = demo.TestTrigger(ctx, trg.ID, &wire.Event{Event: "resource.ResourceCreated", Resource: &wire.Resource{Type: "collection", Path: "projects/demo/other"}})
	must(err)
	fired, err := demo.FireTrigger(ctx, trg.ID, &wire.Event{Event: "job.JobFinished", Resource: &wire.Resource{Type: "job", Path: "projects/demo/api/j2"}})
	must(err)
	testenv.WaitFor(t, 30*time.Second, func() bool {
		d, err := demo.ListDeliveries(ctx, trg.ID, "succeeded", client.ListOptions{})
		return err == nil && len(d.Items) > 0
	}, "a delivery in the log")
	_, err = demo.RetryDelivery(ctx, trg.ID, fired.DeliveryID)
	must(err)
	_, err = demo.ReplayTrigger(ctx, trg.ID, client.ReplayOptions{StartSequence: 1})
	must(err)
	_, err = demo.EnableTrigger(ctx, trg.ID)
	must(err)

	// Refusals: each answer must follow the document too.
	_, err = other.GetConsumer(ctx, rec.ID) // 404
	refused(err)
	_, err = other.Publish(ctx, &wire.Event{Event: "resource.ResourceCreated", Resource: &wire.Resource{Type: "x", Path: "p"}}) // 403
	refused(err)
	_, err = pub.Publish(ctx, &wire.Event{Event: "nodot", Resource: &wire.Resource{Type: "x", Path: "p"}}) // 400
	refused(err)
	_, err = pub.Publish(ctx, &wire.Event{Event: "job.JobFinished", Resource: &wire.Resource{Type: "job", ID: "j3", Path: "projects/demo/api/j3"}}) // 400: no data
	refused(err)
	_, err = demo.CatalogEvent(ctx, "job.JobFinishd") // 404
	refused(err)
	_, err = anon.Catalog(ctx) // 401
	refused(err)
	_, err = demo.ReplayTrigger(ctx, trg.ID, client.ReplayOptions{}) // 400
	refused(err)
	_, err = demo.CountNotificationsWhere(ctx, client.NotificationFilter{Variant: "NEWS"}) // 400
	refused(err)
	_, err = pub.InboxStream(ctx, "") // 403: not a personal token
	refused(err)

	must(demo.DeleteTrigger(ctx, trg.ID))
	must(demo.DeleteConsumer(ctx, rec.ID))
	if len(tr.count) < 25 {
		t.Errorf("only %d kinds of answer checked: %v", len(tr.count), tr.count)
	}
}
