package qql

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func testAsset() MapResolver {
	return MapResolver{
		"assetId":          int64(28975144),
		"assetName":        "WIN-SRV-01",
		"name":             "win-srv-01",
		"riskScore":        95,
		"criticalityScore": 2.5,
		"scoreText":        "77", // a numeric string
		"address":          "10.0.0.17",
		"isDockerHost":     false,
		"lastModifiedDate": "2022-12-05T16:10:59.000Z",
		"createdDate":      time.Date(2022, 10, 20, 7, 47, 56, 0, time.UTC),
		"sensorLastUpdate": int64(1670256659000), // 2022-12-05T16:10:59Z, epoch ms
		"localDate":        "2022-12-05 16:10:59",
		"offsetDate":       "2022-12-05T17:10:59+0100",
		"eolDate":          "Not Announced",
		"softwareId":       int64(-9007199254740993), // not representable as float64
		"nothing":          nil,
		"empty":            "",
		"asset":            map[string]any{"riskScore": 91, "name": "nested-name"},
		"operatingSystem": map[string]any{
			"osName":    "Microsoft Windows Server 2019",
			"category1": "Windows",
			"category2": "Windows Server",
		},
		"tags": []any{
			map[string]any{"id": 1, "name": "Production"},
			map[string]any{"id": 2, "name": "Internet Facing Assets"},
		},
		"customAttributes": []map[string]any{
			{"key": "Media State4", "value": "Media connected", "connectorName": "Qualys"},
			{"key": "Department", "value": "Media disconnected", "connectorName": "Qualys"},
			{"key": "Subnet Mask", "value": "255.255.255.0", "connectorName": "Qualys"},
		},
		"inventory": map[string]any{"source": "QAGENT", "created": "2022-10-20T07:47:56.000Z"},
		"software": []any{
			map[string]any{"productName": "7-Zip", "publisher": "Igor Pavlov", "version": "19.00"},
			map[string]any{"productName": "Mystery", "publisher": ""},
		},
		"ports":    []any{22, 443, 8080},
		"aliases":  []string{"web1", "frontend"},
		"jsonNum":  json.Number("12345678901234567"),
		"flat.key": "flat value",
	}
}

