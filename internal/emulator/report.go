package emulator

import (
	"bytes"
	"crypto/rand"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-pdf/fpdf"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// Reports (seed 003, csam-api.md §5.8): POST /rest/2.0/am/report creates
// the EASM Summary Report. The request is validated at once (name, format,
// templateName and reportType are mandatory; reportType must be EASM_LEAD;
// format PDF or CSV); the report is produced Config.ReportDelay later from
// the assets its scope selects at that moment, and kept in memory.
//
// Scope: without assetList and tagList, every asset; otherwise the assets
// in assetList together with those whose tags match tagList
// (includeMatchType Any: one of the tags, All: every one). filter and
// query (QQL, e.g. asset.riskScore>90) narrow that down; excludeTagIds
// (excludeMatchType Any/All) removes assets.
//
// The real API documents no download path; the emulator's own is
// GET /__emulator/reports/{fileUuid}: 202 while the report is being
// produced, then the file (application/pdf or text/csv), 404 for an
// unknown id.

// Report is a produced (or pending) report.
type Report struct {
	FileUUID    string     `json:"fileUuid"`
	Name        string     `json:"name"`
	Format      string     `json:"format"` // PDF or CSV
	Created     time.Time  `json:"created"`
	Done        *time.Time `json:"done"`
	Assets      int        `json:"assets"` // rows
	ContentType string     `json:"contentType"`
	body        []byte
}

type reportStore struct {
	mu      sync.Mutex
	reports map[string]*Report
	order   []string
}

type reportRequest struct {
	Name             string `json:"name"`
	Description      string `json:"description"`
	Timezone         string `json:"timezone"`
	Format           string `json:"format"`
	TemplateName     string `json:"templateName"`
	Query            string `json:"query"`
	Filter           string `json:"filter"`
	ReportType       string `json:"reportType"`
	AssetList        string `json:"assetList"`
	TagList          string `json:"tagList"`
	IncludeMatchType string `json:"includeMatchType"`
	ExcludeMatchType string `json:"excludeMatchType"`
	ExcludeTagIDs    string `json:"excludeTagIds"`
	GeneratedFor     string `json:"generatedFor"`
}

// reportResponse is the API's envelope: {"data":{...},"message":...,"error":null}.
type reportResponse struct {
	Data *struct {
		FileUUID string `json:"fileUuid"`
	} `json:"data"`
	Message string  `json:"message"`
	Error   *string `json:"error"`
}

func writeReportError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, reportResponse{Message: "Report request is invalid: " + msg, Error: &msg})
}

// reportScope is a validated report selection.
type reportScope struct {
	queries        []*assetQuery
	assets         map[int64]bool
	tags, excluded []int64
	tagsAll, exAll bool
	scoped         bool
}

