package mapping

import (
	"slices"
	"strconv"
	"time"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// attrs builds an Attributes map. Values are string, int64, bool or
// []string; null and absent source values leave the key out.
type attrs map[string]any

func (at attrs) str(k string, p *string) {
	if p != nil {
		at[k] = *p
	}
}

func (at attrs) i64(k string, p *int64) {
	if p != nil {
		at[k] = *p
	}
}

// id keeps an identifier as decimal text: exports carry ids as strings, so
// that no consumer rounds a 64-bit value through a float.
func (at attrs) id(k string, p *int64) {
	if p != nil {
		at[k] = strconv.FormatInt(*p, 10)
	}
}

func (at attrs) boolean(k string, p *bool) {
	if p != nil {
		at[k] = *p
	}
}

// list keeps a present list (even empty) as a sorted, deduplicated copy:
// the string lists of an asset (domain, subdomain, organizationName,
// easmTags, sensor modules ...) are sets.
func (at attrs) list(k string, l []string) {
	if l != nil {
		at[k] = sortUnique(slices.Clone(l))
	}
}

// flex keeps a number-or-string value as text (numbers in exact decimal).
func (at attrs) flex(k string, f csamapi.FlexString) {
	if f.Valid {
		at[k] = f.Value
	}
}

// date keeps a date as RFC 3339 UTC when it is an instant, as the raw text
// when it is not a date ("Not Announced", " "), and leaves the key out for
// null and for "never" (epoch 0 or negative).
func (at attrs) date(k string, t csamapi.Time) {
	if v, ok := dateValue(t); ok {
		at[k] = v
	}
}

func dateValue(t csamapi.Time) (string, bool) {
	if t.Kind == csamapi.TimeNull {
		return "", false
	}
	if p := instant(t); p != nil {
		return p.Format(time.RFC3339Nano), true
	}
	if !t.Known {
		return t.Raw, true
	}
	return "", false
}

// lifecycleKeys are the attribute keys of one lifecycle block, built once
// so that the hot path does not concatenate strings.
type lifecycleKeys struct {
	ga, eol, eos, intro, obsolete, stage, confidence, eolStage, eosStage, score string
}

func newLifecycleKeys(prefix string) *lifecycleKeys {
	return &lifecycleKeys{
		ga: prefix + ".gaDate", eol: prefix + ".eolDate", eos: prefix + ".eosDate",
		intro: prefix + ".introDate", obsolete: prefix + ".obsoleteDate", stage: prefix + ".stage",
		confidence: prefix + ".lifeCycleConfidence", eolStage: prefix + ".eolSupportStage",
		eosStage: prefix + ".eosSupportStage", score: prefix + ".detectionScore",
	}
}

var (
	osLifecycleKeys       = newLifecycleKeys("asset.operatingSystem.lifecycle")
	hardwareLifecycleKeys = newLifecycleKeys("asset.hardware.lifecycle")
	softwareLifecycleKeys = newLifecycleKeys("software.lifecycle")
)

func (at attrs) lifecycle(k *lifecycleKeys, l *csamapi.Lifecycle) {
	if l == nil {
		return
	}
	at.date(k.ga, l.GaDate)
	at.date(k.eol, l.EolDate)
	at.date(k.eos, l.EosDate)
	if l.IntroDate != nil {
		at.date(k.intro, *l.IntroDate)
	}
	if l.ObsoleteDate != nil {
		at.date(k.obsolete, *l.ObsoleteDate)
	}
	at.str(k.stage, l.Stage)
	at.str(k.confidence, l.LifeCycleConfidence)
	at.str(k.eolStage, l.EolSupportStage)
	at.str(k.eosStage, l.EosSupportStage)
	at.i64(k.score, l.DetectionScore)
}

func (at attrs) location(prefix string, l *csamapi.Location) {
	if l == nil {
		return
	}
	at.str(prefix+".name", l.Name)
	at.str(prefix+".city", l.City)
	at.str(prefix+".state", l.State)
	at.str(prefix+".country", l.Country)
	at.str(prefix+".continent", l.Continent)
	at.str(prefix+".postal", l.Postal)
}

// hostAttributes holds every "Local variable" of Table 2 under its source
// field name, plus the extras listed in docs/mapping.md.
func hostAttributes(a *csamapi.Asset) map[string]any {
	at := make(attrs, 128)

	// Table 2 local variables, top level.
	at.str("asset.agentId", a.AgentID)
	at.str("asset.assetType", a.AssetType)
	at.str("asset.assetUUID", a.AssetUUID)
	at.str("asset.asn", a.ASN)
	at.str("asset.biosAssetTag", a.BiosAssetTag)
	at.str("asset.biosDescription", a.BiosDescription)
	at.str("asset.biosSerialNumber", a.BiosSerialNumber)
	at.i64("asset.cpuCount", a.CPUCount)
	at.list("asset.domain", a.Domain)
	at.id("asset.hostId", a.HostID)
	at.str("asset.hwUUID", a.HwUUID)
	at.boolean("asset.isContainerHost", a.IsContainerHost)
	at.str("asset.lastLoggedOnUser", a.LastLoggedOnUser)
	at.str("asset.netbiosName", a.NetbiosName)
	at.list("asset.organizationName", a.OrganizationName)
	at.date("asset.sensorLastUpdatedDate", a.SensorLastUpdatedDate)
	at.list("asset.subdomain", a.Subdomain)
	at.str("asset.timeZone", a.TimeZone)
	at.i64("asset.totalMemory", a.TotalMemory)

	// Extras, top level.
	at.str("asset.address", a.Address)
	at.str("asset.assetName", a.AssetName)
	at.str("asset.dnsName", a.DNSName)
	at.str("asset.domainRole", a.DomainRole)
	at.date("asset.lastModifiedDate", a.LastModifiedDate)
	at.i64("asset.riskScore", a.RiskScore)
	at.str("asset.provider", a.Provider)
	at.str("asset.isp", a.ISP)
	at.str("asset.hostingCategory1", a.HostingCategory1)
	at.list("asset.easmTags", a.EasmTags)
	at.list("asset.missingSoftware", a.MissingSoftware)
	at.str("asset.softwareComponent", a.SoftwareComponent)
	at.str("asset.lparId", a.LparID)

	if os := a.OperatingSystem; os != nil {
		at.lifecycle(osLifecycleKeys, os.Lifecycle)
		if t := os.Taxonomy; t != nil {
			at.str("asset.operatingSystem.taxonomy.category1", t.Category1)
			at.str("asset.operatingSystem.taxonomy.category2", t.Category2)
			at.str("asset.operatingSystem.taxonomy.name", t.Name)
		}
		at.str("asset.operatingSystem.osName", os.OsName)
		at.str("asset.operatingSystem.fullName", os.FullName)
		at.str("asset.operatingSystem.category", os.Category)
		at.str("asset.operatingSystem.category1", os.Category1)
		at.str("asset.operatingSystem.category2", os.Category2)
		at.str("asset.operatingSystem.productName", os.ProductName)
		at.str("asset.operatingSystem.publisher", os.Publisher)
		at.str("asset.operatingSystem.edition", os.Edition)
		at.str("asset.operatingSystem.marketVersion", os.MarketVersion)
		at.str("asset.operatingSystem.version", os.Version)
		at.str("asset.operatingSystem.update", os.Update)
		at.str("asset.operatingSystem.architecture", os.Architecture)
		at.str("asset.operatingSystem.productFamily", os.ProductFamily)
		at.str("asset.operatingSystem.release", os.Release)
		at.str("asset.operatingSystem.cpe", os.Cpe)
		at.flex("asset.operatingSystem.cpeId", os.CpeID)
		at.str("asset.operatingSystem.cpeType", os.CpeType)
		at.date("asset.operatingSystem.installDate", os.InstallDate)
	}
	if hw := a.Hardware; hw != nil {
		if t := hw.Taxonomy; t != nil {
			at.str("asset.hardware.taxonomy.category1", t.Category1)
			at.str("asset.hardware.taxonomy.category2", t.Category2)
			at.str("asset.hardware.taxonomy.name", t.Name)
		}
		at.str("asset.hardware.fullName", hw.FullName)
		at.str("asset.hardware.category", hw.Category)
		at.str("asset.hardware.category1", hw.Category1)
		at.str("asset.hardware.category2", hw.Category2)
		at.str("asset.hardware.manufacturer", hw.Manufacturer)
		at.str("asset.hardware.productName", hw.ProductName)
		at.str("asset.hardware.model", hw.Model)
		at.str("asset.hardware.productFamily", hw.ProductFamily)
		at.lifecycle(hardwareLifecycleKeys, hw.Lifecycle)
	}

	// whois: the first record (the wire sends an object or an array).
	if len(a.Whois.Items) > 0 {
		w := &a.Whois.Items[0]
		at.date("asset.whois.createdDate", w.CreatedDate)
		at.str("asset.whois.registrantEmail", w.RegistrantEmail)
		at.str("asset.whois.registrantOrganization", w.RegistrantOrganization)
		at.str("asset.whois.registrar", w.Registrar)
		at.str("asset.whois.domain", w.Domain)
		at.date("asset.whois.updatedDate", w.UpdatedDate)
		at.date("asset.whois.expirationDate", w.ExpirationDate)
		at.str("asset.whois.registrantName", w.RegistrantName)
		at.str("asset.whois.registrantCountry", w.RegistrantCountry)
		at.str("asset.whois.dnssec", w.DNSSEC)
		at.str("asset.whois.domainStatus", w.DomainStatus)
		switch ns := w.NameServers.(type) {
		case string:
			at["asset.whois.nameServers"] = []string{ns}
		case []any:
			if v, ok := attrValue(ns); ok {
				at["asset.whois.nameServers"] = v
			}
		}
	}

	// processor: the first entry (object or array on the wire).
	if len(a.Processor.Items) > 0 {
		p := &a.Processor.Items[0]
		at.str("asset.processor.description", p.Description)
		at.i64("asset.processor.speed", p.Speed)
		at.i64("asset.processor.numCPUs", p.NumCPUs)
		at.i64("asset.processor.noOfSocket", p.NoOfSocket)
		at.i64("asset.processor.threadsPerCore", p.ThreadsPerCore)
		at.i64("asset.processor.coresPerSocket", p.CoresPerSocket)
		at.str("asset.processor.multithreadingStatus", p.MultithreadingStatus)
	}

	if inv := a.Inventory; inv != nil {
		at.str("asset.inventory.source", inv.Source)
	}
	if act := a.Activity; act != nil {
		at.str("asset.activity.source", act.Source)
	}
	if cr := a.Criticality; cr != nil {
		at.i64("asset.criticality.score", cr.Score)
		at.boolean("asset.criticality.isDefault", cr.IsDefault)
		at.date("asset.criticality.lastUpdated", cr.LastUpdated)
	}
	if bi := a.BusinessInformation; bi != nil {
		at.str("asset.businessInformation.company", bi.Company)
		at.str("asset.businessInformation.department", bi.Department)
		at.str("asset.businessInformation.ownedBy", bi.OwnedBy)
		at.str("asset.businessInformation.environment", bi.Environment)
		at.str("asset.businessInformation.managedBy", bi.ManagedBy)
		at.str("asset.businessInformation.supportedBy", bi.SupportedBy)
		at.str("asset.businessInformation.supportGroup", bi.SupportGroup)
		at.str("asset.businessInformation.operationalStatus", bi.OperationalStatus)
	}
	at.location("asset.lastLocation", a.LastLocation)
	at.location("asset.assignedLocation", a.AssignedLocation)
	if s := a.Sensor; s != nil {
		at.list("asset.sensor.activatedForModules", s.ActivatedForModules)
		at.list("asset.sensor.pendingActivationForModules", s.PendingActivationForModules)
		at.date("asset.sensor.lastVMScan", s.LastVMScan)
		at.date("asset.sensor.lastComplianceScan", s.LastComplianceScan)
		at.date("asset.sensor.lastFullScan", s.LastFullScan)
		at.date("asset.sensor.lastVmScanDateScanner", s.LastVMScanDateScanner)
		at.date("asset.sensor.lastVmScanDateAgent", s.LastVMScanDateAgent)
		at.date("asset.sensor.lastPcScanDateScanner", s.LastPcScanDateScanner)
		at.date("asset.sensor.lastPcScanDateAgent", s.LastPcScanDateAgent)
		at.date("asset.sensor.firstEasmScanDate", s.FirstEasmScanDate)
		at.date("asset.sensor.lastEasmScanDate", s.LastEasmScanDate)
	}
	if ps := a.PassiveSensor; ps != nil {
		at.date("asset.passiveSensor.firstScanDate", ps.FirstScanDate)
		at.date("asset.passiveSensor.lastScanDate", ps.LastScanDate)
	}
	if ct := a.Container; ct != nil {
		at.str("asset.container.product", ct.Product)
		at.str("asset.container.version", ct.Version)
		at.i64("asset.container.noOfContainers", ct.NoOfContainers)
		at.i64("asset.container.noOfImages", ct.NoOfImages)
		switch hs := ct.HasSensor; {
		case hs.Valid && (hs.Value == "true" || hs.Value == "false"):
			at["asset.container.hasSensor"] = hs.Value == "true"
		default:
			at.flex("asset.container.hasSensor", hs)
		}
	}
	if ag := a.Agent; ag != nil && ag.Activations != nil {
		l := make([]string, 0, len(ag.Activations))
		for i := range ag.Activations {
			k, s := clean(ag.Activations[i].Key), clean(ag.Activations[i].Status)
			if k != "" {
				l = append(l, k+"="+s)
			}
		}
		at["asset.agent.activations"] = sortUnique(l)
	}
	if ul := a.UserAccountListData; ul != nil {
		l := make([]string, 0, len(ul.UserAccount))
		for i := range ul.UserAccount {
			if s := clean(ul.UserAccount[i].Name); s != "" {
				l = append(l, s)
			}
		}
		at["asset.userAccountListData.userAccount.name"] = sortUnique(l)
	}
	if bl := a.BusinessAppListData; bl != nil {
		l := make([]string, 0, len(bl.BusinessApp))
		for i := range bl.BusinessApp {
			if s := clean(bl.BusinessApp[i].Name); s != "" {
				l = append(l, s)
			}
		}
		at["asset.businessAppListData.businessApp.name"] = sortUnique(l)
	}
	if il := a.InventoryListData; il != nil {
		l := make([]string, 0, len(il.Inventory))
		for i := range il.Inventory {
			if s := clean(il.Inventory[i].Source); s != "" {
				l = append(l, s)
			}
		}
		at["asset.inventoryListData.inventory.source"] = sortUnique(l)
	}
	if tl := a.TagList; tl != nil {
		l := make([]string, 0, len(tl.Tag))
		for i := range tl.Tag {
			if tl.Tag[i].TagID != 0 {
				l = append(l, strconv.FormatInt(tl.Tag[i].TagID, 10))
			}
		}
		at["asset.tagList.tag.tagId"] = sortUnique(l)
	}

	cloudAttributes(at, a.CloudProvider)
	return at
}

// cloudAttributes keeps the cloud instance under
// asset.cloudProvider.<provider>.<instanceKey>.<field>; a string-form
// cloudProvider ("Amazon Web Services") is kept as asset.cloudProvider.
func cloudAttributes(at attrs, cp *csamapi.CloudProvider) {
	if cp == nil {
		return
	}
	if cp.Name != "" {
		at["asset.cloudProvider"] = cp.Name
	}
	if aws := cp.AWS; aws != nil && aws.EC2 != nil {
		e, p := aws.EC2, "asset.cloudProvider.aws.ec2."
		at.str(p+"accountId", e.AccountID)
		at.str(p+"availabilityZone", e.AvailabilityZone)
		at.boolean(p+"hasAgent", e.HasAgent)
		at.str(p+"hostname", e.Hostname)
		at.str(p+"imageId", e.ImageID)
		at.str(p+"instanceId", e.InstanceID)
		at.str(p+"instanceState", e.InstanceState)
		at.str(p+"instanceType", e.InstanceType)
		at.boolean(p+"qualysScanner", e.QualysScanner)
		at.str(p+"kernelId", e.KernelID)
		at.date(p+"launchdate", e.Launchdate)
		at.str(p+"privateDNS", e.PrivateDNS)
		at.str(p+"privateIpAddress", e.PrivateIPAddress)
		at.str(p+"publicDNS", e.PublicDNS)
		at.str(p+"publicIpAddress", e.PublicIPAddress)
		if r := e.Region; r != nil {
			at.str(p+"region.code", r.Code)
			at.str(p+"region.name", r.Name)
		}
		at.boolean(p+"spotInstance", e.SpotInstance)
		at.str(p+"subnetId", e.SubnetID)
		at.str(p+"vpcId", e.VpcID)
	}
	for _, nc := range genericClouds(cp) {
		if nc.g != nil && nc.g.Instance != nil && nc.g.InstanceKey != "" {
			flattenInto(at, "asset.cloudProvider."+nc.name+"."+nc.g.InstanceKey, nc.g.Instance, 0)
		}
	}
}
