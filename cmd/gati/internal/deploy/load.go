package deploy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Env is one environment of an app, resolved: its deploy settings with
// the defaults filled in, and where every value came from.
type Env struct {
	// Name is the environment's name (staging).
	Name string
	// App is the app's name: gati.yaml's name, else the directory's.
	App string
	// Dir is the app's directory and File its gati.yaml.
	Dir, File string
	// Settings are the merged deploy settings, defaults applied.
	Settings Settings
	// Config is gati.yaml as written: the pods read it from a ConfigMap,
	// with GATI_ENV naming the environment.
	Config []byte
	// Values lists every setting of the merged config, the app's own
	// (server, log, modules, ...) and the deploy section's defaults,
	// sorted by path, with its origin.
	Values []Value
}

// Value is one setting and where it came from.
type Value struct {
	Path   string // deploy.autoscaling.max
	Value  string
	Origin string // "gati.yaml:12 (environments.staging)", "gati.yaml:4", "default"
}

// ErrUnknownEnv is wrapped by LoadEnv's error for an environment that
// gati.yaml does not define.
var ErrUnknownEnv = errors.New("unknown environment")

// appConfig is an app's gati.yaml, read and parsed once.
type appConfig struct {
	dir, file string
	data      []byte
	root      *yaml.Node // the top-level mapping; empty for an empty file
}

// syntaxError is a gati.yaml that does not parse; the config check
// reports it too.
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return e.msg }

