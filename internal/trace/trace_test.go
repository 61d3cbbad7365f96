package trace

import (
	"context"
	"strings"
	"testing"
)

func TestRoot(t *testing.T) {
	tests := []struct{ header, want string }{
		{"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", "1-5759e988-bd862e3fe1be46a994272793"},
		{"Parent=53995c3f42cd8ad8; Root=1-5759e988-bd862e3fe1be46a994272793", "1-5759e988-bd862e3fe1be46a994272793"},
		{"Sampled=0", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Root(tt.header); got != tt.want {
			t.Errorf("Root(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", true},
		{"Root=1-5759e988-bd862e3fe1be46a994272793", true},
		{"Parent=53995c3f42cd8ad8", false},
		{"Root=1-5759e988\n-bd862e3fe1be46a994272793", false},
		{"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=" + strings.Repeat("a", 300), false},
		{"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=é", false},
		{"Root=anything-at-all;Sampled=1", false},
		{"Root=1-5759E988-BD862E3FE1BE46A994272793", false},
		{"Root=2-5759e988-bd862e3fe1be46a994272793", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.header); got != tt.want {
			t.Errorf("Valid(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestFromContext(t *testing.T) {
	t.Setenv("_X_AMZN_TRACE_ID", "")
	const invocation, ev = "Root=1-aaaaaaaa-000000000000000000000001", "Root=1-bbbbbbbb-000000000000000000000002"
	ctx := context.Background()
	if got := FromContext(ctx); got != "" {
		t.Errorf("no trace: %q", got)
	}
	lambda := context.WithValue(ctx, lambdaKey, invocation)
	if got := FromContext(lambda); got != invocation {
		t.Errorf("the invocation's: %q, want %q", got, invocation)
	}
	if got := FromContext(WithEvent(lambda, ev)); got != ev {
		t.Errorf("the event's over the invocation's: %q, want %q", got, ev)
	}
	if got := FromContext(WithEvent(lambda, "")); got != invocation {
		t.Errorf("an empty event header keeps the invocation's: %q", got)
	}
	t.Setenv("_X_AMZN_TRACE_ID", invocation)
	if got := FromContext(ctx); got != invocation {
		t.Errorf("from the runtime's variable: %q, want %q", got, invocation)
	}
}
