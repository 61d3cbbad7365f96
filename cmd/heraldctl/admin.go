package main

import (
	"context"
	"flag"
	"time"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/wire"
)

// admin runs `heraldctl admin triggers|consumers list|disable|delete`: any user's
// triggers and consumers, for a token with the admin role.
func (a *app) admin(ctx context.Context, c *client.Client, args []string) error {
	if len(args) < 2 {
		return usageErr("admin: triggers or consumers, then list, disable or delete")
	}
	kind, sub, args := args[0], args[1], args[2:]
	if sub == "list" {
		var owner string
		if _, err := flags("admin "+kind+" list", args, func(fs *flag.FlagSet) {
			fs.StringVar(&owner, "owner", "", "the user whose "+kind+" to list")
		}); err != nil {
			return err
		}
		if owner == "" {
			return usageErr("admin %s list: --owner is required", kind)
		}
		switch kind {
		case "triggers":
			var all []*wire.Trigger
			for tr, err := range c.AdminAllTriggers(ctx, owner, client.ListOptions{}) {
				if err != nil {
					return err
				}
				all = append(all, tr)
			}
			return a.print(all, triggerRows(all...))
		case "consumers":
			var all []*wire.Consumer
			for r, err := range c.AdminAllConsumers(ctx, owner, client.ListOptions{}) {
				if err != nil {
					return err
				}
				all = append(all, r)
			}
			return a.print(all, consumerRows(all...))
		}
		return usageErr("admin: triggers or consumers, not %q", kind)
	}
	if sub != "disable" && sub != "delete" {
		return usageErr("admin %s: list, disable or delete", kind)
	}
	if err := needArgs(args, 1, "the id"); err != nil {
		return err
	}
	id := args[0]
	switch {
	case kind == "triggers" && sub == "disable":
		tr, err := c.AdminDisableTrigger(ctx, id)
		if err != nil {
			return err
		}
		return a.print(tr, triggerRows(tr))
	case kind == "triggers":
		return c.AdminDeleteTrigger(ctx, id)
	case kind == "consumers" && sub == "disable":
		r, err := c.AdminDisableConsumer(ctx, id)
		if err != nil {
			return err
		}
		return a.print(r, consumerRows(r))
	case kind == "consumers":
		return c.AdminDeleteConsumer(ctx, id)
	}
	return usageErr("admin: triggers or consumers, not %q", kind)
}

// consumerRows is the table of consumers the admin commands print, with whose they are.
func consumerRows(rs ...*wire.Consumer) func(t *table) {
	return func(t *table) {
		t.row("ID", "OWNER", "FILTERS", "LAST USED", "EXPIRES", "DISABLED")
		for _, r := range rs {
			t.row(r.ID, r.Owner, len(r.FilterSubjects), r.LastUsedAt.Format(time.RFC3339), r.ExpiresAt.Format(time.RFC3339), r.DisabledReason)
		}
	}
}
