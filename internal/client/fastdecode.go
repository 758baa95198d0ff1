package client

import (
	"errors"
	"fmt"
	"hash/maphash"
	"strings"
	"unicode/utf8"

	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Software records are about three quarters of a page's bytes (~120 per
// server), and the reflective default decoder spends its time there on
// field-name lookups, one allocation per pointer field and one per string.
// The hand-written decoders below (software list, lifecycle, time, string)
// produce exactly what the default decoder would — TestFastDecoderFields
// and FuzzFastDecoderMatchesDefault hold them to it — while allocating a
// record's pointer targets in one block, interning the short strings that
// repeat across records (publishers, categories, versions) and parsing each
// distinct date string once per page. They are registered as decoder
// options, so csamapi stays the single definition of the wire format.

// wireDecoder holds the per-page intern tables: direct-mapped caches
// (a colliding string replaces the previous one), which cost one hash and
// one compare where a map would cost a probe sequence and its growth.
type wireDecoder struct {
	strs    [4096]string
	times   [1024]csamapi.Time // parsed form of repeated date strings
	lastLen int                // software records of the previous host: the next list's capacity
}

const maxInternedLen = 64

var internSeed = maphash.MakeSeed()

// pageOptions returns decoder options with fresh per-page state.
func pageOptions() json.Options {
	w := new(wireDecoder)
	return json.WithUnmarshalers(json.JoinUnmarshalers(
		json.UnmarshalFromFunc(w.softwareList),
		json.UnmarshalFromFunc(w.lifecycle),
		json.UnmarshalFromFunc(w.time),
		json.UnmarshalFromFunc(w.plainString),
	))
}

// fastKnownSoftwareKeys lists the JSON keys decodeSoftware handles; the
// tests fail when csamapi.Software gains a field missing here.
var fastKnownSoftwareKeys = []string{
	"id", "discoverySources", "fullName", "softwareType", "isIgnored", "ignoredReason", "category",
	"category1", "category2", "productName", "component", "publisher", "edition", "marketVersion",
	"version", "update", "architecture", "installDate", "installPath", "lastUpdated", "lastUseDate",
	"language", "formerlyKnownAs", "isPackage", "isPackageComponent", "packageName", "productUrl",
	"productFamily", "lifecycle", "supportStageDesc", "license", "authorization", "discoveredPublisher",
	"discoveredName", "discoveredVersion", "authorizationDetectionScore", "cpeId", "cpe", "cpeType",
	"softwareInstances",
}

// fastKnownLifecycleKeys is the same for csamapi.Lifecycle.
var fastKnownLifecycleKeys = []string{
	"gaDate", "eolDate", "eosDate", "introDate", "obsoleteDate", "stage", "lifeCycleConfidence",
	"eolSupportStage", "eosSupportStage", "detectionScore",
}

// softwareBlock is every pointer target of one software record, allocated
// at once. Duplicate keys beyond its capacity fall back to new().
type softwareBlock struct {
	s [32]string
	b [3]bool
	i [1]int64
	n struct{ s, b, i int }
}

func (blk *softwareBlock) str(v string) *string {
	if blk.n.s < len(blk.s) {
		blk.s[blk.n.s] = v
		blk.n.s++
		return &blk.s[blk.n.s-1]
	}
	p := new(string) // not &v: that would move v to the heap on every call
	*p = v
	return p
}

func (blk *softwareBlock) bool(v bool) *bool {
	if blk.n.b < len(blk.b) {
		blk.b[blk.n.b] = v
		blk.n.b++
		return &blk.b[blk.n.b-1]
	}
	p := new(bool)
	*p = v
	return p
}

func (blk *softwareBlock) int(v int64) *int64 {
	if blk.n.i < len(blk.i) {
		blk.i[blk.n.i] = v
		blk.n.i++
		return &blk.i[blk.n.i-1]
	}
	p := new(int64)
	*p = v
	return p
}

// softwareList decodes csamapi.SoftwareListData ({"software":[...]}).
func (w *wireDecoder) softwareList(dec *jsontext.Decoder, l *csamapi.SoftwareListData) error {
	*l = csamapi.SoftwareListData{}
	if ok, err := beginObject(dec, "csamapi.SoftwareListData"); !ok {
		return err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if name.String() != "software" {
			if err := dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		switch k := dec.PeekKind(); k {
		case 'n':
			l.Software = nil
			if _, err := dec.ReadToken(); err != nil {
				return err
			}
			continue
		case '[':
		default:
			return mismatch(dec, k, "[]csamapi.Software")
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		l.Software = make([]csamapi.Software, 0, max(w.lastLen, 8))
		for dec.PeekKind() != ']' {
			l.Software = append(l.Software, csamapi.Software{})
			if err := w.software(dec, &l.Software[len(l.Software)-1]); err != nil {
				return err
			}
		}
		w.lastLen = len(l.Software)
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// software decodes one csamapi.Software.
func (w *wireDecoder) software(dec *jsontext.Decoder, s *csamapi.Software) error {
	if ok, err := beginObject(dec, "csamapi.Software"); !ok {
		return err
	}
	blk := new(softwareBlock)
	for dec.PeekKind() != '}' {
		name, err := readName(dec)
		if err != nil {
			return err
		}
		switch string(name) {
		case "id":
			s.ID, err = int64Value(dec)
		case "discoverySources":
			s.DiscoverySources, err = w.str(dec, blk)
		case "fullName":
			s.FullName, err = w.str(dec, blk)
		case "softwareType":
			s.SoftwareType, err = w.str(dec, blk)
		case "isIgnored":
			s.IsIgnored, err = boolPtr(dec, blk)
		case "ignoredReason":
			s.IgnoredReason, err = w.str(dec, blk)
		case "category":
			s.Category, err = w.str(dec, blk)
		case "category1":
			s.Category1, err = w.str(dec, blk)
		case "category2":
			s.Category2, err = w.str(dec, blk)
		case "productName":
			s.ProductName, err = w.str(dec, blk)
		case "component":
			s.Component, err = w.str(dec, blk)
		case "publisher":
			s.Publisher, err = w.str(dec, blk)
		case "edition":
			s.Edition, err = w.str(dec, blk)
		case "marketVersion":
			s.MarketVersion, err = w.str(dec, blk)
		case "version":
			s.Version, err = w.str(dec, blk)
		case "update":
			s.Update, err = w.str(dec, blk)
		case "architecture":
			s.Architecture, err = w.str(dec, blk)
		case "installDate":
			err = w.time(dec, &s.InstallDate)
		case "installPath":
			s.InstallPath, err = w.str(dec, blk)
		case "lastUpdated":
			err = w.time(dec, &s.LastUpdated)
		case "lastUseDate":
			err = w.time(dec, &s.LastUseDate)
		case "language":
			s.Language, err = w.str(dec, blk)
		case "formerlyKnownAs":
			s.FormerlyKnownAs, err = w.str(dec, blk)
		case "isPackage":
			s.IsPackage, err = boolPtr(dec, blk)
		case "isPackageComponent":
			s.IsPackageComponent, err = boolPtr(dec, blk)
		case "packageName":
			s.PackageName, err = w.str(dec, blk)
		case "productUrl":
			s.ProductURL, err = w.str(dec, blk)
		case "productFamily":
			s.ProductFamily, err = w.str(dec, blk)
		case "lifecycle":
			s.Lifecycle, err = w.lifecyclePtr(dec)
		case "supportStageDesc":
			s.SupportStageDesc, err = w.str(dec, blk)
		case "license":
			s.License, err = w.license(dec, blk)
		case "authorization":
			s.Authorization, err = w.str(dec, blk)
		case "discoveredPublisher":
			s.DiscoveredPublisher, err = w.str(dec, blk)
		case "discoveredName":
			s.DiscoveredName, err = w.str(dec, blk)
		case "discoveredVersion":
			s.DiscoveredVersion, err = w.str(dec, blk)
		case "authorizationDetectionScore":
			s.AuthorizationDetectionScore, err = int64Ptr(dec, blk)
		case "cpeId":
			err = s.CpeID.UnmarshalJSONFrom(dec)
		case "cpe":
			s.Cpe, err = w.str(dec, blk)
		case "cpeType":
			s.CpeType, err = w.str(dec, blk)
		case "softwareInstances":
			s.SoftwareInstances, err = softwareInstances(dec)
		default:
			err = dec.SkipValue()
		}
		if err != nil {
			return fieldError(dec, err)
		}
	}
	_, err := dec.ReadToken()
	return err
}

func (w *wireDecoder) license(dec *jsontext.Decoder, blk *softwareBlock) (*csamapi.License, error) {
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		return nil, err
	}
	if ok, err := beginObject(dec, "csamapi.License"); !ok {
		return nil, err
	}
	l := new(csamapi.License)
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return nil, err
		}
		switch name.String() {
		case "category":
			l.Category, err = w.str(dec, blk)
		case "subcategory":
			l.Subcategory, err = w.str(dec, blk)
		default:
			err = dec.SkipValue()
		}
		if err != nil {
			return nil, err
		}
	}
	_, err := dec.ReadToken()
	return l, err
}

func (w *wireDecoder) lifecyclePtr(dec *jsontext.Decoder) (*csamapi.Lifecycle, error) {
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		return nil, err
	}
	l := new(csamapi.Lifecycle)
	return l, w.lifecycle(dec, l)
}

// lifecycleBlock holds a lifecycle's pointer targets.
type lifecycleBlock struct {
	s [4]string
	t [2]csamapi.Time
	i int64
}

// lifecycle decodes csamapi.Lifecycle (software, operating system, hardware).
func (w *wireDecoder) lifecycle(dec *jsontext.Decoder, l *csamapi.Lifecycle) error {
	*l = csamapi.Lifecycle{}
	if ok, err := beginObject(dec, "csamapi.Lifecycle"); !ok {
		return err
	}
	var ns, nt int
	var heap *lifecycleBlock // allocated on the first pointer field
	str := func() (*string, error) {
		v, ok, err := w.stringValue(dec)
		if err != nil || !ok {
			return nil, err
		}
		if heap == nil {
			heap = new(lifecycleBlock)
		}
		if ns < len(heap.s) {
			heap.s[ns] = v
			ns++
			return &heap.s[ns-1], nil
		}
		p := new(string)
		*p = v
		return p, nil
	}
	tm := func() (*csamapi.Time, error) {
		if dec.PeekKind() == 'n' {
			_, err := dec.ReadToken()
			return nil, err
		}
		if heap == nil {
			heap = new(lifecycleBlock)
		}
		var p *csamapi.Time
		if nt < len(heap.t) {
			p = &heap.t[nt]
			nt++
		} else {
			p = new(csamapi.Time)
		}
		return p, w.time(dec, p)
	}
	for dec.PeekKind() != '}' {
		name, err := readName(dec)
		if err != nil {
			return err
		}
		switch string(name) {
		case "gaDate":
			err = w.time(dec, &l.GaDate)
		case "eolDate":
			err = w.time(dec, &l.EolDate)
		case "eosDate":
			err = w.time(dec, &l.EosDate)
		case "introDate":
			l.IntroDate, err = tm()
		case "obsoleteDate":
			l.ObsoleteDate, err = tm()
		case "stage":
			l.Stage, err = str()
		case "lifeCycleConfidence":
			l.LifeCycleConfidence, err = str()
		case "eolSupportStage":
			l.EolSupportStage, err = str()
		case "eosSupportStage":
			l.EosSupportStage, err = str()
		case "detectionScore":
			var v int64
			var null bool
			if v, null, err = int64OrNull(dec); err == nil && !null {
				if heap == nil {
					heap = new(lifecycleBlock)
				}
				heap.i = v
				l.DetectionScore = &heap.i
			} else if null {
				l.DetectionScore = nil
			}
		default:
			err = dec.SkipValue()
		}
		if err != nil {
			return fieldError(dec, err)
		}
	}
	_, err := dec.ReadToken()
	return err
}

// fieldError names the member whose value failed, which the library's
// error position (the enclosing object) leaves out.
func fieldError(dec *jsontext.Decoder, err error) error {
	var se *jsontext.SyntacticError
	var fe *memberError
	if errors.As(err, &se) || errors.As(err, &fe) {
		return err
	}
	return &memberError{name: dec.StackPointer().LastToken(), err: err}
}

type memberError struct {
	name string
	err  error
}

func (e *memberError) Error() string { return e.name + ": " + e.err.Error() }
func (e *memberError) Unwrap() error { return e.err }

// beginObject reads '{'; on null it consumes it and reports false with no
// error (the caller leaves the zero value, as the default decoder does).
func beginObject(dec *jsontext.Decoder, goType string) (bool, error) {
	switch k := dec.PeekKind(); k {
	case '{':
		_, err := dec.ReadToken()
		return err == nil, err
	case 'n':
		_, err := dec.ReadToken()
		return false, err
	default:
		return false, mismatch(dec, k, goType)
	}
}

// mismatch reports a JSON kind that does not fit the Go type. With kind 0
// (a syntax error ahead) it returns the decoder's own error.
func mismatch(dec *jsontext.Decoder, k jsontext.Kind, goType string) error {
	if k == 0 {
		_, err := dec.ReadToken()
		return err
	}
	return fmt.Errorf("cannot unmarshal %s into Go %s", kindName(k), goType)
}

// str reads a nullable string.
func (w *wireDecoder) str(dec *jsontext.Decoder, blk *softwareBlock) (*string, error) {
	v, ok, err := w.stringValue(dec)
	if err != nil || !ok {
		return nil, err
	}
	return blk.str(v), nil
}

// stringValue reads a string (ok) or null (!ok). Short strings without
// escapes are interned; anything unusual takes the library's own path so
// escapes and invalid UTF-8 come out exactly as the default decoder's.
func (w *wireDecoder) stringValue(dec *jsontext.Decoder) (string, bool, error) {
	switch k := dec.PeekKind(); k {
	case 'n':
		_, err := dec.ReadToken()
		return "", false, err
	case '"':
	default:
		return "", false, mismatch(dec, k, "string")
	}
	raw, err := dec.ReadValue()
	if err != nil {
		return "", false, err
	}
	b := raw[1 : len(raw)-1]
	if !plain(b) {
		s, err := unquoteSlow(raw)
		return s, err == nil, err
	}
	return w.intern(b), true, nil
}

// readName reads an object member name. The bytes are valid until the next
// read; only names with escapes (never seen in CSAM data) are copied.
func readName(dec *jsontext.Decoder) ([]byte, error) {
	raw, err := dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if b := raw[1 : len(raw)-1]; plain(b) {
		return b, nil
	}
	s, err := unquoteSlow(raw)
	return []byte(s), err
}

// unescape decodes a string body whose only escapes are the two-character
// ones (\" \\ \/ \b \f \n \r \t): Windows paths are full of them. \u
// escapes take the library's path, which owns surrogate handling.
func unescape(b []byte) (string, bool) {
	var out strings.Builder
	out.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\\' {
			if i++; i == len(b) {
				return "", false
			}
			switch c = b[i]; c {
			case '"', '\\', '/':
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			default:
				return "", false
			}
		}
		out.WriteByte(c)
	}
	if !utf8.ValidString(out.String()) {
		return "", false
	}
	return out.String(), true
}

