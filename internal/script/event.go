package script

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// eventValue makes the value JSON.parse would make of the event, which the caller has
// checked to be valid JSON nested at most maxNesting deep, reporting false where
// JSON.parse would throw: for a number out of the range of a double, which goja's
// refuses. goja's JSON.parse reads through encoding/json's token stream, which took
// most of the time of a short script.
func (s *sandbox) eventValue(text []byte) (goja.Value, bool) {
	d := eventDecoder{vm: s.vm, buf: text}
	v := d.value()
	return v, !d.bad
}

type eventDecoder struct {
	vm  *goja.Runtime
	buf []byte
	pos int
	bad bool // a number out of range
}

func (d *eventDecoder) space() {
	for d.pos < len(d.buf) {
		switch d.buf[d.pos] {
		case ' ', '\t', '\r', '\n':
			d.pos++
		default:
			return
		}
	}
}

func (d *eventDecoder) value() goja.Value {
	d.space()
	switch c := d.buf[d.pos]; c {
	case '{':
		d.pos++
		o := d.vm.NewObject()
		d.space()
		if d.buf[d.pos] == '}' {
			d.pos++
			return o
		}
		for {
			d.space()
			key := d.str()
			d.space()
			d.pos++ // ':'
			// As CreateDataProperty: a repeated key keeps its place and takes the last
			// value. Set does the same on a new object, other than for __proto__, and
			// takes a shorter way.
			if v := d.value(); key == "__proto__" {
				_ = o.DefineDataProperty(key, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
			} else {
				_ = o.Set(key, v)
			}
			d.space()
			if d.buf[d.pos] == '}' {
				d.pos++
				return o
			}
			d.pos++ // ','
		}
	case '[':
		d.pos++
		var items []any
		d.space()
		if d.buf[d.pos] == ']' {
			d.pos++
			return d.vm.NewArray()
		}
		for {
			items = append(items, d.value())
			d.space()
			if d.buf[d.pos] == ']' {
				d.pos++
				return d.vm.NewArray(items...)
			}
			d.pos++ // ','
		}
	case '"':
		return d.vm.ToValue(d.str())
	case 't':
		d.pos += 4
		return d.vm.ToValue(true)
	case 'f':
		d.pos += 5
		return d.vm.ToValue(false)
	case 'n':
		d.pos += 4
		return goja.Null()
	}
	start := d.pos
	for d.pos < len(d.buf) {
		switch d.buf[d.pos] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
		default:
			d.pos++
			continue
		}
		break
	}
	f, err := strconv.ParseFloat(string(d.buf[start:d.pos]), 64)
	if err != nil {
		d.bad = true
	}
	return d.vm.ToValue(f)
}

// str reads a string. One with escapes, or with bytes that are not UTF-8, is decoded
// by encoding/json, which makes U+FFFD of what a Go string cannot hold, as goja does.
func (d *eventDecoder) str() string {
	d.pos++ // '"'
	start := d.pos
	simple := true
	for {
		c := d.buf[d.pos]
		if c == '"' {
			break
		}
		if c == '\\' {
			simple = false
			d.pos++
		} else if c >= utf8.RuneSelf {
			simple = false
		}
		d.pos++
	}
	raw := d.buf[start-1 : d.pos+1]
	d.pos++
	if simple || utf8.Valid(raw) && !containsByte(raw, '\\') {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}
