package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/wire"
)

// filterFlags are the --variant and --ref flags of notifications list and count.
type filterFlags struct{ variant, ref string }

func (f *filterFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.variant, "variant", "", "only notifications of this variant")
	fs.StringVar(&f.ref, "ref", "", "only notifications referring to TYPE:VALUE (RESOURCE:projects/p1, USER:u1)")
}

// filter returns the filter the flags say; the server checks the values.
func (f *filterFlags) filter() (client.NotificationFilter, error) {
	out := client.NotificationFilter{Variant: wire.Variant(f.variant)}
	if f.ref != "" {
		typ, value, ok := strings.Cut(f.ref, ":")
		if !ok {
			return out, usageErr("--ref must be TYPE:VALUE, such as RESOURCE:projects/p1")
		}
		out.Ref = &wire.Ref{Type: wire.RefType(typ), Value: value}
	}
	return out, nil
}

// ackNotifications acknowledges the ids given, or with --all every notification, or
// with --before ID every one up to that id.
func (a *app) ackNotifications(ctx context.Context, c *client.Client, args []string) error {
	var all bool
	var before string
	ids, err := flags("notifications ack", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&all, "all", false, "acknowledge every notification")
		fs.StringVar(&before, "before", "", "acknowledge every notification up to and including this id")
	})
	if err != nil {
		return err
	}
	given := 0
	for _, b := range []bool{len(ids) > 0, all, before != ""} {
		if b {
			given++
		}
	}
	if given != 1 {
		return usageErr("notifications ack: give ids, --all or --before ID (one of them)")
	}
	if len(ids) > 0 {
		res, err := c.AcknowledgeNotifications(ctx, ids)
		if err != nil {
			return err
		}
		return a.print(res, func(t *table) {
			t.row("ACKNOWLEDGED", "NOT FOUND")
			t.row(strings.Join(res.Acknowledged, ","), strings.Join(res.NotFound, ","))
		})
	}
	var n int
	if all {
		n, err = c.AcknowledgeAllNotifications(ctx)
	} else {
		n, err = c.AcknowledgeNotificationsBefore(ctx, before)
	}
	if err != nil {
		return err
	}
	return a.print(map[string]int{"acknowledged": n}, func(t *table) { t.row("ACKNOWLEDGED"); t.row(n) })
}

// watchInbox prints the caller's inbox as it changes until interrupted, one line per
// event (one JSON object per line with --output json), reconnecting as the stream asks.
func (a *app) watchInbox(ctx context.Context, c *client.Client, last string) error {
	err := c.WatchInbox(ctx, last, func(e client.InboxEvent) error {
		if a.output == "json" {
			return a.printLine(inboxLine(e))
		}
		switch e.Kind {
		case client.InboxNotification:
			n := e.Notification
			fmt.Fprintf(a.stdout, "notification\t%s\t%s\t%s\n", n.ID, n.Variant, n.Message)
		case client.InboxAcknowledged:
			what := strings.Join(e.Acknowledged.IDs, ",")
			if e.Acknowledged.Before != "" {
				what = "up to " + e.Acknowledged.Before
			}
			fmt.Fprintf(a.stdout, "acknowledged\t%s\n", what)
		case client.InboxCount:
			fmt.Fprintf(a.stdout, "unacknowledged\t%d\n", e.Unacknowledged)
		case client.InboxReset:
			fmt.Fprintln(a.stdout, "reset\tmore happened than the stream replays: list the inbox")
		}
		return nil
	})
	if ctx.Err() != nil {
		return nil // interrupted: the usual way to stop watching
	}
	return err
}

// inboxLine is an inbox event as watch --output json prints it.
func inboxLine(e client.InboxEvent) any {
	switch e.Kind {
	case client.InboxNotification:
		return map[string]any{"event": e.Kind, "notification": e.Notification}
	case client.InboxAcknowledged:
		return map[string]any{"event": e.Kind, "acknowledged": e.Acknowledged}
	case client.InboxCount:
		return map[string]any{"event": e.Kind, "unacknowledged": e.Unacknowledged}
	}
	return map[string]any{"event": e.Kind}
}

// printLine writes v as JSON on one line: for commands that print as things happen.
func (a *app) printLine(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
