// Package csamapi holds the wire types of the Qualys CSAM gateway API: the
// asset object and its parts, the response envelopes, the error bodies, the
// filter grammar with its field and operator catalog, and the tolerant JSON
// types (Time, OneOrMany, CloudProvider, SoftwareInstance) that real servers
// make necessary.
//
// It is shared by the client and the emulator and knows nothing about HTTP,
// retries, storage or the inventory model. Every id is int64: software ids
// are signed 64-bit hashes beyond 2^53 and must never pass through float64.
// Nullable scalars are pointers so that null and "" stay distinct; the JSON
// tags are exactly the keys real CSAM emits (csam-api.md §3.9), so the
// emulator cannot invent a key by accident.
package csamapi

// Asset is one element of assetListData.asset[].
type Asset struct {
	AssetID               int64   `json:"assetId"`
	AssetUUID             *string `json:"assetUUID"`
	HostID                *int64  `json:"hostId"`
	LastModifiedDate      Time    `json:"lastModifiedDate"`
	AgentID               *string `json:"agentId"`
	CreatedDate           Time    `json:"createdDate"`
	SensorLastUpdatedDate Time    `json:"sensorLastUpdatedDate"`
	AssetType             *string `json:"assetType"`
	Address               *string `json:"address"`
	DNSName               *string `json:"dnsName"`
	AssetName             *string `json:"assetName"`
	NetbiosName           *string `json:"netbiosName"`
	TimeZone              *string `json:"timeZone"`
	BiosDescription       *string `json:"biosDescription"`
	LastBoot              Time    `json:"lastBoot"`
	TotalMemory           *int64  `json:"totalMemory"`
	CPUCount              *int64  `json:"cpuCount"`
	LastLoggedOnUser      *string `json:"lastLoggedOnUser"`
	DomainRole            *string `json:"domainRole"`
	HwUUID                *string `json:"hwUUID"`
	BiosSerialNumber      *string `json:"biosSerialNumber"`
	BiosAssetTag          *string `json:"biosAssetTag"`
	IsContainerHost       *bool   `json:"isContainerHost"`

	OperatingSystem          *OperatingSystem          `json:"operatingSystem"`
	Hardware                 *Hardware                 `json:"hardware"`
	UserAccountListData      *UserAccountListData      `json:"userAccountListData"`
	OpenPortListData         *OpenPortListData         `json:"openPortListData"`
	VolumeListData           *VolumeListData           `json:"volumeListData"`
	NetworkInterfaceListData *NetworkInterfaceListData `json:"networkInterfaceListData"`
	SoftwareListData         *SoftwareListData         `json:"softwareListData"`
	SoftwareComponent        *string                   `json:"softwareComponent"`
	Provider                 *string                   `json:"provider"`
	CloudProvider            *CloudProvider            `json:"cloudProvider"`
	Agent                    *Agent                    `json:"agent"`
	Sensor                   *Sensor                   `json:"sensor"`
	Container                *Container                `json:"container"`
	Inventory                *Inventory                `json:"inventory"`
	InventoryListData        *InventoryListData        `json:"inventoryListData"`
	Activity                 *Activity                 `json:"activity"`
	TagList                  *TagList                  `json:"tagList"`
	ServiceList              *ServiceList              `json:"serviceList"`
	LastLocation             *Location                 `json:"lastLocation"`
	Criticality              *Criticality              `json:"criticality"`
	BusinessInformation      *BusinessInformation      `json:"businessInformation"`
	AssignedLocation         *Location                 `json:"assignedLocation"`
	BusinessAppListData      *BusinessAppListData      `json:"businessAppListData"`
	RiskScore                *int64                    `json:"riskScore"`
	PassiveSensor            *PassiveSensor            `json:"passiveSensor"`
	Domain                   []string                  `json:"domain"`
	Subdomain                []string                  `json:"subdomain"`
	MissingSoftware          []string                  `json:"missingSoftware"`
	Whois                    OneOrMany[Whois]          `json:"whois"`
	OrganizationName         []string                  `json:"organizationName"`
	ISP                      *string                   `json:"isp"`
	ASN                      *string                   `json:"asn"`
	EasmTags                 []string                  `json:"easmTags"`
	HostingCategory1         *string                   `json:"hostingCategory1"`
	CustomAttributes         []CustomAttribute         `json:"customAttributes"`
	LparID                   *string                   `json:"lparId"`
	Processor                OneOrMany[Processor]      `json:"processor"`
}

