package emulator

import (
	"context"
	"errors"
	"iter"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// Config configures an emulator. The zero value is usable: no assets,
// admin/admin, the gateway's default limits.
type Config struct {
	Assets int   // number of synthetic base assets
	Seed   int64 // data seed: same seed, same bytes

	Username, Password     string // /auth credentials (default admin/admin)
	ClientID, ClientSecret string // /auth/oauth and /auth/oidc; empty disables them

	TokenTTL time.Duration // default 4h

	// RateLimit calls per RateWindow, rolling (default 300 per 3600 s);
	// 0 = default, negative = unlimited.
	RateLimit  int
	RateWindow time.Duration
	// ConcurrencyLimit is the number of data requests allowed in flight
	// (default 2); 0 = default, negative = unlimited.
	ConcurrencyLimit int

	// Connectors are the third-party connectors the import API accepts;
	// more can be added with AddConnector or POST /__emulator/connectors.
	Connectors []Connector
	// ImportDelay is how long after it is accepted an import is processed
	// (default 200 ms); ReportDelay the same for reports.
	ImportDelay, ReportDelay time.Duration
	// EASMInProgressPolls is how many polls of /easm/v1/profile/status
	// answer IN_PROGRESS after start or a profile save (default 2;
	// negative: none).
	EASMInProgressPolls int

	Logger *slog.Logger // nil = discard
}

// Server is the emulated gateway. It implements http.Handler, so it can be
// mounted anywhere, or listen on its own with Start.
type Server struct {
	cfg    Config
	log    *slog.Logger
	store  *store
	auth   *authority
	lim    *limiter
	faults *Faults
	mux    *http.ServeMux

	statsMu   sync.Mutex
	requests  map[string]map[int]int
	rateLim   int
	concLim   int
	assetsOut atomic.Int64
	bytesOut  atomic.Int64

	imp     *importer
	orgs    orgBase
	easm    *easmState
	reports reportStore

	changeMu sync.Mutex
	changes  []ChangeRecord

	quit     chan struct{} // closed by Close and Shutdown: background work stops
	quitOnce sync.Once
	bg       sync.WaitGroup

	srvMu sync.Mutex
	srv   *http.Server
}

// New builds a server from cfg, filling in defaults.
func New(cfg Config) *Server {
	if cfg.Username == "" && cfg.Password == "" {
		cfg.Username, cfg.Password = "admin", "admin"
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 4 * time.Hour
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 300
	}
	if cfg.RateWindow <= 0 {
		cfg.RateWindow = time.Hour
	}
	if cfg.ConcurrencyLimit == 0 {
		cfg.ConcurrencyLimit = 2
	}
	if cfg.ImportDelay <= 0 {
		cfg.ImportDelay = 200 * time.Millisecond
	}
	if cfg.ReportDelay <= 0 {
		cfg.ReportDelay = 200 * time.Millisecond
	}
	cfg.Assets = max(cfg.Assets, 0)
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg:      cfg,
		log:      log,
		store:    newStore(newGenerator(cfg.Seed, cfg.Assets)),
		auth:     newAuthority(cfg.TokenTTL),
		lim:      newLimiter(cfg.RateLimit, cfg.RateWindow, cfg.ConcurrencyLimit),
		faults:   newFaults(log),
		requests: map[string]map[int]int{},
		imp:      newImporter(cfg.Connectors),
		reports:  reportStore{reports: map[string]*Report{}},
		quit:     make(chan struct{}),
	}
	s.easm = newEASM(cfg.Seed, s.store.gen.ref, cfg.EASMInProgressPolls)
	s.routes()
	return s
}

