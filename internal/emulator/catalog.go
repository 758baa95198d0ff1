package emulator

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// The catalog is the fixed, seed-independent world the generator draws from:
// operating systems, hardware models, tags and a software catalog of a few
// hundred products with several versions each. Software records are built
// once per process as templates (every static field filled in) so that
// generating a host only copies templates and adds per-host dates and paths.
// Templates are shared and must never be mutated.

// family is the broad kind of host; it drives every other choice.
type family uint8

const (
	famWinServer family = iota
	famWinClient
	famLinux
	famMac
	famNetwork
)

// catalogRef is the date lifecycle stages are computed against. It is fixed
// (not the seed-derived reference time) so the catalog is built once.
var catalogRef = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// osDef is one operating system release.
type osDef struct {
	fam                                      family
	weight                                   int
	osName, fullName, cat1, cat2, product    string
	publisher, edition, market, version, upd string
	arch, prodFamily, release, cpe           string
	ga, eol, eos                             string // yyyy-mm-dd, "Not Announced" or ""
	plat                                     int    // software platform (index into platforms)
	swMin, swMax                             int
	hw                                       []int // hardware models it runs on
	virtual                                  bool
}

// Software platforms: one template table each, because Linux package
// versions differ per distribution release.
const (
	platWindows = iota
	platMac
	platNetwork
	platEL7
	platEL8
	platEL9
	platUbuntu2004
	platUbuntu2204
	platUbuntu2404
	platDebian11
	platDebian12
	platAmzn2
	platAmzn2023
	numPlatforms
)

// linuxSuffix is the distribution release suffix of package versions.
var linuxSuffix = [numPlatforms]string{
	platEL7: ".el7", platEL8: ".el8", platEL9: ".el9",
	platUbuntu2004: "ubuntu0.20.04", platUbuntu2204: "ubuntu0.22.04", platUbuntu2404: "ubuntu0.24.04",
	platDebian11: "+deb11u", platDebian12: "+deb12u", platAmzn2: ".amzn2", platAmzn2023: ".amzn2023",
}

func isDeb(p int) bool { return p >= platUbuntu2004 && p <= platDebian12 }

// Hardware model indices used by osDefs.
const (
	hwDellR640 = iota
	hwDellR750
	hwHPEDL380
	hwLenovoSR650
	hwVMware
	hwHyperV
	hwAWS
	hwAzure
	hwGCP
	hwLatitude
	hwThinkPad
	hwEliteBook
	hwMacBookPro
	hwMacMini
	hwCat9300
	hwISR4331
	hwSRX345
	hwEX4300
	hwFortiGate100F
	hwFortiGate60F
)

type hwDef struct {
	full, cat1, cat2, manufacturer, product, model, family string
	intro, ga, eos, obsolete                               string
}

var hardwareDefs = []hwDef{
	hwDellR640:      {"Dell PowerEdge R640", "Computers", "Server", "Dell", "PowerEdge R640", "R640", "PowerEdge", "2017-07-11", "2017-07-11", "2024-05-31", "Not Announced"},
	hwDellR750:      {"Dell PowerEdge R750", "Computers", "Server", "Dell", "PowerEdge R750", "R750", "PowerEdge", "2021-03-16", "2021-03-16", "Not Announced", "Not Announced"},
	hwHPEDL380:      {"HPE ProLiant DL380 Gen10", "Computers", "Server", "HPE", "ProLiant DL380 Gen10", "DL380 Gen10", "ProLiant", "2017-07-11", "2017-10-01", "2025-12-31", "Not Announced"},
	hwLenovoSR650:   {"Lenovo ThinkSystem SR650", "Computers", "Server", "Lenovo", "ThinkSystem SR650", "7X06", "ThinkSystem", "2017-07-11", "2017-07-11", "Not Announced", "Not Announced"},
	hwVMware:        {"VMware Virtual Platform", "Virtualized", "Virtual Machine", "VMware", "Virtual Platform", "VMware7,1", "", "", "", "", ""},
	hwHyperV:        {"Microsoft Virtual Machine", "Virtualized", "Virtual Machine", "Microsoft", "Virtual Machine", "Virtual Machine", "", "", "", "", ""},
	hwAWS:           {"Amazon Web Services", "Virtualized", "Cloud Instance", "Amazon Web Services", "EC2", "m5.large", "", "", "", "", ""},
	hwAzure:         {"Microsoft Azure Virtual Machine", "Virtualized", "Cloud Instance", "Microsoft", "Azure Virtual Machine", "Standard_D4s_v3", "", "", "", "", ""},
	hwGCP:           {"Google Compute Engine", "Virtualized", "Cloud Instance", "Google", "Compute Engine", "e2-standard-4", "", "", "", "", ""},
	hwLatitude:      {"Dell Latitude 5420", "Computers", "Laptop", "Dell", "Latitude 5420", "5420", "Latitude", "2021-03-09", "2021-03-09", "Not Announced", "Not Announced"},
	hwThinkPad:      {"Lenovo ThinkPad T14 Gen 3", "Computers", "Laptop", "Lenovo", "ThinkPad T14 Gen 3", "21AH", "ThinkPad", "2022-05-01", "2022-05-01", "Not Announced", "Not Announced"},
	hwEliteBook:     {"HP EliteBook 840 G9", "Computers", "Laptop", "HP", "EliteBook 840 G9", "840 G9", "EliteBook", "2022-03-01", "2022-03-01", "Not Announced", "Not Announced"},
	hwMacBookPro:    {"Apple MacBook Pro (14-inch, 2023)", "Computers", "Laptop", "Apple", "MacBook Pro", "Mac14,9", "MacBook", "2023-01-24", "2023-01-24", "Not Announced", "Not Announced"},
	hwMacMini:       {"Apple Mac mini (2023)", "Computers", "Desktop", "Apple", "Mac mini", "Mac14,3", "Mac mini", "2023-01-24", "2023-01-24", "Not Announced", "Not Announced"},
	hwCat9300:       {"Cisco Catalyst 9300-48P", "Networking Device", "Switch", "Cisco", "Catalyst 9300", "C9300-48P", "Catalyst", "2017-06-01", "2017-06-01", "Not Announced", "Not Announced"},
	hwISR4331:       {"Cisco ISR 4331", "Networking Device", "Router", "Cisco", "ISR 4331", "ISR4331/K9", "ISR", "2014-10-01", "2014-10-01", "2023-11-07", "2028-11-30"},
	hwSRX345:        {"Juniper SRX345", "Networking Device", "Firewall", "Juniper", "SRX345", "SRX345", "SRX", "2016-04-01", "2016-04-01", "Not Announced", "Not Announced"},
	hwEX4300:        {"Juniper EX4300-48T", "Networking Device", "Switch", "Juniper", "EX4300", "EX4300-48T", "EX", "2013-06-01", "2013-06-01", "2024-03-31", "2029-03-31"},
	hwFortiGate100F: {"Fortinet FortiGate 100F", "Networking Device", "Firewall", "Fortinet", "FortiGate 100F", "FG-100F", "FortiGate", "2020-03-01", "2020-03-01", "Not Announced", "Not Announced"},
	hwFortiGate60F:  {"Fortinet FortiGate 60F", "Networking Device", "Firewall", "Fortinet", "FortiGate 60F", "FG-60F", "FortiGate", "2019-06-01", "2019-06-01", "Not Announced", "Not Announced"},
}

var (
	serverHW  = []int{hwDellR640, hwDellR750, hwHPEDL380, hwLenovoSR650, hwVMware, hwVMware, hwVMware, hwHyperV}
	clientHW  = []int{hwLatitude, hwThinkPad, hwEliteBook, hwLatitude}
	macHW     = []int{hwMacBookPro, hwMacBookPro, hwMacMini}
	ciscoHW   = []int{hwCat9300, hwISR4331}
	juniperHW = []int{hwSRX345, hwEX4300}
	fortiHW   = []int{hwFortiGate100F, hwFortiGate60F}
)

