package csamapi

import (
	"testing"
	"time"

	"github.com/go-json-experiment/json"
)

func TestTimeDecode(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	tests := []struct {
		name  string
		in    string
		known bool
		want  time.Time
		kind  TimeKind
		raw   string
	}{
		{"iso Z millis", `"2025-08-20T11:32:15.000Z"`, true, utc("2025-08-20T11:32:15Z"), TimeString, "2025-08-20T11:32:15.000Z"},
		{"iso +00:00", `"2022-12-15T15:27:18.000+00:00"`, true, utc("2022-12-15T15:27:18Z"), TimeString, "2022-12-15T15:27:18.000+00:00"},
		{"iso +0000", `"2022-02-02T06:03:36.701+0000"`, true, utc("2022-02-02T06:03:36.701Z"), TimeString, "2022-02-02T06:03:36.701+0000"},
		{"iso +0530", `"2022-02-02T06:03:36+0530"`, true, utc("2022-02-02T00:33:36Z"), TimeString, "2022-02-02T06:03:36+0530"},
		{"iso no zone", `"2025-10-18T06:21:51"`, true, utc("2025-10-18T06:21:51Z"), TimeString, "2025-10-18T06:21:51"},
		{"space form", `"2025-10-18 06:21:51"`, true, utc("2025-10-18T06:21:51Z"), TimeString, "2025-10-18 06:21:51"},
		{"date only", `"2025-10-15"`, true, utc("2025-10-15T00:00:00Z"), TimeString, "2025-10-15"},
		{"minute Z", `"2025-10-15T06:21Z"`, true, utc("2025-10-15T06:21:00Z"), TimeString, "2025-10-15T06:21Z"},
		{"hour Z", `"2025-10-15T06Z"`, true, utc("2025-10-15T06:00:00Z"), TimeString, "2025-10-15T06Z"},
		{"epoch ms number", `1752143538000`, true, utc("2025-07-10T10:32:18Z"), TimeNumber, "1752143538000"},
		{"epoch ms string", `"1752143538000"`, true, utc("2025-07-10T10:32:18Z"), TimeString, "1752143538000"},
		{"epoch zero", `0`, true, time.Unix(0, 0).UTC(), TimeNumber, "0"},
		{"not announced", `"Not Announced"`, false, time.Time{}, TimeString, "Not Announced"},
		{"space", `" "`, false, time.Time{}, TimeString, " "},
		{"empty", `""`, false, time.Time{}, TimeString, ""},
		{"commas", `",,"`, false, time.Time{}, TimeString, ",,"},
		{"null", `null`, false, time.Time{}, TimeNull, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Time
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatalf("unmarshal %s: %v", tt.in, err)
			}
			if got.Known != tt.known || got.Kind != tt.kind || got.Raw != tt.raw {
				t.Fatalf("got known=%v kind=%v raw=%q, want %v %v %q", got.Known, got.Kind, got.Raw, tt.known, tt.kind, tt.raw)
			}
			if tt.known && !got.T.Equal(tt.want) {
				t.Fatalf("got %v, want %v", got.T, tt.want)
			}
			if !tt.known && got.String() != "unknown" {
				t.Fatalf("String() = %q, want unknown", got.String())
			}
			out, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.in {
				t.Fatalf("re-encoded %s, want %s", out, tt.in)
			}
		})
	}
}

func TestTimePtrNever(t *testing.T) {
	if p := Millis(0).Ptr(); p != nil {
		t.Fatalf("epoch 0 should mean never, got %v", p)
	}
	if p := Text("Not Announced").Ptr(); p != nil {
		t.Fatalf("Not Announced should be unknown, got %v", p)
	}
	if p := Millis(1752143538000).Ptr(); p == nil || p.Location() != time.UTC {
		t.Fatalf("want a UTC time, got %v", p)
	}
}

func TestTimeRejectsGarbage(t *testing.T) {
	for _, in := range []string{`{}`, `[]`, `true`} {
		var v Time
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("%s: want an error", in)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2025-08-20T11:32:15.000Z", "2022-02-02T06:03:36.701+0000", "2025-10-18 06:21:51",
		"2025-10-15", "1752143538000", "Not Announced", " ", "-1", "2025-13-45T99:99Z", "+0000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, ok := ParseTime(s)
		if !ok && !tm.IsZero() {
			t.Fatalf("unparsed %q returned a time %v", s, tm)
		}
		if ok && tm.Location() != time.UTC {
			t.Fatalf("%q: not UTC", s)
		}
		// Decoding the same text as a JSON string must agree with ParseTime.
		b, err := json.Marshal(s)
		if err != nil {
			return // invalid UTF-8 cannot be a JSON string
		}
		var v Time
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if v.Known != ok || (ok && !v.T.Equal(tm)) {
			t.Fatalf("%q: decode %v/%v vs parse %v/%v", s, v.Known, v.T, ok, tm)
		}
	})
}
