package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// jsonOpts are the marshal options of every response: nil lists and maps
// are null as on the real API, and map keys are sorted so that the same
// seed always gives the same bytes.
var jsonOpts = json.JoinOptions(json.FormatNilSliceAsNull(true), json.FormatNilMapAsNull(true), json.Deterministic(true))

const maxBody = 1 << 20

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v, jsonOpts)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// springBody is the gateway's Spring-style error (the 401 fixture).
type springBody struct {
	Timestamp            string `json:"timestamp"`
	Path                 string `json:"path"`
	Status               int    `json:"status"`
	Error                string `json:"error"`
	Message              string `json:"message"`
	RequestID            string `json:"requestId"`
	ResponseCode         string `json:"responseCode"`
	ResponseErrorDetails string `json:"responseErrorDetails"`
}

func requestID() string {
	var b [4]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func writeSpring(w http.ResponseWriter, r *http.Request, status int, errText, message string) {
	writeJSON(w, status, springBody{
		Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05.000-0700"), Path: r.URL.Path, Status: status,
		Error: errText, Message: message, RequestID: requestID(), ResponseCode: csamapi.ResponseFailure, ResponseErrorDetails: errText,
	})
}

// qualysBody is the Qualys-style error of the asset APIs.
type qualysBody struct {
	ResponseMessage      string `json:"responseMessage"`
	ResponseCode         string `json:"responseCode"`
	ResponseErrorDetails string `json:"responseErrorDetails,omitempty"`
}

func writeQualys(w http.ResponseWriter, status int, msg, details string) {
	writeJSON(w, status, qualysBody{ResponseMessage: msg, ResponseCode: "FAILED", ResponseErrorDetails: details})
}

// ---- /auth ----

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) handleAuth(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != pathAuth {
		writeSpring(w, r, http.StatusNotFound, "Not Found", "No handler found for "+r.Method+" "+r.URL.Path)
		return
	}
	if r.Method != http.MethodPost {
		writeSpring(w, r, http.StatusMethodNotAllowed, "Method Not Allowed", "Request method '"+r.Method+"' is not supported")
		return
	}
	if s.statusFault(w, r, false) {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if looksLikeJSON(r.Header.Get("Content-Type"), body) {
		writeSpring(w, r, http.StatusInternalServerError, "Internal Server Error", "Failed to process authentication request")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		form = url.Values{}
	}
	user, pass := form.Get("username"), form.Get("password")
	if user == "" {
		user, pass = r.URL.Query().Get("username"), r.URL.Query().Get("password")
	}
	if user == "" || !constEq(user, s.cfg.Username) || !constEq(pass, s.cfg.Password) {
		writeJSON(w, http.StatusUnauthorized, struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		}{http.StatusUnauthorized, "authenticationFailure.InvalidCredentialsException"})
		return
	}
	tok := s.auth.issue(user, clientIP(r), "", "", time.Now())
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, tok)
}

// handleClientAuth serves /auth/oauth and /auth/oidc: clientId and
// clientSecret travel as request headers.
func (s *Server) handleClientAuth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeSpring(w, r, http.StatusMethodNotAllowed, "Method Not Allowed", "Request method '"+r.Method+"' is not supported")
		return
	}
	if s.statusFault(w, r, false) {
		return
	}
	io.Copy(io.Discard, io.LimitReader(r.Body, maxBody))
	id, secret := r.Header.Get("clientId"), r.Header.Get("clientSecret")
	if s.cfg.ClientID == "" || !constEq(id, s.cfg.ClientID) || !constEq(secret, s.cfg.ClientSecret) {
		writeJSON(w, http.StatusUnauthorized, struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		}{http.StatusUnauthorized, "Invalid Client ID"})
		return
	}
	kind := strings.TrimPrefix(r.URL.Path, "/auth/")
	tok := s.auth.issue(id, clientIP(r), id, kind, time.Now())
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, tok)
}

// ---- data endpoints ----

// methods is the set of HTTP methods a data endpoint accepts.
type methods uint8

const (
	mPost methods = 1 << iota
	mGet
)

func (m methods) allow(method string) bool {
	return method == http.MethodPost && m&mPost != 0 || method == http.MethodGet && m&mGet != 0
}

