package emulator

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// The tests talk real HTTP over loopback with net/http, never with the
// project's client, so they pin the emulator's wire behaviour on its own.

func start(t testing.TB, cfg Config) (*Server, string) {
	t.Helper()
	s := New(cfg)
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, base
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func call(t testing.TB, method, u, token, contentType, body string, hdr ...string) resp {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k := 0; k+1 < len(hdr); k += 2 {
		req.Header.Set(hdr[k], hdr[k+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, u, err)
	}
	return resp{res.StatusCode, res.Header, b}
}

const formCT = "application/x-www-form-urlencoded"

func login(t testing.TB, base string) string {
	t.Helper()
	r := call(t, "POST", base+"/auth", "", formCT, "username=admin&password=admin&token=true")
	if r.status != http.StatusCreated {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	return string(r.body)
}

func decodePage(t testing.TB, b []byte) csamapi.AssetPage {
	t.Helper()
	var p csamapi.AssetPage
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("page does not decode: %v (%.200s)", err, b)
	}
	return p
}

func assetKeys(t testing.TB, raw jsontext.Value) map[string]jsontext.Value {
	t.Helper()
	var m map[string]jsontext.Value
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func idOf(t testing.TB, raw jsontext.Value) int64 {
	t.Helper()
	var a struct {
		AssetID int64 `json:"assetId"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	return a.AssetID
}

var rateHeaders = []string{"x-ratelimit-limit", "x-ratelimit-window-sec", "x-ratelimit-remaining", "x-ratelimit-towait-sec", "x-concurrency-limit-limit", "x-concurrency-limit-running"}

func TestAuth(t *testing.T) {
	s, base := start(t, Config{Assets: 10, TokenTTL: 90 * time.Minute, ClientID: "cid", ClientSecret: "csecret"})
	tests := []struct {
		name, path, ct, body string
		hdr                  []string
		status               int
		wantBody             string // exact, when set
		cred                 string // credentialType claim of a 201
	}{
		{name: "password", path: "/auth", ct: formCT, body: "username=admin&password=admin&token=true&permissions=true", status: 201, cred: credPassword},
		{name: "no token=true", path: "/auth", ct: formCT, body: "username=admin&password=admin", status: 201, cred: credPassword},
		{name: "bad password", path: "/auth", ct: formCT, body: "username=admin&password=nope&token=true", status: 401,
			wantBody: `{"status":401,"message":"authenticationFailure.InvalidCredentialsException"}`},
		{name: "json body", path: "/auth", ct: "application/json", body: `{"username":"admin","password":"admin"}`, status: 500},
		{name: "oauth", path: "/auth/oauth", ct: formCT, hdr: []string{"clientId", "cid", "clientSecret", "csecret"}, status: 201, cred: credClient},
		{name: "oidc", path: "/auth/oidc", ct: formCT, hdr: []string{"clientId", "cid", "clientSecret", "csecret"}, status: 201, cred: credClient},
		{name: "oauth bad secret", path: "/auth/oauth", ct: formCT, hdr: []string{"clientId", "cid", "clientSecret", "x"}, status: 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "POST", base+tc.path, "", tc.ct, tc.body, tc.hdr...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			for _, h := range rateHeaders {
				if r.header.Get(h) != "" {
					t.Errorf("/auth carries %s", h)
				}
			}
			if tc.wantBody != "" && string(r.body) != tc.wantBody {
				t.Errorf("body %s, want %s", r.body, tc.wantBody)
			}
			if tc.status != 201 {
				return
			}
			parts := strings.Split(string(r.body), ".")
			if len(parts) != 3 {
				t.Fatalf("not a JWT: %q", r.body)
			}
			hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
			if string(hdr) != `{"alg":"HS512"}` {
				t.Errorf("JWT header %s", hdr)
			}
			payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
			var c claims
			if err := json.Unmarshal(payload, &c); err != nil {
				t.Fatal(err)
			}
			if c.Exp-c.Iat != int64(90*60) || c.Iss != "qas" || c.Aud != "qas" || c.CredentialType != tc.cred {
				t.Errorf("claims %+v", c)
			}
			if d := time.Until(time.Unix(c.Exp, 0)); d < 89*time.Minute || d > 91*time.Minute {
				t.Errorf("exp in %v, want 90m", d)
			}
			// The token works on a data endpoint.
			if r := call(t, "POST", base+pathCount, string(r.body), "", ""); r.status != 200 {
				t.Errorf("count with the new token: %d %s", r.status, r.body)
			}
		})
	}
	if got := s.Stats().Requests["/auth"][401]; got != 1 {
		t.Errorf("stats /auth 401 = %d", got)
	}
}

func TestPaging(t *testing.T) {
	s, base := start(t, Config{Assets: 1000, Seed: 7, RateLimit: -1})
	tok := login(t, base)
	var ids []int64
	var hasMore []int64
	after := int64(0)
	for page := 0; ; page++ {
		q := url.Values{"pageSize": {"300"}, "lastSeenAssetId": {strconv.FormatInt(after, 10)}, "excludeFields": {"softwareListData"}}
		r := call(t, "POST", base+pathSearch+"?"+q.Encode(), tok, "", "")
		if page == 4 {
			if r.status != http.StatusNoContent || len(r.body) != 0 {
				t.Fatalf("after the end: %d %q, want 204 and an empty body", r.status, r.body)
			}
			break
		}
		if r.status != 200 {
			t.Fatalf("page %d: %d %s", page, r.status, r.body)
		}
		for _, h := range rateHeaders {
			if r.header.Get(h) == "" {
				t.Errorf("page %d lacks %s", page, h)
			}
		}
		p := decodePage(t, r.body)
		if *p.ResponseMessage != "Valid API Access" || *p.ResponseCode != "SUCCESS" {
			t.Errorf("envelope %v %v", *p.ResponseMessage, *p.ResponseCode)
		}
		n := len(p.AssetListData.Asset)
		if int64(n) != *p.Count {
			t.Errorf("count %d, %d assets", *p.Count, n)
		}
		last := idOf(t, p.AssetListData.Asset[n-1])
		if *p.LastSeenAssetID != last {
			t.Errorf("lastSeenAssetId %d, last id %d", *p.LastSeenAssetID, last)
		}
		for _, a := range p.AssetListData.Asset {
			ids = append(ids, idOf(t, a))
		}
		hasMore = append(hasMore, *p.HasMore)
		after = last
	}
	if !slices.Equal(hasMore, []int64{1, 1, 1, 0}) {
		t.Errorf("hasMore %v, want [1 1 1 0]", hasMore)
	}
	if len(ids) != 1000 || !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != 1000 {
		t.Fatalf("%d ids, sorted %v", len(ids), slices.IsSorted(ids))
	}
	if all := slices.Collect(s.AssetIDs()); !slices.Equal(all, ids) {
		t.Error("AssetIDs differs from what paging returned")
	}
	gaps := 0
	for k := 1; k < len(ids); k++ {
		if ids[k]-ids[k-1] > 1 {
			gaps++
		}
	}
	if gaps == 0 {
		t.Error("ids have no gaps")
	}
	// pageSize default is 100; a cursor between ids is exclusive.
	r := call(t, "GET", base+pathSearch+"?includeFields=assetId&lastSeenAssetId="+strconv.FormatInt(ids[10]-1, 10), tok, "", "")
	p := decodePage(t, r.body)
	if len(p.AssetListData.Asset) != 100 || idOf(t, p.AssetListData.Asset[0]) != ids[10] {
		t.Errorf("default page: %d assets from %d", len(p.AssetListData.Asset), idOf(t, p.AssetListData.Asset[0]))
	}
}

// TestFullAssetsMatch decodes full assets (software included) into
// csamapi.Asset and compares them with Server.Asset, the end-to-end check
// other packages rely on.
func TestFullAssetsMatch(t *testing.T) {
	s, base := start(t, Config{Assets: 60, Seed: 3})
	tok := login(t, base)
	r := call(t, "POST", base+pathSearch+"?pageSize=60", tok, "", "")
	p := decodePage(t, r.body)
	if len(p.AssetListData.Asset) != 60 {
		t.Fatalf("%d assets", len(p.AssetListData.Asset))
	}
	topKeys := len(assetFields)
	for _, raw := range p.AssetListData.Asset {
		if got := len(assetKeys(t, raw)); got != topKeys {
			t.Errorf("asset has %d keys, csamapi.Asset %d", got, topKeys)
		}
		var a csamapi.Asset
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatalf("asset does not decode into csamapi.Asset: %v", err)
		}
		want, ok := s.Asset(a.AssetID)
		if !ok {
			t.Fatalf("Asset(%d) missing", a.AssetID)
		}
		wantJSON, _ := json.Marshal(want, jsonOpts)
		if !bytes.Equal(wantJSON, raw) {
			t.Fatalf("asset %d differs from Server.Asset", a.AssetID)
		}
		// And it round-trips through the wire types unchanged, except for a
		// known csamapi limitation: FlexString re-emits a decoded JSON bool
		// (container.hasSensor) as a string.
		again, _ := json.Marshal(&a, jsonOpts)
		again = bytes.ReplaceAll(again, []byte(`"hasSensor":"false"`), []byte(`"hasSensor":false`))
		if !bytes.Equal(again, raw) {
			t.Errorf("asset %d does not round-trip through csamapi.Asset", a.AssetID)
		}
	}
}

func TestPageSizeLimit(t *testing.T) {
	_, base := start(t, Config{Assets: 5})
	tok := login(t, base)
	r := call(t, "POST", base+pathSearch+"?pageSize=301", tok, "", "")
	if r.status != http.StatusRequestedRangeNotSatisfiable || !bytes.Contains(r.body, []byte("Please provide a Page Size value less than the max page size limit set.")) {
		t.Errorf("%d %s", r.status, r.body)
	}
	if r := call(t, "POST", base+pathSearch+"?pageSize=300", tok, "", ""); r.status != 200 {
		t.Errorf("pageSize=300: %d", r.status)
	}
}

func TestFieldSelection(t *testing.T) {
	s, base := start(t, Config{Assets: 20, Seed: 2})
	tok := login(t, base)
	tests := []struct {
		query    string
		nonNull  []string // must be non-null on every asset
		null     []string // must be null
		allOther bool     // every other key null
	}{
		{"includeFields=customAttributes", []string{"assetId"}, []string{"hostId", "softwareListData", "operatingSystem"}, true},
		{"includeFields=assetName,operatingSystem", []string{"assetId", "assetName", "operatingSystem"}, []string{"softwareListData", "tagList"}, true},
		{"includeFields=assetId", []string{"assetId"}, []string{"assetName"}, true},
		{"excludeFields=softwareListData,openPortListData", []string{"assetId", "assetName", "operatingSystem", "tagList"}, []string{"softwareListData", "openPortListData"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := call(t, "POST", base+pathSearch+"?pageSize=20&"+tc.query, tok, "", "")
			p := decodePage(t, r.body)
			for _, raw := range p.AssetListData.Asset {
				m := assetKeys(t, raw)
				if len(m) != len(assetFields) {
					t.Fatalf("%d keys, want all %d (keys are never dropped)", len(m), len(assetFields))
				}
				for _, k := range tc.nonNull {
					if m[k].Kind() == 'n' {
						t.Errorf("%s is null", k)
					}
				}
				for _, k := range tc.null {
					if m[k].Kind() != 'n' {
						t.Errorf("%s = %.40s, want null", k, m[k])
					}
				}
				if tc.allOther {
					for k, v := range m {
						if !slices.Contains(tc.nonNull, k) && !strings.Contains(tc.query, k) && v.Kind() != 'n' {
							t.Errorf("%s not selected but %.40s", k, v)
						}
					}
				}
				if !tc.allOther { // excluded fields aside, the asset is unchanged
					full, _ := s.Asset(idOf(t, raw))
					for _, k := range []string{"operatingSystem", "tagList", "cloudProvider", "lastModifiedDate"} {
						want := assetKeys(t, mustJSON(t, full))[k]
						if !bytes.Equal(want, m[k]) {
							t.Errorf("%s differs from the full asset", k)
						}
					}
				}
			}
		})
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v, jsonOpts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// searchAll pages through a filtered search and returns the ids.
func searchAll(t testing.TB, base, tok, query, ct, body string) []int64 {
	t.Helper()
	var ids []int64
	after := int64(0)
	for {
		r := call(t, "POST", fmt.Sprintf("%s%s?pageSize=300&includeFields=assetId&lastSeenAssetId=%d&%s", base, pathSearch, after, query), tok, ct, body)
		if r.status == http.StatusNoContent {
			return ids
		}
		if r.status != 200 {
			t.Fatalf("search: %d %s", r.status, r.body)
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

func countOf(t testing.TB, base, tok, query, ct, body string) int {
	t.Helper()
	r := call(t, "POST", base+pathCount+"?"+query, tok, ct, body)
	if r.status != 200 {
		t.Fatalf("count: %d %s", r.status, r.body)
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

func TestFilters(t *testing.T) {
	s, base := start(t, Config{Assets: 1500, Seed: 11, RateLimit: -1})
	tok := login(t, base)
	tagNames := func(a *csamapi.Asset) []string {
		var out []string
		if a.TagList != nil {
			for _, tg := range a.TagList.Tag {
				out = append(out, csamapi.Str(tg.TagName))
			}
		}
		return out
	}
	anyIn := func(have []string, want ...string) bool {
		for _, h := range have {
			if slices.Contains(want, h) {
				return true
			}
		}
		return false
	}
	cutoff := s.ReferenceTime().Add(-30 * day)
	tests := []struct {
		name, query, ct, body string
		truth                 func(a *csamapi.Asset) bool
	}{
		{"tags.name IN json", "", "application/json",
			`{"filters":[{"field":"tags.name","operator":"IN","value":"Production,Internet Facing Assets"}],"operation":"AND"}`,
			func(a *csamapi.Asset) bool { return anyIn(tagNames(a), "Production", "Internet Facing Assets") }},
		{"tags.name IN is case sensitive", "", "application/json",
			`{"filters":[{"field":"tags.name","operator":"IN","value":"production"}]}`,
			func(a *csamapi.Asset) bool { return false }},
		{"os category2 IN xml without root", "", "application/xml",
			"<filters>\n  <Criteria field=\"operatingSystem.category2\" operator=\"IN\"><value>Server,Router</value></Criteria>\n</filters>\n<operation>AND</operation>",
			func(a *csamapi.Asset) bool {
				return a.OperatingSystem != nil && anyIn([]string{csamapi.Str(a.OperatingSystem.Category2)}, "Server", "Router")
			}},
		{"xml with a root and OR", "", "application/xml",
			`<FilterRequest><filters><Criteria field="operatingSystem.category1" operator="EQUALS"><value>Mac</value></Criteria><Criteria field="tags.name" operator="EQUALS"><value>PCI</value></Criteria></filters><operation>OR</operation></FilterRequest>`,
			func(a *csamapi.Asset) bool {
				return csamapi.Str(a.OperatingSystem.Category1) == "Mac" || anyIn(tagNames(a), "PCI")
			}},
		{"tags.name CONTAINS + assetId GREATER", "", "application/json",
			fmt.Sprintf(`{"filters":[{"field":"tags.name","operator":"CONTAINS","value":"server"},{"field":"asset.assetID","operator":"GREATER","value":"%d"}]}`, baseAssetID+5000),
			func(a *csamapi.Asset) bool {
				return a.AssetID > baseAssetID+5000 && slices.ContainsFunc(tagNames(a), func(n string) bool { return strings.Contains(strings.ToLower(n), "server") })
			}},
		{"tags.id NOT_EQUALS", "", "application/json",
			fmt.Sprintf(`{"filters":[{"field":"tags.id","operator":"NOT_EQUALS","value":"%d"}]}`, tagDefs[tagCloudAgent].id),
			func(a *csamapi.Asset) bool { return !anyIn(tagNames(a), "Cloud Agent") }},
		{"inventory.source", "", "application/json", `{"filters":[{"field":"inventory.source","operator":"EQUALS","value":"EASM"}]}`,
			func(a *csamapi.Asset) bool { return csamapi.Str(a.Inventory.Source) == "EASM" }},
		{"customAttributes.key", "", "application/xml", `<filters><Criteria field="customAttributes.key" operator="EQUALS"><value>Media State4</value></Criteria></filters>`,
			func(a *csamapi.Asset) bool {
				return slices.ContainsFunc(a.CustomAttributes, func(c csamapi.CustomAttribute) bool { return csamapi.Str(c.Key) == "Media State4" })
			}},
		{"assetLastUpdated", "assetLastUpdated=" + cutoff.Format(time.RFC3339), "", "",
			func(a *csamapi.Asset) bool { return !a.LastModifiedDate.T.Before(cutoff) }},
		{"asset.lastUpdated GREATER_THAN_EQUAL", "", "application/json",
			`{"filters":[{"field":"asset.lastUpdated","operator":"GREATER_THAN_EQUAL","value":"` + cutoff.Format(time.RFC3339) + `"}]}`,
			func(a *csamapi.Asset) bool { return !a.LastModifiedDate.T.Before(cutoff) }},
		{"asset.createdDate LESSER", "", "application/json",
			`{"filters":[{"field":"asset.createdDate","operator":"LESSER","value":"` + cutoff.AddDate(-1, 0, 0).Format("2006-01-02") + `"}]}`,
			func(a *csamapi.Asset) bool { return a.CreatedDate.T.Before(cutoff.AddDate(-1, 0, 0).Truncate(day)) }},
		{"asset.name EQUALS", "", "application/json", `{"filters":[{"field":"asset.name","operator":"EQUALS","value":"LT-00003"}]}`,
			func(a *csamapi.Asset) bool { return csamapi.Str(a.AssetName) == "LT-00003" }},
		{"provider + riskScore (from the full asset)", "", "application/json",
			`{"filters":[{"field":"provider","operator":"EQUALS","value":"AWS"},{"field":"asset.riskScore","operator":"GREATER","value":"500"}]}`,
			func(a *csamapi.Asset) bool {
				return csamapi.Str(a.Provider) == "AWS" && a.RiskScore != nil && *a.RiskScore > 500
			}},
	}
	// Ground truth from the built assets (software is irrelevant to these
	// filters and is skipped to keep the test fast).
	all := slices.Collect(s.AssetIDs())
	built := make([]*csamapi.Asset, len(all))
	for k, id := range all {
		i, _ := s.store.gen.index(id)
		built[k] = s.store.gen.asset(s.store.gen.header(i), genOpts{noSoftware: true})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want []int64
			for k, a := range built {
				if tc.truth(a) {
					want = append(want, all[k])
				}
			}
			got := searchAll(t, base, tok, tc.query, tc.ct, tc.body)
			if !slices.Equal(got, want) {
				t.Errorf("search found %d assets, ground truth %d", len(got), len(want))
			}
			if n := countOf(t, base, tok, tc.query, tc.ct, tc.body); n != len(want) {
				t.Errorf("count %d, search %d", n, len(want))
			}
			if tc.name != "tags.name IN is case sensitive" && tc.name != "asset.name EQUALS" && (len(want) == 0 || len(want) == len(all)) {
				t.Errorf("filter selects %d of %d: not a useful test", len(want), len(all))
			}
		})
	}
}

func TestFilterErrors(t *testing.T) {
	_, base := start(t, Config{Assets: 5})
	tok := login(t, base)
	tests := []struct {
		name, ct, body string
		mention        []string
	}{
		{"operator not allowed for type", "application/json", `{"filters":[{"field":"tags.name","operator":"GREATER","value":"x"}]}`, []string{"tags.name", "GREATER"}},
		{"unknown token", "application/json", `{"filters":[{"field":"asset.lastSeen","operator":"GREATER","value":"2024-01-01"}]}`, []string{"asset.lastSeen"}},
		{"LESS is not LESSER", "application/xml", `<filters><Criteria field="asset.assetID" operator="LESS"><value>5</value></Criteria></filters>`, []string{"LESS"}},
		{"bad date", "application/json", `{"filters":[{"field":"asset.lastUpdated","operator":"GREATER","value":"yesterday"}]}`, []string{"asset.lastUpdated"}},
		{"bad operation", "application/json", `{"filters":[],"operation":"XOR"}`, []string{"XOR"}},
		{"not json", "application/json", `{"filters":`, nil},
		{"not xml", "application/xml", `<filters><Criteria`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{pathSearch, pathCount} {
				r := call(t, "POST", base+path, tok, tc.ct, tc.body)
				if r.status != http.StatusBadRequest {
					t.Fatalf("%s: %d %s", path, r.status, r.body)
				}
				var b qualysBody
				if err := json.Unmarshal(r.body, &b); err != nil || b.ResponseCode != "FAILED" || b.ResponseMessage == "" {
					t.Errorf("body %s", r.body)
				}
				for _, m := range tc.mention {
					if !strings.Contains(b.ResponseMessage, m) {
						t.Errorf("message %q does not mention %q", b.ResponseMessage, m)
					}
				}
			}
		})
	}
}

func TestGetByID(t *testing.T) {
	s, base := start(t, Config{Assets: 50, Seed: 5})
	tok := login(t, base)
	ids := slices.Collect(s.AssetIDs())
	id := ids[17]
	for _, u := range []string{
		base + pathGet + "?assetId=" + strconv.FormatInt(id, 10),
		base + pathSearch + "?assetId=" + strconv.FormatInt(id, 10),
	} {
		for _, m := range []string{"GET", "POST"} {
			r := call(t, m, u+"&includeFields=customAttributes", tok, "", "")
			if r.status != 200 {
				t.Fatalf("%s %s: %d", m, u, r.status)
			}
			p := decodePage(t, r.body)
			if *p.Count != 1 || p.LastSeenAssetID != nil || *p.HasMore != 0 || idOf(t, p.AssetListData.Asset[0]) != id {
				t.Errorf("%s %s: envelope %s", m, u, r.body[:120])
			}
			if !bytes.Contains(r.body, []byte(`"lastSeenAssetId":null`)) {
				t.Error("lastSeenAssetId is not null")
			}
		}
	}
	if r := call(t, "GET", base+pathGet+"?assetId="+strconv.FormatInt(id+1, 10), tok, "", ""); r.status != 204 || len(r.body) != 0 {
		t.Errorf("absent id: %d %q", r.status, r.body)
	}
}

func TestSoftwareTypeAndIDs(t *testing.T) {
	s, base := start(t, Config{Assets: 200, Seed: 9})
	tok := login(t, base)
	r := call(t, "POST", base+pathSearch+"?pageSize=200&softwareType=Application&includeFields=softwareListData", tok, "", "")
	p := decodePage(t, r.body)
	dropped := 0
	for _, raw := range p.AssetListData.Asset {
		var a csamapi.Asset
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatal(err)
		}
		full, _ := s.Asset(a.AssetID)
		if a.SoftwareListData == nil {
			continue
		}
		for _, sw := range a.SoftwareListData.Software {
			if csamapi.Str(sw.SoftwareType) != "Application" {
				t.Fatalf("softwareType=Application returned %q", csamapi.Str(sw.SoftwareType))
			}
		}
		dropped += len(full.SoftwareListData.Software) - len(a.SoftwareListData.Software)
	}
	if dropped == 0 {
		t.Error("softwareType=Application filtered nothing")
	}

	// Ids: signed 64-bit hashes, negative and beyond 2^53, stable per
	// (product, version, architecture) across hosts.
	var neg, big int
	byKey := map[string]int64{}
	hosts := map[int64]int{}
	for id := range s.AssetIDs() {
		a, _ := s.Asset(id)
		if a.SoftwareListData == nil {
			continue
		}
		for _, sw := range a.SoftwareListData.Software {
			if sw.ID < 0 {
				neg++
			}
			if sw.ID > 1<<53 || sw.ID < -(1<<53) {
				big++
			}
			k := csamapi.Str(sw.FullName) + "|" + csamapi.Str(sw.Architecture)
			if prev, ok := byKey[k]; ok && prev != sw.ID {
				t.Fatalf("%s has ids %d and %d", k, prev, sw.ID)
			}
			byKey[k] = sw.ID
			hosts[sw.ID]++
		}
	}
	shared := 0
	for _, n := range hosts {
		if n > 1 {
			shared++
		}
	}
	if neg == 0 || big == 0 || shared == 0 {
		t.Errorf("negative ids %d, ids beyond 2^53 %d, ids on several hosts %d", neg, big, shared)
	}
	// And they survive the wire exactly (no float64 on the way).
	r = call(t, "POST", base+pathSearch+"?pageSize=1&includeFields=softwareListData", tok, "", "")
	p = decodePage(t, r.body)
	var a csamapi.Asset
	json.Unmarshal(p.AssetListData.Asset[0], &a)
	full, _ := s.Asset(a.AssetID)
	if a.SoftwareListData.Software[0].ID != full.SoftwareListData.Software[0].ID {
		t.Error("software id changed on the wire")
	}
}

func TestDeterminism(t *testing.T) {
	page := func(seed int64) []byte {
		_, base := start(t, Config{Assets: 100, Seed: seed})
		r := call(t, "POST", base+pathSearch+"?pageSize=40&lastSeenAssetId=10000100", login(t, base), "", "")
		if r.status != 200 {
			t.Fatalf("%d", r.status)
		}
		return r.body
	}
	a, b, c := page(42), page(42), page(43)
	if !bytes.Equal(a, b) {
		t.Error("same seed, different bytes")
	}
	if bytes.Equal(a, c) {
		t.Error("different seed, same bytes")
	}
}

func TestOverlay(t *testing.T) {
	s, base := start(t, Config{Assets: 30, Seed: 1})
	tok := login(t, base)
	ids := slices.Collect(s.AssetIDs())
	changed, _ := s.Asset(ids[3])
	c := *changed
	c.AssetName = csamapi.P("renamed")
	s.PutAsset(&c)
	s.PutAsset(&csamapi.Asset{AssetID: ids[len(ids)-1] + 1000, AssetName: csamapi.P("added")})
	s.PutAsset(&csamapi.Asset{AssetID: 5, AssetName: csamapi.P("low id")})
	if !s.DeleteAsset(ids[7]) || s.DeleteAsset(ids[7]) {
		t.Error("DeleteAsset")
	}
	got := searchAll(t, base, tok, "", "", "")
	want := append([]int64{5}, slices.Delete(slices.Clone(ids), 7, 8)...)
	want = append(want, ids[len(ids)-1]+1000)
	if !slices.Equal(got, want) {
		t.Errorf("ids after overlay: %v", got)
	}
	if n := countOf(t, base, tok, "", "", ""); n != len(want) {
		t.Errorf("count %d, want %d", n, len(want))
	}
	body := `{"filters":[{"field":"asset.name","operator":"IN","value":"renamed,added"}]}`
	if got := searchAll(t, base, tok, "", "application/json", body); len(got) != 2 {
		t.Errorf("overlay assets by name: %v", got)
	}
}

func TestRateLimit(t *testing.T) {
	s, base := start(t, Config{Assets: 5, RateLimit: 3, RateWindow: 2 * time.Second})
	tok := login(t, base)
	for k := range 3 {
		r := call(t, "POST", base+pathCount, tok, "", "")
		if r.status != 200 || r.header.Get("x-ratelimit-remaining") != strconv.Itoa(2-k) || r.header.Get("x-ratelimit-limit") != "3" || r.header.Get("x-ratelimit-window-sec") != "2" {
			t.Fatalf("call %d: %d remaining %s", k, r.status, r.header.Get("x-ratelimit-remaining"))
		}
	}
	r := call(t, "POST", base+pathSearch, tok, "", "")
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("4th call: %d", r.status)
	}
	wait, _ := strconv.Atoi(r.header.Get("x-ratelimit-towait-sec"))
	if wait < 1 || wait > 2 || r.header.Get("x-ratelimit-remaining") != "0" {
		t.Errorf("429 headers %v", r.header)
	}
	// /auth is not rate limited.
	login(t, base)
	time.Sleep(time.Duration(wait) * time.Second)
	if r := call(t, "POST", base+pathCount, tok, "", ""); r.status != 200 {
		t.Errorf("after towait: %d", r.status)
	}
	if st := s.Stats(); st.RateLimited != 1 || st.Requests[pathSearch][429] != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	s, base := start(t, Config{Assets: 5, ConcurrencyLimit: 1, RateLimit: -1})
	tok := login(t, base)
	s.Faults().Enable(FaultSpec{Name: FaultSlow, Count: 1, Delay: 600 * time.Millisecond})
	var wg sync.WaitGroup
	var slow resp
	wg.Go(func() { slow = call(t, "POST", base+pathCount, tok, "", "") })
	deadline := time.Now().Add(2 * time.Second)
	for s.Stats().Faults[FaultSlow] == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	r := call(t, "POST", base+pathCount, tok, "", "")
	wg.Wait()
	if slow.status != 200 {
		t.Errorf("slow request: %d", slow.status)
	}
	if r.status != http.StatusTooManyRequests || r.header.Get("x-concurrency-limit-limit") != "1" || r.header.Get("x-concurrency-limit-running") != "1" {
		t.Errorf("second request in flight: %d %v", r.status, r.header)
	}
	if st := s.Stats(); st.ConcurrencyLimited != 1 || st.MaxInFlight != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestExpiredToken(t *testing.T) {
	_, base := start(t, Config{Assets: 5, TokenTTL: time.Second})
	tok := login(t, base)
	if r := call(t, "POST", base+pathCount, tok, "", ""); r.status != 200 {
		t.Fatalf("fresh token: %d", r.status)
	}
	time.Sleep(1100 * time.Millisecond)
	for _, tc := range []struct{ name, token string }{{"expired", tok}, {"missing", ""}, {"garbage", "abc.def.ghi"}} {
		r := call(t, "POST", base+pathSearch, tc.token, "", "")
		assertSpring401(t, r, pathSearch)
	}
}

func assertSpring401(t *testing.T, r resp, path string) {
	t.Helper()
	if r.status != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", r.status)
	}
	var b springBody
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatal(err)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000-0700", b.Timestamp); err != nil {
		t.Errorf("timestamp %q: %v", b.Timestamp, err)
	}
	if b.Path != path || b.Status != 401 || b.Error != "Unauthorized" || b.Message != "Not authenticated" || len(b.RequestID) != 8 ||
		b.ResponseCode != "Failure" || b.ResponseErrorDetails != "Unauthorized" {
		t.Errorf("401 body %s", r.body)
	}
}

func TestFaults(t *testing.T) {
	s, base := start(t, Config{Assets: 700, Seed: 4, RateLimit: -1, ConcurrencyLimit: -1, ClientID: "cid", ClientSecret: "sec"})
	tok := login(t, base)
	pw := "pw"
	ids := slices.Collect(s.AssetIDs())
	page1 := base + pathSearch + "?pageSize=10&excludeFields=softwareListData"
	page2 := fmt.Sprintf("%s&lastSeenAssetId=%d", page1, ids[9])
	end := fmt.Sprintf("%s&lastSeenAssetId=%d", page1, ids[len(ids)-1])

	const oauth = "oauth" // token placeholders, resolved when the case runs
	tests := []struct {
		fault string
		spec  FaultSpec
		url   string
		token string
		check func(t *testing.T, r resp)
	}{
		{FaultRate429, FaultSpec{ToWait: 3 * time.Second}, page1, pw, func(t *testing.T, r resp) {
			if r.status != 429 || r.header.Get("x-ratelimit-towait-sec") != "3" {
				t.Errorf("%d towait %q", r.status, r.header.Get("x-ratelimit-towait-sec"))
			}
		}},
		{FaultRate429NoWait, FaultSpec{}, page1, pw, func(t *testing.T, r resp) {
			if r.status != 429 || r.header.Get("x-ratelimit-towait-sec") != "" || r.header.Get("x-ratelimit-limit") == "" {
				t.Errorf("%d %v", r.status, r.header)
			}
		}},
		{FaultConflict409, FaultSpec{ToWait: 2 * time.Second}, page1, pw, func(t *testing.T, r resp) {
			if r.status != 409 || r.header.Get("x-ratelimit-towait-sec") != "2" {
				t.Errorf("%d %v", r.status, r.header)
			}
		}},
		{FaultError500, FaultSpec{}, page1, pw, statusIs(500)},
		{FaultUnavailable503, FaultSpec{}, page1, pw, statusIs(503)},
		{FaultError520, FaultSpec{}, page1, pw, statusIs(520)},
		{FaultForbidden403, FaultSpec{}, page1, pw, func(t *testing.T, r resp) {
			if r.status != 403 || !bytes.Contains(r.body, []byte("API access not enabled")) {
				t.Errorf("%d %s", r.status, r.body)
			}
		}},
		{FaultSlow, FaultSpec{Delay: 300 * time.Millisecond}, page1, pw, statusIs(200)}, // timed below
		{FaultTokenExpiry, FaultSpec{}, page1, pw, func(t *testing.T, r resp) { assertSpring401(t, r, pathSearch) }},
		{FaultOAuthReject, FaultSpec{}, page1, oauth, func(t *testing.T, r resp) {
			if r.status != 400 || !bytes.Contains(r.body, []byte(`"responseMessage":"Error validating customer from token - Invalid Subscription Id","responseCode":"FAILED"`)) {
				t.Errorf("%d %s", r.status, r.body)
			}
		}},
		{FaultTruncate, FaultSpec{}, page1, pw, func(t *testing.T, r resp) {
			if r.status != 200 || jsontext.Value(r.body).IsValid() || !bytes.Contains(r.body, []byte(`"asset":[{"assetId"`)) {
				t.Errorf("%d valid=%v %d bytes", r.status, jsontext.Value(r.body).IsValid(), len(r.body))
			}
			if bytes.Count(r.body, []byte(`{"assetId":`)) != 6 { // 5 whole assets, cut inside the 6th
				t.Errorf("cut after %d asset starts", bytes.Count(r.body, []byte(`{"assetId":`)))
			}
		}},
		{FaultWrongType, FaultSpec{}, page1, pw, func(t *testing.T, r resp) {
			if !bytes.Contains(r.body, []byte(`"asset":[{"assetId":"x",`)) || !jsontext.Value(r.body).IsValid() {
				t.Errorf("%.200s", r.body)
			}
		}},
		{FaultNoHasMore, FaultSpec{}, page1, pw, func(t *testing.T, r resp) {
			p := decodePage(t, r.body)
			if p.HasMore != nil || p.ResponseCode == nil {
				t.Errorf("%.200s", r.body)
			}
		}},
		{FaultNoResponseCode, FaultSpec{}, page1, pw, func(t *testing.T, r resp) {
			p := decodePage(t, r.body)
			if p.ResponseCode != nil || p.HasMore == nil {
				t.Errorf("%.200s", r.body)
			}
		}},
		{FaultEmptyHasMore, FaultSpec{}, end, pw, func(t *testing.T, r resp) {
			p := decodePage(t, r.body)
			if r.status != 200 || *p.Count != 0 || *p.HasMore != 1 || len(p.AssetListData.Asset) != 0 || p.AssetListData.Asset == nil {
				t.Errorf("%d %s", r.status, r.body)
			}
		}},
		{FaultRepeatLast, FaultSpec{}, page2, pw, func(t *testing.T, r resp) {
			p := decodePage(t, r.body)
			if *p.Count != 11 || idOf(t, p.AssetListData.Asset[0]) != ids[9] || idOf(t, p.AssetListData.Asset[1]) != ids[10] || *p.LastSeenAssetID != ids[19] {
				t.Errorf("count %d first %d", *p.Count, idOf(t, p.AssetListData.Asset[0]))
			}
		}},
		{FaultStuckCursor, FaultSpec{}, page2, pw, func(t *testing.T, r resp) {
			p := decodePage(t, r.body)
			if *p.LastSeenAssetID != ids[9] || idOf(t, p.AssetListData.Asset[0]) != ids[10] {
				t.Errorf("lastSeenAssetId %d", *p.LastSeenAssetID)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.fault, func(t *testing.T) {
			before := s.Stats().Faults[tc.fault]
			spec := tc.spec
			spec.Name, spec.Count = tc.fault, 1
			if err := s.Faults().Enable(spec); err != nil {
				t.Fatal(err)
			}
			token := tok
			if tc.token == oauth {
				token = string(call(t, "POST", base+"/auth/oauth", "", "", "", "clientId", "cid", "clientSecret", "sec").body)
			}
			t0 := time.Now()
			r := call(t, "POST", tc.url, token, "", "")
			if tc.fault == FaultSlow && time.Since(t0) < 300*time.Millisecond {
				t.Errorf("slow answered in %v", time.Since(t0))
			}
			tc.check(t, r)
			if got := s.Stats().Faults[tc.fault] - before; got != 1 {
				t.Errorf("fired %d times, want 1", got)
			}
			if tc.fault == FaultOAuthReject {
				token = tok
			}
			if tc.fault == FaultTokenExpiry { // the old token stays dead, a new one works
				assertSpring401(t, call(t, "POST", tc.url, tok, "", ""), pathSearch)
				tok = login(t, base)
				token = tok
			}
			// A counted fault switches itself off.
			if r := call(t, "POST", tc.url, token, "", ""); r.status != 200 && r.status != 204 {
				t.Errorf("after the fault: %d %s", r.status, r.body)
			} else if r.status == 200 && !jsontext.Value(r.body).IsValid() {
				t.Error("after the fault: invalid JSON")
			}
			if len(s.Faults().Active()) != 0 {
				t.Errorf("still active: %v", s.Faults().Active())
			}
		})
	}

	t.Run("burst5xx global then clear", func(t *testing.T) {
		s.Faults().Enable(FaultSpec{Name: FaultBurst5xx})
		var got []int
		for range 4 {
			got = append(got, call(t, "POST", page1, tok, "", "").status)
		}
		s.Faults().Clear()
		if !slices.Equal(got, []int{503, 500, 520, 503}) {
			t.Errorf("statuses %v", got)
		}
		if r := call(t, "POST", page1, tok, "", ""); r.status != 200 {
			t.Errorf("after clear: %d", r.status)
		}
	})
	t.Run("reset drops the connection", func(t *testing.T) {
		s.Faults().Enable(FaultSpec{Name: FaultReset, Count: 1})
		req, _ := http.NewRequest("POST", page1, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_, err = io.ReadAll(res.Body)
			res.Body.Close()
		}
		if err == nil {
			t.Error("body read without error")
		}
		if s.Stats().Faults[FaultReset] != 1 {
			t.Error("reset not counted")
		}
	})
	t.Run("503 on /auth via path", func(t *testing.T) {
		s.Faults().Enable(FaultSpec{Name: FaultUnavailable503, Count: 1, Path: "/auth"})
		if r := call(t, "POST", base+"/auth", "", formCT, "username=admin&password=admin"); r.status != 503 {
			t.Errorf("%d", r.status)
		}
		login(t, base)
	})
	t.Run("admin endpoint", func(t *testing.T) {
		r := call(t, "POST", base+"/__emulator/faults", "", "application/json", `{"fault":"rate429","count":2,"toWaitSec":1}`)
		if r.status != 200 || !bytes.Contains(r.body, []byte(`"fault":"rate429","count":2`)) {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if r := call(t, "POST", base+"/__emulator/faults", "", "application/json", `{"fault":"nope"}`); r.status != 400 {
			t.Errorf("unknown fault: %d", r.status)
		}
		for range 2 {
			if r := call(t, "POST", page1, tok, "", ""); r.status != 429 {
				t.Errorf("%d", r.status)
			}
		}
		call(t, "POST", base+"/__emulator/faults", "", "application/json", `{"fault":"clear"}`)
		r = call(t, "GET", base+"/__emulator/stats", "", "", "")
		var st Stats
		if err := json.Unmarshal(r.body, &st); err != nil {
			t.Fatal(err)
		}
		if st.Faults[FaultRate429] != 3 || st.Requests[pathSearch][429] < 3 || st.TokensIssued < 3 {
			t.Errorf("stats %s", r.body)
		}
	})
}

func statusIs(want int) func(t *testing.T, r resp) {
	return func(t *testing.T, r resp) {
		if r.status != want {
			t.Errorf("status %d, want %d", r.status, want)
		}
	}
}

func TestParseFault(t *testing.T) {
	for _, tc := range []struct {
		in    string
		count int
		ok    bool
	}{{"rate429", 0, true}, {"truncate:3", 3, true}, {"nope", 0, false}, {"slow:x", 0, false}} {
		spec, err := ParseFault(tc.in)
		if (err == nil) != tc.ok || (tc.ok && spec.Count != tc.count) {
			t.Errorf("%q: %+v %v", tc.in, spec, err)
		}
	}
}

// BenchmarkServePage serves full 300-asset pages over loopback and reads
// them to the end; MB/s is the emulator's serving rate.
func BenchmarkServePage(b *testing.B) {
	s, base := start(b, Config{Assets: 3000, Seed: 1, RateLimit: -1, ConcurrencyLimit: -1})
	tok := login(b, base)
	ids := slices.Collect(s.AssetIDs())
	var bytesRead, assets int64
	b.ResetTimer()
	for k := 0; b.Loop(); k++ {
		after := int64(0)
		if p := k % 10; p > 0 {
			after = ids[p*300-1]
		}
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s%s?pageSize=300&lastSeenAssetId=%d", base, pathSearch, after), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 {
			b.Fatal(res.StatusCode, err)
		}
		bytesRead += n
		assets += 300
	}
	b.SetBytes(bytesRead / int64(b.N))
	b.ReportMetric(float64(assets)/b.Elapsed().Seconds(), "assets/s")
	b.ReportMetric(float64(bytesRead)/float64(assets), "B/asset")
}
