package lambdalocal

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestLineWriter(t *testing.T) {
	rec := &logRecorder{}
	w := &lineWriter{sink: &logSink{w: rec}}
	for _, chunk := range []string{"a", "b\nc", "d\n\ne", "\n", strings.Repeat("x", maxLine+3)} {
		w.Write([]byte(chunk))
	}
	w.flush()
	want := []string{"ab\n", "cd\n", "\n", "e\n", strings.Repeat("x", maxLine) + "\n", "xxx\n"}
	got := rec.lines()
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %.20q, want %.20q", i, got[i], want[i])
		}
	}
}

// TestLogs: the processes' stdout and stderr arrive as whole lines, one per Write, even
// with instances writing concurrently.
func TestLogs(t *testing.T) {
	logs := &logRecorder{}
	f := newFunction(t, Config{Logs: logs, MaxInstances: 3})
	ctx := testContext(t)
	var wg sync.WaitGroup
	var want []string
	for i := range 3 {
		var lines []string
		for j := range 40 {
			line := fmt.Sprintf("instance-%d line-%d %s", i, j, strings.Repeat(string(rune('a'+i)), 3000))
			lines = append(lines, line)
			want = append(want, line+"\n", "err:"+line+"\n")
		}
		wg.Go(func() {
			if _, err := f.InvokeBytes(ctx, req{Mode: "log", Lines: lines}.payload(t)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	f.Close() // flushes the unterminated last lines

	got := map[string]int{}
	for _, w := range logs.lines() {
		if strings.Count(w, "\n") != 1 || !strings.HasSuffix(w, "\n") {
			t.Fatalf("Write of %.40q is not one whole line", w)
		}
		got[w]++
	}
	for _, w := range want {
		if got[w] == 0 {
			t.Errorf("line %.40q missing or mangled", w)
		}
	}
	if got["unterminated\n"] == 0 {
		t.Error("an unterminated last line was not flushed")
	}
}
