package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/wire"
)

// dispatch runs the command args names.
func (a *app) dispatch(ctx context.Context, args []string) error {
	switch args[0] {
	case "token":
		return a.token_(args[1:])
	case "completion":
		return a.completion(args[1:])
	case "help", "-h", "--help":
		usage(a.stdout)
		return nil
	}
	c, err := a.client()
	if err != nil {
		return usageErr("%v", err)
	}
	sub := ""
	if len(args) > 1 {
		sub = args[1]
	}
	switch args[0] {
	case "publish":
		return a.publish(ctx, c, args[1:])
	case "catalog":
		if sub != "" {
			// One type: its schema and example are JSON documents, printed as such.
			e, err := c.CatalogEvent(ctx, sub)
			if err != nil {
				return err
			}
			return a.print(e, nil)
		}
		types, err := c.Catalog(ctx)
		if err != nil {
			return err
		}
		return a.print(types, func(t *table) {
			t.row("TYPE", "EVENT", "DESCRIPTION")
			for _, et := range types {
				for _, e := range et.Events {
					t.row(et.Type, e.Event, e.Description)
				}
			}
		})
	case "consumers":
		return a.consumers(ctx, c, sub, rest(args))
	case "notifications", "inbox":
		return a.notifications(ctx, c, sub, rest(args))
	case "triggers":
		return a.triggers(ctx, c, sub, rest(args))
	case "admin":
		return a.admin(ctx, c, args[1:])
	}
	return usageErr("unknown command %q; see heraldctl help", args[0])
}

func rest(args []string) []string {
	if len(args) < 2 {
		return nil
	}
	return args[2:]
}

