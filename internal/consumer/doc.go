// Package consumer defines Herald's event notification consumers: the create body of
// POST /v1/consumers ([Spec]), its validation and defaults ([Spec.Normalize]), who may
// create one ([Spec.Authorize]), and how it maps onto a durable pull consumer on the
// HERALD_EVENTS JetStream stream ([Spec.FilterSubjects], [Spec.ConsumerConfig]).
//
// The package is pure: it talks to neither NATS nor DynamoDB. Handlers decode the body
// strictly, call Normalize, then Authorize, then create the JetStream consumer from
// ConsumerConfig and store the spec next to it.
//
// # Targets
//
// A consumer targets exactly one of
//
//	{"resources": [{"path": "projects/p1", "include_subresources": true}, …]}
//	{"user": "u1"}           the events about a user (path users/u1); own id only
//	{"announcements": true}  system events (path system)
//	{"all": true}            every event; admin role only
//
// and selects event types with event_types: "*" (every type), "<domain>.*" (every type
// of a domain), "<domain>.<Name>", or a name holding "*" ("job.Job*"). Without
// event_types a consumer gets every type, except that a user target gets "user.*" and an
// announcements target "system.*".
//
// # What a consumer shows
//
// JetStream delivers what the filter subjects select; a [Screen] then shows only the
// valid stored events (event.CheckStored, the bridge's rule) that the consumer's event
// type patterns and filter (the trigger filter language) select, and acknowledges the
// rest. [Changes] and [Store.Update] change the settings JetStream lets change in place;
// [Store.Pause] and [Store.Resume] use JetStream's consumer pause.
//
// # Filter subjects
//
// Events are stored on herald.events.<domain>.<Name>.<path segments…>._ (see package
// event). A resource with include_subresources selects <path>.> — the trailing "_"
// is a token, so this is the resource itself and everything below it — and one without
// selects <path>._, that resource only. A consumer's filter subjects are every event
// type pattern combined with every resource, after dropping the patterns and resources
// that another one already covers: JetStream refuses a consumer whose filter subjects
// overlap, and the reduced lists cannot overlap (see [Spec.FilterSubjects]).
package consumer
