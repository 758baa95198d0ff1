package emulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// The generator computes asset i on demand from (seed, i): nothing is
// stored per asset, so a million assets cost no more memory than a
// thousand. Every value comes from counter-based hashing (splitmix64), never
// from shared random state, so any asset can be produced in any order and
// the same seed always gives the same bytes.
//
// Filtering uses a cheap header (OS, tags, dates, source, cloud) computed
// without building the asset; the full asset is built only for matches and
// always starts from the same header so the two never disagree.

// baseAssetID is where synthetic ids start: 8-digit ids like real tenants.
const baseAssetID = 10_000_000

// idStride spaces ids: id(i) = baseAssetID + idStride*i + jitter(i) with
// jitter < idStride, so ids ascend strictly, have gaps, and id → index is
// one division.
const idStride = 7

// Hash streams, so that unrelated choices are independent.
const (
	streamJitter uint64 = iota + 1
	streamHeader
	streamAsset
	streamSoftware
	streamDetail
	streamPorts
	streamNICs
	streamOrg
	streamComponents
)

const (
	srcAgent uint8 = iota
	srcEASM
	srcInstance
)

const (
	cloudNone uint8 = iota
	cloudAWS
	cloudAzure
	cloudGCP
)

var sourceNames = [...]string{srcAgent: "QAGENT", srcEASM: "EASM", srcInstance: "INSTANCE_ID"}

const day = 24 * time.Hour

type generator struct {
	seed  uint64
	n     int
	ref   time.Time
	refMs int64
	cat   *catalog
}

func newGenerator(seed int64, n int) *generator {
	s := uint64(seed)
	// The reference time is fixed per seed (never the wall clock) so that
	// runs reproduce: 2026-06-01 plus up to 30 days.
	ref := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(mix(s^0x5eed)%(30*86400)) * time.Second)
	return &generator{seed: s, n: n, ref: ref, refMs: ref.UnixMilli(), cat: getCatalog()}
}

func (g *generator) hash(i int, stream uint64) uint64 {
	return mix(g.seed*0x9e3779b97f4a7c15 ^ mix(uint64(i)<<8|stream))
}

// id returns the asset id of base index i.
func (g *generator) id(i int) int64 {
	return baseAssetID + idStride*int64(i) + int64(g.hash(i, streamJitter)%idStride)
}

// index returns the base index whose id is exactly id.
func (g *generator) index(id int64) (int, bool) {
	if id < baseAssetID {
		return 0, false
	}
	i := (id - baseAssetID) / idStride
	if i >= int64(g.n) || g.id(int(i)) != id {
		return 0, false
	}
	return int(i), true
}

// firstAfter returns the smallest base index whose id is greater than c
// (g.n when there is none): O(1), which is what makes cursors cheap.
func (g *generator) firstAfter(c int64) int {
	if c < baseAssetID {
		return 0
	}
	i := (c - baseAssetID) / idStride
	if i >= int64(g.n) {
		return g.n
	}
	if g.id(int(i)) > c {
		return int(i)
	}
	return int(i) + 1
}

// rng is a tiny counter-based generator; a value type, so it costs nothing.
type rng struct{ s uint64 }

func (g *generator) rng(i int, stream uint64) rng { return rng{g.hash(i, stream)} }

func (r *rng) u64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix(r.s)
}

func (r *rng) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return int(r.u64() % uint64(n))
}

func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

func (r *rng) chance(pct int) bool { return r.intn(100) < pct }

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// header is what filters look at. For base assets it is computed from the
// index; for overlay assets (changed or added) it is read from the asset.
type header struct {
	id       int64
	idx      int            // base index, -1 for overlay assets
	ov       *csamapi.Asset // the overlay asset, nil for base assets
	os       int
	fam      family
	source   uint8
	cloud    uint8
	cloudStr bool // cloudProvider sent as the string "Amazon Web Services"
	tags     uint32
	custom   int // custom attribute set, -1 = none
	created  int64
	modified int64
	hostID   int64 // 0 = null
	risk     int64 // -1 = null
	crit     int64
	invUpd   int64
	role     int
	docker   bool
	unident  bool  // cloud-connector asset whose OS is "Linux / Unidentified"
	org      uint8 // index into orgDefs
}

func (g *generator) header(i int) header {
	r := g.rng(i, streamHeader)
	h := header{id: g.id(i), idx: i, custom: -1, risk: -1}
	w := r.intn(g.cat.osTotal)
	for k, c := range g.cat.osCum {
		if w < c {
			h.os = k
			break
		}
	}
	o := &osDefs[h.os]
	h.fam = o.fam
	server := h.fam == famWinServer || h.fam == famLinux
	switch {
	case o.plat == platAmzn2 || o.plat == platAmzn2023:
		h.cloud = cloudAWS
	case server:
		switch x := r.intn(100); {
		case x < 34:
			h.cloud = cloudAWS
		case x < 48:
			h.cloud = cloudAzure
		case x < 58:
			h.cloud = cloudGCP
		}
	}
	h.cloudStr = h.cloud == cloudAWS && r.chance(5)
	switch {
	case h.fam == famNetwork:
		h.source = srcEASM
	case h.cloud != cloudNone && r.chance(20):
		h.source = srcInstance
	case server && h.cloud == cloudNone && r.chance(6):
		h.source = srcEASM
	}
	h.role = r.intn(len(roles))
	h.docker = h.fam == famLinux && h.source == srcAgent && r.chance(15)

	// Dates: modified within 90 days before the reference time, created up
	// to three years before that; whole seconds, as CSAM sends ".000Z".
	h.modified = g.refMs - int64(r.intn(90*86400))*1000
	h.created = h.modified - int64(3600+r.intn(3*365*86400))*1000
	h.invUpd = h.modified - int64(r.intn(6*3600))*1000

	if h.source != srcEASM {
		h.hostID = 1_000_000 + int64(i)*3 + int64(r.intn(3))
	}
	if !r.chance(10) {
		h.risk = int64(r.intn(1000))
	}
	h.crit = int64(1 + r.intn(5))
	if h.source == srcAgent && r.chance(15) {
		h.custom = r.intn(len(customAttrSets))
	}

	// Tags: derived from the platform plus business tags.
	t := uint32(0)
	set := func(b int) { t |= 1 << b }
	switch h.fam {
	case famWinServer:
		set(tagWindowsServer)
	case famLinux:
		set(tagLinuxServer)
	case famWinClient:
		set(tagWorkstations)
	case famMac:
		set(tagWorkstations)
		set(tagMacOS)
	case famNetwork:
		set(tagNetworkDevices)
	}
	switch h.source {
	case srcAgent:
		set(tagCloudAgent)
	case srcEASM:
		set(tagEASM)
		set(tagInternetFacing)
		if r.chance(50) {
			set(tagShodan)
		}
	}
	switch h.cloud {
	case cloudAWS:
		set(tagAWS)
	case cloudAzure:
		set(tagAzure)
	case cloudGCP:
		set(tagGCP)
	}
	if server || h.fam == famNetwork {
		switch x := r.intn(100); {
		case x < 55:
			set(tagProduction)
		case x < 70:
			set(tagStaging)
		case x < 90:
			set(tagDevelopment)
		}
		if r.chance(10) {
			set(tagInternetFacing)
		}
		if r.chance(5) {
			set(tagDMZ)
			set(tagInternetFacing)
		}
		if r.chance(8) {
			set(tagPCI)
		}
	}
	switch x := r.intn(100); {
	case x < 45:
		set(tagBUA)
	case x < 80:
		set(tagBUB)
	}
	if r.chance(5) {
		set(tagCritical)
	}
	if r.chance(3) {
		set(tagQQL)
	}
	if r.chance(10) {
		set(tagDynamic)
	}
	h.tags = t
	h.unident = h.source == srcInstance && h.fam == famLinux && r.chance(50)
	// The organization comes from its own stream, so adding it changed no
	// other value.
	h.org = orgFor(g.hash(i, streamOrg))
	return h
}

