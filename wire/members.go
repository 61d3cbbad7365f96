package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// This file reads and writes JSON objects whose unknown members are kept in an Extra
// map, as the server's event envelope does: Event, User and Resource.

// memberNames returns the JSON member names of struct type T's fields.
func memberNames[T any]() map[string]bool {
	t := reflect.TypeFor[T]()
	names := make(map[string]bool, t.NumField())
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names[name] = true
		}
	}
	return names
}

// marshalWithExtra encodes known, a struct of the known members, then appends the
// members of extra that known does not name, sorted by name so that an encoding does
// not change from one call to the next. A known member wins over an Extra member of
// the same name; an empty Extra value is written as null, the closest JSON reading of
// "no value".
func marshalWithExtra(known any, extra map[string]json.RawMessage, members map[string]bool) ([]byte, error) {
	b, err := json.Marshal(known)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if !members[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return b, nil
	}
	slices.Sort(keys)
	buf := bytes.NewBuffer(b[:len(b)-1]) // without the closing brace
	for _, k := range keys {
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(k) // a string always encodes
		buf.Write(name)
		buf.WriteByte(':')
		v := extra[k]
		if len(v) == 0 {
			v = json.RawMessage("null")
		}
		// Compacting also checks the value, so that a bad one set in code fails here
		// rather than making broken JSON.
		if err := json.Compact(buf, v); err != nil {
			return nil, fmt.Errorf("wire: member %q: %w", k, err)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// splitMembers reads a JSON object into its members by exact name; the last of
// repeated members wins. It returns a nil map for null, which leaves the value as it
// was, as encoding/json does.
func splitMembers(b []byte, what string) (map[string]json.RawMessage, error) {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("wire: %s: %w", what, err)
	}
	return m, nil
}

// takeMembers decodes the members of m that known, a pointer to a struct of the known
// members, names into it, and removes them from m, leaving the unknown ones. Names are
// matched exactly: JSON is case-sensitive, so "Event" is an unknown member, not the
// event type as encoding/json would take it.
func takeMembers(m map[string]json.RawMessage, known any, what string) error {
	v := reflect.ValueOf(known).Elem()
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		raw, ok := m[name]
		if !ok {
			continue
		}
		delete(m, name)
		if err := json.Unmarshal(raw, v.Field(i).Addr().Interface()); err != nil {
			if strings.HasPrefix(err.Error(), "wire: ") {
				return err // a nested object's, which names itself
			}
			return fmt.Errorf("wire: %s member %q: %w", what, name, err)
		}
	}
	return nil
}

// extraOf returns what takeMembers left of m, nil when nothing.
func extraOf(m map[string]json.RawMessage) map[string]json.RawMessage {
	if len(m) == 0 {
		return nil
	}
	return m
}

// nonEmpty returns s, or nil when it is empty: the server reads an empty array as an
// absent one.
func nonEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// nonNull returns v, or nil when it is null: the server reads a null object member as
// an absent one.
func nonNull(v json.RawMessage) json.RawMessage {
	if string(v) == "null" {
		return nil
	}
	return v
}
