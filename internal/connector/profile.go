// Package connector owns connector profiles: what seed 001's "Create a
// Profile & Connection" and seed 000's settings hold (gateway, credentials,
// page size, parallelism, retries, filters, fields, schedule, delta and
// reconciliation), their validation, their YAML form for `csamsync apply`,
// the encryption of stored secrets and the connector state machine
// (Registered → Scheduled → Processing → Processed | Errored).
//
// It knows the client's configuration type; it knows nothing of SQL (the
// store keeps profiles as opaque documents) or of the sync engine.
package connector

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/csamsync/csamsync/internal/client"
	"github.com/csamsync/csamsync/internal/csamapi"
)

// States of a connector (seed 001, "Connector States").
const (
	StateRegistered = "Registered"
	StateScheduled  = "Scheduled"
	StateProcessing = "Processing"
	StateProcessed  = "Processed"
	StateErrored    = "Errored"
)

// Authentication mechanisms. ETM's "BASIC" is username/password exchanged
// for a JWT at /auth (csam-api.md §2.4).
const (
	AuthPassword = "password"
	AuthOAuth    = "oauth"
)

// Defaults (seed 000: page size 300, parallel 2, retries 5; seed 001: daily).
const (
	DefaultPageSize     = 300
	DefaultParallel     = 2
	DefaultMaxRetries   = 5
	DefaultDailyAt      = "02:00"
	DefaultTimezone     = "UTC"
	DefaultFullSyncEach = 7 * 24 * time.Hour
)

// Schedule is when a connector runs: daily at a time in a time zone, or a
// cron expression (five fields). Exactly one of Daily and Cron is set.
type Schedule struct {
	Daily    string `json:"daily,omitempty" yaml:"daily,omitempty"` // "HH:MM"
	Timezone string `json:"timezone,omitempty" yaml:"timezone,omitempty"`
	Cron     string `json:"cron,omitempty" yaml:"cron,omitempty"`
	Disabled bool   `json:"disabled,omitempty" yaml:"disabled,omitempty"` // run only by hand
}

// String renders the schedule for people.
func (s Schedule) String() string {
	switch {
	case s.Disabled:
		return "manual"
	case s.Cron != "":
		return "cron " + s.Cron
	default:
		return fmt.Sprintf("daily at %s %s", s.Daily, s.Timezone)
	}
}

// Secret is a password or client secret: either a reference to an
// environment variable (never stored) or a value. In memory Value is clear
// text; in the database only Sealed is written (see Seal).
type Secret struct {
	Env    string `json:"env,omitempty"`
	Value  string `json:"-"`
	Sealed string `json:"sealed,omitempty"` // base64(nonce | AES-256-GCM ciphertext)
}

// IsSet reports whether the secret has a source.
func (s Secret) IsSet() bool { return s.Env != "" || s.Value != "" || s.Sealed != "" }

// Describe says where the secret comes from, never what it is.
func (s Secret) Describe() string {
	switch {
	case s.Env != "":
		return "from $" + s.Env
	case s.Value != "" || s.Sealed != "":
		return "stored encrypted"
	default:
		return "not set"
	}
}

// Resolve returns the clear text: from the environment, or Value (which
// Open filled from Sealed).
func (s Secret) Resolve(what string) (string, error) {
	if s.Env != "" {
		v, ok := os.LookupEnv(s.Env)
		if !ok || v == "" {
			return "", fmt.Errorf("%s: environment variable %s is not set", what, s.Env)
		}
		return v, nil
	}
	if s.Value == "" {
		return "", fmt.Errorf("%s is not set", what)
	}
	return s.Value, nil
}

