package csamapi

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// TimeKind records how a time value travelled on the wire, so that it can be
// re-emitted byte for byte (the emulator relies on this) and so that mapping
// can tell "never" (epoch 0) from "unknown" (text such as "Not Announced").
type TimeKind uint8

const (
	TimeNull   TimeKind = iota // JSON null or absent
	TimeNumber                 // epoch milliseconds as a JSON number
	TimeString                 // any JSON string, parsed or not
)

// Time is the one time type of the CSAM wire format. CSAM mixes epoch
// milliseconds (numbers, and sometimes strings), ISO-8601 with "Z", "+00:00"
// or "+0000", ISO-8601 without a zone, "yyyy-MM-dd HH:mm:ss", date-only
// strings, and non-dates ("Not Announced", " ", "") in the same object
// (csam-api.md §6.2). Known reports whether T holds a parsed instant; Raw
// always keeps the text that was sent.
type Time struct {
	T     time.Time
	Raw   string
	Kind  TimeKind
	Known bool
}

// Millis builds a Time sent as epoch milliseconds.
func Millis(ms int64) Time {
	return Time{T: time.UnixMilli(ms).UTC(), Raw: strconv.FormatInt(ms, 10), Kind: TimeNumber, Known: true}
}

// ISO builds a Time sent as an ISO-8601 string with milliseconds and "Z",
// the format CSAM uses for lastModifiedDate, createdDate and lifecycle dates.
func ISO(t time.Time) Time {
	t = t.UTC().Truncate(time.Millisecond)
	return Time{T: t, Raw: t.Format("2006-01-02T15:04:05.000Z"), Kind: TimeString, Known: true}
}

// Text builds a Time sent as a string that is parsed the way a decoded one
// would be ("Not Announced" stays unknown).
func Text(s string) Time {
	t, ok := ParseTime(s)
	return Time{T: t, Raw: s, Kind: TimeString, Known: ok}
}

// IsZero reports whether nothing (null) was sent.
func (t Time) IsZero() bool { return t.Kind == TimeNull }

// Ptr returns the instant in UTC, or nil when it is unknown. Epoch 0 means
// "never" on CSAM's agent and sensor fields and is returned as nil too.
func (t Time) Ptr() *time.Time {
	if !t.Known || t.T.IsZero() || (t.Kind == TimeNumber && t.T.UnixMilli() == 0) {
		return nil
	}
	u := t.T.UTC()
	return &u
}

// String returns the RFC 3339 UTC form when known, else "unknown".
func (t Time) String() string {
	if p := t.Ptr(); p != nil {
		return p.Format(time.RFC3339Nano)
	}
	return "unknown"
}

// layouts are tried in order; ParseTime normalises "+0000" to "+00:00" first.
var layouts = []string{
	time.RFC3339Nano,                // 2025-08-20T11:32:15.000Z, 2022-12-15T15:27:18.000+00:00
	"2006-01-02T15:04:05.999999999", // no zone: read as UTC
	"2006-01-02T15:04Z07:00",        // yyyy-MM-ddTHH:mmZ (component filters)
	"2006-01-02T15Z07:00",           // yyyy-MM-ddTHHZ
	"2006-01-02T15:04",              // minute precision, no zone
	"2006-01-02 15:04:05.999999999", // yyyy-MM-dd HH:mm:ss (component firstFoundAt)
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02", // date only
}

// ParseTime parses every textual time format CSAM is known to send, plus
// epoch milliseconds written as a string. Times without a zone are UTC.
// It reports false for anything else ("Not Announced", " ", "").
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if isDigits(s) {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.UnixMilli(ms).UTC(), true
	}
	if c := s[0]; c < '0' || c > '9' {
		return time.Time{}, false
	}
	s = fixNumericZone(s)
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// fixNumericZone rewrites a trailing "+hhmm" / "-hhmm" (as in the gateway's
// 401 body, "2022-02-02T06:03:36.701+0000") to "+hh:mm".
func fixNumericZone(s string) string {
	n := len(s)
	if n < 5 || !strings.Contains(s, "T") {
		return s
	}
	if z := s[n-5]; (z == '+' || z == '-') && isDigits(s[n-4:]) {
		return s[:n-2] + ":" + s[n-2:]
	}
	return s
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			if i == 0 && s[i] == '-' && len(s) > 1 {
				continue
			}
			return false
		}
	}
	return true
}

// UnmarshalJSONFrom implements the streaming decoder hook of
// github.com/go-json-experiment/json: no intermediate allocation per value.
func (t *Time) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*t = Time{}
	case '0':
		raw := tok.String()
		ms, perr := strconv.ParseInt(raw, 10, 64)
		if perr != nil {
			// Milliseconds written with a fraction or an exponent: not
			// something CSAM sends, but read rather than fail the page.
			f, ferr := strconv.ParseFloat(raw, 64)
			if ferr != nil {
				return fmt.Errorf("time: bad number %q", raw)
			}
			ms = int64(f)
		}
		*t = Time{T: time.UnixMilli(ms).UTC(), Raw: raw, Kind: TimeNumber, Known: true}
	case '"':
		*t = Text(tok.String())
	default:
		return fmt.Errorf("time: unexpected JSON %v", tok.Kind())
	}
	return nil
}

// MarshalJSONTo re-emits the value in the form it was received or built in.
func (t Time) MarshalJSONTo(enc *jsontext.Encoder) error {
	switch t.Kind {
	case TimeNumber:
		if ms, err := strconv.ParseInt(t.Raw, 10, 64); err == nil {
			return enc.WriteToken(jsontext.Int(ms))
		}
		return enc.WriteToken(jsontext.Int(t.T.UnixMilli()))
	case TimeString:
		return enc.WriteToken(jsontext.String(t.Raw))
	default:
		return enc.WriteToken(jsontext.Null)
	}
}
