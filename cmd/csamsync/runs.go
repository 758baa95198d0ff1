package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/csamsync/csamsync/internal/store"
)

func cmdRuns(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("runs", flag.ContinueOnError)
	db := fs.String("db", envOr("CSAMSYNC_DB", "csamsync.db"), "inventory database (env CSAMSYNC_DB)")
	connector := fs.String("connector", "", "only runs of this connector")
	limit := fs.Int("limit", 20, "newest runs to list (0: all)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	runs, err := st.Runs(ctx, *connector, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		for _, r := range runs {
			r.Checkpoint = ""
			if err := json.MarshalWrite(os.Stdout, r, json.Deterministic(true)); err != nil {
				return err
			}
			fmt.Println()
		}
		return nil
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCONNECTOR\tMODE\tSTARTED\tDURATION\tOUTCOME\tPAGES\tASSETS\tHOSTS\tINSTALLED\tCALLS\tRETRIES\tERROR")
	for _, r := range runs {
		dur := "-"
		if r.Ended != nil {
			dur = r.Ended.Sub(r.Started).Round(time.Millisecond).String()
		}
		conn := r.Connector
		if conn == "" {
			conn = "(ad hoc)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", r.ID, conn, r.Mode,
			r.Started.Format(time.RFC3339), dur, r.Outcome, r.Stats.Pages, r.Stats.Assets, r.Stats.HostsWritten,
			r.Stats.InstalledWritten, r.Stats.APICalls, r.Stats.Retries, r.Error)
	}
	return tw.Flush()
}
