package apigw

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/fault"
)

func TestDecodeJSONNamesTheField(t *testing.T) {
	type inner struct {
		Path string `json:"path"`
	}
	type body struct {
		Name   string  `json:"name"`
		Limit  int     `json:"limit"`
		Target []inner `json:"target"`
	}
	tests := []struct {
		name, in, field string
	}{
		{"unknown field", `{"name":"a","colour":"red"}`, "colour"},
		{"wrong type", `{"limit":"ten"}`, "limit"},
		{"nested wrong type", `{"target":[{"path":3}]}`, "target.path"},
		{"syntax", `{"name":`, ""},
		{"trailing data", `{"name":"a"} {}`, ""},
		{"not an object", `[1]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b body
			err := DecodeJSON([]byte(tt.in), &b)
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Kind != fault.Invalid {
				t.Fatalf("err = %v, want an Invalid fault", err)
			}
			if len(fe.Fields) != 1 || fe.Fields[0].Field != tt.field {
				t.Fatalf("fields = %+v, want field %q", fe.Fields, tt.field)
			}
		})
	}
	var ok body
	if err := DecodeJSON([]byte(`{"name":"a","limit":3}`), &ok); err != nil || ok.Limit != 3 {
		t.Fatalf("valid body: %v %+v", err, ok)
	}
}

func TestBody(t *testing.T) {
	long := strings.Repeat("x", 20)
	tests := []struct {
		name    string
		req     awsevents.APIGatewayV2HTTPRequest
		want    string
		kind    fault.Kind
		wantErr bool
	}{
		{"plain", awsevents.APIGatewayV2HTTPRequest{Body: `{"a":1}`}, `{"a":1}`, 0, false},
		{"json content type with charset", awsevents.APIGatewayV2HTTPRequest{Body: `{}`, Headers: map[string]string{"content-type": "application/json; charset=utf-8"}}, `{}`, 0, false},
		{"problem json accepted", awsevents.APIGatewayV2HTTPRequest{Body: `{}`, Headers: map[string]string{"Content-Type": "application/merge-patch+json"}}, `{}`, 0, false},
		{"base64", awsevents.APIGatewayV2HTTPRequest{Body: base64.StdEncoding.EncodeToString([]byte(`{"b":2}`)), IsBase64Encoded: true}, `{"b":2}`, 0, false},
		{"bad base64", awsevents.APIGatewayV2HTTPRequest{Body: "!!!", IsBase64Encoded: true}, "", fault.Invalid, true},
		{"too large", awsevents.APIGatewayV2HTTPRequest{Body: `"` + long + `"`}, "", fault.TooLarge, true},
		{"empty", awsevents.APIGatewayV2HTTPRequest{Body: "  "}, "", fault.Invalid, true},
		{"form", awsevents.APIGatewayV2HTTPRequest{Body: "a=b", Headers: map[string]string{"content-type": "application/x-www-form-urlencoded"}}, "", fault.Unsupported, true},
		{"invalid utf-8", awsevents.APIGatewayV2HTTPRequest{Body: "{\"a\":\"\xff\"}"}, "", fault.Invalid, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Body(&tt.req, 16)
			if tt.wantErr {
				if fault.KindOf(err) != tt.kind {
					t.Fatalf("err = %v, want kind %v", err, tt.kind)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestErrorResponses(t *testing.T) {
	tests := []struct {
		err         error
		status      int
		detailHas   string
		detailLacks string
	}{
		{fault.Field("event", "is required"), http.StatusBadRequest, "invalid field", ""},
		{fault.New(fault.Unauthorized, "a bearer token is required"), http.StatusUnauthorized, "bearer", ""},
		{fault.New(fault.Forbidden, "no"), http.StatusForbidden, "no", ""},
		{fault.New(fault.NotFound, "no such consumer"), http.StatusNotFound, "no such", ""},
		{fault.New(fault.TooLarge, "big"), http.StatusRequestEntityTooLarge, "big", ""},
		{fault.New(fault.Unsupported, "form"), http.StatusUnsupportedMediaType, "form", ""},
		{fault.Wrap(fault.Unavailable, errors.New("dial tcp 10.1.2.3"), "the bus is down"), http.StatusServiceUnavailable, "bus is down", "10.1.2.3"},
		{errors.New("secret-ish internal detail"), http.StatusInternalServerError, "unexpected", "secret-ish"},
		{fault.NotAllowed("PUT is not allowed here; use GET", "GET"), http.StatusMethodNotAllowed, "use GET", ""},
		{&fault.Error{Kind: fault.Vetoed, Detail: "denied", Extensions: map[string]any{"approved": false}}, http.StatusUnprocessableEntity, "denied", ""},
	}
	for _, tt := range tests {
		resp := Error(context.Background(), tt.err)
		if resp.StatusCode != tt.status {
			t.Errorf("%v: status %d, want %d", tt.err, resp.StatusCode, tt.status)
		}
		if resp.Headers["Content-Type"] != ProblemContentType {
			t.Errorf("%v: content type %q", tt.err, resp.Headers["Content-Type"])
		}
		var p Problem
		if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
			t.Fatalf("%v: body is not JSON: %v", tt.err, err)
		}
		if p.Status != tt.status || p.Type == "" || p.Title == "" {
			t.Errorf("%v: problem %+v", tt.err, p)
		}
		if !strings.Contains(p.Detail, tt.detailHas) {
			t.Errorf("%v: detail %q lacks %q", tt.err, p.Detail, tt.detailHas)
		}
		if tt.detailLacks != "" && strings.Contains(resp.Body, tt.detailLacks) {
			t.Errorf("%v: response leaks %q: %s", tt.err, tt.detailLacks, resp.Body)
		}
	}
}

func TestProblemListsFields(t *testing.T) {
	p := ProblemFor(fault.Fields([]fault.FieldError{{Field: "events[1].uuid", Message: "must be a UUID"}}))
	if len(p.Errors) != 1 || p.Errors[0].Field != "events[1].uuid" {
		t.Fatalf("errors = %+v", p.Errors)
	}
}

func TestHeaderIsCaseInsensitive(t *testing.T) {
	h := map[string]string{"Authorization": "Bearer x"}
	if Header(h, "authorization") != "Bearer x" || Header(h, "AUTHORIZATION") != "Bearer x" {
		t.Fatal("header lookup must ignore case")
	}
	if Header(h, "missing") != "" {
		t.Fatal("missing header must be empty")
	}
}

func TestRoute(t *testing.T) {
	req := awsevents.APIGatewayV2HTTPRequest{RouteKey: "POST /v1/events"}
	if Route(&req) != "POST /v1/events" {
		t.Fatal(Route(&req))
	}
	req = awsevents.APIGatewayV2HTTPRequest{RouteKey: "$default", RawPath: "/v1/health"}
	req.RequestContext.HTTP.Method = "GET"
	if Route(&req) != "GET /v1/health" {
		t.Fatal(Route(&req))
	}
}