// flags parses a command's flags, which may come before or after its arguments.
func flags(name string, args []string, define func(fs *flag.FlagSet)) ([]string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(nopWriter{})
	define(fs)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageErr("%s: %v", name, err)
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

func (a *app) publish(ctx context.Context, c *client.Client, args []string) error {
	var sync bool
	pos, err := flags("publish", args, func(fs *flag.FlagSet) { fs.BoolVar(&sync, "sync", false, "let sync triggers vet it first") })
	if err != nil {
		return err
	}
	if err := needArgs(pos, 1, "the event (JSON, @file or -)"); err != nil {
		return err
	}
	var ev wire.Event
	if err := a.jsonArg(pos[0], &ev); err != nil {
		return err
	}
	if sync {
		res, err := c.PublishSync(ctx, &ev)
		if err != nil {
			return err
		}
		return a.print(res, func(t *table) { t.row("UUID", "SEQUENCE", "APPROVED"); t.row(res.UUID, res.Sequence, res.Approved) })
	}
	res, err := c.Publish(ctx, &ev)
	if err != nil {
		return err
	}
	if a.quiet {
		return a.printIDs(res.UUID)
	}
	return a.print(res, func(t *table) { t.row("UUID", "SEQUENCE", "DUPLICATE"); t.row(res.UUID, res.Sequence, res.Duplicate) })
}

func (a *app) consumers(ctx context.Context, c *client.Client, sub string, args []string) error {
	switch sub {
	case "create":
		if err := needArgs(args, 1, "the consumer spec"); err != nil {
			return err
		}
		var spec wire.ConsumerSpec
		if err := a.jsonArg(args[0], &spec); err != nil {
			return err
		}
		r, err := c.CreateConsumer(ctx, spec)
		if err != nil {
			return err
		}
		a.warn(r.Warnings)
		if a.quiet {
			return a.printIDs(r.ID)
		}
		return a.print(r, func(t *table) {
			t.row("ID", "FILTERS", "EXPIRES")
			t.row(r.ID, len(r.FilterSubjects), r.ExpiresAt.Format(time.RFC3339))
		})
	case "list":
		var all []*wire.Consumer
		for r, err := range c.AllConsumers(ctx, client.ListOptions{}) {
			if err != nil {
				return err
			}
			all = append(all, r)
		}
		return a.print(all, func(t *table) {
			t.row("ID", "FILTERS", "LAST USED", "EXPIRES")
			for _, r := range all {
				t.row(r.ID, len(r.FilterSubjects), r.LastUsedAt.Format(time.RFC3339), r.ExpiresAt.Format(time.RFC3339))
			}
		})
	case "get":
		if err := needArgs(args, 1, "the consumer id"); err != nil {
			return err
		}
		info, err := c.GetConsumer(ctx, args[0])
		if err != nil {
			return err
		}
		return a.printConsumer(info)
	case "delete":
		if err := needArgs(args, 1, "the consumer id"); err != nil {
			return err
		}
		return c.DeleteConsumer(ctx, args[0])
	case "update":
		if err := needArgs(args, 2, "the consumer id and the changes"); err != nil {
			return err
		}
		var changes wire.ConsumerChanges
		if err := a.jsonArg(args[1], &changes); err != nil {
			return err
		}
		info, err := c.UpdateConsumer(ctx, args[0], changes)
		if err != nil {
			return err
		}
		return a.printConsumer(info)
	case "pause":
		var until string
		pos, err := flags("consumers pause", args, func(fs *flag.FlagSet) {
			fs.StringVar(&until, "until", "", "end the pause at this RFC 3339 time (default: until resumed)")
		})
		if err != nil {
			return err
		}
		if err := needArgs(pos, 1, "the consumer id"); err != nil {
			return err
		}
		var at time.Time
		if until != "" {
			if at, err = time.Parse(time.RFC3339, until); err != nil {
				return usageErr("--until must be an RFC 3339 time such as 2026-11-23T08:00:00Z")
			}
		}
		info, err := c.PauseConsumer(ctx, pos[0], at)
		if err != nil {
			return err
		}
		return a.printConsumer(info)
	case "resume":
		if err := needArgs(args, 1, "the consumer id"); err != nil {
			return err
		}
		info, err := c.ResumeConsumer(ctx, args[0])
		if err != nil {
			return err
		}
		return a.printConsumer(info)
	case "fetch":
		return a.fetch(ctx, c, args)
	case "stream":
		if err := needArgs(args, 1, "the consumer id"); err != nil {
			return err
		}
		return a.follow(ctx, c, args[0])
	case "ticket":
		if err := needArgs(args, 1, "the consumer id"); err != nil {
			return err
		}
		tk, err := c.StreamTicket(ctx, args[0])
		if err != nil {
			return err
		}
		return a.printTicket(tk)
	case "ack":
		var action string
		var delay int
		pos, err := flags("consumers ack", args, func(fs *flag.FlagSet) {
			fs.StringVar(&action, "action", "ack", "ack, nak, term or in_progress")
			fs.IntVar(&delay, "delay", 0, "for nak: redeliver after this many milliseconds")
		})
		if err != nil {
			return err
		}
		if err := needArgs(pos, 1, "the replies (a JSON array, @file or -)"); err != nil {
			return err
		}
		var replies []wire.Reply
		if err := a.jsonArg(pos[0], &replies); err != nil {
			return err
		}
		act := wire.AckAction(action)
		if !slices.Contains(wire.AckActions, act) {
			return usageErr("--action must be ack, nak, term or in_progress")
		}
		n, err := c.Acknowledge(ctx, replies, act, time.Duration(delay)*time.Millisecond)
		if err != nil {
			return err
		}
		return a.print(map[string]int{"acknowledged": n}, func(t *table) { t.row("ACKNOWLEDGED"); t.row(n) })
	}
	return usageErr("consumers: create, list, get, update, pause, resume, delete, fetch, stream, ticket or ack")
}

// printConsumer prints a consumer as GET shows it: its pending counts and pause.
func (a *app) printConsumer(info *client.ConsumerInfo) error {
	return a.print(info, func(t *table) {
		paused := "no"
		if info.Paused {
			paused = "yes"
			if info.PausedUntil != nil {
				paused = "until " + info.PausedUntil.Format(time.RFC3339)
			}
		}
		t.row("ID", "PENDING", "ACK PENDING", "PAUSED", "EXPIRES")
		t.row(info.ID, info.NumPending, info.NumAckPending, paused, info.ExpiresAt.Format(time.RFC3339))
	})
}

// fetch prints one batch, or with --follow streams messages until interrupted.
func (a *app) fetch(ctx context.Context, c *client.Client, args []string) error {
	var batch, wait int
	var follow bool
	pos, err := flags("consumers fetch", args, func(fs *flag.FlagSet) {
		fs.IntVar(&batch, "batch", 10, "at most this many messages")
		fs.IntVar(&wait, "wait", 0, "wait up to this many milliseconds for messages")
		fs.BoolVar(&follow, "follow", false, "stream messages as they come")
	})
	if err != nil {
		return err
	}
	if err := needArgs(pos, 1, "the consumer id"); err != nil {
		return err
	}
	if follow {
		return a.follow(ctx, c, pos[0])
	}
	msgs, err := c.Fetch(ctx, pos[0], client.FetchOptions{BatchSize: batch, Wait: time.Duration(wait) * time.Millisecond})
	if err != nil {
		return err
	}
	return a.print(msgs, func(t *table) {
		t.row("SEQUENCE", "DELIVERED", "SUBJECT")
		for _, m := range msgs {
			t.row(m.Sequence, m.Delivered, m.Subject)
		}
	})
}

// follow prints the consumer's messages as they arrive, one JSON object per line,
// reconnecting when the stream asks to.
func (a *app) follow(ctx context.Context, c *client.Client, id string) error {
	err := c.Consume(ctx, id, func(m wire.Message) error {
		if a.output == "json" {
			return a.print(m, nil)
		}
		fmt.Fprintf(a.stdout, "%d\t%d\t%s\n", m.Sequence, m.Delivered, m.Subject)
		return nil
	})
	if ctx.Err() != nil {
		return nil // interrupted: the usual way to stop following
	}
	return err
}

func (a *app) notifications(ctx context.Context, c *client.Client, sub string, args []string) error {
	switch sub {
	case "list":
		var state string
		var f filterFlags
		if _, err := flags("notifications list", args, func(fs *flag.FlagSet) {
			fs.StringVar(&state, "state", "unacknowledged", "unacknowledged, acknowledged or all")
			f.define(fs)
		}); err != nil {
			return err
		}
		filter, err := f.filter()
		if err != nil {
			return err
		}
		var all []*wire.Notification
		for n, err := range c.AllNotificationsWhere(ctx, wire.State(state), filter, client.ListOptions{}) {
			if err != nil {
				return err
			}
			all = append(all, n)
		}
		return a.print(all, func(t *table) {
			t.row("ID", "VARIANT", "CREATED", "MESSAGE")
			for _, n := range all {
				t.row(n.ID, n.Variant, n.CreatedAt.Format(time.RFC3339), n.Message)
			}
		})
	case "count":
		var f filterFlags
		if _, err := flags("notifications count", args, f.define); err != nil {
			return err
		}
		filter, err := f.filter()
		if err != nil {
			return err
		}
		n, err := c.CountNotificationsWhere(ctx, filter)
		if err != nil {
			return err
		}
		return a.print(map[string]int{"unacknowledged": n}, func(t *table) { t.row("UNACKNOWLEDGED"); t.row(n) })
	case "ack":
		return a.ackNotifications(ctx, c, args)
	case "watch":
		var last string
		if _, err := flags("notifications watch", args, func(fs *flag.FlagSet) {
			fs.StringVar(&last, "last-event-id", "", "first replay the notifications newer than this id")
		}); err != nil {
			return err
		}
		return a.watchInbox(ctx, c, last)
	case "ticket":
		if len(args) > 0 {
			return usageErr("notifications ticket takes no arguments")
		}
		tk, err := c.InboxStreamTicket(ctx)
		if err != nil {
			return err
		}
		return a.printTicket(tk)
	}
	return usageErr("notifications: list, count, ack, watch or ticket")
}

// printTicket prints a stream ticket; -q prints the ticket alone, for a shell variable.
func (a *app) printTicket(tk *wire.StreamTicket) error {
	if a.quiet {
		return a.printIDs(tk.Ticket)
	}
	return a.print(tk, func(t *table) {
		t.row("TICKET", "EXPIRES")
		t.row(tk.Ticket, tk.ExpiresAt.Format(time.RFC3339))
	})
}

func triggerRows(ts ...*wire.Trigger) func(t *table) {
	return func(t *table) {
		t.row("ID", "NAME", "PATH", "EVENTS", "ACTION", "ENABLED")
		for _, tr := range ts {
			cfg := struct{ Type string }{}
			_ = json.Unmarshal(tr.Action, &cfg)
			t.row(tr.ID, tr.Name, tr.Resource.Path, strings.Join(tr.Events, ","), cfg.Type, tr.IsEnabled())
		}
	}
}

func (a *app) triggers(ctx context.Context, c *client.Client, sub string, args []string) error {
	id := ""
	if len(args) > 0 {
		id = args[0]
	}
	needID := func() error { return needArgs(args, 1, "the trigger id") }
	switch sub {
	case "create":
		if err := needArgs(args, 1, "the trigger spec"); err != nil {
			return err
		}
		var spec wire.TriggerSpec
		if err := a.jsonArg(args[0], &spec); err != nil {
			return err
		}
		tr, err := c.CreateTrigger(ctx, spec)
		if err != nil {
			return err
		}
		a.warn(tr.Warnings)
		if a.quiet {
			return a.printIDs(tr.ID)
		}
		// The create answer is the one place the action's secret is shown: print it.
		return a.print(tr, nil)
	case "list":
		var all []*wire.Trigger
		for tr, err := range c.AllTriggers(ctx, client.ListOptions{}) {
			if err != nil {
				return err
			}
			all = append(all, tr)
		}
		return a.print(all, triggerRows(all...))
	case "get", "enable":
		if err := needID(); err != nil {
			return err
		}
		get := c.GetTrigger
		if sub == "enable" {
			get = c.EnableTrigger
		}
		tr, err := get(ctx, id)
		if err != nil {
			return err
		}
		return a.print(tr, triggerRows(tr))
	case "delete":
		if err := needID(); err != nil {
			return err
		}
		return c.DeleteTrigger(ctx, id)
	case "test", "fire":
		if err := needArgs(args, 2, "the trigger id and the event"); err != nil {
			return err
		}
		var ev wire.Event
		if err := a.jsonArg(args[1], &ev); err != nil {
			return err
		}
		if sub == "fire" {
			res, err := c.FireTrigger(ctx, id, &ev)
			if err != nil {
				return err
			}
			return a.print(res, func(t *table) { t.row("DELIVERY", "EVENT"); t.row(res.DeliveryID, res.EventUUID) })
		}
		res, err := c.TestTrigger(ctx, id, &ev)
		if err != nil {
			return err
		}
		return a.print(res, func(t *table) {
			t.row("MATCHED", res.Matched, "ENABLED", res.Enabled)
			t.row("CONDITION", "OPERATOR", "FOUND", "MATCHED")
			for _, s := range res.Explain {
				found := make([]string, len(s.Found))
				for i, f := range s.Found {
					found[i] = string(f)
				}
				t.row(s.Field, s.Operator, strings.Join(found, ","), s.Matched)
			}
		})
	case "deliveries":
		var status string
		pos, err := flags("triggers deliveries", args, func(fs *flag.FlagSet) { fs.StringVar(&status, "status", "", "only deliveries in this status") })
		if err != nil {
			return err
		}
		if err := needArgs(pos, 1, "the trigger id"); err != nil {
			return err
		}
		page, err := c.ListDeliveries(ctx, pos[0], status, client.ListOptions{Limit: 100})
		if err != nil {
			return err
		}
		return a.print(page.Items, func(t *table) {
			t.row("DELIVERY", "EVENT", "STATUS", "ATTEMPTS", "LAST")
			for _, d := range page.Items {
				last := ""
				if n := len(d.Log); n > 0 {
					l := d.Log[n-1]
					last = fmt.Sprintf("%d %s", l.StatusCode, l.Error)
				}
				t.row(d.ID, d.EventUUID, d.Status, d.Attempts, strings.TrimSpace(last))
			}
		})
	case "retry":
		if err := needArgs(args, 2, "the trigger id and the delivery id"); err != nil {
			return err
		}
		res, err := c.RetryDelivery(ctx, args[0], args[1])
		if err != nil {
			return err
		}
		return a.print(res, func(t *table) { t.row("DELIVERY", "STATUS"); t.row(res.DeliveryID, res.Status) })
	case "replay":
		var seq uint64
		var start, end string
		pos, err := flags("triggers replay", args, func(fs *flag.FlagSet) {
			fs.Uint64Var(&seq, "start-sequence", 0, "replay from this stream sequence")
			fs.StringVar(&start, "start-time", "", "replay from this time (RFC 3339)")
			fs.StringVar(&end, "end-time", "", "up to this time (RFC 3339; default now)")
		})
		if err != nil {
			return err
		}
		if err := needArgs(pos, 1, "the trigger id"); err != nil {
			return err
		}
		opts := client.ReplayOptions{StartSequence: seq}
		for _, tv := range []struct {
			s   string
			dst *time.Time
		}{{start, &opts.StartTime}, {end, &opts.EndTime}} {
			if tv.s == "" {
				continue
			}
			if *tv.dst, err = time.Parse(time.RFC3339Nano, tv.s); err != nil {
				return usageErr("replay: %q is not an RFC 3339 time", tv.s)
			}
		}
		res, err := c.ReplayTrigger(ctx, pos[0], opts)
		if err != nil {
			return err
		}
		return a.print(res, func(t *table) {
			t.row("SCANNED", "MATCHED", "QUEUED", "NEXT SEQUENCE")
			t.row(res.Scanned, res.Matched, res.Queued, res.NextSequence)
		})
	}
	return usageErr("triggers: create, list, get, delete, enable, test, fire, deliveries, retry or replay")
}
