package match

import (
	"encoding/json"
	"strings"
)

// kind is the JSON type of a value. The order matters: every kind from kObject on is
// a container, which only "exists" looks at.
type kind uint8

const (
	kString kind = iota
	kNumber
	kTrue
	kFalse
	kNull
	kObject
	kArray
)

// value is one value in an event. Values at the same path are chained through next in
// document order; an array is followed by its elements at the same path.
type value struct {
	off, end int32   // Event.text[off:end]: the unescaped string, or the JSON text of others
	num      float64 // numbers only
	next     int32   // the next value at the same path, or -1
	kind     kind
}

// pathEntry is one distinct path of an event and its chain of values.
type pathEntry struct {
	off, end   int32 // Event.text[off:end] is the path
	hash       uint64
	head, tail int32
}

// Event is an event prepared for matching: every member of its JSON at its dotted
// path, arrays flattened, strings unescaped and numbers parsed, behind a small hash
// table. Everything lives in a few slices that [Event.Parse] reuses, so that parsing
// event after event into one Event allocates nothing once they have grown.
//
// An Event may be matched by several goroutines at once, but not while it is parsed
// into.
type Event struct {
	// text holds a copy of the event's JSON, followed by the strings that had to be
	// unescaped and by the paths; values and paths are offsets into it.
	text  []byte
	vals  []value
	paths []pathEntry
	table []int32 // open addressing on hash: 0 is free, i+1 is paths[i]
	typ   []byte  // the event type, a slice of text
	name  []byte  // scratch for the path being read
}

// Type returns the event's type: its top-level "event" member if that is a string,
// or "".
func (e *Event) Type() string { return string(e.typ) }

// FNV-1a, computed incrementally as the parser extends a path, and over whole paths
// when filters are compiled: both give the same hash for the same path.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

func hashString(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// find returns the index in e.paths of path, whose hash is h, or -1.
func (e *Event) find(path string, h uint64) int {
	if len(e.table) == 0 {
		return -1
	}
	mask := uint64(len(e.table) - 1)
	for j := h & mask; ; j = (j + 1) & mask {
		x := e.table[j]
		if x == 0 {
			return -1
		}
		p := &e.paths[x-1]
		if p.hash == h && string(e.text[p.off:p.end]) == path {
			return int(x - 1)
		}
	}
}

// path returns the path of e.paths[h].
func (e *Event) path(h int) []byte {
	p := &e.paths[h]
	return e.text[p.off:p.end]
}

// bytes returns the text of v.
func (e *Event) bytes(v *value) []byte { return e.text[v.off:v.end] }

// found returns what the event holds at paths[h] as JSON for an explanation: every
// value except non-empty arrays, whose elements follow them. It returns nil when h is
// -1 (the path is missing).
func (e *Event) found(h int) []json.RawMessage {
	if h < 0 {
		return nil
	}
	out := []json.RawMessage{}
	for i := e.paths[h].head; i >= 0; i = e.vals[i].next {
		v := &e.vals[i]
		text := string(e.bytes(v))
		switch v.kind {
		case kString:
			out = append(out, marshal(text))
		case kTrue:
			out = append(out, json.RawMessage("true"))
		case kFalse:
			out = append(out, json.RawMessage("false"))
		case kNull:
			out = append(out, json.RawMessage("null"))
		case kArray:
			if strings.TrimSpace(text[1:len(text)-1]) == "" {
				out = append(out, json.RawMessage("[]"))
			}
		default:
			out = append(out, json.RawMessage(text))
		}
	}
	return out
}

// String returns the event's table, a path and its values a line, for debugging.
func (e *Event) String() string {
	var b strings.Builder
	for h := range e.paths {
		b.Write(e.path(h))
		b.WriteString(":")
		for _, v := range e.found(h) {
			b.WriteString(" ")
			b.Write(v)
		}
		b.WriteString("\n")
	}
	return b.String()
}
