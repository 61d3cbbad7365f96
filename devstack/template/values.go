package template

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// describe names the YAML shape of v for error messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int, int64, uint64, float64:
		return "a number"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// scalarString renders a string, number or boolean the way CloudFormation passes it to a
// service: templates often write 30 where the API wants "30".
func scalarString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case uint64:
		return strconv.FormatUint(v, 10), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

// isTrue reports whether v is true or "true", as CloudFormation accepts both.
func isTrue(v any) bool {
	s, ok := scalarString(v)
	return ok && strings.EqualFold(s, "true")
}

// toInt64 converts a number or a numeric string, as properties may be written either way.
func toInt64(v any) (int64, error) {
	switch v := v.(type) {
	case int:
		return int64(v), nil
	case int64:
		return v, nil
	case uint64:
		return int64(v), nil
	case float64:
		if v != float64(int64(v)) {
			return 0, fmt.Errorf("%v is not a whole number", v)
		}
		return int64(v), nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a whole number", v)
		}
		return n, nil
	}
	return 0, fmt.Errorf("is %s, want a whole number", describe(v))
}

// fieldErrors collects problems found while reading a template, so that one run reports
// them all rather than the first.
type fieldErrors []string

func (e *fieldErrors) addf(format string, args ...any) {
	*e = append(*e, fmt.Sprintf(format, args...))
}

// str returns m[key] as a string; a missing key yields "".
func (e *fieldErrors) str(m map[string]any, key, path string) string {
	v, ok := m[key]
	if !ok || v == nil {
		return ""
	}
	s, ok := scalarString(v)
	if !ok {
		e.addf("%s: is %s, want a string", path, describe(v))
	}
	return s
}

// mapping returns m[key] as a mapping; a missing key yields nil.
func (e *fieldErrors) mapping(m map[string]any, key, path string) map[string]any {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	mm, ok := v.(map[string]any)
	if !ok {
		e.addf("%s: is %s, want a mapping", path, describe(v))
	}
	return mm
}

func (e fieldErrors) err() error {
	if len(e) == 0 {
		return nil
	}
	// Map iteration order is random; sorted messages keep errors reproducible.
	sort.Strings(e)
	return errors.New(strings.Join(e, "; "))
}

// Int reads a template number (Timeout, MemorySize, BatchSize, …) as YAML gives it, or
// def when v is absent or not a whole number.
func Int(v any, def int) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case float64:
		return int(n)
	case string:
		if i, err := strconv.Atoi(n); err == nil {
			return i
		}
	}
	return def
}

// ArnOf returns the logical id X of a value {"Fn::GetAtt": [X, "Arn"]} (or its string
// form "X.Arn"): how a template names the ARN of one of its own resources. It returns ""
// for anything else.
func ArnOf(v any) string {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return ""
	}
	switch a := m["Fn::GetAtt"].(type) {
	case []any:
		if len(a) == 2 && a[1] == "Arn" {
			id, _ := a[0].(string)
			return id
		}
	case string:
		if id, attr, _ := strings.Cut(a, "."); attr == "Arn" {
			return id
		}
	}
	return ""
}
