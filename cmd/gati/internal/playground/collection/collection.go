// Package collection reads and writes the playground's saved requests and
// environments: plain YAML files under an app's .gati/playground/, so a
// team commits and reviews them like code.
//
// # Layout
//
//	.gati/playground/<collection>/<request>.yaml   one saved request
//	.gati/playground/environments/<env>.yaml       variables and secret names
//	.gati/playground/.secrets/<env>.yaml           secret values (git-ignored, 0600)
//
// A collection's requests are ordered by file name; prefix names with
// numbers (01-create.yaml) to choose the order.
//
// # Secrets
//
// An environment lists its secrets by name only. Their values come from
// .secrets/<env>.yaml, or from the environment variable named by [EnvVar]
// (GATI_PLAYGROUND_<ENV>_<NAME>), which wins. [SaveEnvironment] refuses to
// write a secret's value into the committed file.
package collection

import (
	"strings"
)

// Dir is where an app's playground files live, relative to the app.
const Dir = ".gati/playground"

// EnvironmentsDir and SecretsDir are the reserved folders under [Dir]:
// they are not collections.
const (
	EnvironmentsDir = "environments"
	SecretsDir      = ".secrets"
)

// Set is everything under an app's .gati/playground/.
type Set struct {
	Collections  []*Collection  // sorted by name
	Environments []*Environment // sorted by name
}

// Collection is a folder of saved requests.
type Collection struct {
	Name     string     `json:"name"`
	Requests []*Request `json:"requests"` // sorted by file name
}

// Request is one saved request: a file <collection>/<Slug>.yaml. The
// JSON form is what the playground UI reads and writes.
type Request struct {
	Name    string            `yaml:"name" json:"name"`
	Method  string            `yaml:"method" json:"method"`
	URL     string            `yaml:"url" json:"url"`
	Version string            `yaml:"version,omitempty" json:"version,omitempty"` // sent as X-API-Version
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	Query   map[string]string `yaml:"query,omitempty" json:"query,omitempty"`
	Body    string            `yaml:"body,omitempty" json:"body,omitempty"`
	Auth    *Auth             `yaml:"auth,omitempty" json:"auth,omitempty"`
	Expect  *Expect           `yaml:"expect,omitempty" json:"expect,omitempty"`
	Scripts *Scripts          `yaml:"scripts,omitempty" json:"scripts,omitempty"`

	// Collection and Slug place the request: <Collection>/<Slug>.yaml.
	Collection string `yaml:"-" json:"collection"`
	Slug       string `yaml:"-" json:"slug"`
}

// Auth is how the playground authenticates a request. Its values may hold
// {{variables}}; the credentials (Token, Password, Value of an API key,
// ClientSecret) must be nothing but a reference to one, {{token}}, so
// that their values stay in the environment's secrets.
type Auth struct {
	Type string `yaml:"type" json:"type"` // bearer, basic, apikey or oauth2

	Token string `yaml:"token,omitempty" json:"token,omitempty"` // bearer

	Username string `yaml:"username,omitempty" json:"username,omitempty"` // basic
	Password string `yaml:"password,omitempty" json:"password,omitempty"`

	Name  string `yaml:"name,omitempty" json:"name,omitempty"` // apikey
	Value string `yaml:"value,omitempty" json:"value,omitempty"`
	In    string `yaml:"in,omitempty" json:"in,omitempty"` // header (default) or query

	// oauth2: Grant is client_credentials or authorization_code (with PKCE).
	// Issuer, when set, is where the playground discovers the endpoints
	// (/.well-known/openid-configuration); ClientAuth is how the client
	// authenticates at the token endpoint: basic (default) or post.
	Grant        string `yaml:"grant,omitempty" json:"grant,omitempty"`
	Issuer       string `yaml:"issuer,omitempty" json:"issuer,omitempty"`
	TokenURL     string `yaml:"token_url,omitempty" json:"tokenUrl,omitempty"`
	AuthURL      string `yaml:"auth_url,omitempty" json:"authUrl,omitempty"`
	ClientID     string `yaml:"client_id,omitempty" json:"clientId,omitempty"`
	ClientSecret string `yaml:"client_secret,omitempty" json:"clientSecret,omitempty"`
	ClientAuth   string `yaml:"client_auth,omitempty" json:"clientAuth,omitempty"`
	Scope        string `yaml:"scope,omitempty" json:"scope,omitempty"`
	Audience     string `yaml:"audience,omitempty" json:"audience,omitempty"`
}

// Expect holds declarative assertions on the response; exports turn them
// into test assertions.
type Expect struct {
	Status int `yaml:"status,omitempty" json:"status,omitempty"`
	// JSON maps a JSON pointer (RFC 6901) into the response body to the
	// value expected there, any JSON value.
	JSON map[string]any `yaml:"json,omitempty" json:"json,omitempty"`
	// Headers match when the response's value equals the expected one, or
	// starts with it followed by ";" (so application/json matches
	// application/json; charset=utf-8).
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
}

// Scripts run in the playground's sandbox, never in exports.
type Scripts struct {
	Pre  string `yaml:"pre,omitempty" json:"pre,omitempty"`
	Post string `yaml:"post,omitempty" json:"post,omitempty"`
}

// Environment is a file environments/<Name>.yaml.
type Environment struct {
	Variables map[string]string `yaml:"variables,omitempty" json:"variables"`
	Secrets   []string          `yaml:"secrets,omitempty" json:"secrets"` // names only

	Name string `yaml:"-" json:"name"`
}

// File is the request's path relative to the app directory.
func (r *Request) File() string {
	return Dir + "/" + r.Collection + "/" + r.Slug + ".yaml"
}

// File is the environment's path relative to the app directory.
func (e *Environment) File() string {
	return Dir + "/" + EnvironmentsDir + "/" + e.Name + ".yaml"
}

// IsSecret reports whether name is one of the environment's secrets.
func (e *Environment) IsSecret(name string) bool {
	for _, s := range e.Secrets {
		if s == name {
			return true
		}
	}
	return false
}

// Collection returns the collection named name, or nil.
func (s *Set) Collection(name string) *Collection {
	for _, c := range s.Collections {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Environment returns the environment named name, or nil.
func (s *Set) Environment(name string) *Environment {
	for _, e := range s.Environments {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// EnvVar is the environment variable that holds secret name of
// environment env: GATI_PLAYGROUND_<ENV>_<NAME>, upper-cased, with every
// character other than a letter or digit replaced by "_".
func EnvVar(env, name string) string {
	return "GATI_PLAYGROUND_" + envPart(env) + "_" + envPart(name)
}

func envPart(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, s)
}
