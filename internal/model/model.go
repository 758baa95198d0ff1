// Package model is csamsync's unified inventory model: Host (from a CSAM
// asset), Package (from a software record, one per distinct software) and
// InstalledPackage (a package on a host), named as in Brinqa's CSAM
// connector mapping (seed 000, tables 1-4). The JSON names of the fields are
// the attribute names of that mapping and the stable export interface.
//
// It knows nothing about the CSAM wire format, HTTP or storage: mapping
// fills it, storage persists it, export prints it.
package model

import "time"

// Host status values.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
)

// Host is one CSAM asset. Attributes holds every "Local variable" of the
// mapping table under its source field name (for example "asset.hostId"),
// plus everything else the asset carried that has no named attribute.
type Host struct {
	UID                string     `json:"uid"`
	Name               string     `json:"name"`
	Hostname           string     `json:"hostname"`
	Description        string     `json:"description"`
	OperatingSystem    string     `json:"operatingSystem"`
	Status             string     `json:"status"`
	FirstSeen          *time.Time `json:"firstSeen"`
	LastSeen           *time.Time `json:"lastSeen"`
	LastScanned        *time.Time `json:"lastScanned"`
	LastStarted        *time.Time `json:"lastStarted"`
	SourceCreatedDate  *time.Time `json:"sourceCreatedDate"`
	SourceLastModified *time.Time `json:"sourceLastModified"` // asset.lastModifiedDate, the delta watermark
	Tags               []string   `json:"tags"`
	Categories         []string   `json:"categories"`
	DNSNames           []string   `json:"dnsNames"`
	Hostnames          []string   `json:"hostnames"`
	InstanceID         string     `json:"instanceId"`
	IPAddresses        []string   `json:"ipAddresses"`
	MacAddresses       []string   `json:"macAddresses"`
	PrivateDNSName     string     `json:"privateDnsName"`
	PrivateDNSNames    []string   `json:"privateDnsNames"`
	PrivateIPAddresses []string   `json:"privateIpAddresses"`
	PublicDNSName      string     `json:"publicDnsName"`
	PublicDNSNames     []string   `json:"publicDnsNames"`
	PublicIPAddress    string     `json:"publicIpAddress"`
	PublicIPAddresses  []string   `json:"publicIpAddresses"`

	// Structured data a security team needs beyond the named attributes.
	OpenPorts         []OpenPort         `json:"openPorts"`
	Services          []Service          `json:"services"`
	Volumes           []Volume           `json:"volumes"`
	NetworkInterfaces []NetworkInterface `json:"networkInterfaces"`
	CustomAttributes  []CustomAttribute  `json:"customAttributes"`
	CloudTags         []CloudTag         `json:"cloudTags"`
	Agent             *Agent             `json:"agent"`
	TransformMap      TransformMap       `json:"transformMap"`

	// Inactive hosts: when the host was found gone (full reconciliation).
	RetiredAt *time.Time `json:"retiredAt"`

	Attributes map[string]any `json:"attributes"`
}

// TransformMap holds the target attributes of the Qualys ETM default
// transform map (seed 001), BIOS serial number being the required one.
type TransformMap struct {
	DNSName                string   `json:"dnsName"`
	HostID                 string   `json:"hostId"`
	AssetUUID              string   `json:"assetUUID"`
	BIOSSerialNumber       string   `json:"biosSerialNumber"`
	OperatingSystemName    string   `json:"operatingSystemName"`
	OperatingSystemVersion string   `json:"operatingSystemVersion"`
	OpenPortNumbers        []int64  `json:"openPortNumbers"`
	NetworkInterfaceIPv4   []string `json:"networkInterfaceIpv4Addresses"`
	HardwareManufacturer   string   `json:"hardwareManufacturer"`
	HardwareModel          string   `json:"hardwareModel"`
}

// OpenPort is one open port of a host.
type OpenPort struct {
	Port            int64      `json:"port"`
	Protocol        string     `json:"protocol"`
	Description     string     `json:"description"`
	DetectedService string     `json:"detectedService"`
	FirstFound      *time.Time `json:"firstFound"`
	LastUpdated     *time.Time `json:"lastUpdated"`
}

// Service is one OS service.
type Service struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Status      string `json:"status"`
}

// Volume is one disk volume (units as the source sent them).
type Volume struct {
	Name string `json:"name"`
	Size *int64 `json:"size"`
	Free *int64 `json:"free"`
}

// NetworkInterface is one NIC; address lists are split.
type NetworkInterface struct {
	Name           string   `json:"name"`
	Hostname       string   `json:"hostname"`
	IPv4           []string `json:"ipv4"`
	IPv6           []string `json:"ipv6"`
	MacAddress     string   `json:"macAddress"`
	GatewayAddress string   `json:"gatewayAddress"`
	DNSAddresses   []string `json:"dnsAddresses"`
	Manufacturer   string   `json:"manufacturer"`
}

// CustomAttribute is a CSAM custom attribute.
type CustomAttribute struct {
	Key           string `json:"key"`
	Value         string `json:"value"`
	ConnectorName string `json:"connectorName"`
}

// CloudTag is a cloud provider tag.
type CloudTag struct {
	Provider string `json:"provider"`
	Key      string `json:"key"`
	Value    string `json:"value"`
}

// Agent is the Qualys Cloud Agent on the host.
type Agent struct {
	ID                   string     `json:"id"`
	Version              string     `json:"version"`
	ConfigurationProfile string     `json:"configurationProfile"`
	ConnectedFrom        string     `json:"connectedFrom"`
	LastActivity         *time.Time `json:"lastActivity"`
	LastCheckedIn        *time.Time `json:"lastCheckedIn"`
	LastInventory        *time.Time `json:"lastInventory"`
}

// Package is one distinct software (same uid on every host).
type Package struct {
	UID                string         `json:"uid"`
	Name               string         `json:"name"`
	Description        string         `json:"description"`
	Revision           string         `json:"revision"`
	Publisher          string         `json:"publisher"`
	SourceCreatedDate  *time.Time     `json:"sourceCreatedDate"`
	SourceLastModified *time.Time     `json:"sourceLastModified"`
	Attributes         map[string]any `json:"attributes"`
}

// InstalledPackage is one package on one host.
type InstalledPackage struct {
	UID         string         `json:"uid"`
	Targets     string         `json:"targets"` // host uid
	Type        string         `json:"type"`    // package uid
	InstallDate *time.Time     `json:"installDate"`
	InstallPath string         `json:"installPath"`
	Status      string         `json:"status"`    // present | removed
	RemovedAt   *time.Time     `json:"removedAt"` // when a later full sync no longer saw it
	Attributes  map[string]any `json:"attributes"`
}

// Installed-package status values.
const (
	InstalledPresent = "present"
	InstalledRemoved = "removed"
)

// HostRecord is everything one asset maps to: the unit the store writes
// atomically.
type HostRecord struct {
	Host      Host
	Packages  []Package
	Installed []InstalledPackage
	// PackageDates widen the date span of packages already written earlier
	// in the run, without repeating the whole package.
	PackageDates []PackageDates
	// SoftwareExcluded is set when the asset was fetched without its
	// software list (include/exclude fields): its installed packages must
	// then be left as they are, not marked removed.
	SoftwareExcluded bool
}

// PackageDates carries one host's install and update dates of a package
// that the run has already stored: a package keeps the earliest
// sourceCreatedDate and the latest sourceLastModified over all hosts.
type PackageDates struct {
	UID                string
	SourceCreatedDate  *time.Time
	SourceLastModified *time.Time
}