var osDefs = []osDef{
	{famWinServer, 6, "Windows Server 2016", "Microsoft Windows Server 2016 Standard", "Windows", "Server", "Windows Server 2016", "Microsoft", "Standard", "2016", "10.0.14393", "10.0.14393.7515", "64-bit", "Windows", "1607", "cpe:2.3:o:microsoft:windows_server_2016:-:*:*:*:*:*:*:*", "2016-10-12", "2022-01-11", "2027-01-12", platWindows, 60, 240, serverHW, false},
	{famWinServer, 9, "Windows Server 2019", "Microsoft Windows Server 2019 Datacenter", "Windows", "Server", "Windows Server 2019", "Microsoft", "Datacenter", "2019", "10.0.17763", "10.0.17763.6532", "64-bit", "Windows", "1809", "cpe:2.3:o:microsoft:windows_server_2019:-:*:*:*:*:*:*:*", "2018-11-13", "2024-01-09", "2029-01-09", platWindows, 60, 240, serverHW, false},
	{famWinServer, 9, "Windows Server 2022", "Microsoft Windows Server 2022 Standard", "Windows", "Server", "Windows Server 2022", "Microsoft", "Standard", "2022", "10.0.20348", "10.0.20348.2849", "64-bit", "Windows", "21H2", "cpe:2.3:o:microsoft:windows_server_2022:-:*:*:*:*:*:*:*", "2021-08-18", "2026-10-13", "2031-10-14", platWindows, 60, 240, serverHW, false},
	{famWinClient, 14, "Windows 10", "Microsoft Windows 10 Enterprise 22H2", "Windows", "Client", "Windows 10", "Microsoft", "Enterprise", "10", "10.0.19045", "10.0.19045.5131", "64-bit", "Windows", "22H2", "cpe:2.3:o:microsoft:windows_10:22h2:*:*:*:*:*:*:*", "2015-07-29", "2025-10-14", "2025-10-14", platWindows, 50, 180, clientHW, false},
	{famWinClient, 18, "Windows 11", "Microsoft Windows 11 Enterprise 23H2", "Windows", "Client", "Windows 11", "Microsoft", "Enterprise", "11", "10.0.22631", "10.0.22631.4460", "64-bit", "Windows", "23H2", "cpe:2.3:o:microsoft:windows_11:23h2:*:*:*:*:*:*:*", "2021-10-04", "Not Announced", "Not Announced", platWindows, 50, 180, clientHW, false},
	{famLinux, 2, "Red Hat Enterprise Linux 8", "Red Hat Enterprise Linux 8.10", "Linux", "Server", "Enterprise Linux", "Red Hat", "Server", "8", "8.10", "8.10", "x86_64", "Red Hat Enterprise Linux", "8.10", "cpe:2.3:o:redhat:enterprise_linux:8.10:*:*:*:*:*:*:*", "2019-05-07", "2024-05-31", "2029-05-31", platEL8, 100, 600, serverHW, false},
	{famLinux, 4, "Red Hat Enterprise Linux 9", "Red Hat Enterprise Linux 9.4", "Linux", "Server", "Enterprise Linux", "Red Hat", "Server", "9", "9.4", "9.4", "x86_64", "Red Hat Enterprise Linux", "9.4", "cpe:2.3:o:redhat:enterprise_linux:9.4:*:*:*:*:*:*:*", "2022-05-17", "2027-05-31", "2032-05-31", platEL9, 100, 600, serverHW, false},
	{famLinux, 2, "Ubuntu 20.04", "Ubuntu 20.04.6 LTS", "Linux", "Server", "Ubuntu", "Canonical", "LTS", "20.04", "20.04", "20.04.6 LTS", "x86_64", "Ubuntu", "20.04.6", "cpe:2.3:o:canonical:ubuntu_linux:20.04:*:*:*:lts:*:*:*", "2020-04-23", "2025-05-31", "2030-04-30", platUbuntu2004, 100, 600, serverHW, false},
	{famLinux, 4, "Ubuntu 22.04", "Ubuntu 22.04.5 LTS", "Linux", "Server", "Ubuntu", "Canonical", "LTS", "22.04", "22.04", "22.04 LTS 22.04.5 LTS", "x86_64", "Ubuntu", "22.04.5", "cpe:2.3:o:canonical:ubuntu_linux:22.04:*:*:*:lts:*:*:*", "2022-04-21", "2027-04-30", "2032-04-30", platUbuntu2204, 100, 600, serverHW, false},
	{famLinux, 3, "Ubuntu 24.04", "Ubuntu 24.04.1 LTS", "Linux", "Server", "Ubuntu", "Canonical", "LTS", "24.04", "24.04", "24.04.1 LTS", "x86_64", "Ubuntu", "24.04.1", "cpe:2.3:o:canonical:ubuntu_linux:24.04:*:*:*:lts:*:*:*", "2024-04-25", "2029-05-31", "2034-04-25", platUbuntu2404, 100, 600, serverHW, false},
	{famLinux, 1, "Debian 11", "Debian GNU/Linux 11 (bullseye)", "Linux", "Server", "Debian GNU/Linux", "Debian", "", "11", "11", "11.11", "x86_64", "Debian", "11.11", "cpe:2.3:o:debian:debian_linux:11.0:*:*:*:*:*:*:*", "2021-08-14", "2024-08-14", "2026-08-31", platDebian11, 100, 600, serverHW, false},
	{famLinux, 2, "Debian 12", "Debian GNU/Linux 12 (bookworm)", "Linux", "Server", "Debian GNU/Linux", "Debian", "", "12", "12", "12.8", "x86_64", "Debian", "12.8", "cpe:2.3:o:debian:debian_linux:12.0:*:*:*:*:*:*:*", "2023-06-10", "2026-06-10", "2028-06-30", platDebian12, 100, 600, serverHW, false},
	{famLinux, 2, "Amazon Linux 2", "Amazon Linux 2", "Linux", "Server", "Amazon Linux", "Amazon", "", "2", "2", "2.0.20241031", "x86_64", "Amazon Linux", "2", "cpe:2.3:o:amazon:amazon_linux:2:*:*:*:*:*:*:*", "2017-12-19", "2026-06-30", "2026-06-30", platAmzn2, 100, 600, []int{hwAWS}, true},
	{famLinux, 3, "Amazon Linux 2023", "Amazon Linux 2023.6.20241111", "Linux", "Server", "Amazon Linux", "Amazon", "", "2023", "2023", "2023.6.20241111", "x86_64", "Amazon Linux", "2023.6", "cpe:2.3:o:amazon:amazon_linux:2023:*:*:*:*:*:*:*", "2023-03-15", "2027-06-30", "2029-06-30", platAmzn2023, 100, 600, []int{hwAWS}, true},
	{famLinux, 1, "CentOS 7", "CentOS Linux 7.9.2009", "Linux", "Server", "CentOS", "CentOS", "", "7", "7.9", "7.9.2009", "x86_64", "CentOS", "7.9.2009", "cpe:2.3:o:centos:centos:7:*:*:*:*:*:*:*", "2014-07-07", "2020-08-06", "2024-06-30", platEL7, 100, 600, serverHW, false},
	{famMac, 2, "macOS 13", "Apple macOS Ventura (13.7.1)", "Mac", "Client", "macOS", "Apple", "", "13", "13.7", "13.7.1", "arm64", "macOS", "Ventura", "cpe:2.3:o:apple:macos:13.7.1:*:*:*:*:*:*:*", "2022-10-24", "Not Announced", "Not Announced", platMac, 50, 140, macHW, false},
	{famMac, 3, "macOS 14", "Apple macOS Sonoma (14.7.1)", "Mac", "Client", "macOS", "Apple", "", "14", "14.7", "14.7.1", "arm64", "macOS", "Sonoma", "cpe:2.3:o:apple:macos:14.7.1:*:*:*:*:*:*:*", "2023-09-26", "Not Announced", "Not Announced", platMac, 50, 140, macHW, false},
	{famMac, 3, "macOS 15", "Apple macOS Sequoia (15.1)", "Mac", "Client", "macOS", "Apple", "", "15", "15.1", "15.1", "arm64", "macOS", "Sequoia", "cpe:2.3:o:apple:macos:15.1:*:*:*:*:*:*:*", "2024-09-16", "Not Announced", "Not Announced", platMac, 50, 140, macHW, false},
	{famNetwork, 3, "Cisco IOS 15", "Cisco IOS 15.9(3)M10", "Network Operating System", "Router", "IOS", "Cisco", "", "15", "15.9", "15.9(3)M10", "", "IOS", "15.9(3)M10", "cpe:2.3:o:cisco:ios:15.9\\(3\\)m10:*:*:*:*:*:*:*", "2019-07-01", "2024-07-31", "2029-07-31", platNetwork, 10, 30, ciscoHW, false},
	{famNetwork, 3, "Cisco IOS XE 17", "Cisco IOS XE 17.9.5", "Network Operating System", "Switch", "IOS XE", "Cisco", "", "17", "17.9", "17.9.5", "", "IOS XE", "17.9.5", "cpe:2.3:o:cisco:ios_xe:17.9.5:*:*:*:*:*:*:*", "2022-08-01", "Not Announced", "Not Announced", platNetwork, 10, 30, ciscoHW, false},
	{famNetwork, 2, "Junos OS 22", "Juniper Junos OS 22.4R3", "Network Operating System", "Firewall", "Junos OS", "Juniper", "", "22", "22.4", "22.4R3", "", "Junos", "22.4R3", "cpe:2.3:o:juniper:junos:22.4:r3:*:*:*:*:*:*", "2022-12-20", "2025-12-20", "2026-06-20", platNetwork, 10, 30, juniperHW, false},
	{famNetwork, 2, "FortiOS 7.2", "Fortinet FortiOS 7.2.10", "Network Operating System", "Firewall", "FortiOS", "Fortinet", "", "7", "7.2", "7.2.10", "", "FortiOS", "7.2.10", "cpe:2.3:o:fortinet:fortios:7.2.10:*:*:*:*:*:*:*", "2022-03-31", "2025-09-30", "2026-03-31", platNetwork, 10, 30, fortiHW, false},
	{famNetwork, 1, "FortiOS 7.4", "Fortinet FortiOS 7.4.5", "Network Operating System", "Firewall", "FortiOS", "Fortinet", "", "7", "7.4", "7.4.5", "", "FortiOS", "7.4.5", "cpe:2.3:o:fortinet:fortios:7.4.5:*:*:*:*:*:*:*", "2023-05-11", "2026-11-11", "2027-05-11", platNetwork, 10, 30, fortiHW, false},
}

