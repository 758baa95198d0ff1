package client

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/go-json-experiment/json"
)

func TestSearchRequestShape(t *testing.T) {
	tests := []struct {
		name      string
		q         AssetQuery
		wantQuery map[string]string // "" = must be absent
		wantBody  *csamapi.FilterRequest
	}{
		{
			name:      "defaults, no body",
			q:         AssetQuery{},
			wantQuery: map[string]string{"pageSize": "300", "lastSeenAssetId": "0", "includeFields": "", "excludeFields": "", "assetLastUpdated": ""},
		},
		{
			name: "all params",
			q: AssetQuery{PageSize: 100, LastSeenAssetID: 28975142,
				IncludeFields: []string{"assetId", " operatingSystem ", ""}, ExcludeFields: []string{"softwareListData", "openPortListData"},
				AssetLastUpdated: time.Date(2025, 6, 1, 2, 3, 4, 999, time.FixedZone("CEST", 2*3600))},
			wantQuery: map[string]string{"pageSize": "100", "lastSeenAssetId": "28975142", "includeFields": "assetId,operatingSystem",
				"excludeFields": "softwareListData,openPortListData", "assetLastUpdated": "2025-06-01T00:03:04Z"},
		},
		{
			name:      "page size clamped",
			q:         AssetQuery{PageSize: 5000},
			wantQuery: map[string]string{"pageSize": "300"},
		},
		{
			name: "tags and OS categories merged, case kept",
			q: AssetQuery{Tags: []string{"Production", "Internet Facing Assets"}, OSCategory2: []string{"Windows Server", "Linux Server"},
				Filter: csamapi.FilterRequest{Filters: []csamapi.Criterion{{Field: "operatingSystem.category1", Operator: "EQUALS", Value: "Windows"}}}},
			wantBody: &csamapi.FilterRequest{Operation: "AND", Filters: []csamapi.Criterion{
				{Field: "operatingSystem.category1", Operator: "EQUALS", Value: "Windows"},
				{Field: "tags.name", Operator: "IN", Value: "Production,Internet Facing Assets"},
				{Field: "operatingSystem.category2", Operator: "IN", Value: "Windows Server,Linux Server"},
			}},
		},
		{
			name: "OR filter kept",
			q: AssetQuery{Filter: csamapi.FilterRequest{Operation: "OR", Filters: []csamapi.Criterion{
				{Field: "asset.name", Operator: "CONTAINS", Value: "web"}, {Field: "asset.name", Operator: "CONTAINS", Value: "db"}}}},
			wantBody: &csamapi.FilterRequest{Operation: "OR", Filters: []csamapi.Criterion{
				{Field: "asset.name", Operator: "CONTAINS", Value: "web"}, {Field: "asset.name", Operator: "CONTAINS", Value: "db"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, page(ip(0), nil, 1)) })
			c, _ := newClient(t, g)
			if _, _, err := collect(c.Scan(testCtx(t), tt.q)); err != nil {
				t.Fatal(err)
			}
			reqs := g.dataRequests()
			if len(reqs) != 1 {
				t.Fatalf("requests = %d", len(reqs))
			}
			r := reqs[0]
			if r.Method != "POST" || r.Path != pathSearch || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
				t.Errorf("request = %s %s", r.Method, r.Path)
			}
			for k, v := range tt.wantQuery {
				if got := r.Query.Get(k); got != v || (v == "" && r.Query.Has(k)) {
					t.Errorf("query %s = %q, want %q", k, got, v)
				}
			}
			if tt.wantBody == nil {
				if r.Body != "" || r.Header.Get("Content-Type") != "" {
					t.Errorf("unexpected body %q (%s)", r.Body, r.Header.Get("Content-Type"))
				}
				return
			}
			if r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", r.Header.Get("Content-Type"))
			}
			var got csamapi.FilterRequest
			if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
				t.Fatal(err)
			}
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(tt.wantBody)
			if string(gb) != string(wb) {
				t.Errorf("body = %s\nwant   %s", gb, wb)
			}
		})
	}
}

