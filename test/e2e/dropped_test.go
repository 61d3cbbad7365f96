package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/metricsview"
	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/test/stacktest"
)

// droppedCount reads how many messages a MESSAGE_DROPPED notice counts.
var droppedCount = regexp.MustCompile(`^(\d+) messages? (?:was|were) dropped`)

// TestDroppedMessageNotice: a message that exhausts max_deliver leaves one notice in its
// owner's inbox; more drops of the same consumer in the hour count in that notice. The
// stack runs with a small StreamMaxBytes (herald-local -stream-max-bytes), which the
// stream takes, and the Bridge reports how full the stream is and the drops it told of.
func TestDroppedMessageNotice(t *testing.T) {
	const maxBytes = 2 << 20
	p := stacktest.Start(t, "-stream-max-bytes", strconv.Itoa(maxBytes))
	ac := stacktest.NewAPIClient(t, p)
	const scope = "projects/e2e-dropped"
	owner := stacktest.MintToken(t, auth.Claims{Subject: "e2e-dropper", TokenType: auth.Personal, Perms: map[string]auth.Level{scope: auth.Read}})
	publisher := p.Env(t, "PUBLISHER_TOKEN")

	var rec struct {
		ID string `json:"id"`
	}
	ac.OK(t, stacktest.Call{Method: http.MethodPost, Path: "/v1/consumers", Token: owner,
		Body: `{"target":{"resources":[{"path":"` + scope + `","include_subresources":true}]},"ack_wait_ms":1000,"max_deliver":2}`}, http.StatusCreated, &rec)
	publish := func(i int) uint64 {
		var ack struct {
			Sequence uint64 `json:"sequence"`
		}
		ac.OK(t, stacktest.Call{Method: http.MethodPost, Path: "/v1/events", Token: publisher,
			Body: fmt.Sprintf(`{"event":"resource.ResourceCreated","resource":{"type":"collection","path":"%s/c%d","after":{"title":"c%d"}}}`, scope, i, i)}, http.StatusAccepted, &ack)
		return ack.Sequence
	}

	first := publish(1)
	about := stacktest.ExhaustUntil(t, ac, owner, rec.ID, "a MESSAGE_DROPPED notice in the owner's inbox", func(about []stacktest.Notice) bool { return len(about) > 0 })
	if len(about) != 1 || !about[0].Says("1 message was dropped by consumer "+rec.ID, fmt.Sprintf("stream sequence %d", first)) || about[0].EventUUID == "" {
		t.Fatalf("notices %+v; want one saying that 1 message was dropped, at sequence %d", about, first)
	}

	// Two more: still one notice for the hour, counting three (two notices, should the
	// test straddle the turn of an hour, counting three between them).
	publish(2)
	last := publish(3)
	total := func(ns []stacktest.Notice) int {
		n := 0
		for _, x := range ns {
			if m := droppedCount.FindStringSubmatch(x.Message); m != nil {
				c, _ := strconv.Atoi(m[1])
				n += c
			}
		}
		return n
	}
	about = stacktest.ExhaustUntil(t, ac, owner, rec.ID, "the notice counting three drops", func(about []stacktest.Notice) bool { return total(about) == 3 })
	if len(about) > 2 || (len(about) == 1 && !about[0].Says("3 messages were dropped", fmt.Sprintf("stream sequence %d", last))) {
		t.Fatalf("notices %+v; want one per hour, three drops in all, the last at %d", about, last)
	}
	if all, _ := stacktest.DroppedNotices(t, ac, owner, rec.ID); len(all) != len(about) {
		t.Errorf("the owner has %d MESSAGE_DROPPED notices, %d of them about the consumer", len(all), len(about))
	}

	t.Run("the stream takes StreamMaxBytes", func(t *testing.T) {
		js := stacktest.ConnectJetStream(t, p.Banner["NATS"])
		for name, want := range map[string]int64{event.StreamName: maxBytes, bus.AdvisoryStream: bus.AdvisoryMaxBytes} {
			s, err := js.Stream(t.Context(), name)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.CachedInfo().Config.MaxBytes; got != want {
				t.Errorf("%s MaxBytes = %d, want %d", name, got, want)
			}
		}
	})

	t.Run("metrics", func(t *testing.T) {
		page := p.Banner["Metrics"]
		stack := map[string]string{"Stack": "herald-local"}
		testenv.WaitFor(t, 30*time.Second, func() bool {
			var snap metricsview.Snapshot
			if err := json.Unmarshal(metricsPage(t, page), &snap); err != nil {
				t.Fatalf("GET /metrics: %v", err)
			}
			full, okFull := snap.Find(metrics.StreamFullness, stack)
			dropped, okDropped := snap.Find(metrics.MessagesDropped, stack)
			return okFull && full.Unit == "Percent" && full.Max > 0 && okDropped && dropped.Sum == 3
		}, "StreamFullness above 0 and MessagesDropped of 3 on /metrics")
	})

	t.Run("a flood discards the oldest events", func(t *testing.T) {
		// Twenty events of 150 KiB: half again the bound. Every one is accepted.
		pad := strings.Repeat("x", 150<<10)
		var seqs []uint64
		for i := range 20 {
			var ack struct {
				Sequence uint64 `json:"sequence"`
			}
			ac.OK(t, stacktest.Call{Method: http.MethodPost, Path: "/v1/events", Token: publisher,
				Body: fmt.Sprintf(`{"event":"resource.ResourceCreated","resource":{"type":"collection","path":"projects/e2e-flood/c%d","after":{"title":"flood"}},"data":{"pad":"%s"}}`, i, pad)}, http.StatusAccepted, &ack)
			seqs = append(seqs, ack.Sequence)
		}
		js := stacktest.ConnectJetStream(t, p.Banner["NATS"])
		s, err := js.Stream(t.Context(), event.StreamName)
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Info(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Bytes > maxBytes || info.State.FirstSeq <= first || info.State.LastSeq != seqs[len(seqs)-1] {
			t.Errorf("the stream holds %d bytes, sequences %d to %d; want at most %d bytes, the oldest (from %d) gone, the newest (%d) kept",
				info.State.Bytes, info.State.FirstSeq, info.State.LastSeq, maxBytes, first, seqs[len(seqs)-1])
		}
		// What StreamFullAlarm watches: above 80 % of StreamMaxBytes.
		page := p.Banner["Metrics"]
		testenv.WaitFor(t, 30*time.Second, func() bool {
			var snap metricsview.Snapshot
			if err := json.Unmarshal(metricsPage(t, page), &snap); err != nil {
				t.Fatalf("GET /metrics: %v", err)
			}
			full, ok := snap.Find(metrics.StreamFullness, map[string]string{"Stack": "herald-local"})
			return ok && full.Max > 80 && full.Max <= 100
		}, "StreamFullness above 80 on /metrics")
	})
}
