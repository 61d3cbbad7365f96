package meter

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestCounters checks what each kind of report counts.
func TestCounters(t *testing.T) {
	tests := []struct {
		name   string
		report func(m *Meter)
		want   []Counter
	}{
		{"invocations are billed by the millisecond, rounded up each", func(m *Meter) {
			m.Invocation("Router", 512, 1500*time.Microsecond)
			m.Invocation("Router", 512, 2*time.Millisecond)
		}, []Counter{{Service: Lambda, Resource: "Router", Operation: "Invoke", Requests: 2, DurationMS: 3.5, BilledMS: 4, MemoryMB: 512}}},
		{"API requests are billed per 512 KiB", func(m *Meter) {
			m.APIRequest("POST /v1/events", 100, 50)
			m.APIRequest("POST /v1/events", 600<<10, 10)
			m.APIRequest("", 0, 0)
		}, []Counter{
			{Service: APIGateway, Resource: "(no route)", Operation: "Request", Requests: 1, Billed: 1},
			{Service: APIGateway, Resource: "POST /v1/events", Operation: "Request", Requests: 2, Billed: 3, Bytes: 150 + 600<<10 + 10},
		}},
		{"function URL requests", func(m *Meter) { m.FunctionURLRequest("Stream", 0, 42) },
			[]Counter{{Service: FunctionURL, Resource: "Stream", Operation: "Request", Requests: 1, Bytes: 42}}},
		{"log bytes", func(m *Meter) {
			var out bytes.Buffer
			w := m.LogWriter("Deliver", &out)
			w.Write([]byte("one line\n"))
			w.Write([]byte("two\n"))
			if out.String() != "one line\ntwo\n" {
				t.Errorf("passed on %q", out.String())
			}
		}, []Counter{{Service: Logs, Resource: "Deliver", Operation: "Ingest", Bytes: 13}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(nil)
			tt.report(m)
			got := m.Usage().Counters
			if len(got) != len(tt.want) {
				t.Fatalf("counters %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("counter %+v, want %+v", got[i], tt.want[i])
				}
			}
		})
	}
}

// TestSub checks the difference of two snapshots: what changed, and nothing else.
func TestSub(t *testing.T) {
	m := New(nil)
	m.Invocation("Router", 512, time.Millisecond)
	m.Invocation("Authorizer", 256, time.Millisecond)
	before := m.Usage()
	m.Invocation("Router", 512, 3*time.Millisecond)
	m.APIRequest("POST /v1/events", 10, 10)
	d := m.Usage().Sub(before)
	want := []Counter{
		{Service: APIGateway, Resource: "POST /v1/events", Operation: "Request", Requests: 1, Billed: 1, Bytes: 20},
		{Service: Lambda, Resource: "Router", Operation: "Invoke", Requests: 1, DurationMS: 3, BilledMS: 3, MemoryMB: 512},
	}
	if len(d.Counters) != len(want) {
		t.Fatalf("difference %+v, want %+v", d.Counters, want)
	}
	for i := range want {
		if d.Counters[i] != want[i] {
			t.Errorf("counter %+v, want %+v", d.Counters[i], want[i])
		}
	}
	if got := d.Sum(Lambda, "", ""); got.Requests != 1 || got.GBSeconds() != 0.003*0.5 {
		t.Errorf("Sum(lambda) = %+v, GB-s %v, want 1 invocation, 0.0015 GB-s", got, got.GBSeconds())
	}
	if got := d.Sum(SQS, "", ""); got.Requests != 0 {
		t.Errorf("Sum(sqs) = %+v, want nothing", got)
	}
}

// TestHandlerFetch checks that Fetch reads back what Handler serves, and that Handler
// serves GET only.
func TestHandlerFetch(t *testing.T) {
	m := New(nil)
	m.Invocation("Deliver", 512, 10*time.Millisecond)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	u, err := Fetch(t.Context(), srv.Client(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Sum(Lambda, "Deliver", "Invoke"); got.Requests != 1 || got.BilledMS != 10 || got.MemoryMB != 512 {
		t.Errorf("fetched %+v", u)
	}
	if u.Taken.IsZero() {
		t.Error("no Taken time")
	}
	resp, err := srv.Client().Post(srv.URL, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
	missing := httptest.NewServer(http.NotFoundHandler())
	defer missing.Close()
	if _, err := Fetch(t.Context(), missing.Client(), missing.URL); err == nil {
		t.Error("Fetch of a 404 succeeded")
	}
}
