package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/go-json-experiment/json"
)

// Endpoints (csam-api.md §3.1).
const (
	pathSearch = "/rest/2.0/search/am/asset"
	pathCount  = "/rest/2.0/count/am/asset"
	pathGet    = "/rest/2.0/get/am/asset"

	jsonContentType = "application/json"
	maxCountBody    = 1 << 20
)

// AssetQuery selects assets for Scan and Count.
type AssetQuery struct {
	PageSize        int   // default 300, clamped to csamapi.MaxPageSize
	LastSeenAssetID int64 // start after this assetId (a saved cursor)

	// IncludeFields / ExcludeFields name top-level asset fields; the server
	// nulls the others / these (it does not remove the keys).
	IncludeFields, ExcludeFields []string

	// AssetLastUpdated, when set, asks only for assets modified on or after
	// it (delta sync); sent as yyyy-MM-ddTHH:mm:ssZ in UTC.
	AssetLastUpdated time.Time

	Filter      csamapi.FilterRequest
	Tags        []string // tags.name IN (case-sensitive, as Brinqa and ETM take them)
	OSCategory2 []string // operatingSystem.category2 IN
}

// pageSize returns the effective page size.
func (q AssetQuery) pageSize() int {
	switch {
	case q.PageSize <= 0:
		return DefaultPageSize
	case q.PageSize > csamapi.MaxPageSize:
		return csamapi.MaxPageSize
	}
	return q.PageSize
}

// filterBody merges Filter, Tags and OSCategory2 into one validated filter
// and marshals it; nil means "no body". The API has one flat operation and
// no grouping, so Tags/OSCategory2 cannot be ANDed onto an OR filter.
func (q AssetQuery) filterBody() ([]byte, error) {
	if err := q.Filter.Validate(); err != nil {
		return nil, err
	}
	or := strings.EqualFold(q.Filter.Operation, "OR")
	extra := len(q.Tags) > 0 || len(q.OSCategory2) > 0
	if or && extra && len(q.Filter.Filters) > 1 {
		return nil, fmt.Errorf("%w: Tags/OSCategory2 cannot be combined with an OR filter (the API has one flat operation)", csamapi.ErrInvalidFilter)
	}
	b := csamapi.NewFilter()
	if or && !extra {
		b.Or()
	}
	for _, c := range q.Filter.Filters {
		b.Where(c.Field, c.Operator, c.Value)
	}
	for _, in := range []struct {
		field  string
		values []string
	}{{csamapi.FieldTagName, q.Tags}, {csamapi.FieldOSCategory2, q.OSCategory2}} {
		if len(in.values) == 0 {
			continue
		}
		vals := make([]string, len(in.values))
		for i, v := range in.values {
			if vals[i] = strings.TrimSpace(v); vals[i] == "" {
				return nil, fmt.Errorf("%w: empty value in %s list", csamapi.ErrInvalidFilter, in.field)
			}
		}
		b.In(in.field, vals...)
	}
	f, err := b.Build()
	if err != nil {
		return nil, err
	}
	if len(f.Filters) == 0 {
		return nil, nil
	}
	return json.Marshal(f)
}

// searchParams builds the query string of one search page.
func (q AssetQuery) searchParams(cursor int64, pageSize int) url.Values {
	v := url.Values{}
	v.Set("pageSize", strconv.Itoa(pageSize))
	v.Set("lastSeenAssetId", strconv.FormatInt(cursor, 10))
	if f := joinFields(q.IncludeFields); f != "" {
		v.Set("includeFields", f)
	}
	if f := joinFields(q.ExcludeFields); f != "" {
		v.Set("excludeFields", f)
	}
	q.setLastUpdated(v)
	return v
}

func (q AssetQuery) setLastUpdated(v url.Values) {
	if !q.AssetLastUpdated.IsZero() {
		v.Set("assetLastUpdated", q.AssetLastUpdated.UTC().Format("2006-01-02T15:04:05Z"))
	}
}

func joinFields(fs []string) string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return strings.Join(out, ",")
}

func withBody(r *request, body []byte) *request {
	if body != nil {
		r.body, r.contentType = body, jsonContentType
	}
	return r
}

// Count returns how many assets match q's filters (and AssetLastUpdated);
// paging fields are ignored. The search envelope's count is a page count,
// so totals come from here (csam-api.md §3.6).
func (c *Client) Count(ctx context.Context, q AssetQuery) (int64, error) {
	body, err := q.filterBody()
	if err != nil {
		return 0, err
	}
	params := url.Values{}
	q.setLastUpdated(params)
	r := withBody(&request{op: "count", method: http.MethodPost, path: pathCount, query: params}, body)
	resp, err := c.t.do(ctx, r)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNoContent {
		return 0, nil
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxCountBody))
	if err != nil {
		return 0, &netErr{op: r.op, method: r.method, path: r.path, err: err}
	}
	var cr struct {
		Count           *int64  `json:"count"`
		ResponseCode    *string `json:"responseCode"`
		ResponseMessage *string `json:"responseMessage"`
	}
	if err := json.Unmarshal(raw, &cr); err != nil {
		return 0, fmt.Errorf("csam count: %w: %v", ErrMalformedPage, err)
	}
	if cr.ResponseCode != nil && *cr.ResponseCode != csamapi.ResponseSuccess {
		return 0, c.responseCodeError(r, *cr.ResponseCode, str(cr.ResponseMessage))
	}
	if cr.Count == nil {
		return 0, fmt.Errorf("csam count: %w: response has no count", ErrMalformedPage)
	}
	return *cr.Count, nil
}

// GetAsset fetches one asset by id. A 204 or an empty list is ErrNotFound.
func (c *Client) GetAsset(ctx context.Context, id int64) (*csamapi.Asset, error) {
	if id <= 0 {
		return nil, fmt.Errorf("csam get asset: invalid assetId %d", id)
	}
	r := &request{op: "get asset", method: http.MethodGet, path: pathGet,
		query: url.Values{"assetId": {strconv.FormatInt(id, 10)}}}
	notFound := func() error {
		e := &APIError{Op: r.op, Method: r.method, Path: r.path, Status: http.StatusNoContent,
			Message: fmt.Sprintf("asset %d not found", id)}
		e.classify()
		return e
	}
	resp, err := c.t.do(ctx, r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNoContent {
		return nil, notFound()
	}
	var got *csamapi.Asset
	_, err = decodePage(resp.Body, func(a *csamapi.Asset) bool {
		got = a
		return false // the first asset is the answer
	})
	var rc *responseCodeError
	switch {
	case errors.As(err, &rc):
		return nil, c.responseCodeError(r, rc.code, rc.message)
	case err != nil && !errors.Is(err, errStopped):
		return nil, fmt.Errorf("csam get asset %d: %w", id, err)
	case got == nil:
		return nil, notFound()
	case got.AssetID != id:
		return nil, fmt.Errorf("csam get asset %d: %w: server answered with asset %d", id, ErrMalformedPage, got.AssetID)
	}
	return got, nil
}

// responseCodeError reports a 2xx whose envelope says it failed (qualysdk
// treats anything but SUCCESS as an error, csam-api.md §3.6).
func (c *Client) responseCodeError(r *request, code, msg string) error {
	e := &APIError{Op: r.op, Method: r.method, Path: r.path, Status: http.StatusOK,
		ResponseCode: code, Message: c.t.redact(msg, "")}
	e.classify()
	return e
}
