package qql

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// MaxQueryLength is the longest query Parse accepts, in bytes.
	MaxQueryLength = 64 << 10
	// MaxDepth is the deepest nesting of parentheses, nested clauses and
	// "not" that Parse accepts.
	MaxDepth = 100
)

// SyntaxError is the error Parse returns for a malformed query.
type SyntaxError struct {
	Pos   int    // byte offset into Query where the problem was found
	Msg   string // what was expected or found
	Query string // the query that was parsed
}

// Error returns `qql: syntax error at position N: msg` followed by a line
// showing (an excerpt of) the query and a caret line pointing at Pos.
func (e *SyntaxError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "qql: syntax error at position %d: %s", e.Pos, e.Msg)
	if e.Query == "" {
		return b.String()
	}
	line, col := excerpt(e.Query, e.Pos)
	b.WriteString("\n  ")
	b.WriteString(line)
	b.WriteString("\n  ")
	b.WriteString(strings.Repeat(" ", col))
	b.WriteByte('^')
	return b.String()
}

// excerpt returns a one-line window of q around pos (control characters
// shown as spaces, long queries cut with "...") and the caret column in
// runes.
func excerpt(q string, pos int) (string, int) {
	const before, after = 60, 40
	if pos < 0 {
		pos = 0
	}
	if pos > len(q) {
		pos = len(q)
	}
	start, end := max(0, pos-before), min(len(q), pos+after)
	for start > 0 && !utf8.RuneStart(q[start]) {
		start--
	}
	for end < len(q) && !utf8.RuneStart(q[end]) {
		end++
	}
	var b strings.Builder
	col := 0
	if start > 0 {
		b.WriteString("...")
		col = 3
	}
	for i, r := range q[start:end] {
		if start+i < pos {
			col++
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			r = ' '
		}
		b.WriteRune(r)
	}
	if end < len(q) {
		b.WriteString("...")
	}
	return b.String(), col
}

// Parse parses a QQL query. Errors are *SyntaxError.
func Parse(s string) (Expr, error) {
	if len(s) > MaxQueryLength {
		return nil, &SyntaxError{Pos: MaxQueryLength, Query: s,
			Msg: fmt.Sprintf("query too long (%d bytes, limit %d)", len(s), MaxQueryLength)}
	}
	if !utf8.ValidString(s) {
		i := 0
		for i < len(s) {
			r, w := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && w == 1 {
				break
			}
			i += w
		}
		return nil, &SyntaxError{Pos: i, Msg: "invalid UTF-8", Query: s}
	}
	p := &parser{s: s}
	e, err := p.parseQuery()
	if err != nil {
		return nil, err
	}
	return e, nil
}

type parser struct {
	s     string
	pos   int
	depth int
}

func (p *parser) errAt(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...), Query: p.s}
}

func (p *parser) eof() bool { return p.pos >= len(p.s) }

func (p *parser) skipWS() {
	for p.pos < len(p.s) && isSpace(p.s[p.pos]) {
		p.pos++
	}
}

func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errAt(pos, "nesting too deep (limit %d)", MaxDepth)
	}
	return nil
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isValueStop reports the characters that end a bare value.
func isValueStop(c byte) bool {
	return c == '(' || c == ')' || c == '[' || c == ']' || c == ','
}

func isQuote(c byte) bool { return c == '\'' || c == '"' || c == '`' }

func isKeyword(s string) bool {
	return len(s) <= 3 && (strings.EqualFold(s, "and") || strings.EqualFold(s, "or") || strings.EqualFold(s, "not"))
}

// wordEnd returns the end of the run of token characters starting at i.
func (p *parser) wordEnd(i int) int {
	for i < len(p.s) {
		c := p.s[i]
		if c < utf8.RuneSelf {
			if c == '_' || c == '.' || c == '-' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
				i++
				continue
			}
			return i
		}
		r, w := utf8.DecodeRuneInString(p.s[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return i
		}
		i += w
	}
	return i
}

