package lambdalocal

import (
	"bytes"
	"io"
	"sync"
)

// logSink serializes whole lines from all of a function's instances onto Config.Logs, so
// that a caller prefixing each Write never splits or interleaves lines.
type logSink struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *logSink) writeLine(line []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// A failing log writer must not fail the function: its output is only lost.
	_, _ = s.w.Write(line)
}

// maxLine bounds the memory one unterminated line can take; longer lines are cut, as
// CloudWatch cuts events over 256 KB.
const maxLine = 256 << 10

// lineWriter receives one stream (stdout or stderr) of one process in arbitrary chunks and
// passes it on to the sink line by line. Each stream has its own writer so that a partial
// line on stdout is not completed by bytes from stderr.
type lineWriter struct {
	sink *logSink
	mu   sync.Mutex // Write (exec's copying goroutine) against flush (after Wait)
	buf  []byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	start := 0
	for {
		i := bytes.IndexByte(l.buf[start:], '\n')
		if i < 0 {
			break
		}
		l.sink.writeLine(l.buf[start : start+i+1])
		start += i + 1
	}
	for len(l.buf)-start >= maxLine {
		l.sink.writeLine(append(l.buf[start:start+maxLine:start+maxLine], '\n'))
		start += maxLine
	}
	l.buf = l.buf[:copy(l.buf, l.buf[start:])]
	return len(p), nil
}

// flush emits a last line the process did not terminate.
func (l *lineWriter) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.sink.writeLine(append(l.buf, '\n'))
		l.buf = l.buf[:0]
	}
}
