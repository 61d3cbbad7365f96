package stacktest

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/test/apidoc"
)

// CheckedAPI returns the URL of a reverse proxy to the stack's HTTP API that checks
// every answer against openapi.yaml, failing the test on any that does not follow it:
// the end-to-end tests send their requests (curl, heraldctl, the Go client) through it.
// Event streams pass through unchecked, as they never end.
func CheckedAPI(t testing.TB, api string) string {
	t.Helper()
	target, err := url.Parse(api)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			return nil
		}
		if strings.HasPrefix(resp.Request.URL.Path, localstack.LambdaAPIPrefix) {
			return nil // the Lambda Invoke API is AWS's, not Herald's
		}
		if err := apidoc.CheckResponse(resp.Request, resp); err != nil {
			t.Errorf("%v", err)
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL
}
