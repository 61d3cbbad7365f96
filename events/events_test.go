// Package samples_test checks the sample events in this folder, the ones used to invoke
// a function locally: each is named <function>-<source>-<scenario>.json after a folder
// under functions/, and decodes strictly into the type that function's handler takes.
package samples_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/event/contract"
)

// function describes what one function folder takes as input.
type function struct {
	source string                         // the only event source its samples may name
	decode func(data []byte) (any, error) // strict decoding into the handler's input type
}

// functions maps each function folder to its input. A new function needs an entry here
// and at least one sample.
var functions = map[string]function{
	"authorizer":    {source: "httpapi", decode: strict[awsevents.APIGatewayV2CustomAuthorizerV2Request]},
	"events":        {source: "httpapi", decode: strict[awsevents.APIGatewayV2HTTPRequest]},
	"consumers":     {source: "httpapi", decode: strict[awsevents.APIGatewayV2HTTPRequest]},
	"stream":        {source: "url", decode: strict[awsevents.LambdaFunctionURLRequest]},
	"bridge":        {source: "schedule", decode: strict[awsevents.EventBridgeEvent]},
	"janitor":       {source: "schedule", decode: strict[awsevents.EventBridgeEvent]},
	"inbox":         {source: "sqs", decode: strict[awsevents.SQSEvent]},
	"notifications": {source: "httpapi", decode: strict[awsevents.APIGatewayV2HTTPRequest]},
	"triggers":      {source: "httpapi", decode: strict[awsevents.APIGatewayV2HTTPRequest]},
	"router":        {source: "sqs", decode: strict[awsevents.SQSEvent]},
	"deliver":       {source: "sqs", decode: strict[awsevents.SQSEvent]},
}

// sampleName is <function>-<source>-<scenario>.json in lower case; the scenario may hold
// dashes of its own.
var sampleName = regexp.MustCompile(`^([a-z0-9]+)-([a-z0-9]+)-([a-z0-9]+(?:-[a-z0-9]+)*)\.json$`)

// strict decodes data into a T, refusing unknown fields and anything after the value, so
// that a misspelt field in a sample fails here instead of silently reading as empty.
func strict[T any](data []byte) (any, error) {
	var v T
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the JSON value")
	}
	return &v, nil
}

// sample is one sample file, decoded.
type sample struct {
	file     string
	function string
	source   string
	value    any // a pointer to the function's input type
}

// repoRoot walks up from the working directory to the folder holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// parseSample checks a sample's name and decodes data into the input type of the
// function the name gives. It fails for a badly named file, an unknown function, a
// source that function is not invoked by, or data that does not decode strictly.
func parseSample(name string, data []byte) (sample, error) {
	m := sampleName.FindStringSubmatch(name)
	if m == nil {
		return sample{}, errors.New("not named <function>-<source>-<scenario>.json in lower case")
	}
	fn, ok := functions[m[1]]
	if !ok {
		return sample{}, fmt.Errorf("unknown function %q; known: %s", m[1], strings.Join(slices.Sorted(maps.Keys(functions)), ", "))
	}
	if m[2] != fn.source {
		return sample{}, fmt.Errorf("function %s is invoked by %s, not %s", m[1], fn.source, m[2])
	}
	v, err := fn.decode(data)
	if err != nil {
		return sample{}, fmt.Errorf("does not decode as the input of %s: %w", m[1], err)
	}
	return sample{file: name, function: m[1], source: m[2], value: v}, nil
}

// sampleFiles returns the paths of every sample.
func sampleFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "events", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no sample events")
	}
	return files
}

// loadSamples returns the samples that parse; TestSamples reports those that do not.
func loadSamples(t *testing.T) []sample {
	t.Helper()
	var out []sample
	for _, path := range sampleFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if s, err := parseSample(filepath.Base(path), data); err == nil {
			out = append(out, s)
		}
	}
	return out
}

// TestSamples checks that every sample is well named and decodes strictly into the input
// type of the function its name gives.
func TestSamples(t *testing.T) {
	for _, path := range sampleFiles(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := parseSample(name, data); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestParseSampleRejects checks that the sample check itself refuses what it should:
// bad names, unknown functions and sources, and data that is not the function's input.
func TestParseSampleRejects(t *testing.T) {
	const schedule = `{"version":"0","id":"x","detail-type":"Scheduled Event","source":"aws.events",` +
		`"account":"123456789012","time":"2026-11-22T18:00:00Z","region":"eu-west-1","resources":[],"detail":{}}`
	tests := []struct {
		name    string
		file    string
		data    string
		wantErr string // "" when the sample is good
	}{
		{"good", "bridge-schedule-tick.json", schedule, ""},
		{"unknown function", "janitorx-schedule-tick.json", schedule, "unknown function"},
		{"wrong source", "bridge-httpapi-tick.json", schedule, "invoked by schedule"},
		{"no scenario", "bridge-schedule.json", schedule, "not named"},
		{"upper case", "Bridge-schedule-tick.json", schedule, "not named"},
		{"unknown field", "bridge-schedule-tick.json", `{"version":"0","detailType":"Scheduled Event"}`, "unknown field"},
		{"wrong type", "events-httpapi-x.json", `{"version":2}`, "does not decode"},
		{"trailing data", "bridge-schedule-tick.json", schedule + `{}`, "data after"},
		{"not JSON", "authorizer-httpapi-x.json", `version: 2.0`, "does not decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSample(tt.file, []byte(tt.data))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("parseSample(%s) = %v, want success", tt.file, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("parseSample(%s) = %v, want an error containing %q", tt.file, err, tt.wantErr)
			}
		})
	}
}