// data wraps a data endpoint in the gateway's pipeline: method, token,
// client-token rejection, rate and concurrency limits, injected status
// faults, then the endpoint itself. Every answer carries the six limit
// headers. All API paths except /auth go through it, so status faults
// (path-scoped or not) apply to every one of them.
func (s *Server) data(allowed methods, serve http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		h := w.Header()
		if !allowed.allow(r.Method) {
			s.lim.setHeaders(h, s.lim.peek(now))
			writeSpring(w, r, http.StatusMethodNotAllowed, "Method Not Allowed", "Request method '"+r.Method+"' is not supported")
			return
		}
		// token-expiry: every token issued so far expires now; a client
		// that re-authenticates gets a working one.
		if _, _, ok := s.faults.take(FaultTokenExpiry, r.URL.Path, true); ok {
			s.auth.revokeAll()
		}
		cl, err := s.auth.verify(r.Header.Get("Authorization"), now)
		if err != nil {
			s.lim.setHeaders(h, s.lim.peek(now))
			writeSpring(w, r, http.StatusUnauthorized, "Unauthorized", "Not authenticated")
			return
		}
		if cl.CredentialType == credClient {
			if _, _, ok := s.faults.take(FaultOAuthReject, r.URL.Path, true); ok {
				s.lim.setHeaders(h, s.lim.peek(now))
				writeQualys(w, http.StatusBadRequest, csamapi.InvalidSubscriptionMsg, "")
				return
			}
		}
		ls := s.lim.acquire(now)
		s.lim.setHeaders(h, ls)
		if !ls.ok {
			s.statsMu.Lock()
			if ls.concurrency {
				s.concLim++
			} else {
				s.rateLim++
			}
			s.statsMu.Unlock()
			if ls.concurrency {
				s.log.Warn("concurrency limit", "path", r.URL.Path, "running", ls.running, "limit", s.lim.conc)
				writeConcurrency429(w, s.lim.conc)
			} else {
				s.log.Warn("rate limit", "path", r.URL.Path, "limit", s.lim.limit, "towait", ls.toWait)
				writeQualys(w, http.StatusTooManyRequests, "Rate limit exceeded",
					fmt.Sprintf("API call limit of %d per %d seconds reached; retry after %d seconds", s.lim.limit, int(s.lim.window/time.Second), ls.toWait))
			}
			return
		}
		defer s.lim.release()
		if s.statusFault(w, r, true) {
			return
		}
		serve(w, r)
	}
}

func writeConcurrency429(w http.ResponseWriter, limit int) {
	writeQualys(w, http.StatusTooManyRequests, "Concurrency limit exceeded", fmt.Sprintf("Maximum %d concurrent API calls are allowed", limit))
}

// searchOrGet serves the search path, which doubles as get-by-id when
// assetId is given (the 2023 release notes' samples, csam-api.md §10 #2).
func (s *Server) searchOrGet(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("assetId") {
		s.getByID(w, r)
		return
	}
	s.search(w, r)
}

