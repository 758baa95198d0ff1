package client

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// A page of 300 hosts with full software lists is tens of megabytes
// (csam-api.md §6.2: one asset can be 25 000 lines), so pages are streamed:
// the envelope is walked token by token and each asset is decoded into a
// fresh csamapi.Asset and handed over before the next one is read.

// pageMeta is the envelope, filled as its keys arrive. Keys may come in any
// order, including after the asset array, so nothing is decided from it
// before the page has been read to the end.
type pageMeta struct {
	ResponseCode    *string
	ResponseMessage *string
	Count           *int64
	LastSeenAssetID *int64
	HasMore         *int64
}

// pageResult is what decoding a page learnt besides the assets.
type pageResult struct {
	meta   pageMeta
	empty  bool  // the body held no JSON at all
	assets int   // assets decoded, duplicates included
	nulls  int   // null array entries, skipped
	maxID  int64 // largest assetId on the page
	lastID int64 // last assetId decoded without error
	bytes  int64 // body bytes read
}

// errStopped is returned when the consumer stopped the iteration.
var errStopped = errors.New("stopped by the consumer")

// errDecoderPanic marks a panic recovered while decoding (a bug in a wire
// type's decoder; the fuzz target fails on it).
var errDecoderPanic = errors.New("decoder panic")

// bodyReadError is the connection failing while the body was streamed: the
// page itself may be fine and can be asked for again.
type bodyReadError struct{ err error }

func (e *bodyReadError) Error() string { return "reading page body: " + e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }

// responseCodeError is a page whose envelope says it failed.
type responseCodeError struct{ code, message string }

func (e *responseCodeError) Error() string {
	return fmt.Sprintf("responseCode %q: %s", e.code, e.message)
}

// decoderOptions tolerate what a strict decoder would fail a whole page on:
// repeated keys (last wins) and invalid UTF-8 in free text (replaced).
var decoderOptions = []jsontext.Options{
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
}

// countingReader counts bytes and remembers the first transport error, which
// tells a dropped connection from a body that is itself malformed.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// decodePage streams one search/get response from r and calls fn for each
// asset in order; fn returns false to stop. Errors are a *DecodeError
// (wrapping ErrMalformedPage), a *bodyReadError, a *responseCodeError or
// errStopped. Assets handed to fn before an error stay handed over.
func decodePage(r io.Reader, fn func(*csamapi.Asset) bool) (res pageResult, err error) {
	cr := &countingReader{r: r}
	dec := jsontext.NewDecoder(cr, append(decoderOptions[:len(decoderOptions):len(decoderOptions)], pageOptions())...)
	d := pageDecoder{dec: dec, fn: fn, res: &res, index: -1}
	defer func() {
		if p := recover(); p != nil {
			err = d.malformed(fmt.Errorf("%w: %v", errDecoderPanic, p))
		}
		res.bytes = cr.n
		var de *DecodeError
		if cr.err != nil && (err == nil || errors.As(err, &de)) {
			err = &bodyReadError{err: cr.err}
		}
	}()
	err = d.page()
	if err == nil && d.failed != nil {
		err = &responseCodeError{code: *d.failed, message: str(res.meta.ResponseMessage)}
	}
	return res, err
}

type pageDecoder struct {
	dec    *jsontext.Decoder
	fn     func(*csamapi.Asset) bool
	res    *pageResult
	index  int     // asset being decoded, -1 outside the array
	cur    int64   // its assetId when known
	failed *string // responseCode when not SUCCESS: assets are skipped from then on
}

func (d *pageDecoder) malformed(err error) error {
	return &DecodeError{Index: d.index, AssetID: d.cur, LastAssetID: d.res.lastID, Err: err}
}

func (d *pageDecoder) page() error {
	tok, err := d.dec.ReadToken()
	if err == io.EOF {
		d.res.empty = true // 200 with no body: the same as 204
		return nil
	}
	if err != nil {
		return d.malformed(err)
	}
	if tok.Kind() != '{' {
		return d.malformed(fmt.Errorf("page is %s, want a JSON object", kindName(tok.Kind())))
	}
	for d.dec.PeekKind() != '}' {
		name, err := d.dec.ReadToken()
		if err != nil {
			return d.malformed(err)
		}
		m := &d.res.meta
		switch name.String() {
		case "responseCode":
			err = d.optString(&m.ResponseCode)
			if err == nil && m.ResponseCode != nil && *m.ResponseCode != csamapi.ResponseSuccess {
				d.failed = m.ResponseCode
			}
		case "responseMessage":
			err = d.optString(&m.ResponseMessage)
		case "count":
			err = d.optInt(&m.Count, "count")
		case "lastSeenAssetId":
			err = d.optInt(&m.LastSeenAssetID, "lastSeenAssetId")
		case "hasMore":
			err = d.optInt(&m.HasMore, "hasMore")
		case "assetListData":
			err = d.list()
		default:
			err = d.dec.SkipValue()
		}
		if err != nil {
			return d.wrap(err)
		}
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return d.malformed(err)
	}
	if _, err := d.dec.ReadToken(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the page object")
		}
		return d.malformed(err)
	}
	return nil
}

