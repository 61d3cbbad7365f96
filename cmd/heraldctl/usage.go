package main

import (
	"fmt"
	"io"
)

const usageText = `usage: heraldctl [--url URL] [--token TOKEN] [--output table|json] [-q] [--config FILE] COMMAND

Events
  publish EVENT [--sync]                 publish one event (JSON, @file or -)
  catalog [TYPE]                         the known entity types and events; with TYPE,
                                         that event type's schema and example (JSON)

Consumers
  consumers create SPEC                  create a consumer
  consumers list                         your consumers
  consumers get ID                       one, with its pending counts and pause
  consumers update ID CHANGES            change settings in place (JSON, @file or -):
                                         ack_wait_ms, max_deliver, back_off, max_ack_pending,
                                         idle_expiry, event_types, filter; null resets one
  consumers pause ID [--until RFC3339]   deliver nothing until then (default: until resumed)
  consumers resume ID
  consumers delete ID
  consumers fetch ID [--batch N] [--wait MS] [--follow]
                                         fetch messages (--follow streams them)
  consumers stream ID                    the live stream (Server-Sent Events)
  consumers ticket ID                    a single-use ticket that opens the stream without
                                         a token (?ticket=, for a browser's EventSource)
  consumers ack REPLIES [--action ack|nak|term|in_progress] [--delay MS]
                                         acknowledge replies (JSON array, @file or -)

Personal notifications (also: inbox …)
  notifications list [--state unacknowledged|acknowledged|all] [--variant V] [--ref TYPE:VALUE]
  notifications count [--variant V] [--ref TYPE:VALUE]
                                         --ref RESOURCE:projects/p1 or USER:u1
  notifications ack ID... | --all | --before ID
                                         acknowledge those, all, or all up to an id
  notifications watch [--last-event-id ID]
                                         the inbox as it changes (notifications,
                                         acknowledgements, the unacknowledged count)
  notifications ticket                   a single-use ticket that opens your inbox stream

Triggers
  triggers create SPEC                   create (an http action's secret is shown once)
  triggers list | get ID | delete ID | enable ID
  triggers test ID EVENT                 would EVENT match, and why not
  triggers fire ID EVENT                 run the action for EVENT now
  triggers deliveries ID [--status S]    the delivery log
  triggers retry ID DELIVERY_ID
  triggers replay ID (--start-sequence N | --start-time RFC3339) [--end-time RFC3339]

Administration (a token with the admin role)
  admin triggers list --owner USER       any user's triggers
  admin triggers disable ID | delete ID
  admin consumers list --owner USER      any user's consumers
  admin consumers disable ID | delete ID

Local development
  token [--sub ID] [--type personal|scoped|service] [--role R]... [--perm PATH=LEVEL]...
                                         mint a token with the local stack's secret
  completion bash                        a bash completion script

-q prints only the id of what create and publish make: CONSUMER=$(heraldctl -q consumers create ...),
and only the ticket of a ticket command.
URL and token: flags, else HERALD_URL and HERALD_TOKEN, else the config file
({"url": "...", "token": "..."}). Exit codes: 0 ok, 1 failed, 2 usage, 3 not found,
4 not allowed, 5 invalid input, 6 vetoed.
`

func usage(w io.Writer) { fmt.Fprint(w, usageText) }
