package mapping

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// benchAsset is the windows_aws test asset with its software list grown to
// n records (distinct names, versions, ids and install paths).
func benchAsset(b *testing.B, n int) *csamapi.Asset {
	a := decodeAsset(b, filepath.Join("testdata", "windows_aws.input.json"))
	tmpl := a.SoftwareListData.Software
	list := make([]csamapi.Software, n)
	for i := range list {
		s := tmpl[i%len(tmpl)]
		suffix := strconv.Itoa(i)
		s.ID = int64(i)*7919 - 4_000_000_000_000_000_000
		s.FullName = csamapi.P(csamapi.Str(s.FullName) + " component " + suffix)
		s.Version = csamapi.P("1." + suffix)
		s.InstallPath = csamapi.P(`C:\Program Files\Vendor\Product ` + suffix)
		list[i] = s
	}
	a.SoftwareListData.Software = list
	return a
}

// BenchmarkMapAsset maps one full asset with 150 software records.
//
//	go test ./internal/mapping -run '^$' -bench MapAsset -benchmem
func BenchmarkMapAsset(b *testing.B) {
	a := benchAsset(b, 150)
	if rec, err := MapAsset(a); err != nil || len(rec.Installed) != 150 {
		b.Fatalf("setup: %v, %d installed", err, len(rec.Installed))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := MapAsset(a); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "assets/s")
}
