package webhook_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/heraldhq/herald/shared/webhook"
)

// BenchmarkSend compares the deliveries per second of Send, which signs, checks the
// dialled address and sets the webhook headers, with a plain net/http client posting the
// same body to the same local receiver. Both keep connections alive, so the difference
// is Send's own cost per delivery. The parallel variants keep several deliveries in
// flight, as a sender with many endpoints does.
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

	for _, bm := range []struct {
		name    string
		deliver func() error
	}{{"send", send}, {"plain-net-http", plain}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			n := 0
			for b.Loop() {
				if err := bm.deliver(); err != nil {
					b.Fatal(err)
				}
				n++
			}
			reportRate(b, int64(n))
		})
		b.Run(bm.name+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			var n atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := bm.deliver(); err != nil {
						b.Error(err)
						return
					}
					n.Add(1)
				}
			})
			reportRate(b, n.Load())
		})
	}
}

// reportRate reports n deliveries over the benchmark's time as deliveries per second.
func reportRate(b *testing.B, n int64) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(n)/s, "deliveries/s")
	}
}
