// Package contract checks an event against the contract of its type: the JSON Schema
// (draft 2020-12) that the catalog gives each of its event types (see event.Catalog),
// covering the members the envelope leaves open, resource and data.
//
// It is a package of its own because the JSON Schema library,
// github.com/santhosh-tekuri/jsonschema/v6, compiles its meta-schemas when the program
// starts, which costs every function that imports it several milliseconds of cold
// start; only EventsApi checks contracts. The schemas themselves are compiled on first
// use, one event type at a time.
package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
)

// MaxFields bounds the fields one check names, so that a long list in the data cannot
// make the answer long.
const MaxFields = 10

// Check checks e's resource and data against the schema of its type. It returns nil
// for a type outside the catalog, which is not checked, and for an event that meets
// its contract; otherwise a fault Invalid naming each member at fault by its dotted
// path in the event ("data.state", "data.before[0].permission"). e should already
// pass Validate: the schemas take the envelope's rules for granted.
func Check(e *event.Event) error {
	en, ok, err := compiledOf(e.Event)
	if !ok || err != nil {
		return err
	}
	inst, err := en.instance(e)
	if err != nil {
		return err
	}
	err = en.schema.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	return &fault.Error{
		Kind:   fault.Invalid,
		Detail: "the event does not meet the contract of " + e.Event + " (its schema is in the catalog)",
		Fields: fields(ve, inst),
	}
}

// compiled holds the compiled schema of each catalog type checked so far.
var compiled sync.Map // event type → *entry

// entry is one compiled schema and the members of resource and data it declares.
type entry struct {
	once   sync.Once
	schema *jsonschema.Schema
	// resource and data list the members the schema declares; data is nil when the
	// schema says nothing of data.
	resource, data []string
	err            error
}

// compiledOf returns the compiled schema of eventType, compiling it on first use, and
// false for a type outside the catalog. An error means that an embedded schema is
// broken, which the tests of this package rule out.
func compiledOf(eventType string) (*entry, bool, error) {
	raw, ok, err := event.Schema(eventType)
	if !ok || err != nil {
		return nil, ok, err
	}
	v, _ := compiled.LoadOrStore(eventType, &entry{})
	en := v.(*entry)
	en.once.Do(func() {
		if en.schema, en.err = Compile(raw); en.err == nil {
			en.resource, en.data, en.err = declared(raw)
		}
	})
	return en, true, en.err
}

// declared returns the members that a schema declares for resource and data. The
// schemas may say of these two objects only which members they have and require
// (TestSchemaShape holds them to it), so what the check sees of them can be limited
// to those members: a member no schema names is never decoded.
func declared(raw []byte) (resource, data []string, err error) {
	var doc struct {
		Properties map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, nil, err
	}
	for name := range doc.Properties["resource"].Properties {
		resource = append(resource, name)
	}
	if d, ok := doc.Properties["data"]; ok {
		data = make([]string, 0, len(d.Properties))
		for name := range d.Properties {
			data = append(data, name)
		}
	}
	return resource, data, nil
}

// Compile compiles one schema as the catalog serves it: standalone, with nothing
// loaded from elsewhere.
func Compile(raw []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	obj, _ := doc.(map[string]any)
	id, _ := obj["$id"].(string)
	if id == "" {
		return nil, errors.New("contract: the schema has no $id")
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(noLoader{})
	if err := c.AddResource(id, doc); err != nil {
		return nil, err
	}
	return c.Compile(id)
}

// noLoader refuses every URL: a schema that the catalog serves must stand alone, so
// one that refers outside itself fails to compile here rather than fetch anything.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("contract: the schema refers to %s, outside itself", url)
}

// instance is what the schemas see of e: its resource and data with the members the
// schema declares, as generic JSON values. The rest of the envelope is Validate's, and
// decoding members that no rule looks at would only cost time on every publish.
func (en *entry) instance(e *event.Event) (map[string]any, error) {
	m := make(map[string]any, 2)
	if r := e.Resource; r != nil {
		res := make(map[string]any, len(en.resource))
		for _, name := range en.resource {
			switch name {
			case "type":
				res[name] = r.Type // always set: Validate requires it
			case "id":
				setString(res, name, r.ID)
			case "path":
				setString(res, name, r.Path)
			case "namespaces":
				if r.Namespaces != nil {
					ns := make([]any, len(r.Namespaces))
					for i, n := range r.Namespaces {
						ns[i] = n
					}
					res[name] = ns
				}
			default:
				raw := r.Extra[name]
				switch name {
				case "before":
					raw = r.Before
				case "after":
					raw = r.After
				}
				if err := setRaw(res, name, raw); err != nil {
					return nil, err
				}
			}
		}
		m["resource"] = res
	}
	if en.data != nil && len(e.Data) > 0 {
		var members map[string]json.RawMessage
		if err := json.Unmarshal(e.Data, &members); err != nil {
			return nil, err
		}
		data := make(map[string]any, len(en.data))
		for _, name := range en.data {
			if err := setRaw(data, name, members[name]); err != nil {
				return nil, err
			}
		}
		m["data"] = data
	}
	return m, nil
}

