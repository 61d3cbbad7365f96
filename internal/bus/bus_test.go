package bus_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/trace"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

// testStreamOptions are the stream options most tests ensure.
var testStreamOptions = bus.StreamOptions{ShelfLife: time.Hour, DedupeWindow: time.Minute}

// newJetStream starts a NATS server for the test alone and returns a JetStream context
// on a connection made with bus.Connect, the server and the connection.
func newJetStream(t *testing.T) (jetstream.JetStream, *server.Server, *nats.Conn) {
	t.Helper()
	s, url := env.NewNATS(t)
	nc, err := bus.Connect(bus.Options{URL: url, Name: "bus-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js, s, nc
}

// ensure creates the Herald streams with o, failing the test on error.
func ensure(t *testing.T, js jetstream.JetStream, o bus.StreamOptions) jetstream.Stream {
	t.Helper()
	s, err := bus.EnsureStreams(t.Context(), js, o)
	if err != nil {
		t.Fatalf("EnsureStreams(%+v): %v", o, err)
	}
	return s
}

// streamInfo returns the current state of the named stream.
func streamInfo(t *testing.T, js jetstream.JetStream, name string) *jetstream.StreamInfo {
	t.Helper()
	s, err := js.Stream(t.Context(), name)
	if err != nil {
		t.Fatalf("stream %s: %v", name, err)
	}
	info, err := s.Info(t.Context())
	if err != nil {
		t.Fatalf("info of stream %s: %v", name, err)
	}
	return info
}

// newEvent returns a valid event about collection i of project p1.
func newEvent(i int) *event.Event {
	return &event.Event{
		Event:     "resource.ResourceCreated",
		UUID:      uuid.NewString(),
		Timestamp: time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC),
		User:      &event.User{ID: "u-1"},
		Resource: &event.Resource{
			Type: "collection",
			ID:   fmt.Sprintf("c%d", i),
			Path: fmt.Sprintf("projects/p1/collections/c%d", i),
		},
	}
}

// TestEnsureStreamsCreatesStreams checks both streams' subjects and limits after a
// first EnsureStreams.
func TestEnsureStreamsCreatesStreams(t *testing.T) {
	js, _, _ := newJetStream(t)
	o := bus.StreamOptions{ShelfLife: 3 * time.Hour, DedupeWindow: 90 * time.Second, MaxBytes: 8 << 20}
	s := ensure(t, js, o)
	if got := s.CachedInfo().Config.Name; got != event.StreamName {
		t.Errorf("EnsureStreams returned stream %q, want %q", got, event.StreamName)
	}

	tests := []struct {
		stream       string
		subjects     []string
		maxAge       time.Duration
		duplicates   time.Duration // zero: not checked
		maxBytes     int64
		wantReplicas int
	}{
		{stream: event.StreamName, subjects: []string{"herald.events.>"}, maxAge: o.ShelfLife, duplicates: o.DedupeWindow, maxBytes: o.MaxBytes, wantReplicas: 1},
		{stream: bus.DeadLetterStream, subjects: []string{"herald.deadletter.events"}, maxAge: o.ShelfLife, maxBytes: -1, wantReplicas: 1},
		{stream: bus.AdvisoryStream, subjects: []string{"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.HERALD_EVENTS.*"}, maxAge: bus.AdvisoryMaxAge, maxBytes: bus.AdvisoryMaxBytes, wantReplicas: 1},
	}
	for _, tt := range tests {
		t.Run(tt.stream, func(t *testing.T) {
			cfg := streamInfo(t, js, tt.stream).Config
			if strings.Join(cfg.Subjects, ",") != strings.Join(tt.subjects, ",") {
				t.Errorf("Subjects = %q, want %q", cfg.Subjects, tt.subjects)
			}
			if cfg.MaxAge != tt.maxAge {
				t.Errorf("MaxAge = %v, want %v", cfg.MaxAge, tt.maxAge)
			}
			if tt.duplicates != 0 && cfg.Duplicates != tt.duplicates {
				t.Errorf("Duplicates = %v, want %v", cfg.Duplicates, tt.duplicates)
			}
			if cfg.MaxBytes != tt.maxBytes || cfg.Discard != jetstream.DiscardOld {
				t.Errorf("MaxBytes = %d, Discard = %v; want %d, discard old", cfg.MaxBytes, cfg.Discard, tt.maxBytes)
			}
			if cfg.Replicas != tt.wantReplicas {
				t.Errorf("Replicas = %d, want %d", cfg.Replicas, tt.wantReplicas)
			}
		})
	}
}

// TestEnsureStreamsTwice checks that a second EnsureStreams with the same options
// succeeds and leaves the stream and its messages as they were.
func TestEnsureStreamsTwice(t *testing.T) {
	js, _, _ := newJetStream(t)
	ensure(t, js, testStreamOptions)
	if _, err := bus.Publish(t.Context(), js, newEvent(1)); err != nil {
		t.Fatal(err)
	}
	before := streamInfo(t, js, event.StreamName)
	ensure(t, js, testStreamOptions)
	after := streamInfo(t, js, event.StreamName)
	if !after.Created.Equal(before.Created) {
		t.Errorf("stream re-created: created %v, then %v", before.Created, after.Created)
	}
	if after.State.Msgs != 1 {
		t.Errorf("stream holds %d messages after the second EnsureStreams, want 1", after.State.Msgs)
	}
	if after.Config.MaxAge != testStreamOptions.ShelfLife || after.Config.Duplicates != testStreamOptions.DedupeWindow {
		t.Errorf("config changed: MaxAge %v, Duplicates %v", after.Config.MaxAge, after.Config.Duplicates)
	}
}

// TestEnsureStreamsUpdatesShelfLife checks that EnsureStreams with a changed shelf life
// updates MaxAge of both streams in place.
func TestEnsureStreamsUpdatesShelfLife(t *testing.T) {
	tests := []struct {
		name        string
		first, then time.Duration
	}{
		{"longer", time.Hour, 48 * time.Hour},
		{"shorter", 48 * time.Hour, 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js, _, _ := newJetStream(t)
			ensure(t, js, bus.StreamOptions{ShelfLife: tt.first, DedupeWindow: time.Minute})
			ensure(t, js, bus.StreamOptions{ShelfLife: tt.then, DedupeWindow: time.Minute})
			for _, name := range []string{event.StreamName, bus.DeadLetterStream} {
				if got := streamInfo(t, js, name).Config.MaxAge; got != tt.then {
					t.Errorf("%s MaxAge = %v, want %v", name, got, tt.then)
				}
			}
		})
	}
}

