// Package trigger keeps triggers: "notification = resource × event × action × filter".
// A trigger names a resource scope (a path, with or without its subresources, and
// optionally a resource type pattern), event type patterns, a filter in the language of
// package match, and an action that runs for every event that matches.
//
// Without event type patterns, a condition of the filter on "event" selects the events,
// as OMAPI triggers do ([Spec.MatchEvents]); without either, the trigger is a
// placeholder, run only when fired. Without a path, a trigger spans every path: an
// administrator's the whole tree, anyone's the announcements when it selects system
// events alone ([Spec.SystemOnly], [Spec.Authorize]).
//
// Triggers are stored in the Triggers table. Every write stamps the trigger with a new
// version on the table's "changes" index, and deleting leaves a tombstone there for a
// day, so that a Router that loaded every trigger once can keep up by reading only what
// changed since (Store.Changes) rather than the whole table.
package trigger
