package webhook_test

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/webhook"
)

func TestParseAllowNetworks(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{in: "", want: nil},
		{in: "   ", want: nil},
		{in: "127.0.0.0/8", want: []string{"127.0.0.0/8"}},
		{in: " 127.0.0.0/8 , 10.20.0.0/16,fd00::/8 ", want: []string{"127.0.0.0/8", "10.20.0.0/16", "fd00::/8"}},
		{in: "10.1.2.3/8", want: []string{"10.0.0.0/8"}},
		{in: "192.168.1.10", want: []string{"192.168.1.10/32"}},
		{in: "::1", want: []string{"::1/128"}},
		{in: "127.0.0.0/8,", wantErr: true},
		{in: "localhost", wantErr: true},
		{in: "10.0.0.0/33", wantErr: true},
		{in: "fe80::1%eth0", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := webhook.ParseAllowNetworks(tt.in)
			if tt.wantErr {
				if !fault.Is(err, fault.Invalid) {
					t.Fatalf("ParseAllowNetworks = %v, %v; want a fault.Invalid error", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(strs(got), tt.want) {
				t.Fatalf("ParseAllowNetworks = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAllowNetworksFromEnv(t *testing.T) {
	t.Setenv(webhook.EnvAllowNetworks, "127.0.0.0/8")
	got, err := webhook.AllowNetworksFromEnv()
	if err != nil || !slices.Equal(strs(got), []string{"127.0.0.0/8"}) {
		t.Fatalf("AllowNetworksFromEnv = %v, %v", got, err)
	}
	t.Setenv(webhook.EnvAllowNetworks, "")
	if got, err := webhook.AllowNetworksFromEnv(); err != nil || got != nil {
		t.Fatalf("unset: AllowNetworksFromEnv = %v, %v; want none", got, err)
	}
}

func strs(ps []netip.Prefix) []string {
	if ps == nil {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}
