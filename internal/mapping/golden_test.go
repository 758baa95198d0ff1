package mapping

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/csamsync/csamsync/internal/model"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

func decodeAsset(t testing.TB, path string) *csamapi.Asset {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var a csamapi.Asset
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return &a
}

// marshalRecord renders a record the way the golden files hold it. Nil
// slices and maps render as null, so the golden files also prove that the
// mapping never leaves a list attribute nil.
func marshalRecord(t testing.TB, rec model.HostRecord) []byte {
	t.Helper()
	out, err := json.Marshal(rec,
		json.Deterministic(true),
		json.FormatNilSliceAsNull(true),
		json.FormatNilMapAsNull(true),
		jsontext.WithIndent("  "))
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.input.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) < 3 {
		t.Fatalf("want at least 3 golden inputs, have %d", len(inputs))
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".input.json")
		t.Run(name, func(t *testing.T) {
			rec, err := MapAsset(decodeAsset(t, in))
			if err != nil {
				t.Fatal(err)
			}
			got := marshalRecord(t, rec)
			checkNoNullLists(t, got)
			golden := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/mapping -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (-update to accept):\n%s", name, firstDiff(want, got))
			}

			// Deterministic: mapping again gives identical bytes.
			rec2, _ := MapAsset(decodeAsset(t, in))
			if again := marshalRecord(t, rec2); !bytes.Equal(got, again) {
				t.Errorf("second mapping differs:\n%s", firstDiff(got, again))
			}
			// Order-independent: reversed wire lists give identical bytes.
			rev := decodeAsset(t, in)
			reverseLists(rev)
			rec3, _ := MapAsset(rev)
			if reversed := marshalRecord(t, rec3); !bytes.Equal(got, reversed) {
				t.Errorf("mapping depends on the order of the wire lists:\n%s", firstDiff(got, reversed))
			}
		})
	}
}

// checkNoNullLists fails when a JSON array-typed attribute rendered as null.
// The list fields of the model are known by name.
func checkNoNullLists(t *testing.T, out []byte) {
	t.Helper()
	for _, k := range []string{
		"tags", "categories", "dnsNames", "hostnames", "ipAddresses", "macAddresses",
		"privateDnsNames", "privateIpAddresses", "publicDnsNames", "publicIpAddresses",
		"openPorts", "services", "volumes", "networkInterfaces", "customAttributes", "cloudTags",
		"openPortNumbers", "networkInterfaceIpv4Addresses", "ipv4", "ipv6", "dnsAddresses",
		"Packages", "Installed", "attributes",
	} {
		if bytes.Contains(out, []byte(`"`+k+`": null`)) {
			t.Errorf("%q is null; list attributes must be [] and attribute maps {}", k)
		}
	}
}

func reverseLists(a *csamapi.Asset) {
	if a.SoftwareListData != nil {
		slices.Reverse(a.SoftwareListData.Software)
	}
	if a.OpenPortListData != nil {
		slices.Reverse(a.OpenPortListData.OpenPort)
	}
	if a.NetworkInterfaceListData != nil {
		slices.Reverse(a.NetworkInterfaceListData.NetworkInterface)
	}
	if a.TagList != nil {
		slices.Reverse(a.TagList.Tag)
	}
	if a.ServiceList != nil {
		slices.Reverse(a.ServiceList.Service)
	}
	if a.VolumeListData != nil {
		slices.Reverse(a.VolumeListData.Volume)
	}
	if a.UserAccountListData != nil {
		slices.Reverse(a.UserAccountListData.UserAccount)
	}
	slices.Reverse(a.CustomAttributes)
	if cp := a.CloudProvider; cp != nil && cp.AWS != nil {
		slices.Reverse(cp.AWS.Tags)
	}
}

func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(no line differs)"
}
