package csamapi

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
)

func TestValidateCriterion(t *testing.T) {
	tests := []struct {
		c      Criterion
		wantOK bool
	}{
		{Criterion{FieldTagName, OpIn, "Production,Internet Facing Assets"}, true},
		{Criterion{FieldOSCategory2, OpIn, "Windows Server, Linux Server"}, true},
		{Criterion{FieldAssetID, OpGreater, "28975142"}, true},
		{Criterion{FieldAssetID, OpLessThanEqual, "28975142"}, true},
		{Criterion{FieldAssetID, OpContains, "1"}, false},  // CONTAINS is not numeric
		{Criterion{FieldAssetID, OpGreater, "abc"}, false}, // not a number
		{Criterion{FieldAssetID, "LESS", "1"}, false},      // vendor spelling is LESSER
		{Criterion{FieldLastUpdated, OpGreaterThanEqual, "2025-10-18T06:21:51Z"}, true},
		{Criterion{FieldLastUpdated, OpContains, "2025"}, false}, // CONTAINS is not a date operator
		{Criterion{FieldLastUpdated, OpGreater, "yesterday"}, false},
		{Criterion{FieldTagName, OpGreater, "x"}, false},    // GREATER is not a string operator
		{Criterion{"asset.lastSeen", OpEquals, "x"}, false}, // unknown token (nelssec #105)
		{Criterion{FieldTagName, OpIn, " , "}, false},       // empty IN list
		{Criterion{FieldAgentID, OpContains, "x"}, false},   // UUID: EQUALS, IN only
		{Criterion{FieldAssetType, OpIn, "HOST"}, true},
	}
	for _, tt := range tests {
		err := ValidateCriterion(tt.c)
		if (err == nil) != tt.wantOK {
			t.Errorf("%+v: err=%v, wantOK=%v", tt.c, err, tt.wantOK)
		}
		if err != nil && !errors.Is(err, ErrInvalidFilter) {
			t.Errorf("%+v: error does not wrap ErrInvalidFilter: %v", tt.c, err)
		}
	}
}

func TestFilterBuilder(t *testing.T) {
	req, err := NewFilter().In(FieldTagName, "Production", "Internet Facing Assets").
		In(FieldOSCategory2, "Windows Server").Build()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"filters":[{"field":"tags.name","operator":"IN","value":"Production,Internet Facing Assets"},` +
		`{"field":"operatingSystem.category2","operator":"IN","value":"Windows Server"}],"operation":"AND"}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	if _, err := NewFilter().Where(FieldTagName, OpGreater, "x").In(FieldTagName, "a").Build(); !errors.Is(err, ErrInvalidFilter) {
		t.Fatalf("want the first error to stick, got %v", err)
	}
	if _, err := NewFilter().In(FieldTagName, "a,b").Build(); err == nil || !strings.Contains(err.Error(), "comma") {
		t.Fatalf("want a comma error, got %v", err)
	}
	if err := (FilterRequest{Operation: "XOR"}).Validate(); err == nil {
		t.Fatal("want an operation error")
	}
}

func FuzzFilterBuilder(f *testing.F) {
	f.Add("tags.name", "IN", "a,b")
	f.Add("asset.assetID", "GREATER", "12")
	f.Add("asset.lastUpdated", "GREATER_THAN_EQUAL", "2025-01-01")
	f.Add("x", "y", "")
	f.Fuzz(func(t *testing.T, field, op, value string) {
		req, err := NewFilter().Where(field, op, value).Build()
		if err != nil {
			if !errors.Is(err, ErrInvalidFilter) {
				t.Fatalf("error does not wrap ErrInvalidFilter: %v", err)
			}
			return
		}
		// Whatever the builder accepts must validate again and survive a JSON round trip.
		if err := req.Validate(); err != nil {
			t.Fatalf("accepted but invalid: %v", err)
		}
		b, err := json.Marshal(req)
		if err != nil {
			return
		}
		var back FilterRequest
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if len(back.Filters) != 1 || back.Filters[0] != req.Filters[0] {
			t.Fatalf("round trip changed %+v into %+v", req, back)
		}
	})
}
