// Package actionspec defines a trigger's action as it is stored and checked: its
// configuration (one struct for every type), the rules each field follows, and the
// operator's Policy of what an action may reach.
//
// The rule it enforces: an action reaches only what its owner could reach plus targets
// the operator allowed, and never Herald's own streams, subjects, queues, topics or
// functions. The same checks run when a trigger is created or replaced (TriggersApi,
// answering 400 naming the field) and again before every send (Deliver), so that a
// trigger stored before a policy changed cannot reach what the policy now refuses.
//
// It imports no AWS SDK client and no NATS client, so that the API functions can check
// actions without linking what sends them.
package actionspec
