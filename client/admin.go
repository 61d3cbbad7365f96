package client

import (
	"context"
	"errors"
	"iter"
	"net/http"

	"github.com/heraldhq/herald/wire"
)

// The administrators' routes act on any user's triggers and consumers, so that a
// platform can stop what a user set up once it revokes their grant. They need a token
// with the admin role (personal or service); anyone else gets 403.

// errNoOwner refuses an admin listing without an owner before anything is sent.
var errNoOwner = errors.New("herald: an admin listing needs the owner's user id")

// AdminListTriggers returns a page of owner's triggers (actions without their secret).
func (c *Client) AdminListTriggers(ctx context.Context, owner string, opts ListOptions) (*Page[*wire.Trigger], error) {
	if owner == "" {
		return nil, errNoOwner
	}
	q := opts.values()
	q.Set("owner", owner)
	var out Page[*wire.Trigger]
	if err := c.call(ctx, &request{method: http.MethodGet, path: "/v1/admin/triggers", query: q, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AdminAllTriggers iterates over owner's triggers from opts on, opts.Limit at a time.
// An error ends the iteration.
func (c *Client) AdminAllTriggers(ctx context.Context, owner string, opts ListOptions) iter.Seq2[*wire.Trigger, error] {
	return all(ctx, opts, func(ctx context.Context, o ListOptions) (*Page[*wire.Trigger], error) {
		return c.AdminListTriggers(ctx, owner, o)
	})
}

// AdminDisableTrigger disables any user's trigger; its disabled_reason says an
// administrator did it. Disabling twice is harmless, so it is retried like a GET.
func (c *Client) AdminDisableTrigger(ctx context.Context, id string) (*wire.Trigger, error) {
	path, err := pathOf("v1", "admin", "triggers", id, "disable")
	if err != nil {
		return nil, err
	}
	var out wire.Trigger
	if err := c.call(ctx, &request{method: http.MethodPost, path: path, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AdminDeleteTrigger deletes any user's trigger (204), freeing its place in the
// owner's quota. A retry after an attempt that deleted it but lost the answer reports
// IsNotFound.
func (c *Client) AdminDeleteTrigger(ctx context.Context, id string) error {
	path, err := pathOf("v1", "admin", "triggers", id)
	if err != nil {
		return err
	}
	return c.call(ctx, &request{method: http.MethodDelete, path: path, idempotent: true}, nil)
}

// AdminListConsumers returns a page of owner's consumers.
func (c *Client) AdminListConsumers(ctx context.Context, owner string, opts ListOptions) (*Page[*wire.Consumer], error) {
	if owner == "" {
		return nil, errNoOwner
	}
	q := opts.values()
	q.Set("owner", owner)
	var out Page[*wire.Consumer]
	if err := c.call(ctx, &request{method: http.MethodGet, path: "/v1/admin/consumers", query: q, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AdminAllConsumers iterates over owner's consumers from opts on, opts.Limit at a
// time. An error ends the iteration.
func (c *Client) AdminAllConsumers(ctx context.Context, owner string, opts ListOptions) iter.Seq2[*wire.Consumer, error] {
	return all(ctx, opts, func(ctx context.Context, o ListOptions) (*Page[*wire.Consumer], error) {
		return c.AdminListConsumers(ctx, owner, o)
	})
}

// AdminDisableConsumer disables any user's consumer: nothing is delivered from it any
// more (its owner's fetches answer 409), and its disabled_reason says why. Nothing
// re-enables it; it expires when idle. Retried like a GET.
func (c *Client) AdminDisableConsumer(ctx context.Context, id string) (*wire.Consumer, error) {
	path, err := pathOf("v1", "admin", "consumers", id, "disable")
	if err != nil {
		return nil, err
	}
	var out wire.Consumer
	if err := c.call(ctx, &request{method: http.MethodPost, path: path, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AdminDeleteConsumer deletes any user's consumer (204), freeing its place in the
// owner's quota.
func (c *Client) AdminDeleteConsumer(ctx context.Context, id string) error {
	path, err := pathOf("v1", "admin", "consumers", id)
	if err != nil {
		return err
	}
	return c.call(ctx, &request{method: http.MethodDelete, path: path, idempotent: true}, nil)
}
