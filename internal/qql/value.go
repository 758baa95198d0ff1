package qql

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Value is one value of a field of the record being evaluated. Set Str for
// text, Num/IsNum for numbers, Time/IsTime for instants and Obj for an
// object (list elements that are objects are one Value each). When a value
// is numeric or a time, Str may also hold its exact text (MapResolver does
// this for integers so int64 ids above 2^53 compare exactly).
type Value struct {
	Str    string
	Num    float64
	IsNum  bool
	Time   time.Time
	IsTime bool
	Obj    Resolver // for nested objects: the resolver of the element
}

// StringValue, NumberValue, TimeValue and ObjectValue build Values.
func StringValue(s string) Value   { return Value{Str: s} }
func NumberValue(f float64) Value  { return Value{Num: f, IsNum: true} }
func TimeValue(t time.Time) Value  { return Value{Time: t, IsTime: true} }
func ObjectValue(r Resolver) Value { return Value{Obj: r} }
func intValue(i int64) Value {
	return Value{Num: float64(i), IsNum: true, Str: strconv.FormatInt(i, 10)}
}
func uintValue(u uint64) Value {
	return Value{Num: float64(u), IsNum: true, Str: strconv.FormatUint(u, 10)}
}
func (v Value) isObjectOnly() bool    { return v.Obj != nil && v.Str == "" && !v.IsNum && !v.IsTime }
func (v Value) present() bool         { return v.Obj != nil || v.IsNum || v.IsTime || v.Str != "" }
func epochMs(ms int64) time.Time      { return time.UnixMilli(ms).UTC() }
func within(t, lo, hi time.Time) bool { return !t.Before(lo) && t.Before(hi) }

// Text returns the value as text: Str when set, otherwise the number or
// the RFC 3339 time.
func (v Value) Text() string {
	switch {
	case v.Str != "":
		return v.Str
	case v.IsNum:
		return strconv.FormatFloat(v.Num, 'f', -1, 64)
	case v.IsTime:
		return v.Time.Format(time.RFC3339Nano)
	}
	return ""
}

// litInfo is what a literal can be read as, computed once at parse time.
type litInfo struct {
	wild  bool   // contains * or ?
	stars bool   // only *
	pat   string // lower-cased pattern when wild

	isNum bool
	num   float64
	isInt bool
	i64   int64

	isTime bool // a date/time text (not an epoch number)
	t0, t1 time.Time

	isIP bool
	ip   netip.Addr
}

func analyze(s string) *litInfo {
	li := &litInfo{}
	if strings.ContainsAny(s, "*?") {
		li.wild = true
		li.stars = strings.Trim(s, "*") == ""
		li.pat = strings.Map(unicode.ToLower, s)
	}
	if f, i, isInt, ok := parseNumber(s); ok {
		li.isNum, li.num, li.isInt, li.i64 = true, f, isInt, i
	}
	if t0, t1, ok := parseTime(s); ok {
		li.isTime, li.t0, li.t1 = true, t0, t1
	}
	if ip, ok := parseIP(s); ok {
		li.isIP, li.ip = true, ip
	}
	return li
}

func (l *Literal) get() *litInfo {
	if l.info != nil {
		return l.info
	}
	return analyze(l.Text)
}

// parseNumber accepts [+-]digits[.digits][(e|E)[+-]digits] (also .5 and
// 5.), nothing else (no Inf, NaN, hex or underscores).
func parseNumber(s string) (f float64, i int64, isInt, ok bool) {
	n := len(s)
	j := 0
	if j < n && (s[j] == '+' || s[j] == '-') {
		j++
	}
	digits := 0
	for j < n && '0' <= s[j] && s[j] <= '9' {
		j++
		digits++
	}
	intOnly := true
	if j < n && s[j] == '.' {
		intOnly = false
		j++
		for j < n && '0' <= s[j] && s[j] <= '9' {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0, false, false
	}
	if j < n && (s[j] == 'e' || s[j] == 'E') {
		intOnly = false
		j++
		if j < n && (s[j] == '+' || s[j] == '-') {
			j++
		}
		ed := 0
		for j < n && '0' <= s[j] && s[j] <= '9' {
			j++
			ed++
		}
		if ed == 0 {
			return 0, 0, false, false
		}
	}
	if j != n {
		return 0, 0, false, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, 0, false, false
	}
	if intOnly {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return f, v, true, true
		}
	}
	return f, 0, false, true
}

var timeLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04",
}

// parseTime parses the accepted date/time texts and returns the interval
// [t0, t1) the text denotes: a whole day for a date, a whole second for a
// time with seconds, a whole minute without, and the precision of the
// fraction otherwise. Times without a zone are UTC.
func parseTime(s string) (t0, t1 time.Time, ok bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' || !isDigit(s[0]) {
		return
	}
	if len(s) == 10 {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return
		}
		return t, t.AddDate(0, 0, 1), true
	}
	if c := s[10]; c != 'T' && c != 't' && c != ' ' {
		return
	}
	u := strings.ToUpper(s[:10]) + "T" + strings.ToUpper(s[11:])
	var t time.Time
	var err error
	for _, l := range timeLayouts {
		if t, err = time.Parse(l, u); err == nil {
			break
		}
	}
	if err != nil {
		return
	}
	// Precision from the text after "yyyy-MM-ddTHH:mm".
	gran := time.Minute
	if len(u) > 16 && u[16] == ':' {
		gran = time.Second
		if len(u) > 19 && (u[19] == '.' || u[19] == ',') {
			n := 0
			for k := 20; k < len(u) && isDigit(u[k]); k++ {
				n++
			}
			gran = time.Nanosecond
			for ; n < 9; n++ {
				gran *= 10
			}
		}
	}
	return t, t.Add(gran), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func parseIP(s string) (netip.Addr, bool) {
	if len(s) < 2 || !(strings.IndexByte(s, '.') > 0 || strings.IndexByte(s, ':') >= 0) {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	return a, err == nil
}

// fieldNum reads v as a number: numeric values, and with allowStr numeric
// text too.
func fieldNum(v Value, allowStr bool) (f float64, i int64, isInt, ok bool) {
	if v.IsNum {
		if v.Str != "" {
			if n, err := strconv.ParseInt(v.Str, 10, 64); err == nil {
				return v.Num, n, true, true
			}
		}
		if v.Num == math.Trunc(v.Num) && math.Abs(v.Num) < 1<<53 {
			return v.Num, int64(v.Num), true, true
		}
		return v.Num, 0, false, true
	}
	if allowStr && v.Str != "" {
		return parseNumber(v.Str)
	}
	return 0, 0, false, false
}

// fieldDate reads v as an instant when it is a time or date/time text.
func fieldDate(v Value) (time.Time, bool) {
	if v.IsTime {
		return v.Time, true
	}
	if v.Str != "" && !v.IsNum {
		t, _, ok := parseTime(v.Str)
		return t, ok
	}
	return time.Time{}, false
}

// fieldTime reads v as an instant: times, numbers as epoch milliseconds,
// and date/time or epoch-millisecond text.
func fieldTime(v Value) (time.Time, bool) {
	switch {
	case v.IsTime:
		return v.Time, true
	case v.IsNum:
		if _, i, isInt, ok := fieldNum(v, false); ok && isInt {
			return epochMs(i), true
		}
		return time.Time{}, false
	case v.Str != "":
		if t, _, ok := parseTime(v.Str); ok {
			return t, true
		}
		if _, i, isInt, ok := parseNumber(v.Str); ok && isInt {
			return epochMs(i), true
		}
	}
	return time.Time{}, false
}

func cmpNum(f float64, i int64, isInt bool, li *litInfo) int {
	if isInt && li.isInt {
		switch {
		case i < li.i64:
			return -1
		case i > li.i64:
			return 1
		}
		return 0
	}
	switch {
	case f < li.num:
		return -1
	case f > li.num:
		return 1
	}
	return 0
}

// matchEq implements token:lit for one field value.
func matchEq(v Value, l *Literal) bool {
	li := l.get()
	if li.stars {
		return v.present()
	}
	if v.isObjectOnly() {
		return false
	}
	if li.wild {
		return globFold(li.pat, v.Text())
	}
	if li.isNum && v.IsNum {
		f, i, isInt, _ := fieldNum(v, false)
		return cmpNum(f, i, isInt, li) == 0
	}
	if li.isTime {
		if t, ok := fieldTime(v); ok {
			return within(t, li.t0, li.t1)
		}
	} else if li.isInt && !v.IsNum {
		if t, ok := fieldDate(v); ok {
			return within(t, epochMs(li.i64), epochMs(li.i64).Add(time.Millisecond))
		}
	}
	text := v.Text()
	if li.isIP {
		if a, ok := parseIP(text); ok {
			return a == li.ip
		}
	}
	return strings.EqualFold(text, l.Text)
}

// matchOrd implements token<lit, <=, >, >= for one field value. For a
// literal denoting an interval [lo, hi) (dates): < means before lo, <=
// before hi, > at or after hi, >= at or after lo.
func matchOrd(v Value, l *Literal, op Op) bool {
	if v.isObjectOnly() {
		return false
	}
	li := l.get()
	var cLo, cHi int // comparisons of the field with the interval ends
	switch {
	case li.isNum:
		if f, i, isInt, ok := fieldNum(v, true); ok && !v.IsTime {
			cLo, cHi = point(cmpNum(f, i, isInt, li))
			break
		}
		// A time, or date text, against an integer: epoch milliseconds.
		t, ok := fieldDate(v)
		if !ok || !li.isInt {
			return false
		}
		e := epochMs(li.i64)
		cLo, cHi = t.Compare(e), t.Compare(e.Add(time.Millisecond))
	case li.isTime:
		t, ok := fieldTime(v)
		if !ok {
			return false
		}
		cLo, cHi = t.Compare(li.t0), t.Compare(li.t1)
	case li.isIP:
		a, ok := parseIP(v.Text())
		if !ok || a.Is4() != li.ip.Is4() {
			return false
		}
		cLo, cHi = point(a.Compare(li.ip))
	default:
		cLo, cHi = point(cmpFold(v.Text(), l.Text))
	}
	switch op {
	case OpLt:
		return cLo < 0
	case OpLe:
		return cHi < 0
	case OpGt:
		return cHi >= 0
	case OpGe:
		return cLo >= 0
	}
	return false
}

// point turns a comparison with a single point into the (lo, hi)
// comparisons of an interval [x, x+ε).
func point(c int) (int, int) {
	if c <= 0 {
		return c, -1
	}
	return c, 1
}

// globFold matches s against the lower-cased pattern p (* any run, ? one
// character), case-insensitively, in O(len(p)*len(s)) worst case.
func globFold(p, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		if px < len(p) {
			pr, pw := utf8.DecodeRuneInString(p[px:])
			sr, sw := utf8.DecodeRuneInString(s[sx:])
			if pr == '*' {
				starP, starS = px, sx
				px += pw
				continue
			}
			if pr == '?' || pr == unicode.ToLower(sr) {
				px += pw
				sx += sw
				continue
			}
		}
		if starP < 0 {
			return false
		}
		_, sw := utf8.DecodeRuneInString(s[starS:])
		starS += sw
		px, sx = starP+1, starS
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

// cmpFold compares a and b case-insensitively (by lower-cased runes).
func cmpFold(a, b string) int {
	for a != "" && b != "" {
		ra, wa := utf8.DecodeRuneInString(a)
		rb, wb := utf8.DecodeRuneInString(b)
		ra, rb = unicode.ToLower(ra), unicode.ToLower(rb)
		if ra != rb {
			if ra < rb {
				return -1
			}
			return 1
		}
		a, b = a[wa:], b[wb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}
