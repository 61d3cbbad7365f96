package webhook

import (
	"slices"
	"strings"

	"github.com/heraldhq/herald/internal/fault"
)

// UserAgent identifies Herald's webhook requests, so that receivers and their firewalls
// can tell them apart.
const UserAgent = "Herald-Webhooks/1"

// reservedHeaders are the headers that Send or the HTTP protocol set, which a
// subscriber's extra headers may not replace: replacing them would break the signature,
// the event's attributes or the framing of the request. Names are in lower case.
var reservedHeaders = map[string]bool{
	"content-type":      true,
	"content-length":    true,
	"content-encoding":  true,
	"transfer-encoding": true,
	"host":              true,
	"user-agent":        true,
	"connection":        true,
	"keep-alive":        true,
	"te":                true,
	"trailer":           true,
	"upgrade":           true,
	"expect":            true,
}

// reservedPrefixes are header name prefixes reserved the same way: the Standard Webhooks
// and CloudEvents headers, and hop-by-hop proxy headers.
var reservedPrefixes = []string{"webhook-", "ce-", "proxy-"}

// CheckHeaders checks a subscriber's extra headers, so that a bad set is refused when
// the subscription is made rather than at every delivery. Each name must be an HTTP
// token and not one of the headers Send sets (Content-Type, User-Agent, webhook-*, ce-*
// and the like), and each value must hold no control characters. Authorization and
// other custom headers are allowed. The error is fault.Invalid with one field per bad
// header, named "headers.<name>".
func CheckHeaders(h map[string]string) error {
	var fields []fault.FieldError
	for name, value := range h {
		lower := strings.ToLower(name)
		switch {
		case !validHeaderName(name):
			fields = append(fields, fault.FieldError{Field: "headers." + name, Message: "is not a valid header name"})
		case reservedHeaders[lower] || slices.ContainsFunc(reservedPrefixes, func(p string) bool { return strings.HasPrefix(lower, p) }):
			fields = append(fields, fault.FieldError{Field: "headers." + name, Message: "is set by Herald and cannot be replaced"})
		case !validHeaderValue(value):
			fields = append(fields, fault.FieldError{Field: "headers." + name, Message: "must not contain control characters"})
		}
	}
	// Map order is random; sorted, the same headers give the same error.
	slices.SortFunc(fields, func(a, b fault.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return fault.Fields(fields)
}

// validHeaderName reports whether s is an HTTP token (RFC 9110, section 5.6.2).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether s holds no control characters other than tab, which
// keeps a value from splitting the request (CR, LF) or being cut short (NUL).
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// ceHeaderValue encodes a CloudEvents attribute for an HTTP header: space, double quote,
// percent and every byte outside printable ASCII are percent-encoded, as the CloudEvents
// HTTP binding requires.
func ceHeaderValue(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if ceEscape(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ceEscape(c) {
			b = append(b, '%', hex[c>>4], hex[c&0xf])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

// ceEscape reports whether a byte must be percent-encoded in a ce-* header.
func ceEscape(c byte) bool { return c <= ' ' || c >= 0x7f || c == '"' || c == '%' }
