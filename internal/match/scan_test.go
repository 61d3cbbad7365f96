package match

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// flatten reads doc with encoding/json's tokenizer into what ParseEvent should make of
// it: for each path, its values in document order, each written as by describe.
// Duplicate names are kept, as the tokenizer does not merge them.
func flatten(doc []byte) (map[string][]string, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	out := make(map[string][]string)
	// Paths longer than MaxPathBytes are not recorded.
	add := func(path, v string) {
		if len(path) <= MaxPathBytes {
			out[path] = append(out[path], v)
		}
	}
	var read func(path string, top bool) error
	read = func(path string, top bool) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' {
				if !top {
					add(path, "object")
				}
				for dec.More() {
					name, err := dec.Token()
					if err != nil {
						return err
					}
					child := name.(string)
					if path != "" {
						child = path + "." + child
					}
					if err := read(child, false); err != nil {
						return err
					}
				}
			} else {
				add(path, "array")
				for dec.More() {
					if err := read(path, false); err != nil {
						return err
					}
				}
			}
			_, err = dec.Token()
			return err
		case string:
			add(path, "string "+strconv.Quote(v))
		case json.Number:
			n, _ := strconv.ParseFloat(string(v), 64)
			add(path, "number "+string(v)+" "+strconv.FormatFloat(n, 'g', -1, 64))
		case bool:
			add(path, strconv.FormatBool(v))
		case nil:
			add(path, "null")
		}
		return nil
	}
	if err := read("", true); err != nil {
		return nil, err
	}
	return out, nil
}

// table returns ev's table written as flatten writes it, checking its hash table.
func table(t *testing.T, ev *Event) map[string][]string {
	out := make(map[string][]string)
	for h, p := range ev.paths {
		path := string(ev.path(h))
		if got := ev.find(path, hashString(path)); got != h {
			t.Errorf("find(%q) = %d, want %d", path, got, h)
		}
		if _, dup := out[path]; dup {
			t.Errorf("path %q is in the table twice", path)
		}
		var vals []string
		for i := p.head; i >= 0; i = ev.vals[i].next {
			v := ev.vals[i]
			text := string(ev.bytes(&v))
			switch v.kind {
			case kString:
				vals = append(vals, "string "+strconv.Quote(text))
			case kNumber:
				vals = append(vals, "number "+text+" "+strconv.FormatFloat(v.num, 'g', -1, 64))
			case kTrue:
				vals = append(vals, "true")
			case kFalse:
				vals = append(vals, "false")
			case kNull:
				vals = append(vals, "null")
			case kObject:
				vals = append(vals, "object")
				if !json.Valid([]byte(text)) || text[0] != '{' {
					t.Errorf("object text %q", text)
				}
			case kArray:
				vals = append(vals, "array")
				if !json.Valid([]byte(text)) || text[0] != '[' {
					t.Errorf("array text %q", text)
				}
			}
		}
		out[path] = vals
	}
	return out
}

// checkParse compares ParseEvent with encoding/json on doc.
func checkParse(t *testing.T, doc []byte) {
	ev, err := ParseEvent(doc)
	valid := json.Valid(doc)
	isObject := valid && bytes.TrimLeft(doc, " \t\r\n")[0] == '{'
	if (err == nil) != isObject {
		t.Fatalf("ParseEvent(%q) error %v; json.Valid %v, object %v", doc, err, valid, isObject)
	}
	if err != nil {
		if valid != (err == errNotObject) {
			t.Fatalf("ParseEvent(%q) = %v for a document json.Valid says is %v", doc, err, valid)
		}
		return
	}
	want, err := flatten(doc)
	if err != nil {
		t.Fatalf("encoding/json cannot read %q: %v", doc, err)
	}
	got := table(t, ev)
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("ParseEvent(%q):\n got %v\nwant %v", doc, got, want)
	}
	if typ := want["event"]; len(typ) > 0 && strings.HasPrefix(typ[0], "string ") {
		if s, _ := strconv.Unquote(strings.TrimPrefix(typ[0], "string ")); s != ev.Type() {
			t.Fatalf("Type() = %q, want %q", ev.Type(), s)
		}
	} else if ev.Type() != "" {
		t.Fatalf("Type() = %q, want empty", ev.Type())
	}
}

