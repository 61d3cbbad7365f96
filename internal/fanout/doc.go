// Package fanout publishes events to Herald's SNS topic, from which Herald's own queues
// and downstream systems' queues are fed. Each message carries message attributes that
// SNS filter policies select on: event, domain, resource_type, resource_path, user_id,
// has_recipients and sequence.
package fanout
