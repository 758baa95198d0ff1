package mapping

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/csamsync/csamsync/internal/model"
)

// cloudInfo is what the named host attributes take from cloudProvider.
type cloudInfo struct {
	instanceID string
	hostnames  []string
	privateDNS []string
	publicDNS  []string
	ips        []string // private and public addresses as sent
	publicIP   string   // the first provider's publicIpAddress
	macs       []string
	tags       []model.CloudTag
}

// Keys read from the instance object of the generic providers (azure "vm",
// gcp "compute", oci, ibm, alibaba), first present wins for the singular ones.
var (
	genericIDKeys       = [...]string{"instanceId", "vmId", "id", "instanceUuid"}
	genericHostKeys     = [...]string{"hostname", "hostName", "computerName"}
	genericPrivDNSKeys  = [...]string{"privateDNS", "privateDns", "privateDnsName"}
	genericPubDNSKeys   = [...]string{"publicDNS", "publicDns", "publicDnsName", "fqdn"}
	genericPrivIPKeys   = [...]string{"privateIpAddress", "privateIp", "privateIP"}
	genericPublicIPKeys = [...]string{"publicIpAddress", "publicIp", "publicIP"}
	genericMACKeys      = [...]string{"macAddress"}
)

type namedCloud struct {
	name string
	g    *csamapi.GenericCloud
}

func genericClouds(cp *csamapi.CloudProvider) [5]namedCloud {
	return [5]namedCloud{
		{"azure", cp.Azure}, {"gcp", cp.GCP}, {"oci", cp.OCI}, {"ibm", cp.IBM}, {"alibaba", cp.Alibaba},
	}
}

func collectCloud(a *csamapi.Asset) *cloudInfo {
	c := &cloudInfo{tags: []model.CloudTag{}}
	cp := a.CloudProvider
	if cp == nil {
		return c
	}
	if aws := cp.AWS; aws != nil {
		if e := aws.EC2; e != nil {
			c.instanceID = clean(e.InstanceID)
			c.addStr(&c.hostnames, clean(e.Hostname))
			c.addStr(&c.privateDNS, clean(e.PrivateDNS))
			c.addStr(&c.publicDNS, clean(e.PublicDNS))
			c.addStr(&c.ips, clean(e.PrivateIPAddress))
			c.addStr(&c.ips, clean(e.PublicIPAddress))
			c.publicIP = clean(e.PublicIPAddress)
		}
		c.addTags("aws", aws.Tags)
	}
	for _, nc := range genericClouds(cp) {
		g := nc.g
		if g == nil {
			continue
		}
		c.addTags(nc.name, g.Tags)
		inst := g.Instance
		if inst == nil {
			continue
		}
		if c.instanceID == "" {
			for _, k := range genericIDKeys {
				if s := scalarText(inst[k]); s != "" {
					c.instanceID = s
					break
				}
			}
		}
		for _, k := range genericHostKeys {
			c.addStr(&c.hostnames, scalarText(inst[k]))
		}
		for _, k := range genericPrivDNSKeys {
			c.addStr(&c.privateDNS, scalarText(inst[k]))
		}
		for _, k := range genericPubDNSKeys {
			c.addStr(&c.publicDNS, scalarText(inst[k]))
		}
		for _, k := range genericPrivIPKeys {
			c.addStr(&c.ips, scalarText(inst[k]))
		}
		for _, k := range genericPublicIPKeys {
			s := scalarText(inst[k])
			c.addStr(&c.ips, s)
			if c.publicIP == "" {
				c.publicIP = s
			}
		}
		for _, k := range genericMACKeys {
			c.addStr(&c.macs, scalarText(inst[k]))
		}
	}
	slices.SortFunc(c.tags, func(x, y model.CloudTag) int {
		return cmp.Or(strings.Compare(x.Provider, y.Provider), strings.Compare(x.Key, y.Key), strings.Compare(x.Value, y.Value))
	})
	c.tags = slices.Compact(c.tags)
	return c
}

func (c *cloudInfo) addStr(l *[]string, s string) {
	if s != "" {
		*l = append(*l, s)
	}
}

func (c *cloudInfo) addTags(provider string, kv []csamapi.KeyValue) {
	for i := range kv {
		k, v := clean(kv[i].Key), clean(kv[i].Value)
		if k == "" && v == "" {
			continue
		}
		c.tags = append(c.tags, model.CloudTag{Provider: provider, Key: k, Value: v})
	}
}

// scalarText returns a string or exact number of a generic value as
// trimmed text ("" for anything else).
func scalarText(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case csamapi.Number:
		return string(t)
	}
	return ""
}

// attrValue converts a generic wire value to an attribute value: string,
// int64 (integers), the decimal text (other numbers), bool, []string (lists
// of strings, sorted and deduplicated); ok is false for null and for shapes
// that are not kept.
func attrValue(v any) (any, bool) {
	switch t := v.(type) {
	case string, bool:
		return t, true
	case csamapi.Number:
		if n, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return n, true
		}
		return string(t), true
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return sortUnique(out), true
	}
	return nil, false
}

// flattenInto stores the scalar members of a generic object under
// prefix.<key>, descending into nested objects.
func flattenInto(at attrs, prefix string, m map[string]any, depth int) {
	for k, v := range m {
		key := prefix + "." + k
		if sub, ok := v.(map[string]any); ok {
			if depth < 3 {
				flattenInto(at, key, sub, depth+1)
			}
			continue
		}
		if av, ok := attrValue(v); ok {
			at[key] = av
		}
	}
}
