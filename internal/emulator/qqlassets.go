package emulator

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/csamsync/csamsync/internal/qql"
)

// QQL (the V1 APIs' filter parameter and the report API's filter) is
// parsed and evaluated by package qql; this file is the resolver that gives
// it the values of one asset. The token catalog holds both the pre-3.7 API
// tokens and the standardised ones (csam-api.md §3.5: asset.lastUpdated and
// asset.lastUpdatedDate, asset.created and asset.createdDate, ...). A token
// outside the catalog is rejected before any asset is looked at, because
// qql.Eval short-circuits and would not notice it on every record.

// qqlGetter returns the values of a token for an asset.
type qqlGetter func(a *csamapi.Asset) []qql.Value

// qqlGroup is a list-valued (or object-valued) token: customAttributes,
// tags, software, operatingSystem, hardware, inventory. Each element is a
// flat map whose keys are the group's fields; a dotted field such as
// lifecycle.stage is one key, which qql.MapResolver finds whole.
type qqlGroup struct {
	fields []string
	elems  func(a *csamapi.Asset) []map[string]any
}

var qqlGroups = map[string]qqlGroup{
	"customAttributes": {
		fields: []string{"key", "value", "connectorName"},
		elems: func(a *csamapi.Asset) []map[string]any {
			out := make([]map[string]any, 0, len(a.CustomAttributes))
			for _, c := range a.CustomAttributes {
				out = append(out, map[string]any{"key": c.Key, "value": c.Value, "connectorName": c.ConnectorName})
			}
			return out
		},
	},
	"tags": {
		fields: []string{"name", "id", "businessImpact", "criticalityScore"},
		elems: func(a *csamapi.Asset) []map[string]any {
			if a.TagList == nil {
				return nil
			}
			out := make([]map[string]any, 0, len(a.TagList.Tag))
			for _, t := range a.TagList.Tag {
				out = append(out, map[string]any{"name": t.TagName, "id": t.TagID, "businessImpact": t.BusinessImpact, "criticalityScore": t.CriticalityScore})
			}
			return out
		},
	},
	"software": {
		fields: []string{"name", "fullName", "productName", "publisher", "version", "update", "marketVersion", "edition", "category", "category1", "category2",
			"type", "component", "architecture", "installPath", "installDate", "lastUpdated", "isIgnored", "ignoredReason", "isPackage", "isPackageComponent",
			"packageName", "discoveredName", "license.category", "license.subcategory",
			"lifecycle.stage", "lifecycle.eol", "lifecycle.eos", "lifecycle.ga"},
		elems: func(a *csamapi.Asset) []map[string]any {
			if a.SoftwareListData == nil {
				return nil
			}
			out := make([]map[string]any, 0, len(a.SoftwareListData.Software))
			for k := range a.SoftwareListData.Software {
				sw := &a.SoftwareListData.Software[k]
				m := map[string]any{
					// name matches the product name or the full name.
					"name": []any{sw.ProductName, sw.FullName}, "fullName": sw.FullName, "productName": sw.ProductName,
					"publisher": sw.Publisher, "version": sw.Version, "update": sw.Update, "marketVersion": sw.MarketVersion,
					"edition": sw.Edition, "category": sw.Category, "category1": sw.Category1, "category2": sw.Category2,
					"type": sw.SoftwareType, "component": sw.Component, "architecture": sw.Architecture, "installPath": sw.InstallPath,
					"installDate": qqlTime(sw.InstallDate), "lastUpdated": qqlTime(sw.LastUpdated), "isIgnored": sw.IsIgnored,
					"ignoredReason": sw.IgnoredReason, "isPackage": sw.IsPackage, "isPackageComponent": sw.IsPackageComponent,
					"packageName": sw.PackageName, "discoveredName": sw.DiscoveredName,
				}
				if sw.License != nil {
					m["license.category"], m["license.subcategory"] = sw.License.Category, sw.License.Subcategory
				}
				addLifecycle(m, sw.Lifecycle)
				out = append(out, m)
			}
			return out
		},
	},
	"operatingSystem": {
		fields: []string{"name", "osName", "fullName", "category", "category1", "category2", "productName", "publisher", "edition",
			"marketVersion", "version", "update", "architecture", "productFamily", "release", "cpe",
			"lifecycle.stage", "lifecycle.eol", "lifecycle.eos", "lifecycle.ga"},
		elems: func(a *csamapi.Asset) []map[string]any {
			o := a.OperatingSystem
			if o == nil {
				return nil
			}
			m := map[string]any{
				"name": []any{o.OsName, o.FullName}, "osName": o.OsName, "fullName": o.FullName, "category": o.Category,
				"category1": o.Category1, "category2": o.Category2, "productName": o.ProductName, "publisher": o.Publisher,
				"edition": o.Edition, "marketVersion": o.MarketVersion, "version": o.Version, "update": o.Update,
				"architecture": o.Architecture, "productFamily": o.ProductFamily, "release": o.Release, "cpe": o.Cpe,
			}
			addLifecycle(m, o.Lifecycle)
			return []map[string]any{m}
		},
	},
	"hardware": {
		fields: []string{"manufacturer", "model", "productName", "fullName", "category", "category1", "category2", "productFamily",
			"lifecycle.stage", "lifecycle.eos", "lifecycle.ga", "lifecycle.intro", "lifecycle.obs"},
		elems: func(a *csamapi.Asset) []map[string]any {
			hw := a.Hardware
			if hw == nil {
				return nil
			}
			m := map[string]any{
				"manufacturer": hw.Manufacturer, "model": hw.Model, "productName": hw.ProductName, "fullName": hw.FullName,
				"category": hw.Category, "category1": hw.Category1, "category2": hw.Category2, "productFamily": hw.ProductFamily,
			}
			addLifecycle(m, hw.Lifecycle)
			if lc := hw.Lifecycle; lc != nil {
				if lc.IntroDate != nil {
					m["lifecycle.intro"] = qqlTime(*lc.IntroDate)
				}
				if lc.ObsoleteDate != nil {
					m["lifecycle.obs"] = qqlTime(*lc.ObsoleteDate)
				}
			}
			return []map[string]any{m}
		},
	},
	"openPorts": {
		fields: []string{"port", "protocol", "detectedService", "description", "firstFound", "lastUpdated"},
		elems: func(a *csamapi.Asset) []map[string]any {
			if a.OpenPortListData == nil {
				return nil
			}
			out := make([]map[string]any, 0, len(a.OpenPortListData.OpenPort))
			for _, p := range a.OpenPortListData.OpenPort {
				out = append(out, map[string]any{"port": p.Port, "protocol": p.Protocol, "detectedService": p.DetectedService,
					"description": p.Description, "firstFound": qqlTime(p.FirstFound), "lastUpdated": qqlTime(p.LastUpdated)})
			}
			return out
		},
	},
	"inventory": {
		fields: []string{"source", "created", "lastUpdated"},
		elems: func(a *csamapi.Asset) []map[string]any {
			inv := a.Inventory
			if inv == nil {
				return nil
			}
			return []map[string]any{{"source": inv.Source, "created": qqlTime(inv.Created), "lastUpdated": qqlTime(inv.LastUpdated)}}
		},
	},
}

