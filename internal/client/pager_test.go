package client

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// pages serves a fixed list of bodies keyed by the cursor they answer.
// A body of "204" answers No Content.
func pages(t *testing.T, byCursor map[int64]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := cursorOf(r)
		body, ok := byCursor[c]
		if !ok {
			t.Errorf("unexpected cursor %d", c)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		if body == "204" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, http.StatusOK, body)
	}
}

func TestScanPagingRules(t *testing.T) {
	tests := []struct {
		name      string
		pages     map[int64]string
		start     int64
		wantIDs   []int64
		wantPages int
		wantErr   error
		errHas    []string
		check     func(t *testing.T, pages []PageInfo)
	}{
		{
			name: "hasMore 0 ends",
			pages: map[int64]string{
				0: page(ip(1), i64(2), 1, 2),
				2: page(ip(0), i64(3), 3),
			},
			wantIDs: []int64{1, 2, 3}, wantPages: 2,
			check: func(t *testing.T, p []PageInfo) {
				if p[0].NextCursor != 2 || !p[0].HasMore || p[0].Done || !p[1].Done || p[1].HasMore || p[1].Number != 2 {
					t.Errorf("pages = %+v", p)
				}
			},
		},
		{
			name: "missing hasMore continues with cursor",
			pages: map[int64]string{
				0:  page(nil, i64(10), 5, 10),
				10: page(ip(0), i64(11), 11),
			},
			wantIDs: []int64{5, 10, 11}, wantPages: 2,
		},
		{
			name: "missing responseCode tolerated",
			pages: map[int64]string{
				0: strings.Replace(page(ip(1), i64(1), 1), `"responseCode":"SUCCESS",`, "", 1),
				1: page(ip(0), i64(2), 2),
			},
			wantIDs: []int64{1, 2}, wantPages: 2,
		},
		{
			name: "204 ends",
			pages: map[int64]string{
				0: page(ip(1), i64(3), 1, 3),
				3: "204",
			},
			wantIDs: []int64{1, 3}, wantPages: 2,
			check: func(t *testing.T, p []PageInfo) {
				if !p[1].Done || p[1].Assets != 0 || p[1].NextCursor != 3 {
					t.Errorf("204 page = %+v", p[1])
				}
			},
		},
		{
			name:    "204 on the first page",
			pages:   map[int64]string{0: "204"},
			wantIDs: nil, wantPages: 1,
		},
		{
			name: "hasMore 1 on an empty page ends",
			pages: map[int64]string{
				0: page(ip(1), i64(2), 1, 2),
				2: page(ip(1), i64(2)),
			},
			wantIDs: []int64{1, 2}, wantPages: 2,
			check: func(t *testing.T, p []PageInfo) {
				if !p[1].Done || !p[1].HasMore {
					t.Errorf("empty page = %+v", p[1])
				}
			},
		},
		{
			name: "repeated asset across pages yielded once",
			pages: map[int64]string{
				0: page(ip(1), i64(3), 1, 2, 3),
				3: page(ip(0), i64(5), 3, 4, 5),
			},
			wantIDs: []int64{1, 2, 3, 4, 5}, wantPages: 2,
			check: func(t *testing.T, p []PageInfo) {
				if p[1].Skipped != 1 || p[1].Assets != 2 {
					t.Errorf("page 2 = %+v", p[1])
				}
			},
		},
		{
			name: "cursor from max assetId when envelope lags",
			pages: map[int64]string{
				0: page(ip(1), i64(1), 1, 7),
				7: page(ip(0), nil, 8),
			},
			wantIDs: []int64{1, 7, 8}, wantPages: 2,
		},
		{
			name: "cursor from envelope when larger",
			pages: map[int64]string{
				0:   page(ip(1), i64(100), 1),
				100: page(ip(0), nil, 101),
			},
			wantIDs: []int64{1, 101}, wantPages: 2,
		},
		{
			name: "cursor does not advance",
			pages: map[int64]string{
				0: page(ip(1), i64(2), 1, 2),
				2: page(ip(1), i64(2), 2),
			},
			wantIDs: []int64{1, 2}, wantErr: ErrCursorStuck,
		},
		{
			name: "resume from a saved cursor",
			pages: map[int64]string{
				40: page(ip(0), i64(42), 41, 42),
			},
			start:   40,
			wantIDs: []int64{41, 42}, wantPages: 1,
		},
		{
			name: "responseCode failure",
			pages: map[int64]string{
				0: `{"responseCode":"FAILED","responseMessage":"Subscription expired","assetListData":{"asset":[{"assetId":1}]}}`,
			},
			errHas: []string{"HTTP 200", "responseCode FAILED", "Subscription expired"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, pages(t, tt.pages))
			c, _ := newClient(t, g)
			assets, pgs, err := collect(c.Scan(testCtx(t), AssetQuery{LastSeenAssetID: tt.start}))
			switch {
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			case tt.errHas != nil && err == nil:
				t.Fatal("no error")
			case tt.wantErr == nil && tt.errHas == nil && err != nil:
				t.Fatal(err)
			}
			for _, s := range tt.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if !slices.Equal(ids(assets), tt.wantIDs) {
				t.Errorf("ids = %v, want %v", ids(assets), tt.wantIDs)
			}
			if err == nil && len(pgs) != tt.wantPages {
				t.Errorf("pages = %d, want %d", len(pgs), tt.wantPages)
			}
			if tt.check != nil {
				tt.check(t, pgs)
			}
		})
	}
}

