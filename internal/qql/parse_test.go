package qql

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseRoundTrip(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical String(); "" means same as in
	}{
		// The vendor examples (seeds 004, csam-api.md §5.6, fixtures).
		{in: "customAttributes.key:'Media State4'"},
		{in: "customAttributes:(key:'Media State4' and value:'Media disconnected')"},
		{in: "operatingSystem.category1:`Windows`"},
		{in: `inventory:(source:"qualys")`},
		{in: "asset.riskScore>90"},
		{in: "software:(publisher:*)"},
		{in: "operatingSystem.category1:Windows"},
		// Spacing, keyword case, redundant parentheses.
		{in: "  tags.name :  Windows  ", want: "tags.name:Windows"},
		{in: "a:1 AND b:2 Or NOT c:3", want: "a:1 and b:2 or not c:3"},
		{in: "((a:1))", want: "a:1"},
		{in: "(a:1 and b:2) and c:3", want: "a:1 and b:2 and c:3"},
		{in: "a:1 or (b:2 or c:3)", want: "a:1 or b:2 or c:3"},
		{in: "(a:1 or b:2) and c:3"},
		{in: "a:1 or b:2 and c:3"},
		{in: "not (a:1 and b:2)"},
		{in: "not(a:1 or b:2)", want: "not (a:1 or b:2)"},
		{in: "not not a:1"},
		{in: "a:'x'and b:y", want: "a:'x' and b:y"},
		{in: "a:(b:1)or c:2", want: "a:(b:1) or c:2"},
		// Comparisons.
		{in: "asset.riskScore >= 90", want: "asset.riskScore>=90"},
		{in: "x<5"},
		{in: "x<=5"},
		{in: "x:>90", want: "x>90"},
		{in: "x: <= 2024-01-01", want: "x<=2024-01-01"},
		// Ranges and lists.
		{in: "asset.lastUpdatedDate:[2024-01-01 .. 2024-01-31]"},
		{in: "n:[1..5]", want: "n:[1 .. 5]"},
		{in: "n:( 1 .. 5 )", want: "n:(1 .. 5)"},
		{in: `d:["2024-01-01 00:00:00" .. "2024-02-01 00:00:00"]`},
		{in: "ip:[10.0.0.1 .. 10.0.0.255]"},
		{in: "tags.name:[Production,'Internet Facing Assets' , x]", want: "tags.name:[Production, 'Internet Facing Assets', x]"},
		{in: "t:[one]"},
		// Values: wildcards, quoting, escapes, odd characters.
		{in: "name:win*"},
		{in: "name:'win 1?'"},
		{in: `name:"it's"`},
		{in: `name:'it\'s'`},
		{in: `p:'C:\Program Files\x'`},
		{in: `p:'a\\'`},
		{in: "name:''"},
		{in: "name:'and'"},
		{in: "name:a..b", want: "name:'a..b'"},
		{in: "x> >5", want: "x>'>5'"},
		{in: "name:=x", want: "name:'=x'"},
		{in: "d:2024-01-01T10:00:00Z"},
		{in: "d:2024-01-01T10:00:00+01:00"},
		{in: "name:foo'bar", want: `name:"foo'bar"`},
		{in: "ñame.ü:ö"},
		{in: "a-b_c.d1:x"},
		// Nested inside nested, not inside nested.
		{in: "a:(b:(c:1 or not d:2))"},
		{in: "customAttributes:(not key:x)"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			want := tt.want
			if want == "" {
				want = tt.in
			}
			got := e.String()
			if got != want {
				t.Fatalf("String() = %q, want %q", got, want)
			}
			e2, err := Parse(got)
			if err != nil {
				t.Fatalf("reparse %q: %v", got, err)
			}
			if e2.String() != got {
				t.Fatalf("reparse String() = %q, want %q", e2.String(), got)
			}
			if !sameAST(e, e2) {
				t.Fatalf("reparse gives a different AST for %q", got)
			}
		})
	}
}

// sameAST compares two trees ignoring positions, literal caches and quote
// styles.
func sameAST(a, b Expr) bool {
	return reflect.DeepEqual(strip(a), strip(b))
}

