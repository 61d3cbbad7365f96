// Package apidoc holds the tests of Herald's API description, openapi.yaml at the root of
// the repository, and a helper that checks live HTTP exchanges against it.
//
// The tests check that the description is a valid OpenAPI 3.1 document, that it has
// exactly the routes template.yaml declares (the HttpApi events of every function, plus
// the Stream function's Function URL route under Metadata.LocalUrl), and that its
// response schemas accept responses shaped like the handlers' and refuse wrong ones.
//
// End-to-end tests can check what the running service answers against the description:
//
//	resp, err := http.DefaultClient.Do(req)
//	if err != nil {
//		t.Fatal(err)
//	}
//	if err := apidoc.CheckResponse(req, resp); err != nil {
//		t.Errorf("the answer does not follow openapi.yaml: %v", err)
//	}
//
// CheckResponse reads the response body and puts it back, so the caller can still read
// it. It matches the request by method and path only, whatever the host, so requests to
// a local gateway work as well as to the deployed API. A status code the operation does
// not list, a Content-Type it does not declare for that status, or a body its schema
// refuses is an error. CheckRequest does the same for a request's parameters and body.
//
// The description is found from the working directory: the nearest folder at or above it
// holding go.mod is the repository root. [Validator] returns the validator built from it
// (once per process) for checks the two helpers do not cover.
package apidoc