// plainString decodes any other string through the intern table.
func (w *wireDecoder) plainString(dec *jsontext.Decoder, s *string) error {
	v, ok, err := w.stringValue(dec)
	if err == nil && ok {
		*s = v
	}
	if !ok && err == nil {
		*s = ""
	}
	return err
}

// unquoteSlow returns the value of a JSON string the library's way.
func unquoteSlow(raw jsontext.Value) (string, error) {
	if s, ok := unescape(raw[1 : len(raw)-1]); ok {
		return s, nil
	}
	var s string
	err := json.Unmarshal(raw, &s, jsontext.AllowInvalidUTF8(true))
	return s, err
}

// intern returns b as a string, shared with earlier equal short strings.
func (w *wireDecoder) intern(b []byte) string {
	if len(b) > maxInternedLen {
		return string(b)
	}
	slot := &w.strs[maphash.Bytes(internSeed, b)%uint64(len(w.strs))]
	if *slot == string(b) {
		return *slot
	}
	*slot = string(b)
	return *slot
}

// time decodes csamapi.Time. Dates repeat a lot within a page (install
// dates, scan dates), so the parsed form of a date string is reused; the
// result is csamapi.Text(s), exactly what Time's own decoder builds.
func (w *wireDecoder) time(dec *jsontext.Decoder, t *csamapi.Time) error {
	if dec.PeekKind() != '"' {
		return t.UnmarshalJSONFrom(dec)
	}
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	b := raw[1 : len(raw)-1]
	if !plain(b) || len(b) > maxInternedLen {
		s, err := unquoteSlow(raw)
		*t = csamapi.Text(s)
		return err
	}
	slot := &w.times[maphash.Bytes(internSeed, b)%uint64(len(w.times))]
	if slot.Kind == csamapi.TimeString && slot.Raw == string(b) {
		*t = *slot
		return nil
	}
	*t = csamapi.Text(w.intern(b))
	*slot = *t
	return nil
}