var roles = []string{"app", "web", "db", "file", "dc", "build", "k8s", "mq", "cache", "mon"}

var envCodes = []string{"prd", "stg", "dev", "qa"}

// name is the assetName of a base asset; unique per index.
func (g *generator) name(h *header) string {
	i := h.idx
	env := envCodes[g.hash(i, streamHeader+100)%uint64(len(envCodes))]
	switch {
	case h.source == srcEASM && h.fam != famNetwork:
		return fmt.Sprintf("%s%d.example-corp.com", roles[h.role], i)
	case h.source == srcInstance && h.cloud == cloudAWS:
		return fmt.Sprintf("ip-10-%d-%d-%d.ec2.internal", i>>16&255, i>>8&255, i&255)
	}
	switch h.fam {
	case famWinServer:
		return fmt.Sprintf("WIN-%s-%s-%05d", strings.ToUpper(roles[h.role]), strings.ToUpper(env), i)
	case famWinClient:
		return fmt.Sprintf("LT-%05d", i)
	case famMac:
		return fmt.Sprintf("MAC-%05d", i)
	case famNetwork:
		return fmt.Sprintf("%s-edge-%05d", [...]string{"fw", "rtr", "sw"}[h.role%3], i)
	}
	return fmt.Sprintf("%s-%s-%05d", roles[h.role], env, i)
}

var customAttrSets = [][]string{
	{"Media State4", "Default Gateway", "Subnet Mask"},
	{"Department", "Cost Center"},
	{"Hostname", "Department", "Owner"},
	{"Media State4", "Department"},
	{"Patch Group", "Maintenance Window"},
	{"Owner", "Cost Center", "Data Classification"},
}

var departments = []string{"Engineering", "Finance", "Customer Support", "Design", "Operations", "Sales"}

// customValue returns the value of a custom attribute of base asset i.
func (g *generator) customValue(i int, key string) string {
	v := g.hash(i, streamHeader+200+uint64(len(key)))
	switch key {
	case "Media State4":
		return "Media disconnected"
	case "Default Gateway":
		return fmt.Sprintf("10.%d.%d.1", i>>16&255, i>>8&255)
	case "Subnet Mask":
		return "255.255.255.0"
	case "Department":
		return departments[v%uint64(len(departments))]
	case "Cost Center":
		return fmt.Sprintf("CC-%04d", v%10000)
	case "Hostname":
		return fmt.Sprintf("T-%d", 400+v%100)
	case "Owner":
		return []string{"jdoe", "asmith", "mkumar", "lchen", "ops-team"}[v%5]
	case "Patch Group":
		return []string{"Group A", "Group B", "Pilot"}[v%3]
	case "Maintenance Window":
		return []string{"Sun 02:00-04:00", "Sat 22:00-02:00", "Wed 01:00-03:00"}[v%3]
	case "Data Classification":
		return []string{"Confidential", "Internal", "Public", "Restricted"}[v%4]
	}
	return ""
}

// genOpts tells the generator which expensive parts the response needs.
type genOpts struct {
	noSoftware bool   // softwareListData not selected
	noDetail   bool   // ports, services, accounts, volumes, NICs not selected
	swType     string // softwareType filter ("" = all)
}

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func isoMs(v int64) csamapi.Time { return csamapi.ISO(ms(v)) }

var timeZones = []string{"+00:00", "GMT+9:30", "+05:30", "IST", "UTC", "-05:00", "-08:00", "+01:00", "GMT-5:00", "CET", "+02:00", "-07:00"}

func (g *generator) uuid(r *rng) string {
	a, b := r.u64(), r.u64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uint32(a>>32), uint16(a>>16), uint16(a)&0xfff, uint16(b>>48)&0x3fff|0x8000, b&0xffffffffffff)
}

