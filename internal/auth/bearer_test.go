package auth

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/fault"
)

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header  string
		want    string
		wantErr bool
	}{
		{"Bearer abc.def.ghi", "abc.def.ghi", false},
		{"bearer abc.def.ghi", "abc.def.ghi", false},
		{"BEARER abc.def.ghi", "abc.def.ghi", false},
		{"  Bearer   abc.def.ghi  ", "abc.def.ghi", false},
		{"", "", true},
		{"   ", "", true},
		{"Bearer", "", true},
		{"Bearer ", "", true},
		{"abc.def.ghi", "", true},
		{"Basic dXNlcjpwYXNz", "", true},
		{"Bearerabc.def.ghi", "", true},
		{"Bearer abc def", "", true},
		{"Bearer abc\tdef", "", true},
		{"Token abc.def.ghi", "", true},
	}
	for _, tt := range tests {
		got, err := BearerToken(tt.header)
		if (err != nil) != tt.wantErr {
			t.Errorf("BearerToken(%q) error = %v, want error %v", tt.header, err, tt.wantErr)
			continue
		}
		if err != nil {
			if !fault.Is(err, fault.Unauthorized) {
				t.Errorf("BearerToken(%q) kind = %v, want Unauthorized", tt.header, fault.KindOf(err))
			}
			if h := strings.TrimSpace(tt.header); len(h) > 8 && strings.Contains(err.Error(), h) {
				t.Errorf("BearerToken(%q) error %q repeats the header", tt.header, err)
			}
		}
		if got != tt.want {
			t.Errorf("BearerToken(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}
