package script_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/script"
)

func TestEvents(t *testing.T) {
	tests := []struct {
		result string
		want   []string
		err    string // a part of the error message; "" for none
	}{
		{`null`, nil, ""},
		{``, nil, ""},
		{`{"event":"a.B"}`, []string{`{"event":"a.B"}`}, ""},
		{`[]`, []string{}, ""},
		{`[{"event":"a.B"},{"event":"c.D","data":[1]}]`, []string{`{"event":"a.B"}`, `{"event":"c.D","data":[1]}`}, ""},
		{`[{"event":"a.B"},null]`, nil, "element 1 is null"},
		{`[[{"event":"a.B"}]]`, nil, "element 0 is an array"},
		{`"a.B"`, nil, "not a string"},
		{`true`, nil, "not a boolean"},
		{`42`, nil, "not a number"},
	}
	for _, tt := range tests {
		got, err := script.Events(json.RawMessage(tt.result))
		if tt.err != "" {
			var re *script.ResultError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Events(%s) = %v, want a *ResultError about %q", tt.result, err, tt.err)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("Events(%s) = %q, %v; want %q", tt.result, got, err, tt.want)
			continue
		}
		for i := range got {
			if string(got[i]) != tt.want[i] {
				t.Errorf("Events(%s)[%d] = %s, want %s", tt.result, i, got[i], tt.want[i])
			}
		}
	}
}

func TestDecision(t *testing.T) {
	tests := []struct {
		result  string
		approve bool
		reason  string
		err     string // a part of the error message; "" for none
	}{
		{`{"approve":true}`, true, "", ""},
		{`{"approve":false,"reason":"quota exceeded"}`, false, "quota exceeded", ""},
		{`{"approve":true,"reason":null,"extra":1}`, true, "", ""},
		{`{"reason":"why"}`, false, "", `"approve" is missing`},
		{`{"approve":"yes"}`, false, "", `"approve" is a string, not a boolean`},
		{`{"approve":1}`, false, "", `"approve" is a number`},
		{`{"approve":null}`, false, "", `"approve" is null`},
		{`{"approve":false,"reason":42}`, false, "", `"reason" is a number, not a string`},
		{`true`, false, "", "not a boolean"},
		{`null`, false, "", "not null"},
		{`[{"approve":true}]`, false, "", "not an array"},
	}
	for _, tt := range tests {
		approve, reason, err := script.Decision(json.RawMessage(tt.result))
		if tt.err != "" {
			var re *script.ResultError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Decision(%s) = %v, want a *ResultError about %q", tt.result, err, tt.err)
			}
			continue
		}
		if err != nil || approve != tt.approve || reason != tt.reason {
			t.Errorf("Decision(%s) = %v, %q, %v; want %v, %q", tt.result, approve, reason, err, tt.approve, tt.reason)
		}
	}
}
