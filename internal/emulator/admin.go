package emulator

import (
	"bytes"
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

// connectorsResponse is the body of GET and POST /__emulator/connectors.
type connectorsResponse struct {
	Connectors []Connector `json:"connectors"`
}

// handleAdminConnectors lists (GET) or adds (POST, a Connector object:
// {"uuid":"…","source":"WEBHOOK","tags":["Imported"]}) connectors.
func (s *Server) handleAdminConnectors(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
		var c Connector
		if err := json.Unmarshal(body, &c); err != nil {
			writeQualys(w, http.StatusBadRequest, "bad connector request", err.Error())
			return
		}
		if err := s.AddConnector(c); err != nil {
			writeQualys(w, http.StatusBadRequest, err.Error(), "")
			return
		}
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	writeJSON(w, http.StatusOK, connectorsResponse{Connectors: s.Connectors()})
}

// changeRequest is the body of POST /__emulator/changes. A percentage is
// of the current asset count, rounded, and at least one when positive;
// it is added to the absolute number.
type changeRequest struct {
	Seed          int64   `json:"seed"`
	Update        int     `json:"update"`
	Add           int     `json:"add"`
	Delete        int     `json:"delete"`
	UpdatePercent float64 `json:"updatePercent"`
	AddPercent    float64 `json:"addPercent"`
	DeletePercent float64 `json:"deletePercent"`
}

func percentOf(pct float64, n int) int {
	if pct <= 0 {
		return 0
	}
	return max(1, int(pct*float64(n)/100+0.5))
}

// handleAdminChanges simulates changes (POST) or returns the change log
// (GET).
func (s *Server) handleAdminChanges(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.Changes())
	case http.MethodPost:
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
		var req changeRequest
		if err := json.Unmarshal(body, &req); err != nil {
			writeQualys(w, http.StatusBadRequest, "bad change request", err.Error())
			return
		}
		if req.Update < 0 || req.Add < 0 || req.Delete < 0 || req.UpdatePercent < 0 || req.AddPercent < 0 || req.DeletePercent < 0 {
			writeQualys(w, http.StatusBadRequest, "bad change request: negative count", "")
			return
		}
		s.store.mu.RLock()
		n := s.store.count()
		s.store.mu.RUnlock()
		cs := s.SimulateChanges(req.Seed, req.Update+percentOf(req.UpdatePercent, n), req.Add+percentOf(req.AddPercent, n), req.Delete+percentOf(req.DeletePercent, n))
		writeJSON(w, http.StatusOK, cs)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// handleAdminImports returns the import history.
func (s *Server) handleAdminImports(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	writeJSON(w, http.StatusOK, s.Imports())
}

// handleAdminEASM simulates saving the EASM profile (POST, optional
// {"profileId":N}).
func (s *Server) handleAdminEASM(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	var req struct {
		ProfileID int64 `json:"profileId"`
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			writeQualys(w, http.StatusBadRequest, "bad profile request", err.Error())
			return
		}
	}
	writeJSON(w, http.StatusOK, []EASMProfileStatus{s.SaveEASMProfile(req.ProfileID)})
}
