package emulator

import (
	"bytes"
	"errors"
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
	"github.com/go-json-experiment/json/jsontext"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// Third-party asset import (seeds 002 and 003, csam-api.md §5.4):
// POST /rest/2.0/am/connector/asset/data/sync validates the payload at
// once and answers SUCCESSFULLY_PUBLISHED with assetsError naming the
// assets it rejected; the accepted ones are processed in the background
// (Config.ImportDelay later, in arrival order) and written to the store's
// overlay, so every read API sees them from then on.
//
// An imported asset is matched to an existing one by identity, in this
// order: sourceNativeKey (per connector), serialNumber (biosSerialNumber),
// hardwareUuid (hwUUID), macAddress (any interface), fqdn (dnsName), then
// hostName (assetName, dnsName or netbiosName, case-insensitive). A match
// is updated (the import's values win, lists are merged by name, tags
// added); otherwise a new asset gets the next id above every existing one.
// Either way inventory.source becomes the connector's source,
// inventory.created / lastUpdated are sourceCreatedDate /
// sourceLastUpdatedDate (now when absent), and lastModifiedDate is the
// wall-clock time of processing. After each import the connector's tags
// are applied to every asset the connector ever imported (seed 002).
//
// Mapping choices the seeds leave open: customConnectorAttributes become
// customAttributes too (connectorName = the connector's name), so they are
// visible and filterable; an operatingSystem sent as a plain name is used
// only when the matched asset has none (the agent's detection wins);
// businessMetaData is businessInformation with status as
// operationalStatus; businessApps (an array once, a number once) is
// accepted and ignored. An asset without any identity attribute is
// rejected; so is a wrong type anywhere (ipAddress not a list, a
// port that is not a number), a date that is neither epoch milliseconds
// nor an ISO-8601 string, a software without name, a custom attribute
// without key.

// Connector is a third-party connector the import API accepts.
type Connector struct {
	UUID   string   `json:"uuid"`
	Source string   `json:"source"`         // inventory.source of its assets, e.g. WEBHOOK or SNOW
	Name   string   `json:"name,omitzero"`  // connectorName of its custom attributes (default: Source)
	Tags   []string `json:"tags,omitempty"` // tag names applied to all its assets
}

// ParseConnector reads the CLI form "UUID=SOURCE[:TAG,TAG]".
func ParseConnector(s string) (Connector, error) {
	uuid, rest, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok || strings.TrimSpace(uuid) == "" {
		return Connector{}, fmt.Errorf("connector %q: want UUID=SOURCE[:TAG,TAG]", s)
	}
	source, tags, _ := strings.Cut(rest, ":")
	c := Connector{UUID: strings.TrimSpace(uuid), Source: strings.TrimSpace(source), Tags: csamapi.SplitList(tags)}
	if c.Source == "" {
		return Connector{}, fmt.Errorf("connector %q: missing SOURCE", s)
	}
	return c, nil
}

func (c *Connector) displayName() string {
	if c.Name != "" {
		return c.Name
	}
	return c.Source
}

// connectorTag is the tag object of a connector tag name: the fixed tag
// of that name when there is one, else a tag with an id hashed from the
// name (40,000,000-40,999,999, clear of the fixed set).
func connectorTag(name string) csamapi.Tag {
	for k := range tagDefs {
		if tagDefs[k].name == name {
			return staticTags[k]
		}
	}
	var zero int64
	return csamapi.Tag{TagID: 40_000_000 + int64(hashString("tag\x00"+name)%1_000_000), TagName: csamapi.P(name), ForegroundColor: &zero, BackgroundColor: &zero}
}

// ImportRecord is what GET /__emulator/imports reports about one request.
type ImportRecord struct {
	RequestID     string            `json:"requestId"`
	ConnectorUUID string            `json:"connectorUuid"`
	Source        string            `json:"source"`
	Received      time.Time         `json:"received"`
	Processed     *time.Time        `json:"processed"`
	Accepted      int               `json:"accepted"`
	Rejected      map[string]string `json:"rejected"`
	Created       []int64           `json:"created"`
	Updated       []int64           `json:"updated"`
}

type importJob struct {
	conn   Connector
	due    time.Time
	assets []*importAsset
	rec    *ImportRecord
}

// importer is the connector registry and the import queue.
type importer struct {
	mu         sync.Mutex
	connectors map[string]Connector
	byKey      map[string]int64   // connector uuid + "\x00" + sourceNativeKey → asset id
	owned      map[string][]int64 // connector uuid → ids of the assets it imported, sorted
	queue      []*importJob
	history    []*ImportRecord
	wake       chan struct{}
	once       sync.Once
	busy       int // jobs queued or being processed
}

func newImporter(conns []Connector) *importer {
	im := &importer{connectors: map[string]Connector{}, byKey: map[string]int64{}, owned: map[string][]int64{}, wake: make(chan struct{}, 1)}
	for _, c := range conns {
		im.connectors[c.UUID] = c
	}
	return im
}

// AddConnector registers (or replaces) a connector.
func (s *Server) AddConnector(c Connector) error {
	if strings.TrimSpace(c.UUID) == "" || strings.TrimSpace(c.Source) == "" {
		return errors.New("connector needs a uuid and a source")
	}
	s.imp.mu.Lock()
	s.imp.connectors[c.UUID] = c
	s.imp.mu.Unlock()
	s.log.Info("connector configured", "uuid", c.UUID, "source", c.Source, "tags", c.Tags)
	return nil
}

// Connectors returns the configured connectors, sorted by uuid.
func (s *Server) Connectors() []Connector {
	s.imp.mu.Lock()
	defer s.imp.mu.Unlock()
	out := make([]Connector, 0, len(s.imp.connectors))
	for _, c := range s.imp.connectors {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Connector) int { return strings.Compare(a.UUID, b.UUID) })
	return out
}

