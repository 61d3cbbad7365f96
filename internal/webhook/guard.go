package webhook

import (
	"fmt"
	"net/netip"
	"syscall"
)

// blockedRange is a range of addresses that webhooks may not reach unless allowed.
type blockedRange struct {
	prefix netip.Prefix
	reason string
	// embedded, when set, marks a range whose addresses carry an IPv4 address (IPv4-mapped,
	// NAT64, 6to4): such an address is judged by the IPv4 address it leads to, so that
	// ::ffff:10.0.0.1 is refused like 10.0.0.1 and 64:ff9b::8.8.8.8 passes like 8.8.8.8.
	embedded func(netip.Addr) netip.Addr
}

// blocked lists the ranges webhooks may not reach: those of the IANA special-purpose
// registries that are not the public internet, plus IPv4 forms embedded in IPv6. The
// first range that contains an address decides, so narrower ranges come before the
// ranges that hold them.
var blocked = []blockedRange{
	// IPv4
	{prefix: pfx("0.0.0.0/8"), reason: `unspecified ("this network") range`},
	{prefix: pfx("10.0.0.0/8"), reason: "private network"},
	{prefix: pfx("100.64.0.0/10"), reason: "shared (carrier-grade NAT) network"},
	{prefix: pfx("127.0.0.0/8"), reason: "loopback network"},
	{prefix: pfx("169.254.0.0/16"), reason: "link-local network (cloud metadata service)"},
	{prefix: pfx("172.16.0.0/12"), reason: "private network"},
	{prefix: pfx("192.0.0.0/24"), reason: "IETF protocol assignments range"},
	{prefix: pfx("192.0.2.0/24"), reason: "documentation range"},
	{prefix: pfx("192.88.99.0/24"), reason: "6to4 relay anycast range"},
	{prefix: pfx("192.168.0.0/16"), reason: "private network"},
	{prefix: pfx("198.18.0.0/15"), reason: "benchmarking network"},
	{prefix: pfx("198.51.100.0/24"), reason: "documentation range"},
	{prefix: pfx("203.0.113.0/24"), reason: "documentation range"},
	{prefix: pfx("224.0.0.0/4"), reason: "multicast range"},
	{prefix: pfx("255.255.255.255/32"), reason: "broadcast address"},
	{prefix: pfx("240.0.0.0/4"), reason: "reserved range"},

	// IPv6
	{prefix: pfx("::/128"), reason: "unspecified address"},
	{prefix: pfx("::1/128"), reason: "loopback address"},
	{prefix: pfx("::ffff:0:0/96"), reason: "IPv4-mapped address", embedded: last32},
	{prefix: pfx("::/96"), reason: "IPv4-compatible range (deprecated)"},
	{prefix: pfx("64:ff9b::/96"), reason: "NAT64 address", embedded: last32},
	{prefix: pfx("64:ff9b:1::/48"), reason: "local-use NAT64 range"},
	{prefix: pfx("100::/64"), reason: "discard-only range"},
	// Teredo hides the IPv4 address it leads to (XOR-ed, behind a relay), so it cannot
	// be judged by that address; nothing legitimate needs it to receive webhooks.
	{prefix: pfx("2001::/32"), reason: "Teredo tunnelling range"},
	{prefix: pfx("2001:db8::/32"), reason: "documentation range"},
	{prefix: pfx("2002::/16"), reason: "6to4 address", embedded: sixToFour},
	{prefix: pfx("fc00::/7"), reason: "unique-local network (includes the fd00:ec2::254 metadata service)"},
	{prefix: pfx("fe80::/10"), reason: "link-local network"},
	{prefix: pfx("fec0::/10"), reason: "site-local network (deprecated)"},
	{prefix: pfx("ff00::/8"), reason: "multicast range"},
}

// pfx parses a prefix of the blocked table.
func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// last32 returns the IPv4 address in the last 32 bits of an IPv6 address.
func last32(a netip.Addr) netip.Addr {
	b := a.As16()
	return netip.AddrFrom4([4]byte(b[12:16]))
}

// sixToFour returns the IPv4 address of a 6to4 address, 2002:AABB:CCDD::/48.
func sixToFour(a netip.Addr) netip.Addr {
	b := a.As16()
	return netip.AddrFrom4([4]byte(b[2:6]))
}

// RefusedError is the error of a connection refused because its address is in a blocked
// range. It comes wrapped in the dial error; find it with errors.As. A refusal is
// permanent for as long as the endpoint's name resolves to that address, so a caller
// would typically record it rather than retry soon.
type RefusedError struct {
	Addr     netip.Addr   // the address dialled
	Embedded netip.Addr   // the IPv4 address that Addr carries, when it was judged by that; else invalid
	Network  netip.Prefix // the blocked range
	Reason   string       // what the range is, for example "private network"
}

// Error says what was refused and why, and how to allow it, for example
// "webhook: refused to connect to 10.0.0.1: private network 10.0.0.0/8 (allow it with
// HERALD_ALLOW_NETWORKS)".
func (e *RefusedError) Error() string {
	addr := e.Addr.String()
	if e.Embedded.IsValid() {
		addr += " (IPv4 " + e.Embedded.String() + ")"
	}
	if !e.Network.IsValid() {
		return fmt.Sprintf("webhook: refused to connect to %s: %s", addr, e.Reason)
	}
	return fmt.Sprintf("webhook: refused to connect to %s: %s %s (allow it with %s)", addr, e.Reason, e.Network, EnvAllowNetworks)
}

// policy decides which addresses may be dialled.
type policy struct {
	allow []netip.Prefix
}

// check returns why ip may not be dialled, or nil when it may.
func (p policy) check(ip netip.Addr) *RefusedError {
	ip = ip.WithZone("")
	if !ip.IsValid() {
		return &RefusedError{Reason: "not an IP address"}
	}
	if p.allowed(ip) {
		return nil
	}
	for _, r := range blocked {
		if !r.prefix.Contains(ip) {
			continue
		}
		if r.embedded == nil {
			return &RefusedError{Addr: ip, Network: r.prefix, Reason: r.reason}
		}
		v4 := r.embedded(ip)
		e := p.check(v4)
		if e == nil {
			return nil
		}
		return &RefusedError{Addr: ip, Embedded: v4, Network: e.Network, Reason: e.Reason}
	}
	return nil
}

// allowed reports whether ip is in a network of the allow-list.
func (p policy) allowed(ip netip.Addr) bool {
	for _, n := range p.allow {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// control is the dialer's Control hook: it runs after the name was resolved and the
// socket created but before connecting, on the very address that is about to be dialled.
func (p policy) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{Reason: "the address " + address + " is not an IP address and port"}
	}
	if e := p.check(ap.Addr()); e != nil {
		return e
	}
	return nil
}
