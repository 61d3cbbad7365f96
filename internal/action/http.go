package action

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/webhook"
)

// Webhooks sends http actions: the SSRF-guarded client, kept for the process's life so
// that connections are reused.
type Webhooks struct {
	Client *http.Client
	Source string // ce-source of CloudEvents deliveries, such as "herald"
}

// NewWebhooks returns Webhooks whose client may reach the allowed networks (see
// webhook.AllowNetworksFromEnv) despite the guard.
func NewWebhooks(opts webhook.ClientOptions) *Webhooks {
	return &Webhooks{Client: webhook.NewClient(opts), Source: "herald"}
}

// webhookRequest builds the request of one attempt of an http action.
func (r *Runner) webhookRequest(d Delivery, payload []byte) (webhook.Request, error) {
	secrets, err := d.Action.Secrets()
	if err != nil {
		return webhook.Request{}, err
	}
	req := webhook.Request{
		URL: d.Action.URL, Method: d.Action.Method, Headers: d.Action.Headers,
		Timeout: time.Duration(d.Action.TimeoutMS) * time.Millisecond,
		ID:      d.DeliveryID, Timestamp: r.now(), Secrets: secrets, Body: payload,
		Format: webhook.Format(d.Action.Format),
	}
	if req.Format == webhook.FormatCloudEvents {
		req.EventType, req.EventUUID, req.Time = d.Event.Event, d.Event.UUID, d.Event.Timestamp
		req.Source, req.Subject = r.Webhooks.Source, d.Event.Path()
	}
	return req, nil
}

// http sends the payload to the action's URL, signed.
func (r *Runner) http(ctx context.Context, d Delivery, payload []byte) Outcome {
	if r.Webhooks == nil {
		return unavailable("http")
	}
	req, err := r.webhookRequest(d, payload)
	if err != nil {
		return failed(err, true)
	}
	res := webhook.Send(ctx, r.Webhooks.Client, req)
	o := Outcome{OK: res.OK(), StatusCode: res.StatusCode, Duration: res.Duration, RetryAfter: res.RetryAfter, Response: res.ResponsePrefix, Err: res.Err}
	switch {
	case res.Refused(), fault.Is(res.Err, fault.Invalid):
		o.Permanent = true
	case res.StatusCode == http.StatusGone:
		o.Gone, o.Err = true, fmt.Errorf("the endpoint answered 410 Gone")
	case res.Err == nil && !o.OK:
		o.Err = fmt.Errorf("the endpoint answered %d", res.StatusCode)
	}
	return o
}
