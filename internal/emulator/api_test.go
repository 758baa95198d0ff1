package emulator

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// Tests of the APIs beyond V2 search/count/get: each replays a request
// modelled on the release notes' sample (testdata/) and checks the
// documented response shape, then the semantics against ground truth
// computed from Server.Asset.

const testConnector = "5f0c1a2e-7d3b-4c9e-9a41-0e6b2d8c7f10"

func testdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// v1Page calls a V1 list path with query parameters.
func v1Page(t testing.TB, base, path, tok string, q url.Values) resp {
	t.Helper()
	return call(t, "POST", base+path+"?"+q.Encode(), tok, "", "")
}

// v1All pages through V1 filter/list and returns the ids.
func v1All(t testing.TB, base, tok, filter string) []int64 {
	t.Helper()
	var ids []int64
	after := int64(0)
	for {
		q := url.Values{"pageSize": {"300"}, "includeFields": {"assetId"}, "lastSeenAssetId": {strconv.FormatInt(after, 10)}}
		path := pathV1List
		if filter != "" {
			q.Set("filter", filter)
			path = pathV1Filter
		}
		r := v1Page(t, base, path, tok, q)
		if r.status == http.StatusNoContent {
			return ids
		}
		if r.status != 200 {
			t.Fatalf("V1 %s: %d %s", filter, r.status, r.body)
		}
		p := decodePage(t, r.body)
		for _, a := range p.AssetListData.Asset {
			ids = append(ids, idOf(t, a))
		}
		if *p.HasMore == 0 {
			return ids
		}
		after = *p.LastSeenAssetID
	}
}

func v1Count(t testing.TB, base, tok string, q url.Values) int {
	t.Helper()
	r := v1Page(t, base, pathV1Count, tok, q)
	if r.status != 200 {
		t.Fatalf("V1 count: %d %s", r.status, r.body)
	}
	var c csamapi.CountResponse
	if err := json.Unmarshal(r.body, &c); err != nil {
		t.Fatal(err)
	}
	if c.ResponseCode != "SUCCESS" || c.ResponseMessage != "Valid API Access" {
		t.Errorf("count body %s", r.body)
	}
	return int(c.Count)
}

// allAssets returns every current asset in full.
func allAssets(t testing.TB, s *Server) []*csamapi.Asset {
	t.Helper()
	var out []*csamapi.Asset
	for id := range s.AssetIDs() {
		a, _ := s.Asset(id)
		out = append(out, a)
	}
	return out
}

func idsWhere(as []*csamapi.Asset, pred func(a *csamapi.Asset) bool) []int64 {
	var out []int64
	for _, a := range as {
		if pred(a) {
			out = append(out, a.AssetID)
		}
	}
	return out
}

func hasCustom(a *csamapi.Asset, key, value string) bool {
	return slices.ContainsFunc(a.CustomAttributes, func(c csamapi.CustomAttribute) bool {
		return csamapi.Str(c.Key) == key && (value == "" || csamapi.Str(c.Value) == value)
	})
}

func TestCustomAttributes(t *testing.T) {
	s, base := start(t, Config{Assets: 400, Seed: 21, RateLimit: -1})
	tok := login(t, base)
	// An asset whose key and value sit on DIFFERENT elements: the flat
	// filter matches it, the nested one must not.
	odd := &csamapi.Asset{AssetID: 90_000_001, AssetName: csamapi.P("odd-custom"), CustomAttributes: []csamapi.CustomAttribute{
		{Key: csamapi.P("Media State4"), Value: csamapi.P("Media connected"), ConnectorName: csamapi.P("Qualys")},
		{Key: csamapi.P("Note"), Value: csamapi.P("Media disconnected"), ConnectorName: csamapi.P("Qualys")},
	}}
	s.PutAsset(odd)
	all := allAssets(t, s)
	withKey := idsWhere(all, func(a *csamapi.Asset) bool { return hasCustom(a, "Media State4", "") })
	nested := idsWhere(all, func(a *csamapi.Asset) bool { return hasCustom(a, "Media State4", "Media disconnected") })
	if len(withKey) < 3 || len(nested) != len(withKey)-1 {
		t.Fatalf("ground truth: %d with the key, %d nested", len(withKey), len(nested))
	}

	t.Run("V2 search and count (seed 004 XML filter)", func(t *testing.T) {
		body := testdata(t, "v2_filter_custom_attribute.xml")
		if got := searchAll(t, base, tok, "", "application/xml", body); !slices.Equal(got, withKey) {
			t.Errorf("search %v, want %v", got, withKey)
		}
		if n := countOf(t, base, tok, "", "application/xml", body); n != len(withKey) {
			t.Errorf("count %d, want %d", n, len(withKey))
		}
		val := `{"filters":[{"field":"customAttributes.value","operator":"EQUALS","value":"Media disconnected"}]}`
		if got := searchAll(t, base, tok, "", "application/json", val); len(got) != len(nested)+1 {
			t.Errorf("by value: %d, want %d", len(got), len(nested)+1)
		}
	})
	t.Run("V2 get by id with includeFields=customAttributes", func(t *testing.T) {
		r := call(t, "GET", fmt.Sprintf("%s%s?assetId=%d&includeFields=customAttributes", base, pathSearch, withKey[0]), tok, "", "")
		p := decodePage(t, r.body)
		m := assetKeys(t, p.AssetListData.Asset[0])
		if m["hostId"].Kind() != 'n' || m["customAttributes"].Kind() != '[' || !bytes.Contains(m["customAttributes"], []byte(`"connectorName":"Qualys"`)) {
			t.Errorf("asset %s", p.AssetListData.Asset[0])
		}
	})
	t.Run("V1 list includeFields=customAttributes (seed 004)", func(t *testing.T) {
		r := v1Page(t, base, pathV1List, tok, url.Values{"includeFields": {"customAttributes"}, "pageSize": {"5"}})
		p := decodePage(t, r.body)
		ids := slices.Collect(s.AssetIDs())
		if r.status != 200 || *p.Count != 5 || *p.HasMore != 1 || *p.LastSeenAssetID != ids[4] || *p.ResponseMessage != "Valid API Access" {
			t.Fatalf("%d %.300s", r.status, r.body)
		}
		for k, raw := range p.AssetListData.Asset {
			m := assetKeys(t, raw)
			if idOf(t, raw) != ids[k] || m["assetName"].Kind() != 'n' || len(m) != len(assetFields) {
				t.Errorf("asset %d: %.200s", k, raw)
			}
		}
	})
	t.Run("V1 filter, flat and nested (seed 004 QQL)", func(t *testing.T) {
		if got := v1All(t, base, tok, testdata(t, "v1_filter_custom_attribute.qql")); !slices.Equal(got, withKey) {
			t.Errorf("flat: %v, want %v", got, withKey)
		}
		if got := v1All(t, base, tok, testdata(t, "v1_filter_custom_attribute_nested.qql")); !slices.Equal(got, nested) {
			t.Errorf("nested: %v, want %v", got, nested)
		}
		flatAnd := "customAttributes.key:'Media State4' and customAttributes.value:'Media disconnected'"
		if got := v1All(t, base, tok, flatAnd); !slices.Contains(got, odd.AssetID) || len(got) != len(nested)+1 {
			t.Errorf("flat and: %v", got)
		}
	})
	t.Run("V1 by id and count", func(t *testing.T) {
		r := call(t, "POST", fmt.Sprintf("%s%s?assetId=%d&includeFields=customAttributes", base, pathV1Get, withKey[1]), tok, "", "")
		p := decodePage(t, r.body)
		if r.status != 200 || *p.Count != 1 || p.LastSeenAssetID != nil || *p.HasMore != 0 || !bytes.Contains(r.body, []byte(`"key":"Media State4"`)) {
			t.Errorf("%d %.300s", r.status, r.body)
		}
		if n := v1Count(t, base, tok, url.Values{"filter": {testdata(t, "v1_filter_custom_attribute.qql")}}); n != len(withKey) {
			t.Errorf("V1 count %d, want %d", n, len(withKey))
		}
	})
}

