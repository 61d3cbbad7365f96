package meter

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// maxBody bounds the bodies the proxy holds: DynamoDB's largest request is 16 MB.
const maxBody = 16 << 20

// answerFunc reads an emulator's answer to a call, possibly rewriting its body and
// headers, and returns what the call counts and the body to hand back.
type answerFunc func(status int, h http.Header, body []byte) (counters []Counter, back []byte)

// serviceMeter reads a call's request, possibly rewriting its body, and returns the body
// to forward and how to read the answer.
type serviceMeter func(h http.Header, body []byte) (forward []byte, answer answerFunc)

// proxy forwards every call to one emulator and counts it.
type proxy struct {
	m      *Meter
	target *url.URL
	meter  serviceMeter
	client *http.Client
}

// Proxy returns a handler that forwards every request to target (http://host:port), the
// emulator of service (DynamoDB, SQS or SNS), and counts it as the package documentation
// describes. A call the emulator does not answer gets 502, which AWS SDKs retry, and is
// not counted: its retry is.
func (m *Meter) Proxy(service, target string) (http.Handler, error) {
	u, err := url.Parse(target)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("meter: %s: target %q is not an http://host:port URL", service, target)
	}
	p := &proxy{m: m, target: u, client: &http.Client{Transport: &http.Transport{
		// Every function's calls share one proxy; keep their connections warm.
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		// Bodies pass through as the emulator sent them.
		DisableCompression: true,
	}}}
	switch service {
	case DynamoDB:
		p.meter = m.dynamoDB
	case SQS:
		p.meter = m.sqs
	case SNS:
		p.meter = m.sns
	default:
		return nil, fmt.Errorf("meter: no proxy for service %q", service)
	}
	return p, nil
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		http.Error(w, "meter: unreadable or oversized request", http.StatusBadRequest)
		return
	}
	forward, answer := p.meter(r.Header, body)
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.target.Scheme+"://"+p.target.Host+r.URL.RequestURI(), bytes.NewReader(forward))
	if err != nil {
		http.Error(w, "meter: "+err.Error(), http.StatusBadRequest)
		return
	}
	copyHeader(out.Header, r.Header)
	out.ContentLength = int64(len(forward))
	resp, err := p.client.Do(out)
	if err != nil {
		if r.Context().Err() == nil {
			http.Error(w, "meter: the emulator did not answer: "+err.Error(), http.StatusBadGateway)
		}
		return
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		if r.Context().Err() == nil {
			http.Error(w, "meter: the emulator's answer broke off: "+err.Error(), http.StatusBadGateway)
		}
		return
	}
	counters, back := answer(resp.StatusCode, resp.Header, got)
	for _, c := range counters {
		p.m.add(c)
	}
	copyHeader(w.Header(), resp.Header)
	w.Header().Set("Content-Length", strconv.Itoa(len(back)))
	w.WriteHeader(resp.StatusCode)
	w.Write(back)
}

// hopHeaders are the headers that concern one connection, not the call.
var hopHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Proxy-Connection": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"Content-Length": true,
}

// copyHeader copies the end-to-end headers of from into to.
func copyHeader(to, from http.Header) {
	for k, vs := range from {
		if hopHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		for _, v := range vs {
			to.Add(k, v)
		}
	}
}
