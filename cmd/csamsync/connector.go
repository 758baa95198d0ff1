package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/csamsync/csamsync/internal/connector"
	"github.com/csamsync/csamsync/internal/service"
	"github.com/csamsync/csamsync/internal/store"
	"github.com/csamsync/csamsync/internal/testconn"
)

// openDB opens the inventory with its connector lifecycle.
func openDB(ctx context.Context, dsn string) (service.DB, error) {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	db, ok := st.(service.DB)
	if !ok {
		st.Close()
		return nil, fmt.Errorf("database %s does not support connectors", dsn)
	}
	return db, nil
}

// openRunner opens the database and a connector runner on it, with the
// secret key from the environment. Closing the database is the caller's.
func openRunner(ctx context.Context, dsn string, verbose bool) (*service.Runner, error) {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return nil, err
	}
	kr, err := connector.KeyringFromEnv()
	if err != nil {
		db.Close()
		return nil, err
	}
	f := syncFlags{verbose: verbose}
	return &service.Runner{DB: db, Keyring: kr, Logger: f.logger()}, nil
}

func cmdConnector(ctx context.Context, args []string) error {
	subs := map[string]func(context.Context, []string) error{
		"create": connectorCreate, "update": connectorUpdate, "list": connectorList, "show": connectorShow,
		"delete": connectorDelete, "run": connectorRun, "test": connectorTest,
	}
	if len(args) == 0 || subs[args[0]] == nil {
		return usagef("usage: csamsync connector create|list|show|update|delete|run|test [flags] [NAME]")
	}
	return subs[args[0]](ctx, args[1:])
}

// profileFlags registers the flags of create and update; set reports which
// were given so that update changes only those.
type profileFlags struct {
	p                            connector.Profile
	passwordEnv, clientSecretEnv string
	password, clientSecret       string
	tags, os2, include, exclude  string
	daily, timezone, cron        string
	manual, noDelta              bool
	fullEvery, maxWait           time.Duration
}

func (pf *profileFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&pf.p.Name, "name", "", "connector name")
	fs.StringVar(&pf.p.Description, "description", "", "description")
	fs.StringVar(&pf.p.URL, "url", "", "CSAM gateway URL")
	fs.StringVar(&pf.p.Auth, "auth", "", "password (default) or oauth")
	fs.StringVar(&pf.p.Username, "username", "", "Qualys API user")
	fs.StringVar(&pf.password, "password", "", "password, stored encrypted with "+connector.KeyEnv+" (prefer --password-env)")
	fs.StringVar(&pf.passwordEnv, "password-env", "", "read the password from this environment variable at run time (not stored)")
	fs.StringVar(&pf.p.ClientID, "client-id", "", "OAuth client id")
	fs.StringVar(&pf.clientSecret, "client-secret", "", "OAuth client secret, stored encrypted")
	fs.StringVar(&pf.clientSecretEnv, "client-secret-env", "", "read the client secret from this environment variable")
	fs.IntVar(&pf.p.PageSize, "page-size", 0, "assets per page (default 300, at most 300)")
	fs.IntVar(&pf.p.Parallel, "parallel", 0, "requests in flight (default 2)")
	fs.IntVar(&pf.p.MaxRetries, "max-retries", 0, "retries per request (default 5)")
	fs.StringVar(&pf.tags, "tags", "", "tag filter, comma list (case sensitive)")
	fs.StringVar(&pf.os2, "os-category2", "", "OS category2 filter, comma list")
	fs.StringVar(&pf.include, "include-fields", "", "only these asset fields")
	fs.StringVar(&pf.exclude, "exclude-fields", "", "null out these asset fields")
	fs.StringVar(&pf.daily, "daily", "", "run daily at HH:MM (default 02:00)")
	fs.StringVar(&pf.timezone, "timezone", "", "time zone of --daily (default UTC)")
	fs.StringVar(&pf.cron, "cron", "", "run on this cron expression instead of daily")
	fs.BoolVar(&pf.manual, "manual", false, "never run on a schedule")
	fs.BoolVar(&pf.noDelta, "no-delta", false, "always run full syncs")
	fs.DurationVar(&pf.fullEvery, "full-sync-every", 0, "run a full reconciliation at least this often (default 168h)")
	fs.DurationVar(&pf.maxWait, "max-wait", 0, "longest rate-limit wait before a run stops, resumable (default 5m)")
}

