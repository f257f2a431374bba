package gati

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ConfigFile is the name of the app's configuration file, at its root.
const ConfigFile = "gati.yaml"

// Config is the app's configuration, read from gati.yaml. Its zero value
// means defaults throughout. The environment (GATI_ENV, default
// "production") selects an entry of environments whose settings are
// merged over the base; $PORT overrides server.port and $GATI_HOST
// server.host.
type Config struct {
	// Name of the app, used in logs and metrics.
	Name     string         `yaml:"name"`
	Server   ServerConfig   `yaml:"server"`
	Log      LogConfig      `yaml:"log"`
	Versions VersionsConfig `yaml:"versions"`
	// Playground configures the playground the app serves at /_playground/.
	Playground PlaygroundConfig `yaml:"playground"`
	// Modules holds one section per module, read with
	// ModuleContext.DecodeConfig.
	Modules map[string]yaml.Node `yaml:"modules"`
	// Environments holds overrides of the settings above, by environment.
	Environments map[string]yaml.Node `yaml:"environments"`
	// Deploy holds the deployment settings `gati deploy` reads (image,
	// replicas, autoscaling, ...; see docs/deployment-architecture.md).
	// The app itself does not use them, and gati deploy checks them.
	Deploy yaml.Node `yaml:"deploy"`

	env     string
	file    string
	missing bool // file does not exist: defaults throughout
	portSet bool // $PORT was set, so port 0 means "any free port"
}

// ServerConfig configures the HTTP server. A zero duration means the
// default; a negative one turns that timeout off (for apps behind a proxy
// that enforces its own).
type ServerConfig struct {
	Host      string   `yaml:"host"`
	Port      int      `yaml:"port"`
	BodyLimit ByteSize `yaml:"body_limit"`
	// RequestTimeout is how long a handler has to start its answer
	// (default 30s): the request context's deadline, and when it passes
	// the client gets a 503 problem even if the handler ignores its
	// context. Streams are exempt. Routes override it with Timeout.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// ReadHeaderTimeout bounds reading a request's headers (default 10s).
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	// ReadTimeout bounds reading a request's body, from the start of the
	// request (default 30s); a slower sender gets a 408 and loses the
	// connection. Routes override it with ReadTimeout.
	ReadTimeout time.Duration `yaml:"read_timeout"`
	// WriteTimeout bounds writing the response once the request timeout
	// has passed (default 30s): the connection's write deadline is the
	// request's start plus request_timeout plus write_timeout, and a
	// client that reads slower loses the connection. A stream must finish
	// each write within it. Routes override it with WriteTimeout.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// IdleTimeout closes keep-alive connections idle for longer
	// (default 120s).
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// DrainDelay is how long the app keeps serving after readiness turns
	// false on shutdown, so load balancers stop sending traffic first:
	// 5s by default when running in Kubernetes, else none, so Ctrl-C in
	// development exits at once.
	DrainDelay time.Duration `yaml:"drain_delay"`
	// ShutdownTimeout bounds the wait for in-flight requests.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// RequestIDHeader says which responses carry X-Request-Id: "errors"
	// (the default) on error responses (status 400 and up) and whenever
	// the client sent a valid X-Request-Id of its own, echoed back;
	// "always" on every response. The id is in the logs and in problem
	// documents either way.
	RequestIDHeader RequestIDMode `yaml:"request_id_header"`
}

// RequestIDMode is the value of server.request_id_header: which responses
// carry the X-Request-Id header.
type RequestIDMode string

// The values of server.request_id_header; empty means RequestIDOnErrors.
const (
	// RequestIDOnErrors sends X-Request-Id on error responses and echoes
	// the client's own: a client that wants the id of every call sends
	// one, and knows it even when no response arrives.
	RequestIDOnErrors RequestIDMode = "errors"
	// RequestIDAlways sends X-Request-Id on every response.
	RequestIDAlways RequestIDMode = "always"
)

func (m RequestIDMode) check() error {
	switch m {
	case "", RequestIDOnErrors, RequestIDAlways:
		return nil
	}
	return fmt.Errorf("gati: server.request_id_header %q: use errors or always", string(m))
}

// UnmarshalYAML accepts the known values only.
func (m *RequestIDMode) UnmarshalYAML(n *yaml.Node) error {
	v := RequestIDMode(n.Value)
	if err := v.check(); err != nil || n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: server.request_id_header %q: use errors or always", n.Line, n.Value)
	}
	*m = v
	return nil
}

