package emulator

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// Organizations and subsidiaries (seed 002, csam-api.md §5.1). Every asset
// belongs to one organization of a fixed set, chosen from the asset's own
// hash stream and sent as organizationName; the organization APIs
// aggregate over the current assets: assets = how many belong to it,
// truRisk = the mean riskScore of those that have one (the assets' 0-1000
// TruRisk scale), lastUpdated = the latest lastModifiedDate among them.
// Every organization of the set is listed, even with no assets.

// orgDef is one organization of the fixed set.
type orgDef struct {
	name, country string
	weight        int
	businessValue int64
	userDefined   bool
	bvSource      string // businessValueSource
	dateOnly      bool   // lastUpdated as "2025-10-15" (sample 1) rather than a timestamp (sample 2)
}

var orgDefs = []orgDef{
	{"Example Corp", "US", 30, 950, false, "EASM", true},
	{"Example Corp Cloud Services LLC", "US", 12, 310, false, "EASM", true},
	{"Example Payments Inc.", "US", 8, 420, true, "username", false},
	{"Example Corp Canada Ltd.", "CA", 10, 95, true, "username", false},
	{"Example Technologies India Pvt. Ltd.", "IN", 12, 120, false, "EASM", true},
	{"Example Labs Pune", "IN", 5, 40, false, "EASM", true},
	{"Example Corp Netherlands B.V.", "NL", 8, 75, false, "EASM", true},
	{"Example Corp GmbH", "DE", 7, 88, false, "EASM", true},
	{"Example Corp UK Ltd", "GB", 6, 64, true, "username", false},
	{"Example Ventures Pty Ltd", "AU", 2, 12, false, "EASM", true},
}

var orgTotal = func() int {
	n := 0
	for _, o := range orgDefs {
		n += o.weight
	}
	return n
}()

// orgFor picks an organization index from a hash, by weight.
func orgFor(h uint64) uint8 {
	w := int(h % uint64(orgTotal))
	for k, o := range orgDefs {
		if w < o.weight {
			return uint8(k)
		}
		w -= o.weight
	}
	return 0
}

// orgIndex returns the index of the organization an asset names, or -1.
func orgIndex(a *csamapi.Asset) int {
	for _, n := range a.OrganizationName {
		for k := range orgDefs {
			if orgDefs[k].name == n {
				return k
			}
		}
	}
	return -1
}

// orgAgg is what the organization APIs report per organization.
type orgAgg struct {
	assets, riskSum, riskN, lastMs int64
}

// orgBase holds the aggregates of the untouched base assets, computed
// once: the base never changes, so a request only corrects them for the
// overlay and the deleted set.
type orgBase struct {
	once sync.Once
	agg  []orgAgg
}

func (s *Server) baseOrgs() []orgAgg {
	b := &s.orgs
	b.once.Do(func() {
		g := s.store.gen
		b.agg = make([]orgAgg, len(orgDefs))
		for i := range g.n {
			h := g.header(i)
			addOrg(b.agg, int(h.org), h.risk, h.modified)
		}
	})
	return b.agg
}

func addOrg(agg []orgAgg, org int, risk, modified int64) {
	if org < 0 {
		return
	}
	a := &agg[org]
	a.assets++
	if risk >= 0 {
		a.riskSum += risk
		a.riskN++
	}
	a.lastMs = max(a.lastMs, modified)
}

func subOrg(agg []orgAgg, org int, risk int64) {
	a := &agg[org]
	a.assets--
	if risk >= 0 {
		a.riskSum -= risk
		a.riskN--
	}
}

