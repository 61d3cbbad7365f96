package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
)

// FormContentType is the Content-Type of a FormatForm body.
const FormContentType = "application/x-www-form-urlencoded"

// FormBody returns the JSON object raw as an application/x-www-form-urlencoded body, for
// receivers that read key-value data (form handlers, low-code tools) rather than JSON.
//
// Nested objects are flattened into dotted keys ({"resource":{"path":"p"}} becomes
// resource.path=p). Every element of an array is a value of the array's own key, so an
// array is a multivalued key (recipients=a&recipients=b); an array of objects gives each
// of their fields as many values (items.id=1&items.id=2), and arrays within arrays are
// flattened the same way. Strings are sent as they are, numbers as JSON writes them (no
// float rounding), booleans as true and false, null as an empty value. Empty objects and
// arrays send nothing. A key holding a dot cannot be told from a nested one: both are
// flattened to the same name, with the values of both.
//
// Keys come out sorted and each key's values in the order of the document, so the same
// event always makes the same body, and so the same signature. raw must be a JSON object.
func FormBody(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("webhook: the body is not JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("webhook: the form format needs a JSON object (a transform must return one)")
	}
	values := url.Values{}
	if err := flattenObject(dec, "", values); err != nil {
		return nil, fmt.Errorf("webhook: the body is not JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("webhook: the body is not one JSON value")
	}
	return []byte(values.Encode()), nil
}

// flattenObject adds the members of the object whose '{' dec has just read, each under
// prefix.name ("name" at the top).
func flattenObject(dec *json.Decoder, prefix string, values url.Values) error {
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		key := name
		if prefix != "" {
			key = prefix + "." + name
		}
		if err := flattenValue(dec, key, values); err != nil {
			return err
		}
	}
	_, err := dec.Token() // the closing '}'
	return err
}

// flattenValue adds the next value of dec under key.
func flattenValue(dec *json.Decoder, key string, values url.Values) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return flattenObject(dec, key, values)
		}
		// '[': every element under the array's own key.
		for dec.More() {
			if err := flattenValue(dec, key, values); err != nil {
				return err
			}
		}
		_, err := dec.Token() // the closing ']'
		return err
	case string:
		values.Add(key, v)
	case json.Number:
		values.Add(key, v.String())
	case bool:
		if v {
			values.Add(key, "true")
		} else {
			values.Add(key, "false")
		}
	case nil:
		values.Add(key, "")
	}
	return nil
}