func matchTypeAll(v, param string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "any":
		return false, nil
	case "all":
		return true, nil
	}
	return false, fmt.Errorf("%s %q (want Any or All)", param, v)
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	var req reportRequest
	if err := json.Unmarshal(bytes.TrimSpace(body), &req, json.MatchCaseInsensitiveNames(true)); err != nil {
		writeReportError(w, http.StatusBadRequest, "the body is not a valid report request: "+strings.TrimPrefix(err.Error(), "json: "))
		return
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"name", req.Name}, {"format", req.Format}, {"templateName", req.TemplateName}, {"reportType", req.ReportType}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		writeReportError(w, http.StatusBadRequest, "missing mandatory parameter(s): "+strings.Join(missing, ", "))
		return
	}
	if req.ReportType != "EASM_LEAD" {
		writeReportError(w, http.StatusBadRequest, fmt.Sprintf("unsupported reportType %q: only EASM_LEAD (the EASM Summary Report) can be created", req.ReportType))
		return
	}
	format := strings.ToUpper(strings.TrimSpace(req.Format))
	if format != "PDF" && format != "CSV" {
		writeReportError(w, http.StatusBadRequest, fmt.Sprintf("unsupported format %q (PDF or CSV)", req.Format))
		return
	}
	sc := &reportScope{assets: map[int64]bool{}}
	for _, q := range []string{req.Filter, req.Query} {
		aq, err := parseAssetQuery(q)
		if err != nil {
			msg, _ := qqlErrorMessage(err)
			writeReportError(w, http.StatusBadRequest, msg)
			return
		}
		if aq != nil {
			sc.queries = append(sc.queries, aq)
		}
	}
	var err error
	ids, err := splitIDs(req.AssetList)
	if err == nil {
		sc.tags, err = splitIDs(req.TagList)
	}
	if err == nil {
		sc.excluded, err = splitIDs(req.ExcludeTagIDs)
	}
	if err == nil {
		sc.tagsAll, err = matchTypeAll(req.IncludeMatchType, "includeMatchType")
	}
	if err == nil {
		sc.exAll, err = matchTypeAll(req.ExcludeMatchType, "excludeMatchType")
	}
	if err != nil {
		writeReportError(w, http.StatusBadRequest, "assetList, tagList and excludeTagIds are comma-separated ids: "+err.Error())
		return
	}
	for _, id := range ids {
		sc.assets[id] = true
	}
	sc.scoped = len(ids) > 0 || len(sc.tags) > 0

	rep := &Report{FileUUID: newUUID(), Name: req.Name, Format: format, Created: time.Now().UTC()}
	rep.ContentType = "application/pdf"
	if format == "CSV" {
		rep.ContentType = "text/csv; charset=utf-8"
	}
	s.reports.mu.Lock()
	s.reports.reports[rep.FileUUID] = rep
	s.reports.order = append(s.reports.order, rep.FileUUID)
	s.reports.mu.Unlock()
	s.log.Info("report requested", "fileUuid", rep.FileUUID, "name", req.Name, "format", format)

	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		t := time.NewTimer(s.cfg.ReportDelay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.quit:
			return
		}
		s.produceReport(rep, &req, sc)
	}()
	resp := reportResponse{Message: "Request successfully created."}
	resp.Data = &struct {
		FileUUID string `json:"fileUuid"`
	}{rep.FileUUID}
	writeJSON(w, http.StatusOK, resp)
}

// newUUID returns a random version-4 UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func hasTags(a *csamapi.Asset, ids []int64, all bool) bool {
	if len(ids) == 0 {
		return false
	}
	n := 0
	for _, id := range ids {
		if a.TagList != nil && slices.ContainsFunc(a.TagList.Tag, func(t csamapi.Tag) bool { return t.TagID == id }) {
			n++
		}
	}
	if all {
		return n == len(ids)
	}
	return n > 0
}

func (sc *reportScope) selects(a *csamapi.Asset) bool {
	if sc.scoped && !sc.assets[a.AssetID] && !hasTags(a, sc.tags, sc.tagsAll) {
		return false
	}
	for _, q := range sc.queries {
		if !q.match(a) {
			return false
		}
	}
	return !hasTags(a, sc.excluded, sc.exAll)
}

// selectAssets returns the assets a report selects, in id order (built
// without software unless a query needs it, and without details).
func (s *Server) selectAssets(sc *reportScope) []*csamapi.Asset {
	noSW, noDetail := true, true
	for _, q := range sc.queries {
		noSW, noDetail = noSW && q.noSoftware, noDetail && q.noDetail
	}
	var out []*csamapi.Asset
	st := s.store
	g := st.gen
	st.mu.RLock()
	st.scan(minCursor, func(e entry) bool {
		a := e.ov
		if a == nil {
			a = g.asset(g.header(e.idx), genOpts{noSoftware: noSW, noDetail: noDetail})
		}
		if sc.selects(a) {
			out = append(out, a)
		}
		return true
	})
	st.mu.RUnlock()
	return out
}

