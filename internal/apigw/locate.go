package apigw

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"

	"github.com/heraldhq/herald/internal/fault"
)

// locate names the field of a decoding error that encoding/json leaves unnamed or names
// by Go's structure: an unknown member of a nested object (json names the key alone), a
// value its type's UnmarshalJSON refuses (a timestamp that is not RFC 3339: json names
// nothing), and a member of an embedded struct (json prefixes the struct's Go name).
// The path is written as json writes UnmarshalTypeError.Field: object keys joined by
// ".", array elements not counted. Syntax errors concern the body as a whole.
func locate(e, cause error, data []byte, v any) error {
	var syn *json.SyntaxError
	var fe *fault.Error
	if errors.As(cause, &syn) || errors.Is(cause, io.EOF) || errors.Is(cause, io.ErrUnexpectedEOF) ||
		!errors.As(e, &fe) || len(fe.Fields) != 1 || v == nil {
		return e
	}
	field, ok := fieldAt(data, reflect.TypeOf(v), "")
	if !ok {
		return e
	}
	out := *fe
	out.Fields = []fault.FieldError{{Field: field, Message: fe.Fields[0].Message}}
	var typ *json.UnmarshalTypeError
	if !errors.As(cause, &typ) && !strings.HasPrefix(cause.Error(), "json: unknown field ") {
		out.Fields[0].Message = "is not valid: " + cause.Error()
	}
	return &out
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
)

// fieldAt returns the path of the first member of data, in document order, that cannot
// be decoded into its place in t: a member t has no field for, or a value of the wrong
// kind or that its type refuses. ok is false when every member decodes.
func fieldAt(data []byte, t reflect.Type, path string) (string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	data = bytes.TrimSpace(data)
	if string(data) == "null" || t == rawMessageType || t.Kind() == reflect.Interface {
		return "", false
	}
	composite := t.Kind() == reflect.Struct || t.Kind() == reflect.Map ||
		(t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t.Elem().Kind() != reflect.Uint8
	if !composite || reflect.PointerTo(t).Implements(unmarshalerType) {
		if json.Unmarshal(data, reflect.New(t).Interface()) != nil {
			return path, true
		}
		return "", false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	open, err := dec.Token()
	if err != nil {
		return path, true
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if open != json.Delim('[') {
			return path, true
		}
		for dec.More() {
			var raw json.RawMessage
			if dec.Decode(&raw) != nil {
				return path, true
			}
			if p, ok := fieldAt(raw, t.Elem(), path); ok {
				return p, true
			}
		}
		return "", false
	}
	if open != json.Delim('{') {
		return path, true
	}
	var fields map[string]reflect.Type
	if t.Kind() == reflect.Struct {
		fields = map[string]reflect.Type{}
		jsonFields(t, fields)
	}
	for dec.More() {
		tok, err := dec.Token()
		key, _ := tok.(string)
		var raw json.RawMessage
		if err != nil || dec.Decode(&raw) != nil {
			return path, true
		}
		at := key
		if path != "" {
			at = path + "." + key
		}
		elem := t.Elem
		if fields != nil {
			ft, ok := fieldType(fields, key)
			if !ok {
				return at, true
			}
			elem = func() reflect.Type { return ft }
		}
		if p, ok := fieldAt(raw, elem(), at); ok {
			return p, true
		}
	}
	return "", false
}

// jsonFields collects the JSON members of struct t by name, those of embedded structs
// promoted as encoding/json promotes them.
func jsonFields(t reflect.Type, into map[string]reflect.Type) {
	var embedded []reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && f.Tag.Get("json") == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			embedded = append(embedded, ft)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		into[name] = f.Type
	}
	// A struct's own fields hide those of the structs it embeds.
	for _, et := range embedded {
		promoted := map[string]reflect.Type{}
		jsonFields(et, promoted)
		for name, ft := range promoted {
			if _, taken := into[name]; !taken {
				into[name] = ft
			}
		}
	}
}

// fieldType finds key among fields as encoding/json does: exactly, else ignoring case.
func fieldType(fields map[string]reflect.Type, key string) (reflect.Type, bool) {
	if t, ok := fields[key]; ok {
		return t, true
	}
	for name, t := range fields {
		if strings.EqualFold(name, key) {
			return t, true
		}
	}
	return nil, false
}