// statusFault fires the first applicable status fault, writing its
// response; slow only delays. It reports whether the request was answered.
func (s *Server) statusFault(w http.ResponseWriter, r *http.Request, data bool) bool {
	if !s.faults.anyOn() {
		return false
	}
	path := r.URL.Path
	h := w.Header()
	if spec, _, ok := s.faults.take(FaultSlow, path, data); ok {
		d := spec.Delay
		if d <= 0 {
			d = 2 * time.Second
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		}
	}
	if _, _, ok := s.faults.take(FaultForbidden403, path, data); ok {
		writeQualys(w, http.StatusForbidden, "API access not enabled",
			"API access is not enabled for this user. Enable \"API Access\" for the user (App API Enabled) or contact your Qualys administrator.")
		return true
	}
	if spec, _, ok := s.faults.take(FaultRate429, path, data); ok {
		wait := max(1, int((spec.ToWait+time.Second-1)/time.Second))
		h["x-ratelimit-remaining"] = []string{"0"}
		h["x-ratelimit-towait-sec"] = []string{strconv.Itoa(wait)}
		writeQualys(w, http.StatusTooManyRequests, "Rate limit exceeded", fmt.Sprintf("Retry after %d seconds", wait))
		return true
	}
	if _, _, ok := s.faults.take(FaultRate429NoWait, path, data); ok {
		// Only Limit and Remaining, as sjackson's notes describe the 429.
		for _, k := range []string{"x-ratelimit-towait-sec", "x-ratelimit-window-sec", "x-concurrency-limit-limit", "x-concurrency-limit-running"} {
			delete(h, k)
		}
		h["x-ratelimit-remaining"] = []string{"0"}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, "Too Many Requests")
		return true
	}
	if spec, _, ok := s.faults.take(FaultConflict409, path, data); ok {
		wait := max(1, int((spec.ToWait+time.Second-1)/time.Second))
		h["x-ratelimit-remaining"] = []string{"0"}
		h["x-ratelimit-towait-sec"] = []string{strconv.Itoa(wait)}
		writeQualys(w, http.StatusConflict, fmt.Sprintf("This API cannot be run again for another %d seconds", wait), "CODE 1965")
		return true
	}
	if _, _, ok := s.faults.take(FaultConflict409NoWait, path, data); ok {
		// The VM/QPS-style 409 without any hint of how long to wait.
		delete(h, "x-ratelimit-towait-sec")
		h["x-ratelimit-remaining"] = []string{"0"}
		writeQualys(w, http.StatusConflict, "This API cannot be run again until the current run completes", "CODE 1960")
		return true
	}
	if _, _, ok := s.faults.take(FaultConcurrency, path, data); ok {
		// As if another client held every in-flight slot.
		limit := s.lim.conc
		if limit <= 0 {
			limit = unlimitedConcShown
		}
		h["x-concurrency-limit-running"] = []string{strconv.Itoa(limit)}
		h["x-ratelimit-towait-sec"] = []string{"1"}
		writeConcurrency429(w, limit)
		return true
	}
	status := 0
	if _, _, ok := s.faults.take(FaultUnavailable503, path, data); ok {
		status = http.StatusServiceUnavailable
	} else if _, _, ok := s.faults.take(FaultError500, path, data); ok {
		status = http.StatusInternalServerError
	} else if _, _, ok := s.faults.take(FaultError520, path, data); ok {
		status = 520
	} else if _, n, ok := s.faults.take(FaultBurst5xx, path, data); ok {
		status = []int{http.StatusServiceUnavailable, http.StatusInternalServerError, 520}[n%3]
	}
	switch status {
	case 0:
		return false
	case http.StatusServiceUnavailable:
		// A load balancer's page, not JSON.
		h.Set("Content-Type", "text/html")
		w.WriteHeader(status)
		io.WriteString(w, "<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request. Please try again later.</p></body></html>\n")
	case http.StatusInternalServerError:
		writeSpring(w, r, status, "Internal Server Error", "500 Failure - The server encountered an unexpected condition which prevented it from fulfilling the request.")
	default:
		h.Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		io.WriteString(w, "error code: 520")
	}
	return true
}

// pageReq is a parsed search or count request (V2 or V1).
type pageReq struct {
	pageSize int
	after    int64
	since    int64 // assetLastUpdated (V1: lastModifiedDate) in ms
	hasSince bool
	filter   *compiledFilter
	query    *assetQuery // V1 QQL filter, nil = none
	sel      *selection
	swType   string
}

// parseCommon reads the paging and field-selection parameters shared by
// the V2 and V1 asset APIs; sinceParam names the delta parameter
// (assetLastUpdated on V2, lastModifiedDate on V1). It answers the error
// itself and returns nil.
func parseCommon(w http.ResponseWriter, q url.Values, sinceParam string) *pageReq {
	pr := &pageReq{pageSize: csamapi.DefaultServerPageSize, filter: &compiledFilter{}}
	if v := strings.TrimSpace(q.Get("pageSize")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			writeQualys(w, http.StatusBadRequest, "Invalid pageSize value: "+v, "pageSize must be a number")
			return nil
		}
		if n > csamapi.MaxPageSize {
			writeQualys(w, http.StatusRequestedRangeNotSatisfiable, "Please provide a Page Size value less than the max page size limit set.",
				fmt.Sprintf("Max page size is %d", csamapi.MaxPageSize))
			return nil
		}
		if n > 0 {
			pr.pageSize = n
		}
	}
	if v := strings.TrimSpace(q.Get("lastSeenAssetId")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeQualys(w, http.StatusBadRequest, "Invalid lastSeenAssetId value: "+v, "lastSeenAssetId must be a number")
			return nil
		}
		pr.after = n
	}
	if v := strings.TrimSpace(q.Get(sinceParam)); v != "" {
		t, ok := csamapi.ParseTime(v)
		if !ok {
			writeQualys(w, http.StatusBadRequest, "Invalid "+sinceParam+" value: "+v, sinceParam+" must be an ISO-8601 date, e.g. 2024-01-01T00:00:00Z")
			return nil
		}
		pr.since, pr.hasSince = t.UnixMilli(), true
	}
	pr.sel = parseSelection(q.Get("includeFields"), q.Get("excludeFields"))
	return pr
}