func TestInvalidFilterSendsNothing(t *testing.T) {
	tests := []struct {
		name string
		q    AssetQuery
	}{
		{"unknown field", AssetQuery{Filter: csamapi.FilterRequest{Filters: []csamapi.Criterion{{Field: "asset.lastSeen", Operator: "GREATER", Value: "2025-01-01"}}}}},
		{"operator not allowed", AssetQuery{Filter: csamapi.FilterRequest{Filters: []csamapi.Criterion{{Field: "asset.name", Operator: "GREATER", Value: "x"}}}}},
		{"LESS spelling", AssetQuery{Filter: csamapi.FilterRequest{Filters: []csamapi.Criterion{{Field: "asset.riskScore", Operator: "LESS", Value: "5"}}}}},
		{"bad date", AssetQuery{Filter: csamapi.FilterRequest{Filters: []csamapi.Criterion{{Field: "asset.lastUpdated", Operator: "GREATER", Value: "yesterday"}}}}},
		{"bad operation", AssetQuery{Filter: csamapi.FilterRequest{Operation: "XOR"}}},
		{"tag with comma", AssetQuery{Tags: []string{"a,b"}}},
		{"empty tag", AssetQuery{Tags: []string{"Prod", " "}}},
		{"tags on an OR filter", AssetQuery{Tags: []string{"Prod"}, Filter: csamapi.FilterRequest{Operation: "OR", Filters: []csamapi.Criterion{
			{Field: "asset.name", Operator: "CONTAINS", Value: "a"}, {Field: "asset.name", Operator: "CONTAINS", Value: "b"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, func(w http.ResponseWriter, r *http.Request) { t.Error("request sent") })
			c, _ := newClient(t, g)
			_, _, err := collect(c.Scan(testCtx(t), tt.q))
			if !errors.Is(err, csamapi.ErrInvalidFilter) {
				t.Fatalf("scan err = %v", err)
			}
			if _, err := c.Count(testCtx(t), tt.q); !errors.Is(err, csamapi.ErrInvalidFilter) {
				t.Fatalf("count err = %v", err)
			}
			if n := len(g.recorded()); n != 0 {
				t.Errorf("%d requests sent (auth included)", n)
			}
		})
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		want    int64
		wantErr error
		errHas  string
	}{
		{"ok", 200, `{"count":200123,"responseCode":"SUCCESS","responseMessage":"Valid API Access"}`, 200123, nil, ""},
		{"no responseCode", 200, `{"count":5}`, 5, nil, ""},
		{"204", 204, "", 0, nil, ""},
		{"failed", 200, `{"count":0,"responseCode":"FAILED","responseMessage":"Subscription expired"}`, 0, nil, "Subscription expired"},
		{"no count", 200, `{"responseCode":"SUCCESS"}`, 0, ErrMalformedPage, ""},
		{"not json", 200, `<html>`, 0, ErrMalformedPage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.status == 204 {
					w.WriteHeader(204)
					return
				}
				writeJSON(w, tt.status, tt.body)
			})
			c, _ := newClient(t, g)
			got, err := c.Count(testCtx(t), AssetQuery{OSCategory2: []string{"Linux Server"}, AssetLastUpdated: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), PageSize: 7})
			switch {
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v", err)
			case tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)):
				t.Fatalf("err = %v", err)
			case tt.wantErr == nil && tt.errHas == "" && err != nil:
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("count = %d", got)
			}
			r := g.dataRequests()[0]
			if r.Method != "POST" || r.Path != pathCount || r.Query.Get("assetLastUpdated") != "2025-01-02T03:04:05Z" ||
				r.Query.Has("pageSize") || !strings.Contains(r.Body, `"operatingSystem.category2"`) {
				t.Errorf("request = %+v", r)
			}
		})
	}
}

func TestGetAsset(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr error
	}{
		{"found", 200, `{"responseMessage":"Valid API Access","count":1,"responseCode":"SUCCESS","lastSeenAssetId":null,"hasMore":0,"assetListData":{"asset":[` + asset(28975144) + `]}}`, nil},
		{"204", 204, "", ErrNotFound},
		{"empty list", 200, `{"responseCode":"SUCCESS","assetListData":{"asset":[]}}`, ErrNotFound},
		{"other asset", 200, page(ip(0), nil, 1), ErrMalformedPage},
		{"malformed", 200, `{"assetListData":{"asset":[{"assetId":28975144,"cpuCount":"x"}]}}`, ErrMalformedPage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.status == 204 {
					w.WriteHeader(204)
					return
				}
				writeJSON(w, tt.status, tt.body)
			})
			c, _ := newClient(t, g)
			a, err := c.GetAsset(testCtx(t), 28975144)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || a != nil {
					t.Fatalf("a=%v err=%v", a, err)
				}
			} else if err != nil || a.AssetID != 28975144 || csamapi.Str(a.AssetName) != "host-28975144" {
				t.Fatalf("a=%+v err=%v", a, err)
			}
			r := g.dataRequests()[0]
			if r.Method != "GET" || r.Path != pathGet || r.RawQuery != "assetId=28975144" || r.Body != "" {
				t.Errorf("request = %+v", r)
			}
		})
	}
	g := newGateway(t, nil)
	c, _ := newClient(t, g)
	if _, err := c.GetAsset(testCtx(t), 0); err == nil || len(g.recorded()) != 0 {
		t.Errorf("id 0: err=%v", err)
	}
}