// TestEnsureStreamsDedupeWindow checks that the duplicate window is the configured one,
// capped at the shelf life, which JetStream requires.
func TestEnsureStreamsDedupeWindow(t *testing.T) {
	tests := []struct {
		name   string
		o      bus.StreamOptions
		wantDW time.Duration
	}{
		{"shorter than shelf life", bus.StreamOptions{ShelfLife: time.Hour, DedupeWindow: 90 * time.Second}, 90 * time.Second},
		{"equal to shelf life", bus.StreamOptions{ShelfLife: time.Hour, DedupeWindow: time.Hour}, time.Hour},
		{"longer than shelf life", bus.StreamOptions{ShelfLife: time.Minute, DedupeWindow: time.Hour}, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bus.StreamConfig(tt.o).Duplicates; got != tt.wantDW {
				t.Errorf("StreamConfig Duplicates = %v, want %v", got, tt.wantDW)
			}
			js, _, _ := newJetStream(t)
			ensure(t, js, tt.o)
			if got := streamInfo(t, js, event.StreamName).Config.Duplicates; got != tt.wantDW {
				t.Errorf("stream Duplicates = %v, want %v", got, tt.wantDW)
			}
		})
	}
}

// TestEnsureStreamsInvalidOptions checks that options without a positive shelf life
// and dedupe window are refused before any stream is created.
func TestEnsureStreamsInvalidOptions(t *testing.T) {
	tests := []struct {
		name string
		o    bus.StreamOptions
	}{
		{"zero shelf life", bus.StreamOptions{DedupeWindow: time.Minute}},
		{"negative shelf life", bus.StreamOptions{ShelfLife: -time.Hour, DedupeWindow: time.Minute}},
		{"zero dedupe window", bus.StreamOptions{ShelfLife: time.Hour}},
		{"zero options", bus.StreamOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js, _, _ := newJetStream(t)
			s, err := bus.EnsureStreams(t.Context(), js, tt.o)
			if err == nil {
				t.Fatalf("EnsureStreams(%+v) succeeded, want an error", tt.o)
			}
			if s != nil {
				t.Errorf("EnsureStreams returned a stream with the error %v", err)
			}
			for _, name := range []string{event.StreamName, bus.DeadLetterStream, bus.AdvisoryStream} {
				if _, err := js.Stream(t.Context(), name); !errors.Is(err, jetstream.ErrStreamNotFound) {
					t.Errorf("stream %s after refused options: err = %v, want ErrStreamNotFound", name, err)
				}
			}
		})
	}
}