// tagDef is one Qualys tag of the fixed tag set.
type tagDef struct {
	id     int64
	name   string
	fg, bg int64
	impact string
	crit   int64 // 0 = null
}

// Tag bit positions, used by the header's tag mask.
const (
	tagProduction = iota
	tagInternetFacing
	tagCloudAgent
	tagPCI
	tagWindowsServer
	tagLinuxServer
	tagDMZ
	tagBUA
	tagBUB
	tagDevelopment
	tagStaging
	tagWorkstations
	tagMacOS
	tagNetworkDevices
	tagAWS
	tagAzure
	tagGCP
	tagEASM
	tagCritical
	tagQQL
	tagDynamic
	tagShodan
	numTags
)

var tagDefs = [numTags]tagDef{
	tagProduction:     {25971001, "Production", 0, 15597568, "High", 4},
	tagInternetFacing: {25971013, "Internet Facing Assets", 0, 16711680, "Critical", 5},
	tagCloudAgent:     {25971027, "Cloud Agent", 0, 0, "", 0},
	tagPCI:            {25971040, "PCI", 16777215, 8388736, "Critical", 5},
	tagWindowsServer:  {25971052, "Windows Server", 0, 0, "", 0},
	tagLinuxServer:    {25971066, "Linux Server", 0, 0, "", 0},
	tagDMZ:            {25971079, "DMZ", 0, 16744448, "High", 4},
	tagBUA:            {25971093, "Business Unit A", 0, 3381759, "Medium", 3},
	tagBUB:            {25971105, "Business Unit B", 0, 6736896, "Medium", 3},
	tagDevelopment:    {25971118, "Development", 0, 10066329, "Low", 2},
	tagStaging:        {25971130, "Staging", 0, 10079436, "Low", 2},
	tagWorkstations:   {25971144, "Workstations", 0, 0, "", 0},
	tagMacOS:          {25971157, "macOS", 0, 0, "", 0},
	tagNetworkDevices: {25971169, "Network Devices", 0, 0, "", 0},
	tagAWS:            {25971182, "AWS", 0, 16750848, "", 0},
	tagAzure:          {25971196, "Azure", 0, 29647, "", 0},
	tagGCP:            {25971208, "GCP", 0, 4359668, "", 0},
	tagEASM:           {25971221, "EASM", 0, 0, "", 0},
	tagCritical:       {25971235, "Critical Assets", 16777215, 13369344, "Critical", 5},
	tagQQL:            {90000001, "software:(publisher:*)", 0, 0, "", 5},
	tagDynamic:        {90000000, "DYNAMIC", 0, 0, "", 0},
	tagShodan:         {25971788, "Shodan", 0, 0, "", 3},
}

// swProduct is one catalog product before it is expanded into templates.
type swProduct struct {
	publisher, name, cat1, cat2 string
	swType                      string // Application, Others, Unknown
	ignored                     string // ignoredReason when isIgnored
	component, edition          string
	licCat, licSub              string
	versions                    []string // oldest first
	arch                        string   // "" = null
	tech                        string   // softwareInstances technology, "" = none
	path                        string   // install path ("" = null)
	cpeVendor, cpeProduct       string
	pkg                         string // packageName when a package component
	discovered                  string // discoveredName for ignored items
	core                        bool   // installed on every host of the pool
	only                        string // "s" servers only, "w" workstations only
	gaYear                      int
}

// swTemplate is one (product, version, platform) record with every static
// field set. Per-host fields (installDate, installPath, lastUpdated,
// lastUseDate, softwareInstances) are added by the generator.
type swTemplate struct {
	sw   csamapi.Software
	prod *swProduct
	path *string // install path when the host reports one
}

// pool is the set of products a kind of host installs from.
type pool struct {
	plat    int
	core    []int // product indices into the platform table
	opt     []int
	strides []int // steps coprime with len(opt), for distinct selection
}

type platform struct {
	products  []*swProduct
	templates [][]*swTemplate // [product][version]
}

type catalog struct {
	platforms [numPlatforms]platform
	pools     map[string]*pool // "winServer", "winClient", "mac", "network", "linux<plat>"
	docker    int              // product index of docker-ce on Linux platforms
	osCum     []int            // cumulative OS weights
	osTotal   int
}

var (
	catOnce sync.Once
	cat     *catalog
)

func getCatalog() *catalog {
	catOnce.Do(func() { cat = buildCatalog() })
	return cat
}

