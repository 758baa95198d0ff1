package emulator

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// Pages are streamed: the envelope is written token by token and each
// asset is generated and encoded straight into a 64 KB buffered writer, so
// a 300-asset page of 30-60 MB never exists in memory and the first bytes
// leave before the last asset is built.

const (
	cutNone = iota
	cutTruncate
	cutReset
)

// pageOut is one search or get response.
type pageOut struct {
	message  string // responseMessage; "" = "Valid API Access"
	entries  []entry
	lastSeen *int64 // nil → null (get by id)
	hasMore  int64
	sel      *selection
	swType   string

	emptyHasMore   bool // empty page answered 200 with hasMore 1
	noHasMore      bool
	noResponseCode bool
	wrongType      bool
	cut            int
}

var (
	bufPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}
	encPool = sync.Pool{New: func() any { return jsontext.NewEncoder(io.Discard, jsonOpts) }}
)

// errCut stops the encoder when a truncation fault has written its share.
var errCut = errors.New("emulator: body cut by fault")

// cutWriter passes bytes through up to limit (absolute offset, -1 = no
// limit), then fails.
type cutWriter struct {
	w       io.Writer
	written int64
	limit   int64
	cut     bool
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if c.limit >= 0 && c.written+int64(len(p)) > c.limit {
		n, _ := c.w.Write(p[:max(0, c.limit-c.written)])
		c.written += int64(n)
		c.cut = true
		return n, errCut
	}
	n, err := c.w.Write(p)
	c.written += int64(n)
	return n, err
}

func (s *Server) writePage(w http.ResponseWriter, p *pageOut) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	cw := &cutWriter{w: w, limit: -1}
	bw := bufPool.Get().(*bufio.Writer)
	bw.Reset(cw)
	enc := encPool.Get().(*jsontext.Encoder)
	enc.Reset(bw, jsonOpts)
	err := s.encodePage(enc, cw, p)
	if err == nil {
		err = bw.Flush()
	}
	enc.Reset(io.Discard, jsonOpts)
	encPool.Put(enc)
	bw.Reset(nil)
	bufPool.Put(bw)
	if err != nil && !errors.Is(err, errCut) {
		s.log.Debug("page write", "err", err) // the client went away
	}
	if p.cut == cutReset && cw.cut {
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler) // drop the connection mid-body
	}
}

func (s *Server) encodePage(enc *jsontext.Encoder, cw *cutWriter, p *pageOut) error {
	var err error
	tok := func(t jsontext.Token) {
		if err == nil {
			err = enc.WriteToken(t)
		}
	}
	tok(jsontext.BeginObject)
	msg := p.message
	if msg == "" {
		msg = csamapi.MessageValidAPIAccess
	}
	tok(jsontext.String("responseMessage"))
	tok(jsontext.String(msg))
	tok(jsontext.String("count"))
	tok(jsontext.Int(int64(len(p.entries))))
	if !p.noResponseCode {
		tok(jsontext.String("responseCode"))
		tok(jsontext.String(csamapi.ResponseSuccess))
	}
	tok(jsontext.String("lastSeenAssetId"))
	if p.lastSeen != nil {
		tok(jsontext.Int(*p.lastSeen))
	} else {
		tok(jsontext.Null)
	}
	if !p.noHasMore {
		tok(jsontext.String("hasMore"))
		tok(jsontext.Int(p.hasMore))
	}
	tok(jsontext.String("assetListData"))
	tok(jsontext.BeginObject)
	tok(jsontext.String("asset"))
	tok(jsontext.BeginArray)
	if err != nil {
		return err
	}
	cutAt := -1
	if p.cut != cutNone {
		cutAt = len(p.entries) / 2
	}
	for k, e := range p.entries {
		a := s.materialize(e, p.sel, p.swType)
		s.assetsOut.Add(1)
		switch {
		case k == cutAt:
			raw, err := json.Marshal(a, jsonOpts)
			if err != nil {
				return err
			}
			// Cut in the middle of this asset: +1 for the comma before it.
			cw.limit = enc.OutputOffset() + 1 + int64(len(raw)/2)
			if err := enc.WriteValue(raw); err != nil {
				return err
			}
		case k == 0 && p.wrongType:
			raw, err := json.Marshal(a, jsonOpts)
			if err != nil {
				return err
			}
			if err := enc.WriteValue(wrongTypeAssetID(raw)); err != nil {
				return err
			}
		default:
			if err := json.MarshalEncode(enc, a); err != nil {
				return err
			}
		}
	}
	tok(jsontext.EndArray)
	tok(jsontext.EndObject)
	tok(jsontext.EndObject)
	return err
}

// wrongTypeAssetID rewrites {"assetId":123,... to {"assetId":"x",...: a
// string where a number belongs.
func wrongTypeAssetID(raw []byte) []byte {
	const key = `{"assetId":`
	if !bytes.HasPrefix(raw, []byte(key)) {
		return raw
	}
	end := len(key)
	for end < len(raw) && (raw[end] == '-' || raw[end] >= '0' && raw[end] <= '9') {
		end++
	}
	out := make([]byte, 0, len(raw)+3)
	out = append(out, key...)
	out = append(out, `"x"`...)
	return append(out, raw[end:]...)
}

// materialize builds the asset of an entry as this response shows it:
// generated (skipping unselected expensive parts), software filtered by
// type, unselected fields nulled.
func (s *Server) materialize(e entry, sel *selection, swType string) *csamapi.Asset {
	if sel.onlyID {
		return &csamapi.Asset{AssetID: e.id}
	}
	if e.ov == nil {
		opt := sel.opt
		opt.swType = swType
		g := s.store.gen
		return sel.apply(g.asset(g.header(e.idx), opt), false)
	}
	a := e.ov
	if swType != "" && a.SoftwareListData != nil {
		c := *a
		var sw []csamapi.Software
		for _, x := range a.SoftwareListData.Software {
			if strings.EqualFold(csamapi.Str(x.SoftwareType), swType) {
				sw = append(sw, x)
			}
		}
		c.SoftwareListData = &csamapi.SoftwareListData{Software: sw}
		a = &c
	}
	return sel.apply(a, true)
}