// currentOrgs returns the aggregates over the current assets. The latest
// lastModifiedDate of the base is kept when base assets are deleted or
// changed (a maximum cannot be taken back cheaply).
func (s *Server) currentOrgs() []orgAgg {
	agg := slices.Clone(s.baseOrgs())
	st := s.store
	g := st.gen
	st.mu.RLock()
	defer st.mu.RUnlock()
	for id := range st.deleted {
		if i, ok := g.index(id); ok {
			h := g.header(i)
			subOrg(agg, int(h.org), h.risk)
		}
	}
	for id, a := range st.overlay {
		if i, ok := g.index(id); ok {
			h := g.header(i)
			subOrg(agg, int(h.org), h.risk)
		}
		risk := int64(-1)
		if a.RiskScore != nil {
			risk = *a.RiskScore
		}
		m, _ := timeMs(a.LastModifiedDate)
		addOrg(agg, orgIndex(a), risk, m)
	}
	return agg
}

// Organization filter tokens and operators (seed 002).
const (
	fieldOrgName    = "orgs.name"
	fieldOrgCountry = "orgs.country"
)

var orgOperators = []string{csamapi.OpContains, csamapi.OpIn, csamapi.OpEquals, csamapi.OpNotEquals}

// orgFilter is a compiled organization filter. Unlike asset tag names,
// organization names and countries match case-insensitively (they are
// display names; the seed's sample writes one in capitals).
type orgFilter struct {
	crit []csamapi.Criterion
	or   bool
}

func compileOrgFilter(req csamapi.FilterRequest) (*orgFilter, error) {
	f := &orgFilter{or: strings.EqualFold(req.Operation, "OR")}
	switch strings.ToUpper(req.Operation) {
	case "", "AND", "OR":
	default:
		return nil, fmt.Errorf("operation %q (want AND or OR)", req.Operation)
	}
	for i, c := range req.Filters {
		if c.Field != fieldOrgName && c.Field != fieldOrgCountry {
			return nil, fmt.Errorf("filters[%d]: unknown field %q (supported: %s, %s)", i, c.Field, fieldOrgName, fieldOrgCountry)
		}
		if !slices.Contains(orgOperators, c.Operator) {
			return nil, fmt.Errorf("filters[%d]: operator %q is not allowed for %q (allowed: %s)", i, c.Operator, c.Field, strings.Join(orgOperators, ", "))
		}
		if c.Operator == csamapi.OpIn && len(csamapi.SplitList(c.Value)) == 0 {
			return nil, fmt.Errorf("filters[%d]: IN on %q needs at least one value", i, c.Field)
		}
		f.crit = append(f.crit, c)
	}
	return f, nil
}

func (f *orgFilter) match(o *orgDef) bool {
	if len(f.crit) == 0 {
		return true
	}
	for _, c := range f.crit {
		v := o.name
		if c.Field == fieldOrgCountry {
			v = o.country
		}
		var m bool
		switch c.Operator {
		case csamapi.OpContains:
			m = strings.Contains(strings.ToLower(v), strings.ToLower(c.Value))
		case csamapi.OpIn:
			m = slices.ContainsFunc(csamapi.SplitList(c.Value), func(x string) bool { return strings.EqualFold(x, v) })
		case csamapi.OpNotEquals:
			m = !strings.EqualFold(strings.TrimSpace(c.Value), v)
		default:
			m = strings.EqualFold(strings.TrimSpace(c.Value), v)
		}
		if m == f.or {
			return f.or
		}
	}
	return !f.or
}

// readOrgFilter reads the optional JSON or XML filter body, answering 400
// itself.
func readOrgFilter(w http.ResponseWriter, r *http.Request) *orgFilter {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		writeQualys(w, http.StatusBadRequest, "Could not read the request body", err.Error())
		return nil
	}
	req, err := parseFilterBody(r.Header.Get("Content-Type"), body)
	if err != nil {
		writeQualys(w, http.StatusBadRequest, "Invalid filter request: the body is not a valid JSON or XML filter", err.Error())
		return nil
	}
	f, err := compileOrgFilter(req)
	if err != nil {
		writeQualys(w, http.StatusBadRequest, "Invalid filter request: "+err.Error(), err.Error())
		return nil
	}
	return f
}

