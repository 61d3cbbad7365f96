package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/fault"
)

// The Standard Webhooks headers.
const (
	HeaderID        = "webhook-id"        // the delivery id, the same on every retry
	HeaderTimestamp = "webhook-timestamp" // the attempt's time in unix seconds
	HeaderSignature = "webhook-signature" // space-separated "v1,<base64 signature>" entries
)

// signatureVersion tags each signature with its scheme, HMAC-SHA256.
const signatureVersion = "v1"

// DefaultTolerance is how far a request's timestamp may be from the receiver's clock
// when Verify is given no tolerance: the window Standard Webhooks libraries use.
const DefaultTolerance = 5 * time.Minute

// Sign returns the webhook-signature header value for a request: one "v1,<signature>"
// entry per secret, in order, separated by spaces. Several secrets let a receiver
// switch to a new secret while requests signed with the old one are still accepted.
func Sign(secrets [][]byte, id string, ts time.Time, body []byte) string {
	content := signedContent(id, strconv.FormatInt(ts.Unix(), 10), body)
	var b strings.Builder
	b.Grow(len(secrets) * (len(signatureVersion) + 1 + base64.StdEncoding.EncodedLen(sha256.Size) + 1))
	for i, secret := range secrets {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(signatureVersion)
		b.WriteByte(',')
		b.WriteString(base64.StdEncoding.EncodeToString(mac(secret, content)))
	}
	return b.String()
}

// Verify checks a received request's Standard Webhooks headers against secret: that the
// timestamp is within tolerance of now (DefaultTolerance when tolerance is not positive),
// which bounds how long a captured request can be replayed, and that one of the v1
// signatures is the body's. Entries of other versions are skipped. The comparison is in
// constant time. Errors are fault.Unauthorized and never say which bytes differed.
func Verify(secret []byte, headers http.Header, body []byte, tolerance time.Duration, now time.Time) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	id, ts, sigs := headers.Get(HeaderID), headers.Get(HeaderTimestamp), headers.Get(HeaderSignature)
	switch {
	case id == "":
		return fault.New(fault.Unauthorized, "the "+HeaderID+" header is missing")
	case ts == "":
		return fault.New(fault.Unauthorized, "the "+HeaderTimestamp+" header is missing")
	case sigs == "":
		return fault.New(fault.Unauthorized, "the "+HeaderSignature+" header is missing")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fault.New(fault.Unauthorized, "the "+HeaderTimestamp+" header is not unix seconds")
	}
	// Compared in seconds: a time.Duration overflows for timestamps centuries away.
	if d := now.Unix() - sec; d > int64(tolerance/time.Second) {
		return fault.New(fault.Unauthorized, "the request is too old (its "+HeaderTimestamp+" is outside the tolerance)")
	} else if -d > int64(tolerance/time.Second) {
		return fault.New(fault.Unauthorized, "the request is from the future (its "+HeaderTimestamp+" is outside the tolerance)")
	}
	want := mac(secret, signedContent(id, ts, body))
	for _, entry := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != signatureVersion {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return fault.New(fault.Unauthorized, "no "+signatureVersion+" signature in the "+HeaderSignature+" header matches")
}

// signedContent is what is signed: id, timestamp and body joined by dots.
func signedContent(id, ts string, body []byte) []byte {
	b := make([]byte, 0, len(id)+1+len(ts)+1+len(body))
	b = append(b, id...)
	b = append(b, '.')
	b = append(b, ts...)
	b = append(b, '.')
	return append(b, body...)
}

// mac returns HMAC-SHA256 of content under secret.
func mac(secret, content []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(content)
	return m.Sum(nil)
}
