package emulator

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// The V1 asset APIs (GAV 1.x, seed 004, csam-api.md §5.6): POST, every
// parameter in the query string, no body, the same envelope as V2. The
// filter is QQL, evaluated by package qql against assetResolver. The delta
// parameter is lastModifiedDate (V2: assetLastUpdated).

// parseV1 reads the V1 parameters; withQQL also reads the filter
// parameter. It answers the error itself and returns nil.
func (s *Server) parseV1(w http.ResponseWriter, r *http.Request, withQQL bool) *pageReq {
	q := r.URL.Query()
	pr := parseCommon(w, q, "lastModifiedDate")
	if pr == nil {
		return nil
	}
	if withQQL {
		query, err := parseAssetQuery(q.Get("filter"))
		if err != nil {
			msg, details := qqlErrorMessage(err)
			writeQualys(w, http.StatusBadRequest, msg, details)
			return nil
		}
		pr.query = query
	}
	return pr
}

// v1List serves /am/v1/assets/host/list: no filter (a filter parameter is
// ignored, as the list API does not take one).
func (s *Server) v1List(w http.ResponseWriter, r *http.Request) {
	if pr := s.parseV1(w, r, false); pr != nil {
		s.servePage(w, r, pr)
	}
}

// v1FilterList serves /am/v1/assets/host/filter/list.
func (s *Server) v1FilterList(w http.ResponseWriter, r *http.Request) {
	if pr := s.parseV1(w, r, true); pr != nil {
		s.servePage(w, r, pr)
	}
}

// v1Count serves /am/v1/assets/host/count: filter, lastSeenAssetId and
// lastModifiedDate.
func (s *Server) v1Count(w http.ResponseWriter, r *http.Request) {
	pr := s.parseV1(w, r, true)
	if pr == nil {
		return
	}
	if !r.URL.Query().Has("lastSeenAssetId") {
		pr.after = minCursor
	}
	s.serveCount(w, r, pr)
}

// v1Get serves /am/v1/asset/host/id?assetId=.
func (s *Server) v1Get(w http.ResponseWriter, r *http.Request) {
	id, ok := assetIDParam(w, r.URL.Query().Get("assetId"))
	if !ok {
		return
	}
	if pr := s.parseV1(w, r, false); pr != nil {
		s.serveOne(w, id, pr, &pageOut{})
	}
}

// snGet serves the ServiceNow-style export (seed 002, csam-api.md §5.5)
// under all three spellings the release notes use:
// /am/v2/sn/assets/host/id?assetId=N, /am/v2/sn/assets/host/N and
// /am/v2/sn/asset/host/N. The envelope says "Valid CMDB Subscription" and,
// as in the sample, lastSeenAssetId is the asset's id rather than null.
// Software instances are part of the asset as everywhere else.
func (s *Server) snGet(w http.ResponseWriter, r *http.Request) {
	v := r.PathValue("assetId")
	if v == "" || v == "id" {
		v = r.URL.Query().Get("assetId")
	}
	id, ok := assetIDParam(w, v)
	if !ok {
		return
	}
	pr := parseCommon(w, r.URL.Query(), "lastModifiedDate")
	if pr == nil {
		return
	}
	s.serveOne(w, id, pr, &pageOut{message: csamapi.MessageValidCMDB, lastSeen: &id})
}

// splitIDs parses a comma-separated id list ("78427696,78140051").
func splitIDs(s string) ([]int64, error) {
	var out []int64
	for _, p := range csamapi.SplitList(s) {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, errors.New("not a number: " + strings.TrimSpace(p))
		}
		out = append(out, n)
	}
	return out, nil
}
