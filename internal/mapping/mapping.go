// Package mapping owns the translation of one CSAM asset into the unified
// inventory model: a csamapi.Asset becomes a model.HostRecord (one Host, its
// distinct Packages and its InstalledPackages), following Brinqa's CSAM
// connector mapping (seed 000, tables 2-4) and the Qualys ETM default
// transform map (seed 001). It knows csamapi and model, nothing of HTTP or
// storage.
//
// MapAsset is deterministic — the same asset always yields the same record,
// whatever the order of its lists — and cheap enough to run for every asset
// of a 100,000-host sync. The rules are published in docs/mapping.md.
package mapping

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/csamsync/csamsync/internal/model"
)

// ErrNoAssetID is returned for an asset whose assetId is 0 (absent): it has
// no identity, so the caller skips and counts it.
var ErrNoAssetID = errors.New("asset without assetId")

// MapAsset maps one CSAM asset. The only error is ErrNoAssetID. List
// attributes of the result are never nil (empty lists are []), and
// Attributes maps are never nil.
func MapAsset(a *csamapi.Asset) (model.HostRecord, error) {
	return MapAssetFunc(a, nil)
}

// KeepPackage decides whether a package is mapped in full. A sync that has
// already stored a package in this run skips it (unless this host widens
// its date span) and saves the cost of its attributes, which dominate the
// mapping. created and modified are the package's sourceCreatedDate and
// sourceLastModified as this host reports them.
type KeepPackage func(uid string, created, modified *time.Time) bool

// MapAssetFunc is MapAsset with a package filter; nil keeps every package.
// Installed packages are always mapped.
func MapAssetFunc(a *csamapi.Asset, keep KeepPackage) (model.HostRecord, error) {
	if a == nil || a.AssetID == 0 {
		return model.HostRecord{}, ErrNoAssetID
	}
	uid := HostUID(a.AssetID)
	h := mapHost(a, uid)
	pkgs, inst := mapSoftware(a, uid, keep)
	return model.HostRecord{Host: h, Packages: pkgs, Installed: inst}, nil
}

// HostUID is the Host uid of an asset: its assetId in decimal.
func HostUID(assetID int64) string { return strconv.FormatInt(assetID, 10) }

func mapHost(a *csamapi.Asset, uid string) model.Host {
	c := collectCloud(a)
	h := model.Host{
		UID:                uid,
		Status:             model.StatusActive,
		FirstSeen:          instant(a.CreatedDate),
		LastStarted:        instant(a.LastBoot),
		SourceLastModified: instant(a.LastModifiedDate),
		InstanceID:         c.instanceID,
	}

	// Dates (Table 2).
	if a.Inventory != nil {
		h.LastSeen = instant(a.Inventory.LastUpdated)
		h.SourceCreatedDate = instant(a.Inventory.Created)
	}
	if h.LastSeen == nil {
		h.LastSeen = instant(a.SensorLastUpdatedDate)
	}
	if h.LastSeen == nil {
		h.LastSeen = instant(a.LastModifiedDate)
	}
	if a.Activity != nil {
		h.LastScanned = instant(a.Activity.LastScannedDate)
	}

	// Names.
	nics := nicList(a)
	h.Name = hostName(a, uid)
	h.Hostname = shortHostname(a, c, nics)
	h.Hostnames = hostnames(a, c, nics, h.Hostname)
	h.DNSNames = dnsNames(a, c, nics)
	h.PrivateDNSNames = sortedHosts(c.privateDNS)
	h.PublicDNSNames = sortedHosts(c.publicDNS)
	h.PrivateDNSName = first(h.PrivateDNSNames)
	h.PublicDNSName = first(h.PublicDNSNames)

	// OS, description, categories.
	h.OperatingSystem = operatingSystem(a.OperatingSystem)
	h.Description = description(h.OperatingSystem, a.Hardware)
	h.Categories = categories(a, c.instanceID != "")
	h.Tags = tags(a.TagList)

	// Addresses.
	addrs := hostAddresses(a, c, nics)
	h.IPAddresses, h.PrivateIPAddresses, h.PublicIPAddresses = addrs.all, addrs.private, addrs.public
	h.PublicIPAddress = primaryPublic(a, c, addrs.public)
	h.MacAddresses = macAddresses(nics, c)

	// Structured data.
	h.OpenPorts = openPorts(a.OpenPortListData)
	h.Services = services(a.ServiceList)
	h.Volumes = volumes(a.VolumeListData)
	h.NetworkInterfaces = networkInterfaces(nics)
	h.CustomAttributes = customAttributes(a.CustomAttributes)
	h.CloudTags = c.tags
	h.Agent = agent(a)
	h.TransformMap = transformMap(a, h.OpenPorts, h.NetworkInterfaces)

	h.Attributes = hostAttributes(a)
	return h
}

// instant is csamapi.Time.Ptr with one more "never": a negative epoch
// (qualysdk has seen -1 on agent dates), sent as a number or as a string,
// is not an instant either.
func instant(t csamapi.Time) *time.Time {
	p := t.Ptr()
	if p != nil && t.T.UnixMilli() < 0 && (t.Kind == csamapi.TimeNumber || strings.HasPrefix(strings.TrimSpace(t.Raw), "-")) {
		return nil
	}
	return p
}

