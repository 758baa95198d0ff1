package emulator

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// errBadBody is a filter body that does not parse at all.
var errBadBody = errors.New("malformed filter body")

// parseFilterBody reads the optional filter body of search and count. An
// empty body means "all assets". JSON and XML are accepted; the vendor's
// XML sample has no single root element (<filters>…</filters><operation>…),
// so the body is wrapped in one before parsing.
func parseFilterBody(contentType string, body []byte) (csamapi.FilterRequest, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return csamapi.FilterRequest{}, nil
	}
	if body[0] == '<' || strings.Contains(strings.ToLower(contentType), "xml") {
		return parseXMLFilter(body)
	}
	return parseJSONFilter(body)
}

// parseJSONFilter is lenient about the value's JSON kind (a number or a
// boolean is taken as its text), as the gateway's Jackson binding is.
func parseJSONFilter(body []byte) (csamapi.FilterRequest, error) {
	var raw struct {
		Filters []struct {
			Field    string         `json:"field"`
			Operator string         `json:"operator"`
			Value    jsontext.Value `json:"value"`
		} `json:"filters"`
		Operation string `json:"operation"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return csamapi.FilterRequest{}, fmt.Errorf("%w: %v", errBadBody, err)
	}
	req := csamapi.FilterRequest{Operation: raw.Operation}
	for _, f := range raw.Filters {
		c := csamapi.Criterion{Field: f.Field, Operator: f.Operator}
		switch v := f.Value; v.Kind() {
		case '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return csamapi.FilterRequest{}, fmt.Errorf("%w: %v", errBadBody, err)
			}
			c.Value = s
		case 0, 'n':
		default:
			c.Value = string(v)
		}
		req.Filters = append(req.Filters, c)
	}
	return req, nil
}

func parseXMLFilter(body []byte) (csamapi.FilterRequest, error) {
	if bytes.HasPrefix(body, []byte("<?xml")) {
		if k := bytes.Index(body, []byte("?>")); k >= 0 {
			body = body[k+2:]
		}
	}
	wrapped := make([]byte, 0, len(body)+13)
	wrapped = append(append(append(wrapped, "<root>"...), body...), "</root>"...)
	dec := xml.NewDecoder(bytes.NewReader(wrapped))
	var req csamapi.FilterRequest
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return req, nil
		}
		if err != nil {
			return csamapi.FilterRequest{}, fmt.Errorf("%w: %v", errBadBody, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "Criteria":
			var c csamapi.Criterion
			if err := dec.DecodeElement(&c, &se); err != nil {
				return csamapi.FilterRequest{}, fmt.Errorf("%w: %v", errBadBody, err)
			}
			c.Value = strings.TrimSpace(c.Value)
			req.Filters = append(req.Filters, c)
		case "operation":
			var op string
			if err := dec.DecodeElement(&op, &se); err != nil {
				return csamapi.FilterRequest{}, fmt.Errorf("%w: %v", errBadBody, err)
			}
			req.Operation = strings.TrimSpace(op)
		}
	}
}

// view gives filters access to one asset: fast header fields for base
// assets, the full asset (built lazily, without software) for the rest.
type view struct {
	g    *generator
	h    header
	ov   *csamapi.Asset
	full *csamapi.Asset
}

func (v *view) asset() *csamapi.Asset {
	if v.ov != nil {
		return v.ov
	}
	if v.full == nil {
		v.full = v.g.asset(v.h, genOpts{noSoftware: true, noDetail: true})
	}
	return v.full
}

func (v *view) modified() (int64, bool) {
	if v.ov == nil {
		return v.h.modified, true
	}
	return timeMs(v.ov.LastModifiedDate)
}

func (v *view) created() (int64, bool) {
	if v.ov == nil {
		return v.h.created, true
	}
	return timeMs(v.ov.CreatedDate)
}

func timeMs(t csamapi.Time) (int64, bool) {
	if !t.Known {
		return 0, false
	}
	return t.T.UnixMilli(), true
}

func (v *view) osCategory(level int) string {
	if v.ov == nil {
		o := &osDefs[v.h.os]
		switch {
		case v.h.unident && level == 1:
			return "Linux"
		case v.h.unident:
			return "Unidentified"
		case level == 1:
			return o.cat1
		}
		return o.cat2
	}
	os := v.ov.OperatingSystem
	if os == nil {
		return ""
	}
	if level == 1 {
		return csamapi.Str(os.Category1)
	}
	return csamapi.Str(os.Category2)
}

func (v *view) source() string {
	if v.ov == nil {
		return sourceNames[v.h.source]
	}
	if v.ov.Inventory == nil {
		return ""
	}
	return csamapi.Str(v.ov.Inventory.Source)
}

// tagMatch reports whether any tag satisfies fn.
func (v *view) anyTag(fn func(id int64, name string) bool) bool {
	if v.ov == nil {
		for b := range numTags {
			if v.h.tags&(1<<b) != 0 && fn(tagDefs[b].id, tagDefs[b].name) {
				return true
			}
		}
		return false
	}
	if v.ov.TagList == nil {
		return false
	}
	for _, t := range v.ov.TagList.Tag {
		if fn(t.TagID, csamapi.Str(t.TagName)) {
			return true
		}
	}
	return false
}

func (v *view) anyCustom(fn func(key, value string) bool) bool {
	if v.ov == nil {
		if v.h.custom < 0 {
			return false
		}
		for _, k := range customAttrSets[v.h.custom] {
			if fn(k, v.g.customValue(v.h.idx, k)) {
				return true
			}
		}
		return false
	}
	for _, c := range v.ov.CustomAttributes {
		if fn(csamapi.Str(c.Key), csamapi.Str(c.Value)) {
			return true
		}
	}
	return false
}

// matcher decides one criterion for one asset.
type matcher func(v *view) bool

// compiledFilter is a validated filter ready to run.
type compiledFilter struct {
	ms  []matcher
	or  bool
	any bool // at least one criterion
}

func (f *compiledFilter) match(v *view) bool {
	if !f.any {
		return true
	}
	for _, m := range f.ms {
		if m(v) == f.or {
			return f.or
		}
	}
	return !f.or
}

// compileFilter validates with csamapi (unknown token or an operator the
// token's type does not allow → the caller answers 400) and builds matchers.
func compileFilter(req csamapi.FilterRequest) (*compiledFilter, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	f := &compiledFilter{or: strings.EqualFold(req.Operation, "OR"), any: len(req.Filters) > 0}
	for _, c := range req.Filters {
		f.ms = append(f.ms, compileCriterion(c))
	}
	return f, nil
}

// Getters per token: single-valued numbers, strings and dates, and the
// multi-valued tag and custom-attribute tokens.
type (
	numGetter  func(v *view) (int64, bool)
	strGetter  func(v *view) (string, bool)
	multiMatch func(v *view, pred func(string) bool) bool
)

func fromAsset(get func(a *csamapi.Asset) *string) strGetter {
	return func(v *view) (string, bool) {
		p := get(v.asset())
		return csamapi.Str(p), p != nil
	}
}

func timeFromAsset(get func(a *csamapi.Asset) csamapi.Time) numGetter {
	return func(v *view) (int64, bool) { return timeMs(get(v.asset())) }
}

func numFromAsset(get func(a *csamapi.Asset) *int64) numGetter {
	return func(v *view) (int64, bool) {
		p := get(v.asset())
		if p == nil {
			return 0, false
		}
		return *p, true
	}
}

func compileCriterion(c csamapi.Criterion) matcher {
	switch c.Field {
	case csamapi.FieldAssetID, csamapi.FieldAssetIDAlt:
		return numMatcher(c, func(v *view) (int64, bool) { return v.h.id, true })
	case csamapi.FieldAssetName:
		return strMatcher(c, func(v *view) (string, bool) {
			if v.ov == nil {
				return v.g.name(&v.h), true
			}
			return csamapi.Str(v.ov.AssetName), v.ov.AssetName != nil
		})
	case csamapi.FieldLastUpdated, csamapi.FieldLastUpdatedDate:
		return dateMatcher(c, (*view).modified)
	case csamapi.FieldCreated, csamapi.FieldCreatedDate:
		return dateMatcher(c, (*view).created)
	case csamapi.FieldTagName:
		return multiStrMatcher(c, func(v *view, pred func(string) bool) bool {
			return v.anyTag(func(_ int64, name string) bool { return pred(name) })
		})
	case csamapi.FieldTagID:
		return multiNumMatcher(c, func(v *view, pred func(int64) bool) bool {
			return v.anyTag(func(id int64, _ string) bool { return pred(id) })
		})
	case csamapi.FieldOSCategory1:
		return strMatcher(c, func(v *view) (string, bool) { s := v.osCategory(1); return s, s != "" })
	case csamapi.FieldOSCategory2:
		return strMatcher(c, func(v *view) (string, bool) { s := v.osCategory(2); return s, s != "" })
	case csamapi.FieldInventorySource, csamapi.FieldTrackingMethod:
		return strMatcher(c, func(v *view) (string, bool) { s := v.source(); return s, s != "" })
	case csamapi.FieldCustomAttrKey:
		return multiStrMatcher(c, func(v *view, pred func(string) bool) bool {
			return v.anyCustom(func(k, _ string) bool { return pred(k) })
		})
	case csamapi.FieldCustomAttrValue:
		return multiStrMatcher(c, func(v *view, pred func(string) bool) bool {
			return v.anyCustom(func(_, val string) bool { return pred(val) })
		})
	case csamapi.FieldLastInventory:
		return dateMatcher(c, timeFromAsset(func(a *csamapi.Asset) csamapi.Time { return a.SensorLastUpdatedDate }))
	case csamapi.FieldInventoryCreated:
		return dateMatcher(c, timeFromAsset(func(a *csamapi.Asset) csamapi.Time {
			if a.Inventory == nil {
				return csamapi.Time{}
			}
			return a.Inventory.Created
		}))
	case csamapi.FieldInventoryUpdated:
		return dateMatcher(c, timeFromAsset(func(a *csamapi.Asset) csamapi.Time {
			if a.Inventory == nil {
				return csamapi.Time{}
			}
			return a.Inventory.LastUpdated
		}))
	case csamapi.FieldAssetType:
		return strMatcher(c, fromAsset(func(a *csamapi.Asset) *string { return a.AssetType }))
	case csamapi.FieldRiskScore:
		return numMatcher(c, numFromAsset(func(a *csamapi.Asset) *int64 { return a.RiskScore }))
	case csamapi.FieldCriticalityScore:
		return numMatcher(c, numFromAsset(func(a *csamapi.Asset) *int64 {
			if a.Criticality == nil {
				return nil
			}
			return a.Criticality.Score
		}))
	case csamapi.FieldHostID:
		return numMatcher(c, numFromAsset(func(a *csamapi.Asset) *int64 { return a.HostID }))
	case csamapi.FieldAgentID:
		return strMatcher(c, fromAsset(func(a *csamapi.Asset) *string { return a.AgentID }))
	case csamapi.FieldDomainRole:
		return strMatcher(c, fromAsset(func(a *csamapi.Asset) *string { return a.DomainRole }))
	case csamapi.FieldProvider:
		return strMatcher(c, fromAsset(func(a *csamapi.Asset) *string { return a.Provider }))
	}
	// A catalog token without match semantics here: valid, matches nothing.
	return func(*view) bool { return false }
}

// strPred builds the predicate of a string operator. EQUALS and IN are
// exact and case-sensitive (Brinqa: "option keys and values are
// case-sensitive"); CONTAINS is a case-insensitive substring test.
func strPred(c csamapi.Criterion) func(string) bool {
	switch c.Operator {
	case csamapi.OpIn:
		set := map[string]bool{}
		for _, s := range csamapi.SplitList(c.Value) {
			set[s] = true
		}
		return func(s string) bool { return set[s] }
	case csamapi.OpContains:
		want := strings.ToLower(c.Value)
		return func(s string) bool { return strings.Contains(strings.ToLower(s), want) }
	default: // EQUALS, and NOT_EQUALS negated by the caller
		return func(s string) bool { return s == c.Value }
	}
}

func strMatcher(c csamapi.Criterion, get strGetter) matcher {
	pred := strPred(c)
	neg := c.Operator == csamapi.OpNotEquals
	return func(v *view) bool {
		s, ok := get(v)
		if !ok {
			return neg
		}
		return pred(s) != neg
	}
}

// multiStrMatcher: a multi-valued token matches when any value does;
// NOT_EQUALS matches when none does.
func multiStrMatcher(c csamapi.Criterion, get multiMatch) matcher {
	pred := strPred(c)
	neg := c.Operator == csamapi.OpNotEquals
	return func(v *view) bool { return get(v, pred) != neg }
}

func numPred(c csamapi.Criterion) func(int64) bool {
	if c.Operator == csamapi.OpIn {
		set := map[int64]bool{}
		for _, s := range csamapi.SplitList(c.Value) {
			n, _ := strconv.ParseInt(s, 10, 64)
			set[n] = true
		}
		return func(x int64) bool { return set[x] }
	}
	want, _ := strconv.ParseInt(strings.TrimSpace(c.Value), 10, 64)
	return cmpPred(c.Operator, want)
}

func cmpPred(op string, want int64) func(int64) bool {
	switch op {
	case csamapi.OpGreater:
		return func(x int64) bool { return x > want }
	case csamapi.OpLesser:
		return func(x int64) bool { return x < want }
	case csamapi.OpGreaterThanEqual:
		return func(x int64) bool { return x >= want }
	case csamapi.OpLessThanEqual:
		return func(x int64) bool { return x <= want }
	default: // EQUALS, and NOT_EQUALS negated by the caller
		return func(x int64) bool { return x == want }
	}
}

func numMatcher(c csamapi.Criterion, get numGetter) matcher {
	pred := numPred(c)
	neg := c.Operator == csamapi.OpNotEquals
	return func(v *view) bool {
		x, ok := get(v)
		if !ok {
			return neg
		}
		return pred(x) != neg
	}
}

func multiNumMatcher(c csamapi.Criterion, get func(v *view, pred func(int64) bool) bool) matcher {
	pred := numPred(c)
	neg := c.Operator == csamapi.OpNotEquals
	return func(v *view) bool { return get(v, pred) != neg }
}

// dateMatcher compares at millisecond precision; EQUALS with a date-only
// value matches the whole UTC day.
func dateMatcher(c csamapi.Criterion, get numGetter) matcher {
	t, _ := csamapi.ParseTime(c.Value)
	want := t.UnixMilli()
	neg := c.Operator == csamapi.OpNotEquals
	var pred func(int64) bool
	if (c.Operator == csamapi.OpEquals || neg) && len(strings.TrimSpace(c.Value)) == len("2006-01-02") {
		end := t.Add(24 * time.Hour).UnixMilli()
		pred = func(x int64) bool { return x >= want && x < end }
	} else {
		pred = cmpPred(c.Operator, want)
	}
	return func(v *view) bool {
		x, ok := get(v)
		if !ok {
			return neg
		}
		return pred(x) != neg
	}
}