// LogConfig configures logging.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json; default text in development
	// Access logs one line per request; default on in development only.
	Access *bool `yaml:"access"`
}

// VersionsConfig configures API versioning (see App.Versions).
type VersionsConfig struct {
	// Default is the version clients that send no X-API-Version get, in
	// any form the header accepts ("2025-01-01", "1", "stable"); empty
	// means the version set's default (the newest, unless rolled back
	// with gati version rollback). $GATI_API_VERSION_DEFAULT overrides it,
	// so operators can roll the default back with a restart, no rebuild.
	Default string `yaml:"default"`
}

// PlaygroundConfig configures the playground: a route explorer and
// request builder the app serves at /_playground/ (see
// docs/playground-guide.md).
type PlaygroundConfig struct {
	// Enabled mounts the playground; default on in the development
	// environment only. Outside development it needs a token.
	Enabled *bool `yaml:"enabled"`
	// Token guards the playground: every request needs it, as
	// "Authorization: Bearer <token>" or as the password of HTTP Basic
	// authentication. $GATI_PLAYGROUND_TOKEN overrides it; keep it out of
	// gati.yaml. In development no token is needed.
	Token string `yaml:"token"`
}

// ByteSize is a number of bytes, written in gati.yaml as an integer or
// with a unit: "512KiB", "1MiB", "10MB".
type ByteSize int64

// UnmarshalYAML parses a size with an optional unit.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	s := strings.TrimSpace(n.Value)
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not a size: use bytes or a unit such as 512KiB, 1MiB", n.Line, n.Value)
	}
	if v > math.MaxInt64/mult {
		return fmt.Errorf("line %d: %q is too large a size", n.Line, n.Value)
	}
	*b = ByteSize(v * mult)
	return nil
}

// source says where the config came from, for the startup log.
func (c *Config) source() string {
	switch {
	case c.file == "":
		return "(given in code)"
	case c.missing:
		return c.file + " (not found: defaults)"
	}
	return c.file
}

// Env returns the environment the config was loaded for.
func (c *Config) Env() string { return c.env }

// Dev reports whether the app runs in the development environment, where
// errors show details and stacks and logs are human-readable.
func (c *Config) Dev() bool { return c.env == "development" }

// LoadConfig reads path (a missing file means all defaults) for the
// environment env, merging environments.<env> over the base and applying
// $PORT. Unknown fields are errors that name the file and line.
func LoadConfig(path, env string) (*Config, error) {
	data, err := os.ReadFile(path)
	missing := errors.Is(err, fs.ErrNotExist)
	if missing {
		data, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("gati: reading config: %w", err)
	}
	cfg, err := parseConfig(data, env)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cfg.file, cfg.missing = path, missing
	return cfg, cfg.applyEnvVars()
}

// ValidateConfig checks the config file at path for the base settings and
// for every environment it defines, ignoring environment variables: what
// `gati build` runs before a deploy. A missing file is valid.
func ValidateConfig(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("gati: reading config: %w", err)
	}
	base, err := parseConfig(data, "")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var errs []error
	for _, env := range slices.Sorted(maps.Keys(base.Environments)) {
		if _, err := parseConfig(data, env); err != nil {
			errs = append(errs, fmt.Errorf("%s: environment %s: %w", path, env, err))
		}
	}
	return errors.Join(errs...)
}

func parseConfig(data []byte, env string) (*Config, error) {
	cfg := &Config{env: env}
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, cleanYAMLError(err)
	}
	if err := strictDecode(&root, cfg); err != nil {
		return nil, err
	}
	if over, ok := cfg.Environments[env]; ok {
		merged := mergeNodes(root.Content[0], &over)
		if err := strictDecode(merged, cfg); err != nil {
			return nil, fmt.Errorf("environments.%s: %w", env, err)
		}
	}
	cfg.env = env
	return cfg, nil
}

// strictDecode decodes n into v, rejecting fields v does not have. Errors
// carry the line in the original file: nodes keep their positions.
func strictDecode(n *yaml.Node, v any) error {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if err := checkKnownFields(n, reflect.TypeOf(v)); err != nil {
		return err
	}
	if err := n.Decode(v); err != nil {
		return cleanYAMLError(err)
	}
	return nil
}

var (
	yamlUnmarshaler = reflect.TypeFor[yaml.Unmarshaler]()
	yamlNodeType    = reflect.TypeFor[yaml.Node]()
)

