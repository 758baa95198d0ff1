package mapping

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/csamsync/csamsync/internal/model"
)

func cmpTime(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(*b)
}

// openPorts: ports without a number are dropped; sorted by port, protocol
// (then the other fields); one entry per (port, protocol), the first in that
// order.
func openPorts(l *csamapi.OpenPortListData) []model.OpenPort {
	if l == nil {
		return []model.OpenPort{}
	}
	out := make([]model.OpenPort, 0, len(l.OpenPort))
	for i := range l.OpenPort {
		p := &l.OpenPort[i]
		if p.Port == nil {
			continue
		}
		out = append(out, model.OpenPort{
			Port:            *p.Port,
			Protocol:        clean(p.Protocol),
			Description:     clean(p.Description),
			DetectedService: clean(p.DetectedService),
			FirstFound:      instant(p.FirstFound),
			LastUpdated:     instant(p.LastUpdated),
		})
	}
	slices.SortFunc(out, func(x, y model.OpenPort) int {
		return cmp.Or(cmp.Compare(x.Port, y.Port), strings.Compare(x.Protocol, y.Protocol),
			strings.Compare(x.DetectedService, y.DetectedService), strings.Compare(x.Description, y.Description),
			cmpTime(x.FirstFound, y.FirstFound), cmpTime(x.LastUpdated, y.LastUpdated))
	})
	return slices.CompactFunc(out, func(x, y model.OpenPort) bool {
		return x.Port == y.Port && x.Protocol == y.Protocol
	})
}

// services: sorted by name, status, description; exact duplicates removed.
func services(l *csamapi.ServiceList) []model.Service {
	if l == nil {
		return []model.Service{}
	}
	out := make([]model.Service, 0, len(l.Service))
	for i := range l.Service {
		s := &l.Service[i]
		out = append(out, model.Service{Name: clean(s.Name), Description: clean(s.Description), Status: clean(s.Status)})
	}
	slices.SortFunc(out, func(x, y model.Service) int {
		return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.Status, y.Status), strings.Compare(x.Description, y.Description))
	})
	return slices.Compact(out)
}

func copyInt(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cmpIntPtr(a, b *int64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Compare(*a, *b)
}

// volumes: sorted by name, size, free; exact duplicates removed.
func volumes(l *csamapi.VolumeListData) []model.Volume {
	if l == nil {
		return []model.Volume{}
	}
	out := make([]model.Volume, 0, len(l.Volume))
	for i := range l.Volume {
		v := &l.Volume[i]
		out = append(out, model.Volume{Name: clean(v.Name), Size: copyInt(v.Size), Free: copyInt(v.Free)})
	}
	slices.SortFunc(out, func(x, y model.Volume) int {
		return cmp.Or(strings.Compare(x.Name, y.Name), cmpIntPtr(x.Size, y.Size), cmpIntPtr(x.Free, y.Free))
	})
	return slices.CompactFunc(out, func(x, y model.Volume) bool {
		return x.Name == y.Name && cmpIntPtr(x.Size, y.Size) == 0 && cmpIntPtr(x.Free, y.Free) == 0
	})
}

// nicAddrs splits an address list and keeps, in the order sent and once
// each, the tokens that parse as IP addresses, in canonical text form.
func nicAddrs(p *string) []string {
	out := []string{}
	if p == nil {
		return out
	}
	eachToken(*p, func(t string) {
		a, ok := parseAddr(t)
		if !ok {
			return
		}
		s := a.String()
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	})
	return out
}

// networkInterfaces: one entry per NIC; names and host names trimmed, MAC
// in lower-case colon form when it is one (else as sent, trimmed), gateway canonical when it
// is an address (else ""), address lists split; sorted by name, MAC, host
// name, addresses.
func networkInterfaces(nics []csamapi.NetworkInterface) []model.NetworkInterface {
	out := make([]model.NetworkInterface, 0, len(nics))
	for i := range nics {
		n := &nics[i]
		mac := clean(n.MacAddress)
		if m, ok := formatMAC(mac); ok {
			mac = m
		}
		var gw string
		if a, ok := parseAddr(clean(n.GatewayAddress)); ok {
			gw = a.String()
		}
		out = append(out, model.NetworkInterface{
			Name:           clean(n.InterfaceName),
			Hostname:       clean(n.Hostname),
			IPv4:           nicAddrs(n.AddressIPV4),
			IPv6:           nicAddrs(n.AddressIPV6),
			MacAddress:     mac,
			GatewayAddress: gw,
			DNSAddresses:   nicAddrs(n.DNSAddress),
			Manufacturer:   clean(n.Manufacturer),
		})
	}
	slices.SortStableFunc(out, func(x, y model.NetworkInterface) int {
		return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.MacAddress, y.MacAddress),
			strings.Compare(x.Hostname, y.Hostname), slices.Compare(x.IPv4, y.IPv4), slices.Compare(x.IPv6, y.IPv6),
			strings.Compare(x.GatewayAddress, y.GatewayAddress), slices.Compare(x.DNSAddresses, y.DNSAddresses),
			strings.Compare(x.Manufacturer, y.Manufacturer))
	})
	return out
}

// customAttributes: sorted by connector, key, value; exact duplicates
// removed; entries with neither key nor value dropped.
func customAttributes(l []csamapi.CustomAttribute) []model.CustomAttribute {
	out := make([]model.CustomAttribute, 0, len(l))
	for i := range l {
		c := &l[i]
		ca := model.CustomAttribute{Key: clean(c.Key), Value: clean(c.Value), ConnectorName: clean(c.ConnectorName)}
		if ca.Key == "" && ca.Value == "" {
			continue
		}
		out = append(out, ca)
	}
	slices.SortFunc(out, func(x, y model.CustomAttribute) int {
		return cmp.Or(strings.Compare(x.ConnectorName, y.ConnectorName), strings.Compare(x.Key, y.Key), strings.Compare(x.Value, y.Value))
	})
	return slices.Compact(out)
}
