package webhook

import (
	"errors"
	"slices"
	"testing"

	"github.com/heraldhq/herald/internal/fault"
)

func TestCheckHeaders(t *testing.T) {
	tests := []struct {
		name string
		h    map[string]string
		want []string // the fields at fault, sorted
	}{
		{name: "none", h: nil},
		{name: "custom and authorization", h: map[string]string{"Authorization": "Bearer abc", "X-Tenant": "t1", "x-trace": "a\tb"}},
		{name: "content type", h: map[string]string{"Content-Type": "text/plain"}, want: []string{"headers.Content-Type"}},
		{name: "any case", h: map[string]string{"user-AGENT": "x"}, want: []string{"headers.user-AGENT"}},
		{name: "standard webhooks", h: map[string]string{"Webhook-Signature": "v1,x", "webhook-id": "1"}, want: []string{"headers.Webhook-Signature", "headers.webhook-id"}},
		{name: "cloudevents", h: map[string]string{"ce-type": "x"}, want: []string{"headers.ce-type"}},
		{name: "hop by hop", h: map[string]string{"Transfer-Encoding": "chunked", "Proxy-Authorization": "x", "Host": "h"}, want: []string{"headers.Host", "headers.Proxy-Authorization", "headers.Transfer-Encoding"}},
		{name: "bad name", h: map[string]string{"X Space": "v", "": "v", "X:Colon": "v"}, want: []string{"headers.", "headers.X Space", "headers.X:Colon"}},
		{name: "header injection", h: map[string]string{"X-A": "v\r\nX-Injected: 1", "X-B": "nul\x00"}, want: []string{"headers.X-A", "headers.X-B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckHeaders(tt.h)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CheckHeaders = %v, want nil", err)
				}
				return
			}
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Kind != fault.Invalid {
				t.Fatalf("CheckHeaders = %v, want fault.Invalid", err)
			}
			var got []string
			for _, f := range fe.Fields {
				got = append(got, f.Field)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("fields = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCEHeaderValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"projects/p1/collections/c1", "projects/p1/collections/c1"},
		{"resource.ResourceCreated", "resource.ResourceCreated"},
		{"a b", "a%20b"},
		{`say "hi"`, "say%20%22hi%22"},
		{"100%", "100%25"},
		{"café", "caf%C3%A9"},
		{"tab\tnl\n", "tab%09nl%0A"},
	}
	for _, tt := range tests {
		if got := ceHeaderValue(tt.in); got != tt.want {
			t.Errorf("ceHeaderValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
