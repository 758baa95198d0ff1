package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/csamsync/csamsync/internal/model"
)

var t0 = time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)

func tp(t time.Time) *time.Time { return &t }

// openTest opens a new database in a temporary directory.
func openTest(tb testing.TB) (*SQLite, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "inv.db")
	s, err := OpenSQLite(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, path
}

func startRun(tb testing.TB, s Store, key string) Run {
	tb.Helper()
	r, err := s.StartRun(context.Background(), RunStart{Connector: "c1", Mode: "full", Started: t0, ResumeKey: key})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// makePackage returns package number i of the synthetic catalogue.
func makePackage(i int) model.Package {
	return model.Package{
		UID:               fmt.Sprintf("pkg-%05d", i),
		Name:              fmt.Sprintf("package %d", i),
		Description:       "a synthetic software package for tests",
		Revision:          fmt.Sprintf("1.%d.%d", i%10, i%7),
		Publisher:         fmt.Sprintf("vendor %d", i%50),
		SourceCreatedDate: tp(t0.Add(-time.Duration(i) * time.Hour)),
		Attributes:        map[string]any{"software.id": int64(900000000000 + i), "software.category": "Application"},
	}
}

// makeHost returns a host record with the given packages installed.
func makeHost(id int, pkgIDs ...int) model.HostRecord {
	uid := fmt.Sprintf("host-%06d", id)
	loc := time.FixedZone("CET", 3600)
	h := model.Host{
		UID:                uid,
		Name:               fmt.Sprintf("server-%d.example.com", id),
		Hostname:           fmt.Sprintf("server-%d", id),
		Description:        "synthetic host",
		OperatingSystem:    "Ubuntu 22.04.4 LTS",
		Status:             model.StatusActive,
		FirstSeen:          tp(t0.Add(-720 * time.Hour).In(loc)),
		LastSeen:           tp(t0),
		LastScanned:        tp(t0.Add(-time.Hour)),
		SourceLastModified: tp(t0.Add(-time.Minute)),
		Tags:               []string{"prod", "linux", fmt.Sprintf("rack-%d", id%20)},
		Categories:         []string{"Computer / Server"},
		DNSNames:           []string{fmt.Sprintf("server-%d.example.com", id)},
		IPAddresses:        []string{fmt.Sprintf("10.0.%d.%d", id/250%250, id%250)},
		MacAddresses:       []string{"00:11:22:33:44:55"},
		InstanceID:         fmt.Sprintf("i-%012x", id),
		OpenPorts: []model.OpenPort{
			{Port: 22, Protocol: "TCP", DetectedService: "ssh", FirstFound: tp(t0.Add(-48 * time.Hour))},
			{Port: 443, Protocol: "TCP", DetectedService: "https"},
		},
		Agent:        &model.Agent{ID: fmt.Sprintf("agent-%d", id), Version: "6.1.0.28", LastCheckedIn: tp(t0)},
		TransformMap: model.TransformMap{HostID: fmt.Sprint(id), OpenPortNumbers: []int64{22, 443}},
		Attributes: map[string]any{
			"asset.assetId": int64(1<<53 + id), // beyond float64 precision
			"asset.hostId":  int64(id),
			"asset.domain":  "example.com",
			"asset.ratio":   0.25,
		},
	}
	rec := model.HostRecord{Host: h}
	for _, p := range pkgIDs {
		pkg := makePackage(p)
		rec.Packages = append(rec.Packages, pkg)
		rec.Installed = append(rec.Installed, model.InstalledPackage{
			UID:         uid + "/" + pkg.UID,
			Targets:     uid,
			Type:        pkg.UID,
			InstallDate: tp(t0.Add(-time.Duration(p) * time.Minute)),
			InstallPath: fmt.Sprintf("/usr/lib/%s", pkg.UID),
			Status:      model.InstalledPresent,
			Attributes:  map[string]any{"software.lifecycle": "GA"},
		})
	}
	return rec
}

// makePage returns hosts first..first+n-1 with perHost packages each, drawn
// from a catalogue of catalogue packages.
func makePage(first, n, perHost, catalogue int) []model.HostRecord {
	recs := make([]model.HostRecord, n)
	for i := range recs {
		id := first + i
		pkgs := make([]int, perHost)
		for j := range pkgs {
			pkgs[j] = (id*7 + j) % catalogue // distinct while perHost <= catalogue
		}
		recs[i] = makeHost(id, pkgs...)
	}
	return recs
}

func writePage(tb testing.TB, s Store, runID int64, recs []model.HostRecord, now time.Time) PageResult {
	tb.Helper()
	res, err := s.WritePage(context.Background(), runID, recs, RunStats{Pages: 1}, "cp", now)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}
