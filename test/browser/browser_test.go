package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/test/stacktest"
)

// chromiumPath is where Debian's chromium package puts the browser (make chromium).
const chromiumPath = "/usr/bin/chromium"

// browserWait bounds each wait for the browser: for a page to load, a stream to open,
// an event to arrive. Each comes well within it.
const browserWait = 2 * time.Minute

// chromium returns the browser to drive: HERALD_CHROMIUM, else chromiumPath. Without
// one the test is skipped, but under CI, which must run it, it fails.
func chromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv("HERALD_CHROMIUM")
	if path == "" {
		path = chromiumPath
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Chromium at %s (make chromium installs it): the browser suite cannot run", path)
		}
		t.Skipf("no Chromium at %s: run make chromium", path)
	}
	return path
}

// newBrowser starts a headless Chromium with a profile of its own, for the test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	alloc, cancel := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		// Containers give /dev/shm 64 MB, too little for Chromium's shared memory.
		chromedp.Flag("disable-dev-shm-usage", true),
		// Without these the browser reaches for Google's services and, offline, has its
		// own connections refused.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancel)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	// Started here, on the test's context: started by the first action, the browser
	// would live only as long as that action's own, shorter, context.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// servePage serves the test page on a port of its own: another origin than the API's,
// so that every call the page makes is cross-origin.
func servePage(t *testing.T) string {
	t.Helper()
	page, err := os.ReadFile(filepath.Join("testdata", "page.html"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// run runs action in the browser within browserWait, failing t with what the page
// holds when it does not succeed.
func run[T any](t *testing.T, ctx context.Context, what string, action chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, browserWait)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		state, _ := chromedp.Run(context.WithoutCancel(ctx), chromedp.Evaluate[string](`JSON.stringify(window.streams, (k, v) => k === "es" ? undefined : v)`))
		t.Fatalf("%s: %v\nthe page's streams: %s", what, err, state)
	}
	return v
}

// liveStream is a stream the page opens with a ticket: where it asks for the ticket, the
// stream it opens, the event name of what it delivers, and how to make something arrive
// on it (returning what the delivered data must hold).
type liveStream struct {
	name      string
	ticket    string // the stream-ticket route
	stream    string // the stream's path
	event     string
	token     string
	publish   func(t *testing.T) string
	delivered func(data json.RawMessage) string // what in the data to look for the mark in
}

// TestBrowserOpensStreams has a headless Chromium on a page of another origin open
// Herald's live streams (a consumer's and the inbox) with tickets, as a web application does: the page fetches a
// ticket with its token (a preflighted cross-origin POST), opens the stream with
// new EventSource(url + "?ticket=…"), receives what is published afterwards, and the
// ticket is refused when used again, through fetch (401 problem+json, readable by the
// page) and as an EventSource (closed, not retrying).
func TestBrowserOpensStreams(t *testing.T) {
	browser := newBrowser(t)
	p := stacktest.Start(t)
	ac := stacktest.NewAPIClient(t, p)
	api := p.Banner["HTTP API"]
	owner := stacktest.MintToken(t, auth.Claims{Subject: stacktest.OwnerSub, TokenType: auth.Personal,
		Perms: map[string]auth.Level{stacktest.ScopePath: auth.Read}})
	publisher := stacktest.MintToken(t, auth.Claims{Subject: stacktest.PublisherSub, TokenType: auth.Service, Roles: []string{auth.RolePublisher}})

	var rec struct {
		ID string `json:"id"`
	}
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/consumers", Token: owner,
		Body: `{"target":{"resources":[{"path":"` + stacktest.ScopePath + `","include_subresources":true}]},"deliver_policy":"new"}`}, http.StatusCreated, &rec)

	streams := []liveStream{{
		name:   "consumer",
		ticket: "/v1/consumers/" + rec.ID + "/stream-ticket",
		stream: "/v1/consumers/" + rec.ID + "/stream",
		event:  "message",
		token:  owner,
		publish: func(t *testing.T) string {
			item := fmt.Sprintf("browser-%d", time.Now().UnixNano())
			ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/events", Token: publisher,
				Body: `{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"` + stacktest.ScopePath + `/items/` + item + `","after":{"title":"` + item + `"}}}`},
				http.StatusAccepted, nil)
			return item
		},
		delivered: func(data json.RawMessage) string {
			var m struct {
				Event struct {
					Resource struct {
						Path string `json:"path"`
					} `json:"resource"`
				} `json:"event"`
			}
			json.Unmarshal(data, &m)
			return m.Event.Resource.Path
		},
	}, {
		name:   "inbox",
		ticket: "/v1/me/notifications/stream-ticket",
		stream: "/v1/me/notifications/stream",
		event:  "notification",
		token:  owner,
		publish: func(t *testing.T) string {
			mark := fmt.Sprintf("browser-%d", time.Now().UnixNano())
			ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/notifications", Token: publisher,
				Body: `{"recipients":["` + stacktest.OwnerSub + `"],"variant":"ANNOUNCEMENT","message":"` + mark + `","refs":[]}`},
				http.StatusCreated, nil)
			return mark
		},
		delivered: func(data json.RawMessage) string {
			var n struct {
				Message string `json:"message"`
			}
			json.Unmarshal(data, &n)
			return n.Message
		},
	}}

	pageURL := servePage(t)
	if strings.Split(pageURL, "/")[2] == strings.Split(api, "/")[2] {
		t.Fatalf("the page and the API share the origin %s", api)
	}
	run(t, browser, "loading the page", chromedp.Navigate(pageURL))

	for _, s := range streams {
		t.Run(s.name, func(t *testing.T) {
			args, _ := json.Marshal([]string{s.name, api + s.ticket, api + s.stream, s.token, s.event})
			if msg := run(t, browser, "opening the stream", chromedp.Evaluate[string](`openStream(...`+string(args)+`)`, chromedp.EvalAwaitPromise)); msg != "" {
				t.Fatalf("the page could not open the stream: %s", msg)
			}
			run(t, browser, "waiting for the stream to open",
				chromedp.Poll[bool](fmt.Sprintf(`window.streams[%q].opened`, s.name), chromedp.WithPollingTimeout(browserWait)))

			mark := s.publish(t)
			data := run(t, browser, "waiting for the event",
				chromedp.Poll[json.RawMessage](fmt.Sprintf(`window.streams[%q].events.length > 0 && window.streams[%q].events[0]`, s.name, s.name),
					chromedp.WithPollingTimeout(browserWait)))
			if got := s.delivered(data); !strings.Contains(got, mark) {
				t.Errorf("the page received %s, want the event of %s", data, mark)
			}

			var reused struct {
				Status      int    `json:"status"`
				Type        string `json:"type"`
				EventSource string `json:"eventSource"`
			}
			raw := run(t, browser, "using the ticket again", chromedp.Evaluate[json.RawMessage](fmt.Sprintf(`reuse(%q)`, s.name), chromedp.EvalAwaitPromise))
			if err := json.Unmarshal(raw, &reused); err != nil {
				t.Fatal(err)
			}
			if reused.Status != http.StatusUnauthorized || reused.Type != "urn:herald:problem:unauthorized" {
				t.Errorf("the ticket used again through fetch: %d %q, want 401 urn:herald:problem:unauthorized", reused.Status, reused.Type)
			}
			if reused.EventSource != "closed" {
				t.Errorf("an EventSource with the ticket used again is %s, want closed", reused.EventSource)
			}

			// The ticket travelled in URLs: no log line of the gateway or the functions
			// holds it.
			url := run(t, browser, "reading the stream's URL", chromedp.Evaluate[string](fmt.Sprintf(`window.streams[%q].url`, s.name)))
			ticket := url[strings.Index(url, "?ticket=")+len("?ticket="):]
			if ticket == "" || strings.Contains(p.Text(), ticket) || strings.Contains(p.Text(), ticket[strings.LastIndex(ticket, ".")+1:]) {
				t.Errorf("the ticket is empty, or in the stack's logs")
			}
		})
	}
}