// Imports returns the import history, oldest first.
func (s *Server) Imports() []ImportRecord {
	s.imp.mu.Lock()
	defer s.imp.mu.Unlock()
	out := make([]ImportRecord, len(s.imp.history))
	for k, r := range s.imp.history {
		out[k] = *r
	}
	return out
}

// ImportsPending reports how many accepted import requests are not yet
// processed.
func (s *Server) ImportsPending() int {
	s.imp.mu.Lock()
	defer s.imp.mu.Unlock()
	return s.imp.busy
}

// ---- payload ----

// flexInt is a number sent as a JSON number or a numeric string ("9191").
type flexInt struct {
	v  int64
	ok bool
}

func (f *flexInt) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*f = flexInt{}
		return nil
	case '0':
		return f.set(tok.String())
	case '"':
		s := strings.TrimSpace(tok.String())
		if s == "" {
			*f = flexInt{}
			return nil
		}
		return f.set(s)
	}
	return fmt.Errorf("want a number, got JSON %v", tok.Kind())
}

func (f *flexInt) set(s string) error {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = flexInt{n, true}
		return nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("want a number, got %q", s)
	}
	*f = flexInt{int64(x), true}
	return nil
}

func (f flexInt) ptr() *int64 {
	if !f.ok {
		return nil
	}
	return &f.v
}

// flexStrings is a string or a list of strings (NIC addresses).
type flexStrings []string

func (f *flexStrings) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		*f = nil
		return err
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		*f = flexStrings{tok.String()}
		return nil
	}
	var l []string
	if err := json.UnmarshalDecode(dec, &l); err != nil {
		return err
	}
	*f = l
	return nil
}

// nonEmpty drops blank entries.
func (f flexStrings) nonEmpty() []string {
	var out []string
	for _, s := range f {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// importDate is sourceCreatedDate / sourceLastUpdatedDate: documented as a
// string, sent as epoch milliseconds in the sample; both are accepted.
type importDate struct {
	ms int64
	ok bool
}

func (d *importDate) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*d = importDate{}
		return nil
	case '0':
		n, err := strconv.ParseInt(tok.String(), 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("not a date: %s (want epoch milliseconds or an ISO-8601 date)", tok.String())
		}
		*d = importDate{n, true}
		return nil
	case '"':
		t, ok := csamapi.ParseTime(tok.String())
		if !ok {
			return fmt.Errorf("not a date: %q (want epoch milliseconds or an ISO-8601 date)", tok.String())
		}
		*d = importDate{t.UnixMilli(), true}
		return nil
	}
	return fmt.Errorf("not a date: JSON %v", tok.Kind())
}

type importIdentity struct {
	HostName        *string  `json:"hostName"`
	FQDN            *string  `json:"fqdn"`
	NetBiosName     *string  `json:"netBiosName"`
	IPAddress       []string `json:"ipAddress"`
	MacAddress      *string  `json:"macAddress"`
	HardwareUUID    *string  `json:"hardwareUuid"`
	SerialNumber    *string  `json:"serialNumber"`
	SourceNativeKey *string  `json:"sourceNativeKey"`
}

type importBusiness struct {
	Company           *string `json:"company"`
	Department        *string `json:"department"`
	OwnedBy           *string `json:"ownedBy"`
	Environment       *string `json:"environment"`
	ManagedBy         *string `json:"managedBy"`
	SupportedBy       *string `json:"supportedBy"`
	SupportGroup      *string `json:"supportGroup"`
	OperationalStatus *string `json:"operationalStatus"`
	Status            *string `json:"status"` // businessMetaData's spelling
}

type importSoftware struct {
	Name              *string                    `json:"name"`
	Description       *string                    `json:"description"`
	Version           *string                    `json:"version"`
	Publisher         *string                    `json:"publisher"`
	SoftwareInstances []csamapi.SoftwareInstance `json:"softwareInstances"`
}

type importCore struct {
	HostName         *string `json:"hostName"`
	FQDN             *string `json:"fqdn"`
	NetBiosName      *string `json:"netBiosName"`
	Address          *string `json:"address"`
	IPAddress        *string `json:"ipaddress"`
	Domain           *string `json:"domain"`
	LastLoggedOnUser *string `json:"lastLoggedOnUser"`
	OperatingSystem  *string `json:"operatingSystem"`
	BiosInfo         *struct {
		BiosDescription *string `json:"biosDescription"`
		Manufacturer    *string `json:"manufacturer"`
		Model           *string `json:"model"`
		TotalMemory     flexInt `json:"totalMemory"`
		TimeZone        *string `json:"timeZone"`
		SerialNumber    *string `json:"serialNumber"`
		BiosAssetTag    *string `json:"biosAssetTag"`
		HardwareUUID    *string `json:"hardwareUuid"`
	} `json:"biosInfo"`
	Softwares []importSoftware `json:"softwares"`
	Ports     []struct {
		Port            flexInt `json:"port"`
		Protocol        *string `json:"protocol"`
		DetectedService *string `json:"detectedService"`
		Description     *string `json:"description"`
	} `json:"ports"`
	Services []struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
		Status      *string `json:"status"`
	} `json:"services"`
	Volumes []struct {
		Name *string `json:"name"`
		Size flexInt `json:"size"`
		Free flexInt `json:"free"`
	} `json:"volumes"`
	NetworkInterfaces []struct {
		InterfaceName  *string     `json:"interfaceName"`
		MacAddress     *string     `json:"macAddress"`
		Address        *string     `json:"address"`
		HostName       *string     `json:"hostName"`
		IPv4Address    flexStrings `json:"ipv4Address"`
		GatewayAddress flexStrings `json:"gatewayAddress"`
	} `json:"networkInterfaces"`
	Accounts []struct {
		Username *string `json:"username"`
	} `json:"accounts"`
	BusinessInformation *importBusiness `json:"businessInformation"`
	BusinessMetaData    *importBusiness `json:"businessMetaData"`
	AssignedLocation    *struct {
		Name    *string `json:"name"`
		City    *string `json:"city"`
		State   *string `json:"state"`
		Country *string `json:"country"`
		Zip     *string `json:"zip"`
	} `json:"assignedLocation"`
	Processor *struct {
		Description *string `json:"description"`
		Speed       flexInt `json:"speed"`
		NumberOfCPU flexInt `json:"numberOfCpu"`
	} `json:"processor"`
	CustomConnectorAttributes map[string]jsontext.Value `json:"customConnectorAttributes"`
	SourceCreatedDate         importDate                `json:"sourceCreatedDate"`
	SourceLastUpdatedDate     importDate                `json:"sourceLastUpdatedDate"`
	BusinessApps              jsontext.Value            `json:"businessApps"` // an array once, a number once: not mapped
}

