package lambdalocal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/heraldhq/herald/test/baseline"
)

// BenchmarkColdStart measures Warm on a fresh function: process start, and the runtime's
// init up to its first GET /next. Its baseline is the same binary started with os/exec
// and exiting in its init (FN_INIT=exit), alternating with it: what starting the process
// costs with nothing of the Runtime API around it. init-ms is the part from process start
// to the first GET /next, as ColdStarts reports it.
func BenchmarkColdStart(b *testing.B) {
	ctx := context.Background()
	var initTotal time.Duration
	starts := 0
	warm := func() time.Duration {
		f, err := New(Config{Name: "Bench", Binary: testBinary, MaxInstances: 1})
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		start := time.Now()
		if err := f.Warm(ctx); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		for _, d := range f.ColdStarts() {
			initTotal += d
			starts++
		}
		return took
	}
	plain := func() time.Duration {
		cmd := exec.Command(testBinary)
		cmd.Env = append(os.Environ(), "FN_INIT=exit")
		start := time.Now()
		err := cmd.Run()
		took := time.Since(start)
		// FN_INIT=exit makes the function exit with status 2 before it starts its runtime.
		if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.ExitCode() != 2 {
			b.Fatalf("the plain start ended with %v, want exit status 2", err)
		}
		return took
	}
	// Warm-up: the first start of a binary pays for reading it from disk.
	warm()
	plain()
	initTotal, starts = 0, 0
	var warmTime, plainTime time.Duration
	plainFirst := false
	for b.Loop() {
		if plainFirst {
			plainTime += plain()
			warmTime += warm()
		} else {
			warmTime += warm()
			plainTime += plain()
		}
		plainFirst = !plainFirst
	}
	ms := func(d time.Duration, n int) float64 { return float64(d.Nanoseconds()) / 1e6 / float64(n) }
	b.ReportMetric(ms(warmTime, b.N), "start-ms")
	b.ReportMetric(ms(plainTime, b.N), "base-start-ms")
	b.ReportMetric(float64(warmTime)/float64(plainTime), "ratio")
	if starts > 0 {
		b.ReportMetric(ms(initTotal, starts), "init-ms")
	}
}

// echoServer returns a local HTTP server that does what the test function's echo mode
// does, in this process: decode the payload, answer its data.
func echoServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Mode string          `json:"mode"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(in.Data)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// plainPost returns a function that POSTs payload to srv with a keep-alive client of
// conns connections and reads the answer: the baseline of a warm invocation.
func plainPost(b *testing.B, srv *httptest.Server, payload []byte, conns int) func() error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns}}
	b.Cleanup(client.CloseIdleConnections)
	return func() error {
		resp, err := client.Post(srv.URL, "application/json", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.ReadAll(resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return errors.New(resp.Status)
		}
		return nil
	}
}

// BenchmarkInvokeWarm measures one invocation round trip on a warm instance: hand-over
// through GET /next, the handler, the response POST and reading it. Its baseline,
// alternating with it, is one plain HTTP POST of the same payload to a local server that
// decodes it and answers its data as the handler does.
func BenchmarkInvokeWarm(b *testing.B) {
	f := newFunction(b, Config{Name: "Bench", MaxInstances: 1})
	ctx := context.Background()
	if err := f.Warm(ctx); err != nil {
		b.Fatal(err)
	}
	payload := req{Mode: "echo", Data: map[string]any{"event": "resource.created", "path": "/p/1/c/2"}}.payload(b)
	invoke := func() error {
		_, err := f.InvokeBytes(ctx, payload)
		return err
	}
	plain := plainPost(b, echoServer(b), payload, 1)
	rates := baseline.Compare(b, 1, baseline.Sequential(b, 1), invoke, plain)
	baseline.Report(b, "invocations/s", rates[0], rates[1])
}

// BenchmarkInvokeWarmParallel is BenchmarkInvokeWarm with four warm instances: each
// iteration is a round of parallelRound invocations from four goroutines, then a round
// of plain POSTs over four connections, or the other way round.
func BenchmarkInvokeWarmParallel(b *testing.B) {
	const instances = 4
	f := newFunction(b, Config{Name: "Bench", MaxInstances: instances})
	ctx := context.Background()
	for range instances {
		if err := f.Warm(ctx); err != nil {
			b.Fatal(err)
		}
	}
	payload := req{Mode: "echo", Data: map[string]any{"event": "resource.created"}}.payload(b)
	invoke := func() error {
		_, err := f.InvokeBytes(ctx, payload)
		return err
	}
	plain := plainPost(b, echoServer(b), payload, instances)
	rates := baseline.Compare(b, parallelRound, baseline.Parallel(b, parallelRound, instances), invoke, plain)
	baseline.Report(b, "invocations/s", rates[0], rates[1])
}

// parallelRound is how many invocations one round of BenchmarkInvokeWarmParallel makes.
const parallelRound = 64
