package main

import (
	"bytes"
	"io"
	"sync"
)

// prefixWriter writes whole lines to out, each prefixed with the function's name, so the
// logs of many functions interleave readably.
type prefixWriter struct {
	mu     *sync.Mutex // shared by every prefixWriter on the same out
	out    io.Writer
	prefix []byte
	buf    []byte
}

func newPrefixWriter(mu *sync.Mutex, out io.Writer, name string) *prefixWriter {
	return &prefixWriter{mu: mu, out: out, prefix: []byte(name + " | ")}
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.mu.Lock()
		w.out.Write(w.prefix)
		w.out.Write(w.buf[:i+1])
		w.mu.Unlock()
		w.buf = w.buf[i+1:]
	}
}