// keywordAt reports whether the whole word at the current position is kw.
func (p *parser) keywordAt(kw string) bool {
	end := p.pos + len(kw)
	return end <= len(p.s) && strings.EqualFold(p.s[p.pos:end], kw) && p.wordEnd(end) == end
}

func (p *parser) parseQuery() (Expr, error) {
	p.skipWS()
	if p.eof() {
		return nil, p.errAt(p.pos, "empty query")
	}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if !p.eof() {
		if p.s[p.pos] == ')' {
			return nil, p.errAt(p.pos, `unexpected ")" without matching "("`)
		}
		return nil, p.errAt(p.pos, `expected "and", "or" or end of query`)
	}
	return e, nil
}

func (p *parser) parseOr() (Expr, error) {
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	var terms []Expr
	for {
		save := p.pos
		p.skipWS()
		if p.eof() || !p.keywordAt("or") {
			p.pos = save
			break
		}
		p.pos += 2
		p.skipWS()
		if p.eof() || p.s[p.pos] == ')' {
			return nil, p.errAt(p.pos, `expected expression after "or"`)
		}
		t, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		if terms == nil {
			terms = appendFlat(nil, first, false)
		}
		terms = appendFlat(terms, t, false)
	}
	if terms == nil {
		return first, nil
	}
	return &Or{Terms: terms}, nil
}

func (p *parser) parseAnd() (Expr, error) {
	first, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	var terms []Expr
	for {
		save := p.pos
		p.skipWS()
		if p.eof() || !p.keywordAt("and") {
			p.pos = save
			break
		}
		p.pos += 3
		p.skipWS()
		if p.eof() || p.s[p.pos] == ')' {
			return nil, p.errAt(p.pos, `expected expression after "and"`)
		}
		t, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if terms == nil {
			terms = appendFlat(nil, first, true)
		}
		terms = appendFlat(terms, t, true)
	}
	if terms == nil {
		return first, nil
	}
	return &And{Terms: terms}, nil
}

// appendFlat appends e, splicing in its terms when it is itself an And
// (andChain) or an Or (!andChain), i.e. a parenthesised chain of the same
// operator.
func appendFlat(terms []Expr, e Expr, andChain bool) []Expr {
	switch n := e.(type) {
	case *And:
		if andChain {
			return append(terms, n.Terms...)
		}
	case *Or:
		if !andChain {
			return append(terms, n.Terms...)
		}
	}
	return append(terms, e)
}

func (p *parser) parseUnary() (Expr, error) {
	p.skipWS()
	if p.eof() {
		return nil, p.errAt(p.pos, "expected expression")
	}
	if p.keywordAt("not") {
		if err := p.enter(p.pos); err != nil {
			return nil, err
		}
		p.pos += 3
		p.skipWS()
		if p.eof() || p.s[p.pos] == ')' {
			return nil, p.errAt(p.pos, `expected expression after "not"`)
		}
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		p.depth--
		return &Not{X: x}, nil
	}
	if p.s[p.pos] == '(' {
		open := p.pos
		if err := p.enter(open); err != nil {
			return nil, err
		}
		p.pos++
		e, err := p.parseParenBody(open)
		if err != nil {
			return nil, err
		}
		p.depth--
		return e, nil
	}
	return p.parseClause()
}

// parseParenBody parses `expr ")"` after the "(" at open.
func (p *parser) parseParenBody(open int) (Expr, error) {
	p.skipWS()
	if p.eof() {
		return nil, p.errAt(p.pos, `missing ")" to close "(" at position %d`, open)
	}
	if p.s[p.pos] == ')' {
		return nil, p.errAt(p.pos, `expected expression after "("`)
	}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if p.eof() {
		return nil, p.errAt(p.pos, `missing ")" to close "(" at position %d`, open)
	}
	if p.s[p.pos] != ')' {
		return nil, p.errAt(p.pos, `expected "and", "or" or ")"`)
	}
	p.pos++
	return e, nil
}

