package main

import (
	"context"
	"log/slog"
	"net/http"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/apigw"
)

// AdminDisabledReason is the disabled_reason of a consumer an administrator disabled.
const AdminDisabledReason = "disabled by an administrator"

// adminList serves GET /v1/admin/consumers?owner=: any user's consumers, for
// administrators. The owner is required, as for triggers.
func (h *Handler) adminList(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	owner, page, err := apigw.AdminListing(req, DefaultLimit, MaxLimit)
	if err != nil {
		return apigw.Response{}, err
	}
	records, next, err := h.Store.List(ctx, owner, page.Limit, page.Cursor)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.ReplyItems(records, next), nil
}

// adminDisable serves POST /v1/admin/consumers/{id}/disable: any user's consumer stops
// delivering (consumer.Store.Disable) and says an administrator disabled it.
func (h *Handler) adminDisable(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	claims, err := apigw.Admin(req)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := apigw.CheckQuery(req.QueryStringParameters); err != nil {
		return apigw.Response{}, err
	}
	r, err := h.Store.Disable(ctx, id, AdminDisabledReason)
	if err != nil {
		return apigw.Response{}, err
	}
	h.cache.drop(id)
	slog.InfoContext(ctx, "consumer disabled by an administrator", "id", id, "owner", r.Owner, "by", claims.Subject)
	return apigw.Reply(http.StatusOK, r), nil
}

// adminDelete serves DELETE /v1/admin/consumers/{id}: any user's consumer is deleted,
// and its place in the owner's quota freed.
func (h *Handler) adminDelete(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	claims, err := apigw.Admin(req)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := apigw.CheckQuery(req.QueryStringParameters); err != nil {
		return apigw.Response{}, err
	}
	r, err := h.Store.Lookup(ctx, id)
	if err != nil {
		return apigw.Response{}, err
	}
	h.cache.drop(id)
	if err := h.Store.Delete(ctx, id); err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "consumer deleted by an administrator", "id", id, "owner", r.Owner, "by", claims.Subject)
	return apigw.ReplyNoContent(), nil
}