// Windows products: publisher|product|cat1|cat2|versions|license|flags
// flags: c=core s=server w=workstation, tech=..., arch=..., comp=..., pkg=...
const windowsProducts = `
Microsoft|Edge|Network Application|Internet Browser|128.0.2739.79,129.0.2792.89,130.0.2849.68|Commercial/Free|c
Microsoft|.NET Framework|Application Development|Framework|4.7.2,4.8,4.8.1|Commercial/Free|c,pkg=Windows
Microsoft|Visual C++ 2015-2022 Redistributable (x64)|Application Development|Runtime|14.36.32532,14.38.33135,14.40.33810|Commercial/Free|c,arch=x64
Microsoft|Visual C++ 2015-2022 Redistributable (x86)|Application Development|Runtime|14.36.32532,14.38.33135,14.40.33810|Commercial/Free|c,arch=x86
Microsoft|Visual C++ 2013 Redistributable (x64)|Application Development|Runtime|12.0.30501,12.0.40660|Commercial/Free|c,arch=x64
Microsoft|Visual C++ 2013 Redistributable (x86)|Application Development|Runtime|12.0.30501,12.0.40660|Commercial/Free|arch=x86
Microsoft|Visual C++ 2012 Redistributable (x64)|Application Development|Runtime|11.0.61030|Commercial/Free|arch=x64
Microsoft|Visual C++ 2010 Redistributable (x64)|Application Development|Runtime|10.0.40219|Commercial/Free|arch=x64
Microsoft|Visual C++ 2008 Redistributable (x86)|Application Development|Runtime|9.0.30729.6161|Commercial/Free|arch=x86
Microsoft|PowerShell|Application Development|Scripting|7.3.12,7.4.5,7.4.6|Open Source/Free|c
Microsoft|Defender Antivirus|Security|Endpoint Protection|4.18.24080.9,4.18.24090.11|Commercial/Licensed|c
Microsoft|Windows Desktop Runtime|Application Development|Runtime|6.0.33,8.0.8,8.0.10|Commercial/Free|
Microsoft|ASP.NET Core Runtime|Application Development|Runtime|6.0.33,8.0.8,8.0.10|Commercial/Free|s
Microsoft|.NET Runtime|Application Development|Runtime|6.0.33,7.0.20,8.0.10|Commercial/Free|
Microsoft|OneDrive|Collaboration|File Sharing|24.161.0811,24.181.0908,24.201.1006|Commercial/Free|w
Microsoft|365 Apps for enterprise|Office Application|Office Suite|16.0.17928.20156,16.0.18025.20140|Commercial/Licensed|w
Microsoft|Teams|Collaboration|Messaging|24215.1007.3082,24243.1309.3132|Commercial/Licensed|w
Microsoft|Visual Studio Code|Application Development|Code Editor|1.92.2,1.93.1,1.94.2|Open Source/Free|
Microsoft|SQL Server 2019|Databases|RDBMS|15.0.2000.5,15.0.4385.2,15.0.4395.2|Commercial/Licensed|s,tech=MSSQL 2019,comp=Server
Microsoft|SQL Server 2022|Databases|RDBMS|16.0.1000.6,16.0.4135.4,16.0.4145.4|Commercial/Licensed|s,tech=MSSQL 2022,comp=Server
Microsoft|SQL Server Management Studio|Databases|Client Tools|19.3,20.1,20.2|Commercial/Free|s,comp=Client
Microsoft|SQL Server Native Client|Databases|Client Tools|11.4.7462.6,11.4.7515.2|Commercial/Licensed|s,comp=Client,pkg=SQL Server
Microsoft|ODBC Driver 17 for SQL Server|Databases|Client Tools|17.10.5.1,17.10.6.1|Commercial/Free|s
Microsoft|Internet Information Services|Network Application|Web Servers|10.0.17763.1,10.0.20348.1|Commercial/Free|s,tech=IIS
Microsoft|Windows Admin Center|Systems Management|Server Management|1.5.2306.14001,2.2.2408.03001|Commercial/Free|s
Microsoft|System Center Configuration Manager Client|Systems Management|Endpoint Management|5.00.9128.1007,5.00.9132.1011|Commercial/Licensed|
Microsoft|Monitoring Agent|Systems Management|Monitoring|10.20.18069.0,10.20.18076.0|Commercial/Licensed|s
Microsoft|Azure Connected Machine Agent|Systems Management|Cloud Management|1.44.02847.1,1.46.02881.1|Commercial/Free|s
Microsoft|Update Health Tools|Systems Management|Patch Management|3.74.0.0,5.72.0.0|Commercial/Free|w
Microsoft|Remote Desktop Connection Manager|Network Application|Remote Access|2.92,2.93|Commercial/Free|s
Microsoft|Silverlight|Application Development|Runtime|5.1.50918.0|Commercial/Free|
Microsoft|Internet Explorer|Network Application|Internet Browser|11.0|Commercial/Free|comp=Browser
Google|Chrome|Network Application|Internet Browser|128.0.6613.138,129.0.6668.101,130.0.6723.117|Commercial/Free|
Mozilla|Firefox|Network Application|Internet Browser|128.3.1,130.0.1,132.0.2|Open Source/Free|w
Mozilla|Thunderbird|Network Application|Email Client|115.15.0,128.4.3|Open Source/Free|w
Mozilla|Maintenance Service|Utilities|Updater|128.3.1,132.0.2|Open Source/Free|w
Igor Pavlov|7-Zip|Utilities|Compression|23.01,24.07,24.08|Open Source/Free|
Don Ho|Notepad++|Application Development|Code Editor|8.6.9,8.7,8.7.1|Open Source/Free|
Adobe|Acrobat Reader DC|Office Application|Document Viewer|24.002.21005,24.003.20112,24.004.20220|Commercial/Free|w
Adobe|Acrobat DC|Office Application|Document Editor|24.003.20112,24.004.20220|Commercial/Licensed|w
Adobe|Creative Cloud|Graphics|Design Suite|6.3.0.207,6.4.0.361|Commercial/Licensed|w
Zoom Video Communications|Zoom Workplace|Collaboration|Video Conferencing|6.1.11,6.2.5,6.2.10|Commercial/Free|w
Slack Technologies|Slack|Collaboration|Messaging|4.39.95,4.40.128,4.41.97|Commercial/Free|w
Cisco|Webex|Collaboration|Video Conferencing|44.8.0.30404,44.10.0.30906|Commercial/Free|w
Cisco|Secure Client - AnyConnect VPN|Network Application|VPN Client|4.10.08029,5.1.4.74,5.1.5.65|Commercial/Licensed|w
VideoLAN|VLC media player|Multimedia|Media Player|3.0.20,3.0.21|Open Source/Free|w
Oracle|Java 8|Application Development|Runtime|8.0.401,8.0.411,8.0.421|Commercial/Licensed|tech=Java
Oracle|VirtualBox|Virtualization|Hypervisor|7.0.20,7.1.4|Open Source/Free|w
Eclipse Adoptium|Temurin JDK 17|Application Development|Runtime|17.0.11,17.0.12,17.0.13|Open Source/Free|tech=Java
Eclipse Adoptium|Temurin JRE 11|Application Development|Runtime|11.0.23,11.0.24,11.0.25|Open Source/Free|tech=Java
Python Software Foundation|Python 3.11|Programming Language|Interpreter|3.11.8,3.11.9|Open Source/Free|
Python Software Foundation|Python 3.12|Programming Language|Interpreter|3.12.5,3.12.6,3.12.7|Open Source/Free|
Python Software Foundation|Python Launcher|Programming Language|Interpreter|3.12.7|Open Source/Free|
Git|Git for Windows|Application Development|Version Control|2.45.2,2.46.0,2.47.0|Open Source/Free|
OpenJS Foundation|Node.js|Programming Language|Runtime|18.20.4,20.17.0,22.11.0|Open Source/Free|tech=Node.js
Simon Tatham|PuTTY|Network Application|Remote Access|0.80,0.81|Open Source/Free|
Martin Prikryl|WinSCP|Network Application|File Transfer|6.3.4,6.3.5|Open Source/Free|
Wireshark Foundation|Wireshark|Network Application|Network Analyzer|4.2.6,4.4.0,4.4.1|Open Source/Free|
Wireshark Foundation|Npcap|Network Application|Packet Capture|1.79,1.80|Open Source/Free|
Dominik Reichl|KeePass Password Safe|Security|Password Manager|2.56,2.57|Open Source/Free|w
TeamViewer|TeamViewer|Network Application|Remote Access|15.56.5,15.57.5,15.58.4|Commercial/Licensed|
AnyDesk Software|AnyDesk|Network Application|Remote Access|8.0.14,8.1.0|Commercial/Free|w
Qualys|Cloud Agent|Security|Endpoint Management and Security|6.0.0.41,6.1.0.28,6.2.0.9|Commercial/Licensed|c
CrowdStrike|Falcon Sensor|Security|Endpoint Protection|7.16.18613.0,7.17.18721.0,7.18.18910.0|Commercial/Licensed|
Trellix|Agent|Security|Endpoint Protection|5.8.1.342,5.8.2.221|Commercial/Licensed|
Broadcom|Symantec Endpoint Protection|Security|Endpoint Protection|14.3.10148.8000,14.3.11213.9000|Commercial/Licensed|
VMware|Tools|Virtualization|Guest Tools|12.3.5.22544099,12.4.0.23259341,12.4.5.23787635|Commercial/Free|
Citrix|Workspace|Virtualization|Remote Desktop|24.5.0.102,24.9.0.133|Commercial/Free|w
Splunk|Universal Forwarder|Systems Management|Log Management|9.1.5,9.2.2,9.3.1|Commercial/Licensed|s
Veeam Software|Backup & Replication|Storage|Backup|12.1.2.172,12.2.0.334|Commercial/Licensed|s
Veeam Software|Agent for Microsoft Windows|Storage|Backup|6.1.2.134,6.2.0.121|Commercial/Licensed|s
Apache Software Foundation|Tomcat|Network Application|Application Server|9.0.93,9.0.95,10.1.31|Open Source/Free|s,tech=Apache Tomcat
Oracle|MySQL Server|Databases|RDBMS|8.0.39,8.0.40,8.4.3|Open Source/Free|s,tech=MySQL
PostgreSQL Global Development Group|PostgreSQL|Databases|RDBMS|15.8,16.4,16.5|Open Source/Free|s,tech=PostgreSQL
Elastic|Elasticsearch|Databases|Search Engine|8.14.3,8.15.2|Open Source/Free|s,tech=Elasticsearch
Docker|Docker Desktop|Virtualization|Container Platform|4.33.1,4.34.2,4.35.1|Commercial/Licensed|w,tech=Docker
HashiCorp|Terraform|Application Development|Infrastructure as Code|1.9.5,1.9.8|Open Source/Free|
Amazon|AWS Command Line Interface v2|Systems Management|Cloud Management|2.17.50,2.18.10|Open Source/Free|
Amazon|SSM Agent|Systems Management|Cloud Management|3.3.859.0,3.3.987.0|Open Source/Free|
Microsoft|Azure CLI|Systems Management|Cloud Management|2.64.0,2.66.0|Open Source/Free|
Greenshot|Greenshot|Utilities|Screen Capture|1.2.10.6,1.3.280|Open Source/Free|w
Notion Labs|Notion|Office Application|Note Taking|3.14.0,3.16.0|Commercial/Free|w
Atlassian|Sourcetree|Application Development|Version Control|3.4.19,3.4.20|Commercial/Free|w
JetBrains|IntelliJ IDEA Community Edition|Application Development|IDE|2024.2.2,2024.2.4|Open Source/Free|w
Postman|Postman|Application Development|API Tools|11.12.0,11.18.0|Commercial/Free|w
Dell|Command Update|Systems Management|Driver Management|5.3.0,5.4.0|Commercial/Free|w
Lenovo|Vantage Service|Systems Management|Driver Management|4.1.43.0,4.2.0.0|Commercial/Free|w
HP|Support Assistant|Systems Management|Driver Management|9.28.38.0,9.31.35.0|Commercial/Free|w
Intel|Management Engine Components|Systems Management|Firmware|2306.4.3.0,2406.5.5.0|Commercial/Free|w
Realtek|Card Reader|Utilities|Hardware Utility|10.0.22000.31274|Commercial/Free|w
Foxit Software|PDF Reader|Office Application|Document Viewer|2024.2.3,2024.3.0|Commercial/Free|w
WinRAR GmbH|WinRAR|Utilities|Compression|7.00,7.01|Commercial/Licensed|w
SolarWinds|Orion Agent|Systems Management|Monitoring|2024.2.0,2024.2.1|Commercial/Licensed|s
Zabbix|Zabbix Agent 2|Systems Management|Monitoring|6.4.18,7.0.4|Open Source/Free|s
Datadog|Datadog Agent|Systems Management|Monitoring|7.56.2,7.58.1|Commercial/Licensed|s
Tenable|Nessus Agent|Security|Vulnerability Scanner|10.6.4,10.7.3|Commercial/Licensed|s
Tenable|Nessus|Security|Vulnerability Scanner|10.7.5,10.8.3|Commercial/Licensed|s
OpenVPN|OpenVPN Connect|Network Application|VPN Client|3.4.9,3.5.0|Open Source/Free|w
FileZilla Project|FileZilla Client|Network Application|File Transfer|3.67.1,3.68.1|Open Source/Free|
Apache Software Foundation|HTTP Server|Network Application|Web Servers|2.4.59,2.4.62|Open Source/Free|s,tech=Apache HTTP Server,comp=Server
nginx|nginx|Network Application|Web Servers|1.26.2,1.27.2|Open Source/Free|s,tech=Nginx
Microsoft|Exchange Server 2019|Collaboration|Email Server|15.2.1544.4,15.2.1258.39|Commercial/Licensed|s,tech=Exchange
Microsoft|SharePoint Server 2019|Collaboration|Document Management|16.0.10412.20001,16.0.17928.20006|Commercial/Licensed|s,tech=SharePoint
Microsoft|System Center Operations Manager Agent|Systems Management|Monitoring|10.19.10014.0,10.22.10337.0|Commercial/Licensed|s
Microsoft|Windows Subsystem for Linux|Virtualization|Compatibility Layer|2.2.4.0,2.3.24.0|Commercial/Free|w
Microsoft|Power BI Desktop|Data Analytics|Business Intelligence|2.133.7221.0,2.135.7471.0|Commercial/Free|w
Microsoft|Visual Studio Professional 2022|Application Development|IDE|17.10.5,17.11.5|Commercial/Licensed|w
Microsoft|Windows SDK|Application Development|SDK|10.1.22621.3233,10.1.26100.1742|Commercial/Free|pkg=Visual Studio
Microsoft|Web Deploy|Application Development|Deployment|3.6,4.0|Commercial/Free|s
Microsoft|URL Rewrite Module|Network Application|Web Servers|7.2.1993,7.2.2|Commercial/Free|s,pkg=Internet Information Services
Microsoft|Application Request Routing|Network Application|Web Servers|3.0.1988|Commercial/Free|s,pkg=Internet Information Services
Microsoft|Report Viewer Runtime|Application Development|Runtime|12.0.2402.15,15.0.1404.0|Commercial/Free|s
Microsoft|Policy Platform|Systems Management|Configuration Management|68.1.1010.0|Commercial/Free|
Microsoft|GameInput|Multimedia|Input Framework|10.1.22621.3036|Commercial/Free|w
Microsoft|Windows PC Health Check|Systems Management|Diagnostics|3.6.2204.08001,3.7.2204.15001|Commercial/Free|w
Microsoft|Edge WebView2 Runtime|Application Development|Runtime|128.0.2739.79,130.0.2849.68|Commercial/Free|c
`