// Lifecycle is the lifecycle block of operating systems, hardware and
// software. Dates may be "Not Announced"; support stages may be " ".
type Lifecycle struct {
	GaDate              Time    `json:"gaDate"`
	EolDate             Time    `json:"eolDate"`
	EosDate             Time    `json:"eosDate"`
	IntroDate           *Time   `json:"introDate,omitzero"`
	ObsoleteDate        *Time   `json:"obsoleteDate,omitzero"`
	Stage               *string `json:"stage"`
	LifeCycleConfidence *string `json:"lifeCycleConfidence"`
	EolSupportStage     *string `json:"eolSupportStage,omitzero"`
	EosSupportStage     *string `json:"eosSupportStage,omitzero"`
	DetectionScore      *int64  `json:"detectionScore,omitzero"`
}

// Taxonomy is the category taxonomy of an operating system or hardware.
type Taxonomy struct {
	ID        FlexString `json:"id"` // a number in Qualys samples, a string in others
	Name      *string    `json:"name"`
	Category1 *string    `json:"category1"`
	Category2 *string    `json:"category2"`
}

// OperatingSystem is asset.operatingSystem.
type OperatingSystem struct {
	OsName        *string    `json:"osName"`
	FullName      *string    `json:"fullName"`
	Category      *string    `json:"category"`
	Category1     *string    `json:"category1"`
	Category2     *string    `json:"category2"`
	ProductName   *string    `json:"productName"`
	Publisher     *string    `json:"publisher"`
	Edition       *string    `json:"edition"`
	MarketVersion *string    `json:"marketVersion"`
	Version       *string    `json:"version"`
	Update        *string    `json:"update"`
	Architecture  *string    `json:"architecture"`
	Lifecycle     *Lifecycle `json:"lifecycle"`
	Taxonomy      *Taxonomy  `json:"taxonomy"`
	ProductURL    *string    `json:"productUrl"`
	ProductFamily *string    `json:"productFamily"`
	InstallDate   Time       `json:"installDate"`
	Release       *string    `json:"release"`
	CpeID         FlexString `json:"cpeId"`
	Cpe           *string    `json:"cpe"`
	CpeType       *string    `json:"cpeType"`
}

// Hardware is asset.hardware.
type Hardware struct {
	FullName      *string    `json:"fullName"`
	Category      *string    `json:"category"`
	Category1     *string    `json:"category1"`
	Category2     *string    `json:"category2"`
	Manufacturer  *string    `json:"manufacturer"`
	ProductName   *string    `json:"productName"`
	Model         *string    `json:"model"`
	Lifecycle     *Lifecycle `json:"lifecycle"`
	Taxonomy      *Taxonomy  `json:"taxonomy"`
	ProductURL    *string    `json:"productUrl"`
	ProductFamily *string    `json:"productFamily"`
}

// UserAccountListData is asset.userAccountListData.
type UserAccountListData struct {
	UserAccount []UserAccount `json:"userAccount"`
}

// UserAccount is one local account.
type UserAccount struct {
	Name *string `json:"name"`
}

// OpenPortListData is asset.openPortListData.
type OpenPortListData struct {
	OpenPort []OpenPort `json:"openPort"`
}

// OpenPort is one open port.
type OpenPort struct {
	Port             *int64  `json:"port"`
	Description      *string `json:"description"`
	Protocol         *string `json:"protocol"`
	DetectedService  *string `json:"detectedService"`
	FirstFound       Time    `json:"firstFound"`
	LastUpdated      Time    `json:"lastUpdated"`
	Authorization    *string `json:"authorization,omitzero"`
	DetectionScore   *int64  `json:"detectionScore,omitzero"`
	DiscoverySources *string `json:"discoverySources,omitzero"`
}

// VolumeListData is asset.volumeListData.
type VolumeListData struct {
	Volume []Volume `json:"volume"`
}

// Volume is one disk volume; size and free are in the units the source used.
type Volume struct {
	Name *string `json:"name"`
	Free *int64  `json:"free"`
	Size *int64  `json:"size"`
}

// NetworkInterfaceListData is asset.networkInterfaceListData.
type NetworkInterfaceListData struct {
	NetworkInterface []NetworkInterface `json:"networkInterface"`
}

// NetworkInterface is one NIC. addressIpV4 / addressIpV6 may hold
// comma-separated lists; dnsAddress is ", "-joined.
type NetworkInterface struct {
	Hostname           *string `json:"hostname"`
	AddressIPV4        *string `json:"addressIpV4"`
	AddressIPV6        *string `json:"addressIpV6"`
	MacAddress         *string `json:"macAddress"`
	InterfaceName      *string `json:"interfaceName"`
	DNSAddress         *string `json:"dnsAddress"`
	GatewayAddress     *string `json:"gatewayAddress"`
	Manufacturer       *string `json:"manufacturer"`
	MacVendorIntroDate Time    `json:"macVendorIntroDate"`
	Netmask            *string `json:"netmask"`
	Addresses          any     `json:"addresses"`
}

