package client

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"net/http"
	"slices"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// Item is one step of a Scan: an asset, or the end of a page.
type Item struct {
	Asset *csamapi.Asset // nil on a page-end item
	Page  *PageInfo      // set only on the page-end item, after the page's last asset
}

// PageInfo describes a finished page. NextCursor is the checkpoint: a Scan
// started with LastSeenAssetID = NextCursor continues after this page.
type PageInfo struct {
	Number     int   // 1-based
	Assets     int   // assets yielded from this page
	Skipped    int   // assets already yielded earlier in this Scan
	NextCursor int64 // max(envelope lastSeenAssetId, largest assetId on the page)
	HasMore    bool  // the server's hasMore flag (false when it was missing)
	Bytes      int64 // response body bytes
	Done       bool  // the last page: the Scan ends after this item
}

// Scan pages through the assets matching q with the keyset cursor
// (csam-api.md §3.7) and yields each asset as soon as it is decoded, then a
// page-end item. It stops on hasMore 0, a 204, or an empty page; tolerates a
// missing hasMore or responseCode while pages carry assets; fails with
// ErrCursorStuck rather than loop; yields each assetId once; halves the page
// size on 416. Errors are *PageError naming the page and the cursor to
// resume from; an invalid filter fails before any request. Breaking out of
// the loop closes the response.
func (c *Client) Scan(ctx context.Context, q AssetQuery) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		body, err := q.filterBody()
		if err != nil {
			yield(Item{}, err)
			return
		}
		s := &scan{c: c, q: q, body: body, cursor: q.LastSeenAssetID, pageSize: q.pageSize()}
		for n := 1; ; n++ {
			info, err := s.page(ctx, n, yield)
			if errors.Is(err, errStopped) {
				return
			}
			if err != nil {
				yield(Item{}, &PageError{Page: n, Cursor: s.cursor, Err: err})
				return
			}
			if !yield(Item{Page: info}, nil) || info.Done {
				return
			}
			s.cursor = info.NextCursor
		}
	}
}

type scan struct {
	c        *Client
	q        AssetQuery
	body     []byte
	cursor   int64
	pageSize int
	seen     idSet
}

// page fetches and streams page n. A connection failing mid-body is asked
// for again with the same cursor (the policy decides), and assets already
// yielded from the failed attempt are passed over silently.
func (s *scan) page(ctx context.Context, n int, yield func(Item, error) bool) (*PageInfo, error) {
	log := s.c.log
	info := &PageInfo{Number: n}
	var replay idSet // yielded by an earlier attempt at this page
	for attempt := 1; ; {
		r := withBody(&request{op: "search", method: http.MethodPost, path: pathSearch,
			query: s.q.searchParams(s.cursor, s.pageSize)}, s.body)
		resp, err := s.c.t.do(ctx, r)
		if err != nil {
			if StatusCode(err) == http.StatusRequestedRangeNotSatisfiable && s.pageSize > MinPageSize {
				// 416: page size above the server's maximum (prismatic halves it).
				s.pageSize = max(s.pageSize/2, MinPageSize)
				log.LogAttrs(ctx, slog.LevelWarn, "csam page size refused (416), halving",
					slog.Int("page", n), slog.Int("page_size", s.pageSize))
				continue
			}
			return nil, err
		}
		if resp.StatusCode == http.StatusNoContent {
			resp.Body.Close()
			info.Done, info.NextCursor = true, s.cursor
			return info, nil
		}
		var thisAttempt idSet
		res, err := decodePage(resp.Body, func(a *csamapi.Asset) bool {
			id := a.AssetID
			if replay.has(id) {
				return true
			}
			if s.seen.has(id) {
				info.Skipped++
				log.LogAttrs(ctx, slog.LevelWarn, "csam duplicate asset skipped",
					slog.Int64("asset_id", id), slog.Int("page", n))
				return true
			}
			s.seen.add(id)
			thisAttempt.add(id)
			info.Assets++
			return yield(Item{Asset: a}, nil)
		})
		resp.Body.Close()
		info.Bytes += res.bytes
		var rerr *bodyReadError
		if errors.As(err, &rerr) {
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			retry, wait, reason := s.c.t.policy.Decide(attempt, nil, rerr.err)
			if !retry {
				return nil, fmt.Errorf("%w (%s)", rerr, reason)
			}
			if err := s.c.t.wait(ctx, r, wait, "page body: "+reason, false, rerr); err != nil {
				return nil, err
			}
			s.c.t.stats.retries.Add(1)
			replay.addAll(thisAttempt)
			attempt++
			continue
		}
		var rc *responseCodeError
		if errors.As(err, &rc) {
			return nil, s.c.responseCodeError(r, rc.code, rc.message)
		}
		if err != nil {
			return nil, err
		}
		if res.nulls > 0 {
			log.LogAttrs(ctx, slog.LevelWarn, "csam null entries in asset list skipped",
				slog.Int("page", n), slog.Int("count", res.nulls))
		}
		return s.finish(ctx, info, res)
	}
}