func (p *parser) parseClause() (Expr, error) {
	start := p.pos
	end := p.wordEnd(start)
	if end == start {
		r, _ := utf8.DecodeRuneInString(p.s[start:])
		if r == ')' {
			return nil, p.errAt(start, `unexpected ")"`)
		}
		return nil, p.errAt(start, "expected token, found %q", r)
	}
	tok := p.s[start:end]
	if isKeyword(tok) {
		return nil, p.errAt(start, "unexpected keyword %q", tok)
	}
	if strings.HasPrefix(tok, ".") || strings.HasSuffix(tok, ".") || strings.Contains(tok, "..") {
		return nil, p.errAt(start, "invalid token %q: empty path segment", tok)
	}
	p.pos = end
	p.skipWS()
	if p.eof() {
		return nil, p.errAt(p.pos, `expected ":" or comparison operator after %q`, tok)
	}
	switch p.s[p.pos] {
	case ':':
		p.pos++
		p.skipWS()
		if p.eof() {
			return nil, p.errAt(p.pos, `expected value after ":"`)
		}
		switch p.s[p.pos] {
		case '<', '>':
			op, text := p.scanOp()
			return p.parseSimple(tok, start, op, text)
		case '(':
			return p.parseParenRHS(tok, start)
		case '[':
			return p.parseBracketRHS(tok, start)
		}
		return p.parseSimple(tok, start, OpEq, ":")
	case '<', '>':
		op, text := p.scanOp()
		return p.parseSimple(tok, start, op, text)
	}
	if p.s[p.pos] == '=' {
		return nil, p.errAt(p.pos, `unexpected "=": use ":" for equality`)
	}
	return nil, p.errAt(p.pos, `expected ":" or comparison operator after %q`, tok)
}

// scanOp consumes <, <=, > or >=.
func (p *parser) scanOp() (Op, string) {
	c := p.s[p.pos]
	p.pos++
	eq := p.pos < len(p.s) && p.s[p.pos] == '='
	if eq {
		p.pos++
	}
	switch {
	case c == '<' && eq:
		return OpLe, "<="
	case c == '<':
		return OpLt, "<"
	case eq:
		return OpGe, ">="
	}
	return OpGt, ">"
}

func (p *parser) parseSimple(tok string, tpos int, op Op, opText string) (Expr, error) {
	p.skipWS()
	vpos := p.pos
	v, ok, err := p.scanValue(false)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, p.errAt(vpos, "expected value after %q", opText)
	}
	return &Compare{Token: tok, Op: op, Values: []Literal{v}, Pos: tpos}, nil
}

// scanValue reads a quoted or bare value at the current position. ok is
// false (and nothing consumed) when there is no value there. In range mode
// a bare value also ends before "..".
func (p *parser) scanValue(rangeMode bool) (Literal, bool, *SyntaxError) {
	if p.eof() {
		return Literal{}, false, nil
	}
	if isQuote(p.s[p.pos]) {
		return p.scanQuoted()
	}
	start := p.pos
	i := start
	for i < len(p.s) {
		c := p.s[i]
		if isSpace(c) || isValueStop(c) || (rangeMode && c == '.' && i+1 < len(p.s) && p.s[i+1] == '.') {
			break
		}
		i++
	}
	if i == start {
		return Literal{}, false, nil
	}
	text := p.s[start:i]
	if isKeyword(text) {
		return Literal{}, false, p.errAt(start, "expected value, found keyword %q (quote it to use it as a value)", text)
	}
	p.pos = i
	return Literal{Text: text, info: analyze(text)}, true, nil
}

