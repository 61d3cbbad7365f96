package webhook

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestPolicyCheck(t *testing.T) {
	tests := []struct {
		addr    string
		refused string // the range that refuses it; "" when it may be dialled
	}{
		// Blocked IPv4.
		{"0.0.0.0", "0.0.0.0/8"},
		{"10.0.0.1", "10.0.0.0/8"},
		{"100.64.0.1", "100.64.0.0/10"},
		{"100.127.255.254", "100.64.0.0/10"},
		{"127.0.0.1", "127.0.0.0/8"},
		{"127.8.9.10", "127.0.0.0/8"},
		{"169.254.169.254", "169.254.0.0/16"},
		{"172.16.5.5", "172.16.0.0/12"},
		{"172.31.255.255", "172.16.0.0/12"},
		{"192.0.0.170", "192.0.0.0/24"},
		{"192.0.2.1", "192.0.2.0/24"},
		{"192.168.1.1", "192.168.0.0/16"},
		{"198.18.0.1", "198.18.0.0/15"},
		{"198.19.255.255", "198.18.0.0/15"},
		{"224.0.0.1", "224.0.0.0/4"},
		{"239.255.255.250", "224.0.0.0/4"},
		{"240.0.0.1", "240.0.0.0/4"},
		{"255.255.255.255", "255.255.255.255/32"},

		// Blocked IPv6.
		{"::", "::/128"},
		{"::1", "::1/128"},
		{"::10.0.0.1", "::/96"},
		{"fe80::1", "fe80::/10"},
		{"fe80::1%eth0", "fe80::/10"},
		{"fc00::1", "fc00::/7"},
		{"fd00:ec2::254", "fc00::/7"},
		{"ff02::1", "ff00::/8"},
		{"2001:db8::1", "2001:db8::/32"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::/32"},
		{"64:ff9b:1::a00:1", "64:ff9b:1::/48"},

		// IPv4 inside IPv6: judged by the IPv4 address.
		{"::ffff:10.0.0.1", "10.0.0.0/8"},
		{"::ffff:127.0.0.1", "127.0.0.0/8"},
		{"::ffff:169.254.169.254", "169.254.0.0/16"},
		{"64:ff9b::10.0.0.1", "10.0.0.0/8"},
		{"64:ff9b::169.254.169.254", "169.254.0.0/16"},
		{"2002:a00:1::1", "10.0.0.0/8"},
		{"2002:7f00:1::", "127.0.0.0/8"},
		{"::ffff:8.8.8.8", ""},
		{"64:ff9b::8.8.8.8", ""},
		{"2002:808:808::1", ""},

		// Public.
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"100.63.255.255", ""},
		{"100.128.0.0", ""},
		{"172.15.255.255", ""},
		{"172.32.0.0", ""},
		{"192.0.1.1", ""},
		{"198.17.255.255", ""},
		{"223.255.255.255", ""},
		{"2606:4700:4700::1111", ""},
		{"2a00:1450:4001::200e", ""},
	}
	var p policy
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			e := p.check(netip.MustParseAddr(tt.addr))
			switch {
			case tt.refused == "" && e != nil:
				t.Fatalf("refused: %v", e)
			case tt.refused == "":
			case e == nil:
				t.Fatalf("allowed, want refused by %s", tt.refused)
			case e.Network.String() != tt.refused:
				t.Fatalf("refused by %s (%v), want %s", e.Network, e, tt.refused)
			case !strings.Contains(e.Error(), tt.refused) || !strings.Contains(e.Error(), e.Reason):
				t.Fatalf("error %q does not say the range and why", e)
			}
		})
	}
}

// TestBlockedOrder checks that no range is hidden behind an earlier, wider one that
// would decide for it with another reason.
func TestBlockedOrder(t *testing.T) {
	for i, r := range blocked {
		for _, earlier := range blocked[:i] {
			if earlier.prefix.Overlaps(r.prefix) && earlier.prefix.Bits() < r.prefix.Bits() {
				t.Errorf("%s comes after the wider %s and is never reached", r.prefix, earlier.prefix)
			}
		}
	}
}

func TestPolicyAllow(t *testing.T) {
	p := policy{allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("fd12::/16")}}
	tests := []struct {
		addr    string
		allowed bool
	}{
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"::ffff:127.0.0.1", true},
		{"fd12::1", true},
		{"::1", false},
		{"10.0.0.1", false},
		{"fd13::1", false},
		{"8.8.8.8", true},
	}
	for _, tt := range tests {
		if got := p.check(netip.MustParseAddr(tt.addr)) == nil; got != tt.allowed {
			t.Errorf("%s allowed = %v, want %v", tt.addr, got, tt.allowed)
		}
	}
}

func TestRefusedErrorMessage(t *testing.T) {
	var p policy
	tests := []struct{ addr, want string }{
		{"10.0.0.1", "webhook: refused to connect to 10.0.0.1: private network 10.0.0.0/8 (allow it with HERALD_ALLOW_NETWORKS)"},
		{"::ffff:10.0.0.1", "webhook: refused to connect to ::ffff:10.0.0.1 (IPv4 10.0.0.1): private network 10.0.0.0/8 (allow it with HERALD_ALLOW_NETWORKS)"},
	}
	for _, tt := range tests {
		if got := p.check(netip.MustParseAddr(tt.addr)).Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestControlRefusesBeforeConnecting(t *testing.T) {
	var p policy
	err := p.control("tcp4", "169.254.169.254:80", nil)
	var re *RefusedError
	if !errors.As(err, &re) || re.Network.String() != "169.254.0.0/16" {
		t.Fatalf("control = %v, want a refusal by 169.254.0.0/16", err)
	}
	if err := p.control("tcp4", "8.8.8.8:443", nil); err != nil {
		t.Fatalf("control refused a public address: %v", err)
	}
	if err := p.control("tcp", "example.com:80", nil); !errors.As(err, &re) {
		t.Fatalf("control accepted a host name: %v", err)
	}
}