// apply copies the flags that were set onto p.
func (pf *profileFlags) apply(fs *flag.FlagSet, p *connector.Profile) {
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "description":
			p.Description = pf.p.Description
		case "url":
			p.URL = pf.p.URL
		case "auth":
			p.Auth = pf.p.Auth
		case "username":
			p.Username = pf.p.Username
		case "password":
			p.Password = connector.Secret{Value: pf.password}
		case "password-env":
			p.Password = connector.Secret{Env: pf.passwordEnv}
		case "client-id":
			p.ClientID = pf.p.ClientID
		case "client-secret":
			p.ClientSecret = connector.Secret{Value: pf.clientSecret}
		case "client-secret-env":
			p.ClientSecret = connector.Secret{Env: pf.clientSecretEnv}
		case "page-size":
			p.PageSize = pf.p.PageSize
		case "parallel":
			p.Parallel = pf.p.Parallel
		case "max-retries":
			p.MaxRetries = pf.p.MaxRetries
		case "tags":
			p.Tags = splitList(pf.tags)
		case "os-category2":
			p.OSCategory2 = splitList(pf.os2)
		case "include-fields":
			p.IncludeFields = splitList(pf.include)
		case "exclude-fields":
			p.ExcludeFields = splitList(pf.exclude)
		case "daily":
			p.Schedule = connector.Schedule{Daily: pf.daily, Timezone: p.Schedule.Timezone}
		case "cron":
			p.Schedule = connector.Schedule{Cron: pf.cron, Timezone: p.Schedule.Timezone}
		case "manual":
			p.Schedule.Disabled = pf.manual
		case "no-delta":
			p.Delta = !pf.noDelta
		case "full-sync-every":
			p.FullSyncEvery = pf.fullEvery
		case "max-wait":
			p.MaxWait = pf.maxWait
		}
	})
	fs.Visit(func(f *flag.Flag) { // after daily/cron, which reset the schedule
		if f.Name == "timezone" {
			p.Schedule.Timezone = pf.timezone
		}
	})
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// dbFlags adds --db and --json.
func dbFlags(fs *flag.FlagSet) (db *string, asJSON *bool) {
	db = fs.String("db", envOr("CSAMSYNC_DB", "csamsync.db"), "inventory database (env CSAMSYNC_DB)")
	asJSON = fs.Bool("json", false, "print JSON")
	return db, asJSON
}

// parseNamed parses flags and takes the connector name from --name or the
// first argument (flags may come before or after it).
func parseNamed(fs *flag.FlagSet, args []string, name *string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		*name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" && fs.NArg() > 0 {
		*name = fs.Arg(0)
	}
	if *name == "" {
		return usagef("a connector name is required")
	}
	return nil
}

// saveProfile validates, seals and stores a profile; it reports created,
// updated or unchanged (an identical profile is not rewritten).
func saveProfile(ctx context.Context, db service.DB, kr *connector.Keyring, p connector.Profile) (string, error) {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return "", err
	}
	r := service.Runner{DB: db, Keyring: kr}
	if old, _, err := r.Load(ctx, p.Name); err == nil && old.Equal(p) {
		return "unchanged", nil
	} else if err != nil && !strings.Contains(err.Error(), "does not exist") {
		return "", err
	}
	sealed, err := kr.Seal(p)
	if err != nil {
		return "", fmt.Errorf("connector %q: %w", p.Name, err)
	}
	doc, err := json.Marshal(sealed)
	if err != nil {
		return "", err
	}
	created, err := db.PutConnector(ctx, p.Name, doc, connector.StateRegistered)
	if err != nil {
		return "", err
	}
	if created {
		return "created", nil
	}
	return "updated", nil
}

