package webhook_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/webhook"
)

// BenchmarkSend compares the deliveries per second of Send, which signs, checks the
// dialled address and sets the webhook headers, with a plain net/http client posting the
// same body to the same local receiver, in the same iterations. Both keep connections
// alive, so the difference is Send's own cost per delivery.
func BenchmarkSend(b *testing.B) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	// An event of a typical size, about 1 KiB.
	body := []byte(`{"event":"resource.ResourceCreated","uuid":"` + eventUUID + `","data":"` + strings.Repeat("x", 900) + `"}`)

	webhookClient := webhook.NewClient(webhook.ClientOptions{Allow: loopback})
	defer webhookClient.CloseIdleConnections()
	req := webhook.Request{URL: rcv.URL + "/hooks", ID: deliveryID, Secrets: [][]byte{mustSecret(b, vectorSecret)}, Body: body}
	send := func() error {
		res := webhook.Send(context.Background(), webhookClient, req)
		if !res.OK() {
			return res.Err
		}
		return nil
	}

	plainClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: webhook.DefaultMaxIdleConnsPerHost}}
	defer plainClient.CloseIdleConnections()
	plain := func() error {
		r, err := http.NewRequest(http.MethodPost, rcv.URL+"/hooks", bytes.NewReader(body))
		if err != nil {
			return err
		}
		r.Header.Set("Content-Type", "application/json")
		resp, err := plainClient.Do(r)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil
	}

	// One delivery each first, so that neither variant pays for opening its connection.
	for _, deliver := range []func() error{send, plain} {
		if err := deliver(); err != nil {
			b.Fatal(err)
		}
	}

	// Sequential: each iteration is one Send and one plain delivery, timed apart, so
	// that both see the same moments of a busy machine.
	b.Run("sequential", func(b *testing.B) {
		var sendTime, plainTime time.Duration
		for b.Loop() {
			for _, d := range []struct {
				deliver func() error
				total   *time.Duration
			}{{send, &sendTime}, {plain, &plainTime}} {
				start := time.Now()
				if err := d.deliver(); err != nil {
					b.Fatal(err)
				}
				*d.total += time.Since(start)
			}
		}
		reportRates(b, sendTime, plainTime, int64(b.N))
	})
	// Parallel: each iteration is a round of parallelRound Sends from GOMAXPROCS
	// goroutines, then the same round of plain deliveries, as a sender with many
	// endpoints keeps several in flight.
	b.Run("parallel", func(b *testing.B) {
		workers := runtime.GOMAXPROCS(0)
		round := func(deliver func() error) time.Duration {
			var next atomic.Int64
			var wg sync.WaitGroup
			start := time.Now()
			for range workers {
				wg.Go(func() {
					for next.Add(1) <= parallelRound {
						if err := deliver(); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			return time.Since(start)
		}
		round(send)
		round(plain)
		var sendTime, plainTime time.Duration
		for b.Loop() {
			sendTime += round(send)
			plainTime += round(plain)
		}
		reportRates(b, sendTime, plainTime, int64(b.N)*parallelRound)
	})
}

// parallelRound is how many deliveries one iteration of the parallel benchmark makes
// with each client.
const parallelRound = 64

// reportRates reports n deliveries with Send over sendTime and with plain net/http over
// plainTime as deliveries per second, and their ratio.
func reportRates(b *testing.B, sendTime, plainTime time.Duration, n int64) {
	rate, base := float64(n)/sendTime.Seconds(), float64(n)/plainTime.Seconds()
	b.ReportMetric(rate, "deliveries/s")
	b.ReportMetric(base, "base-deliveries/s")
	b.ReportMetric(rate/base, "ratio")
}