func TestV1(t *testing.T) {
	s, base := start(t, Config{Assets: 300, Seed: 8, RateLimit: -1})
	tok := login(t, base)
	all := allAssets(t, s)
	ids := slices.Collect(s.AssetIDs())
	cutoff := s.ReferenceTime().Add(-20 * day)

	t.Run("list pages to the end", func(t *testing.T) {
		if got := v1All(t, base, tok, ""); !slices.Equal(got, ids) {
			t.Errorf("%d ids, want %d", len(got), len(ids))
		}
		q := url.Values{"lastSeenAssetId": {strconv.FormatInt(ids[len(ids)-1], 10)}}
		if r := v1Page(t, base, pathV1List, tok, q); r.status != 204 || len(r.body) != 0 {
			t.Errorf("past the end: %d", r.status)
		}
		if r := v1Page(t, base, pathV1List, tok, url.Values{"pageSize": {"301"}}); r.status != 416 {
			t.Errorf("pageSize 301: %d", r.status)
		}
		if r := call(t, "GET", base+pathV1List, tok, "", ""); r.status != 405 {
			t.Errorf("GET: %d", r.status)
		}
	})
	t.Run("lastModifiedDate and count with lastSeenAssetId", func(t *testing.T) {
		want := idsWhere(all, func(a *csamapi.Asset) bool { return !a.LastModifiedDate.T.Before(cutoff) })
		var got []int64
		r := v1Page(t, base, pathV1List, tok, url.Values{"pageSize": {"300"}, "lastModifiedDate": {cutoff.Format(time.RFC3339)}})
		for _, a := range decodePage(t, r.body).AssetListData.Asset {
			got = append(got, idOf(t, a))
		}
		if !slices.Equal(got, want) || len(want) == 0 || len(want) == len(ids) {
			t.Errorf("lastModifiedDate: %d, want %d", len(got), len(want))
		}
		if n := v1Count(t, base, tok, url.Values{"lastModifiedDate": {cutoff.Format(time.RFC3339)}}); n != len(want) {
			t.Errorf("count %d, want %d", n, len(want))
		}
		if n := v1Count(t, base, tok, url.Values{"lastSeenAssetId": {strconv.FormatInt(ids[99], 10)}}); n != len(ids)-100 {
			t.Errorf("count after the 100th: %d", n)
		}
		if n := v1Count(t, base, tok, nil); n != len(ids) {
			t.Errorf("count all: %d", n)
		}
	})

	tagNames := func(a *csamapi.Asset) []string {
		var out []string
		if a.TagList != nil {
			for _, tg := range a.TagList.Tag {
				out = append(out, csamapi.Str(tg.TagName))
			}
		}
		return out
	}
	tests := []struct {
		filter string
		truth  func(a *csamapi.Asset) bool
	}{
		{"operatingSystem.category1:`Windows`", func(a *csamapi.Asset) bool { return csamapi.Str(a.OperatingSystem.Category1) == "Windows" }},
		{`tags.name:["Production", "PCI"]`, func(a *csamapi.Asset) bool {
			return slices.Contains(tagNames(a), "Production") || slices.Contains(tagNames(a), "PCI")
		}},
		{"asset.riskScore>700 and not inventory.source:EASM", func(a *csamapi.Asset) bool {
			return a.RiskScore != nil && *a.RiskScore > 700 && csamapi.Str(a.Inventory.Source) != "EASM"
		}},
		{`inventory:(source:"QAGENT") and operatingSystem.category2:Server`, func(a *csamapi.Asset) bool {
			return csamapi.Str(a.Inventory.Source) == "QAGENT" && csamapi.Str(a.OperatingSystem.Category2) == "Server"
		}},
		{"asset.lastUpdatedDate>=" + cutoff.Format("2006-01-02"), func(a *csamapi.Asset) bool { return !a.LastModifiedDate.T.Before(cutoff.Truncate(day)) }},
		{"asset.name:web*", func(a *csamapi.Asset) bool {
			return strings.HasPrefix(strings.ToLower(csamapi.Str(a.AssetName)), "web")
		}},
		{"software:(publisher:Microsoft and name:PowerShell)", func(a *csamapi.Asset) bool {
			return a.SoftwareListData != nil && slices.ContainsFunc(a.SoftwareListData.Software, func(sw csamapi.Software) bool {
				return strings.EqualFold(csamapi.Str(sw.Publisher), "Microsoft") && (strings.EqualFold(csamapi.Str(sw.ProductName), "PowerShell") || strings.EqualFold(csamapi.Str(sw.FullName), "PowerShell"))
			})
		}},
		{"hardware.manufacturer:VMware or provider:AWS", func(a *csamapi.Asset) bool {
			return csamapi.Str(a.Hardware.Manufacturer) == "VMware" || csamapi.Str(a.Provider) == "AWS"
		}},
		{"tags.id:" + strconv.FormatInt(tagDefs[tagLinuxServer].id, 10), func(a *csamapi.Asset) bool { return slices.Contains(tagNames(a), "Linux Server") }},
		{"openPorts:(port:443 and protocol:TCP) and account.username:root", func(a *csamapi.Asset) bool {
			return a.OpenPortListData != nil && slices.ContainsFunc(a.OpenPortListData.OpenPort, func(p csamapi.OpenPort) bool { return *p.Port == 443 && *p.Protocol == "TCP" }) &&
				a.UserAccountListData != nil && slices.ContainsFunc(a.UserAccountListData.UserAccount, func(u csamapi.UserAccount) bool { return *u.Name == "root" })
		}},
		{"qualys.activatedForModules:PC", func(a *csamapi.Asset) bool {
			return a.Sensor != nil && slices.Contains(a.Sensor.ActivatedForModules, "PC")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			want := idsWhere(all, tc.truth)
			if len(want) == 0 || len(want) == len(all) {
				t.Fatalf("filter selects %d of %d: not a useful test", len(want), len(all))
			}
			if got := v1All(t, base, tok, tc.filter); !slices.Equal(got, want) {
				t.Errorf("filter found %d, ground truth %d", len(got), len(want))
			}
			if n := v1Count(t, base, tok, url.Values{"filter": {tc.filter}}); n != len(want) {
				t.Errorf("count %d, want %d", n, len(want))
			}
		})
	}

	t.Run("QQL errors", func(t *testing.T) {
		for _, tc := range []struct {
			filter  string
			mention []string
		}{
			{"asset.name:", []string{"syntax error", "position 11"}},
			{"operatingSystem.category1:(Windows", []string{"syntax error", "position"}},
			{"asset.lastSeen:2024-01-01", []string{`"asset.lastSeen"`}},
			{"customAttributes:(colour:red)", []string{`customAttributes.colour`}},
		} {
			for _, path := range []string{pathV1Filter, pathV1Count} {
				r := v1Page(t, base, path, tok, url.Values{"filter": {tc.filter}})
				var b qualysBody
				if r.status != 400 || json.Unmarshal(r.body, &b) != nil || b.ResponseCode != "FAILED" {
					t.Fatalf("%s %q: %d %s", path, tc.filter, r.status, r.body)
				}
				for _, m := range tc.mention {
					if !strings.Contains(b.ResponseMessage, m) {
						t.Errorf("%q: message %q does not mention %q", tc.filter, b.ResponseMessage, m)
					}
				}
			}
		}
	})
	t.Run("by id", func(t *testing.T) {
		r := call(t, "POST", fmt.Sprintf("%s%s?assetId=%d", base, pathV1Get, ids[3]), tok, "", "")
		p := decodePage(t, r.body)
		want, _ := s.Asset(ids[3])
		if r.status != 200 || !bytes.Equal(p.AssetListData.Asset[0], mustJSON(t, want)) {
			t.Errorf("%d %.200s", r.status, r.body)
		}
		if r := call(t, "POST", fmt.Sprintf("%s%s?assetId=%d", base, pathV1Get, ids[3]+1), tok, "", ""); r.status != 204 {
			t.Errorf("absent: %d", r.status)
		}
		if r := call(t, "POST", base+pathV1Get+"?assetId=x", tok, "", ""); r.status != 400 {
			t.Errorf("bad id: %d", r.status)
		}
	})
}