// Profile is one connector.
type Profile struct {
	Name          string        `json:"name"`
	Description   string        `json:"description,omitempty"`
	URL           string        `json:"url"`
	Auth          string        `json:"auth"`
	Username      string        `json:"username,omitempty"`
	Password      Secret        `json:"password"`
	ClientID      string        `json:"clientId,omitempty"`
	ClientSecret  Secret        `json:"clientSecret"`
	PageSize      int           `json:"pageSize"`
	Parallel      int           `json:"parallel"`
	MaxRetries    int           `json:"maxRetries"`
	Tags          []string      `json:"tags,omitempty"`
	OSCategory2   []string      `json:"osCategory2,omitempty"`
	IncludeFields []string      `json:"includeFields,omitempty"`
	ExcludeFields []string      `json:"excludeFields,omitempty"`
	Schedule      Schedule      `json:"schedule"`
	Delta         bool          `json:"delta"`
	FullSyncEvery time.Duration `json:"-"` // a full reconciliation at least this often
	MaxWait       time.Duration `json:"-"` // longest rate-limit wait before a run stops, resumable
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("invalid connector")

// Normalize fills defaults.
func (p *Profile) Normalize() {
	if p.Auth == "" {
		p.Auth = AuthPassword
	}
	p.Auth = strings.ToLower(p.Auth)
	if p.Auth == "basic" {
		p.Auth = AuthPassword
	}
	if p.PageSize == 0 {
		p.PageSize = DefaultPageSize
	}
	if p.Parallel == 0 {
		p.Parallel = DefaultParallel
	}
	if p.MaxRetries == 0 {
		p.MaxRetries = DefaultMaxRetries
	}
	if p.Schedule.Cron == "" && !p.Schedule.Disabled && p.Schedule.Daily == "" {
		p.Schedule.Daily = DefaultDailyAt
	}
	if p.Schedule.Cron == "" && p.Schedule.Timezone == "" {
		p.Schedule.Timezone = DefaultTimezone
	}
	if p.FullSyncEvery == 0 {
		p.FullSyncEvery = DefaultFullSyncEach
	}
	p.URL = strings.TrimRight(strings.TrimSpace(p.URL), "/")
}

// Validate checks the profile; filters are validated as the client will
// send them, so a bad profile is refused before any run.
func (p *Profile) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w %q: %s", ErrInvalid, p.Name, fmt.Sprintf(format, a...))
	}
	if !nameRE.MatchString(p.Name) {
		return fmt.Errorf("%w: name %q must be 1-64 letters, digits, '.', '_' or '-'", ErrInvalid, p.Name)
	}
	u, err := url.Parse(p.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return bad("url %q must be the https gateway URL, e.g. https://gateway.qg1.apps.qualys.com", p.URL)
	}
	if u.User != nil || u.RawQuery != "" {
		return bad("url must not carry credentials or a query string")
	}
	switch p.Auth {
	case AuthPassword:
		if p.Username == "" || !p.Password.IsSet() {
			return bad("password authentication needs a username and a password (or password_env)")
		}
	case AuthOAuth:
		if p.ClientID == "" || !p.ClientSecret.IsSet() {
			return bad("oauth authentication needs client_id and client_secret (or client_secret_env)")
		}
	default:
		return bad("auth %q must be password or oauth", p.Auth)
	}
	if p.PageSize < 1 || p.PageSize > csamapi.MaxPageSize {
		return bad("page size %d must be between 1 and %d", p.PageSize, csamapi.MaxPageSize)
	}
	if p.Parallel < 1 || p.Parallel > 16 {
		return bad("parallel %d must be between 1 and 16", p.Parallel)
	}
	if p.MaxRetries < 0 || p.MaxRetries > 20 {
		return bad("max retries %d must be between 0 and 20", p.MaxRetries)
	}
	for _, list := range [][]string{p.Tags, p.OSCategory2} {
		for _, v := range list {
			if strings.Contains(v, ",") {
				return bad("filter value %q contains a comma", v)
			}
		}
	}
	if len(p.IncludeFields) > 0 && len(p.ExcludeFields) > 0 {
		return bad("set include fields or exclude fields, not both")
	}
	if p.FullSyncEvery < time.Hour {
		return bad("full sync interval %s is shorter than an hour", p.FullSyncEvery)
	}
	if _, err := p.Schedule.Next(time.Now()); err != nil {
		return bad("%v", err)
	}
	if _, err := p.Query(); err != nil {
		return bad("%v", err)
	}
	return nil
}

