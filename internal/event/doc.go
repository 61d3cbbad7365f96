// Package event defines Herald's event envelope: the JSON document that platform
// services publish, how it is decoded and validated, how it maps to NATS subjects,
// and the catalog of event types Herald knows about, each with its contract: a JSON
// Schema of its resource and data (schemas/<type>.json) and an example
// (examples/<type>.json). Package contract checks events against the schemas.
//
// An event is a JSON object such as
//
//	{
//	  "event": "resource.ResourceUpdated",
//	  "uuid": "8f2792c7-b01a-4493-ba5a-d0588a4aad8e",
//	  "timestamp": "2026-11-22T18:00:00.123Z",
//	  "resource": {"type": "omapisvc.APIConfig", "id": "cfg-1", "path": "projects/p1/configs/cfg-1"}
//	}
//
// Fields Herald does not know are kept in the Extra maps and written back unchanged,
// so that publishers can add fields without waiting for Herald.
//
// The usual sequence is [Decode], then [Event.FillDefaults] when Herald itself
// accepts the event over HTTP, then [Event.Validate], then [Event.Subject] to choose
// where the event is stored. Decode and Validate are separate because a relay that
// receives events from NATS must tell a malformed body (which it cannot even route)
// from a well-formed event that breaks a rule, and because validation must also run
// on events built in code.
//
// Events are stored on the subject
//
//	herald.events.<domain>.<Name>.<path segments…>._
//
// The trailing "_" token closes the path, so that a filter ending in "._" selects one
// resource and a filter ending in ".>" selects a resource and everything under it.
//
// Errors are *fault.Error values: Invalid with one FieldError per bad field, named
// by a dotted path such as "resource.path" or "recipients[2]", or TooLarge for a body
// over [MaxSize].
package event