func addLifecycle(m map[string]any, lc *csamapi.Lifecycle) {
	if lc == nil {
		return
	}
	m["lifecycle.stage"] = lc.Stage
	m["lifecycle.eol"] = qqlTime(lc.EolDate)
	m["lifecycle.eos"] = qqlTime(lc.EosDate)
	m["lifecycle.ga"] = qqlTime(lc.GaDate)
}

// qqlTime converts a wire time for MapResolver: the instant when known,
// the text otherwise ("Not Announced"), nothing when null.
func qqlTime(t csamapi.Time) any {
	switch {
	case t.Known:
		return t.T
	case t.Raw != "":
		return t.Raw
	}
	return nil
}

func qStr(p *string) []qql.Value {
	if p == nil {
		return nil
	}
	return []qql.Value{qql.StringValue(*p)}
}

func qInt(v int64) []qql.Value {
	return []qql.Value{{Num: float64(v), IsNum: true, Str: strconv.FormatInt(v, 10)}}
}

func qIntP(p *int64) []qql.Value {
	if p == nil {
		return nil
	}
	return qInt(*p)
}

func qBoolP(p *bool) []qql.Value {
	if p == nil {
		return nil
	}
	return []qql.Value{qql.StringValue(strconv.FormatBool(*p))}
}

func qTime(t csamapi.Time) []qql.Value {
	switch {
	case t.Known:
		return []qql.Value{qql.TimeValue(t.T)}
	case t.Raw != "":
		return []qql.Value{qql.StringValue(t.Raw)}
	}
	return nil
}