// setString sets member name of obj to s, unless s is empty: the envelope leaves
// empty strings out.
func setString(obj map[string]any, name, s string) {
	if s != "" {
		obj[name] = s
	}
}

// setRaw sets member name of obj to the value of raw, unless raw is empty (absent). A
// JSON null is a value here, so that a schema can say it is the wrong type.
func setRaw(obj map[string]any, name string, raw []byte) error {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	obj[name] = v
	return nil
}

// fields turns a validation error into the fields at fault: one per failed keyword at
// the bottom of the error's tree, sorted, without repeats, at most MaxFields.
func fields(ve *jsonschema.ValidationError, inst any) []fault.FieldError {
	var out []fault.FieldError
	var walk func(*jsonschema.ValidationError)
	walk = func(ve *jsonschema.ValidationError) {
		if len(ve.Causes) > 0 {
			for _, c := range ve.Causes {
				walk(c)
			}
			return
		}
		at := fieldName(inst, ve.InstanceLocation)
		if k, ok := ve.ErrorKind.(*kind.Required); ok {
			for _, m := range k.Missing {
				out = append(out, fault.FieldError{Field: join(at, m), Message: "is required"})
			}
			return
		}
		out = append(out, fault.FieldError{Field: at, Message: describe(ve.ErrorKind)})
	}
	walk(ve)
	slices.SortFunc(out, func(a, b fault.FieldError) int {
		return strings.Compare(a.Field+"\x00"+a.Message, b.Field+"\x00"+b.Message)
	})
	out = slices.Compact(out)
	if len(out) > MaxFields {
		out = out[:MaxFields]
	}
	return out
}

// fieldName writes an instance location as the API names fields: members joined by
// ".", array elements as "[i]".
func fieldName(inst any, loc []string) string {
	var b strings.Builder
	cur := inst
	for _, tok := range loc {
		switch v := cur.(type) {
		case []any:
			b.WriteString("[" + tok + "]")
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(v) {
				cur = v[i]
			} else {
				cur = nil
			}
		case map[string]any:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(tok)
			cur = v[tok]
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(tok)
			cur = nil
		}
	}
	return b.String()
}

// join names member m of the object at field.
func join(field, m string) string {
	if field == "" {
		return m
	}
	return field + "." + m
}

// printer renders the library's own messages, for the keywords describe does not word.
var printer = message.NewPrinter(language.English)

// describe words a failed keyword the way the API words other field errors.
func describe(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = article(w) + " " + w
		}
		return "must be " + orList(want) + ", not " + article(k.Got) + " " + k.Got
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = display(w)
		}
		return "must be " + orList(want)
	case *kind.Const:
		return "must be " + display(k.Want)
	case *kind.MinLength:
		if k.Want == 1 {
			return "must not be empty"
		}
		return "must be at least " + strconv.Itoa(k.Want) + " characters long"
	case *kind.MaxLength:
		return "must be at most " + strconv.Itoa(k.Want) + " characters long"
	case *kind.Pattern:
		return "must match the pattern " + strconv.Quote(k.Want)
	case *kind.Minimum:
		return "must be at least " + number(k.Want)
	case *kind.ExclusiveMinimum:
		return "must be greater than " + number(k.Want)
	case *kind.Maximum:
		return "must be at most " + number(k.Want)
	case *kind.ExclusiveMaximum:
		return "must be less than " + number(k.Want)
	case *kind.MinItems:
		return "must have at least " + strconv.Itoa(k.Want) + " entries"
	case *kind.MaxItems:
		return "must have at most " + strconv.Itoa(k.Want) + " entries"
	case *kind.FalseSchema:
		return "is not allowed"
	}
	return k.LocalizedString(printer)
}

func article(typ string) string {
	switch typ {
	case "object", "array", "integer":
		return "an"
	}
	return "a"
}

func orList(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// display writes a value of an enum or const: strings quoted, as the API's other
// messages quote the values they allow.
func display(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

func number(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}