func (p *parser) scanQuoted() (Literal, bool, *SyntaxError) {
	open := p.pos
	q := p.s[open]
	i := open + 1
	// Fast path: no escapes.
	for j := i; j < len(p.s); j++ {
		if p.s[j] == q {
			text := p.s[i:j]
			p.pos = j + 1
			return Literal{Text: text, Quote: rune(q), info: analyze(text)}, true, nil
		}
		if p.s[j] == '\\' {
			break
		}
	}
	var b strings.Builder
	for i < len(p.s) {
		c := p.s[i]
		if c == '\\' && i+1 < len(p.s) && (p.s[i+1] == q || p.s[i+1] == '\\') {
			b.WriteByte(p.s[i+1])
			i += 2
			continue
		}
		if c == q {
			p.pos = i + 1
			text := b.String()
			return Literal{Text: text, Quote: rune(q), info: analyze(text)}, true, nil
		}
		b.WriteByte(c)
		i++
	}
	return Literal{}, false, p.errAt(open, "unterminated quoted value (missing closing %c)", q)
}

func (p *parser) atDotDot() bool {
	return p.pos+1 < len(p.s) && p.s[p.pos] == '.' && p.s[p.pos+1] == '.'
}

// parseParenRHS handles token:( ... ): an exclusive range when the first
// value is followed by "..", otherwise a nested expression.
func (p *parser) parseParenRHS(tok string, tpos int) (Expr, error) {
	open := p.pos
	p.pos++
	p.skipWS()
	if lo, ok, err := p.scanValue(true); err == nil && ok {
		p.skipWS()
		if p.atDotDot() {
			return p.finishRange(tok, tpos, lo, open, true)
		}
	}
	p.pos = open
	if err := p.enter(open); err != nil {
		return nil, err
	}
	p.pos++
	inner, err := p.parseParenBody(open)
	if err != nil {
		return nil, err
	}
	p.depth--
	return &Nested{Token: tok, Inner: inner, Pos: tpos}, nil
}

// finishRange parses `".." rvalue closer` after the low end of a range.
func (p *parser) finishRange(tok string, tpos int, lo Literal, open int, exclusive bool) (Expr, error) {
	p.pos += 2
	p.skipWS()
	hpos := p.pos
	hi, ok, err := p.scanValue(true)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, p.errAt(hpos, `expected value after ".."`)
	}
	closer := byte(']')
	if exclusive {
		closer = ')'
	}
	p.skipWS()
	if p.eof() {
		return nil, p.errAt(p.pos, "missing %q to close range opened at position %d", closer, open)
	}
	if p.s[p.pos] != closer {
		return nil, p.errAt(p.pos, "expected %q to close range", closer)
	}
	p.pos++
	return &Range{Token: tok, Lo: lo, Hi: hi, Exclusive: exclusive, Pos: tpos}, nil
}

// parseBracketRHS handles token:[a .. b] and token:[a, b, ...].
func (p *parser) parseBracketRHS(tok string, tpos int) (Expr, error) {
	open := p.pos
	p.pos++
	p.skipWS()
	vpos := p.pos
	first, ok, err := p.scanValue(true)
	if err != nil {
		return nil, err
	}
	if !ok {
		if p.eof() {
			return nil, p.errAt(p.pos, `missing "]" to close "[" at position %d`, open)
		}
		return nil, p.errAt(vpos, `expected value after "["`)
	}
	p.skipWS()
	if p.atDotDot() {
		return p.finishRange(tok, tpos, first, open, false)
	}
	vals := []Literal{first}
	for {
		if p.eof() {
			return nil, p.errAt(p.pos, `missing "]" to close "[" at position %d`, open)
		}
		switch p.s[p.pos] {
		case ']':
			p.pos++
			return &Compare{Token: tok, Op: OpIn, Values: vals, Pos: tpos}, nil
		case ',':
			p.pos++
			p.skipWS()
			vpos := p.pos
			v, ok, err := p.scanValue(true)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, p.errAt(vpos, `expected value after ","`)
			}
			vals = append(vals, v)
			p.skipWS()
		default:
			return nil, p.errAt(p.pos, `expected "," or "]" in list`)
		}
	}
}