type importAsset struct {
	IdentityAttributes *importIdentity `json:"identityAttributes"`
	DNSName            *string         `json:"dnsName"`
	CoreAttributes     *importCore     `json:"coreAttributes"`
	CustomAttributes   []struct {
		Key   *string        `json:"key"`
		Value jsontext.Value `json:"value"`
	} `json:"customAttributes"`
}

type importRequest struct {
	ConnectorMetaData *struct {
		RequestID     string `json:"requestId"`
		ConnectorUUID string `json:"connectorUuid"`
		Source        string `json:"source"`
	} `json:"connectorMetaData"`
	AssetData []jsontext.Value `json:"assetData"`
}

// importOpts: the gateway's binding ignores key case ("ipaddress",
// "hostname") and unknown keys (temp_q_25_ipv4Address).
var importOpts = json.JoinOptions(json.MatchCaseInsensitiveNames(true))

func str(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// scalarText is a custom attribute value as text: strings as they are,
// numbers and booleans as their JSON text, null as absent.
func scalarText(v jsontext.Value) (*string, error) {
	switch v.Kind() {
	case 0, 'n':
		return nil, nil
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, err
		}
		return &s, nil
	case '0', 't', 'f':
		s := string(v)
		return &s, nil
	}
	return nil, fmt.Errorf("want a string, got JSON %v", v.Kind())
}

// validateAsset decodes and checks one assetData element.
func validateAsset(raw jsontext.Value) (*importAsset, error) {
	var a importAsset
	if err := json.Unmarshal(raw, &a, importOpts); err != nil {
		msg := strings.TrimPrefix(err.Error(), "json: ")
		return nil, fmt.Errorf("invalid asset data: %s", msg)
	}
	id := a.IdentityAttributes
	if id == nil || (str(id.HostName) == "" && str(id.FQDN) == "" && str(id.NetBiosName) == "" && len(flexStrings(id.IPAddress).nonEmpty()) == 0 &&
		str(id.MacAddress) == "" && str(id.HardwareUUID) == "" && str(id.SerialNumber) == "" && str(id.SourceNativeKey) == "") {
		return nil, errors.New("no identity attribute: at least one of identityAttributes.hostName, fqdn, netBiosName, ipAddress, macAddress, hardwareUuid, serialNumber or sourceNativeKey is required")
	}
	for k, c := range a.CustomAttributes {
		if str(c.Key) == "" {
			return nil, fmt.Errorf("customAttributes[%d]: key is required", k)
		}
		if _, err := scalarText(c.Value); err != nil {
			return nil, fmt.Errorf("customAttributes[%d].value: %v", k, err)
		}
	}
	if c := a.CoreAttributes; c != nil {
		for k, sw := range c.Softwares {
			if str(sw.Name) == "" {
				return nil, fmt.Errorf("coreAttributes.softwares[%d]: name is required", k)
			}
		}
		for k, v := range c.CustomConnectorAttributes {
			if _, err := scalarText(v); err != nil {
				return nil, fmt.Errorf("coreAttributes.customConnectorAttributes.%s: %v", k, err)
			}
		}
		if c.SourceCreatedDate.ok && c.SourceLastUpdatedDate.ok && c.SourceCreatedDate.ms > c.SourceLastUpdatedDate.ms {
			return nil, errors.New("coreAttributes.sourceCreatedDate is after sourceLastUpdatedDate")
		}
	}
	return &a, nil
}

// assetKey is the assetsError key of an assetData element: its
// sourceNativeKey, else its index.
func assetKey(raw jsontext.Value, index int) string {
	var probe struct {
		IdentityAttributes struct {
			SourceNativeKey jsontext.Value `json:"sourceNativeKey"`
		} `json:"identityAttributes"`
	}
	if json.Unmarshal(raw, &probe, importOpts) == nil {
		var k string
		if json.Unmarshal(probe.IdentityAttributes.SourceNativeKey, &k) == nil && strings.TrimSpace(k) != "" {
			return strings.TrimSpace(k)
		}
	}
	return strconv.Itoa(index)
}

// importResponse is the import API's answer (seed 002).
type importResponse struct {
	Message      string            `json:"message"`
	ResponseCode string            `json:"responseCode"`
	AssetsError  map[string]string `json:"assetsError"`
}

