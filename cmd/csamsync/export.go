package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/csamsync/csamsync/internal/store"
)

func cmdExport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	db := fs.String("db", envOr("CSAMSYNC_DB", "csamsync.db"), "inventory database (env CSAMSYNC_DB)")
	kind := fs.String("kind", "hosts", "hosts, packages or installed-packages")
	format := fs.String("format", "jsonl", "jsonl or csv")
	out := fs.String("out", "", "output file (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch store.Kind(*kind) {
	case store.KindHosts, store.KindPackages, store.KindInstalledPackages:
	default:
		return usagef("--kind must be hosts, packages or installed-packages, not %q", *kind)
	}
	if *format != "jsonl" && *format != "csv" {
		return usagef("--format must be jsonl or csv, not %q", *format)
	}
	if !strings.Contains(*db, "://") {
		if _, err := os.Stat(*db); err != nil {
			return fmt.Errorf("open inventory %s: %w", *db, err)
		}
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()

	var w io.Writer = os.Stdout
	var file *os.File
	if *out != "" {
		if file, err = os.Create(*out); err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	n, err := store.WriteExport(ctx, st, store.Kind(*kind), *format, bw)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "exported %d %s to %s\n", n, *kind, *out)
	}
	return nil
}
