package main

import (
	"bytes"
	"io"
	"sync"
)

// prefixWriter writes whole lines to out, each prefixed with the function's name, so the
// logs of many functions interleave readably, and hands each line to tap (when set), as
// CloudWatch Logs reads a function's output for metrics.
type prefixWriter struct {
	mu     *sync.Mutex // shared by every prefixWriter on the same out
	out    io.Writer
	prefix []byte
	tap    func(line []byte)
	buf    []byte
}

func newPrefixWriter(mu *sync.Mutex, out io.Writer, name string, tap func(line []byte)) *prefixWriter {
	return &prefixWriter{mu: mu, out: out, prefix: []byte(name + " | "), tap: tap}
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := w.buf[:i+1]
		w.mu.Lock()
		w.out.Write(w.prefix)
		w.out.Write(line)
		w.mu.Unlock()
		if w.tap != nil {
			w.tap(line)
		}
		w.buf = w.buf[i+1:]
	}
}