func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16*maxBody))
	if err != nil {
		writeQualys(w, http.StatusBadRequest, "Could not read the request body", err.Error())
		return
	}
	var req importRequest
	if err := json.Unmarshal(bytes.TrimSpace(body), &req, importOpts); err != nil {
		writeQualys(w, http.StatusBadRequest, "Invalid request payload: the body is not a valid asset sync request", strings.TrimPrefix(err.Error(), "json: "))
		return
	}
	md := req.ConnectorMetaData
	if md == nil || strings.TrimSpace(md.ConnectorUUID) == "" {
		writeQualys(w, http.StatusBadRequest, "Invalid request payload: connectorMetaData.connectorUuid is required", "")
		return
	}
	s.imp.mu.Lock()
	conn, ok := s.imp.connectors[strings.TrimSpace(md.ConnectorUUID)]
	s.imp.mu.Unlock()
	if !ok {
		writeQualys(w, http.StatusBadRequest, "Invalid connectorUuid: no connector with uuid "+md.ConnectorUUID+" is configured",
			"Configure the connector first (emulator: --connector UUID=SOURCE[:TAGS] or POST /__emulator/connectors)")
		return
	}
	if md.Source != "" && !strings.EqualFold(md.Source, conn.Source) {
		s.log.Warn("import source differs from the connector's; the connector's is used", "connector", conn.UUID, "sent", md.Source, "configured", conn.Source)
	}
	if len(req.AssetData) == 0 {
		writeQualys(w, http.StatusBadRequest, "Invalid request payload: assetData is empty", "assetData must hold at least one asset")
		return
	}
	resp := importResponse{AssetsError: map[string]string{}}
	job := &importJob{conn: conn, due: time.Now().Add(s.cfg.ImportDelay)}
	for k, raw := range req.AssetData {
		a, err := validateAsset(raw)
		if err != nil {
			resp.AssetsError[assetKey(raw, k)] = err.Error()
			continue
		}
		job.assets = append(job.assets, a)
	}
	rec := &ImportRecord{RequestID: md.RequestID, ConnectorUUID: conn.UUID, Source: conn.Source, Received: time.Now().UTC(),
		Accepted: len(job.assets), Rejected: resp.AssetsError}
	job.rec = rec
	s.log.Info("import received", "requestId", md.RequestID, "connector", conn.UUID, "accepted", len(job.assets), "rejected", len(resp.AssetsError))
	if len(job.assets) == 0 {
		s.imp.mu.Lock()
		s.imp.history = append(s.imp.history, rec)
		s.imp.mu.Unlock()
		resp.Message, resp.ResponseCode = "No asset was published for sync: every asset failed validation (see assetsError).", "FAILED"
		writeJSON(w, http.StatusBadRequest, resp)
		return
	}
	s.enqueueImport(job)
	resp.ResponseCode = csamapi.ResponsePublished
	if len(resp.AssetsError) == 0 {
		resp.Message = "All Assets are successfully published for sync."
	} else {
		resp.Message = fmt.Sprintf("%d of %d assets are successfully published for sync; see assetsError for the others.", len(job.assets), len(req.AssetData))
	}
	writeJSON(w, http.StatusOK, resp)
}

// ---- processing ----

func (s *Server) enqueueImport(job *importJob) {
	im := s.imp
	im.once.Do(func() {
		s.bg.Add(1)
		go s.importWorker()
	})
	im.mu.Lock()
	im.queue = append(im.queue, job)
	im.history = append(im.history, job.rec)
	im.busy++
	im.mu.Unlock()
	select {
	case im.wake <- struct{}{}:
	default:
	}
}

// importWorker processes jobs in arrival order, each no earlier than its
// due time, until the server is closed.
func (s *Server) importWorker() {
	defer s.bg.Done()
	im := s.imp
	for {
		im.mu.Lock()
		var job *importJob
		if len(im.queue) > 0 {
			job = im.queue[0]
			im.queue = im.queue[1:]
		}
		im.mu.Unlock()
		if job == nil {
			select {
			case <-im.wake:
				continue
			case <-s.quit:
				return
			}
		}
		if d := time.Until(job.due); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-s.quit:
				t.Stop()
				return
			}
		}
		s.processImport(job)
		im.mu.Lock()
		im.busy--
		im.mu.Unlock()
	}
}

// identityIndex finds existing assets by the identity values a batch
// asks for, in one pass over the store.
type identityIndex struct {
	serial, hwUUID, mac, fqdn, host map[string]int64
}

func normMAC(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "-", ":"))
}

func (s *Server) buildIdentityIndex(assets []*importAsset) *identityIndex {
	ix := &identityIndex{serial: map[string]int64{}, hwUUID: map[string]int64{}, mac: map[string]int64{}, fqdn: map[string]int64{}, host: map[string]int64{}}
	want := map[string]map[string]bool{"serial": {}, "hw": {}, "mac": {}, "fqdn": {}, "host": {}}
	for _, a := range assets {
		id := a.IdentityAttributes
		if v := str(id.SerialNumber); v != "" {
			want["serial"][v] = true
		}
		if v := str(id.HardwareUUID); v != "" {
			want["hw"][strings.ToLower(v)] = true
		}
		if v := str(id.MacAddress); v != "" {
			want["mac"][normMAC(v)] = true
		}
		if v := str(id.FQDN); v != "" {
			want["fqdn"][strings.ToLower(v)] = true
		}
		if v := str(id.HostName); v != "" {
			want["host"][strings.ToLower(v)] = true
		}
	}
	total := 0
	for _, m := range want {
		total += len(m)
	}
	if total == 0 {
		return ix
	}
	needMAC := len(want["mac"]) > 0
	note := func(m map[string]int64, set map[string]bool, v string, id int64) {
		if v == "" || !set[v] {
			return
		}
		if _, seen := m[v]; !seen {
			m[v] = id
		}
	}
	st := s.store
	g := st.gen
	st.mu.RLock()
	st.scan(minCursor, func(e entry) bool {
		a := e.ov
		if a == nil {
			a = g.asset(g.header(e.idx), genOpts{noSoftware: true, noDetail: !needMAC})
		}
		note(ix.serial, want["serial"], csamapi.Str(a.BiosSerialNumber), e.id)
		note(ix.hwUUID, want["hw"], strings.ToLower(csamapi.Str(a.HwUUID)), e.id)
		note(ix.fqdn, want["fqdn"], strings.ToLower(csamapi.Str(a.DNSName)), e.id)
		for _, h := range []*string{a.AssetName, a.DNSName, a.NetbiosName} {
			note(ix.host, want["host"], strings.ToLower(csamapi.Str(h)), e.id)
		}
		if needMAC && a.NetworkInterfaceListData != nil {
			for _, n := range a.NetworkInterfaceListData.NetworkInterface {
				note(ix.mac, want["mac"], normMAC(csamapi.Str(n.MacAddress)), e.id)
			}
		}
		return true
	})
	st.mu.RUnlock()
	return ix
}

