package action

// Policy says what an action may reach, as the operator configured it. Every target is
// checked against it when a trigger is created or replaced, and again before every send.
type Policy struct {
	// Subjects are the NATS subject patterns nats actions may publish on (the action
	// namespace); DefaultSubjects when empty.
	Subjects []string
	// Targets are the ARN patterns ("*" matches any run of characters) that sqs, sns
	// and lambda actions may reach. Empty allows none.
	Targets []string
	// Own are the ARNs (or ARN patterns) of Herald's own queues, topics and functions,
	// refused even where Targets would allow them.
	Own []string
}

// DefaultSubjects is the action namespace when the operator sets none.
var DefaultSubjects = []string{"herald.actions.>"}