// parseParams reads the V2 query parameters of search, count and get, and
// with withFilter the JSON or XML filter body. It answers the error itself
// and returns nil.
func (s *Server) parseParams(w http.ResponseWriter, r *http.Request, withFilter bool) *pageReq {
	q := r.URL.Query()
	pr := parseCommon(w, q, "assetLastUpdated")
	if pr == nil {
		return nil
	}
	if v := strings.TrimSpace(q.Get("softwareType")); v != "" {
		switch strings.ToLower(v) {
		case "application", "others", "unknown":
			pr.swType = v
		default:
			writeQualys(w, http.StatusBadRequest, "Invalid softwareType value: "+v, "Supported values: Application, Others, Unknown")
			return nil
		}
	}
	if withFilter {
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
		f, err := compileFilter(req)
		if err != nil {
			msg := strings.Replace(err.Error(), csamapi.ErrInvalidFilter.Error()+": ", "", 1)
			writeQualys(w, http.StatusBadRequest, "Invalid filter request: "+msg, err.Error())
			return nil
		}
		pr.filter = f
	}
	return pr
}

func (s *Server) matches(e entry, pr *pageReq) bool {
	g := s.store.gen
	v := view{g: g, ov: e.ov}
	if e.ov == nil {
		v.h = g.header(e.idx)
	} else {
		v.h = header{id: e.id, idx: e.idx, custom: -1, risk: -1}
	}
	if pr.hasSince {
		if m, ok := v.modified(); !ok || m < pr.since {
			return false
		}
	}
	if !pr.filter.match(&v) {
		return false
	}
	if pr.query != nil {
		a := e.ov
		if a == nil {
			a = g.asset(v.h, genOpts{noSoftware: pr.query.noSoftware, noDetail: pr.query.noDetail})
		}
		return pr.query.match(a)
	}
	return true
}

func (pr *pageReq) filtering() bool { return pr.hasSince || pr.filter.any || pr.query != nil }

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	pr := s.parseParams(w, r, true)
	if pr == nil {
		return
	}
	s.servePage(w, r, pr)
}

// servePage answers one page of a V2 or V1 search: the assets after the
// cursor that pass the request's filters, page faults applied, 204 when
// empty.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, pr *pageReq) {
	var entries []entry
	hasMore := false
	st := s.store
	st.mu.RLock()
	filtering := pr.filtering()
	st.scan(pr.after, func(e entry) bool {
		if filtering && !s.matches(e, pr) {
			return true
		}
		if len(entries) == pr.pageSize {
			hasMore = true
			return false
		}
		entries = append(entries, e)
		return true
	})
	out := &pageOut{entries: entries, sel: pr.sel, swType: pr.swType}
	if len(entries) > 0 {
		last := entries[len(entries)-1].id
		out.lastSeen = &last
	}
	if hasMore {
		out.hasMore = 1
	}
	if s.faults.anyOn() {
		s.pageFaults(r, out, pr)
	}
	st.mu.RUnlock()

	if len(out.entries) == 0 && !out.emptyHasMore {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.writePage(w, out)
}

// pageFaults decides the body faults of one search page. Caller holds the
// store's read lock.
func (s *Server) pageFaults(r *http.Request, out *pageOut, pr *pageReq) {
	path := r.URL.Path
	take := func(name string) bool { _, _, ok := s.faults.take(name, path, true); return ok }
	if len(out.entries) == 0 {
		if take(FaultEmptyHasMore) {
			out.emptyHasMore, out.hasMore = true, 1
			after := pr.after
			out.lastSeen = &after
		}
		return
	}
	if pr.after > 0 {
		if e, ok := s.store.lookup(pr.after); ok && take(FaultRepeatLast) {
			out.entries = append([]entry{e}, out.entries...)
		}
	}
	if take(FaultStuckCursor) {
		after := pr.after
		out.lastSeen = &after
	}
	out.noHasMore = take(FaultNoHasMore)
	out.noResponseCode = take(FaultNoResponseCode)
	out.wrongType = take(FaultWrongType)
	switch {
	case take(FaultTruncate):
		out.cut = cutTruncate
	case take(FaultReset):
		out.cut = cutReset
	}
}