// remember adds a processed asset's identity to the index, so that a
// later asset of the same batch with the same identity updates it.
func (ix *identityIndex) remember(a *importAsset, id int64) {
	i := a.IdentityAttributes
	set := func(m map[string]int64, v string) {
		if v != "" {
			m[v] = id
		}
	}
	set(ix.serial, str(i.SerialNumber))
	set(ix.hwUUID, strings.ToLower(str(i.HardwareUUID)))
	set(ix.mac, normMAC(str(i.MacAddress)))
	set(ix.fqdn, strings.ToLower(str(i.FQDN)))
	set(ix.host, strings.ToLower(str(i.HostName)))
}

func (ix *identityIndex) match(a *importAsset) (int64, bool) {
	i := a.IdentityAttributes
	for _, c := range []struct {
		m map[string]int64
		v string
	}{
		{ix.serial, str(i.SerialNumber)}, {ix.hwUUID, strings.ToLower(str(i.HardwareUUID))}, {ix.mac, normMAC(str(i.MacAddress))},
		{ix.fqdn, strings.ToLower(str(i.FQDN))}, {ix.host, strings.ToLower(str(i.HostName))},
	} {
		if c.v == "" {
			continue
		}
		if id, ok := c.m[c.v]; ok {
			return id, true
		}
	}
	return 0, false
}

// currentAsset returns the full current asset under id.
func (s *Server) currentAsset(id int64) (*csamapi.Asset, bool) {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	e, ok := s.store.lookup(id)
	if !ok {
		return nil, false
	}
	return s.store.build(e, genOpts{}), true
}

func (s *Server) processImport(job *importJob) {
	now := time.Now().UTC().Truncate(time.Second)
	conn := job.conn
	ix := s.buildIdentityIndex(job.assets)
	var created, updated []int64
	for _, in := range job.assets {
		snk := str(in.IdentityAttributes.SourceNativeKey)
		var prev *csamapi.Asset
		id, found := int64(0), false
		if snk != "" {
			s.imp.mu.Lock()
			id, found = s.imp.byKey[conn.UUID+"\x00"+snk]
			s.imp.mu.Unlock()
		}
		if !found {
			id, found = ix.match(in)
		}
		if found {
			if prev, found = s.currentAsset(id); !found {
				prev = nil // deleted since: import it anew
			}
		}
		if !found {
			id = s.store.allocID()
		}
		a := importedAsset(prev, id, in, &conn, now)
		s.store.put(a)
		ix.remember(in, id)
		s.imp.mu.Lock()
		if snk != "" {
			s.imp.byKey[conn.UUID+"\x00"+snk] = id
		}
		owned := s.imp.owned[conn.UUID]
		if k, ok := slices.BinarySearch(owned, id); !ok {
			s.imp.owned[conn.UUID] = slices.Insert(owned, k, id)
		}
		s.imp.mu.Unlock()
		kind := "import-update"
		if prev == nil {
			created = append(created, id)
			kind = "import-add"
		} else {
			updated = append(updated, id)
		}
		s.logChange(ChangeRecord{At: now, Kind: kind, ID: id, Detail: fmt.Sprintf("connector %s (%s): %s", conn.UUID, conn.Source, csamapi.Str(a.AssetName))})
	}
	tagged := s.applyConnectorTags(conn, now)
	s.imp.mu.Lock()
	t := time.Now().UTC()
	job.rec.Processed, job.rec.Created, job.rec.Updated = &t, created, updated
	s.imp.mu.Unlock()
	s.log.Info("import processed", "requestId", job.rec.RequestID, "connector", conn.UUID, "created", len(created), "updated", len(updated), "retagged", tagged)
}

// applyConnectorTags gives every asset the connector imported the
// connector's tags (seed 002); an asset that gains a tag gets a new
// lastModifiedDate. It returns how many assets changed.
func (s *Server) applyConnectorTags(conn Connector, now time.Time) int {
	if len(conn.Tags) == 0 {
		return 0
	}
	s.imp.mu.Lock()
	ids := slices.Clone(s.imp.owned[conn.UUID])
	s.imp.mu.Unlock()
	n := 0
	for _, id := range ids {
		a, ok := s.currentAsset(id)
		if !ok {
			continue
		}
		tl, changed := withTags(a.TagList, conn.Tags)
		if !changed {
			continue
		}
		c := *a
		c.TagList = tl
		c.LastModifiedDate = csamapi.ISO(now)
		s.store.put(&c)
		n++
	}
	return n
}

