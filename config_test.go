package gati_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gati.dev/gati"
)

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gati.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const sampleConfig = `name: shop
server:
  port: 9000
  body_limit: 2MiB
  shutdown_timeout: 5s
log:
  level: info
environments:
  production:
    server:
      port: 80
    log:
      format: json
`

func TestLoadConfigMergesEnvironment(t *testing.T) {
	p := writeConfig(t, sampleConfig)
	cfg, err := gati.LoadConfig(p, "production")
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Server
	if cfg.Name != "shop" || s.Port != 80 || s.BodyLimit != 2<<20 || s.ShutdownTimeout != 5*time.Second || cfg.Log.Format != "json" || cfg.Log.Level != "info" {
		t.Fatalf("got %+v %+v", s, cfg.Log)
	}
	cfg, err = gati.LoadConfig(p, "staging")
	if err != nil || cfg.Server.Port != 9000 || cfg.Log.Format != "" {
		t.Fatalf("staging: %+v %v", cfg.Server, err)
	}
}

func TestLoadConfigPortFromEnv(t *testing.T) {
	t.Setenv("PORT", "7001")
	t.Setenv("GATI_HOST", "127.0.0.1")
	cfg, err := gati.LoadConfig(writeConfig(t, sampleConfig), "production")
	if err != nil || cfg.Server.Port != 7001 || cfg.Server.Host != "127.0.0.1" {
		t.Fatalf("port %d, err %v", cfg.Server.Port, err)
	}
	t.Setenv("PORT", "http")
	if _, err := gati.LoadConfig(writeConfig(t, sampleConfig), "production"); err == nil || !strings.Contains(err.Error(), "$PORT") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadConfigErrorsNameFileAndLine(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown field", "server:\n  prot: 80\n", "line 2: field prot not found"},
		{"bad size", "server:\n  body_limit: lots\n", `"lots" is not a size`},
		{"bad duration", "server:\n  shutdown_timeout: soon\n", "line 2"},
		{"syntax", "server: [\n", "line"},
		{"unknown field in environment", "environments:\n  production:\n    sever: {}\n", "environments.production"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeConfig(t, tt.yaml)
			_, err := gati.LoadConfig(p, "production")
			if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want it to name %s and contain %q", err, p, tt.want)
			}
		})
	}
}

func TestMissingConfigMeansDefaults(t *testing.T) {
	cfg, err := gati.LoadConfig(filepath.Join(t.TempDir(), "gati.yaml"), "development")
	if err != nil || !cfg.Dev() || cfg.Env() != "development" {
		t.Fatalf("cfg %+v err %v", cfg, err)
	}
}

func TestValidateConfigChecksEveryEnvironment(t *testing.T) {
	t.Setenv("PORT", "not-a-port") // environment variables are not part of validation
	if err := gati.ValidateConfig(writeConfig(t, sampleConfig)); err != nil {
		t.Fatal(err)
	}
	bad := writeConfig(t, "environments:\n  staging:\n    server:\n      port: x\n  prod:\n    log:\n      levl: info\n")
	err := gati.ValidateConfig(bad)
	if err == nil || !strings.Contains(err.Error(), "environment staging") || !strings.Contains(err.Error(), "environment prod") {
		t.Fatalf("err = %v", err)
	}
}

func TestConfigFileFromFlagOrEnv(t *testing.T) {
	path := writeConfig(t, "server:\n  port: 9123\n")
	saved := os.Args
	t.Cleanup(func() { os.Args = saved })
	for _, args := range [][]string{{"--config", path}, {"-config=" + path}, {"serve", "--config=" + path}} {
		os.Args = append([]string{"app"}, args...)
		if app := gati.New(gati.WithLogOutput(io.Discard)); app.Err() != nil || app.Global().Config().Server.Port != 9123 {
			t.Errorf("args %q: port %d, err %v", args, app.Global().Config().Server.Port, app.Err())
		}
	}
	os.Args = []string{"app"}
	t.Setenv("GATI_CONFIG", path)
	if app := gati.New(gati.WithLogOutput(io.Discard)); app.Global().Config().Server.Port != 9123 {
		t.Errorf("$GATI_CONFIG: port %d", app.Global().Config().Server.Port)
	}
	t.Setenv("GATI_CONFIG", path+".missing")
	if err := gati.New(gati.WithLogOutput(io.Discard)).Err(); err == nil || !strings.Contains(err.Error(), ".missing") {
		t.Errorf("a named config file that does not exist: %v", err)
	}
}