// checkKnownFields walks n beside the Go type t and reports the first key
// that t has no field for, with its line.
func checkKnownFields(n *yaml.Node, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == yamlNodeType || reflect.PointerTo(t).Implements(yamlUnmarshaler) {
		return nil
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		return checkStructFields(n, t)
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			if err := checkKnownFields(n.Content[i], t.Elem()); err != nil {
				return err
			}
		}
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && n.Kind == yaml.SequenceNode:
		for _, c := range n.Content {
			if err := checkKnownFields(c, t.Elem()); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkStructFields(n *yaml.Node, t reflect.Type) error {
	fields := yamlFields(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i]
		ft, ok := fields[key.Value]
		if !ok {
			return fmt.Errorf("line %d: field %s not found in %s", key.Line, key.Value, yamlTypeName(t))
		}
		if err := checkKnownFields(n.Content[i+1], ft); err != nil {
			return err
		}
	}
	return nil
}

// yamlFields maps the YAML keys of struct t to field types, following
// yaml.v3's rules: the tag name, else the lowercased field name; inline
// structs contribute their fields.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") && f.Type.Kind() == reflect.Struct {
			maps.Copy(out, yamlFields(f.Type))
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func yamlTypeName(t reflect.Type) string {
	if t.Name() != "" {
		return t.String()
	}
	return "the section"
}

// mergeNodes returns base with over merged in: mappings merge key by key,
// anything else in over replaces what base had.
func mergeNodes(base, over *yaml.Node) *yaml.Node {
	if base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode {
		return over
	}
	out := *base
	out.Content = append([]*yaml.Node(nil), base.Content...)
	for i := 0; i+1 < len(over.Content); i += 2 {
		key, val := over.Content[i], over.Content[i+1]
		j := mappingIndex(&out, key.Value)
		if j < 0 {
			out.Content = append(out.Content, key, val)
			continue
		}
		out.Content[j+1] = mergeNodes(out.Content[j+1], val)
	}
	return &out
}

func mappingIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

func cleanYAMLError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	return errors.New(strings.ReplaceAll(msg, "\n  ", "; "))
}

// applyEnvVars applies $PORT, the container platforms' convention, and
// $GATI_HOST, the interface to listen on.
func (c *Config) applyEnvVars() error {
	if h := os.Getenv("GATI_HOST"); h != "" {
		c.Server.Host = h
	}
	if v := os.Getenv("GATI_PLAYGROUND_TOKEN"); v != "" {
		c.Playground.Token = v
	}
	if v := os.Getenv("GATI_API_VERSION_DEFAULT"); v != "" {
		c.Versions.Default = v
	}
	p := os.Getenv("PORT")
	if p == "" {
		return nil
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return fmt.Errorf("gati: $PORT=%q is not a port number (0-65535)", p)
	}
	c.Server.Port, c.portSet = port, true
	return nil
}

// decodeModule decodes modules.<name> into v, rejecting unknown fields.
func (c *Config) decodeModule(name string, v any) error {
	n, ok := c.Modules[name]
	if !ok {
		return nil
	}
	if err := strictDecode(&n, v); err != nil {
		return fmt.Errorf("%s: modules.%s: %w", c.file, name, err)
	}
	return nil
}

// withDefaults fills unset settings.
func (c *Config) withDefaults() {
	s := &c.Server
	if s.Port == 0 && !c.portSet {
		s.Port = 8080
	}
	if s.BodyLimit == 0 {
		s.BodyLimit = DefaultBodyLimit
	}
	if s.RequestTimeout == 0 {
		s.RequestTimeout = 30 * time.Second
	}
	if s.ReadHeaderTimeout == 0 {
		s.ReadHeaderTimeout = 10 * time.Second
	}
	if s.ReadTimeout == 0 {
		s.ReadTimeout = 30 * time.Second
	}
	if s.WriteTimeout == 0 {
		s.WriteTimeout = 30 * time.Second
	}
	if s.DrainDelay == 0 && os.Getenv("KUBERNETES_SERVICE_HOST") != "" {
		s.DrainDelay = 5 * time.Second
	}
	if s.IdleTimeout == 0 {
		s.IdleTimeout = 120 * time.Second
	}
	if s.ShutdownTimeout == 0 {
		s.ShutdownTimeout = 15 * time.Second
	}
	if c.Log.Access == nil {
		dev := c.Dev()
		c.Log.Access = &dev
	}
	if c.Playground.Enabled == nil {
		dev := c.Dev()
		c.Playground.Enabled = &dev
	}
}