// Mac products use the same format.
const macProducts = `
Apple|Safari|Network Application|Internet Browser|17.6,18.0,18.1|Commercial/Free|c
Apple|Xcode|Application Development|IDE|15.4,16.0,16.1|Commercial/Free|
Apple|Keynote|Office Application|Presentation|14.1,14.2|Commercial/Free|
Apple|Pages|Office Application|Word Processor|14.1,14.2|Commercial/Free|
Apple|Numbers|Office Application|Spreadsheet|14.1,14.2|Commercial/Free|
Apple|iMovie|Multimedia|Video Editor|10.4.1,10.4.2|Commercial/Free|
Apple|GarageBand|Multimedia|Audio Editor|10.4.11|Commercial/Free|
Apple|TestFlight|Application Development|Testing|3.5.2|Commercial/Free|
Google|Chrome|Network Application|Internet Browser|128.0.6613.138,129.0.6668.101,130.0.6723.117|Commercial/Free|c
Mozilla|Firefox|Network Application|Internet Browser|128.3.1,130.0.1,132.0.2|Open Source/Free|
Microsoft|Word|Office Application|Word Processor|16.88,16.89,16.90|Commercial/Licensed|
Microsoft|Excel|Office Application|Spreadsheet|16.88,16.89,16.90|Commercial/Licensed|
Microsoft|PowerPoint|Office Application|Presentation|16.88,16.89,16.90|Commercial/Licensed|
Microsoft|Outlook|Network Application|Email Client|16.88,16.89,16.90|Commercial/Licensed|
Microsoft|OneDrive|Collaboration|File Sharing|24.161.0811,24.181.0908|Commercial/Free|
Microsoft|Teams|Collaboration|Messaging|24215.1007.3082,24243.1309.3132|Commercial/Licensed|
Microsoft|AutoUpdate|Utilities|Updater|4.75,4.76|Commercial/Free|c
Microsoft|Defender|Security|Endpoint Protection|101.24082.0004,101.24092.0004|Commercial/Licensed|
Microsoft|Visual Studio Code|Application Development|Code Editor|1.92.2,1.93.1,1.94.2|Open Source/Free|
Zoom Video Communications|zoom.us|Collaboration|Video Conferencing|6.1.11,6.2.5,6.2.10|Commercial/Free|
Slack Technologies|Slack|Collaboration|Messaging|4.39.95,4.40.128,4.41.97|Commercial/Free|
Docker|Docker Desktop|Virtualization|Container Platform|4.33.1,4.34.2,4.35.1|Commercial/Licensed|tech=Docker
Qualys|Cloud Agent|Security|Endpoint Management and Security|5.7.0.12,6.1.0.28|Commercial/Licensed|c
CrowdStrike|Falcon|Security|Endpoint Protection|7.17.18605,7.18.18804|Commercial/Licensed|
1Password|1Password|Security|Password Manager|8.10.44,8.10.48|Commercial/Licensed|
Cisco|Secure Client|Network Application|VPN Client|5.1.4.74,5.1.5.65|Commercial/Licensed|
Adobe|Acrobat Reader|Office Application|Document Viewer|24.003.20112,24.004.20220|Commercial/Free|
Spotify|Spotify|Multimedia|Media Player|1.2.45,1.2.48|Commercial/Free|
Notion Labs|Notion|Office Application|Note Taking|3.14.0,3.16.0|Commercial/Free|
JetBrains|IntelliJ IDEA|Application Development|IDE|2024.2.2,2024.2.4|Commercial/Licensed|
JetBrains|GoLand|Application Development|IDE|2024.2.2,2024.2.3|Commercial/Licensed|
Postman|Postman|Application Development|API Tools|11.12.0,11.18.0|Commercial/Free|
Homebrew|Homebrew|Utilities|Package Manager|4.3.24,4.4.4|Open Source/Free|c
iTerm2|iTerm2|Utilities|Terminal|3.5.4,3.5.10|Open Source/Free|
Rectangle|Rectangle|Utilities|Window Manager|0.82,0.84|Open Source/Free|
Figma|Figma|Graphics|Design|124.3.2,124.5.5|Commercial/Free|
Oracle|Java 8|Application Development|Runtime|8.0.411,8.0.421|Commercial/Licensed|tech=Java
`

// Network device software.
const networkProducts = `
OpenBSD|OpenSSH|Network Application|Remote Access|7.4p1,8.0p1,9.3p1|Open Source/Free|c,tech=SSH
OpenSSL Software Foundation|OpenSSL|Security|Encryption|1.0.2u,1.1.1w,3.0.13|Open Source/Free|c
Net-SNMP|Net-SNMP|Systems Management|Monitoring|5.8,5.9.3|Open Source/Free|c
NTP Project|ntpd|Network Application|Time Synchronization|4.2.8p15,4.2.8p17|Open Source/Free|
BusyBox|BusyBox|Utilities|Shell|1.31.1,1.36.1|Open Source/Free|
lighttpd|lighttpd|Network Application|Web Servers|1.4.59,1.4.76|Open Source/Free|tech=lighttpd
Matt Johnston|Dropbear SSH|Network Application|Remote Access|2020.81,2022.83|Open Source/Free|
ISC|BIND|Network Application|DNS Server|9.16.50,9.18.28|Open Source/Free|
ISC|DHCP Server|Network Application|DHCP Server|4.4.3|Open Source/Free|
Cisco|IOS HTTP Server|Network Application|Web Servers|15.9,17.9|Commercial/Licensed|
Cisco|IOS SSH Server|Network Application|Remote Access|2.0|Commercial/Licensed|
Cisco|Smart Licensing Utility|Systems Management|License Management|1.0.0,1.1.0|Commercial/Licensed|
Juniper|J-Web|Systems Management|Web Management|22.4R3|Commercial/Licensed|
Fortinet|FortiGuard Antivirus Engine|Security|Antivirus|7.00023,7.00030|Commercial/Licensed|
Fortinet|FortiGate SSL VPN|Network Application|VPN Server|7.2.10,7.4.5|Commercial/Licensed|
Fortinet|FortiGate Web Management|Systems Management|Web Management|7.2.10,7.4.5|Commercial/Licensed|
GNU|Bash|Utilities|Shell|4.4,5.1|Open Source/Free|
Lua.org|Lua|Programming Language|Interpreter|5.1.5,5.3.6|Open Source/Free|
zlib|zlib|Utilities|Compression|1.2.11,1.2.13|Open Source/Free|
curl|libcurl|Network Application|Network Tools|7.68.0,8.4.0|Open Source/Free|
SQLite|SQLite|Databases|Embedded Database|3.31.1,3.42.0|Open Source/Free|
Linux Foundation|Linux Kernel|Operating System Tools|Kernel|4.19.232,5.10.149|Open Source/Free|
strongSwan|strongSwan|Network Application|VPN Server|5.9.5,5.9.13|Open Source/Free|
FreeRADIUS|FreeRADIUS|Security|Authentication|3.0.26|Open Source/Free|
Python Software Foundation|Python|Programming Language|Interpreter|2.7.18,3.8.10|Open Source/Free|
`

