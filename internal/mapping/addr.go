package mapping

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// cgnat is the shared address space of RFC 6598: not routable on the
// Internet, so it counts as private.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// eachToken calls f for every non-empty token of s separated by commas,
// semicolons or whitespace (addressIpV4 may hold "a,b", dnsAddress "a, b").
func eachToken(s string, f func(string)) {
	start := -1
	for i := 0; i <= len(s); i++ {
		sep := i == len(s)
		if !sep {
			switch s[i] {
			case ',', ';', ' ', '\t', '\n', '\r':
				sep = true
			}
		}
		if sep {
			if start >= 0 {
				f(s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
}

// parseAddr parses one address as sent ("10.0.0.1", "fe80::1%eth0", and a
// CIDR form "10.0.0.1/24" whose address part is taken).
func parseAddr(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Addr{}, false
		}
		return p.Addr(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a, true
}

// hostAddr is the form an address takes in the host lists: no zone,
// IPv4-mapped IPv6 unmapped to IPv4.
func hostAddr(a netip.Addr) netip.Addr { return a.WithZone("").Unmap() }

// Address classes.
const (
	classNone    = iota // unspecified, multicast, broadcast: not a host address
	classPrivate        // RFC 1918 / ULA, loopback, link-local, CGNAT
	classPublic         // any other global unicast address
)

func classify(a netip.Addr) int {
	switch {
	case !a.IsValid() || a.IsUnspecified() || a.IsMulticast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast():
		return classNone
	case a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || (a.Is4() && cgnat.Contains(a)):
		return classPrivate
	case a.IsGlobalUnicast():
		return classPublic
	}
	return classNone
}

// addrSet collects host addresses; strings returns them sorted (IPv4 before
// IPv6, numerically) and unique, never nil.
type addrSet struct{ l []netip.Addr }

func (s *addrSet) add(a netip.Addr) {
	a = hostAddr(a)
	if classify(a) != classNone {
		s.l = append(s.l, a)
	}
}

func (s *addrSet) addText(t string) {
	if a, ok := parseAddr(strings.TrimSpace(t)); ok {
		s.add(a)
	}
}

func (s *addrSet) addList(p *string) {
	if p != nil {
		eachToken(*p, s.addText)
	}
}

func (s *addrSet) sorted() []netip.Addr {
	slices.SortFunc(s.l, netip.Addr.Compare)
	s.l = slices.Compact(s.l)
	return s.l
}

func (s *addrSet) strings() []string {
	l := s.sorted()
	out := make([]string, len(l))
	for i, a := range l {
		out[i] = a.String()
	}
	return out
}

type addresses struct{ all, private, public []string }

func hostAddresses(a *csamapi.Asset, c *cloudInfo, nics []csamapi.NetworkInterface) addresses {
	var set addrSet
	set.addList(a.Address)
	for i := range nics {
		set.addList(nics[i].AddressIPV4)
		set.addList(nics[i].AddressIPV6)
	}
	for _, s := range c.ips {
		set.addText(s)
	}
	l := set.sorted()
	out := addresses{all: make([]string, len(l)), private: []string{}, public: []string{}}
	for i, ad := range l {
		s := ad.String()
		out.all[i] = s
		if classify(ad) == classPublic {
			out.public = append(out.public, s)
		} else {
			out.private = append(out.private, s)
		}
	}
	return out
}

// primaryPublic is the singular publicIpAddress: the cloud's public address,
// else the asset's primary address, when public; else the first public one.
func primaryPublic(a *csamapi.Asset, c *cloudInfo, public []string) string {
	for _, s := range [...]string{c.publicIP, clean(a.Address)} {
		if ad, ok := parseAddr(s); ok {
			if ad = hostAddr(ad); classify(ad) == classPublic {
				return ad.String()
			}
		}
	}
	return first(public)
}

// normMAC returns a MAC address usable as a host identifier in lower-case
// colon form: formatMAC's result, except all-zero and broadcast (all ones).
func normMAC(s string) (string, bool) {
	m, ok := formatMAC(s)
	if !ok || strings.Trim(m, "0:") == "" || strings.Trim(m, "f:") == "" {
		return "", false
	}
	return m, true
}

// formatMAC returns a MAC address (EUI-48 or EUI-64) in lower-case colon
// form. It accepts ':', '-', '.' and ' ' separated or bare hex digits and
// rejects anything else.
func formatMAC(s string) (string, bool) {
	var hex [16]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			c += 'a' - 'A'
		case c == ':' || c == '-' || c == '.' || c == ' ':
			continue
		default:
			return "", false
		}
		if n == len(hex) {
			return "", false
		}
		hex[n] = c
		n++
	}
	if n != 12 && n != 16 {
		return "", false
	}
	out := make([]byte, 0, n+n/2-1)
	for i := 0; i < n; i += 2 {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, hex[i], hex[i+1])
	}
	return string(out), true
}

func macAddresses(nics []csamapi.NetworkInterface, c *cloudInfo) []string {
	out := make([]string, 0, len(nics)+len(c.macs))
	for i := range nics {
		if m, ok := normMAC(clean(nics[i].MacAddress)); ok {
			out = append(out, m)
		}
	}
	for _, s := range c.macs {
		if m, ok := normMAC(s); ok {
			out = append(out, m)
		}
	}
	return sortUnique(out)
}

// sortUnique sorts l in place and removes duplicates.
func sortUnique(l []string) []string {
	slices.Sort(l)
	return slices.Compact(l)
}
