package emulator

import (
	"io"
	"net/http"
	"time"

	"github.com/go-json-experiment/json"
)

// The admin endpoints live under /__emulator/, a path no real client uses.
// They need no token and are not rate limited.

// faultRequest is the body of POST /__emulator/faults.
type faultRequest struct {
	Fault     string  `json:"fault"`     // a fault name, or "clear" to switch all off
	Count     int     `json:"count"`     // 0 = global
	ToWaitSec float64 `json:"toWaitSec"` // rate429, conflict409
	DelayMs   int64   `json:"delayMs"`   // slow
	Path      string  `json:"path"`      // restrict to a path prefix
	Clear     bool    `json:"clear"`     // switch this fault off
}

type faultView struct {
	Fault     string  `json:"fault"`
	Count     int     `json:"count"`
	ToWaitSec float64 `json:"toWaitSec,omitzero"`
	DelayMs   int64   `json:"delayMs,omitzero"`
	Path      string  `json:"path,omitzero"`
}

type faultsResponse struct {
	Active []faultView    `json:"active"`
	Fired  map[string]int `json:"fired"`
	Known  []string       `json:"known"`
}

func (s *Server) faultsState() faultsResponse {
	out := faultsResponse{Active: []faultView{}, Fired: s.faults.Fired(), Known: FaultNames()}
	for _, f := range s.faults.Active() {
		out.Active = append(out.Active, faultView{Fault: f.Name, Count: f.Count, ToWaitSec: f.ToWait.Seconds(), DelayMs: f.Delay.Milliseconds(), Path: f.Path})
	}
	return out
}

func (s *Server) handleAdminFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.faultsState())
	case http.MethodPost:
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
		var req faultRequest
		if err := json.Unmarshal(body, &req); err != nil {
			writeQualys(w, http.StatusBadRequest, "bad fault request", err.Error())
			return
		}
		switch {
		case req.Fault == "clear":
			s.faults.Clear()
		case req.Clear:
			s.faults.Disable(req.Fault)
		default:
			spec := FaultSpec{
				Name: req.Fault, Count: req.Count, Path: req.Path,
				ToWait: time.Duration(req.ToWaitSec * float64(time.Second)), Delay: time.Duration(req.DelayMs) * time.Millisecond,
			}
			if err := s.faults.Enable(spec); err != nil {
				writeQualys(w, http.StatusBadRequest, err.Error(), "")
				return
			}
		}
		writeJSON(w, http.StatusOK, s.faultsState())
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func (s *Server) handleAdminStats(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	writeJSON(w, http.StatusOK, s.Stats())
}
