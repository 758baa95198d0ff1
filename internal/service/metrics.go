package service

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/csamsync/csamsync/internal/syncer"
)

// Metrics are the Prometheus metrics of the service. A nil *Metrics
// records nothing, so runners work without it.
type Metrics struct {
	Registry     *prometheus.Registry
	runs         *prometheus.CounterVec
	runDuration  *prometheus.HistogramVec
	apiRequests  *prometheus.CounterVec
	apiLatency   *prometheus.HistogramVec
	retries      *prometheus.CounterVec
	waits        *prometheus.CounterVec
	waitSeconds  *prometheus.CounterVec
	assets       *prometheus.CounterVec
	lastSuccess  *prometheus.GaugeVec
	hostsByState *prometheus.GaugeVec
}

// NewMetrics registers the service's metrics. hostStates, when set, is
// called at scrape time for the gauge of hosts by state.
func NewMetrics(hostStates func(ctx context.Context) (map[string]int64, error)) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "csamsync_runs_total",
			Help: "Sync runs by connector, mode and outcome."}, []string{"connector", "mode", "outcome"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "csamsync_run_duration_seconds",
			Help: "Duration of sync runs.", Buckets: prometheus.ExponentialBuckets(1, 2, 16)}, []string{"connector", "mode"}),
		apiRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "csamsync_api_requests_total",
			Help: "CSAM API requests by path and HTTP status."}, []string{"path", "status"}),
		apiLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "csamsync_api_request_duration_seconds",
			Help: "CSAM API request duration.", Buckets: prometheus.ExponentialBuckets(0.01, 2, 16)}, []string{"path"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "csamsync_api_retries_total",
			Help: "Retried CSAM API requests (rate limits, 5xx, network errors)."}, []string{"connector"}),
		waits: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "csamsync_ratelimit_waits_total",
			Help: "Waits ordered by the CSAM rate or concurrency limit (409/429)."}, []string{"connector"}),
		waitSeconds: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "csamsync_ratelimit_wait_seconds_total",
			Help: "Time spent waiting on CSAM rate limits."}, []string{"connector"}),
		assets: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "csamsync_assets_synced_total",
			Help: "Assets read from CSAM."}, []string{"connector", "mode"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "csamsync_last_success_timestamp_seconds",
			Help: "End of the last successful run."}, []string{"connector"}),
		hostsByState: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "csamsync_hosts",
			Help: "Hosts in the inventory by state."}, []string{"state"}),
	}
	m.Registry.MustRegister(m.runs, m.runDuration, m.apiRequests, m.apiLatency, m.retries, m.waits, m.waitSeconds, m.assets, m.lastSuccess,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	if hostStates != nil {
		m.Registry.MustRegister(&hostStateCollector{m: m, fn: hostStates})
	}
	return m
}

// observeRequest is the client's OnRequest hook.
func (m *Metrics) observeRequest(method, path string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.apiRequests.WithLabelValues(path, strconv.Itoa(status)).Inc()
	m.apiLatency.WithLabelValues(path).Observe(d.Seconds())
}

func (m *Metrics) observeRun(connector string, res syncer.Result, err error) {
	if m == nil || res.Run.ID == 0 {
		return
	}
	mode := res.Run.Mode
	outcome := "success"
	if err != nil {
		outcome = "failed"
	}
	m.runs.WithLabelValues(connector, mode, outcome).Inc()
	m.runDuration.WithLabelValues(connector, mode).Observe(res.Duration.Seconds())
	m.retries.WithLabelValues(connector).Add(float64(res.Run.Stats.Retries))
	m.waits.WithLabelValues(connector).Add(float64(res.RateLimitWaits))
	m.waitSeconds.WithLabelValues(connector).Add(res.WaitTime.Seconds())
	m.assets.WithLabelValues(connector, mode).Add(float64(res.Run.Stats.Assets))
	if err == nil {
		m.lastSuccess.WithLabelValues(connector).SetToCurrentTime()
	}
}

// hostStateCollector reads host counts from the database at scrape time.
type hostStateCollector struct {
	m  *Metrics
	fn func(ctx context.Context) (map[string]int64, error)
}

func (c *hostStateCollector) Describe(ch chan<- *prometheus.Desc) { c.m.hostsByState.Describe(ch) }

func (c *hostStateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	states, err := c.fn(ctx)
	if err != nil {
		return
	}
	c.m.hostsByState.Reset()
	for state, n := range states {
		c.m.hostsByState.WithLabelValues(state).Set(float64(n))
	}
	c.m.hostsByState.Collect(ch)
}
