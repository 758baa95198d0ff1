package emulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// Change simulation, for delta-sync tests: SimulateChanges (and POST
// /__emulator/changes) updates, adds and deletes hosts through the overlay.
// Which hosts, and what changes on them, is a pure function of the seed
// and the current asset set; the new lastModifiedDate is the wall-clock
// time of the call, so that a client's delta watermark, taken from its own
// clock before the call, sees exactly these hosts (plus whatever else
// changed after it).

// ChangeSet lists the ids a simulation touched, each sorted.
type ChangeSet struct {
	Seed    int64     `json:"seed"`
	At      time.Time `json:"at"`
	Updated []int64   `json:"updated"`
	Added   []int64   `json:"added"`
	Deleted []int64   `json:"deleted"`
}

// ChangeRecord is one logged change (GET /__emulator/changes).
type ChangeRecord struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"` // update, add, delete, import-add, import-update
	ID     int64     `json:"id"`
	Detail string    `json:"detail"`
}

const maxChangeLog = 10_000

func (s *Server) logChange(rec ChangeRecord) {
	s.changeMu.Lock()
	s.changes = append(s.changes, rec)
	if len(s.changes) > maxChangeLog {
		s.changes = slices.Delete(s.changes, 0, len(s.changes)-maxChangeLog)
	}
	s.changeMu.Unlock()
	s.log.Info("change", "kind", rec.Kind, "id", rec.ID, "detail", rec.Detail)
}

// Changes returns the change log, oldest first (at most the last 10,000).
func (s *Server) Changes() []ChangeRecord {
	s.changeMu.Lock()
	defer s.changeMu.Unlock()
	return slices.Clone(s.changes)
}

// SimulateChanges updates update hosts (a package added, removed or
// upgraded, and a business tag added or removed), adds add new hosts (new
// ascending ids) and deletes del hosts, choosing them deterministically
// from seed. Updated and added hosts get lastModifiedDate = now.
func (s *Server) SimulateChanges(seed int64, update, add, del int) ChangeSet {
	now := time.Now().UTC().Truncate(time.Second)
	cs := ChangeSet{Seed: seed, At: now, Updated: []int64{}, Added: []int64{}, Deleted: []int64{}}
	r := rng{mix(uint64(seed) ^ 0xc4a9_6e5d_0f1e_2b3a)}
	ids := slices.Collect(s.AssetIDs())
	update = min(max(update, 0), len(ids))
	del = min(max(del, 0), len(ids)-update)
	for j := range update + del {
		k := j + r.intn(len(ids)-j)
		ids[j], ids[k] = ids[k], ids[j]
	}
	for _, id := range ids[:update] {
		a, ok := s.currentAsset(id)
		if !ok {
			continue
		}
		c, detail := mutateAsset(a, &r, now)
		s.store.put(c)
		cs.Updated = append(cs.Updated, id)
		s.logChange(ChangeRecord{At: now, Kind: "update", ID: id, Detail: detail})
	}
	for _, id := range ids[update : update+del] {
		if s.store.remove(id) {
			cs.Deleted = append(cs.Deleted, id)
			s.logChange(ChangeRecord{At: now, Kind: "delete", ID: id, Detail: "deleted"})
		}
	}
	g := s.store.gen
	for range max(add, 0) {
		id := s.store.allocID()
		var a csamapi.Asset
		if g.n > 0 {
			// A copy of a random base host, with its own identity.
			a = *g.asset(g.header(r.intn(g.n)), genOpts{})
		} else {
			a = csamapi.Asset{AssetType: csamapi.P("HOST"), Inventory: &csamapi.Inventory{Source: csamapi.P("QAGENT")}}
		}
		a.AssetID = id
		a.AssetUUID = csamapi.P(g.uuid(&r))
		if a.AgentID != nil {
			a.AgentID = a.AssetUUID
		}
		name := fmt.Sprintf("new-host-%d", id)
		a.AssetName, a.DNSName = csamapi.P(name), csamapi.P(name+".corp.example.com")
		a.NetbiosName = nil
		if a.HostID != nil {
			a.HostID = csamapi.P(id)
		}
		if a.BiosSerialNumber != nil {
			a.BiosSerialNumber = csamapi.P(fmt.Sprintf("NEW%09d", id))
		}
		if a.HwUUID != nil {
			a.HwUUID = csamapi.P(g.uuid(&r))
		}
		a.CreatedDate, a.LastModifiedDate, a.SensorLastUpdatedDate = csamapi.ISO(now), csamapi.ISO(now), csamapi.ISO(now)
		if a.Inventory != nil {
			inv := *a.Inventory
			inv.Created, inv.LastUpdated = csamapi.Millis(now.UnixMilli()), csamapi.Millis(now.UnixMilli())
			a.Inventory = &inv
		}
		a.InventoryListData = nil
		a.OrganizationName = []string{orgDefs[orgFor(mix(uint64(id)))].name}
		s.store.put(&a)
		cs.Added = append(cs.Added, id)
		s.logChange(ChangeRecord{At: now, Kind: "add", ID: id, Detail: "added " + name})
	}
	slices.Sort(cs.Updated)
	slices.Sort(cs.Deleted)
	return cs
}

type swCandidate struct{ name, publisher, version, cat1, cat2 string }