// Linux package stems: name|publisher|cat1|cat2|tech. Each stem expands to
// one to five packages (-libs, -devel, -common, -doc, -utils variants).
const linuxStems = `
acl|GNU|Operating System Tools|Utilities|
attr|GNU|Operating System Tools|Utilities|
audit|Red Hat|Security|Auditing|
bash|GNU|Utilities|Shell|
bc|GNU|Utilities|Calculator|
bind-utils|ISC|Network Application|DNS Tools|
binutils|GNU|Application Development|Build Tools|
bzip2|bzip2|Utilities|Compression|
ca-certificates|Mozilla|Security|Certificates|
chrony|Chrony Project|Network Application|Time Synchronization|
coreutils|GNU|Operating System Tools|Utilities|
cpio|GNU|Utilities|Archiver|
cracklib|CrackLib|Security|Authentication|
cronie|Red Hat|Operating System Tools|Scheduler|
cryptsetup|Red Hat|Security|Encryption|
curl|curl|Network Application|Network Tools|
cyrus-sasl|Carnegie Mellon University|Security|Authentication|
dbus|freedesktop.org|Operating System Tools|IPC|
device-mapper|Red Hat|Operating System Tools|Storage|
diffutils|GNU|Utilities|Text Tools|
dmidecode|Savannah|Operating System Tools|Hardware Tools|
dracut|Red Hat|Operating System Tools|Boot|
e2fsprogs|Theodore Ts'o|Operating System Tools|File System|
elfutils|Red Hat|Application Development|Build Tools|
ethtool|Linux Foundation|Network Application|Network Tools|
expat|Expat|Application Development|Library|
file|Ian Darwin|Utilities|Text Tools|
findutils|GNU|Operating System Tools|Utilities|
firewalld|Red Hat|Security|Firewall|
gawk|GNU|Utilities|Text Tools|
gdbm|GNU|Databases|Embedded Database|
gettext|GNU|Application Development|Localization|
glib2|GNOME|Application Development|Library|
glibc|GNU|Operating System Tools|Library|
gmp|GNU|Application Development|Library|
gnupg2|GnuPG|Security|Encryption|
gnutls|GnuTLS|Security|Encryption|
grep|GNU|Utilities|Text Tools|
groff|GNU|Utilities|Text Tools|
grub2|GNU|Operating System Tools|Boot|
gzip|GNU|Utilities|Compression|
hostname|Debian|Operating System Tools|Utilities|
hwdata|Red Hat|Operating System Tools|Hardware Tools|
iproute|Linux Foundation|Network Application|Network Tools|
iptables|Netfilter|Security|Firewall|
iputils|Linux Foundation|Network Application|Network Tools|
irqbalance|Red Hat|Operating System Tools|Performance|
json-c|json-c|Application Development|Library|
kbd|Linux Foundation|Operating System Tools|Utilities|
kernel|Linux Foundation|Operating System Tools|Kernel|
keyutils|Red Hat|Security|Key Management|
kmod|Linux Foundation|Operating System Tools|Kernel|
krb5|MIT|Security|Authentication|
less|Mark Nudelman|Utilities|Text Tools|
libarchive|libarchive|Utilities|Compression|
libcap|Linux Foundation|Security|Access Control|
libffi|libffi|Application Development|Library|
libgcrypt|GnuPG|Security|Encryption|
libidn2|GNU|Application Development|Library|
libnghttp2|nghttp2|Network Application|Library|
libpwquality|Red Hat|Security|Authentication|
libselinux|SELinux Project|Security|Access Control|
libsemanage|SELinux Project|Security|Access Control|
libsepol|SELinux Project|Security|Access Control|
libssh|libssh|Network Application|Remote Access|
libstdc++|GNU|Application Development|Library|
libtasn1|GNU|Application Development|Library|
libunistring|GNU|Application Development|Library|
libuuid|Linux Foundation|Application Development|Library|
libxml2|GNOME|Application Development|Library|
libxcrypt|libxcrypt|Security|Encryption|
libyaml|libyaml|Application Development|Library|
logrotate|Red Hat|Operating System Tools|Log Management|
lua|Lua.org|Programming Language|Interpreter|
lvm2|Red Hat|Operating System Tools|Storage|
lz4|LZ4|Utilities|Compression|
man-db|man-db|Utilities|Documentation|
mdadm|Linux Foundation|Operating System Tools|Storage|
ncurses|GNU|Application Development|Library|
net-tools|Linux Foundation|Network Application|Network Tools|
nettle|GNU|Security|Encryption|
nftables|Netfilter|Security|Firewall|
nspr|Mozilla|Application Development|Library|
nss|Mozilla|Security|Encryption|
numactl|Linux Foundation|Operating System Tools|Performance|
openldap|OpenLDAP Foundation|Network Application|Directory Services|
openssh|OpenBSD|Network Application|Remote Access|SSH
openssl|OpenSSL Software Foundation|Security|Encryption|
p11-kit|freedesktop.org|Security|Certificates|
pam|Linux-PAM|Security|Authentication|
pcre2|PCRE|Application Development|Library|
perl|Perl Foundation|Programming Language|Interpreter|
policycoreutils|SELinux Project|Security|Access Control|
polkit|freedesktop.org|Security|Access Control|
popt|Red Hat|Application Development|Library|
procps-ng|procps|Operating System Tools|Utilities|
psmisc|psmisc|Operating System Tools|Utilities|
python3|Python Software Foundation|Programming Language|Interpreter|
python3-pip|Python Packaging Authority|Programming Language|Package Manager|
python3-setuptools|Python Packaging Authority|Programming Language|Package Manager|
python3-requests|Python Software Foundation|Programming Language|Library|
python3-urllib3|Python Software Foundation|Programming Language|Library|
python3-cryptography|Python Cryptographic Authority|Security|Encryption|
readline|GNU|Application Development|Library|
rpm|RPM|Operating System Tools|Package Manager|
rsync|Samba|Utilities|File Transfer|
rsyslog|Adiscon|Operating System Tools|Log Management|
sed|GNU|Utilities|Text Tools|
selinux-policy|SELinux Project|Security|Access Control|
shadow-utils|Linux Foundation|Security|Authentication|
sqlite|SQLite|Databases|Embedded Database|
sudo|Todd C. Miller|Security|Access Control|
systemd|freedesktop.org|Operating System Tools|Init System|
tar|GNU|Utilities|Archiver|
tcpdump|The Tcpdump Group|Network Application|Network Analyzer|
tzdata|IANA|Operating System Tools|Time Zone Data|
util-linux|Linux Foundation|Operating System Tools|Utilities|
vim|Vim|Application Development|Code Editor|
wget|GNU|Network Application|Network Tools|
which|GNU|Operating System Tools|Utilities|
xfsprogs|SGI|Operating System Tools|File System|
xz|Tukaani|Utilities|Compression|
zlib|zlib|Utilities|Compression|
zstd|Meta|Utilities|Compression|
nginx|F5|Network Application|Web Servers|Nginx
httpd|Apache Software Foundation|Network Application|Web Servers|Apache HTTP Server
mariadb|MariaDB Foundation|Databases|RDBMS|MariaDB
postgresql|PostgreSQL Global Development Group|Databases|RDBMS|PostgreSQL
redis|Redis|Databases|Key Value Store|Redis
docker-ce|Docker|Virtualization|Container Platform|Docker
containerd|Cloud Native Computing Foundation|Virtualization|Container Runtime|
java-17-openjdk|Red Hat|Application Development|Runtime|Java
java-11-openjdk|Red Hat|Application Development|Runtime|Java
nodejs|OpenJS Foundation|Programming Language|Runtime|Node.js
git|Git|Application Development|Version Control|
tomcat|Apache Software Foundation|Network Application|Application Server|Apache Tomcat
php|PHP Group|Programming Language|Interpreter|
golang|Google|Programming Language|Compiler|
gcc|GNU|Application Development|Compiler|
make|GNU|Application Development|Build Tools|
cmake|Kitware|Application Development|Build Tools|
strace|strace|Application Development|Debugger|
lsof|lsof|Operating System Tools|Utilities|
htop|htop|Operating System Tools|Monitoring|
jq|jq|Utilities|Text Tools|
unzip|Info-ZIP|Utilities|Compression|
zip|Info-ZIP|Utilities|Compression|
screen|GNU|Utilities|Terminal|
tmux|tmux|Utilities|Terminal|
bash-completion|bash-completion|Utilities|Shell|
NetworkManager|freedesktop.org|Network Application|Network Management|
qualys-cloud-agent|Qualys|Security|Endpoint Management and Security|
amazon-ssm-agent|Amazon|Systems Management|Cloud Management|
cloud-init|Canonical|Systems Management|Cloud Management|
falcon-sensor|CrowdStrike|Security|Endpoint Protection|
splunkforwarder|Splunk|Systems Management|Log Management|
haproxy|HAProxy Technologies|Network Application|Load Balancer|HAProxy
bind|ISC|Network Application|DNS Server|BIND
postfix|Wietse Venema|Network Application|Mail Server|
samba|Samba|Network Application|File Sharing|
nfs-utils|Linux Foundation|Network Application|File Sharing|
lvm2-libs|Red Hat|Operating System Tools|Storage|
libgcc|GNU|Application Development|Library|
libmount|Linux Foundation|Operating System Tools|Library|
libblkid|Linux Foundation|Operating System Tools|Library|
libacl|GNU|Operating System Tools|Library|
libdb|Oracle|Databases|Embedded Database|
libcurl|curl|Network Application|Library|
libevent|libevent|Application Development|Library|
libedit|NetBSD|Application Development|Library|
libseccomp|libseccomp|Security|Access Control|
libtirpc|Linux Foundation|Network Application|Library|
libusbx|libusb|Operating System Tools|Hardware Tools|
libpng|libpng|Graphics|Library|
libjpeg-turbo|libjpeg-turbo|Graphics|Library|
freetype|FreeType|Graphics|Library|
fontconfig|freedesktop.org|Graphics|Library|
`