// qqlScalars are the single-valued asset tokens, with their aliases.
var qqlScalars = func() map[string]qqlGetter {
	m := map[string]qqlGetter{}
	add := func(get qqlGetter, names ...string) {
		for _, n := range names {
			m[n] = get
		}
	}
	add(func(a *csamapi.Asset) []qql.Value { return qInt(a.AssetID) }, "asset.assetId", "asset.assetID", "asset.id", "assetId")
	add(func(a *csamapi.Asset) []qql.Value { return qStr(a.AssetName) }, "asset.name", "asset.assetName", "name", "assetName")
	add(func(a *csamapi.Asset) []qql.Value { return qStr(a.AssetUUID) }, "asset.assetUUID", "asset.uuid")
	add(func(a *csamapi.Asset) []qql.Value { return qTime(a.LastModifiedDate) }, "asset.lastUpdated", "asset.lastUpdatedDate", "asset.lastModifiedDate", "lastModifiedDate")
	add(func(a *csamapi.Asset) []qql.Value { return qTime(a.CreatedDate) }, "asset.created", "asset.createdDate", "createdDate")
	add(func(a *csamapi.Asset) []qql.Value { return qTime(a.SensorLastUpdatedDate) }, "asset.lastInventoryDate", "sensorLastUpdatedDate")
	add(func(a *csamapi.Asset) []qql.Value { return qTime(a.LastBoot) }, "asset.lastBoot", "lastBoot")
	add(func(a *csamapi.Asset) []qql.Value { return qIntP(a.RiskScore) }, "asset.riskScore", "riskScore")
	add(func(a *csamapi.Asset) []qql.Value {
		if a.Criticality == nil {
			return nil
		}
		return qIntP(a.Criticality.Score)
	}, "asset.criticalityScore", "criticalityScore")
	add(func(a *csamapi.Asset) []qql.Value { return qIntP(a.HostID) }, "asset.hostID", "asset.hostId", "hostId")
	add(func(a *csamapi.Asset) []qql.Value { return qStr(a.AssetType) }, "asset.type", "assetType")
	add(func(a *csamapi.Asset) []qql.Value {
		if a.Inventory == nil {
			return nil
		}
		return qStr(a.Inventory.Source)
	}, "asset.trackingMethod")
	add(func(a *csamapi.Asset) []qql.Value { return qStr(a.DomainRole) }, "asset.domainRole", "domainRole")
	add(func(a *csamapi.Asset) []qql.Value { return qStr(a.Address) }, "asset.address", "address")
	add(func(a *csamapi.Asset) []qql.Value { return qStr(a.DNSName) }, "asset.dnsName", "dnsName")
	add(func(a *csamapi.Asset) []qql.Value { return qStr(a.NetbiosName) }, "asset.netbiosName", "netbiosName")
	add(func(a *csamapi.Asset) []qql.Value { return qStr(a.BiosSerialNumber) }, "asset.biosSerialNumber", "biosSerialNumber")
	add(func(a *csamapi.Asset) []qql.Value { return qStr(a.HwUUID) }, "asset.hwUUID", "hwUUID")
	add(func(a *csamapi.Asset) []qql.Value { return qStr(a.LastLoggedOnUser) }, "asset.lastLoggedOnUser", "lastLoggedOnUser")
	add(func(a *csamapi.Asset) []qql.Value { return qStr(a.TimeZone) }, "asset.timeZone", "timeZone")
	add(func(a *csamapi.Asset) []qql.Value { return qIntP(a.TotalMemory) }, "asset.totalMemory", "totalMemory")
	add(func(a *csamapi.Asset) []qql.Value { return qIntP(a.CPUCount) }, "asset.cpuCount", "cpuCount")
	add(func(a *csamapi.Asset) []qql.Value { return qBoolP(a.IsContainerHost) }, "asset.isContainerHost", "isDockerHost", "isContainerHost")
	add(func(a *csamapi.Asset) []qql.Value { return qStr(a.AgentID) }, "asset.agentID", "agent.agentID", "agent.agentId", "agentId")
	add(func(a *csamapi.Asset) []qql.Value {
		if a.Agent == nil {
			return nil
		}
		return qStr(a.Agent.Version)
	}, "agent.version")
	add(func(a *csamapi.Asset) []qql.Value {
		if a.Agent == nil {
			return nil
		}
		return qTime(a.Agent.LastCheckedIn)
	}, "agent.lastCheckedInDate", "qualys.agent.lastCheckedInDate")
	add(func(a *csamapi.Asset) []qql.Value {
		if a.Agent == nil {
			return nil
		}
		return qStr(a.Agent.ConnectedFrom)
	}, "agent.connectedFrom")
	add(func(a *csamapi.Asset) []qql.Value { return qStr(a.Provider) }, "provider", "asset.provider", "cloud.provider")
	add(func(a *csamapi.Asset) []qql.Value {
		if a.Sensor == nil {
			return nil
		}
		out := make([]qql.Value, 0, len(a.Sensor.ActivatedForModules))
		for _, m := range a.Sensor.ActivatedForModules {
			out = append(out, qql.StringValue(m))
		}
		return out
	}, "qualys.activatedForModules", "sensor.activatedForModules")
	add(func(a *csamapi.Asset) []qql.Value {
		if a.UserAccountListData == nil {
			return nil
		}
		out := make([]qql.Value, 0, len(a.UserAccountListData.UserAccount))
		for _, u := range a.UserAccountListData.UserAccount {
			out = append(out, qStr(u.Name)...)
		}
		return out
	}, "account.username", "accounts.username")
	add(func(a *csamapi.Asset) []qql.Value {
		out := make([]qql.Value, 0, len(a.OrganizationName))
		for _, o := range a.OrganizationName {
			out = append(out, qql.StringValue(o))
		}
		return out
	}, "organizationName", "asset.organizationName")
	return m
}()

