package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/heraldhq/herald/wire"
)

// frame is a message frame as the Stream function writes it.
func frame(seq int) string {
	return "id: " + strconv.Itoa(seq) + "\nevent: message\ndata: " + `{"sequence":` + strconv.Itoa(seq) +
		`,"delivered":1,"subject":"herald.events.job.JobFinished.projects.p1._","event":{"event":"job.JobFinished"},"reply":{"reply":"$JS.ACK.x","salt":"s","hmac":"h","key_id":"k1"}}` + "\n\n"
}

const (
	keepAlive = ": keep-alive\n\n"
	reconnect = "event: reconnect\ndata: {}\n\n"
)

// TestStreamFrames checks the event-stream parsing on whole reads and on reads of one
// byte at a time, which split every line and frame.
func TestStreamFrames(t *testing.T) {
	tests := []struct {
		name          string
		in            string
		want          []uint64
		lastID        string
		err           func(error) bool
		reconnectable bool
	}{
		{
			name:   "messages between keep-alives, then reconnect",
			in:     keepAlive + frame(1) + keepAlive + keepAlive + frame(2) + reconnect,
			want:   []uint64{1, 2},
			lastID: "2",
			err:    func(err error) bool { return errors.Is(err, ErrReconnect) }, reconnectable: true,
		},
		{
			name:   "data over several lines",
			in:     "id: 3\nevent: message\ndata: {\"sequence\":3,\ndata: \"subject\":\"a\\nb\"}\n\n" + reconnect,
			want:   []uint64{3},
			lastID: "3",
			err:    func(err error) bool { return errors.Is(err, ErrReconnect) }, reconnectable: true,
		},
		{
			// A "\r\n" split between reads must not count as two line ends: the blank
			// line would cut the data of message 4 in two.
			name:   "CRLF and CR line ends, a byte order mark, no space after the colon",
			in:     "\ufeffid:4\r\nevent:message\r\ndata:{\"sequence\":4,\r\ndata:\"subject\":\"s\"}\r\n\r\ndata: {\"sequence\":5}\r\r" + "event: reconnect\r\n\r\n",
			want:   []uint64{4, 5},
			lastID: "4",
			err:    func(err error) bool { return errors.Is(err, ErrReconnect) }, reconnectable: true,
		},
		{
			name: "unknown events and frames without data are skipped",
			in: "event: ping\ndata: {\"sequence\":99}\n\nevent: message\n\nretry: 1000\n\n" +
				"id: 6\ndata: {\"sequence\":6}\n\n" + "event: reconnect\n\n",
			want:   []uint64{6},
			lastID: "6",
			err:    func(err error) bool { return errors.Is(err, ErrReconnect) }, reconnectable: true,
		},
		{
			name:   "closed without asking to reconnect, a frame cut off",
			in:     frame(7) + "id: 8\nevent: message\ndata: {\"sequence\":8}\n",
			want:   []uint64{7},
			lastID: "8",
			err:    func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }, reconnectable: true,
		},
		{
			name: "malformed data",
			in:   frame(9) + "data: {nope\n\n" + frame(10),
			want: []uint64{9},
			err: func(err error) bool {
				return err != nil && !errors.Is(err, ErrReconnect) && !errors.Is(err, io.ErrUnexpectedEOF)
			},
			lastID: "9",
		},
	}
	readers := map[string]func(string) io.Reader{
		"whole":    func(s string) io.Reader { return strings.NewReader(s) },
		"one byte": func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) },
		"halves":   func(s string) io.Reader { return iotest.HalfReader(strings.NewReader(s)) },
	}
	for _, tt := range tests {
		for rname, reader := range readers {
			t.Run(tt.name+"/"+rname, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				s := &Stream{frames: newFrameReader(ctx, cancel, io.NopCloser(reader(tt.in)), 0, "")}
				defer s.Close()
				var got []uint64
				for s.Next() {
					got = append(got, s.Message().Sequence)
				}
				if !equalSeqs(got, tt.want) {
					t.Errorf("sequences %v, want %v", got, tt.want)
				}
				if s.LastEventID() != tt.lastID {
					t.Errorf("last id %q, want %q", s.LastEventID(), tt.lastID)
				}
				if !tt.err(s.Err()) {
					t.Errorf("error %v", s.Err())
				}
				if reconnectable(s.Err()) != tt.reconnectable {
					t.Errorf("reconnectable(%v) = %v", s.Err(), !tt.reconnectable)
				}
				if s.Next() {
					t.Error("Next after the end")
				}
			})
		}
	}
}