// TestEveryFunctionHasSample checks that each folder under functions/ has a decoder entry
// and at least one sample.
func TestEveryFunctionHasSample(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join(repoRoot(t), "functions"))
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, s := range loadSamples(t) {
		count[s.function]++
	}
	var dirs int
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dirs++
		if _, ok := functions[e.Name()]; !ok {
			t.Errorf("functions/%s: no input type known for it in this test", e.Name())
		}
		if count[e.Name()] == 0 {
			t.Errorf("functions/%s: no sample event in events/", e.Name())
		}
	}
	if dirs == 0 {
		t.Fatal("no function folders found")
	}
}

// TestHTTPAPISamples checks what API Gateway would make consistent in an HTTP API event:
// the route key is "<method> <rawPath>" in both places, authorizer requests carry a bearer
// token, an authorizer context reads back as claims, and publish bodies hold events that
// the API would accept.
func TestHTTPAPISamples(t *testing.T) {
	for _, s := range loadSamples(t) {
		if s.source != "httpapi" {
			continue
		}
		t.Run(s.file, func(t *testing.T) {
			switch v := s.value.(type) {
			case *awsevents.APIGatewayV2CustomAuthorizerV2Request:
				checkRoute(t, v.RouteKey, v.RawPath, v.PathParameters, v.RequestContext)
				if v.Type != "REQUEST" || v.Version != "2.0" {
					t.Errorf("type %q version %q, want REQUEST and 2.0", v.Type, v.Version)
				}
				if _, err := auth.BearerToken(apigw.Header(v.Headers, "Authorization")); err != nil {
					t.Errorf("authorization header: %v", err)
				}
			case *awsevents.APIGatewayV2HTTPRequest:
				checkRoute(t, v.RouteKey, v.RawPath, v.PathParameters, v.RequestContext)
				if v.Version != "2.0" {
					t.Errorf("version %q, want 2.0", v.Version)
				}
				claims := checkClaims(t, v.RequestContext.Authorizer)
				if v.RouteKey == "POST /v1/events" {
					if !claims.IsPublisher() {
						t.Errorf("publish sample's caller %+v may not publish", claims)
					}
					checkPublishBody(t, v.Body)
				}
			default:
				t.Fatalf("httpapi sample decoded as %T", v)
			}
		})
	}
}

// checkRoute checks that the route key names the request's method and raw path (with
// its path parameters filled in), and that the request context agrees.
func checkRoute(t *testing.T, routeKey, rawPath string, params map[string]string, rc awsevents.APIGatewayV2HTTPRequestContext) {
	t.Helper()
	filled := routeKey
	for k, v := range params {
		filled = strings.ReplaceAll(filled, "{"+k+"}", v)
	}
	if want := rc.HTTP.Method + " " + rawPath; filled != want {
		t.Errorf("routeKey %q, want %q", routeKey, want)
	}
	if rc.RouteKey != routeKey {
		t.Errorf("requestContext.routeKey %q, want %q", rc.RouteKey, routeKey)
	}
	if rc.HTTP.Path != rawPath {
		t.Errorf("requestContext.http.path %q, want rawPath %q", rc.HTTP.Path, rawPath)
	}
}

// checkClaims reads the authorizer context back as claims, as the functions do; a sample
// without one (a public route) gets nil.
func checkClaims(t *testing.T, a *awsevents.APIGatewayV2HTTPRequestContextAuthorizerDescription) *auth.Claims {
	t.Helper()
	if a == nil || a.Lambda == nil {
		return nil
	}
	c, err := auth.FromContext(a.Lambda)
	if err != nil {
		t.Errorf("authorizer context: %v", err)
	}
	return c
}

// batchBody is the batch form of a POST /v1/events body.
type batchBody struct {
	Events []json.RawMessage `json:"events"`
}

// checkPublishBody checks that a POST /v1/events body holds one event, or a batch
// {"events": [...]}, each of which decodes, is valid once defaults are filled, and is of
// a catalog type whose contract it meets.
func checkPublishBody(t *testing.T, body string) {
	t.Helper()
	var probe map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &probe); err != nil {
		t.Fatalf("body is not a JSON object: %v", err)
	}
	raws := []json.RawMessage{json.RawMessage(body)}
	if _, batch := probe["events"]; batch {
		v, err := strict[batchBody]([]byte(body))
		if err != nil {
			t.Fatalf("batch body: %v", err)
		}
		raws = v.(*batchBody).Events
		if len(raws) == 0 {
			t.Fatal("batch body holds no events")
		}
	}
	now := time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
	for i, raw := range raws {
		e, err := event.Decode(raw)
		if err != nil {
			t.Errorf("event %d does not decode: %v", i, err)
			continue
		}
		e.FillDefaults(now)
		if err := e.Validate(); err != nil {
			t.Errorf("event %d (%s) is invalid: %v", i, e.Event, err)
		}
		if !event.Known(e.Event) {
			t.Errorf("event %d: %s is not in the catalog", i, e.Event)
		}
		if err := contract.Check(e); err != nil {
			t.Errorf("event %d (%s) breaks its contract: %v", i, e.Event, err)
		}
	}
}
