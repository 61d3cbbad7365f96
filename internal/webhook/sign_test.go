package webhook_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/webhook"
)

// The Standard Webhooks test vector.
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorPayload   = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

// mustSecret parses a written secret.
func mustSecret(t testing.TB, s string) []byte {
	t.Helper()
	b, err := webhook.ParseSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSignTestVector(t *testing.T) {
	got := webhook.Sign([][]byte{mustSecret(t, vectorSecret)}, vectorID, time.Unix(vectorTimestamp, 0), []byte(vectorPayload))
	if got != vectorSignature {
		t.Fatalf("Sign = %q, want %q", got, vectorSignature)
	}
}

func TestSignSeveralSecrets(t *testing.T) {
	current, old := mustSecret(t, newSecret(t)), mustSecret(t, vectorSecret)
	ts := time.Unix(vectorTimestamp, 0)
	got := webhook.Sign([][]byte{current, old}, vectorID, ts, []byte(vectorPayload))
	entries := strings.Split(got, " ")
	if len(entries) != 2 || entries[1] != vectorSignature {
		t.Fatalf("Sign = %q, want two entries, the old secret's second", got)
	}
	h := headers(vectorID, strconv.Itoa(vectorTimestamp), got)
	for _, s := range [][]byte{current, old} {
		if err := webhook.Verify(s, h, []byte(vectorPayload), time.Minute, ts); err != nil {
			t.Fatalf("Verify with one of the secrets: %v", err)
		}
	}
	if webhook.Sign(nil, vectorID, ts, nil) != "" {
		t.Fatal("no secrets must give no signatures")
	}
}

// newSecret returns a fresh written secret.
func newSecret(t testing.TB) string {
	t.Helper()
	s, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// headers returns the Standard Webhooks headers with the given values; empty ones are
// left out.
func headers(id, ts, sig string) http.Header {
	h := http.Header{}
	for name, v := range map[string]string{webhook.HeaderID: id, webhook.HeaderTimestamp: ts, webhook.HeaderSignature: sig} {
		if v != "" {
			h.Set(name, v)
		}
	}
	return h
}

func TestVerify(t *testing.T) {
	secret := mustSecret(t, vectorSecret)
	now := time.Unix(vectorTimestamp, 0)
	ts := strconv.Itoa(vectorTimestamp)
	tests := []struct {
		name      string
		h         http.Header
		body      string
		tolerance time.Duration
		now       time.Time
		want      string // "" when it verifies, else part of the error
	}{
		{name: "test vector", h: headers(vectorID, ts, vectorSignature), body: vectorPayload, now: now},
		{name: "one of several entries", h: headers(vectorID, ts, "v1,Zm9v v2,abc "+vectorSignature+" v1,bm9wZQ=="), body: vectorPayload, now: now},
		{name: "within tolerance before", h: headers(vectorID, ts, vectorSignature), body: vectorPayload, now: now.Add(-4 * time.Minute)},
		{name: "within tolerance after", h: headers(vectorID, ts, vectorSignature), body: vectorPayload, now: now.Add(5 * time.Minute)},
		{name: "wider tolerance", h: headers(vectorID, ts, vectorSignature), body: vectorPayload, tolerance: time.Hour, now: now.Add(50 * time.Minute)},
		{name: "tampered body", h: headers(vectorID, ts, vectorSignature), body: `{"test": 2432232315}`, now: now, want: "matches"},
		{name: "other id", h: headers("msg_other", ts, vectorSignature), body: vectorPayload, now: now, want: "matches"},
		{name: "other version only", h: headers(vectorID, ts, "v1a,"+strings.TrimPrefix(vectorSignature, "v1,")), body: vectorPayload, now: now, want: "matches"},
		{name: "not base64", h: headers(vectorID, ts, "v1,@@@"), body: vectorPayload, now: now, want: "matches"},
		{name: "too old", h: headers(vectorID, ts, vectorSignature), body: vectorPayload, now: now.Add(6 * time.Minute), want: "too old"},
		{name: "from the future", h: headers(vectorID, ts, vectorSignature), body: vectorPayload, now: now.Add(-6 * time.Minute), want: "future"},
		{name: "far future timestamp", h: headers(vectorID, "9223372036854775807", vectorSignature), body: vectorPayload, now: now, want: "future"},
		{name: "timestamp not a number", h: headers(vectorID, "1614265330.5", vectorSignature), body: vectorPayload, now: now, want: "unix seconds"},
		{name: "no id", h: headers("", ts, vectorSignature), body: vectorPayload, now: now, want: "webhook-id header is missing"},
		{name: "no timestamp", h: headers(vectorID, "", vectorSignature), body: vectorPayload, now: now, want: "webhook-timestamp header is missing"},
		{name: "no signature", h: headers(vectorID, ts, ""), body: vectorPayload, now: now, want: "webhook-signature header is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.Verify(secret, tt.h, []byte(tt.body), tt.tolerance, tt.now)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Verify = %v, want an error containing %q", err, tt.want)
			}
			if !fault.Is(err, fault.Unauthorized) {
				t.Fatalf("Verify = %v, want fault.Unauthorized", err)
			}
		})
	}
}

func TestVerifyWrongSecret(t *testing.T) {
	h := headers(vectorID, strconv.Itoa(vectorTimestamp), vectorSignature)
	err := webhook.Verify(mustSecret(t, newSecret(t)), h, []byte(vectorPayload), 0, time.Unix(vectorTimestamp, 0))
	if !fault.Is(err, fault.Unauthorized) {
		t.Fatalf("Verify with another secret = %v, want fault.Unauthorized", err)
	}
}