func connectorCreate(ctx context.Context, args []string) error {
	return editConnector(ctx, "create", args)
}

func connectorUpdate(ctx context.Context, args []string) error {
	return editConnector(ctx, "update", args)
}

// editConnector creates a connector from its flags, or updates the flags
// given on a stored one.
func editConnector(ctx context.Context, verb string, args []string) error {
	fs := flag.NewFlagSet("connector "+verb, flag.ContinueOnError)
	var pf profileFlags
	pf.register(fs)
	db, asJSON := dbFlags(fs)
	if err := parseNamed(fs, args, &pf.p.Name); err != nil {
		return err
	}
	r, err := openRunner(ctx, *db, false)
	if err != nil {
		return err
	}
	defer r.DB.Close()
	d := r.DB
	p := connector.Profile{Name: pf.p.Name, Delta: true}
	if verb == "create" {
		if _, err := d.GetConnector(ctx, p.Name); err == nil {
			return fmt.Errorf("connector %q already exists (use connector update)", p.Name)
		}
	} else if p, _, err = r.Load(ctx, p.Name); err != nil {
		return err
	}
	pf.apply(fs, &p)
	what, err := saveProfile(ctx, d, r.Keyring, p)
	if err != nil {
		return err
	}
	return printResult(*asJSON, map[string]string{"connector": p.Name, "result": what}, fmt.Sprintf("connector %s %s", p.Name, what))
}

// profileView is what show and list print: secrets only described.
type profileView struct {
	Name          string      `json:"name"`
	Description   string      `json:"description,omitempty"`
	URL           string      `json:"url"`
	Auth          string      `json:"auth"`
	Username      string      `json:"username,omitempty"`
	Password      string      `json:"password,omitempty"`
	ClientID      string      `json:"clientId,omitempty"`
	ClientSecret  string      `json:"clientSecret,omitempty"`
	PageSize      int         `json:"pageSize"`
	Parallel      int         `json:"parallel"`
	MaxRetries    int         `json:"maxRetries"`
	Tags          []string    `json:"tags,omitempty"`
	OSCategory2   []string    `json:"osCategory2,omitempty"`
	IncludeFields []string    `json:"includeFields,omitempty"`
	ExcludeFields []string    `json:"excludeFields,omitempty"`
	Schedule      string      `json:"schedule"`
	NextRun       *time.Time  `json:"nextRun,omitempty"`
	Delta         bool        `json:"delta"`
	FullSyncEvery string      `json:"fullSyncEvery"`
	State         string      `json:"state"`
	StateNote     string      `json:"stateNote,omitempty"`
	Runs          []store.Run `json:"runs,omitempty"`
}

func viewOf(row store.ConnectorRow) (profileView, error) {
	var p connector.Profile
	if err := json.Unmarshal(row.Doc, &p); err != nil {
		return profileView{}, fmt.Errorf("connector %q: unreadable profile: %w", row.Name, err)
	}
	v := profileView{
		Name: p.Name, Description: p.Description, URL: p.URL, Auth: p.Auth, Username: p.Username, ClientID: p.ClientID,
		PageSize: p.PageSize, Parallel: p.Parallel, MaxRetries: p.MaxRetries, Tags: p.Tags, OSCategory2: p.OSCategory2,
		IncludeFields: p.IncludeFields, ExcludeFields: p.ExcludeFields, Schedule: p.Schedule.String(), Delta: p.Delta,
		FullSyncEvery: p.FullSyncEvery.String(), State: row.State, StateNote: row.StateNote,
	}
	if p.Auth == connector.AuthOAuth {
		v.ClientSecret = p.ClientSecret.Describe()
	} else {
		v.Password = p.Password.Describe()
	}
	if next, err := p.Schedule.Next(time.Now()); err == nil && !next.IsZero() {
		v.NextRun = &next
	}
	return v, nil
}

