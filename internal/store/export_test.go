package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/csamsync/csamsync/internal/model"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// jsonNames returns the JSON names of a struct's fields, in order.
func jsonNames(v any) []string {
	t := reflect.TypeOf(v)
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		names = append(names, name)
	}
	return names
}

// topKeys returns the member names of a JSON object, in order.
func topKeys(t *testing.T, line []byte) []string {
	t.Helper()
	dec := jsontext.NewDecoder(bytes.NewReader(line))
	if _, err := dec.ReadToken(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.String())
		if err := dec.SkipValue(); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestWriteExport(t *testing.T) { eachBackend(t, testWriteExport) }

func testWriteExport(t *testing.T, open opener) {
	ctx := context.Background()
	s, _ := open(t)
	run := startRun(t, s, "k")
	h1 := makeHost(1, 1, 2)
	h1.Host.Description = "has, a comma and \"quotes\"\nand a newline"
	h2 := makeHost(2) // no software, no agent
	h2.Host.Agent = nil
	h2.Host.Tags = nil
	writePage(t, s, run.ID, []model.HostRecord{h2, h1}, t0)
	h1.Installed, h1.Packages = h1.Installed[:1], h1.Packages[:1]
	writePage(t, s, run.ID, []model.HostRecord{h1}, t0.Add(time.Hour)) // pkg 2 removed

	installedHeader := []string{"uid", "targets", "type", "installDate", "installPath", "status", "removedAt", "attributes"}
	if got := jsonNames(model.InstalledPackage{}); !reflect.DeepEqual(got, installedHeader) {
		t.Fatalf("model changed: %v", got)
	}
	for _, tc := range []struct {
		kind   Kind
		header []string
		n      int64
		checks map[string]string // substring expected in the output of a format
	}{
		{KindHosts, jsonNames(model.Host{}), 2, map[string]string{
			FormatJSONL: `"firstSeen":"2025-02-02T05:06:07.123456789Z"`,
			FormatCSV:   `"[""prod"",""linux"",""rack-1""]"`,
		}},
		{KindPackages, jsonNames(model.Package{}), 2, map[string]string{
			FormatJSONL: `{"uid":"pkg-00001","name":"package 1",`,
			FormatCSV:   "pkg-00002,package 2,",
		}},
		{KindInstalledPackages, installedHeader, 2, map[string]string{
			FormatJSONL: `"status":"removed","removedAt":"2025-03-04T06:06:07.123456789Z"`,
			FormatCSV:   "host-000001/pkg-00002,host-000001,pkg-00002,2025-03-04T05:04:07.123456789Z,/usr/lib/pkg-00002,removed,2025-03-04T06:06:07.123456789Z,",
		}},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			var jl, cv bytes.Buffer
			n, err := WriteExport(ctx, s, tc.kind, FormatJSONL, &jl)
			if err != nil || n != tc.n {
				t.Fatalf("jsonl: %d, %v", n, err)
			}
			if n, err = WriteExport(ctx, s, tc.kind, FormatCSV, &cv); err != nil || n != tc.n {
				t.Fatalf("csv: %d, %v", n, err)
			}

			jlText := jl.String()
			if !strings.Contains(jlText, tc.checks[FormatJSONL]) {
				t.Errorf("jsonl lacks %s:\n%s", tc.checks[FormatJSONL], jlText)
			}
			sc := bufio.NewScanner(&jl)
			sc.Buffer(nil, 1<<20)
			lines := 0
			var uids []string
			for sc.Scan() {
				lines++
				if got := topKeys(t, sc.Bytes()); !reflect.DeepEqual(got, tc.header) {
					t.Fatalf("jsonl keys %v, want %v", got, tc.header)
				}
				var v struct {
					UID string `json:"uid"`
				}
				if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
					t.Fatal(err)
				}
				uids = append(uids, v.UID)
			}
			if lines != int(tc.n) {
				t.Fatalf("%d jsonl lines", lines)
			}
			if uids[0] >= uids[1] {
				t.Errorf("not in uid order: %v", uids)
			}

			recs, err := csv.NewReader(bytes.NewReader(cv.Bytes())).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != int(tc.n)+1 {
				t.Fatalf("%d csv records", len(recs))
			}
			if !reflect.DeepEqual(recs[0], tc.header) {
				t.Fatalf("csv header %v, want %v", recs[0], tc.header)
			}
			for _, r := range recs[1:] {
				if len(r) != len(tc.header) {
					t.Fatalf("csv row of %d cells", len(r))
				}
			}
			if !strings.Contains(cv.String(), tc.checks[FormatCSV]) {
				t.Errorf("csv lacks %s:\n%s", tc.checks[FormatCSV], cv.String())
			}
		})
	}

	// Cell rendering of a host.
	var cv bytes.Buffer
	if _, err := WriteExport(ctx, s, KindHosts, FormatCSV, &cv); err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(&cv).ReadAll()
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	host1, host2 := recs[1], recs[2]
	for _, c := range []struct {
		row        []string
		name, want string
	}{
		{host1, "uid", "host-000001"},
		{host1, "description", h1.Host.Description},
		{host1, "firstSeen", "2025-02-02T05:06:07.123456789Z"},
		{host1, "retiredAt", ""},
		{host1, "openPorts", `[{"port":22,"protocol":"TCP","description":"","detectedService":"ssh","firstFound":"2025-03-02T05:06:07.123456789Z","lastUpdated":null},{"port":443,"protocol":"TCP","description":"","detectedService":"https","firstFound":null,"lastUpdated":null}]`},
		{host1, "agent", `{"id":"agent-1","version":"6.1.0.28","configurationProfile":"","connectedFrom":"","lastActivity":null,"lastCheckedIn":"2025-03-04T05:06:07.123456789Z","lastInventory":null}`},
		{host1, "attributes", `{"asset.assetId":9007199254740993,"asset.domain":"example.com","asset.hostId":1,"asset.ratio":0.25}`},
		{host2, "tags", "[]"},
		{host2, "agent", ""},
		{host2, "services", "[]"},
	} {
		if got := c.row[col[c.name]]; got != c.want {
			t.Errorf("csv %s = %q, want %q", c.name, got, c.want)
		}
	}

	for _, tc := range []struct {
		kind   Kind
		format string
		want   string
	}{
		{KindHosts, "xml", "unknown export format"},
		{"users", FormatJSONL, "unknown export kind"},
		{"", FormatCSV, "unknown export kind"},
	} {
		if _, err := WriteExport(ctx, s, tc.kind, tc.format, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("WriteExport(%q, %q) = %v, want %q", tc.kind, tc.format, err, tc.want)
		}
	}
}
