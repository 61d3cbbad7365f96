package main

import (
	"context"
	"log/slog"
	"net/http"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/apigw"
)

// AdminDisabledReason is the disabled_reason of a trigger an administrator disabled.
const AdminDisabledReason = "disabled by an administrator"

// adminList serves GET /v1/admin/triggers?owner=: any user's triggers, for
// administrators. The owner is required: a platform acts on the user whose grant it
// revoked, and a listing of everyone would be a scan of the table.
func (h *Handler) adminList(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	owner, page, err := apigw.AdminListing(req, DefaultLimit, MaxLimit)
	if err != nil {
		return apigw.Response{}, err
	}
	ts, next, err := h.Store.List(ctx, owner, page.Limit, page.Cursor)
	if err != nil {
		return apigw.Response{}, err
	}
	for i, t := range ts {
		ts[i] = t.View()
	}
	return apigw.ReplyItems(ts, next), nil
}

// adminDisable serves POST /v1/admin/triggers/{id}/disable: any user's trigger stops
// running, with a reason that says an administrator did it. Its owner may enable it
// again only with the access creating it needs.
func (h *Handler) adminDisable(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	claims, err := apigw.Admin(req)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := apigw.CheckQuery(req.QueryStringParameters); err != nil {
		return apigw.Response{}, err
	}
	t, err := h.Store.SetEnabled(ctx, id, "", false, AdminDisabledReason)
	if err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "trigger disabled by an administrator", "trigger", id, "owner", t.Owner, "by", claims.Subject)
	return apigw.Reply(http.StatusOK, t.View()), nil
}

// adminDelete serves DELETE /v1/admin/triggers/{id}: any user's trigger is deleted,
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
	t, err := h.Store.Lookup(ctx, id)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := h.Store.Delete(ctx, id, t.Owner); err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "trigger deleted by an administrator", "trigger", id, "owner", t.Owner, "by", claims.Subject)
	return apigw.ReplyNoContent(), nil
}
