package match

import (
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/fault"
)

// This file reads an event's JSON in one pass that both checks the syntax (accepting
// exactly what json.Valid accepts) and fills the Event's path table. Checking first
// with json.Valid and walking afterwards would read every byte twice, and for a
// matcher holding indexed triggers the parse is most of the cost of an event.

// MaxEventBytes is the largest event ParseEvent reads, far above what Herald accepts
// (event.MaxSize). Offsets into an Event's text are 32-bit, and the text holds the
// event, its unescaped strings and its paths, of up to MaxPathBytes each.
const MaxEventBytes = 1 << 24

// maxDepth is encoding/json's nesting limit, kept so that ParseEvent accepts the
// same documents as json.Valid.
const maxDepth = 10000

var (
	errNotObject = fault.New(fault.Invalid, "the event must be a JSON object")
	errSyntax    = fault.New(fault.Invalid, "the event is not valid JSON")
	errTooLarge  = fault.New(fault.TooLarge, "the event is larger than "+strconv.Itoa(MaxEventBytes)+" bytes")
)

// ParseEvent reads an event's JSON into a new Event. The event must be a JSON
// object; it may hold any members, which are all reachable by path. The error is a
// fault Invalid, or TooLarge over MaxEventBytes.
func ParseEvent(raw []byte) (*Event, error) {
	e := new(Event)
	if err := e.Parse(raw); err != nil {
		return nil, err
	}
	return e, nil
}

// Parse is ParseEvent into e: it replaces what e held, reusing its memory. The Event
// keeps a copy of what it needs, so raw may change afterwards. On error e is left
// empty, an event without members.
func (e *Event) Parse(raw []byte) error {
	e.text = e.text[:0]
	e.vals = e.vals[:0]
	e.paths = e.paths[:0]
	e.typ = nil
	if len(raw) > MaxEventBytes {
		clear(e.table)
		return errTooLarge
	}
	if cap(e.text) == 0 {
		// A new Event: room for a typical event's values and paths at once, as
		// growing by doubling would take several allocations.
		e.text = make([]byte, 0, len(raw)+len(raw)/2+64)
		e.vals = make([]value, 0, len(raw)/16+8)
		e.paths = make([]pathEntry, 0, len(raw)/32+8)
		e.name = make([]byte, 0, 64)
	}
	e.text = append(e.text, raw...)
	// Sized for a typical event, whose values take 16 bytes of JSON or more each and
	// whose paths hold two values or more.
	if size := tableSize(len(raw) / 32); len(e.table) < size || len(e.table) > 8*size {
		e.table = make([]int32, size)
	} else {
		clear(e.table)
	}
	p := parser{s: raw, ev: e, path: e.name[:0]}
	i := skipSpace(raw, 0)
	if i == len(raw) || raw[i] != '{' {
		if json.Valid(raw) {
			return errNotObject
		}
		return errSyntax
	}
	end, ok := p.object(i, fnvOffset, 1)
	e.name = p.path
	if !ok || skipSpace(raw, end) != len(raw) {
		e.text = e.text[:0]
		e.vals = e.vals[:0]
		e.paths = e.paths[:0]
		clear(e.table)
		return errSyntax
	}
	if h := e.find("event", eventHash); h >= 0 {
		if v := &e.vals[e.paths[h].head]; v.kind == kString {
			e.typ = e.bytes(v)
		}
	}
	return nil
}

var eventHash = hashString("event")

// tableSize returns a power of two at least twice n.
func tableSize(n int) int {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return size
}

// parser holds the state of one parse.
type parser struct {
	s    []byte // the document
	ev   *Event
	path []byte // the path of the value being read
}

