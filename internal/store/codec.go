package store

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/csamsync/csamsync/internal/model"
	"strconv"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// jsonOpts are the options of every JSON the store writes (the doc columns)
// and WriteExport prints, so that a doc is a function of the model value and
// an export a function of the stored docs:
//
//   - map keys sorted (Deterministic);
//   - nil and empty slices both print as [] and nil maps as {} (the v2
//     defaults, kept explicit), so a value that went through the database,
//     where nil and empty are not told apart, prints the same as before;
//   - every time.Time prints as RFC 3339 in UTC with the fractional seconds
//     it has (time.RFC3339Nano), also inside Attributes;
//   - numbers under an interface (Attributes) decode as int64 when they are
//     integers that fit, so large ids survive the round trip exactly;
//   - invalid UTF-8 is replaced by U+FFFD rather than failing a page.
var jsonOpts = json.JoinOptions(
	json.Deterministic(true),
	json.FormatNilSliceAsNull(false),
	json.FormatNilMapAsNull(false),
	json.WithMarshalers(json.MarshalToFunc(func(enc *jsontext.Encoder, t time.Time) error {
		return enc.WriteToken(jsontext.String(t.UTC().Format(time.RFC3339Nano)))
	})),
	json.WithUnmarshalers(json.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *any) error {
		if dec.PeekKind() != '0' {
			return errors.ErrUnsupported // default handling
		}
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if i, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			*v = i
			return nil
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return err
		}
		*v = f
		return nil
	})),
	jsontext.AllowInvalidUTF8(true),
)

// marshalDoc encodes v as a stored doc and returns it with its content
// hash, the first 64 bits of its SHA-256 (it only tells a row's versions
// apart).
func marshalDoc(v any) (doc string, hash int64, err error) {
	b, err := json.Marshal(v, jsonOpts)
	if err != nil {
		return "", 0, err
	}
	sum := sha256.Sum256(b)
	return string(b), int64(binary.BigEndian.Uint64(sum[:8])), nil
}

// timeLayout is the stored form of times: RFC 3339, UTC, always nine
// fractional digits, so that text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTime is the column value of an optional time.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

func parseNullTime(s *string) (*time.Time, error) {
	if s == nil {
		return nil, nil
	}
	t, err := parseTime(*s)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// earliest returns the earlier of two optional times.
func earliest(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.Before(*a)) {
		return b
	}
	return a
}

// latest returns the later of two optional times.
func latest(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.After(*a)) {
		return b
	}
	return a
}

// pageDates merges the package date updates of a page, one per package
// (the earliest created, the latest modified), in a stable order.
func pageDates(recs []model.HostRecord) []model.PackageDates {
	var out []model.PackageDates
	index := map[string]int{}
	for i := range recs {
		for _, d := range recs[i].PackageDates {
			if k, ok := index[d.UID]; ok {
				out[k].SourceCreatedDate = earliest(out[k].SourceCreatedDate, d.SourceCreatedDate)
				out[k].SourceLastModified = latest(out[k].SourceLastModified, d.SourceLastModified)
				continue
			}
			index[d.UID] = len(out)
			out = append(out, d)
		}
	}
	return out
}

// Page is a page of records validated and encoded for writing. Preparing
// needs no database, so a sync prepares the next page on its reading
// goroutines while the writer commits the current one.
type Page struct {
	hosts []hostRow
	pkgs  []packageRow
	dates []model.PackageDates
}

// PreparePage validates the records and encodes their documents.
func PreparePage(recs []model.HostRecord) (*Page, error) {
	hosts, pkgs, err := preparePage(recs)
	if err != nil {
		return nil, fmt.Errorf("store: write page: %w", err)
	}
	return &Page{hosts: hosts, pkgs: pkgs, dates: pageDates(recs)}, nil
}

// exportQuery is the query of Export for a kind, in uid (byte) order.
func exportQuery(kind Kind) (string, error) {
	switch kind {
	case KindHosts:
		return `SELECT doc FROM hosts ORDER BY uid`, nil
	case KindPackages:
		return `SELECT doc, source_created, source_modified FROM packages ORDER BY uid`, nil
	case KindInstalledPackages:
		return `SELECT doc, status, removed_at FROM installed_packages ORDER BY uid`, nil
	}
	return "", fmt.Errorf("store: export: unknown kind %q", kind)
}

// exportRow scans one row of exportQuery and decodes it into the model
// value. Columns win over the doc where they are authoritative: a
// package's date span, an installed package's status and removedAt.
func exportRow(kind Kind, scan func(dest ...any) error) (any, error) {
	var doc []byte
	switch kind {
	case KindHosts:
		var h model.Host
		if err := scan(&doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(doc, &h, jsonOpts); err != nil {
			return nil, fmt.Errorf("decode doc: %w", err)
		}
		return h, nil
	case KindPackages:
		var (
			p                 model.Package
			created, modified *string
			err               error
		)
		if err := scan(&doc, &created, &modified); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(doc, &p, jsonOpts); err != nil {
			return nil, fmt.Errorf("decode doc: %w", err)
		}
		if p.SourceCreatedDate, err = parseNullTime(created); err != nil {
			return nil, err
		}
		if p.SourceLastModified, err = parseNullTime(modified); err != nil {
			return nil, err
		}
		return p, nil
	default:
		var (
			ip        model.InstalledPackage
			removedAt *string
			err       error
		)
		if err := scan(&doc, &ip.Status, &removedAt); err != nil {
			return nil, err
		}
		status := ip.Status
		if err := json.Unmarshal(doc, &ip, jsonOpts); err != nil {
			return nil, fmt.Errorf("decode doc: %w", err)
		}
		ip.Status = status
		if ip.RemovedAt, err = parseNullTime(removedAt); err != nil {
			return nil, fmt.Errorf("removed_at: %w", err)
		}
		return ip, nil
	}
}

// rowIter is what database/sql and pgx result rows have in common.
type rowIter interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// exportRows decodes the rows of exportQuery and hands each object to fn.
func exportRows(kind Kind, rows rowIter, fn func(v any) error) error {
	for rows.Next() {
		v, err := exportRow(kind, rows.Scan)
		if err != nil {
			return fmt.Errorf("store: export %s: %w", kind, err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: export %s: %w", kind, err)
	}
	return nil
}