func strip(e Expr) any {
	lit := func(l Literal) string { return l.Text } // quote style is presentation only
	switch n := e.(type) {
	case *And:
		out := []any{"and"}
		for _, t := range n.Terms {
			out = append(out, strip(t))
		}
		return out
	case *Or:
		out := []any{"or"}
		for _, t := range n.Terms {
			out = append(out, strip(t))
		}
		return out
	case *Not:
		return []any{"not", strip(n.X)}
	case *Compare:
		out := []any{"cmp", n.Token, n.Op}
		for _, v := range n.Values {
			out = append(out, lit(v))
		}
		return out
	case *Range:
		return []any{"range", n.Token, lit(n.Lo), lit(n.Hi), n.Exclusive}
	case *Nested:
		return []any{"nested", n.Token, strip(n.Inner)}
	}
	return e
}

func TestParseStructure(t *testing.T) {
	e, err := Parse("a:1 or b:2 and not c:3 or d:4")
	if err != nil {
		t.Fatal(err)
	}
	or, ok := e.(*Or)
	if !ok || len(or.Terms) != 3 {
		t.Fatalf("top = %#v, want Or with 3 terms", e)
	}
	and, ok := or.Terms[1].(*And)
	if !ok || len(and.Terms) != 2 {
		t.Fatalf("middle = %#v, want And with 2 terms", or.Terms[1])
	}
	if _, ok := and.Terms[1].(*Not); !ok {
		t.Fatalf("and.Terms[1] = %#v, want Not", and.Terms[1])
	}

	e, err = Parse("tags.name:[a, 'b c']")
	if err != nil {
		t.Fatal(err)
	}
	c := e.(*Compare)
	if c.Op != OpIn || len(c.Values) != 2 || c.Values[1].Text != "b c" || c.Values[1].Quote != '\'' {
		t.Fatalf("list = %#v", c)
	}

	e, err = Parse("x:(1 .. 5)")
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := e.(*Range); !ok || !r.Exclusive || r.Lo.Text != "1" || r.Hi.Text != "5" {
		t.Fatalf("exclusive range = %#v", e)
	}

	e, err = Parse("  foo.bar:(x:1)")
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := e.(*Nested); !ok || n.Token != "foo.bar" || n.Pos != 2 {
		t.Fatalf("nested = %#v", e)
	}

	e, err = Parse(`v:'it\'s \\ C:\dir'`)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.(*Compare).Values[0].Text; got != `it's \ C:\dir` {
		t.Fatalf("escapes: got %q", got)
	}
}