// Paths of the emulated API.
const (
	pathAuth       = "/auth"
	pathAuthOAuth  = "/auth/oauth"
	pathAuthOIDC   = "/auth/oidc"
	pathSearch     = "/rest/2.0/search/am/asset"
	pathCount      = "/rest/2.0/count/am/asset"
	pathGet        = "/rest/2.0/get/am/asset"
	pathV1List     = "/am/v1/assets/host/list"
	pathV1Filter   = "/am/v1/assets/host/filter/list"
	pathV1Count    = "/am/v1/assets/host/count"
	pathV1Get      = "/am/v1/asset/host/id"
	pathSNAssets   = "/am/v2/sn/assets/host/"
	pathSNAsset    = "/am/v2/sn/asset/host/"
	pathOrgCount   = "/rest/2.0/am/organization/count"
	pathOrgList    = "/rest/2.0/am/organization/list"
	pathComponents = "/rest/2.0/am/asset/component"
	pathImport     = "/rest/2.0/am/connector/asset/data/sync"
	pathEASMStatus = "/easm/v1/profile/status"
	pathReport     = "/rest/2.0/am/report"
	pathAdmin      = "/__emulator/"
)

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc(pathAuth, s.handleAuth)
	m.HandleFunc(pathAuthOAuth, s.handleClientAuth)
	m.HandleFunc(pathAuthOIDC, s.handleClientAuth)
	m.HandleFunc(pathSearch, s.data(mPost|mGet, s.searchOrGet))
	m.HandleFunc(pathCount, s.data(mPost, s.count))
	m.HandleFunc(pathGet, s.data(mPost|mGet, s.getByID))
	m.HandleFunc(pathV1List, s.data(mPost, s.v1List))
	m.HandleFunc(pathV1Filter, s.data(mPost, s.v1FilterList))
	m.HandleFunc(pathV1Count, s.data(mPost, s.v1Count))
	m.HandleFunc(pathV1Get, s.data(mPost|mGet, s.v1Get))
	m.HandleFunc(pathSNAssets+"{assetId}", s.data(mGet|mPost, s.snGet))
	m.HandleFunc(pathSNAsset+"{assetId}", s.data(mGet|mPost, s.snGet))
	m.HandleFunc(pathOrgCount, s.data(mPost, s.orgCount))
	m.HandleFunc(pathOrgList, s.data(mPost, s.orgList))
	m.HandleFunc(pathComponents, s.data(mPost, s.components))
	m.HandleFunc(pathComponents+"/{assetId}", s.data(mPost, s.components))
	m.HandleFunc(pathImport, s.data(mPost, s.handleImport))
	m.HandleFunc(pathEASMStatus, s.data(mGet, s.easmStatus))
	m.HandleFunc(pathReport, s.data(mPost, s.handleReport))
	m.HandleFunc(pathAdmin+"faults", s.handleAdminFaults)
	m.HandleFunc(pathAdmin+"stats", s.handleAdminStats)
	m.HandleFunc(pathAdmin+"connectors", s.handleAdminConnectors)
	m.HandleFunc(pathAdmin+"changes", s.handleAdminChanges)
	m.HandleFunc(pathAdmin+"imports", s.handleAdminImports)
	m.HandleFunc(pathAdmin+"easm/profile", s.handleAdminEASM)
	m.HandleFunc(pathAdmin+"reports", s.handleAdminReport)
	m.HandleFunc(pathAdmin+"reports/{fileUuid}", s.handleAdminReport)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeSpring(w, r, http.StatusNotFound, "Not Found", "No handler found for "+r.Method+" "+r.URL.Path)
	})
	s.mux = m
}

// ServeHTTP serves one request, recording and logging it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w}
	defer func() {
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		s.statsMu.Lock()
		byStatus := s.requests[r.URL.Path]
		if byStatus == nil {
			byStatus = map[int]int{}
			s.requests[r.URL.Path] = byStatus
		}
		byStatus[status]++
		s.statsMu.Unlock()
		s.bytesOut.Add(rec.bytes)
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "query", r.URL.RawQuery,
			"status", status, "bytes", rec.bytes, "ms", time.Since(start).Milliseconds(), "remote", r.RemoteAddr)
	}()
	s.mux.ServeHTTP(rec, r)
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in
// the background. It returns the base URL to give a client.
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.srvMu.Lock()
	if s.srv != nil {
		s.srvMu.Unlock()
		ln.Close()
		return "", errors.New("emulator: already started")
	}
	s.srv = srv
	s.srvMu.Unlock()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serve", "err", err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}