// The Linux core set: installed on every Linux host.
var linuxCore = map[string]bool{
	"bash": true, "coreutils": true, "glibc": true, "openssl": true, "openssh": true, "systemd": true,
	"kernel": true, "sudo": true, "tar": true, "gzip": true, "curl": true, "python3": true, "zlib": true,
	"util-linux": true, "procps-ng": true, "ca-certificates": true, "tzdata": true, "pam": true,
}

var linuxVariants = []string{"", "-libs", "-devel", "-common", "-doc", "-utils"}

// Ignored Windows records (hotfixes, drivers, setup software): CSAM keeps
// them with productName "Unknown" and isIgnored true.
var windowsDrivers = []string{
	"Intel(R) Network Connections Drivers", "Realtek High Definition Audio Driver", "NVIDIA Graphics Driver",
	"Intel(R) Chipset Device Software", "Intel(R) Serial IO", "Intel(R) Rapid Storage Technology",
	"VMware SVGA 3D", "VMware Pointing Device", "Microsoft SQL Server 2017 RsFx Driver",
	"Microsoft SQL Server 2019 RsFx Driver", "Broadcom NetXtreme-E Driver", "Mellanox WinOF-2",
	"HPE Smart Array Driver", "Dell OpenManage Server Administrator Driver", "Realtek USB Ethernet Controller Driver",
	"Intel(R) Wireless Bluetooth(R)", "Intel(R) PROSet/Wireless Software", "Synaptics Pointing Device Driver",
	"Thunderbolt(TM) Software", "Lenovo Power Management Driver",
}

var windowsSetup = []string{
	"Microsoft SQL Server 2019 Setup (English)", "Microsoft SQL Server 2022 Setup (English)",
	"Microsoft Visual Studio Installer", "Windows SDK AddOn", "Microsoft Update Health Tools Setup",
	"Microsoft Office 64-bit Components 2016 Setup", "Microsoft Edge Update", "Google Update Helper",
	"Adobe Refresh Manager", "Java Auto Updater",
}

func buildCatalog() *catalog {
	c := &catalog{pools: map[string]*pool{}}

	// Windows.
	win := &c.platforms[platWindows]
	var winServerCore, winServerOpt, winClientCore, winClientOpt []int
	for _, p := range parseProducts(windowsProducts, `C:\Program Files\%s\%s`) {
		idx := len(win.products)
		win.products = append(win.products, p)
		server, client := p.only != "w", p.only != "s"
		if server {
			if p.core {
				winServerCore = append(winServerCore, idx)
			} else {
				winServerOpt = append(winServerOpt, idx)
			}
		}
		if client {
			if p.core {
				winClientCore = append(winClientCore, idx)
			} else {
				winClientOpt = append(winClientOpt, idx)
			}
		}
	}
	// Hotfixes: one product per KB, like CSAM's ignored "Unknown" rows.
	for k := range 70 {
		kb := 5030000 + int(mix(uint64(k)+77)%40000)
		name := fmt.Sprintf("Security Update for Windows (KB%d)", kb)
		if k%5 == 0 {
			name = fmt.Sprintf("Cumulative Update for .NET Framework 3.5 and 4.8 (KB%d) (64-bit)", kb)
		}
		p := ignoredProduct(name, "Hotfix", fmt.Sprintf("10.0.%d.%d", 17763+k%4*1000, 1000+k*37))
		idx := len(win.products)
		win.products = append(win.products, p)
		winServerOpt = append(winServerOpt, idx)
		winClientOpt = append(winClientOpt, idx)
	}
	for k, d := range windowsDrivers {
		p := ignoredProduct(d, "Device Drivers", fmt.Sprintf("%d.%d.%d.%d", 10+k%20, k%10, 100+k*13, k*7%1000))
		idx := len(win.products)
		win.products = append(win.products, p)
		winServerOpt = append(winServerOpt, idx)
		winClientOpt = append(winClientOpt, idx)
	}
	for k, d := range windowsSetup {
		p := ignoredProduct(d, "Setup Software", fmt.Sprintf("%d.%d.%d.%d", 14+k%3, 0, 3000+k*71, k))
		idx := len(win.products)
		win.products = append(win.products, p)
		winServerOpt = append(winServerOpt, idx)
		winClientOpt = append(winClientOpt, idx)
	}
	c.pools["winServer"] = newPool(platWindows, winServerCore, winServerOpt)
	c.pools["winClient"] = newPool(platWindows, winClientCore, winClientOpt)

	// macOS: apps plus Homebrew formulae (reusing the Linux stem table).
	mac := &c.platforms[platMac]
	var macCore, macOpt []int
	for _, p := range parseProducts(macProducts, "/Applications/%[2]s.app") {
		idx := len(mac.products)
		mac.products = append(mac.products, p)
		if p.core {
			macCore = append(macCore, idx)
		} else {
			macOpt = append(macOpt, idx)
		}
	}
	for k, st := range parseStems() {
		if k%2 == 1 {
			continue
		}
		p := stemProduct(st, st.name, 3)
		p.path = "/opt/homebrew/Cellar/" + st.name
		macOpt = append(macOpt, len(mac.products))
		mac.products = append(mac.products, p)
	}
	c.pools["mac"] = newPool(platMac, macCore, macOpt)

	// Network devices.
	nw := &c.platforms[platNetwork]
	var nwCore, nwOpt []int
	for _, p := range parseProducts(networkProducts, "") {
		idx := len(nw.products)
		nw.products = append(nw.products, p)
		if p.core {
			nwCore = append(nwCore, idx)
		} else {
			nwOpt = append(nwOpt, idx)
		}
	}
	c.pools["network"] = newPool(platNetwork, nwCore, nwOpt)

	// Linux: the same product list for every distribution release, with
	// release-specific version strings (so ids differ per release).
	var linuxProducts []*swProduct
	var lCore, lOpt []int
	for _, st := range parseStems() {
		h := hashString(st.name)
		for vi, v := range linuxVariants {
			if vi > 0 && (mix(h+uint64(vi))%100 >= 55 || st.tech != "" && vi > 1) {
				continue
			}
			p := stemProduct(st, st.name+v, 3)
			if vi > 0 {
				p.tech = ""
				p.pkg = st.name
			}
			idx := len(linuxProducts)
			linuxProducts = append(linuxProducts, p)
			if p.name == "docker-ce" {
				c.docker = idx
			}
			if vi == 0 && linuxCore[st.name] {
				p.core = true
				lCore = append(lCore, idx)
			} else {
				lOpt = append(lOpt, idx)
			}
		}
	}
	for plat := platEL7; plat < numPlatforms; plat++ {
		c.platforms[plat].products = linuxProducts
		c.pools["linux"+strconv.Itoa(plat)] = newPool(plat, lCore, lOpt)
	}

	for plat := range c.platforms {
		buildTemplates(&c.platforms[plat], plat)
	}

	for _, o := range osDefs {
		c.osTotal += o.weight
		c.osCum = append(c.osCum, c.osTotal)
	}
	return c
}

