package collection

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// gitignore keeps secret values out of commits; SaveRequest,
// SaveEnvironment and SaveSecrets write it into .gati/playground/.
const gitignore = "/" + SecretsDir + "/\n"

// SaveRequest writes r to its file, <Collection>/<Slug>.yaml, atomically
// and with sorted keys, so that saving twice gives the same bytes. It
// refuses a request Load would reject (no method or URL, a method not in
// upper case, an expect.json key that is not a JSON pointer).
func SaveRequest(appDir string, r *Request) error {
	if err := checkPlace(r.Collection, r.Slug); err != nil {
		return err
	}
	if errs := checkRequest(r.File(), requestNode(r)); len(errs) > 0 {
		return fmt.Errorf("playground: not saved: %w", errors.Join(errs...))
	}
	return save(appDir, r.File(), r, 0o644)
}

// DeleteRequest removes the request file <coll>/<slug>.yaml, and the
// collection's folder when that leaves it empty. A request that does not
// exist is an error wrapping fs.ErrNotExist.
func DeleteRequest(appDir, coll, slug string) error {
	if err := checkPlace(coll, slug); err != nil {
		return err
	}
	r := &Request{Collection: coll, Slug: slug}
	if err := os.Remove(filepath.Join(appDir, filepath.FromSlash(r.File()))); err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(appDir, filepath.FromSlash(Dir), coll)) // fails unless empty
	return nil
}

// checkPlace refuses a collection or slug that would put a request file
// anywhere but <collection>/<slug>.yaml under Dir.
func checkPlace(coll, slug string) error {
	if err := checkName("collection", coll); err != nil {
		return err
	}
	if coll == EnvironmentsDir {
		return fmt.Errorf("playground: collection name %q is reserved for environments", coll)
	}
	return checkName("request slug", slug)
}

// requestNode is r as the YAML node Load checks.
func requestNode(r *Request) *yaml.Node {
	var n yaml.Node
	if err := n.Encode(r); err != nil {
		panic("playground: encoding a request: " + err.Error()) // plain fields always encode
	}
	return &n
}

// SaveEnvironment writes env to environments/<Name>.yaml. It refuses to
// write a secret's value: a variable named like one of env's secrets, or
// whose value is the value of one of them (from [Secrets]).
func SaveEnvironment(appDir string, env *Environment) error {
	if err := checkName("environment", env.Name); err != nil {
		return err
	}
	secrets, err := Secrets(appDir, env)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(env.Variables)) {
		v := env.Variables[name]
		if env.IsSecret(name) {
			return fmt.Errorf("playground: environment %s: %s is a secret; its value goes in %s or $%s, not in the committed file",
				env.Name, name, SecretsFile(env.Name), EnvVar(env.Name, name))
		}
		for _, s := range env.Secrets {
			if v != "" && secrets[s] == v {
				return fmt.Errorf("playground: environment %s: variable %s holds the value of secret %s; refer to it as {{%s}} instead",
					env.Name, name, s, s)
			}
		}
	}
	return save(appDir, env.File(), env, 0o644)
}

// SaveSecrets writes the secret values of environment env to
// SecretsFile(env), readable by the owner only (0600), and makes sure
// git ignores it.
func SaveSecrets(appDir, env string, values map[string]string) error {
	if err := checkName("environment", env); err != nil {
		return err
	}
	return save(appDir, SecretsFile(env), values, 0o600)
}

func checkName(what, name string) error {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return fmt.Errorf("playground: %s name %q must be non-empty, without slashes, and not start with a dot", what, name)
	}
	return nil
}

func save(appDir, rel string, v any, perm os.FileMode) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	if err := writeGitignore(appDir); err != nil {
		return err
	}
	path := filepath.Join(appDir, filepath.FromSlash(rel))
	dirPerm := os.FileMode(0o755)
	if perm&0o077 == 0 {
		dirPerm = 0o700
	}
	if err := os.MkdirAll(filepath.Dir(path), dirPerm); err != nil {
		return err
	}
	return writeAtomic(path, buf.Bytes(), perm)
}

// writeGitignore adds /.secrets/ to .gati/playground/.gitignore unless
// it is there.
func writeGitignore(appDir string) error {
	dir := filepath.Join(appDir, filepath.FromSlash(Dir))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, ".gitignore")
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line == strings.TrimSpace(gitignore) {
			return nil
		}
	}
	if len(b) > 0 && !bytes.HasSuffix(b, []byte("\n")) {
		b = append(b, '\n')
	}
	return writeAtomic(path, append(b, gitignore...), 0o644)
}

// writeAtomic writes data to path through a temporary file created with
// perm in the same directory and a rename, so readers (the playground UI,
// git) never see a half-written file and a secret file is never briefly
// world-readable. internal/atomicfile does the same with a fixed 0644.
func writeAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = f.Chmod(perm) // before any byte is written
	if err == nil {
		_, err = f.Write(data)
	}
	err = errors.Join(err, f.Close())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}
