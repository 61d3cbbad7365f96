package script

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Events reads the result of an async handle: null (undefined included) for no event,
// an object for one, or an array of objects. Each event is returned as it is, for the
// caller to decode and validate. Anything else is a *ResultError.
func Events(result json.RawMessage) ([]json.RawMessage, error) {
	switch kind(result) {
	case 'n':
		return nil, nil
	case '{':
		return []json.RawMessage{result}, nil
	case '[':
		var list []json.RawMessage
		if err := json.Unmarshal(result, &list); err != nil {
			return nil, &ResultError{Message: "handle must return an event object, an array of them, or null: " + err.Error()}
		}
		for i, e := range list {
			if kind(e) != '{' {
				return nil, &ResultError{Message: "handle must return event objects, but element " + strconv.Itoa(i) + " is " + describe(e)}
			}
		}
		return list, nil
	}
	return nil, &ResultError{Message: "handle must return an event object, an array of them, or null, not " + describe(result)}
}

// Decision reads the result of a sync handle: {"approve": true|false, "reason": "…"},
// the reason optional. Other fields are ignored. Anything else is a *ResultError.
func Decision(result json.RawMessage) (approve bool, reason string, err error) {
	const shape = `handle must return {"approve": true or false, "reason": "…"}`
	if kind(result) != '{' {
		return false, "", &ResultError{Message: shape + ", not " + describe(result)}
	}
	var d struct {
		Approve json.RawMessage `json:"approve"`
		Reason  json.RawMessage `json:"reason"`
	}
	if err := json.Unmarshal(result, &d); err != nil {
		return false, "", &ResultError{Message: shape + ": " + err.Error()}
	}
	switch string(d.Approve) {
	case "true":
		approve = true
	case "false":
	case "":
		return false, "", &ResultError{Message: shape + `: "approve" is missing`}
	default:
		return false, "", &ResultError{Message: shape + `: "approve" is ` + describe(d.Approve) + ", not a boolean"}
	}
	if k := kind(d.Reason); k != 'n' {
		if k != '"' {
			return false, "", &ResultError{Message: shape + `: "reason" is ` + describe(d.Reason) + ", not a string"}
		}
		if err := json.Unmarshal(d.Reason, &reason); err != nil {
			return false, "", &ResultError{Message: shape + `: "reason": ` + err.Error()}
		}
	}
	return approve, reason, nil
}

// kind returns the first byte of a JSON value: 'n' for null (and for nothing at all,
// as a result of undefined is null), '{', '[', '"', 't' or 'f', or a digit or '-'.
func kind(v json.RawMessage) byte {
	v = bytes.TrimLeft(v, " \t\r\n")
	if len(v) == 0 {
		return 'n'
	}
	return v[0]
}

// describe names the type of a JSON value for an error message.
func describe(v json.RawMessage) string {
	switch kind(v) {
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}
