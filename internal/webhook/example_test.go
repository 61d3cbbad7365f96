package webhook_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"time"

	"github.com/heraldhq/herald/internal/webhook"
)

func Example() {
	secret, err := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		panic(err)
	}

	// A subscriber's endpoint, verifying what it receives.
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(secret, r.Header, body, 0, time.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer endpoint.Close()

	// The local stack allows 127.0.0.0/8; without it the endpoint would be refused.
	client := webhook.NewClient(webhook.ClientOptions{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	res := webhook.Send(context.Background(), client, webhook.Request{
		URL:     endpoint.URL,
		ID:      "01JD3N4V5W6X7Y8Z9ABCDEFGHJ",
		Secrets: [][]byte{secret},
		Body:    []byte(`{"event":"resource.ResourceCreated"}`),
	})
	fmt.Println(res.StatusCode, res.OK())

	res = webhook.Send(context.Background(), webhook.NewClient(webhook.ClientOptions{}), webhook.Request{
		URL:     "http://169.254.169.254/latest/meta-data/",
		ID:      "01JD3N4V5W6X7Y8Z9ABCDEFGHK",
		Secrets: [][]byte{secret},
	})
	fmt.Println(res.Refused())
	// Output:
	// 204 true
	// true
}

func ExampleSign() {
	secret, _ := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	fmt.Println(webhook.Sign([][]byte{secret}, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`)))
	// Output: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}
