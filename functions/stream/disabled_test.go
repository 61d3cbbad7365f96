package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestDisabledRefused checks that a consumer an administrator disabled streams nothing
// and its owner is told why.
func TestDisabledRefused(t *testing.T) {
	h, _ := newHandler(t)
	c := reader("owner")
	id := create(t, h, c, 30_000)
	if _, err := h.Store.Disable(t.Context(), id, "disabled by an administrator"); err != nil {
		t.Fatal(err)
	}
	resp, err := h.Handle(t.Context(), request(http.MethodGet, "/v1/consumers/"+id+"/stream", token(t, c)))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), "disabled by an administrator") {
		t.Fatalf("stream of a disabled consumer: %d %s, want 409 saying why", resp.StatusCode, body)
	}
}