// SoftwareListData is asset.softwareListData.
type SoftwareListData struct {
	Software []Software `json:"software"`
}

// License is software.license.
type License struct {
	Category    *string `json:"category"`
	Subcategory *string `json:"subcategory"`
}

// Software is one installed software record. ID is a signed 64-bit hash.
type Software struct {
	ID                          int64              `json:"id"`
	DiscoverySources            *string            `json:"discoverySources,omitzero"`
	FullName                    *string            `json:"fullName"`
	SoftwareType                *string            `json:"softwareType"`
	IsIgnored                   *bool              `json:"isIgnored"`
	IgnoredReason               *string            `json:"ignoredReason"`
	Category                    *string            `json:"category"`
	Category1                   *string            `json:"category1"`
	Category2                   *string            `json:"category2"`
	ProductName                 *string            `json:"productName"`
	Component                   *string            `json:"component"`
	Publisher                   *string            `json:"publisher"`
	Edition                     *string            `json:"edition"`
	MarketVersion               *string            `json:"marketVersion"`
	Version                     *string            `json:"version"`
	Update                      *string            `json:"update"`
	Architecture                *string            `json:"architecture"`
	InstallDate                 Time               `json:"installDate"`
	InstallPath                 *string            `json:"installPath"`
	LastUpdated                 Time               `json:"lastUpdated"`
	LastUseDate                 Time               `json:"lastUseDate"`
	Language                    *string            `json:"language"`
	FormerlyKnownAs             *string            `json:"formerlyKnownAs"`
	IsPackage                   *bool              `json:"isPackage"`
	IsPackageComponent          *bool              `json:"isPackageComponent"`
	PackageName                 *string            `json:"packageName"`
	ProductURL                  *string            `json:"productUrl"`
	ProductFamily               *string            `json:"productFamily,omitzero"`
	Lifecycle                   *Lifecycle         `json:"lifecycle"`
	SupportStageDesc            *string            `json:"supportStageDesc"`
	License                     *License           `json:"license"`
	Authorization               *string            `json:"authorization"`
	DiscoveredPublisher         *string            `json:"discoveredPublisher"`
	DiscoveredName              *string            `json:"discoveredName"`
	DiscoveredVersion           *string            `json:"discoveredVersion"`
	AuthorizationDetectionScore *int64             `json:"authorizationDetectionScore"`
	CpeID                       FlexString         `json:"cpeId"`
	Cpe                         *string            `json:"cpe"`
	CpeType                     *string            `json:"cpeType"`
	SoftwareInstances           []SoftwareInstance `json:"softwareInstances"`
}

// KeyValue is a cloud tag.
type KeyValue struct {
	Key   *string `json:"key"`
	Value *string `json:"value"`
}

// Agent is asset.agent. Dates are epoch milliseconds; 0 means never.
type Agent struct {
	Version              *string      `json:"version"`
	ConfigurationProfile *string      `json:"configurationProfile"`
	Activations          []Activation `json:"activations"`
	ConnectedFrom        *string      `json:"connectedFrom"`
	LastActivity         Time         `json:"lastActivity"`
	LastCheckedIn        Time         `json:"lastCheckedIn"`
	LastInventory        Time         `json:"lastInventory"`
	UdcManifestAssigned  *bool        `json:"udcManifestAssigned"`
	ErrorStatus          *bool        `json:"errorStatus"`
}

// Activation is one agent module activation.
type Activation struct {
	Key    *string `json:"key"`
	Status *string `json:"status"`
}

// Sensor is asset.sensor.
type Sensor struct {
	ActivatedForModules         []string `json:"activatedForModules"`
	PendingActivationForModules []string `json:"pendingActivationForModules"`
	LastVMScan                  Time     `json:"lastVMScan"`
	LastComplianceScan          Time     `json:"lastComplianceScan"`
	LastFullScan                Time     `json:"lastFullScan"`
	LastVMScanDateScanner       Time     `json:"lastVmScanDateScanner"`
	LastVMScanDateAgent         Time     `json:"lastVmScanDateAgent"`
	LastPcScanDateScanner       Time     `json:"lastPcScanDateScanner"`
	LastPcScanDateAgent         Time     `json:"lastPcScanDateAgent"`
	FirstEasmScanDate           Time     `json:"firstEasmScanDate"`
	LastEasmScanDate            Time     `json:"lastEasmScanDate"`
}