func TestEval(t *testing.T) {
	r := testAsset()
	tests := []struct {
		q    string
		want bool
	}{
		// Strings: case-insensitive equality, quote styles.
		{"operatingSystem.category1:Windows", true},
		{"operatingSystem.category1:windows", true},
		{"operatingSystem.category1:`WINDOWS`", true},
		{`operatingSystem.category1:"Windows"`, true},
		{"operatingSystem.category1:Win", false},
		{"operatingSystem.category2:'windows server'", true},
		{"OperatingSystem.Category1:Windows", true}, // keys fall back to case-insensitive
		{"flat.key:'flat value'", true},
		{"asset.name:nested-name", true},
		{"empty:''", true},
		{"name:''", false},
		{"nothing:''", false},
		{"missing.path:x", false},
		// Wildcards, quoted or not.
		{"name:win*", true},
		{"name:WIN-*-01", true},
		{"name:'win-srv-0?'", true},
		{"name:win-srv-?", false},
		{"name:*srv*", true},
		{"name:*xyz*", false},
		{"operatingSystem.osName:'*server 2019'", true},
		{"software:(publisher:*)", true},
		{"software:(productName:Mystery and publisher:*)", false},
		{"software:(productName:Mystery and not publisher:*)", true},
		{"empty:*", false},
		{"nothing:*", false},
		{"tags:*", true},
		{"riskScore:9*", true},
		// Numbers vs strings.
		{"riskScore:95", true},
		{"riskScore:95.0", true},
		{"riskScore:'95'", true},
		{"riskScore:96", false},
		{"riskScore>90", true},
		{"riskScore:>90", true},
		{"riskScore>95", false},
		{"riskScore>=95", true},
		{"riskScore<100", true},
		{"riskScore<=94", false},
		{"criticalityScore:2.5", true},
		{"criticalityScore<3", true},
		{"asset.riskScore>90", true},
		{"scoreText:77", true},
		{"scoreText:77.0", false}, // a string field compares as text for ":" ...
		{"scoreText>70", true},    // ... but numerically for ordering
		{"name>5", false},         // non-numeric text never matches a numeric comparison
		{"assetId:28975144", true},
		{"softwareId:-9007199254740993", true},
		{"softwareId:-9007199254740992", false}, // same float64, different int64
		{"jsonNum:12345678901234567", true},
		{"jsonNum:12345678901234568", false},
		{"ports:443", true},
		{"ports:444", false},
		{"ports>8000", true},
		{"ports:[1 .. 21]", false},
		{"ports:[22 .. 22]", true},
		{"ports:(22 .. 443)", false},
		{"ports:(21 .. 443)", true},
		{"riskScore:[90 .. 100]", true},
		{"riskScore:[96 .. 100]", false},
		{"riskScore:(90 .. 95)", false},
		{"isDockerHost:false", true},
		{"isDockerHost:FALSE", true},
		{"isDockerHost:true", false},
		// String order.
		{"name>win", true},
		{"name:[a .. m]", false},
		{"name:[v .. x]", true},
		// IPs.
		{"address:10.0.0.17", true},
		{"address:[10.0.0.1 .. 10.0.0.20]", true},
		{"address:[10.0.0.2 .. 10.0.0.9]", false}, // string order would say true
		{"address>10.0.0.9", true},
		{"address:10.0.0.*", true},
		// Dates, in every accepted form on both sides.
		{"lastModifiedDate:2022-12-05", true},
		{"lastModifiedDate:2022-12-06", false},
		{"lastModifiedDate:'2022-12-05 16:10:59'", true},
		{"lastModifiedDate:2022-12-05T16:10:59Z", true},
		{"lastModifiedDate:2022-12-05T17:10:59+01:00", true},
		{"lastModifiedDate:2022-12-05T16:10", true},
		{"lastModifiedDate:2022-12-05T16:11", false},
		{"lastModifiedDate:1670256659000", true},
		{"lastModifiedDate>2022-12-04", true},
		{"lastModifiedDate>2022-12-05", false}, // after the whole day
		{"lastModifiedDate>=2022-12-05", true},
		{"lastModifiedDate<2022-12-05", false},
		{"lastModifiedDate<=2022-12-05", true}, // includes the whole day
		{"lastModifiedDate:[2022-12-01 .. 2022-12-05]", true},
		{"lastModifiedDate:[2022-12-06 .. 2022-12-31]", false},
		{"lastModifiedDate:(2022-12-01 .. 2022-12-05)", false},
		{"lastModifiedDate:['2022-12-05 16:00:00' .. '2022-12-05 16:30:00']", true},
		{"lastModifiedDate:[1670256000000 .. 1670260000000]", true},
		{"createdDate:2022-10-20", true},
		{"createdDate:'2022-10-20 07:47:56'", true},
		{"createdDate>2022-10-20T07:47:55Z", true},
		{"createdDate:1666252076000", true},
		{"createdDate>1666252076000", false},
		{"createdDate>=1666252076000", true},
		{"sensorLastUpdate:2022-12-05", true},
		{"sensorLastUpdate>2022-12-05T16:10:58Z", true},
		{"sensorLastUpdate:1670256659000", true},
		{"localDate:2022-12-05T16:10:59Z", true},
		{"offsetDate:2022-12-05T16:10:59Z", true},
		{"offsetDate<2022-12-05T16:10:59Z", false},
		{"eolDate:'Not Announced'", true},
		{"eolDate>2020-01-01", false}, // not a date: no match
		{"not eolDate>2020-01-01", true},
		// Lists: any element.
		{"tags.name:Production", true},
		{"tags.name:production", true},
		{"tags.name:Staging", false},
		{"tags.name:[Staging, 'internet facing assets']", true},
		{"tags.name:[Staging, Test]", false},
		{"tags.id:2", true},
		{"tags.id>2", false},
		{"aliases:frontend", true},
		{"aliases:front*", true},
		// Nested objects: the inner expression on ONE element.
		{"customAttributes.key:'Media State4'", true},
		{"customAttributes:(key:'Media State4')", true},
		{"customAttributes:(key:'Media State4' and value:'Media connected')", true},
		{"customAttributes:(key:'media state4' and value:'media CONNECTED')", true},
		{"customAttributes:(key:'Media State4' and value:'Media disconnected')", false},
		{"customAttributes.key:'Media State4' and customAttributes.value:'Media disconnected'", true},
		{"customAttributes:(key:Department and value:'Media disconnected')", true},
		{"customAttributes:(key:'Subnet Mask' and value:255.255.255.*)", true},
		{"customAttributes:(key:x or value:'Media connected')", true},
		{"not customAttributes:(key:'Media State4' and value:'Media disconnected')", true},
		{"customAttributes:(not key:'Media State4')", true}, // another element qualifies
		{"inventory:(source:\"qagent\")", true},
		{"inventory:(source:\"qualys\")", false},
		{"inventory:(source:QAGENT and created:2022-10-20)", true},
		{"operatingSystem:(category1:Windows and category2:'Windows Server')", true},
		{"name:(x:1)", false}, // a scalar is not an object
		{"tags:(name:Production and id:2)", false},
		{"tags:(name:Production and id:1)", true},
		// Not, and precedence.
		{"not name:win*", false},
		{"not name:linux*", true},
		{"not not name:win*", true},
		{"NOT tags.name:Staging", true},
		{"name:linux* or riskScore>90", true},
		{"name:linux* and riskScore>90", false},
		{"name:linux* and riskScore>90 or ports:22", true},    // (f and t) or t
		{"name:linux* and (riskScore>90 or ports:22)", false}, // f and (...)
		{"ports:22 or name:linux* and riskScore>200", true},   // t or (f and f)
		{"(ports:22 or name:linux*) and riskScore>200", false},
		{"not ports:22 and name:linux*", false},
		{"not ports:22 or name:win*", true}, // (not t) or t
		{"not (ports:22 or name:x)", false},
		{"not ports:23 and not ports:24", true},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			e, err := Parse(tt.q)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := Eval(e, r)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if got != tt.want {
				t.Fatalf("Eval(%s) = %v, want %v", tt.q, got, tt.want)
			}
			// The canonical form evaluates the same.
			e2, err := Parse(e.String())
			if err != nil {
				t.Fatalf("reparse: %v", err)
			}
			if got2, _ := Eval(e2, r); got2 != got {
				t.Fatalf("canonical %q evaluates to %v", e.String(), got2)
			}
		})
	}
}