// orgCount serves /rest/2.0/am/organization/count: a bare map country →
// number of matching organizations, no envelope.
func (s *Server) orgCount(w http.ResponseWriter, r *http.Request) {
	f := readOrgFilter(w, r)
	if f == nil {
		return
	}
	out := map[string]int64{}
	for k := range orgDefs {
		if f.match(&orgDefs[k]) {
			out[orgDefs[k].country]++
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// Organization is one organizationListData.organizations[] entry.
type Organization struct {
	Name                string `json:"name"`
	Assets              int64  `json:"assets"`
	TruRisk             int64  `json:"truRisk"`
	BusinessValue       int64  `json:"businessValue"`
	Country             string `json:"country"`
	OrgSource           string `json:"orgSource"`
	BusinessValueSource string `json:"businessValueSource"`
	Currency            string `json:"currency"`
	IsUserDefined       bool   `json:"isUserDefined"`
	LastUpdated         string `json:"lastUpdated"`
}

type orgListResponse struct {
	ResponseMessage      string `json:"responseMessage"`
	ResponseCode         string `json:"responseCode,omitzero"`
	HasMore              *int64 `json:"hasMore,omitzero"`
	Count                int64  `json:"count"`
	OrganizationListData struct {
		Organizations []Organization `json:"organizations"`
	} `json:"organizationListData"`
}

// Organizations returns every organization with its current aggregates,
// as the list API shows them.
func (s *Server) Organizations() []Organization {
	agg := s.currentOrgs()
	out := make([]Organization, len(orgDefs))
	for k := range orgDefs {
		o, a := &orgDefs[k], agg[k]
		last := a.lastMs
		if last == 0 {
			last = s.store.gen.refMs
		}
		lu := ms(last).Format("2006-01-02T15:04:05Z")
		if o.dateOnly {
			lu = ms(last).Format("2006-01-02")
		}
		var tr int64
		if a.riskN > 0 {
			tr = int64(math.Round(float64(a.riskSum) / float64(a.riskN)))
		}
		out[k] = Organization{
			Name: o.name, Assets: a.assets, TruRisk: tr, BusinessValue: o.businessValue, Country: o.country,
			OrgSource: "EASM", BusinessValueSource: o.bvSource, Currency: "USD", IsUserDefined: o.userDefined, LastUpdated: lu,
		}
	}
	return out
}

// orgList serves /rest/2.0/am/organization/list. The set is small, so one
// page holds it all (hasMore 0; the API documents no cursor). An empty
// result is 204, as on the asset APIs.
func (s *Server) orgList(w http.ResponseWriter, r *http.Request) {
	f := readOrgFilter(w, r)
	if f == nil {
		return
	}
	var resp orgListResponse
	resp.ResponseMessage, resp.ResponseCode = csamapi.MessageValidAPIAccess, csamapi.ResponseSuccess
	var zero int64
	resp.HasMore = &zero
	for k, o := range s.Organizations() {
		if f.match(&orgDefs[k]) {
			resp.OrganizationListData.Organizations = append(resp.OrganizationListData.Organizations, o)
		}
	}
	resp.Count = int64(len(resp.OrganizationListData.Organizations))
	if resp.Count == 0 {
		if _, _, ok := s.faults.take(FaultEmptyHasMore, r.URL.Path, true); ok {
			one := int64(1)
			resp.HasMore = &one
			resp.OrganizationListData.Organizations = []Organization{}
			writeJSON(w, http.StatusOK, resp)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if _, _, ok := s.faults.take(FaultNoHasMore, r.URL.Path, true); ok {
		resp.HasMore = nil
	}
	if _, _, ok := s.faults.take(FaultNoResponseCode, r.URL.Path, true); ok {
		resp.ResponseCode = ""
	}
	writeJSON(w, http.StatusOK, resp)
}
