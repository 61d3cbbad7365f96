package apigw

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/fault"
)

// TestDecodeJSONNamesNestedFields checks the fields encoding/json leaves unnamed or
// names by Go's structure: the problem must name them as the request spells them.
func TestDecodeJSONNamesNestedFields(t *testing.T) {
	type Content struct {
		Variant string `json:"variant"`
	}
	type retry struct {
		Schedule []string `json:"schedule"`
	}
	type body struct {
		Content
		Start  *time.Time `json:"start"`
		Retry  *retry     `json:"retry"`
		Target struct {
			Resources []struct {
				Path string `json:"path"`
			} `json:"resources"`
		} `json:"target"`
		Raw []byte `json:"raw"`
	}
	tests := []struct {
		name, in, field, message string
	}{
		{"unknown member of a nested object", `{"retry":{"schedule":["1s"],"bogus":1}}`, "retry.bogus", "unknown field"},
		{"unknown member in an array", `{"target":{"resources":[{"path":"a"},{"path":"b","bogus":1}]}}`, "target.resources.bogus", "unknown field"},
		{"a value UnmarshalJSON refuses", `{"start":"yesterday"}`, "start", "is not valid"},
		{"an embedded struct's member", `{"variant":7}`, "variant", "must be a string"},
		{"wrong type in an array", `{"retry":{"schedule":[1]}}`, "retry.schedule", "must be a string"},
		{"bytes not base64", `{"raw":"!!"}`, "raw", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b body
			err := DecodeJSON([]byte(tt.in), &b)
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Kind != fault.Invalid {
				t.Fatalf("err = %v, want an Invalid fault", err)
			}
			if len(fe.Fields) != 1 || fe.Fields[0].Field != tt.field || !strings.HasPrefix(fe.Fields[0].Message, tt.message) {
				t.Fatalf("fields = %+v, want field %q with a message starting %q", fe.Fields, tt.field, tt.message)
			}
		})
	}
}
