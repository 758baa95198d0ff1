package client

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/csamsync/csamsync/internal/csamapi"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodePageExactValues(t *testing.T) {
	var got []*csamapi.Asset
	res, err := decodePage(strings.NewReader(string(readTestdata(t, "page_quirks.json"))), func(a *csamapi.Asset) bool {
		got = append(got, a)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || res.assets != 2 {
		t.Fatalf("got %d assets", len(got))
	}
	// Envelope keys after the array are honoured.
	if res.meta.HasMore == nil || *res.meta.HasMore != 0 || res.meta.LastSeenAssetID == nil || *res.meta.LastSeenAssetID != 41000002 {
		t.Errorf("envelope after array not read: %+v", res.meta)
	}
	if res.maxID != 41000002 || res.bytes == 0 {
		t.Errorf("maxID=%d bytes=%d", res.maxID, res.bytes)
	}

	a := got[0]
	if a.HostID == nil || *a.HostID != 1234567890123456 {
		t.Errorf("hostId = %v", a.HostID)
	}
	sw := a.SoftwareListData.Software
	wantIDs := []int64{9223372036854775807, -2432392843928159632, 9007199254740993, -9223372036854775808}
	for i, w := range wantIDs {
		if sw[i].ID != w {
			t.Errorf("software[%d].id = %d, want %d", i, sw[i].ID, w)
		}
	}
	if a.TagList.Tag[0].TagID != 7788990011 || csamapi.Str(a.TagList.Tag[1].TagName) != "software:(publisher:*)" {
		t.Errorf("tags = %+v", a.TagList.Tag)
	}
	tests := []struct {
		name string
		got  csamapi.Time
		want time.Time
		kind csamapi.TimeKind
	}{
		{"lastModifiedDate", a.LastModifiedDate, time.Date(2025, 8, 20, 11, 32, 15, 0, time.UTC), csamapi.TimeString},
		{"sensorLastUpdatedDate +00:00", a.SensorLastUpdatedDate, time.Date(2022, 12, 15, 15, 27, 18, 0, time.UTC), csamapi.TimeString},
		{"inventory.created ms", a.Inventory.Created, time.UnixMilli(1653386892000).UTC(), csamapi.TimeNumber},
		{"inventory.lastUpdated ms", a.Inventory.LastUpdated, time.UnixMilli(1724152335123).UTC(), csamapi.TimeNumber},
		{"software lastUpdated ms", sw[1].LastUpdated, time.UnixMilli(1653386892000).UTC(), csamapi.TimeNumber},
		{"no zone Z", got[1].LastModifiedDate, time.Date(2025, 8, 21, 0, 0, 0, 0, time.UTC), csamapi.TimeString},
	}
	for _, tt := range tests {
		if !tt.got.Known || !tt.got.T.Equal(tt.want) || tt.got.Kind != tt.kind {
			t.Errorf("%s = %+v, want %v", tt.name, tt.got, tt.want)
		}
	}
	lc := a.OperatingSystem.Lifecycle
	if lc.EolDate.Known || lc.EolDate.Raw != "Not Announced" || lc.EosDate.Known || lc.EosDate.Raw != " " {
		t.Errorf("lifecycle non-dates: %+v %+v", lc.EolDate, lc.EosDate)
	}
	if a.Agent.LastCheckedIn.Ptr() != nil {
		t.Errorf("epoch 0 should mean never")
	}
	if !a.OperatingSystem.CpeID.Raw || a.OperatingSystem.CpeID.Value != "98765" || sw[0].CpeID.Value != "cpe-17" || sw[2].CpeID.Valid {
		t.Errorf("cpeId variants wrong")
	}
	if !a.Processor.Single || len(got[1].Processor.Items) != 2 {
		t.Errorf("processor object/array: %+v / %+v", a.Processor, got[1].Processor)
	}
	if a.CloudProvider.Name != "Amazon Web Services" || got[1].CloudProvider.AWS.EC2.InstanceID == nil {
		t.Errorf("cloudProvider variants wrong")
	}
	if got[1].HostID != nil || got[1].SoftwareListData != nil {
		t.Errorf("nulls should stay nil")
	}
}

func TestDecodePageShapes(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		assets   int
		empty    bool
		nulls    int
		hasMore  *int64
		wantErr  error
		contains []string
	}{
		{name: "empty body", body: "", empty: true},
		{name: "whitespace body", body: " \n", empty: true},
		{name: "minimal", body: `{"hasMore":1,"assetListData":{"asset":[{"assetId":1}]}}`, assets: 1, hasMore: i64(1)},
		{name: "keys reordered", body: `{"assetListData":{"asset":[{"assetId":1},{"assetId":2}]},"hasMore":0,"responseCode":"SUCCESS"}`, assets: 2, hasMore: i64(0)},
		{name: "null list", body: `{"hasMore":0,"assetListData":null}`},
		{name: "null asset array", body: `{"assetListData":{"asset":null}}`},
		{name: "no list at all", body: `{"responseCode":"SUCCESS","hasMore":1}`, hasMore: i64(1)},
		{name: "single asset object", body: `{"assetListData":{"asset":{"assetId":7}}}`, assets: 1},
		{name: "null entries skipped", body: `{"assetListData":{"asset":[null,{"assetId":7},null]}}`, assets: 1, nulls: 2},
		{name: "hasMore boolean", body: `{"hasMore":true,"assetListData":{"asset":[{"assetId":7}]}}`, assets: 1, hasMore: i64(1)},
		{name: "duplicate keys last wins", body: `{"hasMore":1,"hasMore":0,"assetListData":{"asset":[{"assetId":3,"assetId":4}]}}`, assets: 1, hasMore: i64(0)},
		{name: "invalid utf8 tolerated", body: "{\"assetListData\":{\"asset\":[{\"assetId\":5,\"assetName\":\"caf\xe9\"}]}}", assets: 1},

		{name: "truncated in asset", body: `{"hasMore":0,"assetListData":{"asset":[{"assetId":11},{"assetId":12,"assetName":"x`,
			assets: 1, wantErr: ErrMalformedPage, contains: []string{"asset[1]", "assetId 12", "after assetId 11"}},
		{name: "truncated between assets", body: `{"hasMore":0,"assetListData":{"asset":[{"assetId":11},`,
			assets: 1, wantErr: ErrMalformedPage, contains: []string{"after assetId 11"}},
		{name: "string for number", body: `{"assetListData":{"asset":[{"assetId":21},{"assetId":22,"cpuCount":"four"}]}}`,
			assets: 1, wantErr: ErrMalformedPage, contains: []string{"asset[1]", "assetId 22", "after assetId 21", "cpuCount"}},
		{name: "string for assetId", body: `{"assetListData":{"asset":[{"assetId":"31"}]}}`,
			wantErr: ErrMalformedPage, contains: []string{"asset[0]"}},
		{name: "software id as float", body: `{"assetListData":{"asset":[{"assetId":41,"softwareListData":{"software":[{"id":8.464359598295418e18}]}}]}}`,
			wantErr: ErrMalformedPage, contains: []string{"assetId 41", "/softwareListData/software/0", "id: "}},
		{name: "missing assetId", body: `{"assetListData":{"asset":[{"assetName":"anon"}]}}`,
			wantErr: ErrMalformedPage, contains: []string{"no assetId"}},
		{name: "asset is a number", body: `{"assetListData":{"asset":[1]}}`, wantErr: ErrMalformedPage, contains: []string{"asset[0]", "a number"}},
		{name: "not an object", body: `[{"assetId":1}]`, wantErr: ErrMalformedPage, contains: []string{"an array"}},
		{name: "html", body: `<html>proxy login</html>`, wantErr: ErrMalformedPage},
		{name: "cursor is string", body: `{"lastSeenAssetId":"12","assetListData":{"asset":[]}}`, wantErr: ErrMalformedPage, contains: []string{"lastSeenAssetId"}},
		{name: "cursor is fraction", body: `{"lastSeenAssetId":1.5}`, wantErr: ErrMalformedPage},
		{name: "trailing garbage", body: `{"hasMore":0} {"x":1}`, wantErr: ErrMalformedPage, contains: []string{"after the page"}},
		{name: "list is string", body: `{"assetListData":"None"}`, wantErr: ErrMalformedPage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			res, err := decodePage(strings.NewReader(tt.body), func(*csamapi.Asset) bool { n++; return true })
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				for _, c := range tt.contains {
					if !strings.Contains(err.Error(), c) {
						t.Errorf("error %q does not mention %q", err, c)
					}
				}
			} else if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if n != tt.assets || res.assets != tt.assets {
				t.Errorf("assets = %d/%d, want %d", n, res.assets, tt.assets)
			}
			if res.empty != tt.empty || res.nulls != tt.nulls {
				t.Errorf("empty=%v nulls=%d", res.empty, res.nulls)
			}
			if tt.hasMore != nil && (res.meta.HasMore == nil || *res.meta.HasMore != *tt.hasMore) {
				t.Errorf("hasMore = %v, want %d", res.meta.HasMore, *tt.hasMore)
			}
		})
	}
}

