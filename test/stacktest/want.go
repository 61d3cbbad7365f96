package stacktest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// Want is the documented answer to a call.
type Want struct {
	Status int
	// Gateway marks API Gateway's own answer, {"message": …} as application/json, given
	// before any function runs.
	Gateway bool
	// Fields the problem's errors must name; nil checks none, {""} is the body as a whole.
	Fields []string
	Check  func(t *testing.T, a Answer) // more to check, or nil
}

// Expect fails t unless a is the answer w describes.
func Expect(t *testing.T, c Call, a Answer, w Want) {
	t.Helper()
	if a.Status != w.Status {
		t.Errorf("%s %s: %s, want %d", c.Method, c.Path, a, w.Status)
		return
	}
	ct := a.Header.Get("Content-Type")
	switch {
	case w.Gateway:
		var m struct {
			Message string `json:"message"`
		}
		if ct != "application/json" || json.Unmarshal(a.Body, &m) != nil || m.Message != http.StatusText(w.Status) {
			t.Errorf("%s %s: %s, want API Gateway's {\"message\":%q}", c.Method, c.Path, a, http.StatusText(w.Status))
		}
	case w.Status >= 400:
		var pr struct {
			Type   string `json:"type"`
			Status int    `json:"status"`
			Errors []struct {
				Field string `json:"field"`
			} `json:"errors"`
		}
		if ct != "application/problem+json" || json.Unmarshal(a.Body, &pr) != nil || pr.Status != w.Status || !strings.HasPrefix(pr.Type, "urn:herald:problem:") {
			t.Errorf("%s %s: %s, want problem+json with status %d", c.Method, c.Path, a, w.Status)
			return
		}
		for _, f := range w.Fields {
			if !slices.ContainsFunc(pr.Errors, func(e struct {
				Field string `json:"field"`
			}) bool {
				return e.Field == f
			}) {
				t.Errorf("%s %s: %s, want the field %q named", c.Method, c.Path, a, f)
			}
		}
	}
	if w.Check != nil {
		w.Check(t, a)
	}
}
