package store

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/csamsync/csamsync/internal/model"
)

func pkgNumber(uid string) int {
	var n int
	fmt.Sscanf(uid, "pkg-%d", &n)
	return n
}

// BenchmarkWritePage writes pages of 300 hosts with 150 installed packages
// each (45,000 installed rows, 3,000 distinct packages) to SQLite. "new"
// writes fresh hosts every page; "rewrite" rewrites the same page with one
// changed host; "churn" rewrites the same hosts with every host's software
// list changed (a tenth removed, replaced by others).
func BenchmarkWritePage(b *testing.B) { benchWritePage(b, openSQLiteStore) }

// BenchmarkWritePagePostgres is BenchmarkWritePage on PostgreSQL (a test
// schema of CSAMSYNC_TEST_POSTGRES_DSN). cpu-ms/op is this process's CPU
// time only, not the server's.
func BenchmarkWritePagePostgres(b *testing.B) { benchWritePage(b, openPostgresStore) }

func benchWritePage(b *testing.B, open opener) {
	const hostsPerPage, perHost, catalogue = 300, 150, 3000
	rowsPerPage := float64(hostsPerPage * (1 + perHost))
	for _, mode := range []string{"new", "rewrite", "churn"} {
		b.Run(mode, func(b *testing.B) {
			s, _ := open(b)
			ctx := context.Background()
			run := startRun(b, s, "bench")
			base := makePage(0, hostsPerPage, perHost, catalogue)
			// alt: base with a tenth of every host's software replaced.
			alt := make([]model.HostRecord, hostsPerPage)
			for i, rec := range base {
				pkgs := make([]int, 0, perHost)
				for _, ip := range rec.Installed[perHost/10:] {
					pkgs = append(pkgs, pkgNumber(ip.Type))
				}
				for j := range perHost / 10 {
					pkgs = append(pkgs, (i*7+perHost+j)%catalogue)
				}
				alt[i] = makeHost(i, pkgs...)
			}
			if mode != "new" {
				writePage(b, s, run.ID, base, t0)
			}
			var cpu time.Duration // process CPU time in WritePage, both cores
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				recs := base
				switch mode {
				case "new":
					b.StopTimer()
					recs = makePage((i+1)*hostsPerPage, hostsPerPage, perHost, catalogue)
					b.StartTimer()
				case "rewrite":
					recs[i%hostsPerPage].Host.Description = time.Duration(i).String()
				case "churn":
					if i%2 == 0 {
						recs = alt
					}
				}
				c0 := cpuTime()
				if _, err := s.WritePage(ctx, run.ID, recs, RunStats{Pages: int64(i)}, "cp", t0.Add(time.Duration(i)*time.Second)); err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - c0
			}
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
			b.ReportMetric(rowsPerPage*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
