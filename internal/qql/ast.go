package qql

import (
	"strings"
)

// Expr is a node of a parsed QQL query: *And, *Or, *Not, *Compare, *Range
// or *Nested. String renders the node as a canonical query that parses back
// to an equivalent expression.
type Expr interface {
	String() string
}

// And matches when every term matches (an empty And matches everything).
type And struct {
	Terms []Expr
}

// Or matches when at least one term matches (an empty Or matches nothing).
type Or struct {
	Terms []Expr
}

// Not negates X.
type Not struct {
	X Expr
}

// Op is the operator of a [Compare] clause.
type Op uint8

const (
	OpEq Op = iota // token:value
	OpLt           // token<value
	OpLe           // token<=value
	OpGt           // token>value
	OpGe           // token>=value
	OpIn           // token:[a, b, c]
)

// String returns the operator as written in a query ("in" for OpIn).
func (o Op) String() string {
	switch o {
	case OpEq:
		return ":"
	case OpLt:
		return "<"
	case OpLe:
		return "<="
	case OpGt:
		return ">"
	case OpGe:
		return ">="
	case OpIn:
		return "in"
	}
	return "?"
}

// Literal is a value written in a query.
type Literal struct {
	Text  string // the value with quotes removed and escapes resolved
	Quote rune   // 0 (bare), '\'', '"' or '`'; kept only for rendering

	info *litInfo // precomputed by Parse; computed on the fly when nil
}

// NewLiteral returns a bare literal (rendered quoted when it has to be).
func NewLiteral(text string) Literal { return Literal{Text: text, info: analyze(text)} }

// String renders the literal as it would appear in a query.
func (l Literal) String() string {
	var b strings.Builder
	l.render(&b)
	return b.String()
}

// Compare is token:value, token<value ... (Values has one element) or
// token:[a, b, c] (Op is OpIn).
type Compare struct {
	Token  string
	Op     Op
	Values []Literal
	Pos    int // byte offset of Token in the query
}

// Range is token:[Lo .. Hi] (inclusive) or token:(Lo .. Hi) (Exclusive).
type Range struct {
	Token     string
	Lo, Hi    Literal
	Exclusive bool
	Pos       int // byte offset of Token in the query
}

// Nested is token:(Inner): some element at Token satisfies Inner, whose
// tokens are relative to that element.
type Nested struct {
	Token string
	Inner Expr
	Pos   int // byte offset of Token in the query
}

func (e *And) String() string {
	var b strings.Builder
	writeJoined(&b, e.Terms, " and ", func(t Expr) bool { _, ok := t.(*Or); return ok })
	return b.String()
}

func (e *Or) String() string {
	var b strings.Builder
	writeJoined(&b, e.Terms, " or ", func(Expr) bool { return false })
	return b.String()
}

func writeJoined(b *strings.Builder, terms []Expr, sep string, paren func(Expr) bool) {
	for i, t := range terms {
		if i > 0 {
			b.WriteString(sep)
		}
		writeExpr(b, t, paren(t))
	}
}

func writeExpr(b *strings.Builder, e Expr, paren bool) {
	if e == nil {
		b.WriteString("()")
		return
	}
	if paren {
		b.WriteByte('(')
	}
	b.WriteString(e.String())
	if paren {
		b.WriteByte(')')
	}
}

func (e *Not) String() string {
	var b strings.Builder
	b.WriteString("not ")
	switch e.X.(type) {
	case *And, *Or:
		writeExpr(&b, e.X, true)
	default:
		writeExpr(&b, e.X, false)
	}
	return b.String()
}

func (e *Compare) String() string {
	var b strings.Builder
	b.WriteString(e.Token)
	switch e.Op {
	case OpIn:
		b.WriteString(":[")
		for i, v := range e.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			v.render(&b)
		}
		b.WriteByte(']')
		return b.String()
	case OpEq:
		b.WriteByte(':')
	default:
		b.WriteString(e.Op.String())
	}
	if len(e.Values) > 0 {
		e.Values[0].render(&b)
	} else {
		b.WriteString("''")
	}
	return b.String()
}

func (e *Range) String() string {
	var b strings.Builder
	b.WriteString(e.Token)
	if e.Exclusive {
		b.WriteString(":(")
	} else {
		b.WriteString(":[")
	}
	e.Lo.render(&b)
	b.WriteString(" .. ")
	e.Hi.render(&b)
	if e.Exclusive {
		b.WriteByte(')')
	} else {
		b.WriteByte(']')
	}
	return b.String()
}

func (e *Nested) String() string {
	var b strings.Builder
	b.WriteString(e.Token)
	b.WriteString(":(")
	if e.Inner != nil {
		b.WriteString(e.Inner.String())
	}
	b.WriteByte(')')
	return b.String()
}

// render writes the literal, bare when that parses back to the same text in
// every value position, otherwise quoted (keeping the original quote style
// when there was one).
func (l Literal) render(b *strings.Builder) {
	if l.Quote == 0 && safeBare(l.Text) {
		b.WriteString(l.Text)
		return
	}
	q := byte(l.Quote)
	if q != '\'' && q != '"' && q != '`' {
		switch {
		case !strings.Contains(l.Text, "'"):
			q = '\''
		case !strings.Contains(l.Text, `"`):
			q = '"'
		case !strings.Contains(l.Text, "`"):
			q = '`'
		default:
			q = '\''
		}
	}
	b.WriteByte(q)
	s := l.Text
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			b.WriteByte('\\')
		case c == '\\' && (i+1 == len(s) || s[i+1] == q || s[i+1] == '\\'):
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte(q)
}

// safeBare reports whether s can be written without quotes and read back
// as the same single value in any value position (after ":", a comparison
// operator, "[", "(", ".." or ",").
func safeBare(s string) bool {
	if s == "" || isKeyword(s) {
		return false
	}
	switch s[0] {
	case '<', '>', '=', '\'', '"', '`':
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isSpace(c) || c == '\\' || c == '\'' || c == '"' || c == '`' || isValueStop(c) {
			return false
		}
		if c == '.' && i+1 < len(s) && s[i+1] == '.' {
			return false
		}
	}
	return true
}

// Tokens returns every token the expression uses, in order of first
// appearance and without duplicates. For a nested clause it returns the
// nested token itself and the inner tokens joined to it with a dot
// (customAttributes, customAttributes.key, ...).
func Tokens(e Expr) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	var walk func(e Expr, prefix string)
	walk = func(e Expr, prefix string) {
		switch n := e.(type) {
		case *And:
			for _, t := range n.Terms {
				walk(t, prefix)
			}
		case *Or:
			for _, t := range n.Terms {
				walk(t, prefix)
			}
		case *Not:
			walk(n.X, prefix)
		case *Compare:
			add(prefix + n.Token)
		case *Range:
			add(prefix + n.Token)
		case *Nested:
			add(prefix + n.Token)
			walk(n.Inner, prefix+n.Token+".")
		}
	}
	walk(e, "")
	return out
}
