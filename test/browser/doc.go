// Package browser holds the browser suite: a real browser (Debian's Chromium, headless,
// driven by chromedp) on a page of another origin than the API opens Herald's live
// streams as a web application does, through the whole local stack. The page asks for a
// stream ticket with its bearer token (a cross-origin fetch with an Authorization
// header, so the browser sends a CORS preflight first), opens the stream with
// new EventSource(url + "?ticket=…"), receives an event published afterwards, and
// finds the ticket refused when it is used again.
//
// Chromium is installed by `make chromium`, which `make test` runs first. Without it the
// suite is skipped, except under CI=true, where that fails it.
//
// The tests are in the _test.go files; what they share with the other suites is in
// test/stacktest.
package browser