// catalogResolver knows only the tokens in its map (values as strings) and
// exposes "attrs" as a list of catalogResolvers.
type catalogResolver map[string]string

func (c catalogResolver) Lookup(tok string) ([]Value, bool) {
	if tok == "attrs" {
		return []Value{ObjectValue(catalogResolver{"key": "k1"})}, true
	}
	v, ok := c[tok]
	if !ok {
		return nil, false
	}
	return []Value{StringValue(v)}, true
}

func TestEvalUnknownToken(t *testing.T) {
	r := catalogResolver{"name": "x"}
	for _, tt := range []struct {
		q, tok string
		pos    int
	}{
		{"bogus:1", "bogus", 0},
		{"name:x and bogus>1", "bogus", 11},
		{"name:y or bogus:[1 .. 2]", "bogus", 10},
		{"attrs:(key:k1 and vlaue:1)", "attrs.vlaue", 18},
		{"nope:(key:1)", "nope", 0},
	} {
		e, err := Parse(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Eval(e, r)
		var ute *UnknownTokenError
		if !errors.As(err, &ute) || ute.Token != tt.tok || ute.Pos != tt.pos {
			t.Fatalf("%s: got %v (%+v), want unknown token %q at %d", tt.q, err, ute, tt.tok, tt.pos)
		}
		if !strings.Contains(err.Error(), `unknown token "`+tt.tok+`"`) {
			t.Fatalf("message %q", err.Error())
		}
	}
	// Short-circuiting skips the unknown token: callers validate Tokens().
	e, _ := Parse("name:x or bogus:1")
	if ok, err := Eval(e, r); !ok || err != nil {
		t.Fatalf("short circuit: %v %v", ok, err)
	}
	if got := Tokens(e); len(got) != 2 || got[1] != "bogus" {
		t.Fatalf("Tokens = %q", got)
	}
}

func TestEvalNilAndBuiltAST(t *testing.T) {
	if ok, err := Eval(nil, MapResolver{}); !ok || err != nil {
		t.Fatalf("nil expression: %v %v", ok, err)
	}
	// An AST built by hand (no parse-time cache) evaluates the same.
	e := &And{Terms: []Expr{
		&Compare{Token: "n", Op: OpGe, Values: []Literal{{Text: "10"}}},
		&Not{X: &Compare{Token: "s", Op: OpEq, Values: []Literal{NewLiteral("a*")}}},
		&Range{Token: "d", Lo: Literal{Text: "2024-01-01"}, Hi: Literal{Text: "2024-01-31"}},
	}}
	r := MapResolver{"n": 10, "s": "bcd", "d": "2024-01-31T23:59:59Z"}
	if ok, err := Eval(e, r); !ok || err != nil {
		t.Fatalf("built AST: %v %v", ok, err)
	}
	if got, want := e.String(), "n>=10 and not s:a* and d:[2024-01-01 .. 2024-01-31]"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}

func TestMapResolverConversions(t *testing.T) {
	type named string
	now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	r := MapResolver{
		"u8":    uint8(7),
		"i32s":  []int32{1, 2, 3},
		"named": named("hello"),
		"ptr":   &now,
		"nilp":  (*time.Time)(nil),
		"mapss": map[string]string{"a": "b"},
		"nest":  []any{[]any{"deep"}},
		"vals":  []Value{StringValue("v1"), NumberValue(3)},
	}
	for q, want := range map[string]bool{
		"u8:7":           true,
		"i32s:2":         true,
		"i32s>2":         true,
		"named:HELLO":    true,
		"ptr:2024-05-06": true,
		"nilp:*":         false,
		"mapss:(a:b)":    true,
		"mapss.a:b":      true,
		"nest:deep":      true,
		"vals:v1":        true,
		"vals:3":         true,
	} {
		e, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Eval(e, r); got != want || err != nil {
			t.Errorf("%s = %v, %v; want %v", q, got, err, want)
		}
	}
	// Self-referencing data terminates.
	loop := []any{nil}
	loop[0] = loop
	m := MapResolver{"l": loop}
	if vals, ok := m.Lookup("l.x"); !ok || len(vals) != 0 {
		t.Fatalf("loop: %v %v", vals, ok)
	}
	_, _ = m.Lookup("l")
}

func TestGlobFold(t *testing.T) {
	for _, tt := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true},
		{"a*", "ABC", true},
		{"*c", "abC", true},
		{"a?c", "aXc", true},
		{"a?c", "ac", false},
		{"*a*a*a*a*b", strings.Repeat("a", 200), false},
		{"ü*", "Über", true},
		{"??", "éé", true},
	} {
		if got := globFold(tt.p, tt.s); got != tt.want {
			t.Errorf("globFold(%q, %q) = %v", tt.p, tt.s, got)
		}
	}
}
