package webhook

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTextPrefix(t *testing.T) {
	euro := "€" // 3 bytes
	tests := []struct {
		name      string
		in        string
		truncated bool
		want      string
	}{
		{"ascii", "ok", false, "ok"},
		{"whole character at the end", "a" + euro, true, "a" + euro},
		{"character cut at the end", "a" + euro[:2], true, "a"},
		{"cut four-byte character", "ab" + "😀"[:3], true, "ab"},
		{"incomplete end of a short body", "a" + euro[:2], false, "a\uFFFD"},
		{"invalid byte inside", "a\xffb", false, "a\uFFFDb"},
		{"replacements stay within the limit", strings.Repeat("\xffa", MaxResponsePrefix/2), true, strings.Repeat("\uFFFDa", MaxResponsePrefix/4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := textPrefix([]byte(tt.in), tt.truncated)
			if got != tt.want {
				t.Fatalf("textPrefix = %q, want %q", got, tt.want)
			}
			if !utf8.ValidString(got) || len(got) > MaxResponsePrefix {
				t.Fatalf("textPrefix = %q: invalid or longer than MaxResponsePrefix", got)
			}
		})
	}
}

func TestResultOK(t *testing.T) {
	for code, want := range map[int]bool{0: false, 199: false, 200: true, 204: true, 299: true, 301: false, 404: false, 500: false} {
		if got := (Result{StatusCode: code}).OK(); got != want {
			t.Errorf("OK() for %d = %v, want %v", code, got, want)
		}
	}
}

func TestResultLogValue(t *testing.T) {
	refused := Result{Err: fmt.Errorf("webhook: POST to h: %w", &RefusedError{Reason: "loopback network"})}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("attempt", "result", refused)
	if !strings.Contains(b.String(), "result.refused=true") || !strings.Contains(b.String(), "loopback network") {
		t.Fatalf("log line %q lacks the refusal", b.String())
	}
	if (Result{Err: errors.New("reset")}).Refused() {
		t.Fatal("a network error is not a refusal")
	}
}