func TestSNExport(t *testing.T) {
	s, base := start(t, Config{Assets: 200, Seed: 12})
	tok := login(t, base)
	var id int64
	for _, a := range allAssets(t, s) {
		if a.SoftwareListData != nil && slices.ContainsFunc(a.SoftwareListData.Software, func(sw csamapi.Software) bool { return len(sw.SoftwareInstances) > 0 }) {
			id = a.AssetID
			break
		}
	}
	if id == 0 {
		t.Fatal("no asset with software instances")
	}
	want, _ := s.Asset(id)
	for _, u := range []string{
		fmt.Sprintf("%s/am/v2/sn/assets/host/id?assetId=%d", base, id),
		fmt.Sprintf("%s/am/v2/sn/assets/host/%d", base, id),
		fmt.Sprintf("%s/am/v2/sn/asset/host/%d", base, id),
	} {
		r := call(t, "GET", u, tok, "", "")
		if r.status != 200 {
			t.Fatalf("%s: %d %s", u, r.status, r.body)
		}
		p := decodePage(t, r.body)
		if *p.ResponseMessage != "Valid CMDB Subscription" || *p.ResponseCode != "SUCCESS" || *p.Count != 1 || *p.HasMore != 0 || *p.LastSeenAssetID != id {
			t.Errorf("%s: envelope %.200s", u, r.body)
		}
		if !bytes.Equal(p.AssetListData.Asset[0], mustJSON(t, want)) || !bytes.Contains(r.body, []byte(`"softwareInstances":[{`)) {
			t.Errorf("%s: asset differs or has no software instances", u)
		}
	}
	if r := call(t, "GET", fmt.Sprintf("%s/am/v2/sn/assets/host/%d", base, id+1), tok, "", ""); r.status != 204 {
		t.Errorf("absent: %d", r.status)
	}
}

type orgList struct {
	ResponseMessage      string `json:"responseMessage"`
	ResponseCode         string `json:"responseCode"`
	HasMore              *int64 `json:"hasMore"`
	Count                int64  `json:"count"`
	OrganizationListData struct {
		Organizations []Organization `json:"organizations"`
	} `json:"organizationListData"`
}