func TestDecodePageStopsEarly(t *testing.T) {
	n := 0
	_, err := decodePage(strings.NewReader(page(ip(0), nil, 1, 2, 3)), func(*csamapi.Asset) bool { n++; return n < 2 })
	if !errors.Is(err, errStopped) || n != 2 {
		t.Fatalf("err=%v n=%d", err, n)
	}
}

func TestDecodePageResponseCode(t *testing.T) {
	n := 0
	body := `{"responseCode":"FAILED","assetListData":{"asset":[{"assetId":1}]},"responseMessage":"Subscription expired"}`
	_, err := decodePage(strings.NewReader(body), func(*csamapi.Asset) bool { n++; return true })
	var rc *responseCodeError
	if !errors.As(err, &rc) || rc.code != "FAILED" || rc.message != "Subscription expired" {
		t.Fatalf("err = %v", err)
	}
	if n != 0 {
		t.Errorf("assets of a failed page were handed over")
	}
}

func TestDecodePageReadErrorIsNotMalformed(t *testing.T) {
	body := page(ip(0), nil, 1, 2, 3)
	r := io.MultiReader(strings.NewReader(body[:len(body)/2]), iotest.ErrReader(io.ErrUnexpectedEOF))
	_, err := decodePage(r, func(*csamapi.Asset) bool { return true })
	var be *bodyReadError
	if !errors.As(err, &be) || errors.Is(err, ErrMalformedPage) {
		t.Fatalf("err = %v, want a body read error", err)
	}
}