// withTags returns tl plus the named tags, and whether any was missing.
// tl itself is not modified.
func withTags(tl *csamapi.TagList, names []string) (*csamapi.TagList, bool) {
	var have []csamapi.Tag
	if tl != nil {
		have = tl.Tag
	}
	out := slices.Clone(have)
	for _, n := range names {
		t := connectorTag(n)
		if !slices.ContainsFunc(out, func(x csamapi.Tag) bool { return x.TagID == t.TagID }) {
			out = append(out, t)
		}
	}
	if len(out) == len(have) {
		return tl, false
	}
	return &csamapi.TagList{Tag: out}, true
}

// importedAsset builds the asset an import leaves: prev updated (a copy;
// prev is never modified) or, with prev nil, a new asset with this id.
func importedAsset(prev *csamapi.Asset, id int64, in *importAsset, conn *Connector, now time.Time) *csamapi.Asset {
	var a csamapi.Asset
	if prev != nil {
		a = *prev
	} else {
		h := mix(uint64(id) ^ hashString(conn.UUID))
		r := rng{h}
		var g generator
		a = csamapi.Asset{
			AssetID: id, AssetUUID: csamapi.P(g.uuid(&r)), AssetType: csamapi.P("HOST"),
			CreatedDate: csamapi.ISO(now), SensorLastUpdatedDate: csamapi.ISO(now),
			Criticality:      &csamapi.Criticality{Score: csamapi.P(int64(1)), IsDefault: csamapi.P(true)},
			OrganizationName: []string{orgDefs[orgFor(mix(uint64(id)))].name},
		}
	}
	idn := in.IdentityAttributes
	core := in.CoreAttributes
	if core == nil {
		core = &importCore{}
	}
	set := func(dst **string, v string) {
		if v != "" {
			*dst = csamapi.P(v)
		}
	}
	ips := flexStrings(idn.IPAddress).nonEmpty()
	ip := ""
	if len(ips) > 0 {
		ip = ips[0]
	}
	fqdn := firstOf(str(idn.FQDN), str(core.FQDN), str(in.DNSName))
	set(&a.AssetName, firstOf(str(core.HostName), str(idn.HostName), fqdn, str(idn.NetBiosName), str(core.NetBiosName), ip))
	set(&a.DNSName, fqdn)
	set(&a.NetbiosName, firstOf(str(idn.NetBiosName), str(core.NetBiosName)))
	set(&a.Address, firstOf(str(core.Address), str(core.IPAddress), ip))
	set(&a.BiosSerialNumber, str(idn.SerialNumber))
	set(&a.HwUUID, str(idn.HardwareUUID))
	set(&a.LastLoggedOnUser, str(core.LastLoggedOnUser))
	if b := core.BiosInfo; b != nil {
		set(&a.BiosDescription, str(b.BiosDescription))
		set(&a.TimeZone, str(b.TimeZone))
		set(&a.BiosAssetTag, str(b.BiosAssetTag))
		if a.BiosSerialNumber == nil {
			set(&a.BiosSerialNumber, str(b.SerialNumber))
		}
		if a.HwUUID == nil {
			set(&a.HwUUID, str(b.HardwareUUID))
		}
		if b.TotalMemory.ok {
			a.TotalMemory = b.TotalMemory.ptr()
		}
		if man, model := str(b.Manufacturer), str(b.Model); man != "" || model != "" {
			full := strings.TrimSpace(man + " " + model)
			a.Hardware = &csamapi.Hardware{
				FullName: csamapi.P(full), Category: csamapi.P("Unknown / Unknown"), Category1: csamapi.P("Unknown"), Category2: csamapi.P("Unknown"),
				Manufacturer: csamapi.P(firstOf(man, "Unknown")), ProductName: csamapi.P(firstOf(model, "Unknown")), Model: csamapi.P(firstOf(model, "Unknown")),
				Lifecycle: &csamapi.Lifecycle{Stage: csamapi.P("Unknown")},
			}
		}
	}
	if osName := str(core.OperatingSystem); osName != "" && a.OperatingSystem == nil {
		a.OperatingSystem = importedOS(osName)
	}
	if p := core.Processor; p != nil {
		a.Processor = csamapi.OneOrMany[csamapi.Processor]{Items: []csamapi.Processor{{
			Description: csamapi.P(str(p.Description)), Speed: p.Speed.ptr(), NumCPUs: p.NumberOfCPU.ptr(),
		}}, Single: true}
		if p.NumberOfCPU.ok {
			a.CPUCount = p.NumberOfCPU.ptr()
		}
	}
	a.OpenPortListData = mergePorts(a.OpenPortListData, core, conn.Source)
	a.ServiceList = mergeServices(a.ServiceList, core)
	a.VolumeListData = mergeVolumes(a.VolumeListData, core)
	a.UserAccountListData = mergeAccounts(a.UserAccountListData, core)
	a.NetworkInterfaceListData = mergeNICs(a.NetworkInterfaceListData, core, str(idn.MacAddress), ip)
	if b := firstNonNil(core.BusinessInformation, core.BusinessMetaData); b != nil {
		a.BusinessInformation = &csamapi.BusinessInformation{
			Company: b.Company, Department: b.Department, OwnedBy: b.OwnedBy, Environment: b.Environment, ManagedBy: b.ManagedBy,
			SupportedBy: b.SupportedBy, SupportGroup: b.SupportGroup, OperationalStatus: firstNonNil(b.OperationalStatus, b.Status),
		}
	}
	if l := core.AssignedLocation; l != nil {
		a.AssignedLocation = &csamapi.Location{Name: l.Name, City: l.City, State: l.State, Country: l.Country, Postal: l.Zip}
	}
	a.SoftwareListData = mergeSoftware(a.SoftwareListData, core.Softwares, conn.Source, now)
	a.CustomAttributes = mergeCustom(a.CustomAttributes, in, core, conn.displayName())

	created, updated := now.UnixMilli(), now.UnixMilli()
	if core.SourceCreatedDate.ok {
		created = core.SourceCreatedDate.ms
	}
	if core.SourceLastUpdatedDate.ok {
		updated = core.SourceLastUpdatedDate.ms
	}
	inv := csamapi.Inventory{Source: csamapi.P(conn.Source), Created: csamapi.Millis(created), LastUpdated: csamapi.Millis(updated)}
	var list []csamapi.Inventory
	if a.InventoryListData != nil {
		for _, x := range a.InventoryListData.Inventory {
			if csamapi.Str(x.Source) != conn.Source {
				list = append(list, x)
			}
		}
	}
	if a.Inventory != nil && csamapi.Str(a.Inventory.Source) != conn.Source &&
		!slices.ContainsFunc(list, func(x csamapi.Inventory) bool { return csamapi.Str(x.Source) == csamapi.Str(a.Inventory.Source) }) {
		list = append(list, *a.Inventory)
	}
	a.InventoryListData = &csamapi.InventoryListData{Inventory: append(list, inv)}
	a.Inventory = &inv
	a.Activity = &csamapi.Activity{Source: csamapi.P(conn.Source), LastScannedDate: csamapi.Millis(updated)}
	a.TagList, _ = withTags(a.TagList, conn.Tags)
	a.LastModifiedDate = csamapi.ISO(now)
	return &a
}