var parseSeeds = []string{
	`{}`, ` { } `, `{"a":1}`, `{"a":{"b":{"c":[1,2,{"d":null}]}}}`,
	`{"event":"job.JobFinished","resource":{"namespaces":["A","X"]}}`,
	`{"a":"\u00e9\ud83d\ude00\ud800\udc00\ud800x\udc00\"\\\/\b\f\n\r\t"}`,
	`{"\u0061\u002eb":[true,false,null,-0,0.5e-3,1E+2,12345678901234567890]}`,
	`{"a":1,"a":[2],"a":{"b":3}}`, `{"a":{"b":1},"a.b":2}`, `{"":{"":1}}`,
	"{\"a\":\"\xff\xfe\",\"\xc3\":1}", "{\"é\":\"é\"}",
	`{"a":1e400,"b":-1e400,"c":1e-400}`, `{"a":[[],[[]],{}]}`,
	`{"a":1,}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":1e}`, `{"a":"\x"}`, `{"a":"\u12"}`,
	`{"a":tru}`, `{"a":nul}`, `{"a" 1}`, `{a:1}`, `{"a":[1 2]}`, `{"a":[1,]}`, `{"a":1}}`, `{"a":1} x`,
	"{\"a\":\"\t\"}", "{\"a\":\"\x00\"}", `[]`, `[{}]`, `"x"`, `1`, `null`, ``, ` `, `{`, `{"a"`, `{"a":`,
	`{"a":[`, `{"a":"`, `{"a":"\`, `{"a":{"b":`, `{"a":[1`, `{"a":[1,`, `{"a":{}`, `{"event":"a.B","event":"c.D"}`,
}

func TestParseEventMatchesEncodingJSON(t *testing.T) {
	for _, s := range parseSeeds {
		checkParse(t, []byte(s))
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		checkParse(t, b)
	}
}

func TestParseEventDepth(t *testing.T) {
	for _, depth := range []int{maxDepth - 1, maxDepth, maxDepth + 1} {
		// depth counts the containers, the outer object included.
		doc := `{"a":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`
		_, err := ParseEvent([]byte(doc))
		if valid := json.Valid([]byte(doc)); (err == nil) != valid {
			t.Errorf("depth %d: ParseEvent error %v, json.Valid %v", depth, err, valid)
		}
	}
}

func TestParseEventLongPaths(t *testing.T) {
	// Deep nesting is read in time linear in its size: the paths beyond
	// MaxPathBytes are not stored.
	doc := strings.Repeat(`{"abcdefghij":`, maxDepth-1) + `"x"` + strings.Repeat("}", maxDepth-1)
	ev, err := ParseEvent([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.text) > 2*len(doc) {
		t.Errorf("the event takes %d bytes for a document of %d", len(ev.text), len(doc))
	}
	long := strings.Repeat("a", MaxPathBytes-2)
	ev, err = ParseEvent([]byte(`{"` + long + `":{"b":1,"cd":2},"xy":[{"` + long + `":"\u00e9"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if ev.find(long+".b", hashString(long+".b")) < 0 {
		t.Errorf("a path of %d bytes is missing", MaxPathBytes)
	}
	for _, p := range []string{long + ".cd", "xy." + long} {
		if ev.find(p, hashString(p)) >= 0 {
			t.Errorf("a path of %d bytes is recorded", len(p))
		}
	}
	checkParse(t, []byte(`{"`+long+`":{"b":1,"cd":2},"xy":[{"`+long+`":"\u00e9"}]}`))
}

func TestParseEventManyPaths(t *testing.T) {
	// Enough distinct paths to grow the hash table several times.
	var b strings.Builder
	b.WriteString(`{`)
	for i := range 500 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"k%d":{"v":%d}`, i, i)
	}
	b.WriteString(`}`)
	checkParse(t, []byte(b.String()))
}

// FuzzParseEvent checks that ParseEvent accepts exactly the JSON objects, and reads
// the same paths, values and event type from them as encoding/json.
func FuzzParseEvent(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkParse(t, doc)
	})
}

func TestParseEventErrors(t *testing.T) {
	for _, tt := range []struct {
		doc  []byte
		want error
	}{
		{[]byte(`[1]`), errNotObject},
		{[]byte(` "x" `), errNotObject},
		{[]byte(`{"a":}`), errSyntax},
		{[]byte(``), errSyntax},
		{make([]byte, MaxEventBytes+1), errTooLarge},
	} {
		var ev Event
		if err := ev.Parse([]byte(`{"event":"a.B","x":1}`)); err != nil {
			t.Fatal(err)
		}
		if err := ev.Parse(tt.doc); err != tt.want {
			t.Errorf("Parse(%.20q) = %v, want %v", tt.doc, err, tt.want)
		}
		// A failed parse leaves an empty event, not the previous one.
		if ev.Type() != "" || ev.find("x", hashString("x")) >= 0 {
			t.Errorf("after a failed Parse the event still holds %s", ev.String())
		}
	}
}
