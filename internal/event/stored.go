package event

import "fmt"

// CheckStored returns the event a message on the stream holds, or why the message is
// not a valid stored event: its body does not decode, the event is invalid (Validate),
// or it sits on another subject than its own (a publisher writing straight to NATS can
// put anything anywhere). This is the one rule for what Herald passes on: the bridge
// dead-letters what fails it, and consumers never show it. The event is returned, when
// the body decoded, even with an error, so that callers can log its uuid.
func CheckStored(subject string, data []byte) (*Event, error) {
	e, err := Decode(data)
	if err != nil {
		return nil, err
	}
	if err := e.Validate(); err != nil {
		return e, err
	}
	if want := e.Subject(); want != subject {
		return e, fmt.Errorf("subject %q does not match the event, which belongs on %q", subject, want)
	}
	return e, nil
}