func (s *Server) produceReport(rep *Report, req *reportRequest, sc *reportScope) {
	assets := s.selectAssets(sc)
	var body []byte
	var err error
	if rep.Format == "CSV" {
		body, err = reportCSV(assets)
	} else {
		body, err = reportPDF(rep, req, assets)
	}
	done := time.Now().UTC()
	s.reports.mu.Lock()
	if err != nil {
		s.log.Error("report", "fileUuid", rep.FileUUID, "err", err)
		body = []byte("report generation failed: " + err.Error())
		rep.ContentType = "text/plain; charset=utf-8"
	}
	rep.body, rep.Done, rep.Assets = body, &done, len(assets)
	s.reports.mu.Unlock()
	s.log.Info("report produced", "fileUuid", rep.FileUUID, "format", rep.Format, "assets", len(assets), "bytes", len(body))
}

// reportRow is one asset as the report shows it.
func reportRow(a *csamapi.Asset) []string {
	os, cat, hw, src, crit, risk := "", "", "", "", "", ""
	if a.OperatingSystem != nil {
		os, cat = csamapi.Str(a.OperatingSystem.FullName), csamapi.Str(a.OperatingSystem.Category)
	}
	if a.Hardware != nil {
		hw = csamapi.Str(a.Hardware.FullName)
	}
	if a.Inventory != nil {
		src = csamapi.Str(a.Inventory.Source)
	}
	if a.Criticality != nil && a.Criticality.Score != nil {
		crit = strconv.FormatInt(*a.Criticality.Score, 10)
	}
	if a.RiskScore != nil {
		risk = strconv.FormatInt(*a.RiskScore, 10)
	}
	var tags []string
	if a.TagList != nil {
		for _, t := range a.TagList.Tag {
			tags = append(tags, csamapi.Str(t.TagName))
		}
	}
	return []string{strconv.FormatInt(a.AssetID, 10), csamapi.Str(a.AssetName), csamapi.Str(a.Address), csamapi.Str(a.DNSName), os, cat, hw, src,
		risk, crit, strings.Join(tags, "; "), strings.Join(a.OrganizationName, "; "), a.LastModifiedDate.Raw}
}

var reportColumns = []string{"Asset ID", "Asset Name", "Address", "DNS Name", "Operating System", "OS Category", "Hardware", "Inventory Source",
	"TruRisk Score", "Criticality", "Tags", "Organization", "Last Modified"}

// reportCSV is a header line and one row per asset.
func reportCSV(assets []*csamapi.Asset) ([]byte, error) {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(reportColumns)
	for _, a := range assets {
		cw.Write(reportRow(a))
	}
	cw.Flush()
	return b.Bytes(), cw.Error()
}

const maxPDFRows = 500

