package event_test

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/event"
)

func TestValidPath(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for valid, else a substring of the error
	}{
		{"a", ""},
		{"projects/p1/collections/c1", ""},
		{"A-z_0~9:x", ""},
		{"_", ""},
		{"projects/_/x", ""},
		{"users/u1", ""},
		{strings.Repeat("a/", 15) + "a", ""},
		{strings.Repeat("a", 512), ""},
		{strings.Repeat("abcdefghijklmnopqrstuvwxyz012345/", 15) + strings.Repeat("z", 17), ""}, // 512 bytes, 16 segments

		{"", "is required"},
		{"/", "must not start with"},
		{"/a", "must not start with"},
		{"a/", "must not end with"},
		{"a//b", "must not have an empty segment"},
		{"a.b", `character '.' is not allowed`},
		{"a b", `character ' ' is not allowed`},
		{"a/*", `character '*' is not allowed`},
		{"a/>", `character '>' is not allowed`},
		{"a\tb", `character '\t' is not allowed`},
		{"a\\b", `is not allowed`},
		{"é", `character 'é' is not allowed`},
		{strings.Repeat("a/", 16) + "a", "must have at most 16 segments, not 17"},
		{strings.Repeat("a", 513), "must be at most 512 bytes"},
	}
	for _, tt := range tests {
		err := event.ValidPath(tt.in)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("ValidPath(%q) = %v, want nil", tt.in, err)
		case tt.want != "" && err == nil:
			t.Errorf("ValidPath(%q) = nil, want an error containing %q", tt.in, tt.want)
		case tt.want != "" && !strings.Contains(err.Error(), tt.want):
			t.Errorf("ValidPath(%q) = %v, want an error containing %q", tt.in, err, tt.want)
		}
	}
}

func TestDerivePath(t *testing.T) {
	tests := []struct {
		typ, id string
		want    string
	}{
		{"itemsvc.Item", "VX-1/2", "itemsvc_Item/VX-1_2"},
		{"job", "j1", "job/j1"},
		{"collection", "a~b:c_d-e", "collection/a~b:c_d-e"},
		{"omapisvc.APIConfig", "cfg 1.2", "omapisvc_APIConfig/cfg_1_2"},
		{"t", "*>", "t/__"},
		{"Média", "é", "M_dia/_"},     // one "_" per character, not per byte
		{"t", "日本", "t/__"},           // three-byte characters
		{"t", "a\xffb", "t/a_b"},      // an invalid byte is one character
		{"t", "a/b/c/d", "t/a_b_c_d"}, // always two segments
		{"", "x", "/x"},               // not valid; Validate reports resource.type
		{"t", "", "t/"},               // not valid; Validate reports resource.id
		{"user", "00b82755-b5e6", "user/00b82755-b5e6"},
	}
	for _, tt := range tests {
		if got := event.DerivePath(tt.typ, tt.id); got != tt.want {
			t.Errorf("DerivePath(%q, %q) = %q, want %q", tt.typ, tt.id, got, tt.want)
		}
	}
}