func TestTokens(t *testing.T) {
	e, err := Parse("a.b:1 and customAttributes:(key:x and value:y) or not a.b:2 or r:[1 .. 2] or x:(y:(z:1))")
	if err != nil {
		t.Fatal(err)
	}
	got := Tokens(e)
	want := []string{"a.b", "customAttributes", "customAttributes.key", "customAttributes.value", "r", "x", "x.y", "x.y.z"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Tokens = %q, want %q", got, want)
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		in      string
		pos     int
		msgPart string
	}{
		{"", 0, "empty query"},
		{"   ", 3, "empty query"},
		// Missing values.
		{"name:", 5, `expected value after ":"`},
		{"operatingSystem.category1:", 26, `expected value after ":"`},
		{"name: and b:c", 6, `found keyword "and"`},
		{"name:   ", 8, `expected value after ":"`},
		{"(name:)", 6, `expected value after ":"`},
		{"x>", 2, `expected value after ">"`},
		{"x:>=", 4, `expected value after ">="`},
		{"name", 4, `expected ":" or comparison operator after "name"`},
		{"name=x", 4, `use ":" for equality`},
		{"t:[]", 3, `expected value after "["`},
		{"t:[a,]", 5, `expected value after ","`},
		{"t:[a .. ]", 8, `expected value after ".."`},
		// Unclosed quotes: reported at the opening quote.
		{"name:'abc", 5, "unterminated quoted value (missing closing ')"},
		{`a:1 and b:"x`, 10, `missing closing "`},
		{"a:`x", 2, "unterminated"},
		{`a:'x\'`, 2, "unterminated"},
		// Unbalanced parentheses and brackets.
		{"(a:1 and b:2", 12, `missing ")" to close "(" at position 0`},
		{"a:1)", 3, `unexpected ")" without matching "("`},
		{"a:(b:1", 6, `missing ")" to close "(" at position 2`},
		{"((a:1)", 6, `missing ")" to close "(" at position 0`},
		{"()", 1, `expected expression after "("`},
		{"a:()", 3, `expected expression after "("`},
		{"t:[a, b", 7, `missing "]" to close "[" at position 2`},
		{"t:[a b]", 5, `expected "," or "]"`},
		{"t:[a .. b", 9, `missing ']' to close range opened at position 2`},
		{"t:[a .. b)", 9, `expected ']' to close range`},
		{"t:(a .. b]", 9, `expected ')' to close range`},
		// Dangling operators.
		{"a:1 and", 7, `expected expression after "and"`},
		{"a:1 and ", 8, `expected expression after "and"`},
		{"a:1 or", 6, `expected expression after "or"`},
		{"not", 3, `expected expression after "not"`},
		{"(a:1 and)", 8, `expected expression after "and"`},
		{"and a:1", 0, `unexpected keyword "and"`},
		{"a:1 and or b:2", 8, `unexpected keyword "or"`},
		// Other.
		{"a:1 b:2", 4, `expected "and", "or" or end of query`},
		{"(a:1 b:2)", 5, `expected "and", "or" or ")"`},
		{"a:1 andx:2", 4, `expected "and", "or" or end of query`},
		{":x", 0, `expected token, found ':'`},
		{"a..b:1", 0, "empty path segment"},
		{".a:1", 0, "empty path segment"},
		{"a:1\xff", 3, "invalid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error", tt.in, e)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not *SyntaxError", err)
			}
			if se.Pos != tt.pos || !strings.Contains(se.Msg, tt.msgPart) || se.Query != tt.in {
				t.Fatalf("got pos %d msg %q; want pos %d msg containing %q", se.Pos, se.Msg, tt.pos, tt.msgPart)
			}
		})
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, err := Parse("name:win* and os:")
	want := "qql: syntax error at position 17: expected value after \":\"\n" +
		"  name:win* and os:\n" +
		"                   ^"
	if err == nil || err.Error() != want {
		t.Fatalf("got\n%v\nwant\n%s", err, want)
	}

	// Long queries show a window around the position.
	q := strings.Repeat("a:1 and ", 30) + "b:(c:1"
	_, err = Parse(q)
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines, got %q", err.Error())
	}
	caret := strings.Index(lines[2], "^")
	if caret < 0 || caret > len(lines[1]) || !strings.HasSuffix(lines[1][:caret], "c:1") {
		t.Fatalf("caret misplaced:\n%s", err.Error())
	}
	if !strings.HasPrefix(lines[1], "  ...") {
		t.Fatalf("want elided prefix:\n%s", err.Error())
	}
}

func TestParseLimits(t *testing.T) {
	// Nesting depth.
	ok := strings.Repeat("(", MaxDepth) + "a:1" + strings.Repeat(")", MaxDepth)
	if _, err := Parse(ok); err != nil {
		t.Fatalf("depth %d: %v", MaxDepth, err)
	}
	for _, deep := range []string{
		strings.Repeat("(", MaxDepth+1) + "a:1" + strings.Repeat(")", MaxDepth+1),
		strings.Repeat("not ", MaxDepth+1) + "a:1",
		strings.Repeat("a:(", MaxDepth+1) + "b:1" + strings.Repeat(")", MaxDepth+1),
		strings.Repeat("(", 60000),
	} {
		_, err := Parse(deep)
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(se.Msg, "nesting too deep") {
			t.Fatalf("deep query: got %v", err)
		}
	}
	// Length.
	long := "name:" + strings.Repeat("x", MaxQueryLength)
	_, err := Parse(long)
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "too long") || se.Pos != MaxQueryLength {
		t.Fatalf("long query: got %v", err)
	}
	// Just under the limit is fine, and so are long and/or chains.
	chain := strings.Repeat("a:1 or ", (MaxQueryLength-3)/7) + "a:1"
	if _, err := Parse(chain); err != nil {
		t.Fatalf("long chain: %v", err)
	}
}