func TestOrganizations(t *testing.T) {
	s, base := start(t, Config{Assets: 1200, Seed: 5, RateLimit: -1})
	tok := login(t, base)
	all := allAssets(t, s)
	byOrg := map[string][]*csamapi.Asset{}
	for _, a := range all {
		if len(a.OrganizationName) != 1 {
			t.Fatalf("asset %d organizationName %v", a.AssetID, a.OrganizationName)
		}
		byOrg[a.OrganizationName[0]] = append(byOrg[a.OrganizationName[0]], a)
	}
	list := func(ct, body string) orgList {
		t.Helper()
		r := call(t, "POST", base+pathOrgList, tok, ct, body)
		if r.status != 200 {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		var l orgList
		if err := json.Unmarshal(r.body, &l, json.RejectUnknownMembers(true)); err != nil {
			t.Fatal(err)
		}
		if l.ResponseMessage != "Valid API Access" || l.ResponseCode != "SUCCESS" || *l.HasMore != 0 || l.Count != int64(len(l.OrganizationListData.Organizations)) {
			t.Errorf("envelope %.300s", r.body)
		}
		return l
	}
	counts := func(ct, body string) map[string]int64 {
		t.Helper()
		r := call(t, "POST", base+pathOrgCount, tok, ct, body)
		var m map[string]int64
		if r.status != 200 || json.Unmarshal(r.body, &m) != nil {
			t.Fatalf("count: %d %s", r.status, r.body)
		}
		return m
	}

	t.Run("aggregates", func(t *testing.T) {
		l := list("", "")
		var total int64
		for _, o := range l.OrganizationListData.Organizations {
			as := byOrg[o.Name]
			var sum, n int64
			var last time.Time
			for _, a := range as {
				if a.RiskScore != nil {
					sum += *a.RiskScore
					n++
				}
				if a.LastModifiedDate.T.After(last) {
					last = a.LastModifiedDate.T
				}
			}
			if o.Assets != int64(len(as)) || n > 0 && o.TruRisk != (sum+n/2)/n {
				t.Errorf("%s: assets %d truRisk %d, want %d and ~%d", o.Name, o.Assets, o.TruRisk, len(as), sum/max(n, 1))
			}
			if !strings.HasPrefix(o.LastUpdated, last.Format("2006-01-02")) || o.Currency != "USD" || o.OrgSource != "EASM" || o.Country == "" {
				t.Errorf("%s: %+v (last %s)", o.Name, o, last)
			}
			total += o.Assets
		}
		if total != int64(len(all)) || len(l.OrganizationListData.Organizations) != len(orgDefs) {
			t.Errorf("assets %d over %d orgs, want %d", total, len(l.OrganizationListData.Organizations), len(all))
		}
	})
	t.Run("seed samples", func(t *testing.T) {
		if l := list("application/json", testdata(t, "org_list.json")); len(l.OrganizationListData.Organizations) != 1 ||
			l.OrganizationListData.Organizations[0].Name != "Example Corp Canada Ltd." || l.OrganizationListData.Organizations[0].Country != "CA" {
			t.Errorf("json list %+v", l)
		}
		l := list("application/xml", testdata(t, "org_list.xml"))
		for _, o := range l.OrganizationListData.Organizations {
			if o.Country == "US" || !strings.Contains(strings.ToLower(o.Name), "example corp") {
				t.Errorf("xml list has %+v", o)
			}
		}
		if len(l.OrganizationListData.Organizations) != 4 {
			t.Errorf("xml list: %d orgs", len(l.OrganizationListData.Organizations))
		}
		if m := counts("application/json", testdata(t, "org_count.json")); len(m) != 1 || m["US"] != 3 {
			t.Errorf("json count %v", m)
		}
		if m := counts("application/xml", testdata(t, "org_count.xml")); len(m) != 1 || m["IN"] != 2 {
			t.Errorf("xml count %v", m)
		}
		if m := counts("", ""); len(m) != 7 || m["US"] != 3 {
			t.Errorf("count all %v", m)
		}
		or := `{"filters":[{"field":"orgs.country","operator":"IN","value":"DE,GB"},{"field":"orgs.name","operator":"EQUALS","value":"example labs pune"}],"operation":"OR"}`
		if m := counts("application/json", or); len(m) != 3 || m["IN"] != 1 {
			t.Errorf("or count %v", m)
		}
	})
	t.Run("errors and empty", func(t *testing.T) {
		for _, body := range []string{
			`{"filters":[{"field":"orgs.city","operator":"EQUALS","value":"x"}]}`,
			`{"filters":[{"field":"orgs.name","operator":"GREATER","value":"x"}]}`,
			`{"filters":[],"operation":"XOR"}`,
			`{"filters":`,
		} {
			for _, p := range []string{pathOrgList, pathOrgCount} {
				if r := call(t, "POST", base+p, tok, "application/json", body); r.status != 400 || !bytes.Contains(r.body, []byte(`"responseCode":"FAILED"`)) {
					t.Errorf("%s %s: %d %s", p, body, r.status, r.body)
				}
			}
		}
		none := `{"filters":[{"field":"orgs.name","operator":"EQUALS","value":"Nobody Inc."}]}`
		if r := call(t, "POST", base+pathOrgList, tok, "application/json", none); r.status != 204 {
			t.Errorf("empty list: %d", r.status)
		}
		if r := call(t, "POST", base+pathOrgCount, tok, "application/json", none); r.status != 200 || string(r.body) != "{}" {
			t.Errorf("empty count: %d %s", r.status, r.body)
		}
	})
	t.Run("follows the overlay", func(t *testing.T) {
		ids := slices.Collect(s.AssetIDs())
		victim, _ := s.Asset(ids[0])
		org := victim.OrganizationName[0]
		before := list("", "")
		s.DeleteAsset(ids[0])
		s.PutAsset(&csamapi.Asset{AssetID: 95_000_000, OrganizationName: []string{"Example Ventures Pty Ltd"}, RiskScore: csamapi.P(int64(999))})
		after := list("", "")
		for k, o := range after.OrganizationListData.Organizations {
			d := o.Assets - before.OrganizationListData.Organizations[k].Assets
			want := int64(0)
			if o.Name == org {
				want--
			}
			if o.Name == "Example Ventures Pty Ltd" {
				want++
			}
			if d != want {
				t.Errorf("%s: %+d, want %+d", o.Name, d, want)
			}
		}
	})
}

type componentResp struct {
	ResponseMessage      string           `json:"responseMessage"`
	Count                int64            `json:"count"`
	ResponseCode         string           `json:"responseCode"`
	HasMore              *int64           `json:"hasMore"`
	LastAssetComponentID *int64           `json:"lastAssetComponentId"`
	AssetComponentsList  []AssetComponent `json:"assetComponentsList"`
}

func decodeComponents(t testing.TB, r resp) componentResp {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("components: %d %s", r.status, r.body)
	}
	var c componentResp
	if err := json.Unmarshal(r.body, &c, json.RejectUnknownMembers(true)); err != nil {
		t.Fatalf("%v: %.300s", err, r.body)
	}
	if c.ResponseMessage != "Valid API Access" || c.ResponseCode != "SUCCESS" || c.HasMore == nil || c.Count != int64(len(c.AssetComponentsList)) {
		t.Errorf("envelope %.300s", r.body)
	}
	return c
}

// allComponents pages through the components API with a body.
func allComponents(t testing.TB, base, tok, path, body string, pageSize int) []AssetComponent {
	t.Helper()
	var out []AssetComponent
	cursor := int64(0)
	for {
		r := call(t, "POST", fmt.Sprintf("%s%s?pageSize=%d&lastSeenAssetComponentId=%d", base, path, pageSize, cursor), tok, "application/json", body)
		if r.status == 204 {
			return out
		}
		c := decodeComponents(t, r)
		out = append(out, c.AssetComponentsList...)
		if *c.HasMore == 0 {
			return out
		}
		if *c.LastAssetComponentID != c.AssetComponentsList[len(c.AssetComponentsList)-1].Component.AssetComponentID {
			t.Fatalf("lastAssetComponentId %d is not the last id", *c.LastAssetComponentID)
		}
		cursor = *c.LastAssetComponentID
	}
}