// stopBackground stops the import worker and pending report jobs.
func (s *Server) stopBackground() {
	s.quitOnce.Do(func() { close(s.quit) })
	s.bg.Wait()
}

// Close stops the listener, drops open connections and stops background
// work (pending imports and reports are abandoned).
func (s *Server) Close() error {
	s.stopBackground()
	s.srvMu.Lock()
	srv := s.srv
	s.srvMu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// Shutdown stops the listener and waits for requests in flight, up to ctx,
// then stops background work.
func (s *Server) Shutdown(ctx context.Context) error {
	defer s.stopBackground()
	s.srvMu.Lock()
	srv := s.srv
	s.srvMu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Shutdown(ctx)
}

// Asset returns the asset the emulator currently holds under id, exactly as
// search would emit it without field selection or softwareType, so tests can
// compare end to end. The result shares immutable parts with the generator:
// do not modify it.
func (s *Server) Asset(id int64) (*csamapi.Asset, bool) {
	s.store.mu.RLock()
	e, ok := s.store.lookup(id)
	s.store.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return s.store.build(e, genOpts{}), true
}

// AssetIDs yields every current asset id in ascending order. It does not
// hold a lock while the caller runs.
func (s *Server) AssetIDs() iter.Seq[int64] {
	return func(yield func(int64) bool) {
		after := int64(-1) << 62
		buf := make([]int64, 0, 1024)
		for {
			buf = buf[:0]
			s.store.mu.RLock()
			s.store.scan(after, func(e entry) bool {
				buf = append(buf, e.id)
				return len(buf) < cap(buf)
			})
			s.store.mu.RUnlock()
			for _, id := range buf {
				if !yield(id) {
					return
				}
			}
			if len(buf) < cap(buf) {
				return
			}
			after = buf[len(buf)-1]
		}
	}
}

// PutAsset adds an asset or replaces the one with the same id (the overlay
// used by change simulation and imports). a must not be modified afterwards.
func (s *Server) PutAsset(a *csamapi.Asset) { s.store.put(a) }

// DeleteAsset removes an asset; it reports whether it existed.
func (s *Server) DeleteAsset(id int64) bool { return s.store.remove(id) }

// ReferenceTime is the seed-derived instant the synthetic dates are
// relative to (every lastModifiedDate lies in the 90 days before it).
func (s *Server) ReferenceTime() time.Time { return s.store.gen.ref }

// Faults returns the fault switchboard.
func (s *Server) Faults() *Faults { return s.faults }

// Stats is what the emulator saw, so tests can assert on what a client did.
type Stats struct {
	// Requests counts requests by path, then by HTTP status.
	Requests map[string]map[int]int `json:"requests"`
	// Faults counts fired faults by name.
	Faults map[string]int `json:"faults"`
	// RateLimited and ConcurrencyLimited count 429s from the real limiter.
	RateLimited        int `json:"rateLimited"`
	ConcurrencyLimited int `json:"concurrencyLimited"`
	// MaxInFlight is the highest number of data requests in flight at once.
	MaxInFlight  int   `json:"maxInFlight"`
	TokensIssued int64 `json:"tokensIssued"`
	AssetsServed int64 `json:"assetsServed"`
	BytesServed  int64 `json:"bytesServed"`
}

// Stats returns a snapshot.
func (s *Server) Stats() Stats {
	s.statsMu.Lock()
	req := make(map[string]map[int]int, len(s.requests))
	for p, m := range s.requests {
		c := make(map[int]int, len(m))
		for k, v := range m {
			c[k] = v
		}
		req[p] = c
	}
	st := Stats{Requests: req, RateLimited: s.rateLim, ConcurrencyLimited: s.concLim}
	s.statsMu.Unlock()
	st.Faults = s.faults.Fired()
	st.MaxInFlight = s.lim.peakRunning()
	st.TokensIssued = s.auth.issued()
	st.AssetsServed = s.assetsOut.Load()
	st.BytesServed = s.bytesOut.Load()
	return st
}

// recorder captures the status and size of a response for stats and logs.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
