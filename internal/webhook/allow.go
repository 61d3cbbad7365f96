package webhook

import (
	"errors"
	"net/netip"
	"strings"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/fault"
)

// EnvAllowNetworks names the variable that lists the networks webhooks may reach despite
// the block, as comma-separated CIDRs ("127.0.0.0/8,10.20.0.0/16"). It is meant for the
// local stack and for tests; in production it is unset.
const EnvAllowNetworks = "HERALD_ALLOW_NETWORKS"

// ParseAllowNetworks reads a comma-separated list of networks in CIDR notation. A bare
// address stands for itself (/32 or /128), and host bits are cleared, so "10.1.2.3/8"
// means 10.0.0.0/8. Spaces around entries are ignored; an empty or blank list is no
// networks.
func ParseAllowNetworks(s string) ([]netip.Prefix, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	entries := strings.Split(s, ",")
	out := make([]netip.Prefix, 0, len(entries))
	for i, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			return nil, fault.Newf(fault.Invalid, "webhook: %s: entry %d is empty", EnvAllowNetworks, i+1)
		}
		p, err := parseNetwork(e)
		if err != nil {
			return nil, fault.Newf(fault.Invalid, "webhook: %s: entry %d, %q, is not a network in CIDR notation", EnvAllowNetworks, i+1, e)
		}
		out = append(out, p)
	}
	return out, nil
}

// parseNetwork parses a CIDR or a bare address.
func parseNetwork(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if a.Zone() != "" {
			return netip.Prefix{}, errors.New("zoned address")
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return p.Masked(), nil
}

// AllowNetworksFromEnv reads the allow-list from HERALD_ALLOW_NETWORKS; unset means none.
func AllowNetworksFromEnv() ([]netip.Prefix, error) {
	return ParseAllowNetworks(config.String(EnvAllowNetworks, ""))
}
