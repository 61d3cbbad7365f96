package ticket

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/wire"
)

// TestCheckRequest: a ticket route takes no query parameter and no body but an empty
// JSON object.
func TestCheckRequest(t *testing.T) {
	jsonType := map[string]string{"content-type": "application/json"}
	tests := []struct {
		name string
		req  awsevents.APIGatewayV2HTTPRequest
		ok   bool
	}{
		{name: "nothing", ok: true},
		{name: "an empty object", req: awsevents.APIGatewayV2HTTPRequest{Headers: jsonType, Body: "{}"}, ok: true},
		{name: "a query parameter", req: awsevents.APIGatewayV2HTTPRequest{QueryStringParameters: map[string]string{"ttl": "60"}}},
		{name: "a member", req: awsevents.APIGatewayV2HTTPRequest{Headers: jsonType, Body: `{"ttl":60}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRequest(&tt.req)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckRequest = %v", err)
			}
			if err != nil && !fault.Is(err, fault.Invalid) {
				t.Errorf("error %v, want %s", err, fault.Invalid)
			}
		})
	}
}

// TestAnswer: the answer is a 201 with a ticket that opens the path it was issued for,
// and the log names the ticket's id and what it opens, never the ticket.
func TestAnswer(t *testing.T) {
	now := t0
	k := keysOf(t, &now, newKey)
	var logged bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logged, nil)))

	resp, err := k.Answer(context.Background(), owner(), path, "consumer", "C1")
	if err != nil {
		t.Fatal(err)
	}
	st, ok := resp.Body.(wire.StreamTicket)
	if resp.Status != http.StatusCreated || !ok {
		t.Fatalf("answer %d %T", resp.Status, resp.Body)
	}
	tk, err := k.Verify(st.Ticket, path)
	if err != nil {
		t.Fatalf("the ticket does not open %s: %v", path, err)
	}
	if !st.ExpiresAt.Equal(tk.Expires) {
		t.Errorf("expires_at %v, the ticket's %v", st.ExpiresAt, tk.Expires)
	}
	line := logged.String()
	if !strings.Contains(line, `"ticket_id":"`+tk.ID+`"`) || !strings.Contains(line, `"consumer":"C1"`) {
		t.Errorf("log %s: want the ticket's id and the consumer", line)
	}
	if strings.Contains(line, st.Ticket) {
		t.Errorf("the ticket is in the log: %s", line)
	}
}
