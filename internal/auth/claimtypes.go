package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// UnmarshalJSON decodes a token's payload after checking the JSON types of the
// registered claims Herald relies on. The JWT library reads a NumericDate from a string
// such as "9999999999" as readily as from a number, and RFC 7519 allows only a number;
// mainstream libraries refuse the string, so Herald does too, rather than accept tokens
// other verifiers of the same issuer would not.
func (t *tokenClaims) UnmarshalJSON(b []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	for _, name := range []string{"exp", "nbf", "iat"} {
		if v, ok := fields[name]; ok && !isJSONNumber(v) {
			return fmt.Errorf("the %s claim is not a JSON number", name)
		}
	}
	if v, ok := fields["sub"]; ok && !isJSONString(v) {
		return fmt.Errorf("the sub claim is not a JSON string")
	}
	// A type of its own has no UnmarshalJSON method, so this decodes the fields as usual.
	type plain tokenClaims
	return json.Unmarshal(b, (*plain)(t))
}

// isJSONNumber reports whether v, one well-formed JSON value, is a number.
func isJSONNumber(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9'))
}

// isJSONString reports whether v, one well-formed JSON value, is a string.
func isJSONString(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && v[0] == '"'
}