// Query is the asset query the profile's runs send.
func (p *Profile) Query() (client.AssetQuery, error) {
	q := client.AssetQuery{
		PageSize:      p.PageSize,
		Tags:          slices.Clone(p.Tags),
		OSCategory2:   slices.Clone(p.OSCategory2),
		IncludeFields: slices.Clone(p.IncludeFields),
		ExcludeFields: slices.Clone(p.ExcludeFields),
	}
	b := csamapi.NewFilter()
	if len(q.Tags) > 0 {
		b.In(csamapi.FieldTagName, q.Tags...)
	}
	if len(q.OSCategory2) > 0 {
		b.In(csamapi.FieldOSCategory2, q.OSCategory2...)
	}
	if _, err := b.Build(); err != nil {
		return client.AssetQuery{}, err
	}
	return q, nil
}

// ClientConfig resolves the secrets and returns the client configuration.
func (p *Profile) ClientConfig() (client.Config, error) {
	cfg := client.Config{
		BaseURL:    p.URL,
		Auth:       client.AuthMode(p.Auth),
		Username:   p.Username,
		ClientID:   p.ClientID,
		Parallel:   p.Parallel,
		MaxRetries: p.MaxRetries,
		MaxWait:    p.MaxWait,
	}
	var err error
	switch p.Auth {
	case AuthOAuth:
		cfg.ClientSecret, err = p.ClientSecret.Resolve("client secret of connector " + p.Name)
	default:
		cfg.Password, err = p.Password.Resolve("password of connector " + p.Name)
	}
	return cfg, err
}

// Equal compares two profiles by what they configure: secrets by their
// source and clear text, not by their sealed form (sealing is randomised).
func (p Profile) Equal(q Profile) bool {
	norm := func(x Profile) Profile {
		x.Password.Sealed, x.ClientSecret.Sealed = "", ""
		for _, l := range []*[]string{&x.Tags, &x.OSCategory2, &x.IncludeFields, &x.ExcludeFields} {
			if len(*l) == 0 {
				*l = nil
			}
		}
		return x
	}
	return reflect.DeepEqual(norm(p), norm(q))
}

// profileFields is Profile without its JSON methods.
type profileFields Profile

// profileJSON is the stored form: durations as Go duration strings ("168h0m0s").
type profileJSON struct {
	profileFields `json:",inline"`
	FullSyncEvery string `json:"fullSyncEvery"`
	MaxWait       string `json:"maxWait,omitempty"`
}

// MarshalJSONTo writes the profile with readable durations.
func (p Profile) MarshalJSONTo(enc *jsontext.Encoder) error {
	out := profileJSON{profileFields: profileFields(p), FullSyncEvery: p.FullSyncEvery.String()}
	if p.MaxWait != 0 {
		out.MaxWait = p.MaxWait.String()
	}
	return json.MarshalEncode(enc, out)
}

// UnmarshalJSONFrom reads the stored form.
func (p *Profile) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var in profileJSON
	if err := json.UnmarshalDecode(dec, &in); err != nil {
		return err
	}
	*p = Profile(in.profileFields)
	var err error
	if in.FullSyncEvery != "" {
		if p.FullSyncEvery, err = time.ParseDuration(in.FullSyncEvery); err != nil {
			return fmt.Errorf("fullSyncEvery: %w", err)
		}
	}
	if in.MaxWait != "" {
		if p.MaxWait, err = time.ParseDuration(in.MaxWait); err != nil {
			return fmt.Errorf("maxWait: %w", err)
		}
	}
	return nil
}
