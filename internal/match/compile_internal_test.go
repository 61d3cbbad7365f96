package match

import "testing"

func TestRegexPrefix(t *testing.T) {
	for expr, want := range map[string]string{
		"^abc":         "abc",
		"^abc.*x":      "abc",
		"^ab+":         "a",
		"^(abc|abd)":   "",
		"^(?:abc|abd)": "ab",
		"abc":          "",
		"(?i)^abc":     "",
		"(?m)^abc":     "",
		"^(?i)abc":     "",
		"^":            "",
		`^a\.b`:        "a.b",
		"^[a]":         "a",
		"^é":           "é",
		"^a\uFFFDb":    "a",
		`\Aprojects/p`: "projects/p",
	} {
		if got := regexPrefix(expr); got != want {
			t.Errorf("regexPrefix(%q) = %q, want %q", expr, got, want)
		}
	}
}
