package advisory

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	stored := time.Date(2026, 11, 22, 18, 30, 0, 0, time.UTC)
	const id = "01JC0000000000000000000000"
	subject := "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.HERALD_EVENTS." + id
	body := func(stream, consumer, extra string) string {
		return `{"type":"io.nats.jetstream.advisory.v1.max_deliver","id":"x","timestamp":"2026-11-22T18:45:01.5Z",` +
			`"stream":"` + stream + `","consumer":"` + consumer + `","stream_seq":42,"deliveries":2` + extra + `}`
	}
	tests := []struct {
		name    string
		subject string
		body    string
		stored  time.Time // stored when zero
		want    Drop
		wantErr string
	}{
		// The time is the stream's, never the body's: whoever publishes writes that.
		{name: "advisory: when stored", subject: subject, body: body("HERALD_EVENTS", id, ""),
			want: Drop{Consumer: id, StreamSeq: 42, Deliveries: 2, At: stored}},
		{name: "no timestamp: when stored", subject: subject,
			body: `{"type":"io.nats.jetstream.advisory.v1.max_deliver","stream":"HERALD_EVENTS","consumer":"` + id + `","stream_seq":7,"deliveries":1}`,
			want: Drop{Consumer: id, StreamSeq: 7, Deliveries: 1, At: stored}},
		{name: "a timestamp in the future: when stored", subject: subject,
			body: strings.Replace(body("HERALD_EVENTS", id, ""), "2026-11-22T18:45:01.5Z", "2099-01-01T00:00:00Z", 1),
			want: Drop{Consumer: id, StreamSeq: 42, Deliveries: 2, At: stored}},
		{name: "stored in another zone: UTC", subject: subject, body: body("HERALD_EVENTS", id, ""),
			stored: stored.In(time.FixedZone("X", 3600)), want: Drop{Consumer: id, StreamSeq: 42, Deliveries: 2, At: stored}},
		{name: "another stream's", subject: "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.OTHER." + id, body: body("OTHER", id, ""), wantErr: "subject"},
		{name: "another advisory", subject: "$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED.HERALD_EVENTS." + id, body: body("HERALD_EVENTS", id, ""), wantErr: "subject"},
		{name: "no consumer", subject: "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.HERALD_EVENTS.", body: body("HERALD_EVENTS", "", ""), wantErr: "subject"},
		{name: "body names another consumer", subject: subject, body: body("HERALD_EVENTS", "01JC0000000000000000000001", ""), wantErr: "body names"},
		{name: "body names another stream", subject: subject, body: body("OTHER", id, ""), wantErr: "body names"},
		{name: "another type", subject: subject, body: strings.Replace(body("HERALD_EVENTS", id, ""), "max_deliver", "nak", 1), wantErr: "type"},
		{name: "no sequence", subject: subject, body: strings.Replace(body("HERALD_EVENTS", id, ""), `"stream_seq":42`, `"stream_seq":0`, 1), wantErr: "sequence"},
		{name: "no deliveries", subject: subject, body: strings.Replace(body("HERALD_EVENTS", id, ""), `"deliveries":2`, `"deliveries":0`, 1), wantErr: "deliveries"},
		{name: "not JSON", subject: subject, body: "{", wantErr: "unreadable"},
		{name: "empty", subject: subject, body: "", wantErr: "unreadable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := stored
			if !tt.stored.IsZero() {
				at = tt.stored
			}
			got, err := Parse(tt.subject, []byte(tt.body), at)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse = %+v, %v; want an error about %s", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Parse = %+v, want %+v", got, tt.want)
			}
		})
	}
}