// reportPDF is the EASM Summary Report: the request, a summary (assets by
// inventory source and by OS category, mean TruRisk) and a table of the
// assets (the first 500; the CSV format has them all).
func reportPDF(rep *Report, req *reportRequest, assets []*csamapi.Asset) ([]byte, error) {
	pdf := fpdf.New("L", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetCreationDate(rep.Created)
	pdf.SetModificationDate(rep.Created)
	pdf.SetTitle(req.Name, true)
	pdf.SetCreator("csamsync CSAM emulator", true)
	pdf.SetAutoPageBreak(true, 12)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-10)
		pdf.SetFont("Helvetica", "I", 8)
		pdf.CellFormat(0, 5, fmt.Sprintf("%s - page %d/{nb}", tr(req.Name), pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 18)
	pdf.CellFormat(0, 10, tr(req.Name), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	line := func(k, v string) {
		if v == "" {
			return
		}
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(40, 6, tr(k), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 6, tr(v), "", "L", false)
	}
	tz := req.Timezone
	when := rep.Created
	if loc, err := time.LoadLocation(tz); err == nil && tz != "" {
		when = when.In(loc)
	}
	line("Description", req.Description)
	line("Generated", when.Format("2006-01-02 15:04:05 MST"))
	line("Template", req.TemplateName)
	line("Report type", req.ReportType)
	line("Generated for", req.GeneratedFor)
	line("Filter", strings.TrimSpace(req.Filter+" "+req.Query))
	line("Asset list", req.AssetList)
	if req.TagList != "" {
		line("Tags", req.TagList+" (match "+firstOf(req.IncludeMatchType, "Any")+")")
	}
	if req.ExcludeTagIDs != "" {
		line("Excluded tags", req.ExcludeTagIDs+" (match "+firstOf(req.ExcludeMatchType, "Any")+")")
	}

	bySource, byOS := map[string]int{}, map[string]int{}
	var riskSum, riskN int64
	for _, a := range assets {
		src, cat := "(none)", "(unknown)"
		if a.Inventory != nil && a.Inventory.Source != nil {
			src = *a.Inventory.Source
		}
		if a.OperatingSystem != nil && a.OperatingSystem.Category1 != nil {
			cat = *a.OperatingSystem.Category1
		}
		bySource[src]++
		byOS[cat]++
		if a.RiskScore != nil {
			riskSum += *a.RiskScore
			riskN++
		}
	}
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "B", 13)
	pdf.CellFormat(0, 8, "Summary", "", 1, "L", false, 0, "")
	line("Assets", strconv.Itoa(len(assets)))
	if riskN > 0 {
		line("Mean TruRisk", strconv.FormatInt(riskSum/riskN, 10))
	}
	counts := func(m map[string]int) string {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(m)) {
			parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
		}
		return strings.Join(parts, ", ")
	}
	line("By source", counts(bySource))
	line("By OS", counts(byOS))

	pdf.Ln(4)
	pdf.SetFont("Helvetica", "B", 13)
	pdf.CellFormat(0, 8, "Assets", "", 1, "L", false, 0, "")
	widths := []float64{24, 62, 30, 80, 26, 18, 37}
	head := []string{"Asset ID", "Name", "Address", "Operating System", "Source", "TruRisk", "Last Modified"}
	header := func() {
		pdf.SetFont("Helvetica", "B", 8)
		pdf.SetFillColor(220, 226, 235)
		for k, h := range head {
			pdf.CellFormat(widths[k], 6, h, "1", 0, "L", true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 7)
	}
	header()
	clip := func(s string, w float64) string {
		s = tr(s)
		for s != "" && pdf.GetStringWidth(s) > w-2 {
			s = s[:len(s)-1]
		}
		return s
	}
	for k, a := range assets {
		if k == maxPDFRows {
			pdf.Ln(2)
			pdf.MultiCell(0, 5, fmt.Sprintf("... and %d more assets (the CSV format lists them all).", len(assets)-maxPDFRows), "", "L", false)
			break
		}
		row := reportRow(a)
		cells := []string{row[0], row[1], row[2], row[4], row[7], row[8], row[12]}
		if pdf.GetY() > 190 {
			pdf.AddPage()
			header()
		}
		for c, v := range cells {
			pdf.CellFormat(widths[c], 5, clip(v, widths[c]), "1", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Reports returns every report, oldest first (without the files).
func (s *Server) Reports() []Report {
	s.reports.mu.Lock()
	defer s.reports.mu.Unlock()
	out := make([]Report, 0, len(s.reports.order))
	for _, id := range s.reports.order {
		r := *s.reports.reports[id]
		r.body = nil
		out = append(out, r)
	}
	return out
}

// ReportFile returns a produced report's file and content type; ok is
// false while it is being produced or when the id is unknown (known tells
// which).
func (s *Server) ReportFile(fileUUID string) (body []byte, contentType string, known, ok bool) {
	s.reports.mu.Lock()
	defer s.reports.mu.Unlock()
	r, known := s.reports.reports[fileUUID]
	if !known || r.Done == nil {
		return nil, "", known, false
	}
	return r.body, r.ContentType, true, true
}

func (s *Server) handleAdminReport(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	id := r.PathValue("fileUuid")
	if id == "" {
		writeJSON(w, http.StatusOK, s.Reports())
		return
	}
	body, ct, known, ok := s.ReportFile(id)
	switch {
	case !known:
		writeQualys(w, http.StatusNotFound, "Report not found: "+id, "")
	case !ok:
		writeJSON(w, http.StatusAccepted, struct {
			FileUUID string `json:"fileUuid"`
			Status   string `json:"status"`
		}{id, "IN_PROGRESS"})
	default:
		ext := ".pdf"
		if strings.HasPrefix(ct, "text/csv") {
			ext = ".csv"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", `attachment; filename="`+id+ext+`"`)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}
}
