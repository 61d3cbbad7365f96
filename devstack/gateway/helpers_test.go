package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/heraldhq/herald/devstack/lambdalocal"
	"github.com/heraldhq/herald/devstack/template"
	"github.com/heraldhq/herald/internal/apigw"
)

// testRegion is the region the tests' gateways report in ARNs.
const testRegion = "eu-west-1"

// invokerFunc adapts a function to Invoker. It stands in for a Lambda function.
type invokerFunc func(ctx context.Context, payload []byte) (*lambdalocal.Response, error)

func (f invokerFunc) Invoke(ctx context.Context, payload []byte) (*lambdalocal.Response, error) {
	return f(ctx, payload)
}

// fake is a stand-in Lambda function that decodes every payload into a T, records it and
// answers with answer.
type fake[T any] struct {
	answer func(T) (*lambdalocal.Response, error)

	mu  sync.Mutex
	got []T
}

func newFake[T any](answer func(T) (*lambdalocal.Response, error)) *fake[T] {
	return &fake[T]{answer: answer}
}

func (f *fake[T]) Invoke(_ context.Context, payload []byte) (*lambdalocal.Response, error) {
	var in T
	if err := json.Unmarshal(payload, &in); err != nil {
		return nil, fmt.Errorf("fake function: payload: %w", err)
	}
	f.mu.Lock()
	f.got = append(f.got, in)
	f.mu.Unlock()
	return f.answer(in)
}

// calls returns the payloads the function received, in order.
func (f *fake[T]) calls() []T {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]T(nil), f.got...)
}

// only returns the single payload the function received, failing the test otherwise.
func (f *fake[T]) only(t *testing.T) T {
	t.Helper()
	got := f.calls()
	if len(got) != 1 {
		t.Fatalf("function invoked %d times, want once", len(got))
	}
	return got[0]
}

// buffered is a buffered (non-streaming) function response with body.
func buffered(body string) *lambdalocal.Response {
	return &lambdalocal.Response{RequestID: "fake", ContentType: "application/json", Body: io.NopCloser(strings.NewReader(body))}
}

// failed is the response of an invocation that failed before it answered: the error as
// Lambda's JSON error payload, and Err set.
func failed(errType, message string) *lambdalocal.Response {
	fe := &lambdalocal.FunctionError{Type: errType, Message: message}
	data, _ := json.Marshal(fe)
	resp := buffered(string(data))
	resp.Err = fe
	return resp
}

// answer returns a fake's answer function that always gives body as a buffered response.
func answer[T any](body string) func(T) (*lambdalocal.Response, error) {
	return func(T) (*lambdalocal.Response, error) { return buffered(body), nil }
}

// allow is an authorizer answer that authorizes every request with ctx.
func allow(ctx map[string]any) func(map[string]any) (*lambdalocal.Response, error) {
	return func(map[string]any) (*lambdalocal.Response, error) {
		data, err := json.Marshal(map[string]any{"isAuthorized": true, "context": ctx})
		return buffered(string(data)), err
	}
}

// deny is an authorizer answer that refuses every request.
func deny(map[string]any) (*lambdalocal.Response, error) {
	return buffered(`{"isAuthorized":false}`), nil
}

// quietLog discards the gateway's logs, which the tests check through responses instead.
func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newGateway builds a Gateway from cfg and functions, failing the test if New refuses.
func newGateway(t *testing.T, cfg Config, functions map[string]Invoker) *Gateway {
	t.Helper()
	g, err := New(cfg, functions, testRegion, quietLog())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}

// serve runs one request through h and returns the recorded response.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// wantMessage checks that w is API Gateway's own answer {"message": message} with status.
func wantMessage(t *testing.T, w *httptest.ResponseRecorder, status int, message string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d (body %s)", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", w.Body, err)
	}
	if len(got) != 1 || got["message"] != message {
		t.Errorf("body %s, want {\"message\":%q}", w.Body, message)
	}
}

// wantProblem checks that w is a problem+json answer with status, the gateway's problem
// type for title, and a detail naming every string in detailHas.
func wantProblem(t *testing.T, w *httptest.ResponseRecorder, status int, title string, detailHas ...string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d (body %s)", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != apigw.ProblemContentType {
		t.Errorf("Content-Type %q, want %s", ct, apigw.ProblemContentType)
	}
	var p apigw.Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("body %q is not a problem: %v", w.Body, err)
	}
	wantType := "urn:herald:problem:" + strings.ReplaceAll(title, " ", "-")
	if p.Type != wantType || p.Title != title || p.Status != status {
		t.Errorf("problem %+v, want type %q, title %q, status %d", p, wantType, title, status)
	}
	for _, s := range detailHas {
		if !strings.Contains(p.Detail, s) {
			t.Errorf("detail %q does not name %q", p.Detail, s)
		}
	}
}

// repoTemplate loads template.yaml from the module root, the first directory at or above
// the working directory that holds go.mod.
func repoTemplate(t *testing.T) *template.Template {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod in the working directory or above it")
		}
		dir = parent
	}
	tmpl, err := template.Load(filepath.Join(dir, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// parseTemplate parses a template given as Go values (JSON being YAML, template.Parse reads
// it), so that table tests can build variants of one template.
func parseTemplate(t *testing.T, tmpl map[string]any) *template.Template {
	t.Helper()
	data, err := json.Marshal(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := template.Parse(data)
	if err != nil {
		t.Fatalf("template.Parse: %v", err)
	}
	return parsed
}

// remarshal converts v, as decoded JSON, into out.
func remarshal(t *testing.T, v, out any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatal(err)
	}
}