func firstNonNil[T any](ps ...*T) *T {
	for _, p := range ps {
		if p != nil {
			return p
		}
	}
	return nil
}

// importedOS classifies an operating system known only by name
// ("Windows 11").
func importedOS(name string) *csamapi.OperatingSystem {
	low := strings.ToLower(name)
	cat1, cat2, pub := "Unidentified", "Unidentified", "Unidentified"
	switch {
	case strings.Contains(low, "windows"):
		cat1, cat2, pub = "Windows", "Client", "Microsoft"
		if strings.Contains(low, "server") {
			cat2 = "Server"
		}
	case strings.Contains(low, "mac"):
		cat1, cat2, pub = "Mac", "Client", "Apple"
	case strings.Contains(low, "linux") || strings.Contains(low, "ubuntu") || strings.Contains(low, "red hat") || strings.Contains(low, "centos") || strings.Contains(low, "debian"):
		cat1, cat2 = "Linux", "Server"
	}
	cat := cat1 + " / " + cat2
	return &csamapi.OperatingSystem{
		OsName: csamapi.P(name), FullName: csamapi.P(name), Category: csamapi.P(cat), Category1: csamapi.P(cat1), Category2: csamapi.P(cat2),
		ProductName: csamapi.P(name), Publisher: csamapi.P(pub), Lifecycle: &csamapi.Lifecycle{Stage: pUnknown},
		Taxonomy: &csamapi.Taxonomy{Name: csamapi.P(cat), Category1: csamapi.P(cat1), Category2: csamapi.P(cat2)},
	}
}

func mergePorts(prev *csamapi.OpenPortListData, core *importCore, source string) *csamapi.OpenPortListData {
	if len(core.Ports) == 0 {
		return prev
	}
	var out []csamapi.OpenPort
	if prev != nil {
		out = slices.Clone(prev.OpenPort)
	}
	for _, p := range core.Ports {
		if !p.Port.ok {
			continue
		}
		proto := strings.ToUpper(firstOf(str(p.Protocol), "TCP"))
		op := csamapi.OpenPort{Port: p.Port.ptr(), Protocol: csamapi.P(proto), Description: p.Description, DetectedService: p.DetectedService, DiscoverySources: csamapi.P(source)}
		out = replaceOrAppend(out, op, func(x csamapi.OpenPort) bool {
			return x.Port != nil && *x.Port == p.Port.v && strings.EqualFold(csamapi.Str(x.Protocol), proto)
		})
	}
	return &csamapi.OpenPortListData{OpenPort: out}
}

func mergeServices(prev *csamapi.ServiceList, core *importCore) *csamapi.ServiceList {
	if len(core.Services) == 0 {
		return prev
	}
	var out []csamapi.Service
	if prev != nil {
		out = slices.Clone(prev.Service)
	}
	for _, sv := range core.Services {
		if str(sv.Name) == "" {
			continue
		}
		n := csamapi.Service{Name: sv.Name, Description: sv.Description, Status: sv.Status}
		out = replaceOrAppend(out, n, func(x csamapi.Service) bool { return csamapi.Str(x.Name) == str(sv.Name) })
	}
	return &csamapi.ServiceList{Service: out}
}

func mergeVolumes(prev *csamapi.VolumeListData, core *importCore) *csamapi.VolumeListData {
	if len(core.Volumes) == 0 {
		return prev
	}
	var out []csamapi.Volume
	if prev != nil {
		out = slices.Clone(prev.Volume)
	}
	for _, v := range core.Volumes {
		if str(v.Name) == "" {
			continue
		}
		n := csamapi.Volume{Name: v.Name, Size: v.Size.ptr(), Free: v.Free.ptr()}
		out = replaceOrAppend(out, n, func(x csamapi.Volume) bool { return csamapi.Str(x.Name) == str(v.Name) })
	}
	return &csamapi.VolumeListData{Volume: out}
}

