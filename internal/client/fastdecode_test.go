package client

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// jsonNames lists the JSON member names of a struct type.
func jsonNames(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// The hand-written decoders must know every field of the wire types they
// replace: this fails as soon as csamapi.Software or Lifecycle changes.
func TestFastDecoderFields(t *testing.T) {
	for _, tt := range []struct {
		typ   reflect.Type
		known []string
	}{
		{reflect.TypeFor[csamapi.Software](), fastKnownSoftwareKeys},
		{reflect.TypeFor[csamapi.Lifecycle](), fastKnownLifecycleKeys},
		{reflect.TypeFor[csamapi.License](), []string{"category", "subcategory"}},
		{reflect.TypeFor[csamapi.SoftwareListData](), []string{"software"}},
	} {
		known := slices.Sorted(slices.Values(tt.known))
		if got := jsonNames(tt.typ); !slices.Equal(got, known) {
			t.Errorf("%s has members %v\nthe fast decoder knows %v: update fastdecode.go", tt.typ, got, known)
		}
	}
}

// fill sets every field reachable from v to a non-zero value.
func fill(t *testing.T, v reflect.Value, seed int) {
	switch v.Type() {
	case reflect.TypeFor[csamapi.Time]():
		v.Set(reflect.ValueOf(csamapi.ISO(time.Date(2024, 1, 2, 3, 4, 5, seed*1e6, time.UTC))))
		return
	case reflect.TypeFor[csamapi.FlexString]():
		v.Set(reflect.ValueOf(csamapi.FlexString{Value: "-9007199254740993", Valid: true, Raw: true}))
		return
	case reflect.TypeFor[csamapi.SoftwareInstance]():
		v.Set(reflect.ValueOf(csamapi.SoftwareInstance{"PORT": csamapi.Number("8443"), "BIN_PATH": `C:\x`, "nested": []any{true, nil, map[string]any{"a": csamapi.Number("1.5e3")}}}))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), seed)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(t, v.Field(i), seed+i)
		}
	case reflect.String:
		v.SetString("value \u00e9\\ \"quoted\" " + strings.Repeat("x", seed))
	case reflect.Bool:
		v.SetBool(seed%2 == 0)
	case reflect.Int64:
		v.SetInt(-2432392843928159632 + int64(seed))
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fill(t, v.Index(0), seed)
		fill(t, v.Index(1), seed+1)
	default:
		t.Fatalf("fill: add a case for %s", v.Type())
	}
}

// decodeBoth decodes an asset with the library's default decoders and with
// the page options; ok is false when either fails.
func decodeBoth(b []byte) (def, fast *csamapi.Asset, errDef, errFast error) {
	def, fast = new(csamapi.Asset), new(csamapi.Asset)
	errDef = json.UnmarshalDecode(jsontext.NewDecoder(bytes.NewReader(b), decoderOptions...), def)
	errFast = json.UnmarshalDecode(jsontext.NewDecoder(bytes.NewReader(b), append(decoderOptions, pageOptions())...), fast)
	return def, fast, errDef, errFast
}

