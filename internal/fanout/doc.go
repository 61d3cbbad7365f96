// Package fanout publishes events to Herald's SNS topic, from which Herald's own queues
// and downstream systems' queues are fed. Each message carries message attributes that
// SNS filter policies select on: event, domain, uuid, resource_type, resource_path,
// user_id, has_recipients and sequence, and trace_header when the publisher traced it:
// at most 9, within the 10 that SNS delivers raw to an SQS queue.
package fanout