// Container is asset.container.
type Container struct {
	Product        *string    `json:"product"`
	Version        *string    `json:"version"`
	NoOfContainers *int64     `json:"noOfContainers"`
	NoOfImages     *int64     `json:"noOfImages"`
	HasSensor      FlexString `json:"hasSensor"` // a bool; sanitised samples carry text
}

// Inventory is asset.inventory (and an element of inventoryListData).
type Inventory struct {
	Source      *string `json:"source"`
	Created     Time    `json:"created"`
	LastUpdated Time    `json:"lastUpdated"`
}

// InventoryListData is asset.inventoryListData.
type InventoryListData struct {
	Inventory []Inventory `json:"inventory"`
}

// Activity is asset.activity.
type Activity struct {
	Source          *string `json:"source"`
	LastScannedDate Time    `json:"lastScannedDate"`
}

// TagList is asset.tagList.
type TagList struct {
	Tag []Tag `json:"tag"`
}

// Tag is one Qualys tag. Names may themselves be QQL strings.
type Tag struct {
	TagID            int64   `json:"tagId"`
	TagName          *string `json:"tagName"`
	ForegroundColor  *int64  `json:"foregroundColor"`
	BackgroundColor  *int64  `json:"backgroundColor"`
	BusinessImpact   *string `json:"businessImpact"`
	CriticalityScore *int64  `json:"criticalityScore"`
}

// ServiceList is asset.serviceList.
type ServiceList struct {
	Service []Service `json:"service"`
}

// Service is one OS service.
type Service struct {
	Description *string `json:"description"`
	Name        *string `json:"name"`
	Status      *string `json:"status"`
}

// Location is asset.lastLocation / asset.assignedLocation.
type Location struct {
	City      *string `json:"city"`
	State     *string `json:"state"`
	Country   *string `json:"country"`
	Name      *string `json:"name"`
	Continent *string `json:"continent"`
	Postal    *string `json:"postal"`
}

// Criticality is asset.criticality.
type Criticality struct {
	Score       *int64 `json:"score"`
	IsDefault   *bool  `json:"isDefault"`
	LastUpdated Time   `json:"lastUpdated"`
}

// BusinessInformation is asset.businessInformation.
type BusinessInformation struct {
	Company           *string `json:"company"`
	Department        *string `json:"department"`
	OwnedBy           *string `json:"ownedBy"`
	Environment       *string `json:"environment"`
	ManagedBy         *string `json:"managedBy"`
	SupportedBy       *string `json:"supportedBy"`
	SupportGroup      *string `json:"supportGroup"`
	OperationalStatus *string `json:"operationalStatus"`
}

// BusinessAppListData is asset.businessAppListData.
type BusinessAppListData struct {
	BusinessApp []BusinessApp `json:"businessApp"`
}

// BusinessApp is one business application linked to the asset.
type BusinessApp struct {
	Name                *string `json:"name"`
	BusinessCriticality *string `json:"businessCriticality"`
}

// PassiveSensor is asset.passiveSensor.
type PassiveSensor struct {
	FirstScanDate Time `json:"firstScanDate"`
	LastScanDate  Time `json:"lastScanDate"`
}

// Whois is one WHOIS record (an object or an array of them on the wire).
type Whois struct {
	Domain                 *string `json:"domain"`
	CreatedDate            Time    `json:"createdDate"`
	UpdatedDate            Time    `json:"updatedDate"`
	ExpirationDate         Time    `json:"expirationDate"`
	DNSSEC                 *string `json:"dnssec"`
	DomainStatus           *string `json:"domainStatus"`
	Registrar              *string `json:"registrar"`
	RegistrantName         *string `json:"registrantName"`
	RegistrantOrganization *string `json:"registrantOrganization"`
	RegistrantEmail        *string `json:"registrantEmail"`
	RegistrantCountry      *string `json:"registrantCountry"`
	NameServers            any     `json:"nameServers"`
}

// CustomAttribute is one asset.customAttributes[] entry (GAV 2.x, 2023).
type CustomAttribute struct {
	Key           *string `json:"key"`
	Value         *string `json:"value"`
	ConnectorName *string `json:"connectorName"`
}

// Processor is one asset.processor entry (an object or an array on the wire).
type Processor struct {
	Description          *string `json:"description"`
	Speed                *int64  `json:"speed"`
	NumCPUs              *int64  `json:"numCPUs"`
	NoOfSocket           *int64  `json:"noOfSocket"`
	ThreadsPerCore       *int64  `json:"threadsPerCore"`
	CoresPerSocket       *int64  `json:"coresPerSocket"`
	MultithreadingStatus *string `json:"multithreadingStatus"`
}

// Str returns *p or "" — for reading nullable wire strings.
func Str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// P returns a pointer to v — for building wire values.
func P[T any](v T) *T { return &v }