// asset builds the full base asset for header h.
func (g *generator) asset(h header, opt genOpts) *csamapi.Asset {
	i := h.idx
	r := g.rng(i, streamAsset)
	o := &osDefs[h.os]
	hw := &hardwareDefs[pick(&r, o.hw)]
	switch h.cloud {
	case cloudAWS:
		hw = &hardwareDefs[hwAWS]
	case cloudAzure:
		hw = &hardwareDefs[hwAzure]
	case cloudGCP:
		hw = &hardwareDefs[hwGCP]
	}
	name := g.name(&h)
	sparse := h.source != srcAgent // EASM and cloud-connector assets know little
	ip := fmt.Sprintf("10.%d.%d.%d", 1+i>>16&127, i>>8&255, 1+i&127)
	publicIP := fmt.Sprintf("%d.%d.%d.%d", pick(&r, []int{3, 13, 18, 20, 34, 35, 52, 54, 104, 198}), r.intn(256), r.intn(256), 1+r.intn(254))
	dns := name
	if !strings.Contains(name, ".") {
		dns = strings.ToLower(name) + ".corp.example.com"
	}

	a := &csamapi.Asset{AssetID: h.id}
	uuid := g.uuid(&r)
	a.AssetUUID = csamapi.P(uuid)
	if h.hostID != 0 {
		a.HostID = csamapi.P(h.hostID)
	}
	a.LastModifiedDate = isoMs(h.modified)
	if h.source == srcAgent {
		if r.chance(50) {
			a.AgentID = a.AssetUUID
		} else {
			a.AgentID = csamapi.P(g.uuid(&r))
		}
	}
	a.CreatedDate = isoMs(h.created)
	a.SensorLastUpdatedDate = isoMs(h.modified - int64(r.intn(2))*1000)
	a.AssetType = csamapi.P("HOST")
	if h.source == srcEASM {
		a.Address = csamapi.P(publicIP)
	} else {
		a.Address = csamapi.P(ip)
	}
	a.DNSName = csamapi.P(dns)
	a.AssetName = csamapi.P(name)
	win := h.fam == famWinServer || h.fam == famWinClient
	if !sparse {
		if win {
			a.NetbiosName = csamapi.P(strings.ToUpper(strings.SplitN(name, ".", 2)[0]))
		}
		a.TimeZone = csamapi.P(pick(&r, timeZones))
		if h.fam != famNetwork {
			a.BiosDescription = csamapi.P(biosDescription(hw, &r))
			a.LastBoot = isoMs(h.modified - int64(r.intn(60*86400))*1000)
			a.TotalMemory = csamapi.P(int64(pick(&r, memorySizes(h.fam))))
			a.CPUCount = csamapi.P(int64(pick(&r, []int{2, 4, 4, 8, 8, 16, 32})))
			a.HwUUID = csamapi.P(g.uuid(&r))
			a.BiosSerialNumber = csamapi.P(fmt.Sprintf("%s%07X", strings.ToUpper(hw.manufacturer[:2]), r.u64()%0xFFFFFFF))
			switch r.intn(3) {
			case 0:
				a.BiosAssetTag = csamapi.P("")
			case 1:
				a.BiosAssetTag = csamapi.P(fmt.Sprintf("AT-%06d", i))
			}
		}
		switch h.fam {
		case famWinServer:
			a.LastLoggedOnUser = csamapi.P(`CORP\` + pick(&r, []string{"svc_backup", "administrator", "jdoe", "asmith"}))
			a.DomainRole = csamapi.P(pick(&r, []string{"Member Server", "Member Server", "Member Server", "Primary Domain Controller", "Backup Domain Controller"}))
		case famWinClient:
			a.LastLoggedOnUser = csamapi.P(`CORP\` + pick(&r, []string{"jdoe", "asmith", "mkumar", "lchen", "pgarcia"}))
			a.DomainRole = csamapi.P("Member Workstation")
		case famLinux:
			a.LastLoggedOnUser = csamapi.P(pick(&r, []string{"root", "ec2-user", "ubuntu", "admin", "deploy"}))
		case famMac:
			a.LastLoggedOnUser = csamapi.P(pick(&r, []string{"jdoe", "asmith", "lchen"}))
		}
	}
	if h.fam != famNetwork {
		a.IsContainerHost = csamapi.P(h.docker)
	}
	a.OperatingSystem = osBlock(o, h.unident)
	a.Hardware = hwBlock(hw)

	// Optional parts draw from their own streams, so that skipping them
	// (field selection) never changes any other value.
	if !opt.noDetail && !sparse {
		rd := g.rng(i, streamDetail)
		a.UserAccountListData = userAccounts(&rd, h.fam)
		a.VolumeListData = volumes(&rd, h.fam)
		a.ServiceList = services(&rd, h.fam, h.docker)
	}
	if !opt.noDetail {
		rp, rn := g.rng(i, streamPorts), g.rng(i, streamNICs)
		if h.source != srcInstance {
			a.OpenPortListData = openPorts(&rp, &h)
		}
		a.NetworkInterfaceListData = nics(&rn, &h, name, ip, publicIP)
	}
	if !opt.noSoftware {
		a.SoftwareListData = g.software(&h, o, opt.swType)
	}

	g.cloudBlock(a, &r, &h, name, ip, publicIP)
	if h.source == srcAgent {
		a.Agent = agentBlock(&r, &h, publicIP)
	}
	a.Sensor = sensorBlock(&r, &h)
	if h.docker {
		a.Container = &csamapi.Container{
			Product: csamapi.P("Docker"), Version: csamapi.P(pick(&r, []string{"24.0.7", "26.1.4", "27.3.1"})),
			NoOfContainers: csamapi.P(int64(r.intn(40))), NoOfImages: csamapi.P(int64(1 + r.intn(25))),
			// A JSON false: FlexString has no bool kind, but a Number is
			// written as its raw literal.
			HasSensor: csamapi.FlexString{Value: "false", Valid: true, Raw: true},
		}
	}
	src := sourceNames[h.source]
	invCreated := h.created + int64(r.intn(3))*1000
	a.Inventory = &csamapi.Inventory{Source: csamapi.P(src), Created: csamapi.Millis(invCreated), LastUpdated: csamapi.Millis(h.invUpd)}
	if r.chance(50) {
		display := map[uint8]string{srcAgent: "Cloud Agent", srcEASM: "EASM", srcInstance: cloudDisplay[h.cloud]}[h.source]
		inv := []csamapi.Inventory{{Source: csamapi.P(display), Created: csamapi.Millis(invCreated - 1000), LastUpdated: csamapi.Millis(h.invUpd + 19_000)}}
		if h.source == srcAgent && h.cloud != cloudNone {
			inv = append(inv, csamapi.Inventory{Source: csamapi.P(cloudDisplay[h.cloud]), Created: csamapi.Millis(invCreated - 86_400_000), LastUpdated: csamapi.Millis(h.invUpd - 3_600_000)})
		}
		a.InventoryListData = &csamapi.InventoryListData{Inventory: inv}
	}
	if h.source != srcInstance {
		a.Activity = &csamapi.Activity{Source: csamapi.P(src), LastScannedDate: csamapi.Millis(h.invUpd - int64(r.intn(86400))*1000)}
	}
	a.TagList = tagList(h.tags)
	if h.source == srcAgent && r.chance(70) {
		a.LastLocation = pick(&r, locations)
	}
	a.Criticality = &csamapi.Criticality{Score: csamapi.P(h.crit), IsDefault: csamapi.P(r.chance(70))}
	if r.chance(60) {
		a.Criticality.LastUpdated = isoMs(h.created + int64(r.intn(86400))*1000)
	}
	if r.chance(10) {
		a.BusinessInformation = &csamapi.BusinessInformation{
			Company: csamapi.P("Example Corp"), Department: csamapi.P(pick(&r, departments)),
			OwnedBy: csamapi.P(pick(&r, []string{"Paul", "Amit", "Nick", "Sara"})), Environment: csamapi.P(pick(&r, []string{"Production", "QA", "Development"})),
			ManagedBy: csamapi.P("IT Operations"), SupportedBy: csamapi.P("Service Desk"), SupportGroup: csamapi.P("ABC_01"),
			OperationalStatus: csamapi.P(pick(&r, []string{"Operational", "Operational", "Non-Operational", "Blocked"})),
		}
	}
	if r.chance(10) {
		a.AssignedLocation = &csamapi.Location{Name: csamapi.P("4492 Camino De La Plaza, Pune,IN"), City: csamapi.P("Pune"), State: csamapi.P("MH"), Country: csamapi.P("IN")}
	}
	if r.chance(5) {
		a.BusinessAppListData = &csamapi.BusinessAppListData{BusinessApp: []csamapi.BusinessApp{{
			Name: csamapi.P(pick(&r, []string{"Quoting App", "Payroll", "Customer Portal", "Data Warehouse"})), BusinessCriticality: csamapi.P(pick(&r, []string{"1 - Most Critical", "2 - Less Critical", "3 - Not Critical"})),
		}}}
	}
	if h.risk >= 0 {
		a.RiskScore = csamapi.P(h.risk)
	}
	if h.source == srcEASM {
		g.easmBlock(a, &r, name)
	}
	a.OrganizationName = []string{orgDefs[h.org].name}
	if h.custom >= 0 {
		for _, k := range customAttrSets[h.custom] {
			a.CustomAttributes = append(a.CustomAttributes, csamapi.CustomAttribute{Key: csamapi.P(k), Value: csamapi.P(g.customValue(i, k)), ConnectorName: csamapi.P("Qualys")})
		}
	}
	if !sparse && h.fam != famNetwork {
		a.Processor = processor(&r, h.fam, a.CPUCount)
	}
	return a
}

var cloudDisplay = [...]string{cloudNone: "", cloudAWS: "AWS", cloudAzure: "Azure", cloudGCP: "GCP"}

func memorySizes(f family) []int {
	switch f {
	case famWinServer, famLinux:
		return []int{4096, 8192, 16384, 16384, 32768, 65536, 131072, 262144}
	case famNetwork:
		return []int{2048, 4096}
	}
	return []int{8192, 16384, 16384, 32768}
}

func biosDescription(hw *hwDef, r *rng) string {
	switch hw.manufacturer {
	case "VMware":
		return "Phoenix Technologies LTD 6.00, 11/12/2020"
	case "Amazon Web Services":
		return "Amazon EC2 1.0, 10/16/2017"
	case "Microsoft":
		return "Microsoft Corporation Hyper-V UEFI Release v4.1, 5/13/2024"
	case "Google":
		return "Google Google, 6/12/2024"
	case "Apple":
		return "Apple Inc. 10151.140.19"
	}
	return fmt.Sprintf("%s Inc. %d.%d.%d, %d/%d/%d", hw.manufacturer, 1+r.intn(3), r.intn(20), r.intn(9), 1+r.intn(12), 1+r.intn(28), 2021+r.intn(4))
}

// osBlock builds asset.operatingSystem. Cloud-connector-only assets may know
// just the platform ("Linux / Unidentified"), as in real INSTANCE_ID data.
func osBlock(o *osDef, unidentified bool) *csamapi.OperatingSystem {
	if unidentified && o.fam == famLinux {
		return &csamapi.OperatingSystem{
			OsName: csamapi.P("Linux"), FullName: csamapi.P("Linux"), Category: csamapi.P("Linux / Unidentified"),
			Category1: csamapi.P("Linux"), Category2: csamapi.P("Unidentified"), ProductName: csamapi.P("Unidentified"),
			Publisher: csamapi.P("Unidentified"), Lifecycle: &csamapi.Lifecycle{Stage: pUnknown},
			Taxonomy: &csamapi.Taxonomy{Name: csamapi.P("Linux / Unidentified"), Category1: csamapi.P("Linux"), Category2: csamapi.P("Unidentified")},
		}
	}
	cat := o.cat1 + " / " + o.cat2
	os := &csamapi.OperatingSystem{
		OsName: csamapi.P(o.osName), FullName: csamapi.P(o.fullName), Category: csamapi.P(cat),
		Category1: csamapi.P(o.cat1), Category2: csamapi.P(o.cat2), ProductName: csamapi.P(o.product),
		Publisher: csamapi.P(o.publisher), MarketVersion: csamapi.P(o.market), Version: csamapi.P(o.version),
		Update: csamapi.P(o.upd), ProductFamily: csamapi.P(o.prodFamily), Release: csamapi.P(o.release),
		Cpe: csamapi.P(o.cpe), CpeType: pNIST, ProductURL: csamapi.P("ProductURL"),
		Taxonomy: &csamapi.Taxonomy{Name: csamapi.P(cat), Category1: csamapi.P(o.cat1), Category2: csamapi.P(o.cat2)},
	}
	if o.edition != "" {
		os.Edition = csamapi.P(o.edition)
	}
	if o.arch != "" {
		os.Architecture = csamapi.P(o.arch)
	}
	lc := &csamapi.Lifecycle{GaDate: lcDate(o.ga), EolDate: lcDate(o.eol), EosDate: lcDate(o.eos), LifeCycleConfidence: pExact, DetectionScore: csamapi.P(int64(40))}
	eol, _ := csamapi.ParseTime(o.eol)
	eos, _ := csamapi.ParseTime(o.eos)
	lc.Stage = csamapi.P(stageAt(eol, eos, catalogRef))
	if o.eol == "Not Announced" {
		lc.EolSupportStage, lc.EosSupportStage = csamapi.P("Not Announced"), csamapi.P("Not Announced")
	} else {
		lc.EolSupportStage, lc.EosSupportStage = csamapi.P("Mainstream Support"), csamapi.P("Extended Support")
	}
	os.Lifecycle = lc
	return os
}

// lcDate turns a catalog date ("2016-10-12", "Not Announced", "") into the
// wire form: ISO with .000Z, the literal text, or null.
func lcDate(s string) csamapi.Time {
	if s == "" {
		return csamapi.Time{}
	}
	if t, ok := csamapi.ParseTime(s); ok {
		return csamapi.ISO(t)
	}
	return csamapi.Text(s)
}

func hwBlock(hw *hwDef) *csamapi.Hardware {
	cat := hw.cat1 + " / " + hw.cat2
	b := &csamapi.Hardware{
		FullName: csamapi.P(hw.full), Category: csamapi.P(cat), Category1: csamapi.P(hw.cat1), Category2: csamapi.P(hw.cat2),
		Manufacturer: csamapi.P(hw.manufacturer), ProductName: csamapi.P(hw.product), Model: csamapi.P(hw.model),
		Taxonomy:   &csamapi.Taxonomy{Name: csamapi.P(cat), Category1: csamapi.P(hw.cat1), Category2: csamapi.P(hw.cat2)},
		ProductURL: csamapi.P("ProductURL"),
	}
	if hw.family != "" {
		b.ProductFamily = csamapi.P(hw.family)
	}
	if hw.ga != "" {
		intro, obs := lcDate(hw.intro), lcDate(hw.obsolete)
		lc := &csamapi.Lifecycle{GaDate: lcDate(hw.ga), EosDate: lcDate(hw.eos), IntroDate: &intro, ObsoleteDate: &obs, LifeCycleConfidence: pExact}
		eos, _ := csamapi.ParseTime(hw.eos)
		obsT, _ := csamapi.ParseTime(hw.obsolete)
		switch {
		case !obsT.IsZero() && !catalogRef.Before(obsT):
			lc.Stage = csamapi.P("Obsolete")
		case !eos.IsZero() && !catalogRef.Before(eos):
			lc.Stage = csamapi.P("EOS")
		default:
			lc.Stage = csamapi.P("GA")
		}
		b.Lifecycle = lc
	} else {
		b.Lifecycle = &csamapi.Lifecycle{Stage: csamapi.P("Not Applicable")}
	}
	return b
}

var (
	winUsers   = []string{"Administrator", "Guest", "DefaultAccount", "WDAGUtilityAccount", "svc_backup", "svc_sql", "jdoe", "asmith", "helpdesk", "svc_monitor"}
	linuxUsers = []string{"root", "bin", "daemon", "adm", "lp", "sync", "shutdown", "halt", "mail", "operator", "games", "ftp", "nobody", "systemd-network", "dbus", "polkitd", "sshd", "chrony", "ec2-user", "deploy", "postgres", "nginx"}
)

func userAccounts(r *rng, f family) *csamapi.UserAccountListData {
	users := winUsers
	if f == famLinux || f == famMac {
		users = linuxUsers
	}
	if f == famNetwork {
		return nil
	}
	n := r.between(3, len(users))
	out := make([]csamapi.UserAccount, n)
	for k := range n {
		out[k].Name = &users[k]
	}
	return &csamapi.UserAccountListData{UserAccount: out}
}

func volumes(r *rng, f family) *csamapi.VolumeListData {
	var vs []csamapi.Volume
	add := func(name string, size int64) {
		free := size * int64(5+r.intn(90)) / 100
		vs = append(vs, csamapi.Volume{Name: csamapi.P(name), Size: csamapi.P(size), Free: csamapi.P(free)})
	}
	switch f {
	case famWinServer, famWinClient:
		// Windows volumes in GB, as in the vendor sample.
		add(`C:\`, int64(pick(r, []int{80, 127, 183, 256, 512})))
		if r.chance(60) {
			add(`D:\`, int64(pick(r, []int{100, 189, 500, 1024})))
		}
	case famLinux:
		// Linux and macOS in bytes, as in Elastic's live-derived sample.
		add("/", int64(pick(r, []int{20, 40, 48, 100}))<<30)
		add("/boot", 1<<30)
		if r.chance(50) {
			add("/var", int64(pick(r, []int{50, 100, 200}))<<30)
		}
		if r.chance(30) {
			add("/home", int64(pick(r, []int{20, 50}))<<30)
		}
	case famMac:
		add("/", int64(pick(r, []int{256, 512, 1024}))<<30)
	default:
		return nil
	}
	return &csamapi.VolumeListData{Volume: vs}
}

type svcDef struct{ name, desc string }

var winServices = []svcDef{
	{"wuauserv", "Windows Update"}, {"WinRM", "Windows Remote Management (WS-Management)"}, {"Spooler", "Print Spooler"},
	{"EventLog", "Windows Event Log"}, {"Dnscache", "DNS Client"}, {"LanmanServer", "Server"}, {"LanmanWorkstation", "Workstation"},
	{"W32Time", "Windows Time"}, {"BITS", "Background Intelligent Transfer Service"}, {"CryptSvc", "Cryptographic Services"},
	{"Dhcp", "DHCP Client"}, {"mpssvc", "Windows Defender Firewall"}, {"RpcSs", "Remote Procedure Call (RPC)"},
	{"Schedule", "Task Scheduler"}, {"TermService", "Remote Desktop Services"}, {"WinDefend", "Microsoft Defender Antivirus Service"},
	{"QualysAgent", "Qualys Cloud Agent"}, {"MSSQLSERVER", "SQL Server (MSSQLSERVER)"}, {"W3SVC", "World Wide Web Publishing Service"},
	{"SamSs", "Security Accounts Manager"}, {"Netlogon", "Netlogon"}, {"PlugPlay", "Plug and Play"}, {"Winmgmt", "Windows Management Instrumentation"},
	{"VMTools", "VMware Tools"}, {"gpsvc", "Group Policy Client"}, {"ProfSvc", "User Profile Service"}, {"Themes", "Themes"},
	{"AudioSrv", "Windows Audio"}, {"BFE", "Base Filtering Engine"}, {"DiagTrack", "Connected User Experiences and Telemetry"},
	{"iphlpsvc", "IP Helper"}, {"LSM", "Local Session Manager"}, {"NlaSvc", "Network Location Awareness"}, {"nsi", "Network Store Interface Service"},
	{"Power", "Power"}, {"SENS", "System Event Notification Service"}, {"ShellHWDetection", "Shell Hardware Detection"},
	{"SysMain", "SysMain"}, {"UsoSvc", "Update Orchestrator Service"}, {"VSS", "Volume Shadow Copy"}, {"WdiServiceHost", "Diagnostic Service Host"},
	{"WpnService", "Windows Push Notifications System Service"}, {"wscsvc", "Security Center"}, {"CSFalconService", "CrowdStrike Falcon Sensor Service"},
	{"SplunkForwarder", "SplunkForwarder Service"}, {"AmazonSSMAgent", "Amazon SSM Agent"}, {"SNMP", "SNMP Service"}, {"RemoteRegistry", "Remote Registry"},
}

var linuxServices = []string{
	"sshd.service", "crond.service", "rsyslog.service", "chronyd.service", "firewalld.service", "NetworkManager.service",
	"auditd.service", "qualys-cloud-agent.service", "systemd-journald.service", "systemd-logind.service", "systemd-udevd.service",
	"dbus.service", "polkit.service", "irqbalance.service", "tuned.service", "kdump.service", "getty@tty1.service",
	"amazon-ssm-agent.service", "cloud-init.service", "nginx.service", "httpd.service", "postgresql.service", "mariadb.service",
	"redis.service", "falcon-sensor.service", "splunkd.service", "lvm2-monitor.service", "multipathd.service", "atd.service",
	"postfix.service", "smartd.service", "snapd.service", "unattended-upgrades.service", "systemd-resolved.service",
}

func services(r *rng, f family, docker bool) *csamapi.ServiceList {
	var out []csamapi.Service
	switch f {
	case famWinServer, famWinClient:
		n := r.between(25, len(winServices))
		for k := range n {
			s := &winServices[k]
			st := "running"
			if r.chance(20) {
				st = "stopped"
			}
			out = append(out, csamapi.Service{Name: &s.name, Description: &s.desc, Status: csamapi.P(st)})
		}
	case famLinux:
		n := r.between(15, len(linuxServices))
		for k := range n {
			st := "loaded/active/running"
			if r.chance(15) {
				st = "loaded/inactive/dead"
			}
			out = append(out, csamapi.Service{Name: &linuxServices[k], Description: csamapi.P(strings.TrimSuffix(linuxServices[k], ".service") + " daemon"), Status: csamapi.P(st)})
		}
		if docker {
			out = append(out, csamapi.Service{Name: csamapi.P("docker.service"), Description: csamapi.P("Docker Application Container Engine"), Status: csamapi.P("loaded/active/running")})
		}
	default:
		return nil
	}
	return &csamapi.ServiceList{Service: out}
}

type portDef struct {
	port          int64
	proto, desc   string
	service       string
	winOK, unixOK bool
}

var portDefs = []portDef{
	{22, "TCP", "SSH Remote Login Protocol", "SSH", false, true},
	{23, "TCP", "Telnet protocol unencrypted text communications", "Telnet", false, true},
	{25, "TCP", "Simple Mail Transfer Protocol", "SMTP", true, true},
	{53, "UDP", "Domain Name Server", "DNS", true, true},
	{80, "TCP", "World Wide Web HTTP", "HTTP", true, true},
	{111, "TCP", "SUN Remote Procedure Call", "RPC", false, true},
	{123, "UDP", "Network Time Protocol", "NTP", true, true},
	{135, "TCP", "DCE endpoint resolution", "MSRPC", true, false},
	{139, "TCP", "NETBIOS Session Service", "NetBIOS", true, false},
	{161, "UDP", "SNMP", "SNMP", true, true},
	{389, "TCP", "Lightweight Directory Access Protocol", "LDAP", true, false},
	{443, "TCP", "http protocol over TLS/SSL", "HTTPs", true, true},
	{445, "TCP", "Microsoft-DS", "SMB", true, false},
	{1433, "TCP", "Microsoft-SQL-Server", "MSSQL", true, false},
	{3306, "TCP", "MySQL", "MySQL", true, true},
	{3389, "TCP", "MS WBT Server", "RDP", true, false},
	{5432, "TCP", "PostgreSQL Database", "PostgreSQL", true, true},
	{5985, "TCP", "WinRM HTTP", "HTTP", true, false},
	{6379, "TCP", "Redis key-value store", "Redis", false, true},
	{8080, "UDP", "HTTP Alternate (see port 80)", "HTTP", true, true},
	{8443, "TCP", "HTTPS Alternate", "HTTPs", true, true},
	{9200, "TCP", "Elasticsearch REST", "HTTP", true, true},
	{10001, "TCP", "Qualys Cloud Agent", "unknown", true, true},
}

func openPorts(r *rng, h *header) *csamapi.OpenPortListData {
	if h.fam == famWinClient || h.fam == famMac {
		if r.chance(60) {
			return nil
		}
	}
	win := h.fam == famWinServer || h.fam == famWinClient
	src := "Cloud Agent"
	if h.source == srcEASM {
		src = "EASM"
	}
	n := r.between(2, 8)
	var out []csamapi.OpenPort
	start := r.intn(len(portDefs))
	for k := 0; k < len(portDefs) && len(out) < n; k++ {
		p := &portDefs[(start+k*5)%len(portDefs)]
		if win && !p.winOK || !win && !p.unixOK {
			continue
		}
		first := h.created + int64(r.intn(86400*30))*1000
		op := csamapi.OpenPort{
			Port: &p.port, Protocol: &p.proto, Description: &p.desc, DetectedService: &p.service,
			FirstFound: isoMs(first), LastUpdated: isoMs(max(first, h.modified-int64(r.intn(86400*10))*1000)),
			DiscoverySources: csamapi.P(src),
		}
		if r.chance(10) {
			op.DetectionScore = csamapi.P(int64(100))
		}
		out = append(out, op)
	}
	return &csamapi.OpenPortListData{OpenPort: out}
}

var interfaceNames = map[family][]string{
	famWinServer: {"Ethernet0", "Ethernet", "Ethernet 2"},
	famWinClient: {"Ethernet", "Wi-Fi", "Ethernet 2"},
	famLinux:     {"eth0", "ens192", "ens5", "enp0s3"},
	famMac:       {"en0", "en1"},
	famNetwork:   {"GigabitEthernet0/0", "ge-0/0/0", "port1", "wan1"},
}

var nicVendors = []string{"VMware", "Intel Corporate", "Realtek", "Amazon", "Microsoft", "Broadcom", "Cisco Systems"}

func nics(r *rng, h *header, name, ip, publicIP string) *csamapi.NetworkInterfaceListData {
	n := 1
	if h.source == srcAgent && r.chance(30) {
		n = r.between(2, 3)
	}
	host := strings.ToLower(strings.SplitN(name, ".", 2)[0])
	out := make([]csamapi.NetworkInterface, n)
	for k := range n {
		v4 := ip
		if k > 0 {
			v4 = fmt.Sprintf("172.16.%d.%d", r.intn(256), 1+r.intn(254))
		}
		if h.source == srcEASM {
			v4 = publicIP
		}
		if r.chance(10) {
			v4 += fmt.Sprintf(",10.%d.%d.%d", 200+r.intn(50), r.intn(256), 1+r.intn(254))
		}
		nic := csamapi.NetworkInterface{
			Hostname: csamapi.P(host), AddressIPV4: csamapi.P(v4),
			InterfaceName: csamapi.P(pick(r, interfaceNames[h.fam])),
		}
		if r.chance(60) {
			nic.AddressIPV6 = csamapi.P(fmt.Sprintf("fe80::%x:%x:%x:%x", r.intn(65536), r.intn(65536), r.intn(65536), r.intn(65536)))
		}
		if r.chance(7) {
			nic.MacAddress = csamapi.P("")
		} else {
			nic.MacAddress = csamapi.P(fmt.Sprintf("00:50:56:%02x:%02x:%02x", r.intn(256), r.intn(256), r.intn(256)))
		}
		if h.source == srcAgent {
			nic.DNSAddress = csamapi.P(fmt.Sprintf("10.0.0.%d, 10.0.1.%d", 2+r.intn(10), 2+r.intn(10)))
			nic.GatewayAddress = csamapi.P(fmt.Sprintf("10.%d.%d.1", r.intn(128), r.intn(256)))
			nic.Manufacturer = csamapi.P(pick(r, nicVendors))
			nic.MacVendorIntroDate = csamapi.Millis(946944000000)
			if r.chance(50) {
				nic.Netmask = csamapi.P("255.255.255.0")
			}
		} else if h.source == srcInstance {
			nic.GatewayAddress = csamapi.P("")
			nic.InterfaceName = csamapi.P("")
		}
		out[k] = nic
	}
	return &csamapi.NetworkInterfaceListData{NetworkInterface: out}
}

// software builds the installed-software list: the pool's core products
// plus a distinct, hash-chosen subset of the optional ones, each at a
// version skewed towards the newest.
func (g *generator) software(h *header, o *osDef, swType string) *csamapi.SoftwareListData {
	r := g.rng(h.idx, streamSoftware)
	var pl *pool
	switch h.fam {
	case famWinServer:
		pl = g.cat.pools["winServer"]
	case famWinClient:
		pl = g.cat.pools["winClient"]
	case famMac:
		pl = g.cat.pools["mac"]
	case famNetwork:
		pl = g.cat.pools["network"]
	default:
		pl = g.cat.pools["linux"+strconv.Itoa(o.plat)]
	}
	plat := &g.cat.platforms[pl.plat]
	var n int
	switch {
	case h.source == srcInstance:
		n = r.between(1, 5)
	case h.source == srcEASM && h.fam != famNetwork:
		n = r.between(3, 15)
	case h.fam == famLinux:
		// Skewed: most Linux servers carry 100-250 packages, a few 600.
		u := float64(r.intn(1000)) / 1000
		n = o.swMin + int(u*u*u*float64(o.swMax-o.swMin))
	default:
		n = r.between(o.swMin, o.swMax)
	}
	total := len(pl.core) + len(pl.opt)
	n = min(n, total)
	picked := make([]int, 0, n+1)
	if h.source == srcAgent || h.fam == famNetwork {
		picked = append(picked, pl.core[:min(len(pl.core), n)]...)
	}
	if rest := n - len(picked); rest > 0 && len(pl.opt) > 0 {
		start, stride := r.intn(len(pl.opt)), pick(&r, pl.strides)
		for k := range rest {
			picked = append(picked, pl.opt[(start+k*stride)%len(pl.opt)])
		}
	}
	if h.docker && !slices.Contains(picked, g.cat.docker) {
		picked = append(picked, g.cat.docker)
	}
	out := make([]csamapi.Software, 0, len(picked))
	hostFrom := h.created - 400*86_400_000
	base := r.u64()
	for k, p := range picked {
		// One stream per record, so a softwareType filter drops records
		// without changing the ones it keeps.
		ri := rng{mix(base ^ uint64(k)*0x9e3779b97f4a7c15)}
		tv := plat.templates[p]
		vi := len(tv) - 1
		if x := ri.intn(100); x >= 70 && vi > 0 {
			vi--
			if x >= 90 && vi > 0 {
				vi--
			}
		}
		t := tv[vi]
		if swType != "" && !strings.EqualFold(*t.sw.SoftwareType, swType) {
			continue
		}
		s := t.sw
		x := ri.u64()
		if x%100 < 75 {
			s.InstallDate = isoMs(hostFrom + int64(x>>8%uint64(max(1, (h.modified-hostFrom)/1000)))*1000)
		}
		if x>>32%100 < 40 {
			s.LastUpdated = isoMs(h.modified - int64(x>>40%(60*86400))*1000)
		}
		if x>>20%100 < 5 {
			s.LastUseDate = isoMs(h.modified - int64(x>>28%(7*86400))*1000)
		}
		if t.path != nil && x>>48%100 < 60 {
			s.InstallPath = t.path
		}
		if t.prod.tech != "" && x>>54%10 < 7 {
			s.SoftwareInstances = instances(&ri, t, h)
		}
		out = append(out, s)
	}
	return &csamapi.SoftwareListData{Software: out}
}

// instances builds softwareInstances: camelCase keys as in the Qualys docs
// for most hosts, the UPPERCASE keys seen in live data for some.
func instances(r *rng, t *swTemplate, h *header) []csamapi.SoftwareInstance {
	n := 1
	if r.chance(20) {
		n = 2
	}
	out := make([]csamapi.SoftwareInstance, n)
	first := ms(h.created + int64(r.intn(86400*30))*1000).Format("2006-01-02T15:04:05.000Z")
	last := ms(h.modified - int64(r.intn(86400))*1000).Format("2006-01-02T15:04:05.000Z")
	ver := csamapi.Str(t.sw.Update)
	name := t.prod.name
	for k := range n {
		inst := name
		if k > 0 {
			inst = fmt.Sprintf("%s_%d", name, k+1)
		}
		if r.chance(80) {
			m := csamapi.SoftwareInstance{
				"instanceName": inst, "technology": t.prod.tech, "version": ver, "port": nil,
				"installPath": nil, "configurationPath": nil, "homePath": nil, "firstSeen": first, "lastSeen": last,
			}
			if t.path != nil {
				m["installPath"] = *t.path
			}
			if r.chance(50) {
				m["port"] = csamapi.Number(strconv.Itoa(pick(r, []int{80, 443, 1433, 3306, 5432, 6379, 8080, 9200})))
			}
			out[k] = m
			continue
		}
		bin := "/usr/bin/" + strings.ToLower(strings.Fields(name)[0])
		out[k] = csamapi.SoftwareInstance{
			"firstSeen": first, "lastSeen": last, "InstanceName": strings.ToUpper(inst),
			"PROC":     fmt.Sprintf("   %d       1 root     %s", 1000+r.intn(30000), bin),
			"BIN_PATH": bin, "PRODUCT": name, "VERSION": ver, "TECHNOLOGY": t.prod.tech,
			"CONF_PATH": "/etc/" + strings.ToLower(strings.Fields(name)[0]) + "/" + strings.ToLower(strings.Fields(name)[0]) + ".conf",
		}
	}
	return out
}

var awsRegions = [][2]string{{"us-east-1", "US East (N. Virginia)"}, {"us-west-2", "US West (Oregon)"}, {"eu-west-1", "Europe (Ireland)"}, {"eu-central-1", "Europe (Frankfurt)"}, {"ap-southeast-2", "Asia Pacific (Sydney)"}}

func cloudTags(r *rng, name string) []csamapi.KeyValue {
	tags := []csamapi.KeyValue{{Key: csamapi.P("Name"), Value: csamapi.P(name)}}
	if r.chance(70) {
		tags = append(tags, csamapi.KeyValue{Key: csamapi.P("Environment"), Value: csamapi.P(pick(r, []string{"prod", "staging", "dev"}))})
	}
	if r.chance(50) {
		tags = append(tags, csamapi.KeyValue{Key: csamapi.P("Owner"), Value: csamapi.P(pick(r, []string{"platform-team", "data-team", "it-ops"}))})
	}
	if r.chance(30) {
		tags = append(tags, csamapi.KeyValue{Key: csamapi.P("CostCenter"), Value: csamapi.P(fmt.Sprintf("CC-%04d", r.intn(10000)))})
	}
	return tags
}

func (g *generator) cloudBlock(a *csamapi.Asset, r *rng, h *header, name, ip, publicIP string) {
	switch h.cloud {
	case cloudNone:
		return
	case cloudAWS:
		a.Provider = csamapi.P("AWS")
		if h.cloudStr {
			a.CloudProvider = &csamapi.CloudProvider{Name: "Amazon Web Services"}
			return
		}
		reg := pick(r, awsRegions)
		priv := "ip-" + strings.ReplaceAll(ip, ".", "-")
		ec2 := &csamapi.EC2{
			AccountID: csamapi.P(fmt.Sprintf("%012d", r.u64()%1_000_000_000_000)), AvailabilityZone: csamapi.P(reg[0] + string(rune('a'+r.intn(3)))),
			HasAgent: csamapi.P(h.source == srcAgent), Hostname: csamapi.P(priv), ImageID: csamapi.P(fmt.Sprintf("ami-%017x", r.u64()>>4)),
			InstanceID: csamapi.P(fmt.Sprintf("i-%017x", r.u64()>>4)), InstanceState: csamapi.P(pick(r, []string{"RUNNING", "RUNNING", "RUNNING", "STOPPED"})),
			InstanceType: csamapi.P(pick(r, []string{"t3.medium", "m5.large", "m5.xlarge", "c5.2xlarge", "r5.large"})), QualysScanner: pFalse,
			Launchdate: csamapi.Millis(h.created - int64(r.intn(86400))*1000), PrivateDNS: csamapi.P(priv + ".ec2.internal"), PrivateIPAddress: csamapi.P(ip),
			Region: &csamapi.Region{Code: csamapi.P(reg[0]), Name: csamapi.P(reg[1])}, SpotInstance: csamapi.P(r.chance(10)),
			SubnetID: csamapi.P(fmt.Sprintf("subnet-%017x", r.u64()>>4)), VpcID: csamapi.P(fmt.Sprintf("vpc-%017x", r.u64()>>4)),
		}
		if r.chance(30) {
			ec2.PublicIPAddress = csamapi.P(publicIP)
			ec2.PublicDNS = csamapi.P("ec2-" + strings.ReplaceAll(publicIP, ".", "-") + ".compute-1.amazonaws.com")
		}
		a.CloudProvider = &csamapi.CloudProvider{AWS: &csamapi.AWSCloud{EC2: ec2, Tags: cloudTags(r, name)}}
	case cloudAzure:
		a.Provider = csamapi.P("Azure")
		vm := map[string]any{
			"vmId": g.uuid(r), "name": name, "location": pick(r, []string{"eastus", "westeurope", "centralindia"}),
			"vmSize": pick(r, []string{"Standard_D4s_v3", "Standard_B2ms", "Standard_E8s_v5"}), "subscriptionId": g.uuid(r),
			"resourceGroupName": "rg-" + pick(r, []string{"prod", "shared", "dev"}), "state": "RUNNING",
			"privateIpAddress": ip, "publicIpAddress": nil, "macAddress": fmt.Sprintf("00-0D-3A-%02X-%02X-%02X", r.intn(256), r.intn(256), r.intn(256)),
			"imageOffer": pick(r, []string{"WindowsServer", "RHEL", "0001-com-ubuntu-server-jammy"}), "imagePublisher": pick(r, []string{"MicrosoftWindowsServer", "RedHat", "Canonical"}),
			"imageVersion": "latest",
		}
		a.CloudProvider = &csamapi.CloudProvider{Azure: &csamapi.GenericCloud{Instance: vm, InstanceKey: "vm", Tags: cloudTags(r, name)}}
	case cloudGCP:
		a.Provider = csamapi.P("GCP")
		vm := map[string]any{
			"hostname": strings.ToLower(name), "instanceId": strconv.FormatUint(r.u64()%1e19, 10),
			"macAddress": fmt.Sprintf("42:01:0a:%02x:%02x:%02x", r.intn(256), r.intn(256), r.intn(256)), "machineType": pick(r, []string{"e2-standard-4", "n2-standard-8"}),
			"network": "default", "privateIpAddress": ip, "projectId": "example-" + pick(r, []string{"prod", "data", "shared"}),
			"projectNumber": fmt.Sprintf("%012d", r.u64()%1_000_000_000_000), "publicIpAddress": nil, "zone": pick(r, []string{"us-central1-a", "europe-west1-b"}),
			"state": "RUNNING", "imageId": "projects/debian-cloud/global/images/debian-12-bookworm-v20241112",
		}
		if h.fam == famWinServer {
			vm["imageId"] = "projects/windows-cloud/global/images/windows-server-2022-dc-v20241112"
		}
		a.CloudProvider = &csamapi.CloudProvider{GCP: &csamapi.GenericCloud{Instance: vm, InstanceKey: "compute", Tags: cloudTags(r, name)}}
	}
}

func agentBlock(r *rng, h *header, publicIP string) *csamapi.Agent {
	ag := &csamapi.Agent{
		Version:              csamapi.P(pick(r, []string{"5.6.0.20", "6.0.0.41", "6.1.0.28", "6.2.0.9"})),
		ConfigurationProfile: csamapi.P(pick(r, []string{"Initial Profile", "Servers Profile", "Workstations Profile"})),
		ConnectedFrom:        csamapi.P(publicIP),
		LastCheckedIn:        csamapi.Millis(h.invUpd), LastInventory: csamapi.Millis(h.invUpd + int64(r.intn(7200))*1000),
		UdcManifestAssigned: pFalse, ErrorStatus: pFalse,
	}
	if r.chance(10) {
		ag.LastActivity = csamapi.Millis(0)
	} else {
		ag.LastActivity = csamapi.Millis(h.invUpd - int64(r.intn(3600))*1000)
	}
	if r.chance(70) {
		for _, k := range []string{"VM", "PC", "SCA", "EDR", "FIM"}[:r.between(1, 5)] {
			ag.Activations = append(ag.Activations, csamapi.Activation{Key: csamapi.P(k), Status: csamapi.P("ACTIVE")})
		}
	}
	return ag
}

func sensorBlock(r *rng, h *header) *csamapi.Sensor {
	s := &csamapi.Sensor{ActivatedForModules: []string{}, PendingActivationForModules: []string{}}
	zero := csamapi.Millis(0)
	s.LastVMScan, s.LastComplianceScan, s.LastFullScan = zero, zero, zero
	s.LastVMScanDateScanner, s.LastVMScanDateAgent, s.LastPcScanDateScanner, s.LastPcScanDateAgent = zero, zero, zero, zero
	switch h.source {
	case srcAgent:
		s.ActivatedForModules = []string{"VM", "GAV", "CSAM", "PC", "SCA"}[:r.between(1, 5)]
		if r.chance(40) {
			t := csamapi.Millis(h.invUpd - int64(r.intn(7*86400))*1000)
			s.LastVMScan, s.LastVMScanDateAgent, s.LastFullScan = t, t, t
		}
	case srcEASM:
		s.FirstEasmScanDate = csamapi.Millis(h.created)
		s.LastEasmScanDate = csamapi.Millis(h.invUpd)
	case srcInstance:
		s.ActivatedForModules = []string{"SCA", "VM"}
	}
	return s
}

// tagList builds the tagList of a tag mask from the fixed tag set.
func tagList(mask uint32) *csamapi.TagList {
	if mask == 0 {
		return nil
	}
	var out []csamapi.Tag
	for b := range numTags {
		if mask&(1<<b) != 0 {
			out = append(out, staticTags[b])
		}
	}
	return &csamapi.TagList{Tag: out}
}

var staticTags = func() [numTags]csamapi.Tag {
	var out [numTags]csamapi.Tag
	for k, d := range tagDefs {
		t := csamapi.Tag{TagID: d.id, TagName: csamapi.P(d.name), ForegroundColor: csamapi.P(d.fg), BackgroundColor: csamapi.P(d.bg)}
		if d.impact != "" {
			t.BusinessImpact = csamapi.P(d.impact)
		}
		if d.crit != 0 {
			t.CriticalityScore = csamapi.P(d.crit)
		}
		out[k] = t
	}
	return out
}()

var locations = []*csamapi.Location{
	{City: csamapi.P("New York"), State: csamapi.P("New York"), Country: csamapi.P("United States"), Name: csamapi.P("New York, New York - United States"), Continent: csamapi.P("North America"), Postal: csamapi.P("10001")},
	{City: csamapi.P("San Jose"), State: csamapi.P("California"), Country: csamapi.P("United States"), Name: csamapi.P("San Jose, California - United States"), Continent: csamapi.P("North America"), Postal: csamapi.P("95131")},
	{City: csamapi.P("Pune"), State: csamapi.P("Maharashtra"), Country: csamapi.P("India"), Name: csamapi.P("Pune, Maharashtra - India"), Continent: csamapi.P("Asia"), Postal: csamapi.P("411001")},
	{City: csamapi.P("Frankfurt"), State: csamapi.P("Hesse"), Country: csamapi.P("Germany"), Name: csamapi.P("Frankfurt, Hesse - Germany"), Continent: csamapi.P("Europe"), Postal: csamapi.P("60311")},
	{City: csamapi.P("London"), State: csamapi.P("England"), Country: csamapi.P("United Kingdom"), Name: csamapi.P("London, England - United Kingdom"), Continent: csamapi.P("Europe"), Postal: csamapi.P("EC1A")},
}

func (g *generator) easmBlock(a *csamapi.Asset, r *rng, name string) {
	domain := "example-corp.com"
	a.Domain = []string{domain}
	a.Subdomain = []string{name}
	created := time.Date(2009+r.intn(10), time.Month(1+r.intn(12)), 1+r.intn(28), 0, 0, 0, 0, time.UTC)
	a.Whois = csamapi.OneOrMany[csamapi.Whois]{Items: []csamapi.Whois{{
		Domain: csamapi.P(domain), CreatedDate: csamapi.ISO(created), UpdatedDate: csamapi.ISO(g.ref.AddDate(0, -r.intn(12), 0).Truncate(day)),
		ExpirationDate: csamapi.ISO(g.ref.AddDate(1+r.intn(3), 0, 0).Truncate(day)), DNSSEC: csamapi.P("unsigned"),
		DomainStatus: csamapi.P("clientDeleteProhibited clientRenewProhibited clientTransferProhibited clientUpdateProhibited"),
		Registrar:    csamapi.P("MarkMonitor Inc."), RegistrantOrganization: csamapi.P("Example Corp"), RegistrantCountry: csamapi.P("UNITED STATES"),
	}}}
	a.ISP = csamapi.P(pick(r, []string{"Amazon.com, Inc.", "Cloudflare, Inc.", "Akamai Technologies", "Example Corp Networks"}))
	a.ASN = csamapi.P(pick(r, []string{"AS16509", "AS13335", "AS20940", "AS53831"}))
	a.EasmTags = []string{pick(r, []string{"cloud", "cdn", "waf", "login-page"})}
	a.HostingCategory1 = csamapi.P(pick(r, []string{"Cloud", "CDN", "On-Premise"}))
}

// processor is sent as an object by some hosts and an array by others.
func processor(r *rng, f family, cpus *int64) csamapi.OneOrMany[csamapi.Processor] {
	desc := "Intel(R) Xeon(R) Gold 6430"
	switch f {
	case famWinClient:
		desc = pick(r, []string{"Intel(R) Core(TM) i7-1265U", "Intel(R) Core(TM) i5-1345U", "AMD Ryzen 7 PRO 6850U"})
	case famMac:
		desc = pick(r, []string{"Apple M2 Pro", "Apple M3"})
	case famLinux, famWinServer:
		desc = pick(r, []string{"Intel(R) Xeon(R) Gold 6430", "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz", "AMD EPYC 7R13 Processor"})
	}
	p := csamapi.Processor{Description: csamapi.P(desc), Speed: csamapi.P(int64(pick(r, []int{2400, 2600, 3200}))), NumCPUs: cpus}
	if r.chance(50) {
		p.NoOfSocket = csamapi.P(int64(1 + r.intn(2)))
		p.ThreadsPerCore = csamapi.P(int64(2))
		p.CoresPerSocket = csamapi.P(int64(pick(r, []int{2, 4, 8})))
		p.MultithreadingStatus = csamapi.P("Enabled")
		return csamapi.OneOrMany[csamapi.Processor]{Items: []csamapi.Processor{p}, Single: true}
	}
	return csamapi.OneOrMany[csamapi.Processor]{Items: []csamapi.Processor{p}}
}