func mergeAccounts(prev *csamapi.UserAccountListData, core *importCore) *csamapi.UserAccountListData {
	if len(core.Accounts) == 0 {
		return prev
	}
	var out []csamapi.UserAccount
	if prev != nil {
		out = slices.Clone(prev.UserAccount)
	}
	for _, u := range core.Accounts {
		if str(u.Username) == "" || slices.ContainsFunc(out, func(x csamapi.UserAccount) bool { return csamapi.Str(x.Name) == str(u.Username) }) {
			continue
		}
		out = append(out, csamapi.UserAccount{Name: u.Username})
	}
	return &csamapi.UserAccountListData{UserAccount: out}
}

func mergeNICs(prev *csamapi.NetworkInterfaceListData, core *importCore, mac, ip string) *csamapi.NetworkInterfaceListData {
	var out []csamapi.NetworkInterface
	if prev != nil {
		out = slices.Clone(prev.NetworkInterface)
	}
	n0 := len(out)
	for _, n := range core.NetworkInterfaces {
		v4 := strings.Join(n.IPv4Address.nonEmpty(), ",")
		if v4 == "" {
			v4 = str(n.Address)
		}
		nic := csamapi.NetworkInterface{InterfaceName: n.InterfaceName, MacAddress: n.MacAddress, Hostname: n.HostName}
		if v4 != "" {
			nic.AddressIPV4 = csamapi.P(v4)
		}
		if gw := strings.Join(n.GatewayAddress.nonEmpty(), ", "); gw != "" {
			nic.GatewayAddress = csamapi.P(gw)
		}
		out = replaceOrAppend(out, nic, func(x csamapi.NetworkInterface) bool {
			return csamapi.Str(x.InterfaceName) == str(n.InterfaceName) && (str(n.MacAddress) == "" || normMAC(csamapi.Str(x.MacAddress)) == normMAC(str(n.MacAddress)))
		})
	}
	if mac != "" && !slices.ContainsFunc(out, func(x csamapi.NetworkInterface) bool { return normMAC(csamapi.Str(x.MacAddress)) == normMAC(mac) }) {
		nic := csamapi.NetworkInterface{MacAddress: csamapi.P(mac)}
		if ip != "" {
			nic.AddressIPV4 = csamapi.P(ip)
		}
		out = append(out, nic)
	}
	if len(out) == n0 && prev != nil {
		return prev
	}
	if len(out) == 0 {
		return nil
	}
	return &csamapi.NetworkInterfaceListData{NetworkInterface: out}
}

// mergeSoftware adds (or replaces, by full name) the imported software.
func mergeSoftware(prev *csamapi.SoftwareListData, in []importSoftware, source string, now time.Time) *csamapi.SoftwareListData {
	if len(in) == 0 {
		return prev
	}
	var out []csamapi.Software
	if prev != nil {
		out = slices.Clone(prev.Software)
	}
	seen := now.Format("2006-01-02T15:04:05.000Z")
	for _, sw := range in {
		name, ver := str(sw.Name), str(sw.Version)
		full := strings.TrimSpace(name + " " + ver)
		var inst []csamapi.SoftwareInstance
		for _, x := range sw.SoftwareInstances {
			c := make(csamapi.SoftwareInstance, len(x)+2)
			for k, v := range x {
				c[k] = v
			}
			if _, ok := c.Get("firstSeen"); !ok {
				c["firstSeen"] = seen
			}
			if _, ok := c.Get("lastSeen"); !ok {
				c["lastSeen"] = seen
			}
			inst = append(inst, c)
		}
		rec := csamapi.Software{
			ID: softwareID(name, ver, ""), DiscoverySources: csamapi.P(source), FullName: csamapi.P(full), SoftwareType: csamapi.P("Application"),
			IsIgnored: pFalse, Category: csamapi.P("Unknown / Unknown"), Category1: csamapi.P("Unknown"), Category2: csamapi.P("Unknown"),
			ProductName: csamapi.P(name), Publisher: csamapi.P(firstOf(str(sw.Publisher), "Unknown")), Version: sw.Version, Update: sw.Version,
			IsPackage: pFalse, IsPackageComponent: pFalse, Lifecycle: &csamapi.Lifecycle{Stage: pUnknown},
			DiscoveredName: csamapi.P(name), DiscoveredVersion: sw.Version, SoftwareInstances: inst,
		}
		out = replaceOrAppend(out, rec, func(x csamapi.Software) bool { return csamapi.Str(x.FullName) == full })
	}
	return &csamapi.SoftwareListData{Software: out}
}

// mergeCustom adds (or replaces, by key) the imported custom attributes
// and the custom connector attributes, with the connector's name.
func mergeCustom(prev []csamapi.CustomAttribute, in *importAsset, core *importCore, connector string) []csamapi.CustomAttribute {
	out := slices.Clone(prev)
	put := func(key string, val *string) {
		ca := csamapi.CustomAttribute{Key: csamapi.P(key), Value: val, ConnectorName: csamapi.P(connector)}
		out = replaceOrAppend(out, ca, func(x csamapi.CustomAttribute) bool { return csamapi.Str(x.Key) == key })
	}
	for _, c := range in.CustomAttributes {
		v, _ := scalarText(c.Value)
		put(str(c.Key), v)
	}
	for _, k := range slices.Sorted(maps.Keys(core.CustomConnectorAttributes)) {
		v, _ := scalarText(core.CustomConnectorAttributes[k])
		put(k, v)
	}
	return out
}

// replaceOrAppend puts v in place of the first element that same matches,
// or appends it: an import updates what it names and adds what is new.
func replaceOrAppend[T any](list []T, v T, same func(T) bool) []T {
	if k := slices.IndexFunc(list, same); k >= 0 {
		list[k] = v
		return list
	}
	return append(list, v)
}