func skipSpace(s []byte, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// slot returns the index of the current path, whose hash is h, adding it if new.
func (p *parser) slot(h uint64) int32 {
	ev := p.ev
	if 2*(len(ev.paths)+1) > len(ev.table) {
		p.grow()
	}
	mask := uint64(len(ev.table) - 1)
	for j := h & mask; ; j = (j + 1) & mask {
		x := ev.table[j]
		if x == 0 {
			off := int32(len(ev.text))
			ev.text = append(ev.text, p.path...)
			ev.paths = append(ev.paths, pathEntry{off: off, end: int32(len(ev.text)), hash: h, head: -1, tail: -1})
			ev.table[j] = int32(len(ev.paths))
			return int32(len(ev.paths) - 1)
		}
		if e := &ev.paths[x-1]; e.hash == h && string(ev.text[e.off:e.end]) == string(p.path) {
			return x - 1
		}
	}
}

func (p *parser) grow() {
	ev := p.ev
	ev.table = make([]int32, 2*len(ev.table))
	mask := uint64(len(ev.table) - 1)
	for i := range ev.paths {
		j := ev.paths[i].hash & mask
		for ev.table[j] != 0 {
			j = (j + 1) & mask
		}
		ev.table[j] = int32(i + 1)
	}
}

// add appends v to the chain of path slot and returns its index, or does nothing and
// returns -1 when slot is -1.
func (p *parser) add(slot int32, v value) int32 {
	if slot < 0 {
		return -1
	}
	ev := p.ev
	i := int32(len(ev.vals))
	v.next = -1
	ev.vals = append(ev.vals, v)
	e := &ev.paths[slot]
	if e.head < 0 {
		e.head = i
	} else {
		ev.vals[e.tail].next = i
	}
	e.tail = i
	return i
}

// value reads the value at s[i] (not space) into path slot, whose hash is h, and
// returns the index just past it.
func (p *parser) value(i int, slot int32, h uint64, depth int) (int, bool) {
	s := p.s
	switch s[i] {
	case '{':
		at := p.add(slot, value{kind: kObject, off: int32(i)})
		end, ok := p.object(i, h, depth+1)
		if at >= 0 {
			p.ev.vals[at].end = int32(end)
		}
		return end, ok
	case '[':
		at := p.add(slot, value{kind: kArray, off: int32(i)})
		end, ok := p.array(i, slot, h, depth+1)
		if at >= 0 {
			p.ev.vals[at].end = int32(end)
		}
		return end, ok
	case '"':
		return p.str(i, slot)
	case 't':
		if i+4 <= len(s) && string(s[i:i+4]) == "true" {
			p.add(slot, value{kind: kTrue, off: int32(i), end: int32(i + 4)})
			return i + 4, true
		}
	case 'f':
		if i+5 <= len(s) && string(s[i:i+5]) == "false" {
			p.add(slot, value{kind: kFalse, off: int32(i), end: int32(i + 5)})
			return i + 5, true
		}
	case 'n':
		if i+4 <= len(s) && string(s[i:i+4]) == "null" {
			p.add(slot, value{kind: kNull, off: int32(i), end: int32(i + 4)})
			return i + 4, true
		}
	default:
		end, n, ok := number(s, i)
		if ok {
			p.add(slot, value{kind: kNumber, off: int32(i), end: int32(end), num: n})
		}
		return end, ok
	}
	return i, false
}

// object reads the object at s[i] ('{') whose path is p.path with hash h.
func (p *parser) object(i int, h uint64, depth int) (int, bool) {
	if depth > maxDepth {
		return i, false
	}
	s := p.s
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == '}' {
		return i + 1, true
	}
	base := len(p.path)
	hb := h
	if base > 0 {
		p.path = append(p.path, '.')
		hb = (h ^ '.') * fnvPrime
	}
	start := len(p.path)
	for {
		if i >= len(s) || s[i] != '"' {
			return i, false
		}
		end, ok := p.name(i)
		if !ok {
			return i, false
		}
		hm := hashBytes(hb, p.path[start:])
		// A path too long for any filter is read but not recorded; storing every
		// path of a deeply nested document would take space quadratic in its depth.
		slot := int32(-1)
		if len(p.path) <= MaxPathBytes {
			slot = p.slot(hm)
		}
		i = skipSpace(s, end)
		if i >= len(s) || s[i] != ':' {
			return i, false
		}
		i = skipSpace(s, i+1)
		if i >= len(s) {
			return i, false
		}
		if i, ok = p.value(i, slot, hm, depth); !ok {
			return i, false
		}
		p.path = p.path[:start]
		i = skipSpace(s, i)
		if i >= len(s) {
			return i, false
		}
		switch s[i] {
		case ',':
			i = skipSpace(s, i+1)
		case '}':
			p.path = p.path[:base]
			return i + 1, true
		default:
			return i, false
		}
	}
}

// array reads the array at s[i] ('['); its elements go to the array's own path.
func (p *parser) array(i int, slot int32, h uint64, depth int) (int, bool) {
	if depth > maxDepth {
		return i, false
	}
	s := p.s
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == ']' {
		return i + 1, true
	}
	for {
		if i >= len(s) {
			return i, false
		}
		var ok bool
		if i, ok = p.value(i, slot, h, depth); !ok {
			return i, false
		}
		i = skipSpace(s, i)
		if i >= len(s) {
			return i, false
		}
		switch s[i] {
		case ',':
			i = skipSpace(s, i+1)
		case ']':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// str reads the string at s[i] ('"') into path slot. A string without escapes, in
// valid UTF-8, is used where it is; others are unescaped onto the end of the text.
func (p *parser) str(i int, slot int32) (int, bool) {
	s := p.s
	ascii := true
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			if ascii || utf8.Valid(s[i+1:j]) {
				p.add(slot, value{kind: kString, off: int32(i + 1), end: int32(j)})
				return j + 1, true
			}
			return p.unquoted(i, slot)
		case c == '\\':
			return p.unquoted(i, slot)
		case c < 0x20:
			return j, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return len(s), false
}

func (p *parser) unquoted(i int, slot int32) (int, bool) {
	ev := p.ev
	off := len(ev.text)
	var end int
	var ok bool
	ev.text, end, ok = unquote(ev.text, p.s, i+1)
	if !ok || slot < 0 {
		ev.text = ev.text[:off]
		return end, ok
	}
	p.add(slot, value{kind: kString, off: int32(off), end: int32(len(ev.text))})
	return end, ok
}

// name reads the member name at s[i] ('"') onto p.path, unescaped.
func (p *parser) name(i int) (int, bool) {
	s := p.s
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			p.path = append(p.path, s[i+1:j]...)
			return j + 1, true
		case c == '\\', c >= utf8.RuneSelf:
			var ok bool
			var end int
			p.path, end, ok = unquote(p.path, s, i+1)
			return end, ok
		case c < 0x20:
			return j, false
		}
	}
	return len(s), false
}

// unquote appends to dst the string whose contents start at s[j], unescaped, and
// returns the index just past its closing quote. As encoding/json does, it turns
// invalid UTF-8 and unpaired surrogates into U+FFFD.
func unquote(dst, s []byte, j int) ([]byte, int, bool) {
	for j < len(s) {
		c := s[j]
		switch {
		case c == '"':
			return dst, j + 1, true
		case c == '\\':
			if j+1 >= len(s) {
				return dst, j, false
			}
			switch e := s[j+1]; e {
			case '"', '\\', '/':
				dst = append(dst, e)
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r := hex4(s, j+2)
				if r < 0 {
					return dst, j, false
				}
				j += 6
				if utf16.IsSurrogate(r) {
					if j+1 < len(s) && s[j] == '\\' && s[j+1] == 'u' {
						if r2 := hex4(s, j+2); r2 >= 0 {
							if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
								dst = utf8.AppendRune(dst, d)
								j += 6
								continue
							}
						}
					}
					r = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, r)
				continue
			default:
				return dst, j, false
			}
			j += 2
		case c < 0x20:
			return dst, j, false
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			j++
		default:
			r, size := utf8.DecodeRune(s[j:])
			if r == utf8.RuneError && size == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, s[j:j+size]...)
			}
			j += size
		}
	}
	return dst, j, false
}

