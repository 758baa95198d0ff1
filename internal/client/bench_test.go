package client

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The benchmark page: 300 realistic hosts with ~120 software records each
// and every sub-object filled, ~140 KB per host (csam-api.md §6.2: one
// asset can be 25 000 JSON lines).
const (
	benchHosts    = 300
	benchSoftware = 120
)

var benchPage = sync.OnceValue(func() []byte { return buildPage(benchHosts) })

// buildPage marshals a page of n hosts.
func buildPage(n int) []byte {
	assets := make([]jsontext.Value, n)
	for i := range assets {
		b, err := json.Marshal(benchAsset(i), json.FormatNilSliceAsNull(true))
		if err != nil {
			panic(err)
		}
		assets[i] = b
	}
	p := csamapi.AssetPage{
		ResponseMessage: csamapi.P(csamapi.MessageValidAPIAccess),
		Count:           csamapi.P(int64(n)),
		ResponseCode:    csamapi.P(csamapi.ResponseSuccess),
		LastSeenAssetID: csamapi.P(int64(40_000_000 + n - 1)),
		HasMore:         csamapi.P(int64(0)),
		AssetListData:   &csamapi.AssetListData{Asset: assets},
	}
	b, err := json.Marshal(p, json.FormatNilSliceAsNull(true))
	if err != nil {
		panic(err)
	}
	return b
}

