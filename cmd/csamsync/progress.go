package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/csamsync/csamsync/internal/syncer"
)

// progress shows a bar on a terminal and periodic log lines otherwise.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	mode    string // bar, log or none
	last    time.Time
	lastLen int
	logged  int64 // assets of the last log line
	p       syncer.Progress
}

func newProgress(w io.Writer, mode string) *progress {
	if mode == "auto" || mode == "" {
		mode = "log"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			mode = "bar"
		}
	}
	return &progress{w: w, mode: mode}
}

func (p *progress) update(s syncer.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.p = s
	now := time.Now()
	switch p.mode {
	case "bar":
		if now.Sub(p.last) < 100*time.Millisecond {
			return
		}
		line := p.bar()
		fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", max(0, p.lastLen-len(line))))
		p.lastLen = len(line)
	case "log":
		if (now.Sub(p.last) < 5*time.Second && s.Done < s.Total) || s.Done == p.logged {
			return
		}
		p.logged = s.Done
		fmt.Fprintf(p.w, "progress: %d/%d assets, %d pages, %.0f assets/s, eta %s\n", s.Done, s.Total, s.Pages, p.rate(), p.eta())
	default:
		return
	}
	p.last = now
}

func (p *progress) rate() float64 {
	if p.p.Elapsed <= 0 {
		return 0
	}
	return float64(p.p.Done) / p.p.Elapsed.Seconds()
}

func (p *progress) eta() string {
	r := p.rate()
	if r <= 0 || p.p.Total <= p.p.Done {
		return "0s"
	}
	return (time.Duration(float64(p.p.Total-p.p.Done)/r) * time.Second).Round(time.Second).String()
}

func (p *progress) bar() string {
	const width = 30
	frac := 1.0
	if p.p.Total > 0 {
		frac = min(float64(p.p.Done)/float64(p.p.Total), 1)
	}
	n := int(frac * width)
	return fmt.Sprintf("[%s%s] %d/%d assets  %.0f/s  %.1f MB  eta %s",
		strings.Repeat("=", n), strings.Repeat(" ", width-n), p.p.Done, p.p.Total, p.rate(), float64(p.p.Bytes)/1e6, p.eta())
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode == "bar" && p.lastLen > 0 {
		fmt.Fprintf(p.w, "\r%s\n", p.bar())
	}
}
