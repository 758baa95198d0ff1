package emulator

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// Software components (seeds 002 and 003, csam-api.md §5.2): the libraries
// inside installed software. They are derived from each asset's current
// software list, so they follow imports and change simulation: a software
// record yields one to three libraries of one ecosystem (.NET, Java,
// Python, Node.js, Go) when it has softwareInstances, or when its name
// hashes into a small fixed share. Which records yield components depends
// on the software's name only (every host with the same product carries
// the same libraries); versions and dates depend on the host too.
//
// Component ids are int64 around 1.735e12 like the sample's, strictly
// ascending in (assetId, position): id = componentBase + assetId*32 + k.
// The cursor lastSeenAssetComponentId therefore maps straight back to an
// asset and a position, as lastSeenAssetId does for assets.

const (
	componentBase     = 1_735_000_000_000
	componentsPerHost = 32 // at most, so that ids stay ascending per asset
	maxComponentPage  = 1000
	componentTimeFmt  = "2006-01-02 15:04:05"
)

type ecosystem struct {
	tech string
	libs [][]string // name, then versions oldest first
	path string     // installPath format: product dir, library
	rel  string     // path of a library under the software's own installPath
}

var ecosystems = []ecosystem{
	{".NET", [][]string{{"Newtonsoft.Json", "12.0.3", "13.0.1", "13.0.3"}, {"System.Text.Json", "6.0.0", "8.0.4"}, {"log4net", "2.0.15", "3.0.1"},
		{"NLog", "4.7.15", "5.3.2"}, {"Microsoft.Data.SqlClient", "5.1.5", "5.2.1"}, {"Serilog", "3.1.1", "4.0.0"}}, `C:\Program Files\%s\bin\%s.dll`, "bin/%s.dll"},
	{"Java", [][]string{{"log4j-core", "2.14.1", "2.17.1", "2.23.1"}, {"commons-lang3", "3.12.0", "3.14.0"}, {"jackson-databind", "2.13.4", "2.17.1"},
		{"spring-core", "5.3.31", "6.1.8"}, {"guava", "31.1-jre", "33.2.1-jre"}, {"commons-text", "1.9", "1.10.0"}, {"netty-handler", "4.1.94.Final", "4.1.111.Final"},
		{"snakeyaml", "1.33", "2.2"}}, "/opt/%s/lib/%s.jar", "lib/%s.jar"},
	{"Python", [][]string{{"requests", "2.28.2", "2.32.3"}, {"urllib3", "1.26.18", "2.2.2"}, {"PyYAML", "5.4.1", "6.0.1"}, {"cryptography", "41.0.7", "42.0.8"},
		{"Jinja2", "3.1.3", "3.1.4"}, {"certifi", "2023.7.22", "2024.7.4"}}, "/usr/lib/python3/dist-packages/%s/%s", "lib/python3/site-packages/%s"},
	{"Node.js", [][]string{{"lodash", "4.17.20", "4.17.21"}, {"express", "4.18.2", "4.19.2"}, {"axios", "0.27.2", "1.7.2"}, {"minimist", "1.2.5", "1.2.8"},
		{"moment", "2.29.1", "2.30.1"}, {"ws", "7.5.9", "8.17.1"}}, "/usr/lib/node_modules/%s/node_modules/%s", "node_modules/%s"},
	{"Go", [][]string{{"golang.org/x/net", "0.17.0", "0.26.0"}, {"golang.org/x/crypto", "0.14.0", "0.24.0"}, {"github.com/gorilla/mux", "1.8.0", "1.8.1"},
		{"google.golang.org/grpc", "1.58.3", "1.64.0"}}, "/usr/local/%s/bin/%s", "bin/%s"},
}

// Ecosystems by platform: Windows hosts lean to .NET.
var (
	windowsEcos = []int{0, 0, 1, 3}
	otherEcos   = []int{1, 1, 2, 3, 4}
)

// component is one software component of one asset.
type component struct {
	id                        int64
	asset                     int64
	name, version, tech, path string
	first, last               int64 // ms
}

