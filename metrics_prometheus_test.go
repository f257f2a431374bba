package gati_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gati.dev/gati"
	"gati.dev/gati/gatitest"
)

// prometheusTool returns the path of promtool or prometheus (Debian
// package prometheus). Missing, the test fails under CI and skips elsewhere.
func prometheusTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("%s is not installed: install it with `apt-get install prometheus` (scripts/test does)", name)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// metricsApp serves an app with a route, a module-less custom metric per
// kind, label values that need escaping, and some traffic behind it.
func metricsApp(t *testing.T) string {
	t.Helper()
	app := newApp()
	m := app.Global().Metrics()
	jobs := m.Counter("demo_jobs_total", "Jobs by \"kind\".\nSecond line \\ backslash.", "kind")
	depth := m.Gauge("demo_queue_depth", "Items queued.", "queue")
	size := m.Histogram("demo_payload_bytes", "Payload sizes.", []float64{64, 1024, 65536}, "dir")
	m.GaugeFunc("demo_temperature_celsius", "A value read at scrape time.", func() float64 { return 21.5 })
	m.CounterFunc("demo_ticks_total", "A count kept elsewhere.", func() float64 { return 7 })
	app.Handle("GET /hello/{name}", gati.HandlerFunc(func(req *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		jobs.WithLabelValues("say \"hi\"\n\\").Inc()
		depth.WithLabelValues("main").Add(1)
		size.WithLabelValues("in").Observe(300)
		return res.JSON(http.StatusOK, map[string]string{"hello": req.Param("name")})
	}))
	srv := gatitest.Serve(t, app)
	for range 3 {
		if r := do(t, srv, "GET", "/hello/ada", ""); r.status != http.StatusOK {
			t.Fatalf("GET /hello/ada: %d %s", r.status, r.body)
		}
	}
	do(t, srv, "GET", "/nowhere", "")
	return srv.URL
}

func TestPromtoolAcceptsMetrics(t *testing.T) {
	t.Parallel()
	promtool := prometheusTool(t, "promtool")
	base := metricsApp(t)
	resp, err := http.Get(base + gati.PathMetrics)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	for _, want := range []string{
		`gati_http_requests_total{method="GET",route="/hello/{name}",status="200"} 3`,
		`gati_http_requests_total{method="",route="unmatched",status="404"} 1`,
		`demo_jobs_total{kind="say \"hi\"\n\\"} 3`,
		`demo_payload_bytes_bucket{dir="in",le="1024"} 3`,
		"go_goroutines ",
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("/metrics has no %q", want)
		}
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s\n--- /metrics:\n%s", err, out, body)
	}
}

// TestPrometheusScrapesApp runs a real Prometheus server on loopback that
// scrapes the app, and waits for the request counter to reach its TSDB.
func TestPrometheusScrapesApp(t *testing.T) {
	t.Parallel()
	bin := prometheusTool(t, "prometheus")
	base := metricsApp(t)
	target := strings.TrimPrefix(base, "http://")
	dir := t.TempDir()
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: gati
    static_configs:
      - targets: [%q]
`, target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	promAddr := "127.0.0.1:" + gatitest.FreePort(t)
	var log bytes.Buffer
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+promAddr)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("prometheus output:\n%s", log.String())
		}
	})

	query := `gati_http_requests_total{job="gati",route="/hello/{name}",status="200"}`
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var last string
	for {
		select {
		case err := <-exited:
			t.Fatalf("prometheus exited: %v\n%s", err, log.String())
		case <-ctx.Done():
			t.Fatalf("Prometheus never returned %s; last answer: %s", query, last)
		case <-tick.C:
		}
		value, answer := promQuery(ctx, "http://"+promAddr, query)
		last = answer
		if value == "3" {
			break
		}
	}
	// The whole scrape was accepted: the target is up with no error.
	if value, answer := promQuery(ctx, "http://"+promAddr, `up{job="gati"}`); value != "1" {
		t.Errorf("up{job=\"gati\"}: %s", answer)
	}
	if value, answer := promQuery(ctx, "http://"+promAddr, `demo_payload_bytes_bucket{le="1024"}`); value != "3" {
		t.Errorf("demo_payload_bytes_bucket{le=\"1024\"}: %s", answer)
	}
}

// promQuery runs an instant query and returns the first result's value
// ("" when there is none) and the raw answer for messages.
func promQuery(ctx context.Context, base, query string) (value, answer string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/query?query="+url.QueryEscape(query), nil)
	if err != nil {
		return "", err.Error()
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil || len(r.Data.Result) == 0 {
		return "", string(body)
	}
	v, _ := r.Data.Result[0].Value[1].(string)
	return v, string(body)
}