func TestFastDecoderMatchesDefault(t *testing.T) {
	var full csamapi.Asset
	full.AssetID = 1
	sw := []csamapi.Software{{}, {}}
	fill(t, reflect.ValueOf(&sw[0]).Elem(), 1)
	fill(t, reflect.ValueOf(&sw[1]).Elem(), 2)
	full.SoftwareListData = &csamapi.SoftwareListData{Software: sw}
	full.OperatingSystem = &csamapi.OperatingSystem{}
	fill(t, reflect.ValueOf(full.OperatingSystem).Elem(), 3)

	fullJSON, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"every field set": string(fullJSON),
		"bench host":      string(mustMarshal(t, benchAsset(7))),
		"nulls everywhere": `{"assetId":2,"softwareListData":{"software":[null,{"id":null,"fullName":null,"isIgnored":null,"lifecycle":null,
			"license":null,"cpeId":null,"installDate":null,"softwareInstances":null,"authorizationDetectionScore":null}]}}`,
		"empty lists":     `{"assetId":3,"softwareListData":{"software":[{"softwareInstances":[]}]},"operatingSystem":{"lifecycle":{}}}`,
		"software null":   `{"assetId":4,"softwareListData":{"software":null,"other":[1,{"x":2}]}}`,
		"instances odd":   `{"assetId":5,"softwareListData":{"software":[{"softwareInstances":[[1],"s",null,{"A":-0.0,"B":1e400}]}]}}`,
		"unknown members": `{"assetId":6,"softwareListData":{"software":[{"futureField":{"a":[1,2]},"id":9223372036854775807}]}}`,
		"lifecycle dates": `{"assetId":7,"hardware":{"lifecycle":{"gaDate":1653386892000,"eolDate":"Not Announced","eosDate":" ","introDate":null,"obsoleteDate":"2030-01-01","detectionScore":null}}}`,
		"escapes":         `{"assetId":8,"softwareListData":{"software":[{"fullName":"a\"b\\c\u00e9\ud83d\ude00","installDate":"2024-01-02T03:04:05.000\u005a"}]}}`,
		"invalid utf8":    "{\"assetId\":9,\"softwareListData\":{\"software\":[{\"fullName\":\"caf\xe9\",\"cpe\":\"\xff\"}]}}",
		"long strings":    `{"assetId":10,"softwareListData":{"software":[{"installPath":"` + strings.Repeat("p", 300) + `","lastUpdated":"` + strings.Repeat("2", 100) + `"}]}}`,
		"min int64":       `{"assetId":11,"softwareListData":{"software":[{"id":-9223372036854775808},{"id":-0}]}}`,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			def, fast, errDef, errFast := decodeBoth([]byte(in))
			if errDef != nil || errFast != nil {
				t.Fatalf("default err %v, fast err %v", errDef, errFast)
			}
			if !reflect.DeepEqual(def, fast) {
				t.Errorf("fast decoder differs:\n default %s\n fast    %s", mustMarshal(t, def), mustMarshal(t, fast))
			}
		})
	}
	bad := map[string]string{
		"id overflow":       `{"assetId":1,"softwareListData":{"software":[{"id":9223372036854775808}]}}`,
		"id fraction":       `{"assetId":1,"softwareListData":{"software":[{"id":1.0}]}}`,
		"id exponent":       `{"assetId":1,"softwareListData":{"software":[{"id":1e3}]}}`,
		"id string":         `{"assetId":1,"softwareListData":{"software":[{"id":"1"}]}}`,
		"bool as string":    `{"assetId":1,"softwareListData":{"software":[{"isPackage":"false"}]}}`,
		"string as number":  `{"assetId":1,"softwareListData":{"software":[{"version":10}]}}`,
		"software object":   `{"assetId":1,"softwareListData":{"software":{"id":1}}}`,
		"software element":  `{"assetId":1,"softwareListData":{"software":[1]}}`,
		"list is array":     `{"assetId":1,"softwareListData":[]}`,
		"lifecycle array":   `{"assetId":1,"softwareListData":{"software":[{"lifecycle":[]}]}}`,
		"license string":    `{"assetId":1,"softwareListData":{"software":[{"license":"GPL"}]}}`,
		"instances object":  `{"assetId":1,"softwareListData":{"software":[{"softwareInstances":{}}]}}`,
		"score fraction":    `{"assetId":1,"hardware":{"lifecycle":{"detectionScore":0.5}}}`,
		"time bool":         `{"assetId":1,"softwareListData":{"software":[{"installDate":true}]}}`,
		"truncated":         `{"assetId":1,"softwareListData":{"software":[{"id":1,"fullName":"x`,
		"duplicate members": `{"assetId":1,"softwareListData":{"software":[{"id":1,"id":2}]}}`,
	}
	for name, in := range bad {
		t.Run("bad "+name, func(t *testing.T) {
			_, _, errDef, errFast := decodeBoth([]byte(in))
			if name == "duplicate members" { // allowed by decoderOptions: last wins in both
				if errDef != nil || errFast != nil {
					t.Fatalf("default %v, fast %v", errDef, errFast)
				}
				return
			}
			if errDef == nil || errFast == nil {
				t.Fatalf("default err %v, fast err %v: both must fail", errDef, errFast)
			}
		})
	}
}

func mustMarshal(t testing.TB, v any) []byte {
	b, err := json.Marshal(v, json.Deterministic(true))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzFastDecoderMatchesDefault: on any input both decoders agree on
// failure, and on success produce deeply equal assets. Duplicate member
// names are rejected here, since merging into a repeated object is the one
// place the two are allowed to differ.
func FuzzFastDecoderMatchesDefault(f *testing.F) {
	f.Add([]byte(`{"assetId":1,"softwareListData":{"software":[{"id":-1,"lifecycle":{"gaDate":"2024-01-01","stage":"GA"},"license":{"category":"x"},"softwareInstances":[{"P":1}]}]}}`))
	f.Add([]byte(`{"assetId":2,"operatingSystem":{"lifecycle":{"introDate":"Not Announced","detectionScore":5}}}`))
	f.Add([]byte(`{"assetId":3,"softwareListData":{"software":[{"installDate":1700000000000,"cpeId":12,"isIgnored":false}]}}`))
	small := benchAsset(1) // a full host, cut to two software records to keep mutations fast
	small.SoftwareListData.Software = small.SoftwareListData.Software[:2]
	f.Add(mustMarshal(f, small))
	opts := []jsontext.Options{jsontext.AllowInvalidUTF8(true)}
	f.Fuzz(func(t *testing.T, b []byte) {
		def, fast := new(csamapi.Asset), new(csamapi.Asset)
		errDef := json.UnmarshalDecode(jsontext.NewDecoder(bytes.NewReader(b), opts...), def)
		errFast := json.UnmarshalDecode(jsontext.NewDecoder(bytes.NewReader(b), append(opts, pageOptions())...), fast)
		if (errDef == nil) != (errFast == nil) {
			t.Fatalf("default err %v, fast err %v", errDef, errFast)
		}
		if errDef == nil && !reflect.DeepEqual(def, fast) {
			t.Fatalf("differ:\n default %s\n fast    %s", mustMarshal(t, def), mustMarshal(t, fast))
		}
	})
}