func equalSeqs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sse starts an answer as the Stream function does and returns a function that writes
// and flushes a piece of it.
func sse(w http.ResponseWriter) func(string) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	f := w.(http.Flusher)
	f.Flush()
	return func(s string) {
		io.WriteString(w, s)
		f.Flush()
	}
}

// TestStreamOverHTTP reads a stream served at its own URL (as a deployed stack's
// function URL), written in pieces that split lines and frames.
func TestStreamOverHTTP(t *testing.T) {
	var rec recorder
	_, streamSrv := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		write := sse(w)
		all := keepAlive + frame(1) + keepAlive + frame(2) + frame(3) + reconnect
		for len(all) > 0 {
			n := min(len(all), 37)
			write(all[:n])
			all = all[n:]
			time.Sleep(time.Millisecond)
		}
	})
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the API got %s %s; streams have their own URL", r.Method, r.URL)
	}, WithStreamURL(streamSrv.URL+"/"))
	s, err := c.Stream(context.Background(), "01JD3N4V5W6X7Y8Z9ABCDEFGHJ")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []uint64
	for s.Next() {
		m := s.Message()
		if m.Reply.Reply != "$JS.ACK.x" {
			t.Errorf("reply %+v", m.Reply)
		}
		got = append(got, m.Sequence)
	}
	if !equalSeqs(got, []uint64{1, 2, 3}) || !errors.Is(s.Err(), ErrReconnect) || s.LastEventID() != "3" {
		t.Errorf("sequences %v, error %v, last id %q", got, s.Err(), s.LastEventID())
	}
	r := rec.all()[0]
	if r.Method != "GET" || r.Path != "/v1/consumers/01JD3N4V5W6X7Y8Z9ABCDEFGHJ/stream" ||
		r.Header.Get("Accept") != "text/event-stream" || r.Header.Get("Authorization") != "Bearer "+testToken {
		t.Errorf("request %s %s, headers %v", r.Method, r.Path, r.Header)
	}
}

func TestStreamOpenErrors(t *testing.T) {
	tests := []struct {
		name      string
		answer    func(attempt int, w http.ResponseWriter)
		wantErr   func(error) bool
		wantCalls int
	}{
		{
			name: "consumer gone",
			answer: func(_ int, w http.ResponseWriter) {
				writeProblem(w, 404, "not-found", "not found", "no such consumer")
			},
			wantErr:   IsNotFound,
			wantCalls: 1,
		},
		{
			name: "bad token",
			answer: func(_ int, w http.ResponseWriter) {
				writeProblem(w, 401, "unauthorized", "unauthorized", "the token has expired")
			},
			wantErr:   IsUnauthorized,
			wantCalls: 1,
		},
		{
			name: "not an event stream",
			answer: func(_ int, w http.ResponseWriter) {
				w.Header().Set("Content-Type", "text/html")
				io.WriteString(w, "<html>sign in</html>")
			},
			wantErr:   func(err error) bool { return errors.Is(err, errNotEventStream) && !reconnectable(err) },
			wantCalls: 1,
		},
		{
			name: "unavailable, then open",
			answer: func(attempt int, w http.ResponseWriter) {
				if attempt == 0 {
					writeProblem(w, 503, "service-unavailable", "service unavailable", "try again")
					return
				}
				sse(w)(reconnect)
			},
			wantErr:   func(err error) bool { return err == nil },
			wantCalls: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { tt.answer(rec.add(r), w) })
			s, err := c.Stream(context.Background(), "C1")
			if s != nil {
				s.Close()
			}
			if !tt.wantErr(err) {
				t.Errorf("error %v", err)
			}
			if n := rec.count(); n != tt.wantCalls {
				t.Errorf("%d attempts, want %d", n, tt.wantCalls)
			}
		})
	}
}

// TestStreamStalled: a connection that stops sending even keep-alives is given up.
func TestStreamStalled(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		sse(w)(keepAlive + frame(1))
		<-r.Context().Done()
	}, WithStreamIdleTimeout(50*time.Millisecond))
	s, err := c.Stream(context.Background(), "C1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Next() {
		t.Fatalf("no first message: %v", s.Err())
	}
	start := time.Now()
	if s.Next() {
		t.Fatal("a second message")
	}
	if !errors.Is(s.Err(), ErrStreamStalled) || !reconnectable(s.Err()) {
		t.Errorf("error %v", s.Err())
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v to notice", took)
	}
}