func connectorList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("connector list", flag.ContinueOnError)
	db, asJSON := dbFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	rows, err := d.ListConnectors(ctx)
	if err != nil {
		return err
	}
	views := make([]profileView, 0, len(rows))
	for _, row := range rows {
		v, err := viewOf(row)
		if err != nil {
			return err
		}
		views = append(views, v)
	}
	if *asJSON {
		return writeJSON(os.Stdout, views)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATE\tURL\tSCHEDULE\tDELTA\tFILTERS")
	for _, v := range views {
		filters := strings.Join(append(prefixed("tag:", v.Tags), prefixed("os:", v.OSCategory2)...), ",")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\n", v.Name, v.State, v.URL, v.Schedule, v.Delta, filters)
	}
	return tw.Flush()
}

func prefixed(p string, list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = p + s
	}
	return out
}

func connectorShow(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("connector show", flag.ContinueOnError)
	db, asJSON := dbFlags(fs)
	limit := fs.Int("runs", 5, "last runs to show")
	var name string
	if err := parseNamed(fs, args, &name); err != nil {
		return err
	}
	d, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	row, err := d.GetConnector(ctx, name)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("connector %q does not exist", name)
		}
		return err
	}
	v, err := viewOf(row)
	if err != nil {
		return err
	}
	if v.Runs, err = d.Runs(ctx, name, *limit); err != nil {
		return err
	}
	for i := range v.Runs {
		v.Runs[i].Checkpoint = ""
	}
	if *asJSON {
		return writeJSON(os.Stdout, v)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "name:\t%s\nstate:\t%s %s\nurl:\t%s\nauth:\t%s (%s%s)\n", v.Name, v.State, v.StateNote, v.URL, v.Auth,
		v.Username+v.ClientID, map[bool]string{true: ", password " + v.Password, false: ", client secret " + v.ClientSecret}[v.Auth != connector.AuthOAuth])
	fmt.Fprintf(tw, "page size / parallel / retries:\t%d / %d / %d\n", v.PageSize, v.Parallel, v.MaxRetries)
	fmt.Fprintf(tw, "tags:\t%s\nos category2:\t%s\n", strings.Join(v.Tags, ", "), strings.Join(v.OSCategory2, ", "))
	fmt.Fprintf(tw, "schedule:\t%s\ndelta:\t%v (full reconciliation every %s)\n", v.Schedule, v.Delta, v.FullSyncEvery)
	if v.NextRun != nil {
		fmt.Fprintf(tw, "next run:\t%s\n", v.NextRun.Format(time.RFC3339))
	}
	tw.Flush()
	fmt.Println("\nlast runs:")
	tw = tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tMODE\tSTARTED\tOUTCOME\tASSETS\tADDED\tUPDATED\tRETIRED\tCALLS\tRETRIES\tERROR")
	for _, r := range v.Runs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", r.ID, r.Mode, r.Started.Format(time.RFC3339), r.Outcome,
			r.Stats.Assets, r.Stats.HostsAdded, r.Stats.HostsUpdated, r.Stats.HostsRetired, r.Stats.APICalls, r.Stats.Retries, r.Error)
	}
	return tw.Flush()
}

func connectorDelete(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("connector delete", flag.ContinueOnError)
	db, asJSON := dbFlags(fs)
	var name string
	if err := parseNamed(fs, args, &name); err != nil {
		return err
	}
	d, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.DeleteConnector(ctx, name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("connector %q does not exist", name)
		}
		return err
	}
	return printResult(*asJSON, map[string]string{"connector": name, "result": "deleted"}, "connector "+name+" deleted (its hosts and runs are kept)")
}