var (
	winCandidates = []swCandidate{
		{"Google Chrome", "Google", "126.0.6478.127", "Network Application", "Internet Browser"},
		{"7-Zip", "Igor Pavlov", "24.07", "Utilities", "Compression"},
		{"Notepad++", "Notepad++ Team", "8.6.9", "Application Development", "Editor"},
		{"PowerShell", "Microsoft", "7.4.3", "Application Development", "Shell"},
	}
	unixCandidates = []swCandidate{
		{"jq", "jq", "1.7.1", "Utilities", "Text Processing"},
		{"htop", "htop", "3.3.0", "System Tools", "Monitoring"},
		{"tmux", "tmux", "3.4", "Utilities", "Terminal"},
		{"ripgrep", "BurntSushi", "14.1.0", "Utilities", "Text Processing"},
	}
	changeTags = []int{tagProduction, tagStaging, tagDevelopment, tagPCI, tagCritical}
)

// bumpVersion increments the last number of a version ("3.0.7" → "3.0.8",
// "1.2.3-1.el9" → "1.2.4-1.el9"); a version without digits gets ".1".
func bumpVersion(v string) string {
	end := strings.LastIndexAny(v, "0123456789")
	if end < 0 {
		return v + ".1"
	}
	start := end
	for start > 0 && v[start-1] >= '0' && v[start-1] <= '9' {
		start--
	}
	// Bump the last number of the leading version, not a release suffix.
	if k := strings.IndexAny(v, "-+~ "); k > 0 && k < start {
		if head := bumpVersion(v[:k]); head != v[:k]+".1" {
			return head + v[k:]
		}
	}
	n, _ := strconv.Atoi(v[start : end+1])
	return v[:start] + strconv.Itoa(n+1) + v[end+1:]
}

// mutateAsset returns a copy of a with one software change and one tag
// change, and lastModifiedDate now; a is not modified.
func mutateAsset(a *csamapi.Asset, r *rng, now time.Time) (*csamapi.Asset, string) {
	c := *a
	var sw []csamapi.Software
	if a.SoftwareListData != nil {
		sw = slices.Clone(a.SoftwareListData.Software)
	}
	var detail []string
	op := r.intn(3)
	if len(sw) == 0 {
		op = 0
	}
	switch op {
	case 0: // add a package
		cands := unixCandidates
		if a.OperatingSystem != nil && csamapi.Str(a.OperatingSystem.Category1) == "Windows" {
			cands = winCandidates
		}
		cand := pick(r, cands)
		full := cand.name + " " + cand.version
		if !slices.ContainsFunc(sw, func(x csamapi.Software) bool { return csamapi.Str(x.FullName) == full }) {
			cat := cand.cat1 + " / " + cand.cat2
			sw = append(sw, csamapi.Software{
				ID: softwareID(cand.name, cand.version, ""), DiscoverySources: csamapi.P("Cloud Agent"), FullName: csamapi.P(full),
				SoftwareType: csamapi.P("Application"), IsIgnored: pFalse, Category: csamapi.P(cat), Category1: csamapi.P(cand.cat1),
				Category2: csamapi.P(cand.cat2), ProductName: csamapi.P(cand.name), Publisher: csamapi.P(cand.publisher),
				Version: csamapi.P(cand.version), Update: csamapi.P(cand.version), InstallDate: csamapi.ISO(now),
				IsPackage: pFalse, IsPackageComponent: pFalse, Lifecycle: &csamapi.Lifecycle{Stage: pUnknown},
				DiscoveredName: csamapi.P(cand.name), DiscoveredVersion: csamapi.P(cand.version),
			})
		}
		detail = append(detail, "software +"+full)
	case 1: // remove a package
		k := r.intn(len(sw))
		detail = append(detail, "software -"+csamapi.Str(sw[k].FullName))
		sw = slices.Delete(sw, k, k+1)
	default: // upgrade a package
		k := r.intn(len(sw))
		x := sw[k]
		old := firstOf(csamapi.Str(x.Update), csamapi.Str(x.Version))
		nv := bumpVersion(old)
		full := csamapi.Str(x.FullName)
		if old != "" && strings.Contains(full, old) {
			full = strings.Replace(full, old, nv, 1)
		} else {
			full = strings.TrimSpace(full + " " + nv)
		}
		x.FullName, x.Update, x.LastUpdated = csamapi.P(full), csamapi.P(nv), csamapi.ISO(now)
		x.ID = softwareID(csamapi.Str(x.ProductName), nv, csamapi.Str(x.Architecture))
		x.SoftwareInstances = nil
		sw[k] = x
		detail = append(detail, fmt.Sprintf("software %s: %s → %s", csamapi.Str(x.ProductName), old, nv))
	}
	c.SoftwareListData = &csamapi.SoftwareListData{Software: sw}

	t := staticTags[changeTags[r.intn(len(changeTags))]]
	var tags []csamapi.Tag
	if a.TagList != nil {
		tags = slices.Clone(a.TagList.Tag)
	}
	if k := slices.IndexFunc(tags, func(x csamapi.Tag) bool { return x.TagID == t.TagID }); k >= 0 {
		tags = slices.Delete(tags, k, k+1)
		detail = append(detail, "tag -"+csamapi.Str(t.TagName))
	} else {
		tags = append(tags, t)
		detail = append(detail, "tag +"+csamapi.Str(t.TagName))
	}
	c.TagList = nil
	if len(tags) > 0 {
		c.TagList = &csamapi.TagList{Tag: tags}
	}
	c.LastModifiedDate = csamapi.ISO(now)
	c.SensorLastUpdatedDate = csamapi.ISO(now)
	return &c, strings.Join(detail, "; ")
}
