package repo

import (
	"slices"
	"strings"
	"testing"
)

// reviewedGrants are the grants of each function's role, each for a call its code
// makes (named beside it). The template may grant nothing else and must grant all of
// them: a grant missing fails on AWS only, since the emulators check no permissions.
// Logs, secrets (by tag), and Deliver's and EventsApi's action targets (granted only when
// ActionTargets is set) are checked elsewhere: devstack/template's actions IAM tests.
var reviewedGrants = map[string][]string{
	"Authorizer": {},
	"EventsApi": {
		"dynamodb:Query TriggersTable/index/changes", // trigger.Store.Changes: the sync triggers
		"dynamodb:PutItem DeliveriesTable",           // delivery.Store.Verdict
		// and, when ActionTargets is set, lambda:InvokeFunction on its patterns:
		// action.Runner.Decide asks a sync trigger's lambda action (Invoke).
	},
	"ConsumersApi": {
		"dynamodb:GetItem ConsumersTable",      // consumer.Store.Get, Lookup
		"dynamodb:PutItem ConsumersTable",      // Create
		"dynamodb:UpdateItem ConsumersTable",   // Disable, the quota ledger
		"dynamodb:DeleteItem ConsumersTable",   // Delete
		"dynamodb:Query ConsumersTable",        // (the table, for the index below)
		"dynamodb:BatchGetItem ConsumersTable", // the quota ledger's check of live ids
		"dynamodb:GetItem ConsumersTable/index/by-owner",
		"dynamodb:PutItem ConsumersTable/index/by-owner",
		"dynamodb:UpdateItem ConsumersTable/index/by-owner",
		"dynamodb:DeleteItem ConsumersTable/index/by-owner",
		"dynamodb:Query ConsumersTable/index/by-owner", // List
		"dynamodb:BatchGetItem ConsumersTable/index/by-owner",
	},
	"Stream": {
		"dynamodb:GetItem ConsumersTable",                        // consumer.Store.Get
		"dynamodb:UpdateItem ConsumersTable",                     // Touch
		"dynamodb:Query StreamsTable",                            // lease.Store: the slots held
		"dynamodb:PutItem StreamsTable",                          // take; ticket.Ledger.Spend
		"dynamodb:UpdateItem StreamsTable",                       // Renew
		"dynamodb:DeleteItem StreamsTable",                       // Release
		"dynamodb:Query NotificationsTable",                      // inbox.Store.Since: what an inbox stream missed
		"dynamodb:Query NotificationsTable/index/unacknowledged", // UnacknowledgedIDs
	},
	"Inbox": {
		"sqs:ReceiveMessage InboxQueue", "sqs:DeleteMessage InboxQueue", "sqs:GetQueueAttributes InboxQueue", // the event source mapping
		"dynamodb:PutItem NotificationsTable", // inbox.Store.PutAll
	},
	"NotificationsApi": {
		"dynamodb:GetItem NotificationsTable", "dynamodb:GetItem NotificationsTable/index/*",
		"dynamodb:PutItem NotificationsTable", "dynamodb:PutItem NotificationsTable/index/*", // Put
		"dynamodb:UpdateItem NotificationsTable", "dynamodb:UpdateItem NotificationsTable/index/*", // Acknowledge
		"dynamodb:Query NotificationsTable", "dynamodb:Query NotificationsTable/index/*", // List, Count
		// and the reply keys' secret (by tag, checked elsewhere): the inbox stream's
		// tickets are signed with keys derived from them (ticket.NewKeys).
	},
	"TriggersApi": {
		"dynamodb:GetItem TriggersTable", "dynamodb:GetItem TriggersTable/index/by-owner", // trigger.Store.Get
		"dynamodb:PutItem TriggersTable", "dynamodb:PutItem TriggersTable/index/by-owner", // Create, Replace
		"dynamodb:UpdateItem TriggersTable", "dynamodb:UpdateItem TriggersTable/index/by-owner", // SetEnabled, Delete, the quota ledger
		"dynamodb:Query TriggersTable", "dynamodb:Query TriggersTable/index/by-owner", // List
		"dynamodb:BatchGetItem TriggersTable", "dynamodb:BatchGetItem TriggersTable/index/by-owner", // the quota ledger
		"dynamodb:GetItem DeliveriesTable",    // delivery.Store.Get
		"dynamodb:PutItem DeliveriesTable",    // Redeliver's claim
		"dynamodb:UpdateItem DeliveriesTable", // Requeue
		"dynamodb:Query DeliveriesTable",      // List
		"sqs:SendMessage DeliveriesQueue",     // retries, replays, fire
	},
	"Router": {
		"sqs:ReceiveMessage RouteQueue", "sqs:DeleteMessage RouteQueue", "sqs:GetQueueAttributes RouteQueue", // the event source mapping
		"dynamodb:Query TriggersTable/index/changes", // trigger.Store.Changes
		"dynamodb:GetItem DeliveriesTable",           // delivery.Store.Enqueue's claim
		"dynamodb:PutItem DeliveriesTable",           // claim
		"dynamodb:UpdateItem DeliveriesTable",        // MarkQueued
		"sqs:SendMessage DeliveriesQueue",            // delivery.Queue.Send
	},
	"Deliver": {
		"dynamodb:GetItem TriggersTable",                                                                                    // trigger.Store.Lookup
		"dynamodb:UpdateItem TriggersTable",                                                                                 // SetEnabled, CountExhausted, ResetExhausted
		"dynamodb:GetItem DeliveriesTable",                                                                                  // delivery.Store.Get
		"dynamodb:PutItem DeliveriesTable",                                                                                  // Claim
		"dynamodb:UpdateItem DeliveriesTable",                                                                               // Record, SetStatus
		"dynamodb:PutItem NotificationsTable",                                                                               // inbox.Store.Put: the owner's notices
		"sqs:ReceiveMessage DeliveriesQueue", "sqs:DeleteMessage DeliveriesQueue", "sqs:GetQueueAttributes DeliveriesQueue", // the event source mapping
		"sqs:ChangeMessageVisibility DeliveriesQueue", // retries by visibility
		"sqs:SendMessage DeliveriesDeadLetterQueue",   // tasks it cannot read
	},
	"Bridge": {
		"sns:Publish EventsTopic",             // fanout.Publisher.PublishBatch
		"dynamodb:GetItem ConsumersTable",     // advisory.Processor: consumer.Store.Lookup, the owner
		"dynamodb:GetItem NotificationsTable", // inbox.Store.AddTally reads the notice
		"dynamodb:PutItem NotificationsTable", // and writes it
	},
	"Janitor": {
		"dynamodb:Scan ConsumersTable",       // consumer.Store.All
		"dynamodb:DeleteItem ConsumersTable", // Delete
		"dynamodb:UpdateItem ConsumersTable", // the quota ledger's Release
	},
}

// TestGrantsAreReviewed compares each function's grants with reviewedGrants, both ways.
func TestGrantsAreReviewed(t *testing.T) {
	tmpl, _ := repoTemplate(t)
	for fn, all := range Grants(tmpl) {
		var got []string
		for _, g := range all {
			// Its own log group, and secrets by tag, are every function's.
			if strings.HasPrefix(g, "logs:") || g == "secretsmanager:GetSecretValue *" {
				continue
			}
			got = append(got, g)
		}
		want, ok := reviewedGrants[fn]
		if !ok {
			t.Errorf("%s has no reviewed grants", fn)
			continue
		}
		for _, g := range got {
			if !slices.Contains(want, g) {
				t.Errorf("%s is granted %s, which no reviewed call needs", fn, g)
			}
		}
		for _, g := range want {
			if !slices.Contains(got, g) {
				t.Errorf("%s is not granted %s, which its code calls", fn, g)
			}
		}
	}
}
