package qql

import "testing"

const benchQuery = "operatingSystem.category1:`Windows` and " +
	"customAttributes:(key:'Media State4' and value:'Media disconnected') and " +
	"not tags.name:[Test, 'Staging Area'] and " +
	"(asset.riskScore>90 or lastModifiedDate:[2022-12-01 .. 2022-12-31]) and name:win*"

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchQuery)))
	for b.Loop() {
		if _, err := Parse(benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEval(b *testing.B) {
	e, err := Parse(benchQuery)
	if err != nil {
		b.Fatal(err)
	}
	r := testAsset()
	r["customAttributes"] = append(r["customAttributes"].([]map[string]any),
		map[string]any{"key": "Media State4", "value": "Media disconnected"})
	if ok, err := Eval(e, r); !ok || err != nil {
		b.Fatalf("benchmark query should match: %v %v", ok, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Eval(e, r); err != nil {
			b.Fatal(err)
		}
	}
}