func connectorRun(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("connector run", flag.ContinueOnError)
	db, asJSON := dbFlags(fs)
	full := fs.Bool("full", false, "force a full sync instead of a delta")
	verbose := fs.Bool("verbose", false, "log every request")
	progressMode := fs.String("progress", "auto", "progress display: auto, bar, log or none")
	var name string
	if err := parseNamed(fs, args, &name); err != nil {
		return err
	}
	r, err := openRunner(ctx, *db, *verbose)
	if err != nil {
		return err
	}
	defer r.DB.Close()
	prog := newProgress(os.Stderr, *progressMode)
	if *asJSON {
		prog = newProgress(os.Stderr, "none")
	}
	r.Progress = prog.update
	out, err := r.RunConnector(ctx, name, service.RunOptions{ForceFull: *full})
	prog.finish()
	if *asJSON {
		res := map[string]any{"connector": name, "sync": runView(out.Sync.Run)}
		if out.Reconcile != nil {
			res["reconcile"] = runView(out.Reconcile.Run)
		}
		if err != nil {
			res["error"] = err.Error()
		}
		if werr := writeJSON(os.Stdout, res); werr != nil {
			return werr
		}
	} else if out.Sync.Run.ID != 0 {
		printSummary(os.Stderr, out.Sync, *db)
		if out.Reconcile != nil {
			printSummary(os.Stderr, *out.Reconcile, *db)
		}
	}
	return err
}

func runView(r store.Run) store.Run {
	r.Checkpoint = ""
	return r
}

func connectorTest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("connector test", flag.ContinueOnError)
	db, asJSON := dbFlags(fs)
	timeout := fs.Duration("timeout", 15*time.Second, "time limit per check")
	var name string
	if err := parseNamed(fs, args, &name); err != nil {
		return err
	}
	r, err := openRunner(ctx, *db, false)
	if err != nil {
		return err
	}
	defer r.DB.Close()
	p, _, err := r.Load(ctx, name)
	if err != nil {
		return err
	}
	cfg, err := p.ClientConfig()
	if err != nil {
		return err
	}
	cfg.MaxRetries, cfg.MaxWait = 1, *timeout
	return printChecks(ctx, os.Stdout, testconn.Options{Config: cfg, Timeout: *timeout}, *asJSON)
}

func cmdApply(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("apply", flag.ContinueOnError)
	file := fs.String("f", "", "connectors YAML file (- for standard input)")
	db, asJSON := dbFlags(fs)
	prune := fs.Bool("prune", false, "delete stored connectors that the file does not name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" {
		return usagef("-f FILE is required")
	}
	var in io.Reader = os.Stdin
	if *file != "-" {
		fh, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer fh.Close()
		in = fh
	}
	profiles, err := connector.ParseFile(in)
	if err != nil {
		return err
	}
	d, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	kr, err := connector.KeyringFromEnv()
	if err != nil {
		return err
	}
	results := map[string]string{}
	named := map[string]bool{}
	for _, p := range profiles {
		named[p.Name] = true
		what, err := saveProfile(ctx, d, kr, p)
		if err != nil {
			return err
		}
		results[p.Name] = what
	}
	if *prune {
		rows, err := d.ListConnectors(ctx)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if !named[row.Name] {
				if err := d.DeleteConnector(ctx, row.Name); err != nil {
					return err
				}
				results[row.Name] = "deleted"
			}
		}
	}
	if *asJSON {
		return writeJSON(os.Stdout, results)
	}
	for _, p := range profiles {
		fmt.Printf("connector %s %s\n", p.Name, results[p.Name])
	}
	for name, what := range results {
		if what == "deleted" {
			fmt.Printf("connector %s deleted\n", name)
		}
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	if err := json.MarshalWrite(w, v, json.Deterministic(true)); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

func printResult(asJSON bool, v any, text string) error {
	if asJSON {
		return writeJSON(os.Stdout, v)
	}
	fmt.Println(text)
	return nil
}