func TestComponents(t *testing.T) {
	s, base := start(t, Config{Assets: 150, Seed: 31, RateLimit: -1})
	tok := login(t, base)
	all := allComponents(t, base, tok, pathComponents, "", 97)
	if len(all) < 150 {
		t.Fatalf("%d components over 150 assets", len(all))
	}
	perAsset := map[int64]int{}
	for k, c := range all {
		x := c.Component
		if x.AssetComponentID < 1_700_000_000_000 || x.AssetComponentID > 1_800_000_000_000 || k > 0 && x.AssetComponentID <= all[k-1].Component.AssetComponentID {
			t.Fatalf("component id %d (previous %d)", x.AssetComponentID, all[max(k-1, 0)].Component.AssetComponentID)
		}
		if _, err := time.Parse(componentTimeFmt, x.FirstFoundAt); err != nil || x.LastFoundAt < x.FirstFoundAt || x.Name == "" || x.Version == "" || x.Technology == "" || x.InstallPath == "" {
			t.Fatalf("component %+v", x)
		}
		if _, ok := s.Asset(c.AssetID); !ok {
			t.Fatalf("component of unknown asset %d", c.AssetID)
		}
		perAsset[c.AssetID]++
	}
	if len(perAsset) < 100 {
		t.Errorf("only %d assets have components", len(perAsset))
	}
	if again := allComponents(t, base, tok, pathComponents, "", 1000); !slices.Equal(again, all) {
		t.Error("pageSize 1000 differs from pageSize 97")
	}

	t.Run("per asset", func(t *testing.T) {
		var id int64
		for a, n := range perAsset {
			if n > 2 {
				id = a
				break
			}
		}
		got := allComponents(t, base, tok, fmt.Sprintf("%s/%d", pathComponents, id), "", 2)
		if len(got) != perAsset[id] {
			t.Errorf("asset %d: %d components, want %d", id, len(got), perAsset[id])
		}
		for _, c := range got {
			if c.AssetID != id {
				t.Errorf("component of %d", c.AssetID)
			}
		}
		if r := call(t, "POST", fmt.Sprintf("%s/%d", base+pathComponents, id+1), tok, "", ""); r.status != 204 {
			t.Errorf("absent asset: %d", r.status)
		}
	})
	t.Run("seed 003 date filters", func(t *testing.T) {
		first := all[len(all)/2].Component.FirstFoundAt
		body := strings.ReplaceAll(testdata(t, "components_first_found.txt"), "{{FIRST}}", first)
		got := allComponents(t, base, tok, pathComponents, body, 500)
		want := 0
		for _, c := range all {
			if c.Component.FirstFoundAt == first {
				want++
			}
		}
		if len(got) != want || want == 0 {
			t.Errorf("firstFoundDate EQUALS %s: %d, want %d", first, len(got), want)
		}
		// Between two dates, in every accepted format.
		last := all[len(all)/3].Component.LastFoundAt
		lt, _ := time.Parse(componentTimeFmt, last)
		after := lt.AddDate(0, 0, -20)
		countBetween := func(hi time.Time, hiPrec time.Duration) int {
			n := 0
			for _, c := range all {
				x, _ := time.Parse(componentTimeFmt, c.Component.LastFoundAt)
				if x.Before(hi.Add(hiPrec)) && !x.Before(after.Truncate(day).Add(day)) {
					n++
				}
			}
			return n
		}
		for _, f := range []struct {
			layout string
			prec   time.Duration
		}{
			{componentTimeFmt, time.Second}, {"2006-01-02T15:04:05Z", time.Second}, {"2006-01-02T15:04Z", time.Minute},
			{"2006-01-02T15Z", time.Hour}, {"2006-01-02", day},
		} {
			hi := lt.Truncate(f.prec)
			body := strings.NewReplacer("{{LAST}}", lt.Format(f.layout), "{{AFTER}}", after.Format("2006-01-02")).Replace(testdata(t, "components_last_found.txt"))
			got := allComponents(t, base, tok, pathComponents, body, 1000)
			if want := countBetween(hi, f.prec); len(got) != want || want == 0 || want == len(all) {
				t.Errorf("lastFoundDate <= %s and > %s: %d, want %d", lt.Format(f.layout), after.Format("2006-01-02"), len(got), want)
			}
		}
	})
	t.Run("string filters", func(t *testing.T) {
		body := `{"componentFilter":{"filters":[{"field":"component.technology","operator":"IN","value":"Java,Go"},{"field":"component.name","operator":"CONTAINS","value":"o"}],"operation":"AND"}}`
		got := allComponents(t, base, tok, pathComponents, body, 1000)
		want := 0
		for _, c := range all {
			if (c.Component.Technology == "Java" || c.Component.Technology == "Go") && strings.Contains(strings.ToLower(c.Component.Name), "o") {
				want++
			}
		}
		if len(got) != want || want == 0 {
			t.Errorf("%d, want %d", len(got), want)
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct{ query, body string }{
			{"pageSize=1001", ""},
			{"", `{"componentFilter":{"filters":[{"field":"component.colour","operator":"EQUALS","value":"x"}]}}`},
			{"", `{"componentFilter":{"filters":[{"field":"component.firstFoundDate","operator":"CONTAINS","value":"2025"}]}}`},
			{"", `{"componentFilter":{"filters":[{"field":"component.lastFoundDate","operator":"GREATER","value":"last week"}]}}`},
			{"", `{"componentFilter":`},
			{"lastSeenAssetComponentId=x", ""},
		} {
			r := call(t, "POST", base+pathComponents+"?"+tc.query, tok, "application/json", tc.body)
			if r.status != 400 && r.status != 416 {
				t.Errorf("%q %q: %d %s", tc.query, tc.body, r.status, r.body)
			}
		}
	})
}

func TestEASMProfileStatus(t *testing.T) {
	_, base := start(t, Config{Assets: 1, Seed: 4})
	tok := login(t, base)
	poll := func() EASMProfileStatus {
		t.Helper()
		r := call(t, "GET", base+pathEASMStatus, tok, "", "")
		var out []EASMProfileStatus
		if r.status != 200 || json.Unmarshal(r.body, &out, json.RejectUnknownMembers(true)) != nil || len(out) != 1 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if _, err := time.Parse(easmTimeFmt, out[0].ProfileSaveTimestamp); err != nil || !strings.HasSuffix(out[0].ProfileSaveTimestamp, ".000+00:00") {
			t.Errorf("timestamp %q", out[0].ProfileSaveTimestamp)
		}
		return out[0]
	}
	var got []string
	for range 4 {
		got = append(got, poll().Status)
	}
	if !slices.Equal(got, []string{"IN_PROGRESS", "IN_PROGRESS", "COMPLETED", "COMPLETED"}) {
		t.Errorf("statuses %v", got)
	}
	r := call(t, "POST", base+"/__emulator/easm/profile", "", "application/json", `{"profileId":3101}`)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"profileId":3101`)) {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	if st := poll(); st.Status != "IN_PROGRESS" || st.ProfileID != 3101 {
		t.Errorf("after a save: %+v", st)
	}
	if r := call(t, "POST", base+pathEASMStatus, tok, "", ""); r.status != 405 {
		t.Errorf("POST: %d", r.status)
	}
}

func TestImportValidation(t *testing.T) {
	s, base := start(t, Config{Assets: 20, Seed: 3, Connectors: []Connector{{UUID: testConnector, Source: "WEBHOOK"}}})
	tok := login(t, base)
	post := func(body string) (resp, importResponse) {
		t.Helper()
		r := call(t, "POST", base+pathImport, tok, "application/json", body)
		var ir importResponse
		json.Unmarshal(r.body, &ir)
		return r, ir
	}
	for _, f := range []string{"import_webhook.json", "import_snow.json"} {
		r, ir := post(testdata(t, f))
		if r.status != 200 || string(r.body) != `{"message":"All Assets are successfully published for sync.","responseCode":"SUCCESSFULLY_PUBLISHED","assetsError":{}}` {
			t.Errorf("%s: %d %s", f, r.status, r.body)
		}
		_ = ir
	}
	meta := `"connectorMetaData":{"requestId":"R","connectorUuid":"` + testConnector + `","source":"WEBHOOK"}`
	good := `{"identityAttributes":{"hostName":"ok-1","sourceNativeKey":"K-OK"}}`
	mixed := `{` + meta + `,"assetData":[` + good + `,
		{"identityAttributes":{"hostName":null,"ipAddress":[],"sourceNativeKey":null}},
		{"identityAttributes":{"sourceNativeKey":"K-DATE"},"coreAttributes":{"sourceCreatedDate":"yesterday"}},
		{"identityAttributes":{"sourceNativeKey":"K-TYPE","ipAddress":"10.0.0.1"}},
		{"identityAttributes":{"sourceNativeKey":"K-PORT"},"coreAttributes":{"ports":[{"port":"http"}]}},
		{"identityAttributes":{"sourceNativeKey":"K-SW"},"coreAttributes":{"softwares":[{"version":"1.0"}]}},
		{"identityAttributes":{"sourceNativeKey":"K-CA"},"customAttributes":[{"value":"orphan"}]}]}`
	r, ir := post(mixed)
	if r.status != 200 || ir.ResponseCode != "SUCCESSFULLY_PUBLISHED" || len(ir.AssetsError) != 6 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for key, mention := range map[string]string{"1": "identity", "K-DATE": "sourceCreatedDate", "K-TYPE": "ipAddress", "K-PORT": "port", "K-SW": "name is required", "K-CA": "key is required"} {
		if !strings.Contains(ir.AssetsError[key], mention) {
			t.Errorf("assetsError[%s] = %q, want it to mention %q", key, ir.AssetsError[key], mention)
		}
	}
	for _, tc := range []struct {
		name, body string
		status     int
		mention    string
	}{
		{"unknown connector", `{"connectorMetaData":{"connectorUuid":"00000000-0000-0000-0000-000000000000","source":"WEBHOOK"},"assetData":[` + good + `]}`, 400, "connectorUuid"},
		{"no metadata", `{"assetData":[` + good + `]}`, 400, "connectorMetaData"},
		{"empty assetData", `{` + meta + `,"assetData":[]}`, 400, "assetData"},
		{"not json", `{` + meta, 400, "payload"},
		{"all rejected", `{` + meta + `,"assetData":[{"identityAttributes":{}}]}`, 400, "No asset"},
	} {
		r := call(t, "POST", base+pathImport, tok, "application/json", tc.body)
		if r.status != tc.status || !bytes.Contains(r.body, []byte(tc.mention)) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	// The accepted ones are processed in the background.
	deadline := time.Now().Add(5 * time.Second)
	for s.ImportsPending() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	body := `{"filters":[{"field":"inventory.source","operator":"EQUALS","value":"WEBHOOK"}]}`
	if got := searchAll(t, base, tok, "", "application/json", body); len(got) != 3 {
		t.Errorf("%d imported assets, want 3 (two samples and ok-1)", len(got))
	}
	// The SNOW sample's source dates are reflected in inventory.
	body = `{"filters":[{"field":"asset.name","operator":"EQUALS","value":"snow-laptop-17"}]}`
	got := searchAll(t, base, tok, "", "application/json", body)
	if len(got) != 1 {
		t.Fatalf("snow asset: %v", got)
	}
	a, _ := s.Asset(got[0])
	if a.Inventory.Created.Raw != "1768473175000" || a.Inventory.LastUpdated.Raw != "1768473175000" || csamapi.Str(a.BusinessInformation.OperationalStatus) != "Running" ||
		!hasCustom(a, "key1", "New") || *a.CPUCount != 2 || *a.VolumeListData.Volume[0].Size != 100 {
		t.Errorf("snow asset %s", mustJSON(t, a))
	}
	if len(s.Imports()) != 4 { // the two samples, the mixed one, the all-rejected one
		t.Errorf("%d import records", len(s.Imports()))
	}
}

func TestParseConnector(t *testing.T) {
	c, err := ParseConnector("abc=SNOW:Imported,CMDB Assets")
	if err != nil || c.UUID != "abc" || c.Source != "SNOW" || !slices.Equal(c.Tags, []string{"Imported", "CMDB Assets"}) {
		t.Errorf("%+v %v", c, err)
	}
	if c, err := ParseConnector("abc=WEBHOOK"); err != nil || c.Source != "WEBHOOK" || len(c.Tags) != 0 {
		t.Errorf("%+v %v", c, err)
	}
	for _, bad := range []string{"abc", "=SNOW", "abc=", "abc=:x"} {
		if _, err := ParseConnector(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// waitFor polls cond every 25 ms for up to 5 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestImportRoundTrip imports three assets (one matching a generated
// asset by serial number, two new) and finds them through every read API.
func TestImportRoundTrip(t *testing.T) {
	s, base := start(t, Config{Assets: 300, Seed: 17, RateLimit: -1})
	tok := login(t, base)
	r := call(t, "POST", base+"/__emulator/connectors", "", "application/json",
		`{"uuid":"`+testConnector+`","source":"WEBHOOK","name":"CMDB Webhook","tags":["Imported from CMDB"]}`)
	if r.status != 200 || !bytes.Contains(r.body, []byte(testConnector)) {
		t.Fatalf("connector: %d %s", r.status, r.body)
	}
	ids := slices.Collect(s.AssetIDs())
	topID := ids[len(ids)-1]
	var match *csamapi.Asset
	for _, id := range ids {
		if a, _ := s.Asset(id); a.BiosSerialNumber != nil && a.AgentID != nil {
			match = a
			break
		}
	}
	beforeCount := len(ids)
	payload := fmt.Sprintf(`{"connectorMetaData":{"requestId":"RT-1","connectorUuid":%q,"source":"WEBHOOK"},"assetData":[
	{"identityAttributes":{"hostName":"cmdb-name-of-agent-host","serialNumber":%q,"sourceNativeKey":"RT-MATCH"},
	 "coreAttributes":{"sourceCreatedDate":"2025-01-02T03:04:05Z"},
	 "customAttributes":[{"key":"Cost Owner","value":"Finance"},{"key":"Tier","value":"Gold"}]},
	{"identityAttributes":{"hostName":"rt-new-1","ipAddress":["10.9.0.1"],"sourceNativeKey":"RT-NEW-1"},
	 "coreAttributes":{"operatingSystem":"Ubuntu 22.04","softwares":[{"name":"acme-tomcat","version":"10.1.24","publisher":"Apache",
	   "softwareInstances":[{"instanceName":"tomcat","technology":"Apache Tomcat","version":"10.1.24","port":"8080"}]}],
	   "sourceCreatedDate":1735689600000,"sourceLastUpdatedDate":1767225600000},
	 "customAttributes":[{"key":"Tier","value":"Silver"},{"key":"Cost Owner","value":"Gold"}]},
	{"identityAttributes":{"hostName":"rt-new-2","macAddress":"00:11:22:33:44:55","sourceNativeKey":"RT-NEW-2"},
	 "coreAttributes":{"softwares":[{"name":"nginx","version":"1.26.1","softwareInstances":[{"instanceName":"nginx","technology":"Nginx"}]}]},
	 "customAttributes":[{"key":"Tier","value":"Gold"}]}]}`, testConnector, csamapi.Str(match.BiosSerialNumber))
	r = call(t, "POST", base+pathImport, tok, "application/json", payload)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"assetsError":{}`)) {
		t.Fatalf("import: %d %s", r.status, r.body)
	}

	bySource := `{"filters":[{"field":"inventory.source","operator":"EQUALS","value":"WEBHOOK"}]}`
	var got []int64
	waitFor(t, "imported assets in search", func() bool {
		got = searchAll(t, base, tok, "", "application/json", bySource)
		return len(got) == 3
	})
	if got[0] != match.AssetID || got[1] <= topID || got[2] <= got[1] {
		t.Fatalf("ids %v: want the matched %d, then two new above %d", got, match.AssetID, topID)
	}
	if n := countOf(t, base, tok, "", "", ""); n != beforeCount+2 {
		t.Errorf("count %d, want %d", n, beforeCount+2)
	}

	t.Run("V2: tags and inventory", func(t *testing.T) {
		byTag := `{"filters":[{"field":"tags.name","operator":"EQUALS","value":"Imported from CMDB"}]}`
		if tagged := searchAll(t, base, tok, "", "application/json", byTag); !slices.Equal(tagged, got) {
			t.Errorf("tagged %v, want %v", tagged, got)
		}
		m, _ := s.Asset(match.AssetID)
		if csamapi.Str(m.AssetName) != "cmdb-name-of-agent-host" || csamapi.Str(m.AgentID) != csamapi.Str(match.AgentID) ||
			len(m.SoftwareListData.Software) != len(match.SoftwareListData.Software) || m.Inventory.Created.T.Format(time.RFC3339) != "2025-01-02T03:04:05Z" {
			t.Errorf("matched asset lost its data or did not take the import's: %s", m.Inventory.Created.Raw)
		}
		if len(m.InventoryListData.Inventory) < 2 || !hasCustom(m, "Cost Owner", "Finance") || !m.LastModifiedDate.T.After(match.LastModifiedDate.T) {
			t.Errorf("matched asset: inventory %v", m.InventoryListData)
		}
		n1, _ := s.Asset(got[1])
		if n1.Inventory.Created.Raw != "1735689600000" || n1.Inventory.LastUpdated.Raw != "1767225600000" ||
			csamapi.Str(n1.OperatingSystem.Category1) != "Linux" || csamapi.Str(n1.CustomAttributes[0].ConnectorName) != "CMDB Webhook" {
			t.Errorf("new asset %s", mustJSON(t, n1))
		}
		r := call(t, "GET", fmt.Sprintf("%s%s?assetId=%d", base, pathGet, got[2]), tok, "", "")
		if r.status != 200 || !bytes.Contains(r.body, []byte(`"macAddress":"00:11:22:33:44:55"`)) {
			t.Errorf("get: %d %.300s", r.status, r.body)
		}
	})
	t.Run("V1: QQL on customAttributes", func(t *testing.T) {
		if ids := v1All(t, base, tok, "customAttributes:(key:Tier and value:Gold)"); !slices.Equal(ids, []int64{got[0], got[2]}) {
			t.Errorf("nested: %v", ids)
		}
		if ids := v1All(t, base, tok, "customAttributes.key:Tier and customAttributes.value:Gold"); !slices.Equal(ids, got) {
			t.Errorf("flat: %v", ids)
		}
		if n := v1Count(t, base, tok, url.Values{"filter": {"inventory.source:WEBHOOK and software:(name:acme-tomcat)"}}); n != 1 {
			t.Errorf("software count %d", n)
		}
	})
	t.Run("components", func(t *testing.T) {
		for _, id := range got[1:] {
			cs := allComponents(t, base, tok, fmt.Sprintf("%s/%d", pathComponents, id), "", 100)
			if len(cs) == 0 {
				t.Errorf("asset %d has no components", id)
			}
		}
		all := allComponents(t, base, tok, pathComponents, "", 1000)
		if last := all[len(all)-1]; last.AssetID != got[2] {
			t.Errorf("last component belongs to %d, want %d", last.AssetID, got[2])
		}
	})
	t.Run("organizations", func(t *testing.T) {
		var total int64
		for _, o := range s.Organizations() {
			total += o.Assets
		}
		if total != int64(beforeCount+2) {
			t.Errorf("organizations count %d assets, want %d", total, beforeCount+2)
		}
	})
	t.Run("connector tags reach earlier assets", func(t *testing.T) {
		call(t, "POST", base+"/__emulator/connectors", "", "application/json",
			`{"uuid":"`+testConnector+`","source":"WEBHOOK","tags":["Imported from CMDB","Wave 2"]}`)
		r := call(t, "POST", base+pathImport, tok, "application/json",
			`{"connectorMetaData":{"connectorUuid":"`+testConnector+`"},"assetData":[{"identityAttributes":{"hostName":"rt-new-3","sourceNativeKey":"RT-NEW-3"}}]}`)
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		byTag := `{"filters":[{"field":"tags.name","operator":"EQUALS","value":"Wave 2"}]}`
		waitFor(t, "Wave 2 on all four", func() bool { return len(searchAll(t, base, tok, "", "application/json", byTag)) == 4 })
		// Same sourceNativeKey again: an update, not a new asset.
		call(t, "POST", base+pathImport, tok, "application/json",
			`{"connectorMetaData":{"connectorUuid":"`+testConnector+`"},"assetData":[{"identityAttributes":{"hostName":"rt-new-3-renamed","sourceNativeKey":"RT-NEW-3"}}]}`)
		waitFor(t, "rename", func() bool { return s.ImportsPending() == 0 })
		if n := countOf(t, base, tok, "", "application/json", bySource); n != 4 {
			t.Errorf("after re-import: %d WEBHOOK assets", n)
		}
	})
}

