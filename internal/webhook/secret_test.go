package webhook_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/webhook"
)

func TestNewSecretRoundTrips(t *testing.T) {
	s, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, webhook.SecretPrefix) {
		t.Fatalf("secret %q lacks the prefix", s)
	}
	b, err := webhook.ParseSecret(s)
	if err != nil {
		t.Fatalf("ParseSecret(NewSecret()) = %v", err)
	}
	if len(b) != 32 {
		t.Fatalf("key is %d bytes, want 32", len(b))
	}
	other, _ := webhook.NewSecret()
	if other == s {
		t.Fatal("two new secrets are the same")
	}
}

func TestParseSecret(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantLen int // 0: an error is expected
	}{
		{"test vector", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 24},
		{"padded 32 bytes", "whsec_" + strings.Repeat("QUFB", 10) + "QUE=", 32},
		{"surrounding space", "  whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", 24},
		{"no prefix", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 0},
		{"other prefix", "whsek_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 0},
		{"url alphabet", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-_", 0},
		{"not base64", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!", 0},
		{"empty key", "whsec_", 0},
		{"too short", "whsec_c2hvcnQ=", 0},
		{"too long", "whsec_" + strings.Repeat("QUFB", 22), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := webhook.ParseSecret(tt.in)
			if tt.wantLen == 0 {
				if err == nil {
					t.Fatalf("ParseSecret accepted %q", tt.in)
				}
				if !fault.Is(err, fault.Invalid) {
					t.Fatalf("error %v is not fault.Invalid", err)
				}
				// The message must not carry the secret, or any long part of it.
				if key := strings.TrimPrefix(strings.TrimSpace(tt.in), "whsec_"); len(key) > 4 && strings.Contains(err.Error(), key[:5]) {
					t.Fatalf("error %q quotes the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != tt.wantLen || bytes.Equal(b, make([]byte, len(b))) {
				t.Fatalf("key of %d bytes, want %d", len(b), tt.wantLen)
			}
		})
	}
}
