package emulator

import (
	"slices"
	"sync"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// store is the asset set the emulator serves: the deterministic base
// generator, plus an overlay of changed or added assets and a set of deleted
// ids. Only the overlay and the deleted set cost memory, so change
// simulation and imports can be layered on later without touching paging.
type store struct {
	gen *generator

	mu      sync.RWMutex
	overlay map[int64]*csamapi.Asset // changed base assets and added assets
	added   []int64                  // sorted ids of overlay assets not in the base range
	deleted map[int64]struct{}
	lastID  int64 // the last id allocID handed out
}

// entry is one current asset as seen by a scan.
type entry struct {
	id  int64
	idx int            // base index, -1 for added assets
	ov  *csamapi.Asset // overlay asset, nil for untouched base assets
}

func newStore(gen *generator) *store {
	return &store{gen: gen, overlay: map[int64]*csamapi.Asset{}, deleted: map[int64]struct{}{}}
}

// lookup returns the current asset with this id. Caller holds mu (read).
func (st *store) lookup(id int64) (entry, bool) {
	if _, gone := st.deleted[id]; gone {
		return entry{}, false
	}
	idx, base := st.gen.index(id)
	if ov, ok := st.overlay[id]; ok {
		if !base {
			idx = -1
		}
		return entry{id: id, idx: idx, ov: ov}, true
	}
	if !base {
		return entry{}, false
	}
	return entry{id: id, idx: idx}, true
}

// scan calls yield for every current asset with id > after, in ascending
// id order, until yield returns false. Caller holds mu (read). Finding the
// start is O(1) for base assets and O(log n) for added ones.
func (st *store) scan(after int64, yield func(entry) bool) {
	g := st.gen
	i := g.firstAfter(after)
	j, _ := slices.BinarySearch(st.added, after+1)
	plain := len(st.overlay) == 0 && len(st.deleted) == 0
	for i < g.n || j < len(st.added) {
		var e entry
		if i < g.n {
			e = entry{id: g.id(i), idx: i}
		}
		if j < len(st.added) && (i >= g.n || st.added[j] < e.id) {
			e = entry{id: st.added[j], idx: -1, ov: st.overlay[st.added[j]]}
			j++
		} else {
			i++
			if !plain {
				if _, gone := st.deleted[e.id]; gone {
					continue
				}
				e.ov = st.overlay[e.id]
			}
		}
		if !yield(e) {
			return
		}
	}
}

// count is the number of current assets.
func (st *store) count() int {
	n := st.gen.n + len(st.added)
	for id := range st.deleted {
		if _, ok := st.gen.index(id); ok {
			n--
		}
	}
	return n
}

// put adds or replaces an asset. The asset is kept as given and must not be
// modified afterwards.
func (st *store) put(a *csamapi.Asset) {
	st.mu.Lock()
	defer st.mu.Unlock()
	id := a.AssetID
	delete(st.deleted, id)
	if _, base := st.gen.index(id); !base {
		if k, found := slices.BinarySearch(st.added, id); !found {
			st.added = slices.Insert(st.added, k, id)
		}
	}
	st.overlay[id] = a
}

// allocID returns a new asset id above every existing one (base, added,
// and allocated before), with a small deterministic gap like the base ids,
// for imported and simulated new assets.
func (st *store) allocID() int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	top := max(st.lastID, baseAssetID)
	if st.gen.n > 0 {
		top = max(top, st.gen.id(st.gen.n-1))
	}
	if len(st.added) > 0 {
		top = max(top, st.added[len(st.added)-1])
	}
	st.lastID = top + 1 + int64(mix(uint64(top))%idStride)
	return st.lastID
}

// remove deletes an asset; it reports whether it existed.
func (st *store) remove(id int64) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.lookup(id); !ok {
		return false
	}
	delete(st.overlay, id)
	if k, found := slices.BinarySearch(st.added, id); found {
		st.added = slices.Delete(st.added, k, k+1)
		return true
	}
	st.deleted[id] = struct{}{}
	return true
}

// build returns the full asset of an entry, generated with opt.
func (st *store) build(e entry, opt genOpts) *csamapi.Asset {
	if e.ov != nil {
		return e.ov
	}
	return st.gen.asset(st.gen.header(e.idx), opt)
}
