package mapping

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/csamsync/csamsync/internal/csamapi"
)

var p = csamapi.P[string]

func TestMapAssetWithoutID(t *testing.T) {
	for _, a := range []*csamapi.Asset{nil, {}, {AssetName: p("no id")}} {
		_, err := MapAsset(a)
		if !errors.Is(err, ErrNoAssetID) || err.Error() != "asset without assetId" {
			t.Errorf("MapAsset(%v) error = %v, want ErrNoAssetID", a, err)
		}
	}
	if _, err := MapAsset(&csamapi.Asset{AssetID: -5}); err != nil {
		t.Errorf("negative assetId: %v", err)
	}
}

func TestNameFallbacks(t *testing.T) {
	tests := []struct {
		name string
		a    csamapi.Asset
		want string
	}{
		{"assetName", csamapi.Asset{AssetName: p(" App Server "), DNSName: p("app.example.com"), NetbiosName: p("APP"), Address: p("10.0.0.1")}, "App Server"},
		{"blank assetName", csamapi.Asset{AssetName: p("  "), DNSName: p("app.example.com"), NetbiosName: p("APP")}, "app.example.com"},
		{"netbios", csamapi.Asset{DNSName: p(""), NetbiosName: p("APP")}, "APP"},
		{"address", csamapi.Asset{Address: p("10.0.0.1")}, "10.0.0.1"},
		{"nothing", csamapi.Asset{}, "asset-7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.a.AssetID = 7
			rec, err := MapAsset(&tt.a)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Host.Name != tt.want {
				t.Errorf("name = %q, want %q", rec.Host.Name, tt.want)
			}
		})
	}
}