// qqlCatalog maps every accepted token, lower-cased, to its getter: the
// scalars, each group as a nested token (customAttributes:(...)), and each
// group field as a dotted token (customAttributes.key). tags.* is also
// accepted as asset.tags.* (nelssec's spelling, csam-api.md §10 #10).
var qqlCatalog = func() map[string]qqlGetter {
	m := map[string]qqlGetter{}
	for n, g := range qqlScalars {
		m[strings.ToLower(n)] = g
	}
	for name, grp := range qqlGroups {
		objects := func(a *csamapi.Asset) []qql.Value {
			els := grp.elems(a)
			out := make([]qql.Value, len(els))
			for k, e := range els {
				out[k] = qql.ObjectValue(qql.MapResolver(e))
			}
			return out
		}
		names := []string{name}
		switch name {
		case "tags":
			names = append(names, "asset.tags")
		case "openPorts":
			names = append(names, "openPort", "ports")
		}
		for _, n := range names {
			m[strings.ToLower(n)] = objects
			for _, f := range grp.fields {
				m[strings.ToLower(n+"."+f)] = func(a *csamapi.Asset) []qql.Value {
					var out []qql.Value
					for _, e := range grp.elems(a) {
						v, _ := qql.MapResolver(e).Lookup(f)
						out = append(out, v...)
					}
					return out
				}
			}
		}
	}
	return m
}()

// assetResolver is a qql.Resolver over one asset.
type assetResolver struct{ a *csamapi.Asset }

func (r assetResolver) Lookup(token string) ([]qql.Value, bool) {
	g, ok := qqlCatalog[strings.ToLower(token)]
	if !ok {
		return nil, false
	}
	return g(r.a), true
}

// assetQuery is a parsed and checked QQL filter.
type assetQuery struct {
	expr       qql.Expr
	text       string
	noSoftware bool // no software token: software need not be built
	noDetail   bool // no account or port token: details need not be built
}

// errQQLToken is an unknown token in a QQL filter.
type errQQLToken struct{ token string }

func (e *errQQLToken) Error() string {
	return fmt.Sprintf("unknown QQL token %q", e.token)
}

// parseAssetQuery parses a QQL filter and checks its tokens against the
// catalog. An empty query is nil (every asset). Errors are the qql
// *SyntaxError or *errQQLToken.
func parseAssetQuery(text string) (*assetQuery, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	e, err := qql.Parse(text)
	if err != nil {
		return nil, err
	}
	q := &assetQuery{expr: e, text: text, noSoftware: true, noDetail: true}
	for _, tok := range qql.Tokens(e) {
		low := strings.ToLower(tok)
		if _, ok := qqlCatalog[low]; !ok {
			return nil, &errQQLToken{tok}
		}
		if low == "software" || strings.HasPrefix(low, "software.") {
			q.noSoftware = false
		}
		for _, p := range []string{"account", "openport", "ports"} {
			if strings.HasPrefix(low, p) {
				q.noDetail = false
			}
		}
	}
	return q, nil
}

// match evaluates the query on a full asset. Tokens were checked up front,
// so an evaluation error cannot be an unknown token; anything else does
// not match.
func (q *assetQuery) match(a *csamapi.Asset) bool {
	if q == nil {
		return true
	}
	ok, err := qql.Eval(q.expr, assetResolver{a})
	return ok && err == nil
}

// qqlErrorMessage is the responseMessage and responseErrorDetails of a
// rejected QQL filter: the first line of the qql error (which says where,
// "at position N") and the whole of it (with the caret line).
func qqlErrorMessage(err error) (msg, details string) {
	var se *qql.SyntaxError
	if errors.As(err, &se) {
		first, _, _ := strings.Cut(se.Error(), "\n")
		return "Invalid QQL filter: " + first, se.Error()
	}
	return "Invalid QQL filter: " + err.Error(), err.Error()
}
