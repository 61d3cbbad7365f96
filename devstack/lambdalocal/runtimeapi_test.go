package lambdalocal

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
)

// runtimeCall makes one request to an instance's Runtime API, as a runtime would.
func runtimeCall(t testing.TB, method, url, body string, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return nil
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return nil
	}
	return resp
}

func registerExtension(t testing.TB, addr, body string) string {
	t.Helper()
	resp := runtimeCall(t, "POST", "http://"+addr+"/2020-01-01/extension/register", body, map[string]string{headerExtensionName: "test-extension"})
	defer resp.Body.Close()
	id := resp.Header.Get(headerExtensionID)
	if resp.StatusCode != http.StatusOK || id == "" {
		t.Fatalf("register: %s, id %q", resp.Status, id)
	}
	return id
}

// TestRuntimeAPIRefusals: requests a well-behaved runtime never makes are refused with the
// Runtime API's status codes.
func TestRuntimeAPIRefusals(t *testing.T) {
	f := newFunction(t, Config{})
	if err := f.Warm(testContext(t)); err != nil {
		t.Fatal(err)
	}
	base := "http://" + anyInstance(t, f).addr
	tests := []struct {
		name   string
		method string
		path   string
		header map[string]string
		status int
	}{
		{"response for unknown id", "POST", "/2018-06-01/runtime/invocation/nope/response", nil, http.StatusBadRequest},
		{"error for unknown id", "POST", "/2018-06-01/runtime/invocation/nope/error", nil, http.StatusBadRequest},
		{"init error after init", "POST", "/2018-06-01/runtime/init/error", nil, http.StatusForbidden},
		{"extension without name", "POST", "/2020-01-01/extension/register", nil, http.StatusBadRequest},
		{"unknown extension", "GET", "/2020-01-01/extension/event/next", map[string]string{headerExtensionID: "nope"}, http.StatusForbidden},
		{"unknown path", "GET", "/2018-06-01/runtime/other", nil, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := runtimeCall(t, tt.method, base+tt.path, `{}`, tt.header)
			defer resp.Body.Close()
			io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != tt.status {
				t.Errorf("%s %s = %s, want %d", tt.method, tt.path, resp.Status, tt.status)
			}
		})
	}
	// The instance still works.
	if pid := pidOf(t, testContext(t), f); pid == 0 {
		t.Error("no pid")
	}
}

func TestTrailerError(t *testing.T) {
	body := base64.StdEncoding.EncodeToString([]byte(`{"errorType":"streamError","errorMessage":"boom"}`))
	tests := []struct {
		name    string
		trailer http.Header
		want    *FunctionError
	}{
		{"none", http.Header{}, nil},
		{"declared, unset", http.Header{headerErrorType: nil, headerErrorBody: nil}, nil},
		{"error", http.Header{headerErrorType: {"streamError"}, headerErrorBody: {body}}, &FunctionError{Type: "streamError", Message: "boom"}},
		{"bad body", http.Header{headerErrorType: {"streamError"}, headerErrorBody: {"%%%"}}, &FunctionError{Type: "streamError"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := trailerError(tt.trailer)
			if (got == nil) != (tt.want == nil) || got != nil && (got.Type != tt.want.Type || got.Message != tt.want.Message) {
				t.Errorf("trailerError = %#v, want %#v", got, tt.want)
			}
		})
	}
}