// readConfig reads dir/gati.yaml. A missing file is an error wrapping
// os.ErrNotExist; one that does not parse is a *syntaxError.
func readConfig(dir string) (*appConfig, error) {
	c := &appConfig{dir: dir, file: filepath.Join(dir, "gati.yaml")}
	var err error
	if c.data, err = os.ReadFile(c.file); err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(c.data, &doc); err != nil {
		return nil, &syntaxError{fmt.Sprintf("%s: %s", c.file, strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	c.root = &yaml.Node{Kind: yaml.MappingNode}
	if len(doc.Content) > 0 {
		c.root = doc.Content[0]
	}
	if c.root.Kind != yaml.MappingNode {
		return nil, &syntaxError{fmt.Sprintf("%s:%d: the file must be a mapping of settings", c.file, c.root.Line)}
	}
	return c, nil
}

// environments lists the environments the file defines, in its order.
func (c *appConfig) environments() []string {
	var out []string
	if envs := child(c.root, "environments"); envs != nil {
		for i := 0; i+1 < len(envs.Content); i += 2 {
			out = append(out, envs.Content[i].Value)
		}
	}
	return out
}

// LoadEnv reads dir/gati.yaml and resolves environment env. Unknown keys
// in a deploy section and invalid values are errors naming the file and
// line; an environment gati.yaml does not define is an error listing the
// ones it does.
func LoadEnv(dir, env string) (*Env, error) {
	c, err := readConfig(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: not found: deploying needs a gati.yaml with an environments.%s section", filepath.Join(dir, "gati.yaml"), env)
	}
	if err != nil {
		return nil, err
	}
	return c.env(env)
}

// env resolves environment env.
func (c *appConfig) env(env string) (*Env, error) {
	dir, file, data, root := c.dir, c.file, c.data, c.root
	over := child(child(root, "environments"), env)
	if over == nil {
		list := "none"
		if known := c.environments(); len(known) > 0 {
			list = strings.Join(known, ", ")
		}
		return nil, fmt.Errorf("%w %q: %s defines %s; add environments.%s to it", ErrUnknownEnv, env, file, list, env)
	}
	fromEnv := map[*yaml.Node]bool{}
	walk(over, func(n *yaml.Node) { fromEnv[n] = true })

	merged := merge(withoutEnvironments(root), over)
	e := &Env{Name: env, Dir: dir, File: file, Config: data}
	e.App = scalar(child(merged, "name"))
	if e.App == "" {
		abs, _ := filepath.Abs(dir)
		e.App = filepath.Base(abs)
	}
	e.App = strings.ToLower(e.App)
	if errs := validation.IsDNS1035Label(e.App); len(errs) > 0 {
		return nil, fmt.Errorf("%s: the app's name %q cannot name Kubernetes objects: set name: in gati.yaml to lower-case letters, digits and '-', starting with a letter, at most 63", file, e.App)
	}

	origin := func(n *yaml.Node) string {
		where := fmt.Sprintf("%s:%d", filepath.Base(file), n.Line)
		if fromEnv[n] {
			where += " (environments." + env + ")"
		}
		return where
	}
	section := child(merged, "deploy")
	if section != nil {
		if err := checkFields(section, reflect.TypeFor[Settings](), "deploy"); err != nil {
			return nil, fmt.Errorf("%s:%w", file, err)
		}
		if err := section.Decode(&e.Settings); err != nil {
			return nil, fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  "))
		}
	}
	set := map[string]*yaml.Node{}
	flatten(merged, "", func(path string, n *yaml.Node) {
		if path == "environments" || strings.HasPrefix(path, "environments.") {
			return
		}
		set[path] = n
		e.Values = append(e.Values, Value{Path: path, Value: n.Value, Origin: origin(n)})
	})
	if err := e.Settings.validate(e, func(path string) string {
		if n := set[path]; n != nil {
			return origin(n)
		}
		return "default"
	}); err != nil {
		return nil, fmt.Errorf("%s:%w", file, err)
	}
	e.Settings.applyDefaults(e.App)
	flattenStruct(reflect.ValueOf(e.Settings), "deploy", func(path, value string) {
		if _, ok := set[path]; ok || value == "" {
			return
		}
		e.Values = append(e.Values, Value{Path: path, Value: value, Origin: "default"})
	})
	slices.SortFunc(e.Values, func(a, b Value) int { return strings.Compare(a.Path, b.Path) })
	return e, nil
}

// BaseImage is the base section's deploy.base of dir/gati.yaml, the base
// image gati build --image uses when --base is not given; "" means none.
func BaseImage(dir string) (string, error) {
	c, err := readConfig(dir)
	var syntax *syntaxError
	if errors.Is(err, os.ErrNotExist) || errors.As(err, &syntax) {
		return "", nil // the config check reports syntax errors
	}
	if err != nil {
		return "", err
	}
	return scalar(child(child(c.root, "deploy"), "base")), nil
}

// Check resolves every environment of dir/gati.yaml when the file has a
// deploy section anywhere, so that gati build reports a bad deploy
// setting before gati deploy would; an app that does not deploy with
// gati is not checked.
func Check(dir string) error {
	c, err := readConfig(dir)
	if err != nil || !strings.Contains(string(c.data), "deploy:") {
		return nil // a missing file has nothing to check; the config check reports syntax errors
	}
	var errs []error
	for _, env := range c.environments() {
		if _, err := c.env(env); err != nil {
			errs = append(errs, fmt.Errorf("environment %s: %w", env, err))
		}
	}
	return errors.Join(errs...)
}

// validate checks values yaml cannot: names, quantities, enums, bounds.
// Errors start with the line of the offending value (":12: ...").
func (s *Settings) validate(e *Env, where func(path string) string) error {
	line := func(path string) string {
		w := where(path)
		if _, rest, ok := strings.Cut(w, ":"); ok {
			return rest
		}
		return " " + w
	}
	if s.Namespace != "" {
		if errs := validation.IsDNS1123Label(s.Namespace); len(errs) > 0 {
			return fmt.Errorf("%s: deploy.namespace %q: %s", line("deploy.namespace"), s.Namespace, errs[0])
		}
	}
	if s.Replicas != nil && *s.Replicas < 0 {
		return fmt.Errorf("%s: deploy.replicas %d: must be 0 or more", line("deploy.replicas"), *s.Replicas)
	}
	for _, q := range []struct{ path, v string }{
		{"deploy.resources.requests.cpu", s.Resources.Requests.CPU},
		{"deploy.resources.requests.memory", s.Resources.Requests.Memory},
		{"deploy.resources.limits.cpu", s.Resources.Limits.CPU},
		{"deploy.resources.limits.memory", s.Resources.Limits.Memory},
	} {
		if q.v == "" {
			continue
		}
		if _, err := resource.ParseQuantity(q.v); err != nil {
			return fmt.Errorf("%s: %s %q is not a quantity: write it as Kubernetes does (100m, 0.5, 128Mi, 1Gi)", line(q.path), q.path, q.v)
		}
	}
	if a := s.Autoscaling; a != nil {
		if a.Min < 0 || a.Max < 0 || (a.Max > 0 && a.Min > a.Max) {
			return fmt.Errorf("%s: deploy.autoscaling: min %d and max %d: need 1 <= min <= max", line("deploy.autoscaling.max"), a.Min, a.Max)
		}
		if a.CPU < 0 || a.CPU > 1000 {
			return fmt.Errorf("%s: deploy.autoscaling.cpu %d: a target utilization in percent of the request, 1 to 1000", line("deploy.autoscaling.cpu"), a.CPU)
		}
		if m := a.Metric; m != nil {
			if m.Name == "" {
				return fmt.Errorf("%s: deploy.autoscaling.metric: name is required", line("deploy.autoscaling.metric.target"))
			}
			if _, err := resource.ParseQuantity(m.Target); err != nil {
				return fmt.Errorf("%s: deploy.autoscaling.metric.target %q: the average value per pod, a quantity such as 100 or 500m", line("deploy.autoscaling.metric.target"), m.Target)
			}
		}
	}
	if s.Domain != "" {
		if errs := validation.IsDNS1123Subdomain(s.Domain); len(errs) > 0 {
			return fmt.Errorf("%s: deploy.domain %q: %s", line("deploy.domain"), s.Domain, errs[0])
		}
	}
	switch s.Expose {
	case "", "ingress", "none":
	case "gateway":
		if s.Gateway.Name == "" {
			return fmt.Errorf("%s: deploy.expose gateway: set deploy.gateway.name to the Gateway the route attaches to", line("deploy.expose"))
		}
	default:
		return fmt.Errorf("%s: deploy.expose %q: use ingress, gateway or none", line("deploy.expose"), s.Expose)
	}
	switch s.Mesh {
	case "", "none", "istio", "linkerd":
	default:
		return fmt.Errorf("%s: deploy.mesh %q: use none, istio or linkerd", line("deploy.mesh"), s.Mesh)
	}
	for k := range s.Env {
		if errs := validation.IsEnvVarName(k); len(errs) > 0 {
			return fmt.Errorf("%s: deploy.env.%s: %s", line("deploy.env."+k), k, errs[0])
		}
	}
	for i, r := range s.Secrets {
		p := fmt.Sprintf("deploy.secrets.%d", i)
		if r.Env == "" || r.Secret == "" || r.Key == "" {
			return fmt.Errorf("%s: %s: env, secret and key are all required (the variable, the Secret's name, the key in it)", line(p+".env"), p)
		}
		if errs := validation.IsDNS1123Subdomain(r.Secret); len(errs) > 0 {
			return fmt.Errorf("%s: %s.secret %q: %s", line(p+".secret"), p, r.Secret, errs[0])
		}
	}
	for _, d := range []struct {
		path string
		v    bool
	}{
		{"deploy.progress_deadline", s.ProgressDeadline < 0},
		{"deploy.prestop_delay", s.PreStopDelay < 0},
		{"deploy.history", s.History < 0},
	} {
		if d.v {
			return fmt.Errorf("%s: %s: must not be negative", line(d.path), d.path)
		}
	}
	if s.Workers.Replicas != nil && *s.Workers.Replicas < 0 {
		return fmt.Errorf("%s: deploy.workers.replicas: must be 0 or more", line("deploy.workers.replicas"))
	}
	return nil
}

// applyDefaults fills what the environment left unset.
func (s *Settings) applyDefaults(app string) {
	if s.Namespace == "" {
		s.Namespace = app
	}
	if len(s.Platforms) == 0 {
		s.Platforms = slices.Clone(DefaultPlatforms)
	}
	if s.Replicas == nil {
		s.Replicas = ptr(int32(DefaultReplicas))
	}
	r := &s.Resources
	if r.Requests.CPU == "" {
		r.Requests.CPU = DefaultCPURequest
	}
	if r.Requests.Memory == "" {
		r.Requests.Memory = DefaultMemoryRequest
	}
	if r.Limits.Memory == "" {
		r.Limits.Memory = DefaultMemoryLimit
	}
	if a := s.Autoscaling; a != nil {
		if a.Min == 0 {
			a.Min = DefaultAutoscaleMin
		}
		if a.Max == 0 {
			a.Max = max(DefaultAutoscaleMax, a.Min)
		}
		if a.CPU == 0 {
			a.CPU = DefaultAutoscaleCPU
		}
	}
	if s.Domain != "" && s.Expose == "" {
		s.Expose = "ingress"
	}
	if s.Mesh == "" {
		s.Mesh = "none"
	}
	if s.ProgressDeadline == 0 {
		s.ProgressDeadline = DefaultProgressDeadline
	}
	if s.PreStopDelay == 0 {
		s.PreStopDelay = DefaultPreStopDelay
	}
	if s.History == 0 {
		s.History = DefaultHistory
	}
}

func ptr[T any](v T) *T { return &v }

// checkFields reports the first key that t has no field for, with its
// line and the fields that do exist.
func checkFields(n *yaml.Node, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := map[string]reflect.Type{}
		var names []string
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			fields[name] = f.Type
			names = append(names, name)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i]
			ft, ok := fields[key.Value]
			if !ok {
				slices.Sort(names)
				return fmt.Errorf("%d: %s.%s: unknown setting; the settings are %s", key.Line, path, key.Value, strings.Join(names, ", "))
			}
			if err := checkFields(n.Content[i+1], ft, path+"."+key.Value); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, c := range n.Content {
			if err := checkFields(c, t.Elem(), fmt.Sprintf("%s.%d", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func child(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// withoutEnvironments is the base config: root less its environments.
func withoutEnvironments(root *yaml.Node) *yaml.Node {
	out := *root
	out.Content = nil
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "environments" {
			out.Content = append(out.Content, root.Content[i], root.Content[i+1])
		}
	}
	return &out
}

// merge returns base with over merged in, as the app does at start-up:
// mappings merge key by key; anything else in over replaces base's.
func merge(base, over *yaml.Node) *yaml.Node {
	if base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode {
		return over
	}
	out := *base
	out.Content = slices.Clone(base.Content)
	for i := 0; i+1 < len(over.Content); i += 2 {
		key, val := over.Content[i], over.Content[i+1]
		j := -1
		for k := 0; k+1 < len(out.Content); k += 2 {
			if out.Content[k].Value == key.Value {
				j = k
			}
		}
		if j < 0 {
			out.Content = append(out.Content, key, val)
			continue
		}
		out.Content[j+1] = merge(out.Content[j+1], val)
	}
	return &out
}

func walk(n *yaml.Node, f func(*yaml.Node)) {
	f(n)
	for _, c := range n.Content {
		walk(c, f)
	}
}

// flatten calls f for every scalar under n with its dotted path
// (sequence items by index).
func flatten(n *yaml.Node, path string, f func(string, *yaml.Node)) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			flatten(n.Content[i+1], join(n.Content[i].Value), f)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			flatten(c, join(fmt.Sprint(i)), f)
		}
	case yaml.ScalarNode:
		f(path, n)
	case yaml.AliasNode:
		flatten(n.Alias, path, f)
	}
}

// flattenStruct calls f for every leaf of v (a Settings), by yaml path.
func flattenStruct(v reflect.Value, path string, f func(path, value string)) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
			if name != "" && name != "-" {
				flattenStruct(v.Field(i), path+"."+name, f)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			flattenStruct(v.Index(i), fmt.Sprintf("%s.%d", path, i), f)
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			flattenStruct(v.MapIndex(k), path+"."+k.String(), f)
		}
	case reflect.String:
		if v.Len() > 0 {
			f(path, v.String())
		}
	default:
		f(path, fmt.Sprint(v.Interface()))
	}
}