func TestSimulateChanges(t *testing.T) {
	if time.Now().Before(New(Config{Seed: 1}).ReferenceTime()) {
		t.Skip("the wall clock is before the synthetic dates")
	}
	s, base := start(t, Config{Assets: 500, Seed: 6, RateLimit: -1})
	tok := login(t, base)
	before := slices.Collect(s.AssetIDs())
	old := map[int64]*csamapi.Asset{}
	for _, id := range before {
		old[id], _ = s.Asset(id)
	}
	watermark := time.Now().UTC().Truncate(time.Second)
	r := call(t, "POST", base+"/__emulator/changes", "", "application/json", `{"seed":7,"update":6,"add":3,"delete":2}`)
	var cs ChangeSet
	if r.status != 200 || json.Unmarshal(r.body, &cs) != nil {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if len(cs.Updated) != 6 || len(cs.Added) != 3 || len(cs.Deleted) != 2 {
		t.Fatalf("change set %+v", cs)
	}
	if n := countOf(t, base, tok, "", "", ""); n != len(before)+3-2 {
		t.Errorf("count %d, want %d", n, len(before)+1)
	}
	delta := searchAll(t, base, tok, "assetLastUpdated="+watermark.Format("2006-01-02T15:04:05Z"), "", "")
	want := append(slices.Clone(cs.Updated), cs.Added...)
	slices.Sort(want)
	if !slices.Equal(delta, want) {
		t.Errorf("delta search %v, want updated+added %v", delta, want)
	}
	for k, id := range cs.Added {
		if id <= before[len(before)-1] || k > 0 && id <= cs.Added[k-1] {
			t.Errorf("added ids %v not ascending above %d", cs.Added, before[len(before)-1])
		}
	}
	for _, id := range cs.Deleted {
		if r := call(t, "GET", fmt.Sprintf("%s%s?assetId=%d", base, pathGet, id), tok, "", ""); r.status != 204 {
			t.Errorf("deleted %d: %d", id, r.status)
		}
	}
	for _, id := range cs.Updated {
		a, _ := s.Asset(id)
		o := old[id]
		if bytes.Equal(mustJSON(t, a.SoftwareListData), mustJSON(t, o.SoftwareListData)) || bytes.Equal(mustJSON(t, a.TagList), mustJSON(t, o.TagList)) {
			t.Errorf("%d: software or tags unchanged", id)
		}
		if a.LastModifiedDate.T.Before(watermark) {
			t.Errorf("%d: lastModifiedDate %s", id, a.LastModifiedDate.Raw)
		}
	}
	var log []ChangeRecord
	json.Unmarshal(call(t, "GET", base+"/__emulator/changes", "", "", "").body, &log)
	if len(log) != 11 {
		t.Errorf("change log has %d records", len(log))
	}
	// The same seed on the same data picks the same hosts.
	s2 := New(Config{Assets: 500, Seed: 6})
	defer s2.Close()
	cs2 := s2.SimulateChanges(7, 6, 3, 2)
	if !slices.Equal(cs.Updated, cs2.Updated) || !slices.Equal(cs.Deleted, cs2.Deleted) || !slices.Equal(cs.Added, cs2.Added) {
		t.Errorf("not deterministic: %+v vs %+v", cs, cs2)
	}
	// Percentages are of the current count.
	r = call(t, "POST", base+"/__emulator/changes", "", "application/json", `{"seed":8,"updatePercent":1}`)
	json.Unmarshal(r.body, &cs)
	if len(cs.Updated) != 5 || len(cs.Added) != 0 {
		t.Errorf("1%%: %+v", cs)
	}
}

func TestReports(t *testing.T) {
	s, base := start(t, Config{Assets: 400, Seed: 9, RateLimit: -1})
	tok := login(t, base)
	create := func(body string) (resp, string) {
		t.Helper()
		r := call(t, "POST", base+pathReport, tok, "application/json", body)
		var rr struct {
			Data *struct {
				FileUUID string `json:"fileUuid"`
			} `json:"data"`
			Message string         `json:"message"`
			Error   jsontext.Value `json:"error"`
		}
		json.Unmarshal(r.body, &rr)
		if r.status == 200 && (rr.Message != "Request successfully created." || string(rr.Error) != "null" || rr.Data == nil || len(rr.Data.FileUUID) != 36) {
			t.Errorf("response %s", r.body)
		}
		if rr.Data == nil {
			return r, ""
		}
		return r, rr.Data.FileUUID
	}
	download := func(id string) resp {
		t.Helper()
		var r resp
		waitFor(t, "report "+id, func() bool {
			r = call(t, "GET", base+"/__emulator/reports/"+id, "", "", "")
			return r.status != http.StatusAccepted
		})
		return r
	}
	all := allAssets(t, s)
	want := idsWhere(all, func(a *csamapi.Asset) bool {
		crit := a.TagList != nil && slices.ContainsFunc(a.TagList.Tag, func(t csamapi.Tag) bool { return t.TagID == 25971235 })
		return a.RiskScore != nil && *a.RiskScore > 900 && !crit
	})

	t.Run("CSV rows are the selected assets", func(t *testing.T) {
		_, id := create(strings.ReplaceAll(testdata(t, "report_easm.json"), "{{FORMAT}}", "CSV"))
		r := download(id)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%d %s", r.status, r.header)
		}
		lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
		if len(lines) != len(want)+1 || !strings.HasPrefix(lines[0], "Asset ID,Asset Name") {
			t.Fatalf("%d lines for %d assets", len(lines), len(want))
		}
		for k, id := range want {
			if !strings.HasPrefix(lines[k+1], strconv.FormatInt(id, 10)+",") {
				t.Errorf("row %d: %.60s, want asset %d", k, lines[k+1], id)
			}
		}
	})
	t.Run("PDF", func(t *testing.T) {
		_, id := create(strings.ReplaceAll(testdata(t, "report_easm.json"), "{{FORMAT}}", "PDF"))
		r := download(id)
		if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.body, []byte("%PDF")) || !bytes.Contains(r.body, []byte("%%EOF")) {
			t.Errorf("%d %s %.20q", r.status, r.header.Get("Content-Type"), r.body)
		}
		var reps []Report
		json.Unmarshal(call(t, "GET", base+"/__emulator/reports", "", "", "").body, &reps)
		if len(reps) != 2 || reps[1].FileUUID != id || reps[1].Assets != len(want) {
			t.Errorf("report list %+v", reps)
		}
	})
	t.Run("scope: assetList and tagList", func(t *testing.T) {
		ids := slices.Collect(s.AssetIDs())
		body := fmt.Sprintf(`{"name":"r","format":"CSV","templateName":"ITAM_EASM_REPORT_TEMPLATE","reportType":"EASM_LEAD","assetList":"%d,%d","tagList":"%d,%d","includeMatchType":"All"}`,
			ids[0], ids[1], tagDefs[tagLinuxServer].id, tagDefs[tagAWS].id)
		_, id := create(body)
		r := download(id)
		want := idsWhere(all, func(a *csamapi.Asset) bool {
			return a.AssetID == ids[0] || a.AssetID == ids[1] || hasTags(a, []int64{tagDefs[tagLinuxServer].id, tagDefs[tagAWS].id}, true)
		})
		if n := strings.Count(strings.TrimSpace(string(r.body)), "\n"); n != len(want) || n < 3 {
			t.Errorf("%d rows, want %d", n, len(want))
		}
	})
	t.Run("validation", func(t *testing.T) {
		for _, tc := range []struct{ body, mention string }{
			{`{"description":"x"}`, "name, format, templateName, reportType"},
			{`{"name":"n","format":"PDF","templateName":"T"}`, "reportType"},
			{`{"name":"n","format":"PDF","templateName":"T","reportType":"VM_SCAN"}`, "EASM_LEAD"},
			{`{"name":"n","format":"DOCX","templateName":"T","reportType":"EASM_LEAD"}`, "format"},
			{`{"name":"n","format":"PDF","templateName":"T","reportType":"EASM_LEAD","filter":"asset.riskScore>"}`, "position"},
			{`{"name":"n","format":"PDF","templateName":"T","reportType":"EASM_LEAD","filter":"asset.colour:red"}`, "asset.colour"},
			{`{"name":"n","format":"PDF","templateName":"T","reportType":"EASM_LEAD","assetList":"1,x"}`, "assetList"},
			{`{"name":"n","format":"PDF","templateName":"T","reportType":"EASM_LEAD","includeMatchType":"Most"}`, "includeMatchType"},
		} {
			r, _ := create(tc.body)
			if r.status != 400 || !bytes.Contains(r.body, []byte(tc.mention)) || !bytes.Contains(r.body, []byte(`"data":null`)) {
				t.Errorf("%s: %d %s", tc.body, r.status, r.body)
			}
		}
		if r := call(t, "GET", base+"/__emulator/reports/00000000-0000-4000-8000-000000000000", "", "", ""); r.status != 404 {
			t.Errorf("unknown report: %d", r.status)
		}
	})
	t.Run("202 while in progress", func(t *testing.T) {
		s2, base2 := start(t, Config{Assets: 5, ReportDelay: time.Hour})
		_ = s2
		r := call(t, "POST", base2+pathReport, login(t, base2), "application/json", `{"name":"n","format":"PDF","templateName":"T","reportType":"EASM_LEAD"}`)
		var rr reportResponse
		json.Unmarshal(r.body, &rr)
		if r := call(t, "GET", base2+"/__emulator/reports/"+rr.Data.FileUUID, "", "", ""); r.status != 202 || !bytes.Contains(r.body, []byte("IN_PROGRESS")) {
			t.Errorf("%d %s", r.status, r.body)
		}
	})
}