func TestScanCursorStuckIsAnErrorNotALoop(t *testing.T) {
	var calls atomic.Int64
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, 200, page(ip(1), i64(9), 9)) // always the same page
	})
	c, _ := newClient(t, g)
	_, _, err := collect(c.Scan(testCtx(t), AssetQuery{}))
	var pe *PageError
	if !errors.Is(err, ErrCursorStuck) || !errors.As(err, &pe) || pe.Page != 2 || pe.Cursor != 9 {
		t.Fatalf("err = %v", err)
	}
	if calls.Load() != 2 {
		t.Errorf("calls = %d", calls.Load())
	}
}

func TestScanPageEndItemsFollowTheirAssets(t *testing.T) {
	g := newGateway(t, pages(t, map[int64]string{0: page(ip(1), nil, 1, 2), 2: page(ip(0), nil, 3)}))
	c, _ := newClient(t, g)
	var seq []string
	for it, err := range c.Scan(testCtx(t), AssetQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case it.Asset != nil && it.Page == nil:
			seq = append(seq, strconv.FormatInt(it.Asset.AssetID, 10))
		case it.Asset == nil && it.Page != nil:
			seq = append(seq, fmt.Sprintf("end%d/%d", it.Page.Number, it.Page.Assets))
		default:
			t.Fatalf("bad item %+v", it)
		}
	}
	if got := strings.Join(seq, " "); got != "1 2 end1/2 3 end2/1" {
		t.Errorf("sequence = %s", got)
	}
}

func TestScan416HalvesPageSize(t *testing.T) {
	var sizes []string
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		ps := r.URL.Query().Get("pageSize")
		sizes = append(sizes, ps+"@"+r.URL.Query().Get("lastSeenAssetId"))
		if n, _ := strconv.Atoi(ps); n > 80 {
			writeJSON(w, http.StatusRequestedRangeNotSatisfiable, `{"responseMessage":"Please provide a Page Size value less than the max page size limit set."}`)
			return
		}
		if cursorOf(r) == 0 {
			writeJSON(w, 200, page(ip(1), nil, 1))
			return
		}
		writeJSON(w, 200, page(ip(0), nil, 2))
	})
	c, _ := newClient(t, g)
	got, _, err := collect(c.Scan(testCtx(t), AssetQuery{PageSize: 1000}))
	if err != nil || len(got) != 2 {
		t.Fatalf("err=%v got=%v", err, ids(got))
	}
	want := []string{"300@0", "150@0", "75@0", "75@1"}
	if !slices.Equal(sizes, want) {
		t.Errorf("page sizes = %v, want %v", sizes, want)
	}
}

func TestScan416AtMinimumFails(t *testing.T) {
	var calls atomic.Int64
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusRequestedRangeNotSatisfiable, `{"responseMessage":"Please provide a Page Size value less than the max page size limit set."}`)
	})
	c, _ := newClient(t, g)
	_, _, err := collect(c.Scan(testCtx(t), AssetQuery{PageSize: 40}))
	if StatusCode(err) != 416 {
		t.Fatalf("err = %v", err)
	}
	if calls.Load() != 3 { // 40, 20, 10
		t.Errorf("calls = %d", calls.Load())
	}
}

func TestScanTokenExpiryMidRun(t *testing.T) {
	var g *gateway
	var expired atomic.Bool
	g = newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		switch cursorOf(r) {
		case 0:
			writeJSON(w, 200, page(ip(1), nil, 1, 2))
			// The token expires between page 1 and page 2.
			if expired.CompareAndSwap(false, true) {
				g.expireTokens()
			}
		case 2:
			writeJSON(w, 200, page(ip(1), nil, 3))
		case 3:
			writeJSON(w, 200, page(ip(0), nil, 4))
		}
	})
	c, logs := newClient(t, g)
	got, _, err := collect(c.Scan(testCtx(t), AssetQuery{}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got), []int64{1, 2, 3, 4}) {
		t.Errorf("ids = %v", ids(got))
	}
	if n := g.authCalls.Load(); n != 2 {
		t.Errorf("/auth calls = %d, want 2 (initial + exactly one re-auth)", n)
	}
	st := c.Stats()
	if st.ReAuths != 1 || st.APICalls != 4 || st.Retries != 0 {
		t.Errorf("stats = %+v", st)
	}
	assertNoSecrets(t, g, "log", logs.String())
}

func TestScanPersistent401Fails(t *testing.T) {
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		writeFile(w, http.StatusUnauthorized, "error_401.json")
	})
	c, logs := newClient(t, g)
	_, _, err := collect(c.Scan(testCtx(t), AssetQuery{}))
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v", err)
	}
	if g.authCalls.Load() != 2 || g.dataCalls.Load() != 2 {
		t.Errorf("auth=%d data=%d, want 2/2", g.authCalls.Load(), g.dataCalls.Load())
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Message != "Unauthorized" || ae.ResponseCode != "Failure" || ae.Path != pathSearch {
		t.Errorf("api error = %+v", ae)
	}
	assertNoSecrets(t, g, "error", err.Error())
	assertNoSecrets(t, g, "log", logs.String())
}