// clean returns the trimmed string behind a nullable wire string.
func clean(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

func first(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}

// isPlaceholder reports values CSAM uses for "nothing known".
func isPlaceholder(s string) bool {
	switch len(s) {
	case 0:
		return true
	case 3:
		return strings.EqualFold(s, "n/a")
	case 4:
		return strings.EqualFold(s, "none")
	case 7:
		return strings.EqualFold(s, "unknown")
	case 12:
		return strings.EqualFold(s, "unidentified")
	}
	return false
}

// firstReal returns the first trimmed value that is not a placeholder.
func firstReal(ps ...*string) string {
	for _, p := range ps {
		if s := clean(p); !isPlaceholder(s) {
			return s
		}
	}
	return ""
}

func hostName(a *csamapi.Asset, uid string) string {
	for _, p := range [...]*string{a.AssetName, a.DNSName, a.NetbiosName, a.Address} {
		if s := clean(p); s != "" {
			return s
		}
	}
	return "asset-" + uid
}

func operatingSystem(os *csamapi.OperatingSystem) string {
	if os == nil {
		return ""
	}
	if s := clean(os.FullName); s != "" {
		return s
	}
	return clean(os.OsName)
}

func description(osName string, hw *csamapi.Hardware) string {
	if isPlaceholder(osName) {
		osName = ""
	}
	var hwName string
	if hw != nil {
		hwName = firstReal(hw.FullName)
	}
	switch {
	case osName != "" && hwName != "":
		return osName + " on " + hwName
	case osName != "":
		return osName
	default:
		return hwName
	}
}

func categories(a *csamapi.Asset, cloudInstance bool) []string {
	out := make([]string, 0, 6)
	add := func(s string) {
		if isPlaceholder(s) {
			return
		}
		for _, have := range out {
			if have == s {
				return
			}
		}
		out = append(out, s)
	}
	if hw := a.Hardware; hw != nil {
		var t1, t2 *string
		if hw.Taxonomy != nil {
			t1, t2 = hw.Taxonomy.Category1, hw.Taxonomy.Category2
		}
		add(firstNonEmpty(hw.Category1, t1))
		add(firstNonEmpty(hw.Category2, t2))
	}
	if os := a.OperatingSystem; os != nil {
		var t1, t2 *string
		if os.Taxonomy != nil {
			t1, t2 = os.Taxonomy.Category1, os.Taxonomy.Category2
		}
		add(firstNonEmpty(os.Category1, t1))
		add(firstNonEmpty(os.Category2, t2))
	}
	if cloudInstance {
		add("Cloud Instance")
	}
	if a.IsContainerHost != nil && *a.IsContainerHost {
		add("Container Host")
	}
	return out
}

func firstNonEmpty(ps ...*string) string {
	for _, p := range ps {
		if s := clean(p); s != "" {
			return s
		}
	}
	return ""
}

func tags(tl *csamapi.TagList) []string {
	if tl == nil {
		return []string{}
	}
	out := make([]string, 0, len(tl.Tag))
	for i := range tl.Tag {
		if s := clean(tl.Tag[i].TagName); s != "" {
			out = append(out, s)
		}
	}
	return sortUnique(out)
}

func agent(a *csamapi.Asset) *model.Agent {
	if a.AgentID == nil && a.Agent == nil {
		return nil
	}
	ag := &model.Agent{ID: clean(a.AgentID)}
	if g := a.Agent; g != nil {
		ag.Version = clean(g.Version)
		ag.ConfigurationProfile = clean(g.ConfigurationProfile)
		ag.ConnectedFrom = clean(g.ConnectedFrom)
		ag.LastActivity = instant(g.LastActivity)
		ag.LastCheckedIn = instant(g.LastCheckedIn)
		ag.LastInventory = instant(g.LastInventory)
	}
	return ag
}

func transformMap(a *csamapi.Asset, ports []model.OpenPort, nics []model.NetworkInterface) model.TransformMap {
	tm := model.TransformMap{
		DNSName:          clean(a.DNSName),
		AssetUUID:        clean(a.AssetUUID),
		BIOSSerialNumber: clean(a.BiosSerialNumber),
		OpenPortNumbers:  make([]int64, 0, len(ports)),
	}
	if a.HostID != nil {
		tm.HostID = strconv.FormatInt(*a.HostID, 10)
	}
	if os := a.OperatingSystem; os != nil {
		tm.OperatingSystemName = clean(os.OsName)
		tm.OperatingSystemVersion = clean(os.Version)
	}
	if hw := a.Hardware; hw != nil {
		tm.HardwareManufacturer = clean(hw.Manufacturer)
		tm.HardwareModel = clean(hw.Model)
	}
	// ports are sorted by port already: keep each number once.
	for i := range ports {
		if n := len(tm.OpenPortNumbers); n == 0 || tm.OpenPortNumbers[n-1] != ports[i].Port {
			tm.OpenPortNumbers = append(tm.OpenPortNumbers, ports[i].Port)
		}
	}
	var v4 addrSet
	for i := range nics {
		for _, s := range nics[i].IPv4 {
			if ad, ok := parseAddr(s); ok && hostAddr(ad).Is4() {
				v4.add(ad)
			}
		}
	}
	tm.NetworkInterfaceIPv4 = v4.strings()
	return tm
}