// TestPublishStoresEvent checks that Publish returns the stream sequence of a message
// stored on the event's subject, with the event's uuid as Nats-Msg-Id.
func TestPublishStoresEvent(t *testing.T) {
	js, _, _ := newJetStream(t)
	s := ensure(t, js, testStreamOptions)
	for i := 1; i <= 3; i++ {
		e := newEvent(i)
		ack, err := bus.Publish(t.Context(), js, e)
		if err != nil {
			t.Fatalf("Publish: %v", err)
		}
		want := bus.Ack{UUID: e.UUID, Sequence: uint64(i)}
		if ack != want {
			t.Errorf("Publish ack = %+v, want %+v", ack, want)
		}
		msg, err := s.GetMsg(t.Context(), ack.Sequence)
		if err != nil {
			t.Fatalf("GetMsg(%d): %v", ack.Sequence, err)
		}
		if wantSubject := fmt.Sprintf("herald.events.resource.ResourceCreated.projects.p1.collections.c%d._", i); msg.Subject != wantSubject || msg.Subject != e.Subject() {
			t.Errorf("stored on %q, want %q", msg.Subject, wantSubject)
		}
		if got := msg.Header.Get(jetstream.MsgIDHeader); got != e.UUID {
			t.Errorf("Nats-Msg-Id = %q, want %q", got, e.UUID)
		}
		stored, err := event.Decode(msg.Data)
		if err != nil {
			t.Fatalf("stored message does not decode: %v", err)
		}
		if stored.UUID != e.UUID || stored.Event != e.Event || stored.Path() != e.Path() || !stored.Timestamp.Equal(e.Timestamp) {
			t.Errorf("stored event = %+v, want %+v", stored, e)
		}
	}
}

// TestPublishDuplicate checks that publishing the same event twice stores it once and
// answers the second time with Duplicate and the first copy's sequence.
func TestPublishDuplicate(t *testing.T) {
	js, _, _ := newJetStream(t)
	ensure(t, js, testStreamOptions)
	e := newEvent(1)
	first, err := bus.Publish(t.Context(), js, e)
	if err != nil {
		t.Fatal(err)
	}
	second, err := bus.Publish(t.Context(), js, e)
	if err != nil {
		t.Fatal(err)
	}
	if first.Duplicate {
		t.Errorf("first publish reported Duplicate")
	}
	if !second.Duplicate || second.Sequence != first.Sequence || second.UUID != e.UUID {
		t.Errorf("second publish ack = %+v, want Duplicate with sequence %d", second, first.Sequence)
	}
	if n := streamInfo(t, js, event.StreamName).State.Msgs; n != 1 {
		t.Errorf("stream holds %d messages, want 1", n)
	}
}

