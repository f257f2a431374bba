package collection

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// varRef matches {{name}}, spaces inside the braces allowed.
var varRef = regexp.MustCompile(`\{\{\s*([^{}\s]+)\s*\}\}`)

// Resolve returns a copy of r with every {{name}} in its URL, version,
// headers, query and body replaced by env's variable name, or by
// secrets[name] for a secret of env (see [Secrets]). An unknown variable,
// or a secret without a value, is a *FileError naming it and r's file.
// Expect and Scripts are shared with r, not copied.
func Resolve(r *Request, env *Environment, secrets map[string]string) (*Request, error) {
	out := *r
	var missing []string
	sub := func(field, s string) string {
		return varRef.ReplaceAllStringFunc(s, func(m string) string {
			name := varRef.FindStringSubmatch(m)[1]
			if env != nil && env.IsSecret(name) {
				if v, ok := secrets[name]; ok {
					return v
				}
				missing = append(missing, fmt.Sprintf("secret {{%s}} in %s has no value: set $%s or write it to %s",
					name, field, EnvVar(env.Name, name), SecretsFile(env.Name)))
				return m
			}
			if env != nil {
				if v, ok := env.Variables[name]; ok {
					return v
				}
			}
			missing = append(missing, fmt.Sprintf("unknown variable {{%s}} in %s", name, field))
			return m
		})
	}
	out.URL = sub("url", r.URL)
	out.Version = sub("version", r.Version)
	out.Body = sub("body", r.Body)
	out.Headers = subMap(sub, "headers", r.Headers)
	out.Query = subMap(sub, "query", r.Query)
	if len(missing) > 0 {
		return nil, &FileError{File: r.File(), Msg: strings.Join(missing, "; ") + "; " + known(env)}
	}
	return &out, nil
}

func subMap(sub func(field, s string) string, field string, m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out[sub(field+"."+k, k)] = sub(field+"."+k, m[k])
	}
	return out
}

// known describes the names env defines, for error messages.
func known(env *Environment) string {
	if env == nil {
		return "no environment chosen"
	}
	names := append(slices.Sorted(maps.Keys(env.Variables)), env.Secrets...)
	if len(names) == 0 {
		return fmt.Sprintf("environment %s defines no variables", env.Name)
	}
	return fmt.Sprintf("environment %s defines %s", env.Name, strings.Join(names, ", "))
}

// FullURL is the request's URL with its query appended, keys sorted and
// values URL-encoded.
func (r *Request) FullURL() string {
	if len(r.Query) == 0 {
		return r.URL
	}
	q := url.Values{}
	for k, v := range r.Query {
		q.Set(k, v)
	}
	sep := "?"
	if strings.Contains(r.URL, "?") {
		sep = "&"
	}
	return r.URL + sep + q.Encode()
}
