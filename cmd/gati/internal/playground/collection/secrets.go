package collection

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// SecretsFile is the path, relative to the app, of environment env's
// secret values.
func SecretsFile(env string) string {
	return Dir + "/" + SecretsDir + "/" + env + ".yaml"
}

// Secrets returns the values of env's secrets: from SecretsFile (a
// mapping of name to value), overridden by the environment variables
// named by [EnvVar]. Names the environment does not declare as secrets
// are left out; a secret without a value is absent from the map.
func Secrets(appDir string, env *Environment) (map[string]string, error) {
	stored := map[string]string{}
	rel := SecretsFile(env.Name)
	b, err := os.ReadFile(filepath.Join(appDir, filepath.FromSlash(rel)))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, &FileError{File: rel, Msg: err.Error()}
	default:
		if err := yaml.Unmarshal(b, &stored); err != nil {
			return nil, yamlError(rel, err)
		}
	}
	out := map[string]string{}
	for _, name := range env.Secrets {
		if v, ok := stored[name]; ok {
			out[name] = v
		}
		if v, ok := os.LookupEnv(EnvVar(env.Name, name)); ok {
			out[name] = v
		}
	}
	return out, nil
}
