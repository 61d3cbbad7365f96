package apigw

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/fault"
)

// Body returns the request body, decoded from base64 when API Gateway encoded it, after
// checking that it is JSON and at most maxBytes long.
func Body(req *awsevents.APIGatewayV2HTTPRequest, maxBytes int) ([]byte, error) {
	if err := requireJSON(req.Headers); err != nil {
		return nil, err
	}
	raw := []byte(req.Body)
	if req.IsBase64Encoded {
		if base64.StdEncoding.DecodedLen(len(req.Body)) > maxBytes+3 {
			return nil, tooLarge(maxBytes)
		}
		var err error
		if raw, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
			return nil, fault.Field("", "the body is not valid base64")
		}
	}
	if len(raw) > maxBytes {
		return nil, tooLarge(maxBytes)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fault.Field("", "a JSON body is required")
	}
	if !utf8.Valid(raw) {
		return nil, fault.Field("", "the body is not valid UTF-8")
	}
	return raw, nil
}

func tooLarge(maxBytes int) error {
	return &fault.Error{Kind: fault.TooLarge, Detail: fmt.Sprintf("the body exceeds %d bytes", maxBytes),
		Fields: []fault.FieldError{{Field: "", Message: fmt.Sprintf("at most %d bytes", maxBytes)}}}
}

func requireJSON(headers map[string]string) error {
	ct := Header(headers, "Content-Type")
	if ct == "" {
		return nil // curl -d without -H is common; the body must still parse as JSON
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return fault.Newf(fault.Unsupported, "Content-Type must be application/json, not %q", ct)
	}
	return nil
}

// Header returns a header's value, matching its name case-insensitively (API Gateway
// lower-cases names in payload 2.0; tests and other gateways may not).
func Header(headers map[string]string, name string) string {
	if v, ok := headers[strings.ToLower(name)]; ok {
		return v
	}
	for k, v := range headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// DecodeJSON decodes data into v strictly: unknown fields and trailing data are errors,
// and every error names the field at fault.
func DecodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return locate(JSONError(err), err, data, v)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fault.Field("", "unexpected data after the JSON value")
	}
	return nil
}

// JSONError turns an encoding/json error into an Invalid fault naming the field.
func JSONError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fault.Field("", fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, syn.Error()))
	case errors.As(err, &typ):
		field := typ.Field
		return fault.Field(field, fmt.Sprintf("must be %s, not %s", jsonKind(typ.Type.Kind().String()), typ.Value))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fault.Field("", "malformed JSON: unexpected end of input")
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		name := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		return fault.Field(name, "unknown field")
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe
	}
	return fault.Field("", "malformed JSON: "+err.Error())
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "a number"
	}
	return "a " + goKind
}

// Claims returns the caller's claims as the authorizer passed them.
func Claims(req *awsevents.APIGatewayV2HTTPRequest) (*auth.Claims, error) {
	if req.RequestContext.Authorizer == nil || req.RequestContext.Authorizer.Lambda == nil {
		return nil, fault.New(fault.Unauthorized, "a bearer token is required")
	}
	return auth.FromContext(req.RequestContext.Authorizer.Lambda)
}

// Route names the request's route as "METHOD /path" (API Gateway's route key), falling
// back to the method and raw path when the gateway did not set one.
func Route(req *awsevents.APIGatewayV2HTTPRequest) string {
	if req.RouteKey != "" && req.RouteKey != "$default" {
		return req.RouteKey
	}
	return req.RequestContext.HTTP.Method + " " + req.RawPath
}

// CheckQuery refuses every query parameter not in allowed, naming each.
func CheckQuery(q map[string]string, allowed ...string) error {
	var fields []fault.FieldError
	for _, k := range slices.Sorted(maps.Keys(q)) {
		if !slices.Contains(allowed, k) {
			fields = append(fields, fault.FieldError{Field: k, Message: "unknown query parameter"})
		}
	}
	return fault.Fields(fields)
}

// IntParam reads the query parameter name as a decimal integer from lo to hi, or def
// when it is absent.
func IntParam(q map[string]string, name string, def, lo, hi int) (int, error) {
	v, ok := q[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fault.Field(name, fmt.Sprintf("must be an integer from %d to %d", lo, hi))
	}
	return n, nil
}

// Page holds the parameters of a paginated listing: ?limit=&cursor=.
type Page struct {
	Limit  int
	Cursor string
}

// PageParams reads limit (1 to max, def when absent) and cursor from q, refusing any
// other parameter than those and extra.
func PageParams(q map[string]string, def, max int, extra ...string) (Page, error) {
	if err := CheckQuery(q, append([]string{"limit", "cursor"}, extra...)...); err != nil {
		return Page{}, err
	}
	limit, err := IntParam(q, "limit", def, 1, max)
	if err != nil {
		return Page{}, err
	}
	return Page{Limit: limit, Cursor: q["cursor"]}, nil
}
