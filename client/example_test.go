package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/wire"
)

func Example() {
	// A stand-in for the API that stores every event as sequence 1.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev wire.Event
		json.NewDecoder(r.Body).Decode(&ev)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		json.NewEncoder(w).Encode(map[string]any{"uuid": ev.UUID, "sequence": 1})
	}))
	defer api.Close()

	c, err := client.New(api.URL, client.WithToken("a-publisher-token"))
	if err != nil {
		log.Fatal(err)
	}
	ev := &wire.Event{
		Event:    "job.JobFinished",
		Resource: &wire.Resource{Type: "job", Path: "projects/p1/jobs/j1"},
	}
	res, err := c.Publish(context.Background(), ev)
	if err != nil {
		log.Fatal(err)
	}
	// The client gave the event its uuid before sending it, so that retries are
	// recognised as the same event.
	fmt.Println(res.Sequence, res.UUID == ev.UUID, ev.UUID != "")
	// Output: 1 true true
}

func ExampleClient_Stream() {
	// A stand-in for the Stream function: two messages, a keep-alive, then a request
	// to reconnect.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, seq := range []string{"41", "42"} {
			io.WriteString(w, "id: "+seq+"\nevent: message\ndata: {\"sequence\":"+seq+",\"subject\":\"herald.events.job.JobFinished.projects.p1._\"}\n\n")
		}
		io.WriteString(w, ": keep-alive\n\nevent: reconnect\ndata: {}\n\n")
	}))
	defer srv.Close()

	c, err := client.New("https://api.example.org", client.WithToken("a-token"), client.WithStreamURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	s, err := c.Stream(context.Background(), "01JD3N4V5W6X7Y8Z9ABCDEFGHJ")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	for s.Next() {
		m := s.Message()
		fmt.Println(m.Sequence, m.Subject)
	}
	fmt.Println(errors.Is(s.Err(), client.ErrReconnect))
	// Output:
	// 41 herald.events.job.JobFinished.projects.p1._
	// 42 herald.events.job.JobFinished.projects.p1._
	// true
}

func ExampleClient_Consume() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, err := client.New("https://api.example.org", client.WithToken("a-token"))
	if err != nil {
		log.Fatal(err)
	}
	// Runs until ctx ends or the consumer is gone, reconnecting as the server asks.
	err = c.Consume(ctx, "01JD3N4V5W6X7Y8Z9ABCDEFGHJ", func(m wire.Message) error {
		var ev wire.Event
		if err := json.Unmarshal(m.Event, &ev); err != nil {
			// What was stored is not an event: redelivering it would not change that.
			_, err := c.Acknowledge(ctx, []wire.Reply{m.Reply}, wire.Term, 0)
			return err
		}
		// … process ev, then acknowledge the message, or it comes back after its ack wait.
		_, err := c.Acknowledge(ctx, []wire.Reply{m.Reply}, wire.Ack, 0)
		return err
	})
	if client.IsNotFound(err) {
		log.Print("the consumer was deleted or expired")
	}
}