// componentsOf derives the components of an asset from its software.
func componentsOf(id int64, sw []csamapi.Software, created, modified int64, windows bool) []component {
	var out []component
	ecos := otherEcos
	if windows {
		ecos = windowsEcos
	}
	for k := range sw {
		s := &sw[k]
		name := csamapi.Str(s.FullName)
		if name == "" {
			name = csamapi.Str(s.ProductName)
		}
		hv := hashString("component\x00" + name)
		if len(s.SoftwareInstances) == 0 && hv%100 >= 4 {
			continue
		}
		eco := &ecosystems[ecos[hv>>8%uint64(len(ecos))]]
		dir := strings.ReplaceAll(strings.ToLower(csamapi.Str(s.ProductName)), " ", "-")
		if dir == "" {
			dir = strings.ReplaceAll(strings.ToLower(name), " ", "-")
		}
		n := 1 + int(hv>>16%3)
		start := int(hv >> 24 % uint64(len(eco.libs)))
		for j := range n {
			if len(out) == componentsPerHost {
				return out
			}
			lib := eco.libs[(start+j)%len(eco.libs)]
			vh := mix(hv ^ uint64(id)*0x9e3779b97f4a7c15 ^ uint64(j))
			ver := lib[1+int(vh%uint64(len(lib)-1))]
			first := created + int64(vh>>8%(30*86400))*1000
			if s.InstallDate.Known {
				first = s.InstallDate.T.UnixMilli()
			}
			first = min(first, modified)
			last := max(first, modified-int64(vh>>32%86400)*1000)
			path := fmt.Sprintf(eco.path, dir, lib[0])
			if p := strings.TrimRight(csamapi.Str(s.InstallPath), `/\`); p != "" {
				rel := fmt.Sprintf(eco.rel, lib[0])
				if strings.Contains(p, `\`) {
					rel = strings.ReplaceAll(rel, "/", `\`)
					p += `\`
				} else {
					p += "/"
				}
				path = p + rel
			}
			out = append(out, component{
				id: componentBase + id*componentsPerHost + int64(len(out)), asset: id,
				name: lib[0], version: ver, tech: eco.tech, path: path,
				first: first / 1000 * 1000, last: last / 1000 * 1000,
			})
		}
	}
	return out
}

// entryComponents returns the components of a current asset. Caller
// holds the store's read lock.
func (s *Server) entryComponents(e entry) []component {
	if e.ov != nil {
		a := e.ov
		if a.SoftwareListData == nil {
			return nil
		}
		created, _ := timeMs(a.CreatedDate)
		modified, ok := timeMs(a.LastModifiedDate)
		if !ok {
			modified = created
		}
		win := a.OperatingSystem != nil && csamapi.Str(a.OperatingSystem.Category1) == "Windows"
		return componentsOf(e.id, a.SoftwareListData.Software, created, modified, win)
	}
	g := s.store.gen
	h := g.header(e.idx)
	o := &osDefs[h.os]
	sw := g.software(&h, o, "")
	return componentsOf(e.id, sw.Software, h.created, h.modified, h.fam == famWinServer || h.fam == famWinClient)
}

// Component filter tokens (seed 003 adds the two dates).
const (
	fieldCompFirstFound = "component.firstFoundDate"
	fieldCompLastFound  = "component.lastFoundDate"
	fieldCompName       = "component.name"
	fieldCompVersion    = "component.version"
	fieldCompTech       = "component.technology"
)

var componentFields = map[string]csamapi.FieldType{
	fieldCompFirstFound: csamapi.Date, fieldCompLastFound: csamapi.Date,
	fieldCompName: csamapi.String, fieldCompVersion: csamapi.String, fieldCompTech: csamapi.String,
}

type compMatcher func(c *component) bool

type componentFilter struct {
	ms []compMatcher
	or bool
}

func (f *componentFilter) match(c *component) bool {
	if f == nil || len(f.ms) == 0 {
		return true
	}
	for _, m := range f.ms {
		if m(c) == f.or {
			return f.or
		}
	}
	return !f.or
}

// compDate parses a component date filter value in the formats seed 003
// lists (yyyy-MM-ddTHH:mm:ssZ, yyyy-MM-ddTHHZ, yyyy-MM-ddTHH:mmZ,
// yyyy-MM-dd) and the sample's "yyyy-MM-dd HH:mm:ss", and returns the
// instant and the precision the value was written with.
func compDate(v string) (time.Time, time.Duration, bool) {
	v = strings.TrimSpace(v)
	t, ok := csamapi.ParseTime(v)
	if !ok {
		return time.Time{}, 0, false
	}
	if strings.Trim(v, "0123456789") == "" { // epoch milliseconds
		return t, time.Millisecond, true
	}
	_, clock, _ := strings.Cut(strings.Replace(v, " ", "T", 1), "T")
	clock = strings.TrimSuffix(strings.TrimSuffix(clock, "Z"), "z")
	switch strings.Count(clock, ":") {
	case 0:
		if clock == "" {
			return t, 24 * time.Hour, true
		}
		return t, time.Hour, true
	case 1:
		return t, time.Minute, true
	}
	return t, time.Second, true
}

// compileComponentFilter validates the componentFilter. Date comparisons
// honour the precision of the value: EQUALS 2025-10-14 is the whole day,
// GREATER 2024-12-19 starts on the 20th, LESS_THAN_EQUAL 2025-10-18T06Z
// includes 06:59:59.
func compileComponentFilter(req csamapi.FilterRequest) (*componentFilter, error) {
	f := &componentFilter{or: strings.EqualFold(req.Operation, "OR")}
	switch strings.ToUpper(req.Operation) {
	case "", "AND", "OR":
	default:
		return nil, fmt.Errorf("operation %q (want AND or OR)", req.Operation)
	}
	for i, c := range req.Filters {
		ft, ok := componentFields[c.Field]
		if !ok {
			return nil, fmt.Errorf("filters[%d]: unknown field %q (supported: %s)", i, c.Field, strings.Join(slices.Sorted(maps.Keys(componentFields)), ", "))
		}
		if !slices.Contains(csamapi.OperatorsByType[ft], c.Operator) {
			return nil, fmt.Errorf("filters[%d]: operator %q is not allowed for %s field %q (allowed: %s)", i, c.Operator, ft, c.Field, strings.Join(csamapi.OperatorsByType[ft], ", "))
		}
		if ft == csamapi.Date {
			t, prec, ok := compDate(c.Value)
			if !ok {
				return nil, fmt.Errorf("filters[%d]: %q wants a date (yyyy-MM-ddTHH:mm:ssZ, yyyy-MM-ddTHHZ, yyyy-MM-ddTHH:mmZ or yyyy-MM-dd), got %q", i, c.Field, c.Value)
			}
			lo, hi := t.UnixMilli(), t.Add(prec).UnixMilli()
			get := func(x *component) int64 { return x.first }
			if c.Field == fieldCompLastFound {
				get = func(x *component) int64 { return x.last }
			}
			var pred func(int64) bool
			switch c.Operator {
			case csamapi.OpEquals:
				pred = func(x int64) bool { return x >= lo && x < hi }
			case csamapi.OpNotEquals:
				pred = func(x int64) bool { return x < lo || x >= hi }
			case csamapi.OpGreater:
				pred = func(x int64) bool { return x >= hi }
			case csamapi.OpGreaterThanEqual:
				pred = func(x int64) bool { return x >= lo }
			case csamapi.OpLesser:
				pred = func(x int64) bool { return x < lo }
			default: // LESS_THAN_EQUAL
				pred = func(x int64) bool { return x < hi }
			}
			f.ms = append(f.ms, func(x *component) bool { return pred(get(x)) })
			continue
		}
		if c.Operator == csamapi.OpIn && len(csamapi.SplitList(c.Value)) == 0 {
			return nil, fmt.Errorf("filters[%d]: IN on %q needs at least one value", i, c.Field)
		}
		get := func(x *component) string { return x.name }
		switch c.Field {
		case fieldCompVersion:
			get = func(x *component) string { return x.version }
		case fieldCompTech:
			get = func(x *component) string { return x.tech }
		}
		pred, neg := strPred(c), c.Operator == csamapi.OpNotEquals
		f.ms = append(f.ms, func(x *component) bool { return pred(get(x)) != neg })
	}
	return f, nil
}

// componentRequest is the body: componentFilter, and syn-con's
// assetSoftwareFilter sibling (an asset filter in the V2 grammar).
type componentRequest struct {
	ComponentFilter     jsontext.Value `json:"componentFilter"`
	AssetSoftwareFilter jsontext.Value `json:"assetSoftwareFilter"`
}

// AssetComponent is one assetComponentsList[] entry.
type AssetComponent struct {
	AssetID   int64 `json:"assetId"`
	Component struct {
		AssetComponentID int64  `json:"assetComponentId"`
		Name             string `json:"name"`
		Version          string `json:"version"`
		Technology       string `json:"technology"`
		InstallPath      string `json:"installPath"`
		FirstFoundAt     string `json:"firstFoundAt"`
		LastFoundAt      string `json:"lastFoundAt"`
	} `json:"component"`
}

func (c *component) wire() AssetComponent {
	var out AssetComponent
	out.AssetID = c.asset
	x := &out.Component
	x.AssetComponentID, x.Name, x.Version, x.Technology, x.InstallPath = c.id, c.name, c.version, c.tech, c.path
	x.FirstFoundAt, x.LastFoundAt = ms(c.first).Format(componentTimeFmt), ms(c.last).Format(componentTimeFmt)
	return out
}

type componentPage struct {
	ResponseMessage      string           `json:"responseMessage"`
	Count                int64            `json:"count"`
	ResponseCode         string           `json:"responseCode,omitzero"`
	HasMore              *int64           `json:"hasMore,omitzero"`
	LastAssetComponentID *int64           `json:"lastAssetComponentId"`
	AssetComponentsList  []AssetComponent `json:"assetComponentsList"`
}

// components serves POST /rest/2.0/am/asset/component and
// /rest/2.0/am/asset/component/{assetId}: pageSize (default 100, at most
// 1000, 416 above), lastSeenAssetComponentId, and the filter body. The seed
// prints the body without its outer braces ("componentFilter": {...});
// that form is accepted too.
func (s *Server) components(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pageSize := csamapi.DefaultServerPageSize
	if v := strings.TrimSpace(q.Get("pageSize")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			writeQualys(w, http.StatusBadRequest, "Invalid pageSize value: "+v, "pageSize must be a number")
			return
		}
		if n > maxComponentPage {
			writeQualys(w, http.StatusRequestedRangeNotSatisfiable, "Please provide a Page Size value less than the max page size limit set.",
				fmt.Sprintf("Max page size is %d", maxComponentPage))
			return
		}
		if n > 0 {
			pageSize = n
		}
	}
	cursor := int64(0)
	if v := strings.TrimSpace(q.Get("lastSeenAssetComponentId")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeQualys(w, http.StatusBadRequest, "Invalid lastSeenAssetComponentId value: "+v, "lastSeenAssetComponentId must be a number")
			return
		}
		cursor = n
	}
	only, one := int64(0), false
	if v := r.PathValue("assetId"); v != "" {
		id, ok := assetIDParam(w, v)
		if !ok {
			return
		}
		only, one = id, true
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		writeQualys(w, http.StatusBadRequest, "Could not read the request body", err.Error())
		return
	}
	cf, af, err := parseComponentBody(body)
	if err != nil {
		writeQualys(w, http.StatusBadRequest, "Invalid component filter request: "+err.Error(), err.Error())
		return
	}

	st := s.store
	var items []component
	hasMore := false
	var atCursor *component
	st.mu.RLock()
	visit := func(e entry) bool {
		if af != nil && !s.matches(e, &pageReq{filter: af}) {
			return true
		}
		for _, c := range s.entryComponents(e) {
			if c.id == cursor {
				atCursor = &c
			}
			if c.id <= cursor || !cf.match(&c) {
				continue
			}
			if len(items) == pageSize {
				hasMore = true
				return false
			}
			items = append(items, c)
		}
		return true
	}
	if one {
		e, ok := st.lookup(only)
		if !ok {
			st.mu.RUnlock()
			w.WriteHeader(http.StatusNoContent)
			return
		}
		visit(e)
	} else {
		// The cursor's asset is scanned again: it may hold more components.
		from := minCursor
		if cursor >= componentBase {
			from = (cursor-componentBase)/componentsPerHost - 1
		}
		st.scan(from, visit)
	}
	st.mu.RUnlock()

	page := componentPage{ResponseMessage: csamapi.MessageValidAPIAccess, ResponseCode: csamapi.ResponseSuccess}
	var hm int64
	if hasMore {
		hm = 1
	}
	page.HasMore = &hm
	page.AssetComponentsList = make([]AssetComponent, 0, len(items))
	for k := range items {
		page.AssetComponentsList = append(page.AssetComponentsList, items[k].wire())
	}
	if len(items) > 0 {
		last := items[len(items)-1].id
		page.LastAssetComponentID = &last
	}
	cut := cutNone
	wrongType := false
	if s.faults.anyOn() {
		path := r.URL.Path
		take := func(name string) bool { _, _, ok := s.faults.take(name, path, true); return ok }
		if len(items) == 0 {
			if take(FaultEmptyHasMore) {
				one := int64(1)
				page.HasMore, page.LastAssetComponentID = &one, &cursor
			}
		} else {
			if atCursor != nil && take(FaultRepeatLast) {
				page.AssetComponentsList = append([]AssetComponent{atCursor.wire()}, page.AssetComponentsList...)
			}
			if take(FaultStuckCursor) {
				page.LastAssetComponentID = &cursor
			}
			if take(FaultNoHasMore) {
				page.HasMore = nil
			}
			if take(FaultNoResponseCode) {
				page.ResponseCode = ""
			}
			wrongType = take(FaultWrongType)
			switch {
			case take(FaultTruncate):
				cut = cutTruncate
			case take(FaultReset):
				cut = cutReset
			}
		}
	}
	page.Count = int64(len(page.AssetComponentsList))
	if page.Count == 0 && (page.HasMore == nil || *page.HasMore == 0) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	raw, err := json.Marshal(page, jsonOpts)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if wrongType {
		const key = `"assetComponentsList":[`
		if k := bytes.Index(raw, []byte(key)); k >= 0 {
			k += len(key)
			raw = append(raw[:k:k], wrongTypeAssetID(raw[k:])...)
		}
	}
	s.writeRaw(w, raw, cut)
}

// parseComponentBody reads the component request body: nil filters when
// it is empty.
func parseComponentBody(body []byte) (*componentFilter, *compiledFilter, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, nil, nil
	}
	if body[0] == '"' {
		body = append(append([]byte("{"), body...), '}')
	}
	var req componentRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errBadBody, err)
	}
	var cf *componentFilter
	if len(req.ComponentFilter) > 0 && req.ComponentFilter.Kind() != 'n' {
		fr, err := parseJSONFilter(req.ComponentFilter)
		if err != nil {
			return nil, nil, err
		}
		if cf, err = compileComponentFilter(fr); err != nil {
			return nil, nil, err
		}
	}
	var af *compiledFilter
	if len(req.AssetSoftwareFilter) > 0 && req.AssetSoftwareFilter.Kind() != 'n' {
		fr, err := parseJSONFilter(req.AssetSoftwareFilter)
		if err != nil {
			return nil, nil, err
		}
		if af, err = compileFilter(fr); err != nil {
			return nil, nil, fmt.Errorf("assetSoftwareFilter: %w", err)
		}
	}
	return cf, af, nil
}

// writeRaw writes a whole JSON body, cut in the middle by the truncate
// and reset faults.
func (s *Server) writeRaw(w http.ResponseWriter, raw []byte, cut int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if cut == cutNone {
		w.Write(raw)
		return
	}
	w.Write(raw[:len(raw)/2])
	if cut == cutReset {
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
}