func newPool(plat int, core, opt []int) *pool {
	p := &pool{plat: plat, core: core, opt: opt}
	n := len(opt)
	for _, s := range []int{1, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61} {
		if gcd(s, n) == 1 {
			p.strides = append(p.strides, s)
		}
	}
	return p
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func ignoredProduct(discovered, reason, version string) *swProduct {
	return &swProduct{
		publisher: "Unknown", name: "Unknown", cat1: "Unknown", cat2: "Unknown", swType: "Others",
		ignored: reason, versions: []string{version}, discovered: discovered,
	}
}

// parseProducts reads the publisher|product|... tables above.
func parseProducts(table, pathFmt string) []*swProduct {
	var out []*swProduct
	for _, line := range strings.Split(strings.TrimSpace(table), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 7 {
			panic("emulator catalog: bad product line: " + line)
		}
		lic := strings.SplitN(f[5], "/", 2)
		p := &swProduct{
			publisher: f[0], name: f[1], cat1: f[2], cat2: f[3], swType: "Application",
			versions: strings.Split(f[4], ","), licCat: lic[0], licSub: lic[1],
			cpeVendor: cpeWord(f[0]), cpeProduct: cpeWord(f[1]),
		}
		if pathFmt != "" {
			p.path = fmt.Sprintf(pathFmt, f[0], f[1])
		}
		for _, fl := range strings.Split(f[6], ",") {
			k, v, _ := strings.Cut(fl, "=")
			switch k {
			case "c":
				p.core = true
			case "s", "w":
				p.only = k
			case "tech":
				p.tech = v
			case "arch":
				p.arch = v
			case "comp":
				p.component = v
			case "pkg":
				p.pkg = v
			}
		}
		p.gaYear = 2014 + int(hashString(p.name)%9)
		out = append(out, p)
	}
	return out
}

type stem struct{ name, publisher, cat1, cat2, tech string }

func parseStems() []stem {
	var out []stem
	for _, line := range strings.Split(strings.TrimSpace(linuxStems), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 5 {
			panic("emulator catalog: bad stem line: " + line)
		}
		out = append(out, stem{f[0], f[1], f[2], f[3], f[4]})
	}
	return out
}

// stemProduct makes a product with n synthetic upstream versions.
func stemProduct(st stem, name string, n int) *swProduct {
	h := hashString(st.name)
	major, minor, patch := 1+int(h%5), int(h>>8%30), int(h>>16%20)
	p := &swProduct{
		publisher: st.publisher, name: name, cat1: st.cat1, cat2: st.cat2, swType: "Application",
		licCat: "Open Source", licSub: "Free", tech: st.tech,
		cpeVendor: cpeWord(st.publisher), cpeProduct: cpeWord(st.name), gaYear: 2012 + int(h>>24%11),
	}
	if strings.HasSuffix(name, "-doc") || strings.HasSuffix(name, "-devel") {
		p.swType = "Others"
	}
	if h>>40%50 == 0 {
		p.swType = "Unknown"
	}
	for k := range n {
		p.versions = append(p.versions, fmt.Sprintf("%d.%d.%d", major, minor, patch+k*2))
	}
	return p
}

func cpeWord(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer(" ", "_", "(", "", ")", "", ",", "", "'", "").Replace(s)
	return s
}

// buildTemplates expands every product of a platform into one template per
// version.
func buildTemplates(pl *platform, plat int) {
	pl.templates = make([][]*swTemplate, len(pl.products))
	for pi, p := range pl.products {
		for vi, v := range p.versions {
			pl.templates[pi] = append(pl.templates[pi], makeTemplate(p, vi, v, plat))
		}
	}
}

var (
	pCloudAgent = csamapi.P("Cloud Agent")
	pNIST       = csamapi.P("NIST")
	pQualysCPE  = csamapi.P("Qualys")
	pExact      = csamapi.P("Exact")
	pTrue       = csamapi.P(true)
	pFalse      = csamapi.P(false)
	pZero       = csamapi.P(int64(0))
	pUnknown    = csamapi.P("Unknown")
)

func makeTemplate(p *swProduct, vi int, update string, plat int) *swTemplate {
	version, arch := update, p.arch
	if plat >= platEL7 {
		// Distribution package version: upstream-release.suffix.
		rel := 1 + int(hashString(p.name+update)%12)
		if isDeb(plat) {
			update = fmt.Sprintf("%s-%d%s%d", update, rel, linuxSuffix[plat], 1+vi)
			arch = "amd64"
			if strings.HasSuffix(p.name, "-doc") || strings.HasSuffix(p.name, "-common") {
				arch = "all"
			}
		} else {
			update = fmt.Sprintf("%s-%d%s", update, rel, linuxSuffix[plat])
			arch = "x86_64"
			if strings.HasSuffix(p.name, "-doc") {
				arch = "noarch"
			}
		}
	}
	parts := strings.Split(version, ".")
	market := parts[0]
	if len(parts) > 1 && p.ignored == "" {
		version = parts[0] + "." + parts[1]
	}
	full := p.publisher + " " + p.name + " " + update
	if p.publisher == p.name || plat >= platEL7 {
		full = p.name + " " + update
	}
	t := &swTemplate{prod: p}
	switch {
	case p.path != "":
		t.path = csamapi.P(p.path)
	case plat >= platEL7 && p.tech != "":
		t.path = csamapi.P("/usr/sbin/" + p.name)
	}
	s := &t.sw
	s.ID = softwareID(p.publisher+" "+p.name, update, arch)
	s.DiscoverySources = pCloudAgent
	s.SoftwareType = csamapi.P(p.swType)
	s.Category = csamapi.P(p.cat1 + " / " + p.cat2)
	s.Category1 = csamapi.P(p.cat1)
	s.Category2 = csamapi.P(p.cat2)
	s.Version = csamapi.P(version)
	s.Update = csamapi.P(update)
	s.IsPackage = pFalse
	s.IsPackageComponent = pFalse
	if arch != "" {
		s.Architecture = csamapi.P(arch)
	}
	if p.ignored != "" {
		// Ignored rows: "Unknown" everywhere, the raw name only in
		// discoveredName, lifecycle all null with stage "Unknown".
		s.FullName = csamapi.P(p.discovered)
		s.IsIgnored = pTrue
		s.IgnoredReason = csamapi.P(p.ignored)
		s.ProductName = pUnknown
		s.Publisher = pUnknown
		s.DiscoveredName = csamapi.P(p.discovered)
		s.DiscoveredVersion = s.Update
		s.Lifecycle = &csamapi.Lifecycle{Stage: pUnknown}
		s.License = &csamapi.License{}
		return t
	}
	h := hashString(full)
	s.FullName = csamapi.P(full)
	s.IsIgnored = pFalse
	s.ProductName = csamapi.P(p.name)
	s.Publisher = csamapi.P(p.publisher)
	s.MarketVersion = csamapi.P(market)
	if p.component != "" {
		s.Component = csamapi.P(p.component)
	}
	if h%4 == 0 {
		s.Edition = pUnknown
	}
	if p.pkg != "" {
		s.IsPackageComponent = pTrue
		s.PackageName = csamapi.P(p.pkg)
	} else if p.tech != "" && h%3 == 0 {
		s.IsPackage = pTrue
	}
	switch h % 5 {
	case 0:
		s.ProductURL = csamapi.P("ProductURL")
	case 1:
		s.ProductURL = csamapi.P("https://en.wikipedia.org/wiki/" + strings.ReplaceAll(p.name, " ", "_") + ",,")
	case 2, 3:
		s.ProductURL = csamapi.P("https://www." + strings.ToLower(strings.Fields(p.publisher)[0]) + ".com/")
	}
	s.License = &csamapi.License{Category: csamapi.P(p.licCat), Subcategory: csamapi.P(p.licSub)}
	s.DiscoveredName = csamapi.P(p.name)
	if h>>8%3 == 0 {
		s.DiscoveredName = csamapi.P(p.publisher + " " + p.name)
	}
	s.DiscoveredVersion = s.Update
	if h>>12%10 == 0 {
		s.DiscoveredPublisher = s.Publisher
	}
	if h>>16%10 < 6 {
		s.Cpe = csamapi.P(fmt.Sprintf("cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*", p.cpeVendor, p.cpeProduct, version))
		s.CpeType = pNIST
		if h>>20%5 == 0 {
			s.CpeType = pQualysCPE
			s.CpeID = csamapi.FlexString{Value: strconv.FormatUint(h>>24%1_000_000_000, 10), Valid: true, Raw: true}
		}
	} else if h>>16%10 < 8 {
		s.CpeType = pNIST
	}
	s.Lifecycle = softwareLifecycle(h)
	return t
}

// softwareLifecycle is a pure function of the software's full name (h), as
// in CSAM's catalog: the same software has the same lifecycle on every
// host, whichever product list of the catalog it came from. Recent releases
// are mostly "Not Announced"; older ones have past dates. The odd null and
// " " stages of real data are kept.
func softwareLifecycle(h uint64) *csamapi.Lifecycle {
	lc := &csamapi.Lifecycle{LifeCycleConfidence: pExact, DetectionScore: csamapi.P(int64(h >> 28 % 3 * 20))}
	ga := time.Date(2012+int(h>>52%13), time.Month(1+h>>36%12), 1+int(h>>40%28), 0, 0, 0, 0, time.UTC)
	switch h >> 32 % 8 {
	case 0: // unknown lifecycle
		lc.Stage = pUnknown
		lc.LifeCycleConfidence = nil
		lc.DetectionScore = nil
		return lc
	case 1: // OS dependent: only a GA date, blank support stages
		lc.GaDate = csamapi.ISO(ga)
		lc.Stage = csamapi.P("OS Dependent")
		lc.EolSupportStage = csamapi.P(" ")
		lc.EosSupportStage = csamapi.P(" ")
		return lc
	}
	lc.GaDate = csamapi.ISO(ga)
	if ga.Year() >= 2021 && h>>44%3 != 0 {
		lc.EolDate = csamapi.Text("Not Announced")
		lc.EosDate = csamapi.Text("Not Announced")
		lc.EolSupportStage = csamapi.P("Not Announced")
		lc.EosSupportStage = csamapi.P("Not Announced")
		lc.Stage = csamapi.P("GA")
		return lc
	}
	eol := ga.AddDate(3+int(h>>48%3), 0, 0)
	eos := eol.AddDate(2, 0, 0)
	lc.EolDate = csamapi.ISO(eol)
	lc.EosDate = csamapi.ISO(eos)
	lc.EolSupportStage = csamapi.P("Mainstream Support")
	lc.EosSupportStage = csamapi.P("Extended Support")
	lc.Stage = csamapi.P(stageAt(eol, eos, catalogRef))
	return lc
}

func stageAt(eol, eos, ref time.Time) string {
	switch {
	case !eos.IsZero() && !ref.Before(eos):
		return "EOL/EOS"
	case !eol.IsZero() && !ref.Before(eol):
		return "EOL"
	default:
		return "GA"
	}
}

// softwareID is the signed 64-bit hash CSAM uses as a software id: the same
// (product, version, architecture) has the same id on every host, and most
// ids are beyond ±2^53, so a float64 decoder corrupts them.
func softwareID(product, version, arch string) int64 {
	return int64(mix(hashString(product + "\x00" + version + "\x00" + arch)))
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return mix(h.Sum64())
}

// mix is the splitmix64 finaliser: a cheap, well-distributed 64-bit hash.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
