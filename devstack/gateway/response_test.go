package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/lambdalocal"
)

// TestFunctionResponse checks how a function's buffered response becomes the HTTP
// response: a structured response with its status, headers, cookies and body (decoded from
// base64 when it says so), any other JSON as a 200 application/json body, and a 500 for a
// response that is malformed, a function error or a failed invocation.
func TestFunctionResponse(t *testing.T) {
	binary := []byte{0x89, 'P', 'N', 'G', 0x00, 0xff}
	tests := []struct {
		name       string
		invoke     func(context.Context, []byte) (*lambdalocal.Response, error)
		wantStatus int
		wantHeader http.Header // each listed header's values
		wantBody   []byte
	}{
		{
			name: "structured",
			invoke: reply(`{"statusCode":201,"headers":{"Content-Type":"text/plain","x-one":"1"},` +
				`"multiValueHeaders":{"X-Many":["a","b"]},"cookies":["s=1; Path=/","t=2"],"body":"hello"}`),
			wantStatus: http.StatusCreated,
			wantHeader: http.Header{
				"Content-Type": {"text/plain"},
				"X-One":        {"1"},
				"X-Many":       {"a", "b"},
				"Set-Cookie":   {"s=1; Path=/", "t=2"},
			},
			wantBody: []byte("hello"),
		},
		{
			name:       "structured, base64 body",
			invoke:     reply(`{"statusCode":200,"headers":{"content-type":"image/png"},"isBase64Encoded":true,"body":"` + base64.StdEncoding.EncodeToString(binary) + `"}`),
			wantStatus: http.StatusOK,
			wantHeader: http.Header{"Content-Type": {"image/png"}},
			wantBody:   binary,
		},
		{
			name:       "structured without a content type",
			invoke:     reply(`{"statusCode":202,"body":"{\"queued\":1}"}`),
			wantStatus: http.StatusAccepted,
			wantHeader: http.Header{"Content-Type": {"application/json"}},
			wantBody:   []byte(`{"queued":1}`),
		},
		{
			name:       "structured without a body",
			invoke:     reply(`{"statusCode":204}`),
			wantStatus: http.StatusNoContent,
			wantHeader: http.Header{"Content-Type": nil},
			wantBody:   []byte{},
		},
		{
			name:       "JSON object without statusCode",
			invoke:     reply(`{"ok":true,"count":2}`),
			wantStatus: http.StatusOK,
			wantHeader: http.Header{"Content-Type": {"application/json"}},
			wantBody:   []byte(`{"ok":true,"count":2}`),
		},
		{
			name:       "JSON array",
			invoke:     reply(`[1,2,3]`),
			wantStatus: http.StatusOK,
			wantHeader: http.Header{"Content-Type": {"application/json"}},
			wantBody:   []byte(`[1,2,3]`),
		},
		{
			name:       "JSON string",
			invoke:     reply(`"hello"`),
			wantStatus: http.StatusOK,
			wantHeader: http.Header{"Content-Type": {"application/json"}},
			wantBody:   []byte(`"hello"`),
		},
		{name: "statusCode zero", invoke: reply(`{"statusCode":0,"body":"x"}`), wantStatus: http.StatusInternalServerError},
		{name: "statusCode out of range", invoke: reply(`{"statusCode":1000}`), wantStatus: http.StatusInternalServerError},
		{name: "statusCode informational", invoke: reply(`{"statusCode":103}`), wantStatus: http.StatusInternalServerError},
		{name: "statusCode not a number", invoke: reply(`{"statusCode":"200"}`), wantStatus: http.StatusInternalServerError},
		{name: "invalid base64 body", invoke: reply(`{"statusCode":200,"isBase64Encoded":true,"body":"%%%"}`), wantStatus: http.StatusInternalServerError},
		{
			name: "function error",
			invoke: func(context.Context, []byte) (*lambdalocal.Response, error) {
				return failed("errorString", "database unreachable"), nil
			},
			wantStatus: http.StatusInternalServerError,
		},
		{
			name: "function error after its body",
			invoke: func(context.Context, []byte) (*lambdalocal.Response, error) {
				resp := buffered(`{"statusCode":200,"body":"fine"}`)
				resp.Err = &lambdalocal.FunctionError{Type: lambdalocal.ErrorTypeTimeout, Message: "Task timed out after 3.00 seconds"}
				return resp, nil
			},
			wantStatus: http.StatusInternalServerError,
		},
		{
			name: "invoke error",
			invoke: func(context.Context, []byte) (*lambdalocal.Response, error) {
				return nil, lambdalocal.ErrClosed
			},
			wantStatus: http.StatusInternalServerError,
		},
		{
			name: "body read error",
			invoke: func(context.Context, []byte) (*lambdalocal.Response, error) {
				resp := buffered("")
				resp.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"statusCode":`), errReader{errors.New("connection reset")}))
				return resp, nil
			},
			wantStatus: http.StatusInternalServerError,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, Config{Routes: []Route{{Method: "GET", Path: "/r", Function: "Fn"}}}, map[string]Invoker{"Fn": invokerFunc(tt.invoke)})
			w := serve(g, httptest.NewRequest(http.MethodGet, "/r", nil))
			if tt.wantStatus == http.StatusInternalServerError {
				wantMessage(t, w, http.StatusInternalServerError, "Internal Server Error")
				return
			}
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d (body %s)", w.Code, tt.wantStatus, w.Body)
			}
			for name, want := range tt.wantHeader {
				if got := w.Header().Values(name); !slices.Equal(got, want) {
					t.Errorf("%s %q, want %q", name, got, want)
				}
			}
			if !bytes.Equal(w.Body.Bytes(), tt.wantBody) {
				t.Errorf("body %q, want %q", w.Body.Bytes(), tt.wantBody)
			}
		})
	}
}

// reply is a function that answers every invocation with body as a buffered response.
func reply(body string) func(context.Context, []byte) (*lambdalocal.Response, error) {
	return func(context.Context, []byte) (*lambdalocal.Response, error) { return buffered(body), nil }
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestResponseBodyClosed checks that the gateway closes every response body, as
// lambdalocal requires to free the function's instance.
func TestResponseBodyClosed(t *testing.T) {
	tests := []struct {
		name string
		body string
		ct   string
	}{
		{"buffered", `{"statusCode":200}`, "application/json"},
		{"streaming", `{"statusCode":200}` + terminator + "data", streamingContentType},
		{"streaming without a prelude", "data", streamingContentType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &closeRecorder{Reader: strings.NewReader(tt.body)}
			fn := invokerFunc(func(context.Context, []byte) (*lambdalocal.Response, error) {
				return &lambdalocal.Response{ContentType: tt.ct, Body: body}, nil
			})
			g := newGateway(t, Config{Routes: []Route{{Method: "GET", Path: "/r", Function: "Fn"}}}, map[string]Invoker{"Fn": fn})
			serve(g, httptest.NewRequest(http.MethodGet, "/r", nil))
			if !body.closed {
				t.Error("response body not closed")
			}
		})
	}
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

// terminator ends a streaming response's prelude.
const terminator = "\x00\x00\x00\x00\x00\x00\x00\x00"

// streamingFunction is a Function URL function whose streaming response the test writes
// through the returned pipe writer, and whose Response the test may update (Err) before
// closing the pipe, as lambdalocal does at the end of a response. As with lambdalocal,
// reading the body fails once the invocation's context ends.
func streamingFunction() (Invoker, *io.PipeWriter, *lambdalocal.Response) {
	pr, pw := io.Pipe()
	resp := &lambdalocal.Response{RequestID: "stream", ContentType: streamingContentType, Body: pr}
	fn := invokerFunc(func(ctx context.Context, _ []byte) (*lambdalocal.Response, error) {
		context.AfterFunc(ctx, func() { pr.CloseWithError(ctx.Err()) })
		return resp, nil
	})
	return fn, pw, resp
}

// streamServer serves a Function URL route GET /stream backed by fn over real HTTP.
func streamServer(t *testing.T, fn Invoker) *httptest.Server {
	t.Helper()
	cfg := Config{Routes: []Route{{Method: "GET", Path: "/stream", Function: "Stream", URL: true}}}
	srv := httptest.NewServer(newGateway(t, cfg, map[string]Invoker{"Stream": fn}))
	t.Cleanup(srv.Close)
	return srv
}

// get requests path from srv with a deadline, so that a gateway that held back the body
// fails the test rather than hanging it.
func get(t *testing.T, srv *httptest.Server, path string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// write writes chunks to w in order, each with its own Write, and reports the first error
// on done; it runs in its own goroutine, since a pipe write waits for its reader.
func write(w *io.PipeWriter, done chan<- error, chunks ...string) {
	for _, c := range chunks {
		if _, err := io.WriteString(w, c); err != nil {
			done <- err
			return
		}
	}
	done <- nil
}

// TestStreamingForwardsAsItArrives proves that a streaming response reaches the client as
// the function writes it: the client reads the first chunk, with the prelude's status,
// headers and cookies, before the function has written the second.
func TestStreamingForwardsAsItArrives(t *testing.T) {
	fn, pw, _ := streamingFunction()
	srv := streamServer(t, fn)

	done := make(chan error, 1)
	go write(pw, done,
		`{"statusCode":201,"headers":{"Content-Type":"text/event-stream","X-Stream":"yes"},"cookies":["s=1; Path=/","t=2"]}`+terminator+"data: first\n\n")
	resp := get(t, srv, "/stream")

	if resp.StatusCode != http.StatusCreated {
		t.Errorf("status %d, want 201", resp.StatusCode)
	}
	if ct, x := resp.Header.Get("Content-Type"), resp.Header.Get("X-Stream"); ct != "text/event-stream" || x != "yes" {
		t.Errorf("Content-Type %q, X-Stream %q", ct, x)
	}
	if got := resp.Header.Values("Set-Cookie"); !slices.Equal(got, []string{"s=1; Path=/", "t=2"}) {
		t.Errorf("Set-Cookie %q", got)
	}

	first := make([]byte, len("data: first\n\n"))
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatalf("reading the first chunk: %v", err)
	}
	if string(first) != "data: first\n\n" {
		t.Errorf("first chunk %q", first)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// Only now does the function write the rest and end its response.
	go func() {
		write(pw, done, "data: second\n\n")
		pw.Close()
	}()
	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the rest: %v", err)
	}
	if string(rest) != "data: second\n\n" {
		t.Errorf("rest %q, want the second chunk", rest)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestStreamingPreludeSplit checks that a prelude arriving over several reads is put
// together, wherever it is cut, and that body bytes read with it are not lost.
func TestStreamingPreludeSplit(t *testing.T) {
	big := strings.Repeat("v", 10000) // a prelude longer than one 4 KiB read
	tests := []struct {
		name       string
		chunks     []string
		wantStatus int
		wantHeader string // X-Big's length, when set
		wantBody   string
	}{
		{"cut in the JSON", []string{`{"statusCo`, `de":202}`, terminator + "body"}, http.StatusAccepted, "", "body"},
		{"cut in the terminator", []string{`{"statusCode":202}` + terminator[:3], terminator[3:], "body"}, http.StatusAccepted, "", "body"},
		{"byte by byte", strings.Split(`{"statusCode":202}`+terminator+"ab", ""), http.StatusAccepted, "", "ab"},
		{"terminator and body together", []string{`{"statusCode":202}`, terminator + "body", " more"}, http.StatusAccepted, "", "body more"},
		{"no status", []string{`{}` + terminator, "body"}, http.StatusOK, "", "body"},
		{"no body", []string{`{"statusCode":204}` + terminator}, http.StatusNoContent, "", ""},
		{"long prelude", []string{`{"statusCode":200,"headers":{"X-Big":"` + big + `"}}` + terminator + "body"}, http.StatusOK, big, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn, pw, _ := streamingFunction()
			srv := streamServer(t, fn)
			done := make(chan error, 1)
			go func() {
				write(pw, done, tt.chunks...)
				pw.Close()
			}()
			resp := get(t, srv, "/stream")
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("reading the body: %v", err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantHeader != "" && resp.Header.Get("X-Big") != tt.wantHeader {
				t.Errorf("X-Big has %d bytes, want %d", len(resp.Header.Get("X-Big")), len(tt.wantHeader))
			}
			if string(body) != tt.wantBody {
				t.Errorf("body %q, want %q", body, tt.wantBody)
			}
		})
	}
}

// TestStreamingFailsMidStream checks that a function failing after it has started its
// body leaves the client with an incomplete response: the bytes sent so far, then an
// unexpected EOF instead of the end of the body.
func TestStreamingFailsMidStream(t *testing.T) {
	tests := []struct {
		name string
		end  func(pw *io.PipeWriter, resp *lambdalocal.Response)
	}{
		{"pipe closed with an error", func(pw *io.PipeWriter, resp *lambdalocal.Response) {
			resp.Err = &lambdalocal.FunctionError{Type: lambdalocal.ErrorTypeExit, Message: "Runtime exited with error: signal: killed"}
			pw.CloseWithError(errors.New("function crashed"))
		}},
		{"end of body with Err set", func(pw *io.PipeWriter, resp *lambdalocal.Response) {
			// lambdalocal reports a mid-stream error this way: Err is set when Read
			// returns io.EOF.
			resp.Err = &lambdalocal.FunctionError{Type: "errorString", Message: "boom"}
			pw.Close()
		}},
		{"pipe closed with an error, Err unset", func(pw *io.PipeWriter, _ *lambdalocal.Response) {
			pw.CloseWithError(context.DeadlineExceeded)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn, pw, fnResp := streamingFunction()
			srv := streamServer(t, fn)
			done := make(chan error, 1)
			go write(pw, done, `{"statusCode":200,"headers":{"Content-Type":"text/plain"}}`+terminator+"partial")
			resp := get(t, srv, "/stream")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want the prelude's 200", resp.StatusCode)
			}
			partial := make([]byte, len("partial"))
			if _, err := io.ReadFull(resp.Body, partial); err != nil {
				t.Fatalf("reading the bytes sent before the failure: %v", err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			tt.end(pw, fnResp)

			rest, err := io.ReadAll(resp.Body)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("reading after the failure: %q, %v; want an unexpected EOF", rest, err)
			}
			if len(rest) != 0 {
				t.Errorf("%q arrived after the failure", rest)
			}
		})
	}
}

// TestStreamingBadPrelude checks that a streaming response without a valid prelude is a
// 502 {"message":"Bad Gateway"}.
func TestStreamingBadPrelude(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
	}{
		{"no terminator", []string{`{"statusCode":200}`, "body without a prelude end"}},
		{"empty", nil},
		{"prelude not JSON", []string{"HTTP/1.1 200 OK" + terminator + "body"}},
		{"status out of range", []string{`{"statusCode":42}` + terminator + "body"}},
		{"terminator beyond 64 KiB", []string{strings.Repeat(" ", 70*1024), `{}` + terminator}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn, pw, _ := streamingFunction()
			g := newGateway(t, Config{Routes: []Route{{Method: "GET", Path: "/stream", Function: "Stream", URL: true}}}, map[string]Invoker{"Stream": fn})
			done := make(chan error, 1)
			go func() {
				write(pw, done, tt.chunks...)
				pw.Close()
			}()
			w := serve(g, httptest.NewRequest(http.MethodGet, "/stream", nil))
			wantMessage(t, w, http.StatusBadGateway, "Bad Gateway")
			// The gateway closes the body when it gives up; a write it left unread fails.
			if err := <-done; err != nil && !errors.Is(err, io.ErrClosedPipe) {
				t.Fatal(err)
			}
		})
	}
}

// TestStreamingClientLeaves: a client that leaves a stream is no error of the function:
// the gateway stops reading it and logs nothing.
func TestStreamingClientLeaves(t *testing.T) {
	fn, pw, _ := streamingFunction()
	var logs bytes.Buffer
	g, err := New(Config{Routes: []Route{{Method: "GET", Path: "/stream", Function: "Stream", URL: true}}}, map[string]Invoker{"Stream": fn}, testRegion, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan Served, 1)
	g.Observe(func(s Served) { served <- s })
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)

	done := make(chan error, 1)
	go write(pw, done, `{"statusCode":200,"headers":{"Content-Type":"text/event-stream"}}`+terminator+"data: first\n\n")
	ctx, leave := context.WithCancel(context.Background())
	defer leave()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, len("data: first\n\n"))
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatalf("reading the first chunk: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	leave()
	resp.Body.Close()
	select {
	case <-served:
	case <-time.After(10 * time.Second):
		t.Fatal("the gateway did not stop streaming after the client left")
	}
	if logs.Len() > 0 {
		t.Errorf("logged %q for a client that left", logs.String())
	}
}
