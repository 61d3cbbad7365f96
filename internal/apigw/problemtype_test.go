package apigw

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/heraldhq/herald/internal/fault"
)

// TestProblemTypes pins every problem type URN, as clients see it: renaming a kind's
// title must not change one. Each kind has its own type and status.
func TestProblemTypes(t *testing.T) {
	tests := []struct {
		kind     fault.Kind
		constant string
		urn      string
		status   int
	}{
		{fault.Other, ProblemInternal, "urn:herald:problem:internal-error", http.StatusInternalServerError},
		{fault.Invalid, ProblemInvalid, "urn:herald:problem:invalid-request", http.StatusBadRequest},
		{fault.Unauthorized, ProblemUnauthorized, "urn:herald:problem:unauthorized", http.StatusUnauthorized},
		{fault.Forbidden, ProblemForbidden, "urn:herald:problem:forbidden", http.StatusForbidden},
		{fault.NotFound, ProblemNotFound, "urn:herald:problem:not-found", http.StatusNotFound},
		{fault.Conflict, ProblemConflict, "urn:herald:problem:conflict", http.StatusConflict},
		{fault.TooLarge, ProblemTooLarge, "urn:herald:problem:request-too-large", http.StatusRequestEntityTooLarge},
		{fault.Unsupported, ProblemUnsupported, "urn:herald:problem:unsupported-media-type", http.StatusUnsupportedMediaType},
		{fault.Unavailable, ProblemUnavailable, "urn:herald:problem:service-unavailable", http.StatusServiceUnavailable},
		{fault.OverQuota, ProblemOverQuota, "urn:herald:problem:quota-exceeded", http.StatusTooManyRequests},
		{fault.MethodNotAllowed, ProblemMethodNotAllowed, "urn:herald:problem:method-not-allowed", http.StatusMethodNotAllowed},
		{fault.Vetoed, ProblemVetoed, "urn:herald:problem:vetoed", http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.urn, func(t *testing.T) {
			if tt.constant != tt.urn {
				t.Errorf("constant = %q, want %q", tt.constant, tt.urn)
			}
			if got := ProblemType(tt.kind); got != tt.urn {
				t.Errorf("ProblemType(%v) = %q, want %q", tt.kind, got, tt.urn)
			}
			if got := Status(tt.kind); got != tt.status {
				t.Errorf("Status(%v) = %d, want %d", tt.kind, got, tt.status)
			}
			if p := ProblemFor(&fault.Error{Kind: tt.kind}); p.Type != tt.urn || p.Status != tt.status || p.Title != tt.kind.String() {
				t.Errorf("ProblemFor = %+v, want type %q, status %d, title %q", p, tt.urn, tt.status, tt.kind.String())
			}
		})
	}
	if got := ProblemType(fault.Vetoed + 1); got != ProblemInternal {
		t.Errorf("a kind without a type of its own: %q, want %q", got, ProblemInternal)
	}
}

// TestProblemExtensions checks a problem's extension members: after the others, in the
// order of their names, unable to replace a member of the problem itself.
func TestProblemExtensions(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a veto", &fault.Error{Kind: fault.Vetoed, Detail: "denied",
			Extensions: map[string]any{"denials": []map[string]string{{"reason": "a > b"}}, "approved": false}},
			`{"type":"urn:herald:problem:vetoed","title":"vetoed","status":422,"detail":"denied","approved":false,"denials":[{"reason":"a > b"}]}`},
		{"members of the problem stand", &fault.Error{Kind: fault.Conflict, Detail: "busy",
			Extensions: map[string]any{"status": 200, "type": "x", "title": "x", "detail": "x", "errors": "x", "quota": "x", "more": 1}},
			`{"type":"urn:herald:problem:conflict","title":"conflict","status":409,"detail":"busy","more":1}`},
		{"none", fault.New(fault.Conflict, "busy"), `{"type":"urn:herald:problem:conflict","title":"conflict","status":409,"detail":"busy"}`},
		{"not shown for an unexpected error", &fault.Error{Kind: fault.Other, Detail: "secret", Extensions: map[string]any{"secret": "x"}}, `{"type":"urn:herald:problem:internal-error","title":"internal error","status":500,"detail":"an unexpected error occurred; it has been logged"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := respond(http.StatusOK, ProblemContentType, ProblemFor(tt.err))
			if resp.Body != tt.want {
				t.Errorf("body %s, want %s", resp.Body, tt.want)
			}
			var p Problem
			if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
				t.Fatalf("the body does not decode as a Problem: %v", err)
			}
		})
	}
}
