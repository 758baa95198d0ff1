package qql

import (
	"errors"
	"testing"
	"time"
)

var fuzzSeeds = []string{
	"customAttributes.key:'Media State4'",
	"customAttributes:(key:'Media State4' and value:'Media disconnected')",
	"operatingSystem.category1:`Windows`",
	`inventory:(source:"qualys")`,
	"asset.riskScore>90",
	"software:(publisher:*)",
	"name:win* and not tags.name:[a, 'b c'] or x:(1 .. 5)",
	"d:[2024-01-01 .. '2024-01-31 10:00:00'] and n:<=5",
	`p:'C:\dir\' and q:"a\"b" or r:` + "`x\\`y`",
	"((a:1) and (b:2 or c:3))",
	"a:(b:(c:(d:1)))",
	"name:'and'",
	"x> >5",
	"name:",
	"name:'abc",
	"(a:1",
	"a:1 and",
	"",
}

var fuzzRecord = MapResolver{
	"a": 1, "b": "2", "c": []any{3, "x"}, "name": "win10", "d": "2024-01-05",
	"n": 4.5, "x": []any{map[string]any{"y": 1}}, "p": `C:\dir\`,
	"customAttributes": []any{map[string]any{"key": "Media State4", "value": "v"}},
	"t":                time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
}

// FuzzParse checks that Parse never panics, that errors are *SyntaxError
// with a position inside the query, and that String() is a fixed point:
// Parse(e.String()) succeeds and renders the same text. Eval and Tokens
// must not panic on anything Parse accepts.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): error %T is not *SyntaxError", s, err)
			}
			if se.Pos < 0 || se.Pos > len(s) {
				t.Fatalf("Parse(%q): position %d outside the query", s, se.Pos)
			}
			_ = se.Error()
			return
		}
		s1 := e.String()
		if len(s1) > MaxQueryLength {
			// The canonical form can be longer than the input (quotes,
			// spaces after commas); beyond the limit it cannot reparse.
			return
		}
		e2, err := Parse(s1)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String() %q does not parse: %v", s, s1, err)
		}
		if s2 := e2.String(); s2 != s1 {
			t.Fatalf("String() not stable for %q:\n first  %q\n second %q", s, s1, s2)
		}
		if !sameAST(e, e2) {
			t.Fatalf("reparse of %q changed the tree", s1)
		}
		_ = Tokens(e)
		m1, err1 := Eval(e, fuzzRecord)
		m2, err2 := Eval(e2, fuzzRecord)
		if m1 != m2 || (err1 == nil) != (err2 == nil) {
			t.Fatalf("%q and its canonical form %q evaluate differently", s, s1)
		}
	})
}