func (s *Server) getByID(w http.ResponseWriter, r *http.Request) {
	id, ok := assetIDParam(w, r.URL.Query().Get("assetId"))
	if !ok {
		return
	}
	pr := s.parseParams(w, r, false)
	if pr == nil {
		return
	}
	s.serveOne(w, id, pr, &pageOut{})
}

// assetIDParam parses a required assetId, answering 400 itself.
func assetIDParam(w http.ResponseWriter, v string) (int64, bool) {
	v = strings.TrimSpace(v)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		writeQualys(w, http.StatusBadRequest, "Invalid assetId value: "+v, "assetId is required and must be a number")
		return 0, false
	}
	return id, true
}

// serveOne answers a get-by-id: the envelope of out (message, lastSeen)
// around the one asset, or 204 when it does not exist.
func (s *Server) serveOne(w http.ResponseWriter, id int64, pr *pageReq, out *pageOut) {
	s.store.mu.RLock()
	e, ok := s.store.lookup(id)
	s.store.mu.RUnlock()
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out.entries, out.sel, out.swType = []entry{e}, pr.sel, pr.swType
	s.writePage(w, out)
}

func (s *Server) count(w http.ResponseWriter, r *http.Request) {
	pr := s.parseParams(w, r, true)
	if pr == nil {
		return
	}
	pr.after = minCursor // V2 count has no cursor
	s.serveCount(w, r, pr)
}

// minCursor is below every asset id.
const minCursor = int64(-1) << 62

// serveCount answers a V2 or V1 count: the assets after pr.after that pass
// the filters.
func (s *Server) serveCount(w http.ResponseWriter, r *http.Request, pr *pageReq) {
	st := s.store
	st.mu.RLock()
	var n int
	if !pr.filtering() && pr.after == minCursor {
		n = st.count()
	} else {
		st.scan(pr.after, func(e entry) bool {
			if !pr.filtering() || s.matches(e, pr) {
				n++
			}
			return true
		})
	}
	st.mu.RUnlock()
	resp := csamapi.CountResponse{Count: int64(n), ResponseCode: csamapi.ResponseSuccess, ResponseMessage: csamapi.MessageValidAPIAccess}
	if _, _, ok := s.faults.take(FaultNoResponseCode, r.URL.Path, true); ok {
		writeJSON(w, http.StatusOK, struct {
			Count           int64  `json:"count"`
			ResponseMessage string `json:"responseMessage"`
		}{resp.Count, resp.ResponseMessage})
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// ---- field selection ----

// assetFields maps each top-level JSON key of csamapi.Asset to its field
// index, for includeFields / excludeFields.
var assetFields = func() map[string]int {
	t := reflect.TypeFor[csamapi.Asset]()
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m[name] = i
	}
	return m
}()

var detailFields = []string{"userAccountListData", "volumeListData", "serviceList", "openPortListData", "networkInterfaceListData"}

// selection is the parsed includeFields / excludeFields: fields that are
// not selected stay in the JSON as null (keys are never dropped), and
// assetId is always present.
type selection struct {
	null   []int
	onlyID bool
	opt    genOpts
}

func parseSelection(include, exclude string) *selection {
	sel := &selection{}
	inc, exc := csamapi.SplitList(include), csamapi.SplitList(exclude)
	if len(inc) == 0 && len(exc) == 0 {
		return sel
	}
	drop := map[string]bool{}
	if len(inc) > 0 {
		keep := map[string]bool{"assetId": true}
		for _, f := range inc {
			keep[f] = true
		}
		for name := range assetFields {
			if !keep[name] {
				drop[name] = true
			}
		}
	}
	for _, f := range exc {
		if _, ok := assetFields[f]; ok && f != "assetId" {
			drop[f] = true
		}
	}
	for name := range drop {
		sel.null = append(sel.null, assetFields[name])
	}
	sel.onlyID = len(drop) == len(assetFields)-1
	sel.opt.noSoftware = drop["softwareListData"]
	sel.opt.noDetail = true
	for _, f := range detailFields {
		sel.opt.noDetail = sel.opt.noDetail && drop[f]
	}
	return sel
}

// apply nulls the unselected fields; overlay assets are copied first.
func (sel *selection) apply(a *csamapi.Asset, shared bool) *csamapi.Asset {
	if len(sel.null) == 0 {
		return a
	}
	if shared {
		c := *a
		a = &c
	}
	v := reflect.ValueOf(a).Elem()
	for _, i := range sel.null {
		v.Field(i).SetZero()
	}
	return a
}
