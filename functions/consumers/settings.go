package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/consumer"
)

// MaxPauseBodyBytes bounds a pause body: one time.
const MaxPauseBodyBytes = 1024

// owned returns the caller's consumer id for a change: the owner's alone (404 for
// anyone else), and only while the owner may still read what it selects, as a change
// of its event types or filter chooses anew among those events.
func (h *Handler) owned(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (*auth.Claims, *consumer.Record, error) {
	claims, err := apigw.Claims(req)
	if err != nil {
		return nil, nil, err
	}
	if err := apigw.CheckQuery(req.QueryStringParameters); err != nil {
		return nil, nil, err
	}
	r, err := h.Store.Get(ctx, req.PathParameters["id"], claims.Subject)
	if err != nil {
		return nil, nil, err
	}
	if err := r.Authorize(claims); err != nil {
		return nil, nil, err
	}
	return claims, r, nil
}

// update serves PUT /v1/consumers/{id}: the members given change (consumer.Changes),
// in JetStream and the record together; the answer is the consumer as GET shows it.
func (h *Handler) update(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	_, r, err := h.owned(ctx, req)
	if err != nil {
		return apigw.Response{}, err
	}
	body, err := apigw.Body(req, MaxSpecBytes)
	if err != nil {
		return apigw.Response{}, err
	}
	var changes consumer.Changes
	if err := apigw.DecodeJSON(body, &changes); err != nil {
		return apigw.Response{}, err
	}
	next, err := changes.Apply(r.Spec)
	if err != nil {
		return apigw.Response{}, err
	}
	updated, err := h.Store.Update(ctx, r, next)
	if err != nil {
		return apigw.Response{}, err
	}
	// This instance's Screen follows at once; others read the change before they hide
	// anything by their older rules.
	h.cache.drop(r.ID)
	slog.InfoContext(ctx, "consumer changed", "id", r.ID, "owner", r.Owner, "filters", len(updated.FilterSubjects))
	return h.show(ctx, updated)
}

// pauseBody is the optional body of POST /v1/consumers/{id}/pause.
type pauseBody struct {
	// Until ends the pause; absent, the pause lasts until a resume.
	Until *time.Time `json:"until"`
}

// pause serves POST /v1/consumers/{id}/pause: JetStream delivers nothing of the
// consumer, to batches or streams, until the time given or a resume.
func (h *Handler) pause(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	_, r, err := h.owned(ctx, req)
	if err != nil {
		return apigw.Response{}, err
	}
	// The body is optional: without one the pause lasts until a resume.
	var pb pauseBody
	if strings.TrimSpace(req.Body) != "" {
		body, err := apigw.Body(req, MaxPauseBodyBytes)
		if err != nil {
			return apigw.Response{}, err
		}
		if err := apigw.DecodeJSON(body, &pb); err != nil {
			return apigw.Response{}, err
		}
	}
	var until time.Time
	if pb.Until != nil {
		until = *pb.Until
	}
	st, err := h.Store.Pause(ctx, r, until)
	if err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "consumer paused", "id", r.ID, "owner", r.Owner, "until", st.PausedUntil)
	return h.showAgain(ctx, r)
}

// resume serves POST /v1/consumers/{id}/resume: a paused consumer delivers again.
func (h *Handler) resume(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	_, r, err := h.owned(ctx, req)
	if err != nil {
		return apigw.Response{}, err
	}
	if _, err := h.Store.Resume(ctx, r); err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "consumer resumed", "id", r.ID, "owner", r.Owner)
	return h.showAgain(ctx, r)
}

// showAgain answers the consumer r as GET does, read again: a pause or resume moved its
// expiry.
func (h *Handler) showAgain(ctx context.Context, r *consumer.Record) (apigw.Response, error) {
	fresh, err := h.Store.Get(ctx, r.ID, r.Owner)
	if err != nil {
		return apigw.Response{}, err
	}
	return h.show(ctx, fresh)
}

// show answers the consumer r as GET /v1/consumers/{id} does.
func (h *Handler) show(ctx context.Context, r *consumer.Record) (apigw.Response, error) {
	c, err := h.consumer(ctx, r.ID)
	if err != nil {
		return apigw.Response{}, err
	}
	info, err := c.Info(ctx)
	if err != nil {
		return apigw.Response{}, busError(err, "reading the consumer")
	}
	return apigw.Reply(http.StatusOK, newView(r, info)), nil
}
