package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/fault"
)

// Timeouts of one attempt.
const (
	DefaultTimeout = 10 * time.Second
	MaxTimeout     = 30 * time.Second
)

// MaxResponsePrefix is how much of a response body Result keeps.
const MaxResponsePrefix = 1 << 10

// maxDrain is how much more of a response body Send reads and discards so that the
// connection can be reused; a longer body costs its connection instead, which is
// cheaper than reading an endpoint's arbitrarily large answer.
const maxDrain = 64 << 10

// Format is how an event is put on the wire.
type Format string

// The formats.
const (
	// FormatNative sends the body as is, as application/json.
	FormatNative Format = "native"
	// FormatCloudEvents sends a CloudEvents 1.0 event in HTTP binary mode: the
	// attributes in ce-* headers, the body as the event's data.
	FormatCloudEvents Format = "cloudevents"
	// FormatForm sends the body, a JSON object, as key-value data
	// (application/x-www-form-urlencoded; see FormBody). The signature is the encoded
	// body's: what the receiver reads is what was signed.
	FormatForm Format = "form"
)

// Request is one attempt at one delivery.
type Request struct {
	URL     string            // http or https
	Method  string            // POST (when empty) or PUT
	Headers map[string]string // the subscriber's extra headers; see CheckHeaders
	Timeout time.Duration     // for the whole attempt; DefaultTimeout when 0, at most MaxTimeout

	ID        string    // the delivery id (webhook-id), the same on every retry
	Timestamp time.Time // the attempt's time (webhook-timestamp); now when zero
	Secrets   [][]byte  // at least one; each adds a signature, the current secret first
	Body      []byte    // JSON (an object for FormatForm)

	Format Format // FormatNative when empty

	// ReadBody, when positive, asks for up to that many bytes of the answer in
	// Result.Body (a sync decision reads the whole verdict, not a prefix).
	ReadBody int

	// The CloudEvents attributes, for FormatCloudEvents.
	EventType string    // ce-type, for example "resource.ResourceCreated"; required
	EventUUID string    // ce-id, the event's uuid; required
	Source    string    // ce-source; required
	Subject   string    // ce-subject, the event's resource path; optional
	Time      time.Time // ce-time; optional
}

// Send makes one attempt at a delivery with client, which should come from NewClient
// (another client would not refuse internal addresses). It signs the body, sends it
// with the Standard Webhooks headers, the format's headers and the subscriber's extra
// headers, and reads at most MaxResponsePrefix bytes of the answer, plus a bounded
// amount more so that the connection can be reused.
//
// An invalid request is not sent: Result.Err is then fault.Invalid naming the field.
// Send does not retry and does not follow redirects.
func Send(ctx context.Context, client *http.Client, req Request) Result {
	u, err := req.check(client)
	if err != nil {
		return Result{Err: err}
	}
	timeout := req.Timeout
	switch {
	case timeout <= 0:
		timeout = DefaultTimeout
	case timeout > MaxTimeout:
		timeout = MaxTimeout
	}
	ts := req.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	method := req.Method
	if method == "" {
		method = http.MethodPost
	}
	body := req.Body
	if req.Format == FormatForm {
		if body, err = FormBody(req.Body); err != nil {
			// The payload cannot change before a retry: the attempt fails for good.
			return Result{Err: fault.New(fault.Invalid, err.Error())}
		}
	}

	attemptCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(attemptCtx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		// err is dropped: it may quote the URL, which may carry a credential.
		return Result{Err: fault.New(fault.Invalid, "webhook: the request cannot be made")}
	}
	req.setHeaders(hreq.Header, ts, body)

	start := time.Now()
	resp, err := client.Do(hreq)
	if err != nil {
		return Result{Duration: time.Since(start), Err: attemptError(ctx, attemptCtx, method, u, timeout, err)}
	}
	want := max(req.ReadBody, MaxResponsePrefix)
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, int64(want)+1))
	over := len(body) > want
	body = body[:min(len(body), want)]
	// A failure while reading the body is not the delivery's: the endpoint answered.
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	resp.Body.Close()
	prefix := body[:min(len(body), MaxResponsePrefix)]
	res := Result{
		StatusCode:     resp.StatusCode,
		Duration:       time.Since(start),
		RetryAfter:     parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		ResponsePrefix: textPrefix(prefix, len(prefix) == MaxResponsePrefix && (over || len(body) > len(prefix))),
	}
	if req.ReadBody > 0 {
		res.Body, res.BodyTooLong, res.BodyIncomplete = body, over, readErr != nil
	}
	return res
}

