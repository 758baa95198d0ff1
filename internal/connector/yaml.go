package connector

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// File is the declarative form read by `csamsync apply -f connectors.yaml`:
//
//	connectors:
//	  - name: prod
//	    url: https://gateway.qg1.apps.qualys.com
//	    username: svc-csam
//	    password_env: QUALYS_PASSWORD   # or password: … (stored encrypted)
//	    tags: [Production, Internet Facing Assets]
//	    os_category2: Windows Server,Linux Server
//	    schedule: {daily: "02:00", timezone: Europe/Paris}
//	    delta: true
//	    full_sync_every: 168h
type File struct {
	Connectors []fileProfile `yaml:"connectors"`
}

// list accepts a YAML sequence or a comma-separated string.
type list []string

func (l *list) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		var out []string
		for _, p := range strings.Split(n.Value, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		*l = out
		return nil
	case yaml.SequenceNode:
		var out []string
		if err := n.Decode(&out); err != nil {
			return err
		}
		*l = out
		return nil
	}
	return fmt.Errorf("line %d: want a list or a comma-separated string", n.Line)
}

type fileProfile struct {
	Name            string   `yaml:"name"`
	Description     string   `yaml:"description"`
	URL             string   `yaml:"url"`
	Auth            string   `yaml:"auth"`
	Username        string   `yaml:"username"`
	Password        string   `yaml:"password"`
	PasswordEnv     string   `yaml:"password_env"`
	ClientID        string   `yaml:"client_id"`
	ClientSecret    string   `yaml:"client_secret"`
	ClientSecretEnv string   `yaml:"client_secret_env"`
	PageSize        int      `yaml:"page_size"`
	Parallel        int      `yaml:"parallel"`
	MaxRetries      int      `yaml:"max_retries"`
	Tags            list     `yaml:"tags"`
	OSCategory2     list     `yaml:"os_category2"`
	IncludeFields   list     `yaml:"include_fields"`
	ExcludeFields   list     `yaml:"exclude_fields"`
	Schedule        Schedule `yaml:"schedule"`
	Delta           *bool    `yaml:"delta"`
	FullSyncEvery   string   `yaml:"full_sync_every"`
	MaxWait         string   `yaml:"max_wait"`
}

// ParseFile reads a connectors file. Unknown keys are errors (a typo in a
// key must not silently drop a filter). Profiles come back normalised and
// validated.
func ParseFile(r io.Reader) ([]Profile, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("connectors file is empty")
		}
		return nil, fmt.Errorf("connectors file: %w", err)
	}
	seen := map[string]bool{}
	out := make([]Profile, 0, len(f.Connectors))
	for i, fp := range f.Connectors {
		p, err := fp.profile()
		if err != nil {
			return nil, fmt.Errorf("connectors[%d] (%s): %w", i, fp.Name, err)
		}
		if seen[p.Name] {
			return nil, fmt.Errorf("connectors[%d]: name %q appears twice", i, p.Name)
		}
		seen[p.Name] = true
		out = append(out, p)
	}
	return out, nil
}

func (fp fileProfile) profile() (Profile, error) {
	if fp.Password != "" && fp.PasswordEnv != "" {
		return Profile{}, fmt.Errorf("set password or password_env, not both")
	}
	if fp.ClientSecret != "" && fp.ClientSecretEnv != "" {
		return Profile{}, fmt.Errorf("set client_secret or client_secret_env, not both")
	}
	p := Profile{
		Name: fp.Name, Description: fp.Description, URL: fp.URL, Auth: fp.Auth, Username: fp.Username,
		Password:     Secret{Env: fp.PasswordEnv, Value: fp.Password},
		ClientID:     fp.ClientID,
		ClientSecret: Secret{Env: fp.ClientSecretEnv, Value: fp.ClientSecret},
		PageSize:     fp.PageSize, Parallel: fp.Parallel, MaxRetries: fp.MaxRetries,
		Tags: fp.Tags, OSCategory2: fp.OSCategory2, IncludeFields: fp.IncludeFields, ExcludeFields: fp.ExcludeFields,
		Schedule: fp.Schedule, Delta: fp.Delta == nil || *fp.Delta,
	}
	var err error
	if fp.FullSyncEvery != "" {
		if p.FullSyncEvery, err = time.ParseDuration(fp.FullSyncEvery); err != nil {
			return Profile{}, fmt.Errorf("full_sync_every: %w", err)
		}
	}
	if fp.MaxWait != "" {
		if p.MaxWait, err = time.ParseDuration(fp.MaxWait); err != nil {
			return Profile{}, fmt.Errorf("max_wait: %w", err)
		}
	}
	p.Normalize()
	return p, p.Validate()
}
