package emulator

import (
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault names (see the package documentation for what each does).
const (
	FaultRate429           = "rate429"
	FaultRate429NoWait     = "rate429-nowait"
	FaultConflict409       = "conflict409"
	FaultConflict409NoWait = "conflict409-nowait"
	FaultConcurrency       = "concurrency429"
	FaultError500          = "error500"
	FaultUnavailable503    = "unavailable503"
	FaultError520          = "error520"
	FaultBurst5xx          = "burst5xx"
	FaultSlow              = "slow"
	FaultTruncate          = "truncate"
	FaultReset             = "reset"
	FaultWrongType         = "wrong-type"
	FaultNoHasMore         = "no-hasmore"
	FaultNoResponseCode    = "no-responsecode"
	FaultEmptyHasMore      = "empty-hasmore"
	FaultRepeatLast        = "repeat-last"
	FaultStuckCursor       = "stuck-cursor"
	FaultTokenExpiry       = "token-expiry"
	FaultForbidden403      = "forbidden403"
	FaultOAuthReject       = "oauth-reject"
)

// faultClass says which requests a fault can fire on.
type faultClass uint8

const (
	classStatus faultClass = iota // any data request (or Path-scoped, including /auth)
	classPage                     // an asset or component page with at least one item
	classEmpty                    // an asset page, component page or organization list that is empty
	classData                     // any data request, never /auth
)

var faultClasses = map[string]faultClass{
	FaultRate429: classStatus, FaultRate429NoWait: classStatus, FaultConflict409: classStatus,
	FaultError500: classStatus, FaultUnavailable503: classStatus, FaultError520: classStatus,
	FaultBurst5xx: classStatus, FaultSlow: classStatus, FaultForbidden403: classStatus,
	FaultConflict409NoWait: classStatus, FaultConcurrency: classStatus,
	FaultTruncate: classPage, FaultReset: classPage, FaultWrongType: classPage, FaultNoHasMore: classPage,
	FaultNoResponseCode: classPage, FaultRepeatLast: classPage, FaultStuckCursor: classPage,
	FaultEmptyHasMore: classEmpty, FaultTokenExpiry: classData, FaultOAuthReject: classData,
}

// FaultNames lists every fault name, sorted.
func FaultNames() []string {
	out := make([]string, 0, len(faultClasses))
	for n := range faultClasses {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// FaultSpec switches one fault on.
type FaultSpec struct {
	Name string
	// Count is how many matching requests the fault fires on before it
	// switches itself off; 0 or less means global (until disabled).
	Count int
	// ToWait is the x-ratelimit-towait-sec of rate429 and conflict409
	// (default 1 s).
	ToWait time.Duration
	// Delay is the delay of slow (default 2 s).
	Delay time.Duration
	// Path restricts the fault to requests whose path starts with it. Empty
	// means the data endpoints; status faults may name "/auth".
	Path string
}

// ParseFault reads the CLI form "name[:count]".
func ParseFault(s string) (FaultSpec, error) {
	name, count, hasCount := strings.Cut(strings.TrimSpace(s), ":")
	spec := FaultSpec{Name: name}
	if _, ok := faultClasses[name]; !ok {
		return spec, fmt.Errorf("unknown fault %q (known: %s)", name, strings.Join(FaultNames(), ", "))
	}
	if hasCount {
		n, err := strconv.Atoi(count)
		if err != nil {
			return spec, fmt.Errorf("fault %q: bad count %q", name, count)
		}
		spec.Count = n
	}
	return spec, nil
}

type faultState struct {
	spec      FaultSpec
	remaining int // -1 = global
	fired     int // for burst5xx's cycle
}

// Faults holds the switched-on faults. It is safe for concurrent use; tests
// flip faults while a client is running.
type Faults struct {
	log *slog.Logger

	mu     sync.Mutex
	active map[string]*faultState
	fired  map[string]int
}

func newFaults(log *slog.Logger) *Faults {
	return &Faults{log: log, active: map[string]*faultState{}, fired: map[string]int{}}
}

// Enable switches a fault on, replacing an earlier setting of the same name.
func (f *Faults) Enable(spec FaultSpec) error {
	if _, ok := faultClasses[spec.Name]; !ok {
		return fmt.Errorf("unknown fault %q (known: %s)", spec.Name, strings.Join(FaultNames(), ", "))
	}
	st := &faultState{spec: spec, remaining: spec.Count}
	if spec.Count <= 0 {
		st.remaining = -1
	}
	f.mu.Lock()
	f.active[spec.Name] = st
	f.mu.Unlock()
	f.log.Info("fault enabled", "fault", spec.Name, "count", spec.Count, "path", spec.Path)
	return nil
}

// Disable switches one fault off.
func (f *Faults) Disable(name string) {
	f.mu.Lock()
	delete(f.active, name)
	f.mu.Unlock()
}

// Clear switches every fault off (fired counts are kept).
func (f *Faults) Clear() {
	f.mu.Lock()
	clear(f.active)
	f.mu.Unlock()
	f.log.Info("faults cleared")
}

// Active returns the faults currently on, sorted by name; Count is what is
// left of a counted fault.
func (f *Faults) Active() []FaultSpec {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []FaultSpec
	for _, st := range f.active {
		s := st.spec
		if st.remaining >= 0 {
			s.Count = st.remaining
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b FaultSpec) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Fired returns how often each fault fired.
func (f *Faults) Fired() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.fired))
	for k, v := range f.fired {
		out[k] = v
	}
	return out
}

// take fires the named fault if it is on and applies to a request on path;
// it consumes one count and records the firing.
func (f *Faults) take(name, path string, data bool) (FaultSpec, int, bool) {
	f.mu.Lock()
	st, ok := f.active[name]
	if !ok || !applies(st.spec, faultClasses[name], path, data) {
		f.mu.Unlock()
		return FaultSpec{}, 0, false
	}
	n := st.fired
	st.fired++
	if st.remaining > 0 {
		st.remaining--
		if st.remaining == 0 {
			delete(f.active, name)
		}
	}
	f.fired[name]++
	spec := st.spec
	f.mu.Unlock()
	f.log.Warn("fault fired", "fault", name, "path", path)
	return spec, n, true
}

func applies(spec FaultSpec, class faultClass, path string, data bool) bool {
	if spec.Path != "" {
		if !strings.HasPrefix(path, spec.Path) {
			return false
		}
		return data || class == classStatus
	}
	return data
}

// anyOn reports whether any fault is on (a fast path for the common case).
func (f *Faults) anyOn() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.active) > 0
}
