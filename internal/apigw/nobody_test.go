package apigw

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/fault"
)

func TestNoFields(t *testing.T) {
	tests := []struct {
		name, body, contentType string
		base64                  bool
		kind                    fault.Kind // 0: accepted
		field                   string
	}{
		{"no body", "", "", false, 0, ""},
		{"blanks", " \n", "application/json", false, 0, ""},
		{"an empty object", "{}", "application/json", false, 0, ""},
		{"an empty object without a type", " { } ", "", false, 0, ""},
		{"an empty object in base64", base64.StdEncoding.EncodeToString([]byte("{}")), "application/json", true, 0, ""},
		{"a member", `{"ttl":600}`, "application/json", false, fault.Invalid, "ttl"},
		{"an array", `[]`, "application/json", false, fault.Invalid, ""},
		{"malformed", `{`, "application/json", false, fault.Invalid, ""},
		{"trailing data", `{}{}`, "application/json", false, fault.Invalid, ""},
		{"not JSON", `{}`, "text/plain", false, fault.Unsupported, ""},
		{"not base64", "!!", "application/json", true, fault.Invalid, ""},
		{"invalid UTF-8", "{\"\xff\":1}", "application/json", false, fault.Invalid, ""},
		{"oversized", "{" + strings.Repeat(" ", maxEmptyBody) + "}", "application/json", false, fault.TooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &awsevents.APIGatewayV2HTTPRequest{Body: tt.body, IsBase64Encoded: tt.base64, Headers: map[string]string{}}
			if tt.contentType != "" {
				req.Headers["content-type"] = tt.contentType
			}
			err := NoFields(req)
			if tt.kind == 0 {
				if err != nil {
					t.Fatalf("NoFields = %v, want nil", err)
				}
				return
			}
			if !fault.Is(err, tt.kind) {
				t.Fatalf("NoFields = %v, want %v", err, tt.kind)
			}
			if tt.field != "" {
				var fe *fault.Error
				if !errors.As(err, &fe) || len(fe.Fields) == 0 || fe.Fields[0].Field != tt.field {
					t.Errorf("NoFields = %+v, want the field %q named", err, tt.field)
				}
			}
		})
	}
}
