package emulator

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestFaultsEverywhere switches every fault on, scoped to one of the new
// endpoints, and checks that it fires there (not elsewhere), has its
// effect, and is counted and logged.
func TestFaultsEverywhere(t *testing.T) {
	var logs syncBuffer
	s, base := start(t, Config{Assets: 60, Seed: 2, RateLimit: -1, ConcurrencyLimit: 3, ClientID: "cid", ClientSecret: "sec",
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	tok := login(t, base)
	oauth := string(call(t, "POST", base+"/auth/oauth", "", "", "", "clientId", "cid", "clientSecret", "sec").body)
	ids := make([]int64, 0, 60)
	for id := range s.AssetIDs() {
		ids = append(ids, id)
	}
	v1Page1 := base + pathV1List + "?pageSize=10"
	v1Page2 := fmt.Sprintf("%s&lastSeenAssetId=%d", v1Page1, ids[9])
	v1End := fmt.Sprintf("%s&lastSeenAssetId=%d", v1Page1, ids[len(ids)-1])
	first := allComponents(t, base, tok, pathComponents, "", 10)
	comp2 := fmt.Sprintf("%s%s?pageSize=10&lastSeenAssetComponentId=%d", base, pathComponents, first[9].Component.AssetComponentID)
	compEnd := fmt.Sprintf("%s%s?pageSize=10&lastSeenAssetComponentId=%d", base, pathComponents, first[len(first)-1].Component.AssetComponentID)

	status := func(code int) func(t *testing.T, r resp) {
		return func(t *testing.T, r resp) {
			t.Helper()
			if r.status != code {
				t.Errorf("status %d, want %d: %.200s", r.status, code, r.body)
			}
		}
	}
	page := func(check func(t *testing.T, r resp)) func(t *testing.T, r resp) { return check }
	tests := []struct {
		fault, path, url, token string
		check                   func(t *testing.T, r resp)
	}{
		{FaultRate429, pathV1Count, base + pathV1Count, "", status(429)},
		{FaultRate429NoWait, pathV1Count, base + pathV1Count, "", func(t *testing.T, r resp) {
			if r.status != 429 || r.header.Get("x-ratelimit-towait-sec") != "" {
				t.Errorf("%d %v", r.status, r.header)
			}
		}},
		{FaultConflict409, pathOrgCount, base + pathOrgCount, "", func(t *testing.T, r resp) {
			if r.status != 409 || r.header.Get("x-ratelimit-towait-sec") != "1" {
				t.Errorf("%d %v", r.status, r.header)
			}
		}},
		{FaultConflict409NoWait, pathOrgCount, base + pathOrgCount, "", func(t *testing.T, r resp) {
			if r.status != 409 || r.header.Get("x-ratelimit-towait-sec") != "" || !bytes.Contains(r.body, []byte(`"responseCode":"FAILED"`)) {
				t.Errorf("%d %v %s", r.status, r.header, r.body)
			}
		}},
		{FaultConcurrency, pathImport, base + pathImport, "", func(t *testing.T, r resp) {
			if r.status != 429 || r.header.Get("x-concurrency-limit-running") != "3" || r.header.Get("x-concurrency-limit-limit") != "3" ||
				!bytes.Contains(r.body, []byte("Concurrency limit exceeded")) {
				t.Errorf("%d %v %s", r.status, r.header, r.body)
			}
		}},
		{FaultError500, pathReport, base + pathReport, "", status(500)},
		{FaultUnavailable503, pathEASMStatus, base + pathEASMStatus, "", status(503)},
		{FaultError520, pathSNAssets, fmt.Sprintf("%s%s%d", base, pathSNAssets, ids[0]), "", status(520)},
		{FaultBurst5xx, pathV1Get, fmt.Sprintf("%s%s?assetId=%d", base, pathV1Get, ids[0]), "", status(503)},
		{FaultSlow, pathV1Filter, base + pathV1Filter + "?filter=asset.name:x", "", status(204)},
		{FaultForbidden403, pathComponents, base + pathComponents, "", func(t *testing.T, r resp) {
			if r.status != 403 || !bytes.Contains(r.body, []byte("API access not enabled")) {
				t.Errorf("%d %s", r.status, r.body)
			}
		}},
		{FaultTokenExpiry, pathOrgList, base + pathOrgList, "", func(t *testing.T, r resp) { assertSpring401(t, r, pathOrgList) }},
		{FaultOAuthReject, pathEASMStatus, base + pathEASMStatus, "oauth", func(t *testing.T, r resp) {
			if r.status != 400 || !bytes.Contains(r.body, []byte("Invalid Subscription Id")) {
				t.Errorf("%d %s", r.status, r.body)
			}
		}},
		// Page faults, on V1 pages and on component pages.
		{FaultTruncate, pathV1List, v1Page1, "", page(func(t *testing.T, r resp) {
			if r.status != 200 || jsontext.Value(r.body).IsValid() {
				t.Errorf("%d, valid JSON", r.status)
			}
		})},
		{FaultTruncate, pathComponents, comp2, "", page(func(t *testing.T, r resp) {
			if r.status != 200 || jsontext.Value(r.body).IsValid() {
				t.Errorf("%d, valid JSON", r.status)
			}
		})},
		{FaultWrongType, pathComponents, comp2, "", func(t *testing.T, r resp) {
			if !bytes.Contains(r.body, []byte(`"assetComponentsList":[{"assetId":"x",`)) || !jsontext.Value(r.body).IsValid() {
				t.Errorf("%.200s", r.body)
			}
		}},
		{FaultNoHasMore, pathV1List, v1Page1, "", func(t *testing.T, r resp) {
			if p := decodePage(t, r.body); p.HasMore != nil {
				t.Error("hasMore present")
			}
		}},
		{FaultNoHasMore, pathComponents, comp2, "", func(t *testing.T, r resp) {
			if bytes.Contains(r.body, []byte(`"hasMore"`)) {
				t.Error("hasMore present")
			}
		}},
		{FaultNoResponseCode, pathV1Count, base + pathV1Count, "", func(t *testing.T, r resp) {
			if bytes.Contains(r.body, []byte(`responseCode`)) || !bytes.Contains(r.body, []byte(`"count":60`)) {
				t.Errorf("%s", r.body)
			}
		}},
		{FaultNoResponseCode, pathOrgList, base + pathOrgList, "", func(t *testing.T, r resp) {
			if bytes.Contains(r.body, []byte(`responseCode`)) {
				t.Errorf("%.200s", r.body)
			}
		}},
		{FaultEmptyHasMore, pathV1List, v1End, "", func(t *testing.T, r resp) {
			if p := decodePage(t, r.body); r.status != 200 || *p.HasMore != 1 || *p.Count != 0 {
				t.Errorf("%d %s", r.status, r.body)
			}
		}},
		{FaultEmptyHasMore, pathComponents, compEnd, "", func(t *testing.T, r resp) {
			if r.status != 200 || !bytes.Contains(r.body, []byte(`"count":0`)) || !bytes.Contains(r.body, []byte(`"hasMore":1`)) {
				t.Errorf("%d %s", r.status, r.body)
			}
		}},
		{FaultRepeatLast, pathV1List, v1Page2, "", func(t *testing.T, r resp) {
			if p := decodePage(t, r.body); *p.Count != 11 || idOf(t, p.AssetListData.Asset[0]) != ids[9] {
				t.Errorf("%.200s", r.body)
			}
		}},
		{FaultRepeatLast, pathComponents, comp2, "", func(t *testing.T, r resp) {
			c := decodeComponents(t, r)
			if c.Count != 11 || c.AssetComponentsList[0].Component.AssetComponentID != first[9].Component.AssetComponentID {
				t.Errorf("%.200s", r.body)
			}
		}},
		{FaultStuckCursor, pathV1List, v1Page2, "", func(t *testing.T, r resp) {
			if p := decodePage(t, r.body); *p.LastSeenAssetID != ids[9] {
				t.Errorf("lastSeenAssetId %d", *p.LastSeenAssetID)
			}
		}},
		{FaultStuckCursor, pathComponents, comp2, "", func(t *testing.T, r resp) {
			if c := decodeComponents(t, r); *c.LastAssetComponentID != first[9].Component.AssetComponentID {
				t.Errorf("lastAssetComponentId %d", *c.LastAssetComponentID)
			}
		}},
	}
	covered := map[string]bool{FaultReset: true} // reset: below
	for _, tc := range tests {
		covered[tc.fault] = true
		t.Run(tc.fault+" on "+tc.path, func(t *testing.T) {
			before := s.Stats().Faults[tc.fault]
			if err := s.Faults().Enable(FaultSpec{Name: tc.fault, Count: 1, Path: tc.path, Delay: 50 * time.Millisecond}); err != nil {
				t.Fatal(err)
			}
			// Another endpoint is not affected, and does not use the count up.
			if r := call(t, "POST", base+pathCount, tok, "", ""); r.status != 200 {
				t.Errorf("V2 count with a fault scoped to %s: %d", tc.path, r.status)
			}
			method := "POST"
			if tc.path == pathEASMStatus || tc.path == pathSNAssets {
				method = "GET"
			}
			token := tok
			if tc.token == "oauth" {
				token = oauth
			}
			tc.check(t, call(t, method, tc.url, token, "", ""))
			if got := s.Stats().Faults[tc.fault] - before; got != 1 {
				t.Errorf("fired %d times", got)
			}
			if !strings.Contains(logs.String(), `msg="fault fired" fault=`+tc.fault+" path="+tc.path) {
				t.Error("firing not logged")
			}
			if tc.fault == FaultTokenExpiry { // every token issued so far is dead
				tok = login(t, base)
				oauth = string(call(t, "POST", base+"/auth/oauth", "", "", "", "clientId", "cid", "clientSecret", "sec").body)
			}
		})
	}
	t.Run("reset on components", func(t *testing.T) {
		s.Faults().Enable(FaultSpec{Name: FaultReset, Count: 1, Path: pathComponents})
		req, _ := http.NewRequest("POST", comp2, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_, err = io.ReadAll(res.Body)
			res.Body.Close()
		}
		if err == nil || s.Stats().Faults[FaultReset] != 1 {
			t.Errorf("err %v, fired %d", err, s.Stats().Faults[FaultReset])
		}
	})
	for _, name := range FaultNames() {
		if !covered[name] {
			t.Errorf("fault %s not exercised", name)
		}
	}
	// The real limiter's rejections are logged too.
	s2, base2 := start(t, Config{Assets: 1, RateLimit: 1, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	tok2 := login(t, base2)
	call(t, "POST", base2+pathV1Count, tok2, "", "")
	if r := call(t, "POST", base2+pathV1Count, tok2, "", ""); r.status != 429 || !strings.Contains(logs.String(), `msg="rate limit" path=`+pathV1Count) {
		t.Errorf("%d; rate limit not logged", r.status)
	}
	_ = s2
}