func benchAsset(i int) csamapi.Asset {
	p := csamapi.P[string]
	n := func(v int64) *int64 { return &v }
	num := func(v string) csamapi.FlexString { return csamapi.FlexString{Value: v, Valid: true, Raw: true} }
	base := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	iso := func(d time.Duration) csamapi.Time { return csamapi.ISO(base.Add(d)) }
	ms := func(d time.Duration) csamapi.Time { return csamapi.Millis(base.Add(d).UnixMilli()) }
	lc := func() *csamapi.Lifecycle {
		return &csamapi.Lifecycle{GaDate: iso(-900 * 24 * time.Hour), EolDate: csamapi.Text("Not Announced"),
			EosDate: iso(700 * 24 * time.Hour), Stage: p("GA"), LifeCycleConfidence: p("Exact"),
			EolSupportStage: p(" "), EosSupportStage: p("Extended Support"), DetectionScore: n(90)}
	}
	host := fmt.Sprintf("srv-%05d.corp.example.com", i)
	a := csamapi.Asset{
		AssetID: int64(40_000_000 + i), AssetUUID: p(fmt.Sprintf("6f1c2b3a-%04x-4e5f-9a8b-%012x", i, i*7919)),
		HostID: n(int64(1_234_567_890_123_000 + i)), LastModifiedDate: iso(0), AgentID: p("0d4e2f1a-aaaa-bbbb-cccc-0123456789ab"),
		CreatedDate: iso(-400 * 24 * time.Hour), SensorLastUpdatedDate: iso(-time.Hour), AssetType: p("HOST"),
		Address: p(fmt.Sprintf("10.%d.%d.%d", i/65536, (i/256)%256, i%256)), DNSName: p(host), AssetName: p(host),
		NetbiosName: p(fmt.Sprintf("SRV%05d", i)), TimeZone: p("+00:00"), BiosDescription: p("Dell Inc. 2.17.1 06/12/2024"),
		LastBoot: iso(-30 * 24 * time.Hour), TotalMemory: n(65536), CPUCount: n(32), LastLoggedOnUser: p(`CORP\svc_backup`),
		DomainRole: p("Member Server"), HwUUID: p("4c4c4544-0042-3510-8057-b4c04f4e3332"), BiosSerialNumber: p("7X2B5Q3"),
		BiosAssetTag: p("AT-998877"), IsContainerHost: csamapi.P(false),
		OperatingSystem: &csamapi.OperatingSystem{OsName: p("Windows Server 2022 Datacenter"), FullName: p("Microsoft Windows Server 2022 Datacenter 21H2 64-Bit"),
			Category: p("Windows / Server"), Category1: p("Windows"), Category2: p("Server"), ProductName: p("Windows Server 2022"),
			Publisher: p("Microsoft"), Edition: p("Datacenter"), MarketVersion: p("2022"), Version: p("21H2"), Update: p("20348.2582"),
			Architecture: p("64-Bit"), Lifecycle: lc(), Taxonomy: &csamapi.Taxonomy{ID: num("301"), Name: p("Windows / Server"), Category1: p("Windows"), Category2: p("Server")},
			ProductURL: p("https://www.microsoft.com/windows-server"), ProductFamily: p("Windows"), InstallDate: iso(-500 * 24 * time.Hour),
			Release: p("21H2"), CpeID: csamapi.FlexString{Value: "123456", Valid: true, Raw: true}, Cpe: p("cpe:2.3:o:microsoft:windows_server_2022:-:*:*:*:*:*:x64:*"), CpeType: p("Exact")},
		Hardware: &csamapi.Hardware{FullName: p("Dell PowerEdge R750"), Category: p("Computers / Server"), Category1: p("Computers"), Category2: p("Server"),
			Manufacturer: p("Dell"), ProductName: p("PowerEdge R750"), Model: p("R750"), Lifecycle: lc(),
			Taxonomy:   &csamapi.Taxonomy{ID: num("42"), Name: p("Computers / Server"), Category1: p("Computers"), Category2: p("Server")},
			ProductURL: p("https://www.dell.com/poweredge"), ProductFamily: p("PowerEdge")},
		SoftwareComponent: p("Yes"), Provider: p("AWS"),
		CloudProvider: &csamapi.CloudProvider{AWS: &csamapi.AWSCloud{EC2: &csamapi.EC2{AccountID: p("123456789012"), AvailabilityZone: p("eu-west-1a"),
			HasAgent: csamapi.P(true), Hostname: p(host), ImageID: p("ami-0abcdef1234567890"), InstanceID: p(fmt.Sprintf("i-%017x", i)),
			InstanceState: p("RUNNING"), InstanceType: p("m6i.8xlarge"), QualysScanner: csamapi.P(false), Launchdate: ms(-60 * 24 * time.Hour),
			PrivateDNS: p("ip-10-0-0-1.eu-west-1.compute.internal"), PrivateIPAddress: p("10.0.0.1"), PublicIPAddress: p("203.0.113.10"),
			Region: &csamapi.Region{Code: p("eu-west-1"), Name: p("Europe (Ireland)")}, SpotInstance: csamapi.P(false), SubnetID: p("subnet-0123"), VpcID: p("vpc-0456")},
			Tags: []csamapi.KeyValue{{Key: p("env"), Value: p("prod")}, {Key: p("owner"), Value: p("dba-team")}}}},
		Agent: &csamapi.Agent{Version: p("6.1.0.28"), ConfigurationProfile: p("Server Profile"), Activations: []csamapi.Activation{{Key: p("VM"), Status: p("ACTIVE")}, {Key: p("PC"), Status: p("ACTIVE")}},
			ConnectedFrom: p("203.0.113.10"), LastActivity: ms(-time.Hour), LastCheckedIn: ms(-2 * time.Hour), LastInventory: ms(-3 * time.Hour),
			UdcManifestAssigned: csamapi.P(false), ErrorStatus: csamapi.P(false)},
		Sensor: &csamapi.Sensor{ActivatedForModules: []string{"VM", "PC", "CSAM", "EDR"}, PendingActivationForModules: []string{},
			LastVMScan: ms(-24 * time.Hour), LastComplianceScan: ms(-48 * time.Hour), LastFullScan: ms(-72 * time.Hour),
			LastVMScanDateScanner: ms(-24 * time.Hour), LastVMScanDateAgent: ms(-12 * time.Hour), LastPcScanDateScanner: csamapi.Millis(0),
			LastPcScanDateAgent: ms(-48 * time.Hour)},
		Container:         &csamapi.Container{Product: p("Docker"), Version: p("24.0.7"), NoOfContainers: n(3), NoOfImages: n(12), HasSensor: csamapi.FlexString{Value: "false", Valid: true}},
		Inventory:         &csamapi.Inventory{Source: p("QAGENT"), Created: ms(-400 * 24 * time.Hour), LastUpdated: ms(-time.Hour)},
		InventoryListData: &csamapi.InventoryListData{Inventory: []csamapi.Inventory{{Source: p("Cloud Agent"), Created: ms(-400 * 24 * time.Hour), LastUpdated: ms(-time.Hour)}}},
		Activity:          &csamapi.Activity{Source: p("Cloud Agent"), LastScannedDate: ms(-time.Hour)},
		TagList: &csamapi.TagList{Tag: []csamapi.Tag{{TagID: 7788990011, TagName: p("Production"), ForegroundColor: n(16777215), BackgroundColor: n(3355443), BusinessImpact: p("High"), CriticalityScore: n(5)},
			{TagID: 7788990012, TagName: p("Database Servers"), ForegroundColor: n(0), BackgroundColor: n(65280)}, {TagID: 7788990013, TagName: p("software:(publisher:*)")}}},
		LastLocation:        &csamapi.Location{Name: p("Dublin DC"), Continent: p("Europe"), Postal: p("D02"), Country: p("Ireland"), City: p("Dublin"), State: p("Leinster")},
		Criticality:         &csamapi.Criticality{Score: n(4), IsDefault: csamapi.P(false), LastUpdated: iso(-10 * 24 * time.Hour)},
		BusinessInformation: &csamapi.BusinessInformation{Company: p("Example Corp"), Department: p("Finance IT"), OwnedBy: p("jane.doe"), Environment: p("Production"), ManagedBy: p("ops"), SupportedBy: p("dba"), SupportGroup: p("DBA L2"), OperationalStatus: p("Operational")},
		AssignedLocation:    &csamapi.Location{Name: p("DUB-1"), Country: p("Ireland")},
		BusinessAppListData: &csamapi.BusinessAppListData{BusinessApp: []csamapi.BusinessApp{{Name: p("Ledger"), BusinessCriticality: p("High")}}},
		RiskScore:           n(712),
		PassiveSensor:       &csamapi.PassiveSensor{FirstScanDate: ms(-100 * 24 * time.Hour), LastScanDate: ms(-time.Hour)},
		Domain:              []string{"corp.example.com"}, Subdomain: []string{"srv.corp.example.com"}, MissingSoftware: []string{"EDR Sensor"},
		Whois:            csamapi.OneOrMany[csamapi.Whois]{Items: []csamapi.Whois{{Domain: p("example.com"), CreatedDate: iso(-3000 * 24 * time.Hour), Registrar: p("Example Registrar"), NameServers: []any{"ns1.example.com", "ns2.example.com"}}}},
		OrganizationName: []string{"Example Corp"}, ISP: p("Example ISP"), ASN: p("AS64500"), EasmTags: []string{"cloud"}, HostingCategory1: p("Cloud"),
		CustomAttributes: []csamapi.CustomAttribute{{Key: p("CostCenter"), Value: p("CC-1001"), ConnectorName: p("ServiceNow")}},
		LparID:           p(""),
		Processor:        csamapi.OneOrMany[csamapi.Processor]{Items: []csamapi.Processor{{Description: p("Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz"), Speed: n(2000), NumCPUs: n(32), NoOfSocket: n(2), ThreadsPerCore: n(2), CoresPerSocket: n(16), MultithreadingStatus: p("Enabled")}}, Single: true},
	}
	for u := range 6 {
		a.UserAccountListData = appendUser(a.UserAccountListData, fmt.Sprintf("user%02d", u))
	}
	a.OpenPortListData = &csamapi.OpenPortListData{}
	for _, port := range []int64{22, 80, 135, 139, 443, 445, 1433, 3389, 5985, 5986, 8080, 49664} {
		a.OpenPortListData.OpenPort = append(a.OpenPortListData.OpenPort, csamapi.OpenPort{Port: n(port), Description: p("service"), Protocol: p("TCP"),
			DetectedService: p("https"), FirstFound: iso(-300 * 24 * time.Hour), LastUpdated: iso(-time.Hour), Authorization: p("Authorized"), DetectionScore: n(100), DiscoverySources: p("Cloud Agent")})
	}
	a.VolumeListData = &csamapi.VolumeListData{Volume: []csamapi.Volume{{Name: p("C:"), Size: n(536870912000), Free: n(123456789012)}, {Name: p("D:"), Size: n(2199023255552), Free: n(999999999999)}}}
	a.NetworkInterfaceListData = &csamapi.NetworkInterfaceListData{NetworkInterface: []csamapi.NetworkInterface{
		{Hostname: p(host), AddressIPV4: p("10.0.0.1,10.0.0.2"), AddressIPV6: p("fe80::1"), MacAddress: p("00:11:22:33:44:55"), InterfaceName: p("Ethernet0"),
			DNSAddress: p("10.0.0.53, 10.0.1.53"), GatewayAddress: p("10.0.0.254"), Manufacturer: p("Intel"), MacVendorIntroDate: ms(-5000 * 24 * time.Hour), Netmask: p("255.255.255.0")},
		{Hostname: p(host), AddressIPV4: p("192.168.1.10"), MacAddress: p(""), InterfaceName: p("Ethernet1"), Netmask: p("255.255.255.0")}}}
	a.ServiceList = &csamapi.ServiceList{}
	for s := range 20 {
		a.ServiceList.Service = append(a.ServiceList.Service, csamapi.Service{Name: p(fmt.Sprintf("Svc%02d", s)), Description: p("Windows service description"), Status: p("RUNNING")})
	}
	a.SoftwareListData = &csamapi.SoftwareListData{}
	for s := range benchSoftware {
		id := int64(-9_000_000_000_000_000_000) + int64(s)*150_000_000_000_000_003 + int64(i)
		sw := csamapi.Software{
			ID: id, DiscoverySources: p("Cloud Agent"), FullName: p(fmt.Sprintf("Example Vendor Product %d 12.4.2", s)), SoftwareType: p("Application"),
			IsIgnored: csamapi.P(false), IgnoredReason: nil, Category: p("Databases / Database Servers"), Category1: p("Databases"), Category2: p("Database Servers"),
			ProductName: p(fmt.Sprintf("Product %d", s)), Component: p("Server"), Publisher: p("Example Vendor Inc."), Edition: p("Enterprise"),
			MarketVersion: p("12"), Version: p("12.4.2.1187"), Update: p("CU17"), Architecture: p("64-Bit"), InstallDate: iso(-200 * 24 * time.Hour),
			InstallPath: p(fmt.Sprintf(`C:\Program Files\Example Vendor\Product %d\`, s)), LastUpdated: iso(-2 * time.Hour), LastUseDate: iso(-3 * time.Hour),
			Language: p("English"), FormerlyKnownAs: p("Old Product Name"), IsPackage: csamapi.P(false), IsPackageComponent: csamapi.P(true),
			PackageName: p("Example Suite"), ProductURL: p("https://www.example.com/product"), ProductFamily: p("Example Family"),
			Lifecycle: lc(), SupportStageDesc: p("Mainstream Support"), License: &csamapi.License{Category: p("Commercial"), Subcategory: p("Licensed")},
			Authorization: p("Authorized"), DiscoveredPublisher: p("Example Vendor Inc."), DiscoveredName: p(fmt.Sprintf("Example Product %d", s)),
			DiscoveredVersion: p("12.4.2.1187"), AuthorizationDetectionScore: n(95), CpeID: csamapi.FlexString{Value: "cpe-778899", Valid: true},
			Cpe: p("cpe:2.3:a:example:product:12.4.2:*:*:*:*:*:*:*"), CpeType: p("Exact"),
		}
		if s%4 == 0 { // like live data: most records carry fewer optional values
			sw.SoftwareInstances = []csamapi.SoftwareInstance{{"instanceName": "MSSQLSERVER", "technology": "SQL Server", "version": "12.4",
				"port": csamapi.Number("1433"), "installPath": `C:\Program Files\X`, "firstSeen": "2025-01-01T00:00:00.000Z", "lastSeen": "2025-08-01T00:00:00.000Z"}}
		} else {
			sw.FormerlyKnownAs, sw.PackageName, sw.Language, sw.Update = nil, nil, nil, nil
		}
		a.SoftwareListData.Software = append(a.SoftwareListData.Software, sw)
	}
	return a
}

func appendUser(l *csamapi.UserAccountListData, name string) *csamapi.UserAccountListData {
	if l == nil {
		l = &csamapi.UserAccountListData{}
	}
	l.UserAccount = append(l.UserAccount, csamapi.UserAccount{Name: csamapi.P(name)})
	return l
}

// TestBenchPageDecodes checks the benchmark data on a few hosts: realistic
// size, decodes, and re-encodes to the same bytes.
func TestBenchPageDecodes(t *testing.T) {
	const hosts = 3
	b := buildPage(hosts)
	var got []*csamapi.Asset
	res, err := decodePage(bytes.NewReader(b), func(a *csamapi.Asset) bool {
		if len(got) < 2 {
			got = append(got, a)
		}
		return true
	})
	if err != nil || res.assets != hosts {
		t.Fatalf("assets=%d err=%v", res.assets, err)
	}
	perHost := len(b) / hosts
	if perHost < 100_000 || perHost > 200_000 {
		t.Errorf("host is %d bytes, want 100-200 KB", perHost)
	}
	if n := len(got[1].SoftwareListData.Software); n != benchSoftware {
		t.Errorf("software = %d", n)
	}
	// A decoded host re-encodes to the bytes it was decoded from.
	opts := json.JoinOptions(json.FormatNilSliceAsNull(true), json.Deterministic(true))
	want, _ := json.Marshal(benchAsset(1), opts)
	again, _ := json.Marshal(got[1], opts)
	if !bytes.Equal(want, again) {
		t.Errorf("round trip differs")
	}
}

// cpuTime is the process's user+system CPU time. The benchmarks report
// MB per CPU-second next to wall-clock MB/s because the machines they run
// on are shared: CPU time (GC workers included) is what decoding costs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration, bytes int64) {
	if d := cpuTime() - start; d > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/1e6/d.Seconds(), "MB/cpu-s")
	}
}

func BenchmarkDecodePage(b *testing.B) {
	page := benchPage()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	defer func() { reportCPU(b, cpu, int64(len(page))) }()
	assets := 0
	for b.Loop() {
		res, err := decodePage(bytes.NewReader(page), func(*csamapi.Asset) bool { return true })
		if err != nil {
			b.Fatal(err)
		}
		assets += res.assets
	}
	b.ReportMetric(float64(assets)/b.Elapsed().Seconds(), "assets/s")
}

func BenchmarkJSONValid(b *testing.B) {
	page := benchPage()
	b.Run("jsontext", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		cpu := cpuTime()
		defer func() { reportCPU(b, cpu, int64(len(page))) }()
		for b.Loop() {
			if !jsontext.Value(page).IsValid() {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		cpu := cpuTime()
		defer func() { reportCPU(b, cpu, int64(len(page))) }()
		for b.Loop() {
			if !stdjson.Valid(page) {
				b.Fatal("invalid")
			}
		}
	})
}

func BenchmarkScanHTTP(b *testing.B) {
	page := benchPage()
	g := newGateway(b, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(page)
	})
	c, _ := newClient(b, g)
	ctx := testCtx(b)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	defer func() { reportCPU(b, cpu, int64(len(page))) }()
	assets := 0
	for b.Loop() {
		for it, err := range c.Scan(ctx, AssetQuery{}) {
			if err != nil {
				b.Fatal(err)
			}
			if it.Asset != nil {
				assets++
			}
		}
	}
	b.ReportMetric(float64(assets)/b.Elapsed().Seconds(), "assets/s")
}