func TestScanMalformedPages(t *testing.T) {
	tests := []struct {
		name     string
		page2    string
		wantIDs  []int64
		contains []string
	}{
		{
			name:     "truncated",
			page2:    `{"hasMore":0,"assetListData":{"asset":[{"assetId":11},{"assetId":12,"softwareListData":{"software":[{"id":1`,
			wantIDs:  []int64{1, 2, 11},
			contains: []string{"page 2", "lastSeenAssetId=2", "assetId 12", "after assetId 11"},
		},
		{
			name:     "string for number",
			page2:    string(readTestdata(t, "page_string_for_number.json")),
			wantIDs:  []int64{1, 2, 52000001},
			contains: []string{"page 2", "lastSeenAssetId=2", "asset[1]", "assetId 52000002", "after assetId 52000001", "totalMemory"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, pages(t, map[int64]string{0: page(ip(1), nil, 1, 2), 2: tt.page2}))
			c, _ := newClient(t, g)
			got, _, err := collect(c.Scan(testCtx(t), AssetQuery{}))
			if !errors.Is(err, ErrMalformedPage) {
				t.Fatalf("err = %v", err)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if !slices.Equal(ids(got), tt.wantIDs) {
				t.Errorf("yielded %v, want %v", ids(got), tt.wantIDs)
			}
			if c.Stats().Retries != 0 {
				t.Errorf("a malformed page must not be retried")
			}
		})
	}
}

// A connection dropped mid-body is a transport failure: the page is asked
// for again and the assets already yielded are not yielded twice.
func TestScanBodyCutRetriesPage(t *testing.T) {
	var calls atomic.Int64
	full := page(ip(0), nil, 1, 2, 3, 4)
	cut := strings.Index(full, `{"assetId":3`)
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Content-Length", strconv.Itoa(len(full)))
			w.WriteHeader(200)
			io.WriteString(w, full[:cut])
			w.(http.Flusher).Flush()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.(*net.TCPConn).SetLinger(0)
				conn.Close()
			}
			return
		}
		writeJSON(w, 200, full)
	})
	c, _ := newClient(t, g)
	got, pgs, err := collect(c.Scan(testCtx(t), AssetQuery{}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got), []int64{1, 2, 3, 4}) {
		t.Errorf("ids = %v", ids(got))
	}
	if pgs[0].Assets != 4 || pgs[0].Skipped != 0 {
		t.Errorf("page = %+v", pgs[0])
	}
	if c.Stats().Retries != 1 {
		t.Errorf("retries = %d", c.Stats().Retries)
	}
}

// Breaking out of the loop closes the body: with one concurrency slot the
// next call would block forever if it were leaked.
func TestScanConsumerBreakReleasesResponse(t *testing.T) {
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pathCount {
			writeJSON(w, 200, `{"count":3,"responseCode":"SUCCESS"}`)
			return
		}
		writeJSON(w, 200, page(ip(1), nil, 1, 2, 3))
	})
	c, _ := newClient(t, g, func(c *Config) { c.Parallel = 1 })
	ctx := testCtx(t)
	n := 0
	for it, err := range c.Scan(ctx, AssetQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		if it.Asset != nil {
			n++
			break
		}
	}
	if n != 1 {
		t.Fatalf("n = %d", n)
	}
	done := make(chan error, 1)
	go func() { _, err := c.Count(ctx, AssetQuery{}); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("concurrency slot leaked after break")
	}
}

func TestScanWaitTooLongNamesResumeCursor(t *testing.T) {
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		if cursorOf(r) == 0 {
			writeJSON(w, 200, page(ip(1), nil, 1, 2))
			return
		}
		w.Header().Set("X-RateLimit-ToWait-Sec", "2820")
		w.Header().Set("X-RateLimit-Remaining", "0")
		writeJSON(w, http.StatusTooManyRequests, `{"responseMessage":"rate limit exceeded"}`)
	})
	c, _ := newClient(t, g)
	start := time.Now()
	got, pgs, err := collect(c.Scan(testCtx(t), AssetQuery{}))
	if !errors.Is(err, ErrWaitTooLong) || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v", err)
	}
	var pe *PageError
	var we *WaitTooLongError
	if !errors.As(err, &pe) || pe.Cursor != 2 || pe.Page != 2 || !errors.As(err, &we) || we.Wait != 47*time.Minute {
		t.Errorf("err = %#v", err)
	}
	if len(got) != 2 || len(pgs) != 1 || pgs[0].NextCursor != 2 {
		t.Errorf("checkpoint lost: %v %+v", ids(got), pgs)
	}
	if time.Since(start) > time.Second {
		t.Errorf("took %s, should fail at once", time.Since(start))
	}
	for _, s := range []string{"resumable", "47m0s"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
}
