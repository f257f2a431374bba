package deploy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const sampleConfig = `name: shop
server:
  port: 8080
deploy:
  image: registry.example.com/team/shop
  replicas: 2
  resources:
    requests: {cpu: 200m}
  env:
    FEATURE_X: "on"
environments:
  staging:
    deploy:
      namespace: shop-staging
      replicas: 3
      autoscaling: {min: 2, max: 6, cpu: 60, scale_down_window: 30s}
  production:
    log:
      level: warn
    deploy:
      domain: shop.example.com
      mesh: istio
      secrets:
        - {env: DB_PASSWORD, secret: shop-db, key: password}
`

func writeApp(t *testing.T, config string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gati.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadEnvMergesTheEnvironmentOverTheBase(t *testing.T) {
	env, err := LoadEnv(writeApp(t, sampleConfig), "staging")
	if err != nil {
		t.Fatal(err)
	}
	s := env.Settings
	if env.App != "shop" || s.Namespace != "shop-staging" || *s.Replicas != 3 {
		t.Errorf("app %q namespace %q replicas %d", env.App, s.Namespace, *s.Replicas)
	}
	if s.Resources.Requests.CPU != "200m" || s.Resources.Requests.Memory != DefaultMemoryRequest {
		t.Errorf("requests %+v: want the base's cpu and the default memory", s.Resources.Requests)
	}
	a := s.Autoscaling
	if a == nil || a.Min != 2 || a.Max != 6 || a.CPU != 60 || *a.ScaleDownWindow != 30*time.Second {
		t.Errorf("autoscaling %+v", a)
	}
	if s.Env["FEATURE_X"] != "on" || s.ProgressDeadline != DefaultProgressDeadline || s.Mesh != "none" {
		t.Errorf("env %v deadline %s mesh %s", s.Env, s.ProgressDeadline, s.Mesh)
	}
}

func TestLoadEnvSaysWhereEachValueCameFrom(t *testing.T) {
	env, err := LoadEnv(writeApp(t, sampleConfig), "staging")
	if err != nil {
		t.Fatal(err)
	}
	origin := map[string]string{}
	for _, v := range env.Values {
		origin[v.Path] = v.Value + " @ " + v.Origin
	}
	for path, want := range map[string]string{
		"deploy.replicas":                  "3 @ gati.yaml:15 (environments.staging)",
		"deploy.image":                     "registry.example.com/team/shop @ gati.yaml:5",
		"deploy.resources.requests.cpu":    "200m @ gati.yaml:8",
		"deploy.resources.requests.memory": "128Mi @ default",
		"deploy.progress_deadline":         "2m0s @ default",
		"server.port":                      "8080 @ gati.yaml:3",
	} {
		if origin[path] != want {
			t.Errorf("%s: %q, want %q", path, origin[path], want)
		}
	}
	if _, ok := origin["environments.staging.deploy.replicas"]; ok {
		t.Error("the environments section itself is listed; only the merged values should be")
	}
}

func TestLoadEnvRejectsBadInputNamingTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, config, env, want string
	}{
		{"unknown environment", strings.TrimPrefix(sampleConfig, "name: shop\n"), "qa", `unknown environment "qa": ` + "%DIR%" + `/gati.yaml defines staging, production; add environments.qa to it`},
		{"unknown key in the base", "deploy:\n  replica: 2\nenvironments: {staging: {}}\n", "staging", "gati.yaml:3: deploy.replica: unknown setting; the settings are autoscaling, base,"},
		{"unknown key in the environment", "environments:\n  staging:\n    deploy:\n      autoscaling: {mni: 1}\n", "staging", "gati.yaml:5: deploy.autoscaling.mni: unknown setting"},
		{"bad quantity", "deploy:\n  resources:\n    limits:\n      memory: 256MB\nenvironments: {staging: {}}\n", "staging", `gati.yaml:5: deploy.resources.limits.memory "256MB" is not a quantity`},
		{"bad mesh", "environments:\n  staging:\n    deploy: {mesh: consul}\n", "staging", `gati.yaml:4 (environments.staging): deploy.mesh "consul": use none, istio or linkerd`},
		{"min above max", "environments:\n  staging:\n    deploy:\n      autoscaling: {min: 5, max: 2}\n", "staging", "gati.yaml:5 (environments.staging): deploy.autoscaling: min 5 and max 2"},
		{"secret without key", "deploy:\n  secrets:\n  - {env: A, secret: s}\nenvironments: {staging: {}}\n", "staging", "gati.yaml:4: deploy.secrets.0: env, secret and key are all required"},
		{"wrong type", "deploy:\n  replicas: many\nenvironments: {staging: {}}\n", "staging", "line 3: cannot unmarshal !!str `many` into int32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeApp(t, "name: shop\n"+tc.config)
			_, err := LoadEnv(dir, tc.env)
			want := strings.ReplaceAll(tc.want, "%DIR%", dir)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v\nwant it to contain %q", err, want)
			}
			if tc.name == "unknown environment" && !errors.Is(err, ErrUnknownEnv) {
				t.Errorf("error %v does not wrap ErrUnknownEnv", err)
			}
		})
	}
}
