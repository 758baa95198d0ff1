package connector

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
)

func validProfile() Profile {
	p := Profile{Name: "prod", URL: "https://gateway.qg1.apps.qualys.com/", Username: "svc", Password: Secret{Env: "QUALYS_PASSWORD"}, Delta: true}
	p.Normalize()
	return p
}

func TestNormalizeDefaults(t *testing.T) {
	p := validProfile()
	if p.PageSize != 300 || p.Parallel != 2 || p.MaxRetries != 5 || p.Auth != AuthPassword {
		t.Fatalf("defaults: %+v", p)
	}
	if p.Schedule.Daily != DefaultDailyAt || p.Schedule.Timezone != "UTC" || p.FullSyncEvery != DefaultFullSyncEach {
		t.Fatalf("schedule defaults: %+v %v", p.Schedule, p.FullSyncEvery)
	}
	if p.URL != "https://gateway.qg1.apps.qualys.com" {
		t.Fatalf("url not trimmed: %q", p.URL)
	}
	b := Profile{Auth: "BASIC"}
	b.Normalize()
	if b.Auth != AuthPassword {
		t.Fatalf("BASIC should mean password, got %q", b.Auth)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Profile)
		want   string // substring of the error; "" = valid
	}{
		{"valid", func(*Profile) {}, ""},
		{"bad name", func(p *Profile) { p.Name = "has space" }, "name"},
		{"no url", func(p *Profile) { p.URL = "" }, "url"},
		{"credentials in url", func(p *Profile) { p.URL = "https://u:p@gw.example" }, "credentials"},
		{"no password", func(p *Profile) { p.Password = Secret{} }, "password"},
		{"oauth without secret", func(p *Profile) { p.Auth = AuthOAuth; p.ClientID = "id" }, "client_secret"},
		{"page size 301", func(p *Profile) { p.PageSize = 301 }, "page size"},
		{"parallel 0 after normalize", func(p *Profile) { p.Parallel = -1 }, "parallel"},
		{"comma in tag", func(p *Profile) { p.Tags = []string{"a,b"} }, "comma"},
		{"include and exclude", func(p *Profile) { p.IncludeFields = []string{"a"}; p.ExcludeFields = []string{"b"} }, "not both"},
		{"bad cron", func(p *Profile) { p.Schedule = Schedule{Cron: "every day"} }, "cron"},
		{"bad tz", func(p *Profile) { p.Schedule.Timezone = "Mars/Olympus" }, "time zone"},
		{"bad daily", func(p *Profile) { p.Schedule.Daily = "25:00" }, "HH:MM"},
		{"short full sync", func(p *Profile) { p.FullSyncEvery = time.Minute }, "full sync"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validProfile()
			tt.mutate(&p)
			err := p.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("want an ErrInvalid error containing %q, got %v", tt.want, err)
			}
		})
	}
}

func TestSecretsSealAndOpen(t *testing.T) {
	kr, err := NewKeyring("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=") // 32 bytes
	if err != nil {
		t.Fatal(err)
	}
	p := validProfile()
	p.Password = Secret{Value: "s3cret-pa55"}
	sealed, err := kr.Seal(p)
	if err != nil {
		t.Fatal(err)
	}
	if sealed.Password.Value != "" || sealed.Password.Sealed == "" || strings.Contains(sealed.Password.Sealed, "s3cret") {
		t.Fatalf("not sealed: %+v", sealed.Password)
	}
	opened, err := kr.Open(sealed)
	if err != nil || opened.Password.Value != "s3cret-pa55" {
		t.Fatalf("open: %v %+v", err, opened.Password)
	}
	if !opened.Equal(p) {
		t.Fatal("opened profile should equal the original")
	}

	other, _ := NewKeyring(strings.Repeat("ab", 32))
	if _, err := other.Open(sealed); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("wrong key: want ErrWrongKey, got %v", err)
	}
	var none *Keyring
	if _, err := none.Open(sealed); !errors.Is(err, ErrNoKey) {
		t.Fatalf("missing key: want ErrNoKey, got %v", err)
	}
	if _, err := none.Seal(p); !errors.Is(err, ErrNoKey) {
		t.Fatalf("sealing without a key: want ErrNoKey, got %v", err)
	}
	// A sealed secret is bound to its connector's name.
	moved := sealed
	moved.Name = "other"
	if _, err := kr.Open(moved); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("moved secret: want ErrWrongKey, got %v", err)
	}
	// Env references are never sealed and need no key.
	envOnly := validProfile()
	if s, err := none.Seal(envOnly); err != nil || s.Password.Env != "QUALYS_PASSWORD" || s.Password.Sealed != "" {
		t.Fatalf("env secret: %v %+v", err, s.Password)
	}
	if _, err := NewKeyring("short"); err == nil {
		t.Fatal("a short key must be refused")
	}
}