// plain reports whether the string body has no escapes and is valid UTF-8,
// so that its bytes are its value.
func plain(b []byte) bool {
	ascii := true
	for _, c := range b {
		if c == '\\' {
			return false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	return ascii || utf8.Valid(b)
}

func boolPtr(dec *jsontext.Decoder, blk *softwareBlock) (*bool, error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case 'n':
		return nil, nil
	case 't', 'f':
		return blk.bool(tok.Bool()), nil
	}
	return nil, fmt.Errorf("cannot unmarshal %s into Go bool", kindName(tok.Kind()))
}

func int64Ptr(dec *jsontext.Decoder, blk *softwareBlock) (*int64, error) {
	v, null, err := int64OrNull(dec)
	if err != nil || null {
		return nil, err
	}
	return blk.int(v), nil
}

// int64Value reads an integer; null leaves zero, as the default does.
func int64Value(dec *jsontext.Decoder) (int64, error) {
	v, _, err := int64OrNull(dec)
	return v, err
}

// int64OrNull parses the exact decimal text: a fraction, an exponent or a
// value outside int64 is an error (software ids are full 64-bit hashes and
// must never be rounded).
func int64OrNull(dec *jsontext.Decoder) (int64, bool, error) {
	switch k := dec.PeekKind(); k {
	case 'n':
		_, err := dec.ReadToken()
		return 0, true, err
	case '0':
	default:
		return 0, false, mismatch(dec, k, "int64")
	}
	raw, err := dec.ReadValue()
	if err != nil {
		return 0, false, err
	}
	v, ok := parseInt64(raw)
	if !ok {
		return 0, false, fmt.Errorf("cannot unmarshal JSON number %s into Go int64", raw)
	}
	return v, false, nil
}

func parseInt64(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	const limit = uint64(1) << 63
	switch {
	case neg && n <= limit:
		return int64(-n), true
	case !neg && n < limit:
		return int64(n), true
	}
	return 0, false
}

// softwareInstances decodes []csamapi.SoftwareInstance the way that type's
// own decoder does (exact numbers as csamapi.Number; a non-object entry
// becomes a nil map), without re-parsing each entry.
func softwareInstances(dec *jsontext.Decoder) ([]csamapi.SoftwareInstance, error) {
	switch k := dec.PeekKind(); k {
	case 'n':
		_, err := dec.ReadToken()
		return nil, err
	case '[':
	default:
		return nil, mismatch(dec, k, "[]csamapi.SoftwareInstance")
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	out := []csamapi.SoftwareInstance{}
	for dec.PeekKind() != ']' {
		v, err := csamapi.DecodeExact(dec)
		if err != nil {
			return nil, err
		}
		m, _ := v.(map[string]any)
		out = append(out, m)
	}
	_, err := dec.ReadToken()
	return out, err
}