// TestStreamSlowHandlerNotStalled: time the caller spends between calls of Next does
// not count as silence.
func TestStreamSlowHandlerNotStalled(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		write := sse(w)
		write(frame(1))
		time.Sleep(100 * time.Millisecond)
		write(frame(2) + reconnect)
	}, WithStreamIdleTimeout(50*time.Millisecond))
	s, err := c.Stream(context.Background(), "C1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Next() {
		t.Fatalf("no first message: %v", s.Err())
	}
	time.Sleep(200 * time.Millisecond) // a slow handler; the second frame arrives meanwhile
	if !s.Next() || s.Message().Sequence != 2 {
		t.Fatalf("no second message: %v", s.Err())
	}
	if s.Next() || !errors.Is(s.Err(), ErrReconnect) {
		t.Errorf("error %v, want ErrReconnect", s.Err())
	}
}

// TestStreamCloseAndCancel: Close from another goroutine and the end of the context
// both release a blocked Next, of a consumer's stream and of the inbox stream; after
// Close, Err is nil.
func TestStreamCloseAndCancel(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		sse(w)(keepAlive)
		<-r.Context().Done()
	})
	streams := map[string]func(context.Context) (eventStream, error){
		"consumer": func(ctx context.Context) (eventStream, error) { return c.Stream(ctx, "C1") },
		"inbox":    func(ctx context.Context) (eventStream, error) { return c.InboxStream(ctx, "") },
	}
	for name, open := range streams {
		for _, how := range []string{"close", "cancel"} {
			ctx, cancel := context.WithCancel(context.Background())
			s, err := open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			time.AfterFunc(20*time.Millisecond, func() {
				if how == "close" {
					s.Close()
				} else {
					cancel()
				}
			})
			if s.Next() {
				t.Fatalf("%s %s: a frame", name, how)
			}
			switch err := s.Err(); {
			case how == "close" && err != nil:
				t.Errorf("%s close: error %v, want nil", name, err)
			case how == "cancel" && !errors.Is(err, context.Canceled):
				t.Errorf("%s cancel: error %v, want context.Canceled", name, err)
			}
			if s.Next() {
				t.Errorf("%s %s: Next after the end", name, how)
			}
			s.Close()
			s.Close() // twice is fine
			cancel()
		}
	}
}

// TestConsume follows Consume through a planned reconnect, a connection closed without
// one, an unavailable answer, and a handler that stops it.
func TestConsume(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch rec.add(r) {
		case 0:
			sse(w)(frame(1) + reconnect)
		case 1:
			sse(w)(keepAlive + frame(2)) // and ends without asking to reconnect
		case 2:
			writeProblem(w, 503, "service-unavailable", "service unavailable", "the event bus failed; try again")
		default:
			sse(w)(frame(3) + frame(4))
			<-r.Context().Done()
		}
	})
	slept := recordSleeps(c)
	errStop := errors.New("stop")
	var got []uint64
	err := c.Consume(context.Background(), "C1", func(m wire.Message) error {
		got = append(got, m.Sequence)
		if m.Sequence == 3 {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Errorf("error %v, want the handler's", err)
	}
	if !equalSeqs(got, []uint64{1, 2, 3}) {
		t.Errorf("handled %v", got)
	}
	if n := rec.count(); n != 4 {
		t.Errorf("%d connections, want 4", n)
	}
	// One pause after the stream broke off, one before retrying the 503; none after
	// the planned reconnect.
	if len(*slept) != 2 {
		t.Errorf("pauses %v", *slept)
	}
}

// TestConsumeGivesUp: what reconnecting cannot cure ends Consume, and so does the end
// of its context.
func TestConsumeGivesUp(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		writeProblem(w, 404, "not-found", "not found", "no such consumer")
	})
	err := c.Consume(context.Background(), "C1", func(wire.Message) error { return nil })
	if !IsNotFound(err) || rec.count() != 1 {
		t.Errorf("error %v after %d attempts", err, rec.count())
	}

	c2, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		sse(w)(reconnect) // for ever: Consume reconnects at once each time
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := c2.Consume(ctx, "C1", func(wire.Message) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want the context's", err)
	}
}