func TestHostnameRules(t *testing.T) {
	nic := func(hosts ...string) *csamapi.NetworkInterfaceListData {
		l := &csamapi.NetworkInterfaceListData{}
		for _, h := range hosts {
			l.NetworkInterface = append(l.NetworkInterface, csamapi.NetworkInterface{Hostname: p(h)})
		}
		return l
	}
	tests := []struct {
		name      string
		a         csamapi.Asset
		hostname  string
		hostnames []string
		dnsNames  []string
	}{
		{"fqdn first label, lower-case, trailing dot",
			csamapi.Asset{DNSName: p("Web01.Example.COM."), NetbiosName: p("WEB01"), AssetName: p("Web01.example.com")},
			"web01", []string{"web01", "web01.example.com"}, []string{"web01.example.com"}},
		{"dnsName is an IP: netbios",
			csamapi.Asset{DNSName: p("10.0.0.1"), NetbiosName: p("NB-1")},
			"nb-1", []string{"nb-1"}, []string{}},
		{"assetName fqdn",
			csamapi.Asset{AssetName: p("db.internal.example")},
			"db", []string{"db", "db.internal.example"}, []string{}},
		{"free-text assetName skipped, NIC host names",
			csamapi.Asset{AssetName: p("My Server (prod)"), NetworkInterfaceListData: nic("zeta.example.net", "Alpha", "")},
			"alpha", []string{"alpha", "zeta.example.net"}, []string{"zeta.example.net"}},
		{"single-label dnsName is a DNS name",
			csamapi.Asset{DNSName: p("example-host")},
			"example-host", []string{"example-host"}, []string{"example-host"}},
		{"cloud host name and DNS",
			csamapi.Asset{CloudProvider: &csamapi.CloudProvider{AWS: &csamapi.AWSCloud{EC2: &csamapi.EC2{
				Hostname: p("ip-10-0-0-1"), PrivateDNS: p("ip-10-0-0-1.ec2.internal"), PublicDNS: p("EC2-1-2-3-4.compute-1.amazonaws.com")}}}},
			"ip-10-0-0-1", []string{"ip-10-0-0-1"},
			[]string{"ec2-1-2-3-4.compute-1.amazonaws.com", "ip-10-0-0-1.ec2.internal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.a.AssetID = 1
			rec, _ := MapAsset(&tt.a)
			h := rec.Host
			if h.Hostname != tt.hostname {
				t.Errorf("hostname = %q, want %q", h.Hostname, tt.hostname)
			}
			if !slices.Equal(h.Hostnames, tt.hostnames) {
				t.Errorf("hostnames = %q, want %q", h.Hostnames, tt.hostnames)
			}
			if !slices.Equal(h.DNSNames, tt.dnsNames) {
				t.Errorf("dnsNames = %q, want %q", h.DNSNames, tt.dnsNames)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := map[string]int{
		"10.0.0.1": classPrivate, "172.16.5.4": classPrivate, "192.168.1.1": classPrivate,
		"127.0.0.1": classPrivate, "169.254.1.1": classPrivate, "100.64.0.1": classPrivate,
		"100.127.255.254": classPrivate, "fe80::1": classPrivate, "fd00::1": classPrivate, "::1": classPrivate,
		"8.8.8.8": classPublic, "100.128.0.1": classPublic, "203.0.113.5": classPublic,
		"2606:4700::1111": classPublic, "172.32.0.1": classPublic,
		"0.0.0.0": classNone, "::": classNone, "224.0.0.251": classNone, "ff02::fb": classNone,
		"255.255.255.255": classNone,
	}
	for s, want := range tests {
		if got := classify(hostAddr(netip.MustParseAddr(s))); got != want {
			t.Errorf("classify(%s) = %d, want %d", s, got, want)
		}
	}
}

func TestHostAddresses(t *testing.T) {
	a := &csamapi.Asset{
		AssetID: 1,
		Address: p("10.0.0.5"),
		NetworkInterfaceListData: &csamapi.NetworkInterfaceListData{NetworkInterface: []csamapi.NetworkInterface{
			{AddressIPV4: p("10.0.0.5, 8.8.4.4,  bogus ,192.168.0.9,224.0.0.1"), AddressIPV6: p("::ffff:8.8.4.4, fe80::1%eth0,2001:4860::8888")},
			{AddressIPV4: p("0.0.0.0, 2001:db8::7"), AddressIPV6: p("")},
		}},
		CloudProvider: &csamapi.CloudProvider{AWS: &csamapi.AWSCloud{EC2: &csamapi.EC2{
			PrivateIPAddress: p("10.0.0.5"), PublicIPAddress: p("52.1.2.3")}}},
	}
	rec, _ := MapAsset(a)
	h := rec.Host
	check := func(name string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	check("ipAddresses", h.IPAddresses, []string{"8.8.4.4", "10.0.0.5", "52.1.2.3", "192.168.0.9", "2001:db8::7", "2001:4860::8888", "fe80::1"})
	check("privateIpAddresses", h.PrivateIPAddresses, []string{"10.0.0.5", "192.168.0.9", "fe80::1"})
	check("publicIpAddresses", h.PublicIPAddresses, []string{"8.8.4.4", "52.1.2.3", "2001:db8::7", "2001:4860::8888"})
	if h.PublicIPAddress != "52.1.2.3" {
		t.Errorf("publicIpAddress = %q, want the cloud's 52.1.2.3", h.PublicIPAddress)
	}
	check("nic ipv4", h.NetworkInterfaces[1].IPv4, []string{"10.0.0.5", "8.8.4.4", "192.168.0.9", "224.0.0.1"})
	check("transformMap ipv4", h.TransformMap.NetworkInterfaceIPv4, []string{"8.8.4.4", "10.0.0.5", "192.168.0.9"})

	// Without a cloud address the primary address wins when public.
	a.CloudProvider = nil
	a.Address = p("8.8.4.4")
	rec, _ = MapAsset(a)
	if rec.Host.PublicIPAddress != "8.8.4.4" {
		t.Errorf("publicIpAddress = %q, want the primary 8.8.4.4", rec.Host.PublicIPAddress)
	}
}

func TestMACNormalisation(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"00:50:56:87:A1:B2", "00:50:56:87:a1:b2", true},
		{"00-50-56-87-a1-b2", "00:50:56:87:a1:b2", true},
		{"0050.5687.a1b2", "00:50:56:87:a1:b2", true},
		{"00505687A1B2", "00:50:56:87:a1:b2", true},
		{"02:42:ac:11:00:02:00:01", "02:42:ac:11:00:02:00:01", true},
		{"", "", false},
		{"00:00:00:00:00:00", "", false},
		{"FF:FF:FF:FF:FF:FF", "", false},
		{"xx:xx:xx:xx:xx:xx", "", false},
		{"00:50:56:87:a1", "", false},
		{"00:50:56:87:a1:b2:c3", "", false},
	}
	for _, tt := range tests {
		got, ok := normMAC(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("normMAC(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	a := &csamapi.Asset{AssetID: 1, NetworkInterfaceListData: &csamapi.NetworkInterfaceListData{NetworkInterface: []csamapi.NetworkInterface{
		{MacAddress: p("00-50-56-87-A1-B2")}, {MacAddress: p("")}, {MacAddress: p("00:00:00:00:00:00")}, {MacAddress: p("00:50:56:87:a1:b2")}, {},
	}}}
	rec, _ := MapAsset(a)
	if want := []string{"00:50:56:87:a1:b2"}; !slices.Equal(rec.Host.MacAddresses, want) {
		t.Errorf("macAddresses = %q, want %q", rec.Host.MacAddresses, want)
	}
}

func TestEachToken(t *testing.T) {
	var got []string
	eachToken(" a, b,,c;d  e\t", func(s string) { got = append(got, s) })
	if want := []string{"a", "b", "c", "d", "e"}; !slices.Equal(got, want) {
		t.Errorf("tokens = %q, want %q", got, want)
	}
}

func baseSoftware() csamapi.Software {
	return csamapi.Software{
		ID:           1111111111111111111,
		FullName:     p("Microsoft SQL Server 2019 (15.0.4385.2)"),
		ProductName:  p("SQL Server"),
		Publisher:    p("Microsoft"),
		Version:      p("15.0"),
		Update:       p("15.0.4385.2"),
		Architecture: p("x64"),
		InstallPath:  p(`C:\Program Files\Microsoft SQL Server`),
		InstallDate:  csamapi.ISO(time.Date(2025, 7, 26, 0, 0, 0, 0, time.UTC)),
	}
}

func TestSoftwareUIDRule(t *testing.T) {
	s := baseSoftware()
	key := "microsoft\x1fmicrosoft sql server 2019 (15.0.4385.2)\x1f15.0\x1fx64"
	sum := sha256.Sum256([]byte(key))
	if want, got := "sw-"+hex.EncodeToString(sum[:16]), SoftwareUID(&s); got != want {
		t.Errorf("SoftwareUID = %s, want %s (the documented rule)", got, want)
	}

	// Fallbacks and placeholders, checked against the documented key.
	u := csamapi.Software{ID: 42, FullName: p("Unknown"), ProductName: p("unknown"), DiscoveredName: p("Foo  Agent"),
		Publisher: p("Unknown"), DiscoveredPublisher: p("Foo Inc."), Update: p("1.2.3"), Architecture: p("N/A")}
	sum = sha256.Sum256([]byte("foo inc.\x1ffoo agent\x1f1.2.3\x1f"))
	if want, got := "sw-"+hex.EncodeToString(sum[:16]), SoftwareUID(&u); got != want {
		t.Errorf("fallback SoftwareUID = %s, want %s", got, want)
	}
	n := csamapi.Software{ID: -42, Version: p("1.0")}
	sum = sha256.Sum256([]byte("\x1f#-42\x1f1.0\x1f"))
	if want, got := "sw-"+hex.EncodeToString(sum[:16]), SoftwareUID(&n); got != want {
		t.Errorf("nameless SoftwareUID = %s, want %s", got, want)
	}
}

func TestSoftwareUIDStability(t *testing.T) {
	base := baseSoftware()
	uid := SoftwareUID(&base)
	same := map[string]func(*csamapi.Software){
		"other id":           func(s *csamapi.Software) { s.ID = -2432392843928159632 },
		"other install path": func(s *csamapi.Software) { s.InstallPath = p(`D:\SQL`) },
		"other install date": func(s *csamapi.Software) { s.InstallDate = csamapi.Text("Not Announced") },
		"last use":           func(s *csamapi.Software) { s.LastUseDate = csamapi.Millis(1752143538000) },
		"ignored":            func(s *csamapi.Software) { s.IsIgnored = csamapi.P(true); s.IgnoredReason = p("Hotfix") },
		"instances": func(s *csamapi.Software) {
			s.SoftwareInstances = []csamapi.SoftwareInstance{{"PORT": csamapi.Number("1433")}}
		},
		"case and spaces": func(s *csamapi.Software) {
			s.FullName = p("  MICROSOFT sql   Server 2019\t(15.0.4385.2) ")
			s.Publisher = p("microsoft ")
			s.Architecture = p("X64")
		},
		"update when version given": func(s *csamapi.Software) { s.Update = p("15.0.9999.9") },
	}
	for name, f := range same {
		s := baseSoftware()
		f(&s)
		if got := SoftwareUID(&s); got != uid {
			t.Errorf("%s: uid %s, want %s", name, got, uid)
		}
	}
	differ := map[string]func(*csamapi.Software){
		"version":      func(s *csamapi.Software) { s.Version = p("15.1") },
		"architecture": func(s *csamapi.Software) { s.Architecture = p("x86") },
		"publisher":    func(s *csamapi.Software) { s.Publisher = p("Contoso") },
		"full name":    func(s *csamapi.Software) { s.FullName = p("Microsoft SQL Server 2019 (15.0.4395.2)") },
	}
	for name, f := range differ {
		s := baseSoftware()
		f(&s)
		if got := SoftwareUID(&s); got == uid {
			t.Errorf("%s changed but the uid did not", name)
		}
	}

	// The "Unknown" trio of the Qualys sample: same placeholder productName,
	// publisher and version, three different software.
	seen := map[string]bool{}
	for _, fn := range []string{"Fullname", "Microsoft SQL Server 2017 Setup (English) 14.0.3485.1", "Microsoft SQL Server 2017 RsFx Driver 14.0.3485.1"} {
		s := csamapi.Software{FullName: p(fn), ProductName: p("Unknown"), Publisher: p("Unknown"), Version: p("14.0.3485.1")}
		seen[SoftwareUID(&s)] = true
	}
	if len(seen) != 3 {
		t.Errorf("placeholder product names collapsed distinct software into %d uids", len(seen))
	}
}

func TestSameSoftwareOnTwoHosts(t *testing.T) {
	s1, s2 := baseSoftware(), baseSoftware()
	s2.ID, s2.InstallPath, s2.InstallDate = 77, p(`E:\MSSQL`), csamapi.Time{}
	h1 := &csamapi.Asset{AssetID: 100, SoftwareListData: &csamapi.SoftwareListData{Software: []csamapi.Software{s1}}}
	h2 := &csamapi.Asset{AssetID: 200, SoftwareListData: &csamapi.SoftwareListData{Software: []csamapi.Software{s2}}}
	r1, _ := MapAsset(h1)
	r2, _ := MapAsset(h2)
	if r1.Packages[0].UID != r2.Packages[0].UID {
		t.Errorf("package uids differ: %s vs %s", r1.Packages[0].UID, r2.Packages[0].UID)
	}
	i1, i2 := r1.Installed[0], r2.Installed[0]
	if i1.Type != r1.Packages[0].UID || i2.Type != r2.Packages[0].UID {
		t.Errorf("installed type does not link to the package")
	}
	if i1.Targets != "100" || i2.Targets != "200" {
		t.Errorf("targets = %q, %q", i1.Targets, i2.Targets)
	}
	if !strings.HasPrefix(i1.UID, "100/"+i1.Type+"/") || !strings.HasPrefix(i2.UID, "200/"+i2.Type+"/") {
		t.Errorf("installed uids %q, %q", i1.UID, i2.UID)
	}
}

func TestInstalledUID(t *testing.T) {
	if got := InstalledUID("12", "sw-ab", ""); got != "12/sw-ab" {
		t.Errorf("no path: %q", got)
	}
	if got := InstalledUID("12", "sw-ab", "   "); got != "12/sw-ab" {
		t.Errorf("blank path: %q", got)
	}
	sum := sha256.Sum256([]byte("/usr/bin"))
	want := "12/sw-ab/" + hex.EncodeToString(sum[:4])
	if got := InstalledUID("12", "sw-ab", " /usr/bin "); got != want {
		t.Errorf("path: %q, want %q", got, want)
	}
	if InstalledUID("12", "sw-ab", "/usr/bin") == InstalledUID("12", "sw-ab", "/usr/local/bin") {
		t.Error("different install paths give the same uid")
	}
}

func TestSideBySideAndDuplicates(t *testing.T) {
	a, b, dup := baseSoftware(), baseSoftware(), baseSoftware()
	a.ID, b.ID, dup.ID = 30, 20, 10
	a.InstallPath = p(`C:\Program Files\SQL`)
	b.InstallPath = p(`C:\Program Files (x86)\SQL`)
	dup.InstallPath = p(` C:\Program Files\SQL `) // same copy as a, lower id
	dup.IgnoredReason = p("kept: lowest id")
	for _, order := range [][]csamapi.Software{{a, b, dup}, {dup, b, a}, {b, a, dup}} {
		rec, _ := MapAsset(&csamapi.Asset{AssetID: 9, SoftwareListData: &csamapi.SoftwareListData{Software: order}})
		if len(rec.Packages) != 1 {
			t.Fatalf("packages = %d, want 1", len(rec.Packages))
		}
		if got := rec.Packages[0].Attributes["software.id"]; got != "10" {
			t.Errorf("package from software.id %v, want the lowest id 10", got)
		}
		if len(rec.Installed) != 2 {
			t.Fatalf("installed = %d, want 2 (side by side; duplicate dropped)", len(rec.Installed))
		}
		if rec.Installed[0].UID == rec.Installed[1].UID {
			t.Error("side-by-side copies share a uid")
		}
		for _, ip := range rec.Installed {
			if ip.InstallPath == `C:\Program Files\SQL` && ip.Attributes["software.ignoredReason"] != "kept: lowest id" {
				t.Errorf("collision kept %v, want the record with the lowest id", ip.Attributes["software.id"])
			}
		}
	}
}

func TestExactSoftwareIDs(t *testing.T) {
	const body = `{"assetId": 5, "softwareListData": {"software": [
		{"id": -2432392843928159632, "fullName": "A", "version": "1"},
		{"id": 9223372036854775807, "fullName": "B", "version": "1"},
		{"id": -9223372036854775808, "fullName": "C", "version": "1"},
		{"id": 1111111111111111111, "fullName": "D", "version": "1"}]}}`
	var a csamapi.Asset
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatal(err)
	}
	rec, err := MapAsset(&a)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "-2432392843928159632", "B": "9223372036854775807", "C": "-9223372036854775808", "D": "1111111111111111111"}
	for _, pk := range rec.Packages {
		if got := pk.Attributes["software.id"]; got != want[pk.Name] {
			t.Errorf("package %s: software.id = %#v, want %q", pk.Name, got, want[pk.Name])
		}
	}
	ids := map[any]bool{}
	for _, ip := range rec.Installed {
		ids[ip.Attributes["software.id"]] = true
	}
	for _, id := range want {
		if !ids[id] {
			t.Errorf("installed packages lack software.id %q", id)
		}
	}
}

func TestDateValues(t *testing.T) {
	tests := []struct {
		name string
		in   csamapi.Time
		want string
		ok   bool
	}{
		{"null", csamapi.Time{}, "", false},
		{"iso", csamapi.Text("2025-08-20T11:32:15.000Z"), "2025-08-20T11:32:15Z", true},
		{"millis in iso", csamapi.Text("2025-08-20T11:32:15.250Z"), "2025-08-20T11:32:15.25Z", true},
		{"offset", csamapi.Text("2022-02-02T06:03:36.701+0000"), "2022-02-02T06:03:36.701Z", true},
		{"no zone", csamapi.Text("2025-07-09T14:21:12"), "2025-07-09T14:21:12Z", true},
		{"date only", csamapi.Text("2025-10-15"), "2025-10-15T00:00:00Z", true},
		{"epoch ms", csamapi.Millis(1752143538000), "2025-07-10T10:32:18Z", true},
		{"epoch ms string", csamapi.Text("1752143538000"), "2025-07-10T10:32:18Z", true},
		{"never", csamapi.Millis(0), "", false},
		{"never -1", csamapi.Millis(-1), "", false},
		{"never -1 as text", csamapi.Text("-1"), "", false},
		{"not announced", csamapi.Text("Not Announced"), "Not Announced", true},
		{"blank", csamapi.Text(" "), " ", true},
	}
	for _, tt := range tests {
		got, ok := dateValue(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: dateValue = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLastSeenFallback(t *testing.T) {
	inv, sensor, mod := csamapi.Millis(1752143538000), csamapi.Text("2025-07-11T00:00:00Z"), csamapi.Text("2025-07-12T00:00:00Z")
	tests := []struct {
		name string
		a    csamapi.Asset
		want csamapi.Time
	}{
		{"inventory", csamapi.Asset{Inventory: &csamapi.Inventory{LastUpdated: inv}, SensorLastUpdatedDate: sensor, LastModifiedDate: mod}, inv},
		{"sensor", csamapi.Asset{Inventory: &csamapi.Inventory{}, SensorLastUpdatedDate: sensor, LastModifiedDate: mod}, sensor},
		{"lastModified", csamapi.Asset{SensorLastUpdatedDate: csamapi.Text("Not Announced"), LastModifiedDate: mod}, mod},
	}
	for _, tt := range tests {
		tt.a.AssetID = 1
		rec, _ := MapAsset(&tt.a)
		if rec.Host.LastSeen == nil || !rec.Host.LastSeen.Equal(*tt.want.Ptr()) {
			t.Errorf("%s: lastSeen = %v, want %v", tt.name, rec.Host.LastSeen, tt.want.Ptr())
		}
	}
}

func TestCategoriesAndDescription(t *testing.T) {
	a := &csamapi.Asset{
		AssetID:         1,
		IsContainerHost: csamapi.P(true),
		Hardware:        &csamapi.Hardware{FullName: p("IBM Power System S924 9009-42G"), Category1: p("Computers"), Category2: p("Server")},
		OperatingSystem: &csamapi.OperatingSystem{OsName: p("Windows 7"), FullName: p("Microsoft Windows 7 (6.1)"), Category1: p("Windows"), Category2: p("Server")},
		CloudProvider:   &csamapi.CloudProvider{AWS: &csamapi.AWSCloud{EC2: &csamapi.EC2{InstanceID: p("i-0abc")}}},
	}
	rec, _ := MapAsset(a)
	if want := []string{"Computers", "Server", "Windows", "Cloud Instance", "Container Host"}; !slices.Equal(rec.Host.Categories, want) {
		t.Errorf("categories = %q, want %q", rec.Host.Categories, want)
	}
	if want := "Microsoft Windows 7 (6.1) on IBM Power System S924 9009-42G"; rec.Host.Description != want {
		t.Errorf("description = %q, want %q", rec.Host.Description, want)
	}
	if rec.Host.InstanceID != "i-0abc" || rec.Host.OperatingSystem != "Microsoft Windows 7 (6.1)" {
		t.Errorf("instanceId %q, operatingSystem %q", rec.Host.InstanceID, rec.Host.OperatingSystem)
	}

	a = &csamapi.Asset{
		AssetID:         1,
		Hardware:        &csamapi.Hardware{FullName: p("Unidentified"), Taxonomy: &csamapi.Taxonomy{Category1: p("Virtualized"), Category2: p("Unknown")}},
		OperatingSystem: &csamapi.OperatingSystem{OsName: p("Linux")},
	}
	rec, _ = MapAsset(a)
	if want := []string{"Virtualized"}; !slices.Equal(rec.Host.Categories, want) {
		t.Errorf("categories = %q, want %q", rec.Host.Categories, want)
	}
	if rec.Host.Description != "Linux" || rec.Host.OperatingSystem != "Linux" {
		t.Errorf("description %q, operatingSystem %q", rec.Host.Description, rec.Host.OperatingSystem)
	}
}

func TestGenericCloudInstance(t *testing.T) {
	const body = `{"assetId": 3, "cloudProvider": {"aws": null, "gcp": {"compute": {"instanceId": 8405612345678901234,
		"hostname": "vm-1.c.proj.internal", "privateIpAddress": "10.128.0.7", "publicIpAddress": "34.1.2.3", "macAddress": "42:01:0A:80:00:07"},
		"tags": [{"key": "team", "value": "web"}]}}}`
	var a csamapi.Asset
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatal(err)
	}
	rec, _ := MapAsset(&a)
	h := rec.Host
	if h.InstanceID != "8405612345678901234" {
		t.Errorf("instanceId = %q", h.InstanceID)
	}
	if h.PublicIPAddress != "34.1.2.3" || !slices.Equal(h.PrivateIPAddresses, []string{"10.128.0.7"}) {
		t.Errorf("addresses: public %q private %q", h.PublicIPAddress, h.PrivateIPAddresses)
	}
	if !slices.Equal(h.MacAddresses, []string{"42:01:0a:80:00:07"}) || h.Hostname != "vm-1" {
		t.Errorf("mac %q hostname %q", h.MacAddresses, h.Hostname)
	}
	if len(h.CloudTags) != 1 || h.CloudTags[0].Provider != "gcp" {
		t.Errorf("cloud tags %+v", h.CloudTags)
	}
	if got := h.Attributes["asset.cloudProvider.gcp.compute.instanceId"]; got != int64(8405612345678901234) {
		t.Errorf("instance id attribute %#v", got)
	}
}

// TestListsNeverNil checks every slice of a mapped bare asset.
func TestListsNeverNil(t *testing.T) {
	rec, _ := MapAsset(&csamapi.Asset{AssetID: 1})
	checkSlices(t, "Host", reflect.ValueOf(rec.Host))
	if rec.Packages == nil || rec.Installed == nil || rec.Host.Attributes == nil {
		t.Error("Packages, Installed or Attributes is nil")
	}
}

func checkSlices(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			t.Errorf("%s is nil", path)
		}
		for i := 0; i < v.Len(); i++ {
			checkSlices(t, path+"[]", v.Index(i))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			checkSlices(t, path+"."+v.Type().Field(i).Name, v.Field(i))
		}
	}
}
