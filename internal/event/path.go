package event

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/fault"
)

// Limits on a resource path. Each segment becomes one NATS subject token, and
// subjects are matched token by token on every message, so both are kept small.
const (
	MaxPathSegments = 16
	MaxPathBytes    = 512
)

// pathChar reports whether c may appear in a path segment: [A-Za-z0-9_~:-]. None of
// these is special in a NATS subject ("." separates tokens; "*" and ">" are wildcards).
func pathChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '~' || c == ':' || c == '-'
}

// typeChar reports whether c may appear in a token of an event type: [A-Za-z0-9_-].
func typeChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '-'
}

// ValidPath reports whether p is a valid resource path: 1 to MaxPathSegments segments
// of [A-Za-z0-9_~:-]+ separated by "/", at most MaxPathBytes bytes in all. The error
// is a fault Invalid without a field; use fault.Prefix to name the field.
func ValidPath(p string) error {
	if msg := checkPath(p); msg != "" {
		return fault.New(fault.Invalid, "path "+msg)
	}
	return nil
}

const pathRule = `must be 1 to 16 segments of [A-Za-z0-9_~:-] separated by "/"`

// checkPath returns why p is not a valid path, or "" when it is. The message is
// written to follow a field name.
func checkPath(p string) string {
	if p == "" {
		return "is required"
	}
	if len(p) > MaxPathBytes {
		return "must be at most " + strconv.Itoa(MaxPathBytes) + " bytes"
	}
	segments := 1
	start := 0 // start of the current segment
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' {
			if i == start {
				return emptySegment(p, i)
			}
			segments++
			start = i + 1
			continue
		}
		if !pathChar(c) {
			return pathRule + "; " + describeChar(p, i) + " is not allowed"
		}
	}
	if start == len(p) {
		return emptySegment(p, len(p))
	}
	if segments > MaxPathSegments {
		return "must have at most " + strconv.Itoa(MaxPathSegments) + " segments, not " + strconv.Itoa(segments)
	}
	return ""
}

func emptySegment(p string, i int) string {
	switch {
	case i == 0:
		return "must not start with \"/\""
	case i == len(p):
		return "must not end with \"/\""
	}
	return "must not have an empty segment (\"//\")"
}

// describeChar names the character at p[i] for an error message, quoting it so that
// control characters and spaces are visible.
func describeChar(p string, i int) string {
	r, _ := utf8.DecodeRuneInString(p[i:])
	return "character " + strconv.QuoteRune(r)
}

// DerivePath returns the path of a resource that has no explicit one: "<type>/<id>",
// with every character outside [A-Za-z0-9_~:-] replaced by "_" in both parts, so
// ("itemsvc.Item", "VX-1/2") gives "itemsvc_Item/VX-1_2". The result is not checked:
// it is invalid when either part is empty or it is too long, and Validate says so.
func DerivePath(typ, id string) string {
	var b strings.Builder
	b.Grow(len(typ) + 1 + len(id))
	sanitize(&b, typ)
	b.WriteByte('/')
	sanitize(&b, id)
	return b.String()
}

// sanitize writes s with every character outside the path set replaced by "_". It
// works on characters, not bytes, so that one accented letter becomes one "_"; an
// invalid UTF-8 byte also becomes one "_".
func sanitize(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !pathChar(c) {
				c = '_'
			}
			b.WriteByte(c)
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		b.WriteByte('_')
		i += size
	}
}

// ValidEventType reports whether s is a valid event type: "<domain>.<Name>", exactly
// two tokens of [A-Za-z0-9_-]+, at most 256 bytes in all. The error is a fault Invalid without a field; use
// fault.Prefix to name the field.
func ValidEventType(s string) error {
	if msg := checkEventType(s); msg != "" {
		return fault.New(fault.Invalid, "event type "+msg)
	}
	return nil
}

const typeRule = `must be "<domain>.<Name>": two tokens of [A-Za-z0-9_-] separated by "."`

// maxEventTypeBytes bounds an event type. Types are short names; the bound keeps a
// hostile one from swelling every subject and log line.
const maxEventTypeBytes = 256

// checkEventType returns why s is not a valid event type, or "" when it is.
func checkEventType(s string) string {
	if s == "" {
		return "is required"
	}
	if len(s) > maxEventTypeBytes {
		return "must be at most " + strconv.Itoa(maxEventTypeBytes) + " bytes"
	}
	dot := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if dot >= 0 {
				return typeRule
			}
			dot = i
			continue
		}
		if !typeChar(c) {
			return typeRule + "; " + describeChar(s, i) + " is not allowed"
		}
	}
	if dot <= 0 || dot == len(s)-1 {
		return typeRule
	}
	return ""
}
