package reply_test

import (
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/reply"
)

func TestParseAction(t *testing.T) {
	tests := []struct {
		in   string
		want reply.Action
		ok   bool
	}{
		{"ack", reply.Ack, true},
		{"nak", reply.Nak, true},
		{"term", reply.Term, true},
		{"in_progress", reply.InProgress, true},
		{"", "", false},
		{"ACK", "", false},
		{"ack ", "", false},
		{"inprogress", "", false},
		{"+ACK", "", false},
	}
	for _, tt := range tests {
		got, err := reply.ParseAction(tt.in)
		if !tt.ok {
			if err == nil {
				t.Errorf("ParseAction(%q) = %q, want an error", tt.in, got)
				continue
			}
			if fs := fields(t, err); len(fs) != 1 || fs[0].Field != "action" {
				t.Errorf("ParseAction(%q) fields = %+v, want one on \"action\"", tt.in, fs)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseAction(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestPayload checks the bodies against the bytes nats.go's jetstream package sends
// for Ack, Nak, NakWithDelay, Term and InProgress; TestPayloadOnServer checks that the
// server acts on them.
func TestPayload(t *testing.T) {
	tests := []struct {
		action reply.Action
		delay  time.Duration
		want   string
		field  string // the field at fault, when an error is expected
	}{
		{reply.Ack, 0, "+ACK", ""},
		{reply.Nak, 0, "-NAK", ""},
		{reply.Nak, 1500 * time.Millisecond, `-NAK {"delay": 1500000000}`, ""},
		{reply.Nak, 1, `-NAK {"delay": 1}`, ""},
		{reply.Nak, reply.MaxNakDelay, `-NAK {"delay": 43200000000000}`, ""},
		{reply.Term, 0, "+TERM", ""},
		{reply.InProgress, 0, "+WPI", ""},

		{reply.Nak, -time.Millisecond, "", "delay_ms"},
		{reply.Nak, reply.MaxNakDelay + 1, "", "delay_ms"},
		{reply.Ack, time.Second, "", "delay_ms"},
		{reply.Term, time.Second, "", "delay_ms"},
		{reply.InProgress, time.Second, "", "delay_ms"},
		{"", 0, "", "action"},
		{"nack", 0, "", "action"},
	}
	for _, tt := range tests {
		got, err := tt.action.Payload(tt.delay)
		if tt.field != "" {
			if err == nil {
				t.Errorf("%q.Payload(%v) = %q, want an error on %q", tt.action, tt.delay, got, tt.field)
				continue
			}
			if fs := fields(t, err); len(fs) != 1 || fs[0].Field != tt.field {
				t.Errorf("%q.Payload(%v) fields = %+v, want one on %q", tt.action, tt.delay, fs, tt.field)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("%q.Payload(%v) = %q, %v; want %q", tt.action, tt.delay, got, err, tt.want)
		}
	}
}
