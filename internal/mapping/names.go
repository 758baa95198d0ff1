package mapping

import (
	"net/netip"
	"strings"

	"github.com/csamsync/csamsync/internal/csamapi"
)

func nicList(a *csamapi.Asset) []csamapi.NetworkInterface {
	if a.NetworkInterfaceListData == nil {
		return nil
	}
	return a.NetworkInterfaceListData.NetworkInterface
}

// normHost returns a host name in canonical form — trimmed, without a
// trailing dot, lower-case — or "" when s is not host-name-like: empty,
// longer than 253 bytes, an IP address, or holding a character other than
// letters, digits, '-', '_' and '.'.
func normHost(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimRight(s, ".")
	if s == "" || len(s) > 253 || s[0] == '.' {
		return ""
	}
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		case c >= 'A' && c <= 'Z':
			upper = true
		default:
			return ""
		}
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return ""
	}
	if upper {
		s = strings.ToLower(s)
	}
	return s
}

// firstLabel returns the first DNS label of a normalised name.
func firstLabel(s string) string {
	if i := strings.IndexByte(s, '.'); i > 0 {
		return s[:i]
	}
	return s
}

// shortHostname: the first label of dnsName, else netbiosName, else
// assetName, else the cloud host name, else the first NIC host name in
// sorted order; all normalised, IP literals skipped.
func shortHostname(a *csamapi.Asset, c *cloudInfo, nics []csamapi.NetworkInterface) string {
	for _, p := range [...]*string{a.DNSName, a.NetbiosName, a.AssetName} {
		if p != nil {
			if h := normHost(*p); h != "" {
				return firstLabel(h)
			}
		}
	}
	for _, s := range c.hostnames {
		if h := normHost(s); h != "" {
			return firstLabel(h)
		}
	}
	best := ""
	for i := range nics {
		if h := normHost(clean(nics[i].Hostname)); h != "" {
			if h = firstLabel(h); best == "" || h < best {
				best = h
			}
		}
	}
	return best
}

// hostnames: every distinct host-name-like name of the host (assetName,
// dnsName, netbiosName, NIC host names, cloud host names and the short
// hostname), normalised, sorted.
func hostnames(a *csamapi.Asset, c *cloudInfo, nics []csamapi.NetworkInterface, short string) []string {
	out := make([]string, 0, 4+len(nics)+len(c.hostnames))
	add := func(s string) {
		if h := normHost(s); h != "" {
			out = append(out, h)
		}
	}
	add(clean(a.AssetName))
	add(clean(a.DNSName))
	add(clean(a.NetbiosName))
	for i := range nics {
		add(clean(nics[i].Hostname))
	}
	for _, s := range c.hostnames {
		add(s)
	}
	add(short)
	return sortUnique(out)
}

// dnsNames: dnsName, NIC host names holding a dot, and the cloud private and
// public DNS names; normalised, sorted.
func dnsNames(a *csamapi.Asset, c *cloudInfo, nics []csamapi.NetworkInterface) []string {
	out := make([]string, 0, 2+len(nics)+len(c.privateDNS)+len(c.publicDNS))
	if h := normHost(clean(a.DNSName)); h != "" {
		out = append(out, h)
	}
	for i := range nics {
		if h := normHost(clean(nics[i].Hostname)); strings.IndexByte(h, '.') > 0 {
			out = append(out, h)
		}
	}
	for _, l := range [...][]string{c.privateDNS, c.publicDNS} {
		for _, s := range l {
			if h := normHost(s); h != "" {
				out = append(out, h)
			}
		}
	}
	return sortUnique(out)
}

// sortedHosts normalises, sorts and dedupes a list of names; never nil.
func sortedHosts(l []string) []string {
	out := make([]string, 0, len(l))
	for _, s := range l {
		if h := normHost(s); h != "" {
			out = append(out, h)
		}
	}
	return sortUnique(out)
}
