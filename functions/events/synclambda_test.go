package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/heraldhq/herald/internal/actionspec"
	"github.com/heraldhq/herald/internal/delivery"
)

// judgeFunction serves the Lambda Invoke API for one function, which approves an event
// whose data.ok is true and denies any other with a reason; it fails (a function error)
// on an event whose data.crash is true.
func judgeFunction(t *testing.T) *awslambda.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Invocation-Type") != "RequestResponse" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var ev struct {
			Data struct{ OK, Crash bool } `json:"data"`
		}
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &ev)
		switch {
		case ev.Data.Crash:
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			w.Write([]byte(`{"errorMessage":"crashed"}`))
		case ev.Data.OK:
			w.Write([]byte(`{"approve":true}`))
		default:
			w.Write([]byte(`{"approve":false,"reason":"the judge says no"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return awslambda.New(awslambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
}

// TestSyncLambda: a sync trigger's function decides: its denial vetoes the event (422
// with its reason), its approval publishes it, its failure denies, and a function the
// policy does not allow (a trigger stored before the policy changed) denies without
// being asked.
func TestSyncLambda(t *testing.T) {
	const fn = "arn:aws:lambda:us-east-1:123456789012:function:"
	tests := []struct {
		name, function, data string
		want                 int
		reason               string
		verdict              string
	}{
		{"denied", "partner-judge", `,"data":{"ok":false}`, http.StatusUnprocessableEntity, "the judge says no", delivery.StatusDenied},
		{"approved", "partner-judge", `,"data":{"ok":true}`, http.StatusCreated, "", delivery.StatusApproved},
		{"the function fails", "partner-judge", `,"data":{"crash":true}`, http.StatusUnprocessableEntity, "the function failed", delivery.StatusDenied},
		{"not allowed", "other-judge", `,"data":{"ok":true}`, http.StatusUnprocessableEntity, "refused", delivery.StatusDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, path := newSyncHandler(t)
			h.Runner.Lambda = judgeFunction(t)
			h.Runner.Policy = actionspec.Policy{Targets: []string{fn + "partner-*"}}
			id := syncTrigger(t, h, path, `{"type":"lambda","function":"`+fn+tt.function+`"}`)
			status, out := publishSync(t, h, path, tt.data)
			if status != tt.want || !strings.Contains(toJSON(out), tt.reason) {
				t.Fatalf("%d %v, want %d with %q", status, out, tt.want, tt.reason)
			}
			if n := onStream(t, h); (n == 1) != (tt.want == http.StatusCreated) {
				t.Errorf("%d events on the stream after a %d", n, status)
			}
			logged, _, err := h.Deliveries.List(context.Background(), id, "", 10, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(logged) != 1 || logged[0].Status != tt.verdict {
				t.Errorf("delivery log %+v, want one %s verdict", logged, tt.verdict)
			}
		})
	}
}