// hex4 returns the rune of the four hex digits at s[i], or -1.
func hex4(s []byte, i int) rune {
	if i+4 > len(s) {
		return -1
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// number reads the JSON number at s[i]: it returns the index just past it and its
// value. Integers of up to 15 digits, which float64 holds exactly, are converted
// directly; others go through strconv.ParseFloat. A number out of range becomes ±Inf
// or 0, which still compares.
func number(s []byte, i int) (int, float64, bool) {
	j := i
	neg := j < len(s) && s[j] == '-'
	if neg {
		j++
	}
	var n int64
	switch {
	case j >= len(s):
		return j, 0, false
	case s[j] == '0':
		j++
	case '1' <= s[j] && s[j] <= '9':
		for ; j < len(s) && isDigit(s[j]); j++ {
			n = n*10 + int64(s[j]-'0')
		}
	default:
		return j, 0, false
	}
	digits := j - i
	simple := true
	if j < len(s) && s[j] == '.' {
		simple = false
		j++
		if j >= len(s) || !isDigit(s[j]) {
			return j, 0, false
		}
		for j++; j < len(s) && isDigit(s[j]); j++ {
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		simple = false
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j >= len(s) || !isDigit(s[j]) {
			return j, 0, false
		}
		for j++; j < len(s) && isDigit(s[j]); j++ {
		}
	}
	if simple && digits <= 15 {
		f := float64(n)
		if neg {
			f = -f
		}
		return j, f, true
	}
	f, _ := strconv.ParseFloat(string(s[i:j]), 64)
	return j, f, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
