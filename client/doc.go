// Package client is a Go client of the Herald HTTP API: publishing events, consumers
// and their batches, live streams and acknowledgements, personal notifications, and
// triggers with their deliveries. Requests and answers that are the API's own
// documents use the types of package [github.com/heraldhq/herald/wire] (wire.Event,
// wire.ConsumerSpec, wire.TriggerSpec, …), which mirror the server's member for
// member, so that what the client sends is what the server decodes. The client and
// wire use nothing but the standard library.
//
//	c, err := client.New("https://abc123.execute-api.eu-west-1.amazonaws.com",
//		client.WithToken(token),
//		client.WithStreamURL("https://xyz.lambda-url.eu-west-1.on.aws/"))
//	if err != nil {
//		return err
//	}
//	res, err := c.Publish(ctx, &wire.Event{
//		Event:    "job.JobFinished",
//		Resource: &wire.Resource{Type: "job", Path: "projects/p1/jobs/j1"},
//	})
//
// Every method takes a context first; it bounds the whole call, retries and the pauses
// between them included.
//
// # Errors
//
// An answer other than 2xx is an [*Error], carrying the status and the RFC 9457
// problem the functions answer (type, title, detail, and the fields at fault), or the
// {"message": …} that API Gateway answers itself (401 without a token, 403 when the
// authorizer refuses one, 429 when throttling). [IsInvalid], [IsNotFound],
// [IsForbidden] and the other Is… helpers test the status. A sync publish that a
// trigger vetoes returns a [*VetoError] with the denials, which wraps the *Error of the
// 422 answer.
//
// # Retries
//
// A request is sent again, with exponential backoff and jitter ([WithRetry]), when
// doing so cannot do its work twice:
//
//   - 429 always: API Gateway throttles before the request reaches a function;
//   - a failed connection always: the request never left;
//   - 5xx and broken connections only for idempotent requests: GET, PUT, DELETE,
//     publishing (POST /v1/events: the stream drops an event whose uuid it holds, so
//     the client gives an event without a uuid one before the first attempt),
//     acknowledging messages and notifications, testing and enabling a trigger, and
//     asking for stream tickets.
//
// Creating consumers, triggers and notifications, firing a trigger, retrying a
// delivery and replaying are not resent once they may have reached the server: a 5xx
// may come after the work was done. A Retry-After header is honoured, up to a minute;
// beyond that the error is returned, as waiting longer could outlast the stream's
// dedupe window.
//
// # Streams
//
// [Client.Stream] reads a consumer's live stream (server-sent events), a message at a
// time, until the server asks the client to reconnect ([ErrReconnect]), which it does
// before its invocation ends; [Client.Consume] reconnects by itself. [Client.InboxStream]
// reads the caller's inbox the same way (notifications, acknowledgements, the count of
// unacknowledged ones), and [Client.WatchInbox] reconnects with the id of the last
// notification received. A deployed stack serves streams at the Stream function's URL:
// give it with [WithStreamURL].
//
// A browser's EventSource cannot send a token: a server holding one asks for a
// single-use ticket ([Client.StreamTicket], [Client.InboxStreamTicket]) and hands the
// page the URL that opens the stream with it ([Client.StreamTicketURL]).
package client