func TestSecretResolveEnv(t *testing.T) {
	t.Setenv("CSAMSYNC_TEST_PW", "from-env")
	if v, err := (Secret{Env: "CSAMSYNC_TEST_PW"}).Resolve("pw"); err != nil || v != "from-env" {
		t.Fatalf("resolve: %q %v", v, err)
	}
	if _, err := (Secret{Env: "CSAMSYNC_TEST_UNSET_VAR"}).Resolve("pw"); err == nil || !strings.Contains(err.Error(), "CSAMSYNC_TEST_UNSET_VAR") {
		t.Fatalf("want an error naming the variable, got %v", err)
	}
	if d := (Secret{Value: "x"}).Describe(); strings.Contains(d, "x") && d != "stored encrypted" {
		t.Fatalf("describe leaks: %q", d)
	}
}

func TestSchedule(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	paris := Schedule{Daily: "02:00", Timezone: "Europe/Paris"}
	next, err := paris.Next(at("2026-11-24T00:30:00Z")) // 01:30 in Paris
	if err != nil || !next.Equal(at("2026-11-24T01:00:00Z")) {
		t.Fatalf("next = %v, %v", next, err)
	}
	next, _ = paris.Next(at("2026-11-24T01:00:00Z"))
	if !next.Equal(at("2026-11-25T01:00:00Z")) {
		t.Fatalf("next after a run time = %v", next)
	}
	cron := Schedule{Cron: "0 */6 * * *", Timezone: "UTC"}
	if next, _ := cron.Next(at("2026-11-24T05:59:00Z")); !next.Equal(at("2026-11-24T06:00:00Z")) {
		t.Fatalf("cron next = %v", next)
	}
	// Missed runs: down for three days, one run owed, not three.
	last := at("2026-11-20T01:00:00Z")
	if due, _ := paris.Due(last, at("2026-11-23T12:00:00Z")); !due {
		t.Fatal("a missed run should be due")
	}
	if due, _ := paris.Due(at("2026-11-23T12:00:00Z"), at("2026-11-23T12:30:00Z")); due {
		t.Fatal("nothing is due before the next time")
	}
	if due, _ := (Schedule{Disabled: true}).Due(time.Time{}, at("2026-11-23T12:00:00Z")); due {
		t.Fatal("a manual connector is never due")
	}
}

func TestParseFile(t *testing.T) {
	in := `
connectors:
  - name: prod
    url: https://gateway.qg1.apps.qualys.com
    username: svc-csam
    password_env: QUALYS_PASSWORD
    tags: [Production, Internet Facing Assets]
    os_category2: Windows Server, Linux Server
    schedule: {daily: "02:00", timezone: Europe/Paris}
    full_sync_every: 72h
  - name: lab
    url: http://127.0.0.1:9080
    auth: oauth
    client_id: abc
    client_secret_env: LAB_SECRET
    delta: false
    schedule: {cron: "*/30 * * * *"}
`
	ps, err := ParseFile(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 {
		t.Fatalf("got %d profiles", len(ps))
	}
	prod, lab := ps[0], ps[1]
	if strings.Join(prod.Tags, "|") != "Production|Internet Facing Assets" || strings.Join(prod.OSCategory2, "|") != "Windows Server|Linux Server" {
		t.Fatalf("lists: %q %q", prod.Tags, prod.OSCategory2)
	}
	if !prod.Delta || prod.FullSyncEvery != 72*time.Hour || prod.Password.Env != "QUALYS_PASSWORD" || prod.PageSize != 300 {
		t.Fatalf("prod: %+v", prod)
	}
	if lab.Delta || lab.Auth != AuthOAuth || lab.Schedule.Cron == "" {
		t.Fatalf("lab: %+v", lab)
	}

	bad := []struct{ name, in, want string }{
		{"unknown key", "connectors:\n  - name: x\n    url: https://g.example\n    username: u\n    password_env: P\n    tagz: [a]\n", "tagz"},
		{"duplicate", "connectors:\n  - {name: x, url: 'https://g.example', username: u, password_env: P}\n  - {name: x, url: 'https://g.example', username: u, password_env: P}\n", "twice"},
		{"both secrets", "connectors:\n  - {name: x, url: 'https://g.example', username: u, password: a, password_env: P}\n", "not both"},
		{"invalid", "connectors:\n  - {name: x, url: 'ftp://g.example', username: u, password_env: P}\n", "url"},
		{"empty", "", "empty"},
	}
	for _, tt := range bad {
		if _, err := ParseFile(strings.NewReader(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: want error containing %q, got %v", tt.name, tt.want, err)
		}
	}
}

func TestProfileJSONRoundTrip(t *testing.T) {
	p := validProfile()
	p.MaxWait = 90 * time.Second
	p.Tags = []string{"Production"}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"fullSyncEvery":"168h0m0s"`) || !strings.Contains(string(b), `"maxWait":"1m30s"`) {
		t.Fatalf("stored form: %s", b)
	}
	var back Profile
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Equal(p) {
		t.Fatalf("round trip: %+v != %+v", back, p)
	}
}
