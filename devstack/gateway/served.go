package gateway

import (
	"io"
	"net/http"
)

// Served describes one request the gateway answered: what API Gateway, or a Function
// URL, would bill for it.
type Served struct {
	// Route is the route that answered, as API Gateway names it ("POST /v1/events"), or
	// "" when no route matched (a 404 or 405 the gateway answered itself).
	Route string
	// Function is the route's function, "" when no route matched.
	Function string
	// URL is true for a Function URL, which API Gateway does not serve (or bill).
	URL bool
	// RequestBytes and ResponseBytes are the sizes of the request and response bodies.
	RequestBytes, ResponseBytes int64
}

// Observe makes fn hear of every request the gateway answers, once its answer is written
// (or abandoned). It must be called before the gateway serves, and fn must not block.
func (g *Gateway) Observe(fn func(Served)) { g.observe = fn }

// countingWriter counts the bytes of a response body. It passes Flush on, which
// streamed responses need.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}

func (w *countingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// countingReader counts the bytes of a request body as they are read.
type countingReader struct {
	r io.ReadCloser
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }
