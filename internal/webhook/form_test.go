package webhook_test

import (
	"context"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/webhook"
)

func TestFormBody(t *testing.T) {
	tests := []struct {
		name string
		json string
		want url.Values // nil: refused
	}{
		{"an event", `{"event":"item.ItemCreated","uuid":"u1","resource":{"type":"itemsvc.Item","path":"projects/p1/items/i1","namespaces":["a","b"]},"data":{"metadata":{"title":"Final cut"}}}`,
			url.Values{"event": {"item.ItemCreated"}, "uuid": {"u1"}, "resource.type": {"itemsvc.Item"}, "resource.path": {"projects/p1/items/i1"},
				"resource.namespaces": {"a", "b"}, "data.metadata.title": {"Final cut"}}},
		{"scalars", `{"n":12345678901234567890,"f":1.5e3,"t":true,"f2":false,"z":null,"s":""}`,
			url.Values{"n": {"12345678901234567890"}, "f": {"1.5e3"}, "t": {"true"}, "f2": {"false"}, "z": {""}, "s": {""}}},
		{"an array of objects", `{"items":[{"id":1,"tags":["x"]},{"id":2,"tags":["y","z"]}]}`,
			url.Values{"items.id": {"1", "2"}, "items.tags": {"x", "y", "z"}}},
		{"nested arrays", `{"m":[[1,2],[3]]}`, url.Values{"m": {"1", "2", "3"}}},
		{"empty containers send nothing", `{"o":{},"a":[],"k":"v"}`, url.Values{"k": {"v"}}},
		{"characters that need escaping", `{"q":"a&b=c d+é"}`, url.Values{"q": {"a&b=c d+é"}}},
		{"an array at the top", `[1,2]`, nil},
		{"a string at the top", `"x"`, nil},
		{"not JSON", `{"a":`, nil},
		{"two values", `{"a":1} {"b":2}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := webhook.FormBody([]byte(tt.json))
			if tt.want == nil {
				if err == nil {
					t.Fatalf("FormBody = %q, want an error", body)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := url.ParseQuery(string(body))
			if err != nil {
				t.Fatalf("%q does not parse: %v", body, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FormBody = %q\nparsed %v\nwant   %v", body, got, tt.want)
			}
			again, _ := webhook.FormBody([]byte(tt.json))
			if string(again) != string(body) {
				t.Errorf("the same JSON made %q, then %q", body, again)
			}
		})
	}
}

// TestSendForm: a form delivery carries the encoded body, its Content-Type, and a
// signature over the bytes sent; a payload that is not an object is not sent.
func TestSendForm(t *testing.T) {
	rcv := newReceiver(t, nil)
	secret := mustSecret(t, vectorSecret)
	req := request(t, rcv.URL+"/form")
	req.Format, req.Body = webhook.FormatForm, []byte(`{"event":"item.ItemCreated","resource":{"path":"projects/p1"},"recipients":["u1","u2"]}`)
	res := webhook.Send(context.Background(), newClient(t, loopback), req)
	if res.Err != nil || !res.OK() {
		t.Fatalf("Send = %+v", res)
	}
	got := only(t, rcv)
	if ct := got.header.Get("Content-Type"); ct != webhook.FormContentType {
		t.Errorf("Content-Type %q", ct)
	}
	if err := webhook.Verify(secret, got.header, got.body, time.Minute, time.Now()); err != nil {
		t.Errorf("the signature does not verify over the form body: %v", err)
	}
	form, err := url.ParseQuery(string(got.body))
	if err != nil || form.Get("resource.path") != "projects/p1" || !reflect.DeepEqual(form["recipients"], []string{"u1", "u2"}) {
		t.Errorf("received %q (%v)", got.body, err)
	}

	req.Body = []byte(`["not","an","object"]`)
	res = webhook.Send(context.Background(), newClient(t, loopback), req)
	if !fault.Is(res.Err, fault.Invalid) || !strings.Contains(res.Err.Error(), "JSON object") {
		t.Errorf("Send of an array = %+v, want invalid", res)
	}
	if n := len(rcv.requests()); n != 1 {
		t.Errorf("the receiver got %d requests, want the first only", n)
	}
}