// check validates the request and returns its parsed URL.
func (req *Request) check(client *http.Client) (*url.URL, error) {
	if client == nil {
		return nil, fault.New(fault.Invalid, "webhook: no HTTP client")
	}
	u, err := url.Parse(req.URL)
	switch {
	case err != nil:
		return nil, fault.Field("url", "is not a valid URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fault.Field("url", "must be an http or https URL")
	case u.Host == "" || u.Hostname() == "":
		return nil, fault.Field("url", "has no host")
	}
	switch req.Method {
	case "", http.MethodPost, http.MethodPut:
	default:
		return nil, fault.Field("method", "must be POST or PUT")
	}
	if req.ID == "" {
		return nil, fault.Field("id", "is required")
	}
	if len(req.Secrets) == 0 {
		return nil, fault.Field("secrets", "must hold at least one signing secret")
	}
	for _, s := range req.Secrets {
		if len(s) == 0 {
			return nil, fault.Field("secrets", "must not hold an empty secret")
		}
	}
	switch req.Format {
	case "", FormatNative, FormatForm:
	case FormatCloudEvents:
		switch {
		case req.EventType == "":
			return nil, fault.Field("event_type", "is required for the cloudevents format")
		case req.EventUUID == "":
			return nil, fault.Field("event_uuid", "is required for the cloudevents format")
		case req.Source == "":
			return nil, fault.Field("source", "is required for the cloudevents format")
		}
	default:
		return nil, fault.Field("format", `must be "native", "cloudevents" or "form"`)
	}
	if err := CheckHeaders(req.Headers); err != nil {
		return nil, err
	}
	return u, nil
}

// setHeaders sets the headers of the request whose body is body (req.Body as sent): the
// subscriber's first, so that nothing of theirs can stand in for Herald's (CheckHeaders
// has refused such names already).
func (req *Request) setHeaders(h http.Header, ts time.Time, body []byte) {
	for name, value := range req.Headers {
		h.Set(name, value)
	}
	h.Set("User-Agent", UserAgent)
	h.Set("Content-Type", "application/json")
	if req.Format == FormatForm {
		h.Set("Content-Type", FormContentType)
	}
	h.Set(HeaderID, req.ID)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	// The bytes on the wire are signed, whatever the format made of the payload.
	h.Set(HeaderSignature, Sign(req.Secrets, req.ID, ts, body))
	if req.Format == FormatCloudEvents {
		h.Set("ce-specversion", "1.0")
		h.Set("ce-id", ceHeaderValue(req.EventUUID))
		h.Set("ce-source", ceHeaderValue(req.Source))
		h.Set("ce-type", ceHeaderValue(req.EventType))
		if req.Subject != "" {
			h.Set("ce-subject", ceHeaderValue(req.Subject))
		}
		if !req.Time.IsZero() {
			h.Set("ce-time", req.Time.UTC().Format(time.RFC3339Nano))
		}
	}
}

// attemptError describes a failed attempt. It drops the URL that the HTTP client puts in
// its errors, keeping only the host, since webhook URLs often carry a token in the path
// or query; and it says so plainly when the attempt ran out of time.
func attemptError(parent, attempt context.Context, method string, u *url.URL, timeout time.Duration, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if parent.Err() == nil && errors.Is(attempt.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("webhook: %s to %s: no response within %s: %w", method, u.Host, timeout, context.DeadlineExceeded)
	}
	return fmt.Errorf("webhook: %s to %s: %w", method, u.Host, err)
}

// textPrefix returns b as valid UTF-8 of at most MaxResponsePrefix bytes. When the body went on
// (truncated), a character cut in two at the end is dropped rather than replaced.
func textPrefix(b []byte, truncated bool) string {
	if truncated {
		// Back up to the start of the last character and drop it if incomplete.
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	s := strings.ToValidUTF8(string(b), string(utf8.RuneError))
	// The replacement character is longer than a stray byte it replaces; cut back to the
	// limit at a character boundary.
	for len(s) > MaxResponsePrefix {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}