// FuzzDecodePage: arbitrary bytes never panic (panics inside wire types are
// recovered and reported as errDecoderPanic, which is a failure here too),
// and an asset is either handed over or the page fails.
func FuzzDecodePage(f *testing.F) {
	f.Add([]byte(page(ip(1), i64(2), 1, 2)))
	f.Add([]byte(`{"assetListData":{"asset":[{"assetId":1,"processor":[{"speed":1}],"cloudProvider":{"gcp":{"compute":{"a":1},"tags":[]}}}]}}`))
	f.Add([]byte(`{"assetListData":{"asset":[{"assetId":1,"softwareListData":{"software":[{"id":-1,"softwareInstances":[{"PORT":1e400}]}]}}]}}`))
	f.Add([]byte(`{"hasMore":true,"lastSeenAssetId":null}`))
	f.Add([]byte(`{"assetListData":{"asset":[{"assetId":1,"whois":{"createdDate":"Not Announced"},"lastBoot":1.5e3}]}}`))
	f.Add(readTestdata(f, "page_quirks.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		n := 0
		res, err := decodePage(strings.NewReader(string(b)), func(a *csamapi.Asset) bool {
			if a == nil || a.AssetID == 0 {
				t.Fatalf("handed over an asset without id")
			}
			n++
			return true
		})
		if errors.Is(err, errDecoderPanic) {
			t.Fatalf("decoder panicked: %v", err)
		}
		if n != res.assets {
			t.Fatalf("handed over %d, counted %d", n, res.assets)
		}
		if err != nil && !errors.Is(err, ErrMalformedPage) {
			var rc *responseCodeError
			if !errors.As(err, &rc) {
				t.Fatalf("unexpected error kind: %v", err)
			}
		}
	})
}
