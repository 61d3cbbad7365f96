package emulator

import (
	"io"
	"sync"
)

// tailBuffer keeps the last max bytes written to it: enough of a process's stderr to say
// why it failed, without growing for as long as it runs.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// errorlessWriter passes writes on to w but never fails. The emulators' stderr is copied
// to it by os/exec, which stops copying at the first error and would leave the node
// process writing into a pipe nobody drains.
type errorlessWriter struct{ w io.Writer }

func (e errorlessWriter) Write(p []byte) (int, error) {
	e.w.Write(p)
	return len(p), nil
}

// tail returns the last n bytes of b, which is where a failing tool says why.
func tail(b []byte, n int) []byte {
	if len(b) > n {
		return append([]byte("..."), b[len(b)-n:]...)
	}
	return b
}
