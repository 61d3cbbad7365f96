// Package action runs triggers' actions for the Deliver function and for sync
// publishing: an HTTP webhook (Standard Webhooks), an SQS queue, an SNS topic, a Lambda
// function, a NATS subject, or a JavaScript handler, each optionally after a
// JavaScript transform of the payload.
//
// Every run returns an Outcome that says whether it succeeded and, when not, whether
// trying again can help: a refused target, an invalid action or a script error fails
// for good, a 410 Gone disables the trigger, anything else is retried on the trigger's
// schedule.
package action
