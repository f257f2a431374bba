package npmpkg

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// nodeTools is the directory of the SDK tests' pinned Node.js tools.
const nodeTools = "../node"

// nodeBin returns a program of the pinned Node.js tools, failing the test
// with what to run when they are not installed.
func nodeBin(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(nodeTools, "node_modules", ".bin", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is not installed: run `npm ci --prefix cmd/gati/internal/sdk/node` (./scripts/test does): %v", name, err)
	}
	return p
}

// testToolchain uses the pinned tools' tsc, so tests need no network.
func testToolchain(t *testing.T) *Toolchain {
	t.Helper()
	tc := &Toolchain{TSC: nodeBin(t, "tsc")}
	var err error
	if tc.Node, err = exec.LookPath("node"); err != nil {
		t.Fatal(err)
	}
	if tc.NPM, err = exec.LookPath("npm"); err != nil {
		t.Fatal(err)
	}
	return tc
}

// registry is a Verdaccio npm registry on loopback, with a user whose
// token is in npmrc.
type registry struct {
	URL   string
	npmrc string
}

// startRegistry starts Verdaccio with its storage in a temporary
// directory and no uplinks: it serves only what the test publishes.
func startRegistry(t *testing.T) *registry {
	t.Helper()
	bin := nodeBin(t, "verdaccio")
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	config := fmt.Sprintf(`storage: %s/storage
auth:
  htpasswd:
    file: %s/htpasswd
    max_users: 10
uplinks: {}
packages:
  '**':
    access: $all
    publish: $authenticated
log: { type: stdout, format: pretty, level: warn }
`, dir, dir)
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--config", cfg, "--listen", addr)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("verdaccio:\n%s", logs.String())
		}
	})
	r := &registry{URL: "http://" + addr + "/"}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.URL+"-/ping", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("verdaccio did not answer on %s: %v\n%s", addr, err, logs.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	r.npmrc = filepath.Join(dir, "npmrc")
	token := r.addUser(t, "gati", "s3cret-pass")
	rc := fmt.Sprintf("registry=%s\n//%s/:_authToken=%s\n", r.URL, addr, token)
	if err := os.WriteFile(r.npmrc, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

// addUser creates a registry user the way npm adduser does and returns
// its token.
func (r *registry) addUser(t *testing.T, name, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"name": name, "password": password, "type": "user"})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, r.URL+"-/user/org.couchdb.user:"+name, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("adding a registry user: status %d, %v", resp.StatusCode, err)
	}
	return out.Token
}

// install makes a fresh npm project in a temporary directory and installs
// pkg from the registry into it.
func (r *registry) install(t *testing.T, pkg string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"consumer","private":true,"type":"module"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "npm", "install", pkg, "--registry", r.URL, "--userconfig", r.npmrc, "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install %s from the registry: %v\n%s", pkg, err, out)
	}
	return dir
}