// TestPublishWithoutStream checks that Publish fails when no stream holds the subject,
// rather than publishing into the void.
func TestPublishWithoutStream(t *testing.T) {
	js, _, _ := newJetStream(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	e := newEvent(1)
	if ack, err := bus.Publish(ctx, js, e); err == nil {
		t.Fatalf("Publish without streams = %+v, want an error", ack)
	} else if !strings.Contains(err.Error(), e.UUID) {
		t.Errorf("error %q does not name the event uuid", err)
	}
}

// TestPublishAllInOrder checks that PublishAll of 50 events returns one ack per event, in
// the events' order, with increasing sequences, each naming the message that holds it.
func TestPublishAllInOrder(t *testing.T) {
	js, _, _ := newJetStream(t)
	s := ensure(t, js, testStreamOptions)
	events := make([]*event.Event, 50)
	for i := range events {
		events[i] = newEvent(i)
	}
	acks, errs := bus.PublishAll(t.Context(), js, events)
	if len(acks) != len(events) || len(errs) != len(events) {
		t.Fatalf("PublishAll returned %d acks and %d errors for %d events", len(acks), len(errs), len(events))
	}
	var last uint64
	for i, ack := range acks {
		if errs[i] != nil {
			t.Errorf("event %d: %v", i, errs[i])
			continue
		}
		if ack.UUID != events[i].UUID {
			t.Errorf("ack %d is for %s, want %s", i, ack.UUID, events[i].UUID)
		}
		if ack.Sequence <= last {
			t.Errorf("ack %d has sequence %d after %d", i, ack.Sequence, last)
		}
		if ack.Duplicate {
			t.Errorf("ack %d reports Duplicate", i)
		}
		last = ack.Sequence
		msg, err := s.GetMsg(t.Context(), ack.Sequence)
		if err != nil {
			t.Fatalf("GetMsg(%d): %v", ack.Sequence, err)
		}
		if msg.Subject != events[i].Subject() || msg.Header.Get(jetstream.MsgIDHeader) != events[i].UUID {
			t.Errorf("sequence %d holds %s (id %s), want event %d on %s", ack.Sequence, msg.Subject, msg.Header.Get(jetstream.MsgIDHeader), i, events[i].Subject())
		}
	}
	if n := streamInfo(t, js, event.StreamName).State.Msgs; n != uint64(len(events)) {
		t.Errorf("stream holds %d messages, want %d", n, len(events))
	}
}

// TestPublishAllDuplicates checks that PublishAll deduplicates on the uuid too: a batch
// that repeats an event stores it once, and both acks carry its sequence.
func TestPublishAllDuplicates(t *testing.T) {
	js, _, _ := newJetStream(t)
	ensure(t, js, testStreamOptions)
	a, b := newEvent(1), newEvent(2)
	acks, errs := bus.PublishAll(t.Context(), js, []*event.Event{a, b, a})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	if acks[0].Duplicate || acks[1].Duplicate {
		t.Errorf("first copies reported Duplicate: %+v", acks)
	}
	if !acks[2].Duplicate || acks[2].Sequence != acks[0].Sequence {
		t.Errorf("repeated event ack = %+v, want Duplicate with sequence %d", acks[2], acks[0].Sequence)
	}
	if n := streamInfo(t, js, event.StreamName).State.Msgs; n != 2 {
		t.Errorf("stream holds %d messages, want 2", n)
	}
}

// TestPublishAllEmpty checks that PublishAll of no events publishes nothing and
// returns empty results.
func TestPublishAllEmpty(t *testing.T) {
	js, _, _ := newJetStream(t)
	ensure(t, js, testStreamOptions)
	acks, errs := bus.PublishAll(t.Context(), js, nil)
	if len(acks) != 0 || len(errs) != 0 {
		t.Errorf("PublishAll(nil) = %v, %v; want empty results", acks, errs)
	}
	if n := streamInfo(t, js, event.StreamName).State.Msgs; n != 0 {
		t.Errorf("stream holds %d messages, want 0", n)
	}
}

// TestPublishAllServerDown checks that PublishAll reports an error, and no ack, for every
// event when the server has gone away.
func TestPublishAllServerDown(t *testing.T) {
	js, srv, nc := newJetStream(t)
	ensure(t, js, testStreamOptions)
	srv.Shutdown()
	testenv.WaitFor(t, 5*time.Second, func() bool { return !nc.IsConnected() }, "the client to notice the shutdown")

	events := make([]*event.Event, 5)
	for i := range events {
		events[i] = newEvent(i)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	acks, errs := bus.PublishAll(ctx, js, events)
	if len(acks) != len(events) || len(errs) != len(events) {
		t.Fatalf("PublishAll returned %d acks and %d errors for %d events", len(acks), len(errs), len(events))
	}
	for i, err := range errs {
		if err == nil {
			t.Errorf("event %d: no error, ack %+v", i, acks[i])
			continue
		}
		if !strings.Contains(err.Error(), events[i].UUID) {
			t.Errorf("event %d: error %q does not name its uuid", i, err)
		}
		if acks[i] != (bus.Ack{}) {
			t.Errorf("event %d: ack %+v alongside error %v", i, acks[i], err)
		}
	}
}

// TestOptionsFromEnv checks how the connection options are read from the environment.
func TestOptionsFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    bus.Options
		wantErr string // a substring of the error; "" for success
	}{
		{
			name:    "missing URL",
			env:     map[string]string{"HERALD_NATS_URL": ""},
			wantErr: "HERALD_NATS_URL",
		},
		{
			name:    "blank URL",
			env:     map[string]string{"HERALD_NATS_URL": "   "},
			wantErr: "HERALD_NATS_URL",
		},
		{
			name: "URL only",
			env:  map[string]string{"HERALD_NATS_URL": "nats://127.0.0.1:4222"},
			want: bus.Options{URL: "nats://127.0.0.1:4222", Name: "herald-test"},
		},
		{
			name: "files",
			env: map[string]string{
				"HERALD_NATS_URL":        "tls://a:4222,tls://b:4222",
				"HERALD_NATS_CREDS_FILE": "/etc/herald/nats.creds",
				"HERALD_NATS_CA_FILE":    "/etc/herald/ca.pem",
			},
			want: bus.Options{URL: "tls://a:4222,tls://b:4222", CredsFile: "/etc/herald/nats.creds", CAFile: "/etc/herald/ca.pem", Name: "herald-test"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"HERALD_NATS_URL", "HERALD_NATS_CREDS_SECRET", "HERALD_NATS_CREDS_FILE", "HERALD_NATS_CA_FILE", "HERALD_NATS_CA_SECRET"} {
				t.Setenv(k, tt.env[k])
			}
			got, err := bus.OptionsFromEnv(t.Context(), config.AWS, "herald-test")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("OptionsFromEnv error = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.URL != tt.want.URL || got.CredsFile != tt.want.CredsFile || got.CAFile != tt.want.CAFile || got.Name != tt.want.Name || len(got.Creds) != 0 {
				t.Errorf("OptionsFromEnv = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestStreamOptionsFromEnv checks how the stream options are read from the environment:
// defaults when unset, Go durations when set, and errors naming a bad variable.
func TestStreamOptionsFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    bus.StreamOptions
		wantErr string
	}{
		{
			name: "defaults",
			want: bus.StreamOptions{ShelfLife: bus.DefaultShelfLife, DedupeWindow: bus.DefaultDedupeWindow, Replicas: 1, MaxBytes: bus.DefaultStreamMaxBytes},
		},
		{
			name: "shelf life",
			env:  map[string]string{"HERALD_SHELF_LIFE": "1h"},
			want: bus.StreamOptions{ShelfLife: time.Hour, DedupeWindow: bus.DefaultDedupeWindow, Replicas: 1, MaxBytes: bus.DefaultStreamMaxBytes},
		},
		{
			name: "all set",
			env:  map[string]string{"HERALD_SHELF_LIFE": "720h", "HERALD_DEDUPE_WINDOW": "5m", "HERALD_STREAM_REPLICAS": "3", "HERALD_STREAM_MAX_BYTES": "10737418240"},
			want: bus.StreamOptions{ShelfLife: 720 * time.Hour, DedupeWindow: 5 * time.Minute, Replicas: 3, MaxBytes: 10 << 30},
		},
		{
			name: "the least max bytes",
			env:  map[string]string{"HERALD_STREAM_MAX_BYTES": "1048576"},
			want: bus.StreamOptions{ShelfLife: bus.DefaultShelfLife, DedupeWindow: bus.DefaultDedupeWindow, Replicas: 1, MaxBytes: bus.MinStreamMaxBytes},
		},
		{
			name:    "max bytes below the least",
			env:     map[string]string{"HERALD_STREAM_MAX_BYTES": "1048575"},
			wantErr: "HERALD_STREAM_MAX_BYTES",
		},
		{
			name:    "bad max bytes",
			env:     map[string]string{"HERALD_STREAM_MAX_BYTES": "4GiB"},
			wantErr: "HERALD_STREAM_MAX_BYTES",
		},
		{
			name:    "bad dedupe window",
			env:     map[string]string{"HERALD_DEDUPE_WINDOW": "two minutes"},
			wantErr: "HERALD_DEDUPE_WINDOW",
		},
		{
			name:    "zero dedupe window",
			env:     map[string]string{"HERALD_DEDUPE_WINDOW": "0s"},
			wantErr: "HERALD_DEDUPE_WINDOW",
		},
		{
			name:    "negative shelf life",
			env:     map[string]string{"HERALD_SHELF_LIFE": "-1h"},
			wantErr: "HERALD_SHELF_LIFE",
		},
		{
			name:    "bad replicas",
			env:     map[string]string{"HERALD_STREAM_REPLICAS": "three"},
			wantErr: "HERALD_STREAM_REPLICAS",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"HERALD_SHELF_LIFE", "HERALD_DEDUPE_WINDOW", "HERALD_STREAM_REPLICAS", "HERALD_STREAM_MAX_BYTES"} {
				t.Setenv(k, tt.env[k])
			}
			got, err := bus.StreamOptionsFromEnv()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("StreamOptionsFromEnv error = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("StreamOptionsFromEnv = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestPublishCarriesTrace checks that Publish and PublishAll store the trace header of
// the invocation that publishes, so that the Bridge can hand it on, and none when there
// is none or it is malformed.
func TestPublishCarriesTrace(t *testing.T) {
	t.Setenv("_X_AMZN_TRACE_ID", "")
	js, _, _ := newJetStream(t)
	s := ensure(t, js, testStreamOptions)
	const header = "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1"
	stored := func(seq uint64) string {
		t.Helper()
		msg, err := s.GetMsg(t.Context(), seq)
		if err != nil {
			t.Fatalf("GetMsg(%d): %v", seq, err)
		}
		return msg.Header.Get(trace.Header)
	}
	ack, err := bus.Publish(trace.WithEvent(t.Context(), header), js, newEvent(1))
	if err != nil {
		t.Fatal(err)
	}
	if got := stored(ack.Sequence); got != header {
		t.Errorf("Publish: %s = %q, want %q", trace.Header, got, header)
	}
	acks, errs := bus.PublishAll(trace.WithEvent(t.Context(), header), js, []*event.Event{newEvent(2), newEvent(3)})
	for i := range acks {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if got := stored(acks[i].Sequence); got != header {
			t.Errorf("PublishAll event %d: %s = %q, want %q", i, trace.Header, got, header)
		}
	}
	for name, ctx := range map[string]context.Context{
		"no trace":        t.Context(),
		"malformed trace": trace.WithEvent(t.Context(), "Parent=53995c3f42cd8ad8"),
	} {
		ack, err := bus.Publish(ctx, js, newEvent(len(name)+10))
		if err != nil {
			t.Fatal(err)
		}
		if got := stored(ack.Sequence); got != "" {
			t.Errorf("%s: %s = %q, want none", name, trace.Header, got)
		}
	}
}
