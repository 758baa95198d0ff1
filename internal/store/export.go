package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/csamsync/csamsync/internal/model"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Export formats.
const (
	FormatJSONL = "jsonl"
	FormatCSV   = "csv"
)

// WriteExport writes every object of kind from st to w and returns the
// number of objects written.
//
// "jsonl" is one JSON object per line with the model's JSON field names.
// "csv" is a header row of the model's top-level JSON names in struct order,
// then one row per object: strings as they are, numbers and booleans as
// their JSON text, null as an empty cell, lists, maps and objects as compact
// JSON.
//
// Both use jsonOpts: times RFC 3339 in UTC, map keys sorted, nil and empty
// lists both [], nil maps {}; only nil pointers (an absent time, no agent)
// are null, an empty cell in CSV. The output depends only on the stored data.
func WriteExport(ctx context.Context, st Store, kind Kind, format string, w io.Writer) (int64, error) {
	zero, err := zeroOf(kind)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var n int64
	switch format {
	case FormatJSONL:
		var buf []byte
		err = st.Export(ctx, kind, func(v any) error {
			var err error
			buf, err = json.Marshal(v, jsonOpts)
			if err != nil {
				return fmt.Errorf("export %s: %w", kind, err)
			}
			buf = append(buf, '\n')
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			n++
			return nil
		})
	case FormatCSV:
		cw := csv.NewWriter(bw)
		var header []string
		header, err = csvCells(zero, nil, true)
		if err != nil {
			return 0, err
		}
		if err = cw.Write(header); err != nil {
			return 0, err
		}
		var record []string
		err = st.Export(ctx, kind, func(v any) error {
			var err error
			if record, err = csvCells(v, record[:0], false); err != nil {
				return fmt.Errorf("export %s: %w", kind, err)
			}
			if len(record) != len(header) {
				return fmt.Errorf("export %s: %d cells for %d columns", kind, len(record), len(header))
			}
			if err := cw.Write(record); err != nil {
				return err
			}
			n++
			return nil
		})
		if err == nil {
			cw.Flush()
			err = cw.Error()
		}
	default:
		return 0, fmt.Errorf("store: unknown export format %q (want %q or %q)", format, FormatJSONL, FormatCSV)
	}
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// zeroOf returns the zero model value of a kind (its CSV header source).
func zeroOf(kind Kind) (any, error) {
	switch kind {
	case KindHosts:
		return model.Host{}, nil
	case KindPackages:
		return model.Package{}, nil
	case KindInstalledPackages:
		return model.InstalledPackage{}, nil
	}
	return nil, fmt.Errorf("store: unknown export kind %q (want %q, %q or %q)",
		kind, KindHosts, KindPackages, KindInstalledPackages)
}

// csvCells appends to cells the top-level member names (names) or values of
// v's JSON object, in the order the struct declares them.
func csvCells(v any, cells []string, names bool) ([]string, error) {
	b, err := json.Marshal(v, jsonOpts)
	if err != nil {
		return nil, err
	}
	dec := jsontext.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return nil, errors.New("not a JSON object")
	}
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, err
		}
		name := tok.String() // before the token is voided
		val, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		if names {
			cells = append(cells, name)
			continue
		}
		switch val.Kind() {
		case 'n':
			cells = append(cells, "")
		case '"':
			var s string
			if err := json.Unmarshal(val, &s); err != nil {
				return nil, err
			}
			cells = append(cells, s)
		default: // numbers, booleans, and compact objects and arrays
			cells = append(cells, string(val))
		}
	}
	return cells, nil
}
