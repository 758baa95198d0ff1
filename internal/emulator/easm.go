package emulator

import (
	"net/http"
	"sync"
	"time"
)

// EASM profile sync status (seed 004, csam-api.md §5.7): GET
// /easm/v1/profile/status answers a bare JSON array with the one active
// profile. The status is deterministic, counted in polls rather than
// time: the first Config.EASMInProgressPolls polls (default 2) after the
// emulator starts, or after a profile save (POST /__emulator/easm/profile,
// or Server.SaveEASMProfile), answer IN_PROGRESS; every later poll
// COMPLETED. The initial profileSaveTimestamp is a day before the
// reference time; a save stamps the wall clock.

// EASMProfileStatus is one element of the status array.
type EASMProfileStatus struct {
	ProfileID            int64  `json:"profileId"`
	ProfileSaveTimestamp string `json:"profileSaveTimestamp"`
	Status               string `json:"status"`
}

// easmTimeFmt is the sample's "2022-12-15T15:27:18.000+00:00".
const easmTimeFmt = "2006-01-02T15:04:05.000-07:00"

type easmState struct {
	mu        sync.Mutex
	profileID int64
	saved     time.Time
	polls     int
	inProg    int
}

func newEASM(seed int64, ref time.Time, inProgressPolls int) *easmState {
	switch {
	case inProgressPolls == 0:
		inProgressPolls = 2
	case inProgressPolls < 0:
		inProgressPolls = 0
	}
	return &easmState{profileID: 5000 + int64(mix(uint64(seed)^0xea5)%1000), saved: ref.Add(-day).Truncate(time.Second), inProg: inProgressPolls}
}

// poll counts one status request and returns the status it sees.
func (e *easmState) poll() EASMProfileStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.polls++
	st := "COMPLETED"
	if e.polls <= e.inProg {
		st = "IN_PROGRESS"
	}
	return EASMProfileStatus{ProfileID: e.profileID, ProfileSaveTimestamp: e.saved.UTC().Format(easmTimeFmt), Status: st}
}

// SaveEASMProfile simulates saving the active EASM profile: the status
// goes back to IN_PROGRESS for the next polls. id 0 keeps the profile id.
func (s *Server) SaveEASMProfile(id int64) EASMProfileStatus {
	e := s.easm
	e.mu.Lock()
	if id != 0 {
		e.profileID = id
	}
	e.saved = time.Now().UTC().Truncate(time.Second)
	e.polls = 0
	st := EASMProfileStatus{ProfileID: e.profileID, ProfileSaveTimestamp: e.saved.Format(easmTimeFmt), Status: "IN_PROGRESS"}
	if e.inProg == 0 {
		st.Status = "COMPLETED"
	}
	e.mu.Unlock()
	s.log.Info("easm profile saved", "profileId", st.ProfileID)
	return st
}

func (s *Server) easmStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, []EASMProfileStatus{s.easm.poll()})
}