// finish applies the stop rules once the whole page, envelope keys after
// the array included, has been read.
func (s *scan) finish(ctx context.Context, info *PageInfo, res pageResult) (*PageInfo, error) {
	log := s.c.log
	m := res.meta
	next := max(res.maxID, s.cursor)
	if m.LastSeenAssetID != nil {
		next = max(next, *m.LastSeenAssetID)
	}
	info.NextCursor = next
	info.HasMore = m.HasMore != nil && *m.HasMore != 0
	if m.Count != nil && *m.Count != int64(res.assets) {
		log.LogAttrs(ctx, slog.LevelDebug, "csam envelope count differs from assets on page",
			slog.Int("page", info.Number), slog.Int64("count", *m.Count), slog.Int("assets", res.assets))
	}
	switch {
	case res.assets == 0:
		// Empty page: the end, whatever hasMore says (Elastic #17603 crashed
		// computing a cursor from one).
		if info.HasMore {
			log.LogAttrs(ctx, slog.LevelWarn, "csam hasMore=1 on an empty page, treating as the end",
				slog.Int("page", info.Number), slog.Int64("cursor", s.cursor))
		}
		info.Done = true
	case m.HasMore != nil && *m.HasMore == 0:
		info.Done = true
	default:
		if m.HasMore == nil {
			// qualysetl: "intermittent issue missing hasMore key".
			log.LogAttrs(ctx, slog.LevelWarn, "csam page without hasMore, continuing with the cursor",
				slog.Int("page", info.Number), slog.Int64("next_cursor", next))
		}
		if next <= s.cursor {
			return nil, fmt.Errorf("%w: server says there is more but lastSeenAssetId stays at %d", ErrCursorStuck, s.cursor)
		}
	}
	log.LogAttrs(ctx, slog.LevelDebug, "csam page done",
		slog.Int("page", info.Number), slog.Int("assets", info.Assets), slog.Int("skipped", info.Skipped),
		slog.Int64("next_cursor", next), slog.Bool("done", info.Done), slog.Int64("bytes", info.Bytes))
	return info, nil
}

// idSet is a set of assetIds kept as a sorted slice: ids arrive mostly in
// ascending order, so adding is an append and a Scan of a million assets
// costs 8 MB rather than a map's several times that.
type idSet struct{ ids []int64 }

func (s *idSet) has(id int64) bool {
	n := len(s.ids)
	if n == 0 || id > s.ids[n-1] {
		return false
	}
	_, ok := slices.BinarySearch(s.ids, id)
	return ok
}

func (s *idSet) add(id int64) {
	if n := len(s.ids); n == 0 || id > s.ids[n-1] {
		s.ids = append(s.ids, id)
		return
	}
	if i, ok := slices.BinarySearch(s.ids, id); !ok {
		s.ids = slices.Insert(s.ids, i, id)
	}
}

func (s *idSet) addAll(o idSet) {
	for _, id := range o.ids {
		s.add(id)
	}
}