// wrap passes through errors that are already classified.
func (d *pageDecoder) wrap(err error) error {
	var de *DecodeError
	if errors.Is(err, errStopped) || errors.As(err, &de) {
		return err
	}
	return d.malformed(err)
}

func (d *pageDecoder) optString(dst **string) error {
	tok, err := d.dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*dst = nil
	case '"':
		s := tok.String()
		*dst = &s
	default:
		return fmt.Errorf("envelope string is %s", kindName(tok.Kind()))
	}
	return nil
}

// optInt reads an envelope number; hasMore is documented as 0/1 but a
// boolean is taken too.
func (d *pageDecoder) optInt(dst **int64, key string) error {
	tok, err := d.dec.ReadToken()
	if err != nil {
		return err
	}
	var v int64
	switch tok.Kind() {
	case 'n':
		*dst = nil
		return nil
	case '0':
		if v, err = strconv.ParseInt(tok.String(), 10, 64); err != nil {
			return fmt.Errorf("envelope %s is %s, want a 64-bit integer", key, tok.String())
		}
	case 't', 'f':
		if key != "hasMore" {
			return fmt.Errorf("envelope %s is a boolean, want a number", key)
		}
		if tok.Bool() {
			v = 1
		}
	default:
		return fmt.Errorf("envelope %s is %s, want a number", key, kindName(tok.Kind()))
	}
	*dst = &v
	return nil
}

func (d *pageDecoder) list() error {
	switch k := d.dec.PeekKind(); k {
	case 'n':
		_, err := d.dec.ReadToken()
		return err
	case '{':
	default:
		if k == 0 {
			_, err := d.dec.ReadToken()
			return err
		}
		return fmt.Errorf("assetListData is %s, want an object", kindName(k))
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return err
	}
	for d.dec.PeekKind() != '}' {
		name, err := d.dec.ReadToken()
		if err != nil {
			return err
		}
		if name.String() != "asset" || d.failed != nil {
			if err := d.dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		switch k := d.dec.PeekKind(); k {
		case 'n':
			_, err = d.dec.ReadToken()
		case '[':
			err = d.assets()
		case '{': // a single asset not wrapped in an array
			d.index = 0
			err = d.asset()
			d.index = -1
		default:
			if k == 0 {
				_, err = d.dec.ReadToken()
			} else {
				err = fmt.Errorf("assetListData.asset is %s, want an array", kindName(k))
			}
		}
		if err != nil {
			return err
		}
	}
	_, err := d.dec.ReadToken()
	return err
}

func (d *pageDecoder) assets() error {
	if _, err := d.dec.ReadToken(); err != nil {
		return err
	}
	for i := 0; d.dec.PeekKind() != ']'; i++ {
		d.index = i
		if d.failed != nil {
			if err := d.dec.SkipValue(); err != nil {
				return d.malformed(err)
			}
			continue
		}
		if err := d.asset(); err != nil {
			return err
		}
	}
	d.index = -1
	_, err := d.dec.ReadToken()
	return err
}

// asset decodes the next array element and hands it over at once.
func (d *pageDecoder) asset() error {
	d.cur = 0
	switch k := d.dec.PeekKind(); k {
	case '{':
	case 'n': // not an asset; counted, the caller logs it
		d.res.nulls++
		_, err := d.dec.ReadToken()
		return err
	default:
		if k == 0 {
			_, err := d.dec.ReadToken()
			return d.malformed(err)
		}
		return d.malformed(fmt.Errorf("asset is %s, want an object", kindName(k)))
	}
	a := new(csamapi.Asset)
	err := json.UnmarshalDecode(d.dec, a)
	d.cur = a.AssetID
	if err != nil {
		return d.malformed(err)
	}
	if a.AssetID == 0 {
		// Without an id an asset can be neither stored nor paged past.
		return d.malformed(errors.New("asset has no assetId"))
	}
	d.res.assets++
	d.res.lastID = a.AssetID
	d.res.maxID = max(d.res.maxID, a.AssetID)
	d.cur = 0
	if !d.fn(a) {
		return errStopped
	}
	return nil
}
