package action

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/heraldhq/herald/internal/actionspec"
	"github.com/heraldhq/herald/internal/event"
)

// fakeLambda serves the Lambda Invoke API: each function, by name, answers with its
// handler's payload, or fails (a function error) when the handler returns an error.
type fakeLambda struct {
	mu    sync.Mutex
	calls []invocation
}

type invocation struct {
	function, invocationType string
	payload                  []byte
}

// answers are the functions fakeLambda knows: what each returns, or "!" followed by the
// message of its failure.
var answers = map[string]string{
	"partner-veto":    `{"approve":false,"reason":"title missing"}`,
	"partner-approve": `{"approve":true}`,
	"partner-fail":    `!boom`,
	"partner-junk":    `"yes please"`,
	"partner-down":    `5`, // Lambda's service failing: the SDK would retry it
	"partner-long":    `{"approve":true,"reason":"` + strings.Repeat("x", MaxDecisionBytes) + `"}`,
}

func newFakeLambda(t *testing.T) (*fakeLambda, *lambda.Client) {
	t.Helper()
	f := &fakeLambda{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/2015-03-31/functions/"), "/invocations")
		if parts := strings.Split(name, ":"); len(parts) >= 7 {
			name = parts[6]
		}
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.calls = append(f.calls, invocation{name, r.Header.Get("X-Amz-Invocation-Type"), body})
		f.mu.Unlock()
		answer, ok := answers[name]
		switch {
		case !ok:
			w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"Type":"User","Message":"Function not found"}`))
		case r.Header.Get("X-Amz-Invocation-Type") == "Event":
			w.WriteHeader(http.StatusAccepted)
		case answer == "5":
			w.Header().Set("X-Amzn-ErrorType", "ServiceException")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"Type":"Service","Message":"try again"}`))
		case strings.HasPrefix(answer, "!"):
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			json.NewEncoder(w).Encode(map[string]string{"errorMessage": answer[1:], "errorType": "Error"})
		default:
			w.Write([]byte(answer))
		}
	}))
	t.Cleanup(srv.Close)
	client := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	return f, client
}

func (f *fakeLambda) invocations() []invocation {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]invocation(nil), f.calls...)
}

const fnARN = "arn:aws:lambda:us-east-1:123456789012:function:"

func lambdaDelivery(function, invocationType, onError string) Delivery {
	ev := &event.Event{Event: "item.ItemCreated", UUID: "0f8fad5b-d9cb-469f-a165-70867728950e", Resource: &event.Resource{Type: "item", Path: "projects/p1/items/i1"}}
	raw, _ := json.Marshal(ev)
	return Delivery{Action: &Config{Type: "lambda", Function: fnARN + function, InvocationType: invocationType, OnError: onError}, Event: ev, Raw: raw,
		DeliveryID: ev.UUID, TriggerID: "01JTRIGGER00000000000000000"}
}

var lambdaPolicy = actionspec.Policy{Targets: []string{fnARN + "partner-*"}, Own: []string{fnARN + "herald-*"}}

// TestDecideLambda: a sync trigger's function is invoked RequestResponse with the event
// and its answer decides; everything else denies unless on_error allows.
func TestDecideLambda(t *testing.T) {
	tests := []struct {
		function, invocationType, onError string
		approve                           bool
		reason                            string // part of the verdict's reason
		invoked                           bool
	}{
		{"partner-veto", "", "", false, "title missing", true},
		{"partner-approve", "", "", true, "", true},
		{"partner-approve", "Event", "", true, "", true}, // a stored Event: still asked
		{"partner-fail", "", "", false, "function failed", true},
		{"partner-fail", "", "allow", true, "allowed on error", true},
		{"partner-junk", "", "", false, "not a decision", true},
		{"partner-down", "", "allow", true, "allowed on error", true}, // decided at once, not retried
		{"partner-long", "", "", false, "longer than", true},
		{"partner-missing", "", "", false, "lambda:", true},
		{"herald-EventsApi", "", "", false, "refused", false},
		{"other-function", "", "allow", true, "refused", false},
	}
	for _, tt := range tests {
		t.Run(tt.function+"/"+tt.invocationType+tt.onError, func(t *testing.T) {
			f, client := newFakeLambda(t)
			r := &Runner{Lambda: client, Policy: lambdaPolicy}
			d := lambdaDelivery(tt.function, tt.invocationType, tt.onError)
			v := r.Decide(context.Background(), d)
			if v.Approve != tt.approve || !strings.Contains(v.Reason, tt.reason) || v.TriggerID != d.TriggerID {
				t.Errorf("verdict %+v, want approve %v with a reason about %q", v, tt.approve, tt.reason)
			}
			calls := f.invocations()
			switch {
			case !tt.invoked && len(calls) > 0:
				t.Errorf("a refused function was invoked: %+v", calls)
			case tt.invoked && (len(calls) != 1 || calls[0].invocationType != "RequestResponse" || string(calls[0].payload) != string(d.Raw)):
				t.Errorf("invocations %+v, want one RequestResponse with the event", calls)
			}
		})
	}
}

// TestRunLambda: an async lambda action succeeds when the function ran, and fails (to
// be retried) when it failed.
func TestRunLambda(t *testing.T) {
	tests := []struct {
		function, invocationType string
		ok                       bool
		err                      string
	}{
		{"partner-approve", "RequestResponse", true, ""},
		{"partner-fail", "RequestResponse", false, "the function failed: Unhandled"},
		{"partner-fail", "Event", true, ""}, // Lambda runs it later: nothing to tell
		{"partner-missing", "", false, "Function not found"},
	}
	for _, tt := range tests {
		t.Run(tt.function+"/"+tt.invocationType, func(t *testing.T) {
			_, client := newFakeLambda(t)
			r := &Runner{Lambda: client, Policy: lambdaPolicy}
			o := r.Run(context.Background(), lambdaDelivery(tt.function, tt.invocationType, ""))
			if o.OK != tt.ok || o.Permanent || (tt.err != "" && (o.Err == nil || !strings.Contains(o.Err.Error(), tt.err))) {
				t.Errorf("outcome %+v, want OK %v and an error about %q, to be retried", o, tt.ok, tt.err)
			}
		})
	}
}
