package client

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Sentinels, for errors.Is: callers branch on them and never parse
// messages. A server-ordered wait above the ceiling is both ErrWaitTooLong
// and ErrRateLimited.
var (
	ErrUnauthorized  = errors.New("unauthorized")
	ErrForbidden     = errors.New("forbidden")
	ErrNotFound      = errors.New("not found")
	ErrRateLimited   = errors.New("rate limited")
	ErrWaitTooLong   = errors.New("rate-limit wait above the ceiling (resumable)")
	ErrCursorStuck   = errors.New("paging cursor does not advance")
	ErrMalformedPage = errors.New("malformed page")
	ErrInvalidConfig = errors.New("invalid client config")
	// ErrInvalidSubscription is the gateway refusing an OAuth client token on
	// the asset APIs (csam-api.md §2.3: syn-con saw it, Qualys support calls
	// client-credential support there "work in progress").
	ErrInvalidSubscription = errors.New("invalid subscription id: CSAM asset APIs reject client-credential (OAuth) tokens; use username/password authentication")
)

// maxErrorBody bounds how much of an error response is read; maxBodySnippet
// is how much of a non-JSON one is kept for diagnostics.
const (
	maxErrorBody   = 64 << 10
	maxBodySnippet = 500
)

// APIError is a non-2xx answer from the gateway (or a 2xx whose responseCode
// says it failed). Path never carries the query string; the request body,
// headers and token are never part of it.
type APIError struct {
	Op           string // "auth", "search", "count", "get asset"
	Method, Path string
	Status       int
	ResponseCode string
	Message      string
	RetryAfter   time.Duration // what the server asked for, when it did
	Body         string        // first 500 bytes of a body without a usable JSON message

	kind error  // the sentinel this status maps to, or nil
	hint string // what the user should do about it
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "csam %s: %s %s: HTTP %d", e.Op, e.Method, e.Path, e.Status)
	if e.ResponseCode != "" {
		fmt.Fprintf(&b, " (responseCode %s)", e.ResponseCode)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Body != "" {
		fmt.Fprintf(&b, " [body: %q]", e.Body)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (server asked to wait %s)", e.RetryAfter)
	}
	if e.hint != "" {
		b.WriteString("; ")
		b.WriteString(e.hint)
	}
	return b.String()
}

// Unwrap exposes the sentinel for the status (ErrUnauthorized for 401, ...).
func (e *APIError) Unwrap() error { return e.kind }

// StatusCode returns the HTTP status of the first APIError in err's chain,
// or 0 when the failure never got an HTTP answer.
func StatusCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// classify sets the sentinel and the hint from the status and message.
func (e *APIError) classify() {
	switch {
	case e.Status == 400 && strings.Contains(strings.ToLower(e.Message), "invalid subscription id"):
		e.kind = ErrInvalidSubscription
		e.hint = ErrInvalidSubscription.Error()
	case e.Status == 401:
		e.kind = ErrUnauthorized
	case e.Status == 403:
		e.kind = ErrForbidden
		e.hint = "check the user's CSAM licence and that API access (\"App API Enabled\") is granted"
	case e.Status == 404 || e.Status == 204:
		e.kind = ErrNotFound
	case e.Status == 409 || e.Status == 429:
		e.kind = ErrRateLimited
	case e.Status == 416:
		e.hint = "page size above the server maximum"
	}
}

// newAPIError builds an APIError from an error response body, reading the
// message from responseErrorDetails (string or {errorMessage}), then
// responseMessage, message and error (csam-api.md §4.1).
func newAPIError(op, method, path string, status int, body []byte) *APIError {
	e := &APIError{Op: op, Method: method, Path: path, Status: status}
	var eb csamapi.ErrorBody
	if len(body) > 0 && json.Unmarshal(body, &eb) == nil {
		e.ResponseCode = str(eb.ResponseCode)
		e.Message = errorMessage(eb)
	}
	if e.Message == "" && len(body) > 0 {
		e.Body = snippet(body)
	}
	e.classify()
	return e
}

func errorMessage(eb csamapi.ErrorBody) string {
	if d := eb.ResponseErrorDetails; len(d) > 0 {
		switch d.Kind() {
		case '"':
			var s string
			if json.Unmarshal(d, &s) == nil && strings.TrimSpace(s) != "" {
				return s
			}
		case '{':
			var o struct {
				ErrorMessage *string `json:"errorMessage"`
			}
			if json.Unmarshal(d, &o) == nil && strings.TrimSpace(str(o.ErrorMessage)) != "" {
				return *o.ErrorMessage
			}
		}
	}
	for _, p := range []*string{eb.ResponseMessage, eb.Message, eb.Error} {
		if s := strings.TrimSpace(str(p)); s != "" {
			return s
		}
	}
	return ""
}

// snippet returns the first maxBodySnippet bytes, cut on a rune boundary.
func snippet(b []byte) string {
	if len(b) > maxBodySnippet {
		b = b[:maxBodySnippet]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	return strings.ToValidUTF8(strings.TrimSpace(string(b)), "?")
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// WaitTooLongError ends a call instead of blocking when the server asks for
// a wait above Config.MaxWait (csam-api.md §4.3: 47-minute ToWait windows
// have been reported). Nothing was lost: the caller persists its cursor and
// runs again after Wait.
type WaitTooLongError struct {
	Op   string
	Wait time.Duration // what the server asked for
	Max  time.Duration // Config.MaxWait
	Err  error         // the response that asked (an *APIError), nil when the limiter's state did
}

func (e *WaitTooLongError) Error() string {
	return fmt.Sprintf("csam %s: server asked to wait %s before the next call, above the %s ceiling; "+
		"stopped without waiting, the run is resumable from its last checkpoint after %s",
		e.Op, e.Wait.Round(time.Second), e.Max, e.Wait.Round(time.Second))
}

// Unwrap exposes ErrWaitTooLong and the underlying response error.
func (e *WaitTooLongError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrWaitTooLong}
	}
	return []error{ErrWaitTooLong, e.Err}
}

// PageError is a Scan failure. Cursor is the lastSeenAssetId the failing
// page was requested with: a new Scan from there resumes without loss.
type PageError struct {
	Page   int
	Cursor int64
	Err    error
}

func (e *PageError) Error() string {
	return fmt.Sprintf("csam scan: page %d (requested with lastSeenAssetId=%d): %v", e.Page, e.Cursor, e.Err)
}

func (e *PageError) Unwrap() error { return e.Err }

// DecodeError is a page that is not valid JSON of the expected shape. It
// names the asset being decoded and the last good one, so the bad record
// can be found on the server.
type DecodeError struct {
	Index       int   // position in assetListData.asset, -1 outside the array
	AssetID     int64 // of the asset being decoded, 0 if not read yet
	LastAssetID int64 // last asset decoded without error on this page, 0 if none
	Err         error
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString(ErrMalformedPage.Error())
	if e.Index >= 0 {
		fmt.Fprintf(&b, ": decoding asset[%d]", e.Index)
		if e.AssetID != 0 {
			fmt.Fprintf(&b, " (assetId %d)", e.AssetID)
		}
	}
	if e.LastAssetID != 0 {
		fmt.Fprintf(&b, ", after assetId %d", e.LastAssetID)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

// Unwrap exposes ErrMalformedPage and the decoder's error.
func (e *DecodeError) Unwrap() []error { return []error{ErrMalformedPage, e.Err} }

// kindName names a JSON kind for error messages.
func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "nothing"
}
