package promclient_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gati.dev/gati"
	"gati.dev/gati/gatitest"
	"gati.dev/gati/promclient"
)

func newApp() *gati.App {
	return gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard))
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestExposeServesRegistryNextToGati(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	jobs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "legacy_jobs_total", Help: "Jobs, counted by client_golang."}, []string{"kind"})
	// A Go and a process collector of its own: their families clash with gati's.
	reg.MustRegister(jobs, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	jobs.WithLabelValues("import").Add(4)

	app := newApp()
	promclient.Expose(app.Global().Metrics(), reg)
	app.Global().Metrics().Gauge("native_items", "Items, counted by gati.").WithLabelValues().Set(2)
	srv := gatitest.Serve(t, app)
	status, body := get(t, srv.URL+gati.PathMetrics)
	if status != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", status, body)
	}
	for _, want := range []string{
		"# TYPE legacy_jobs_total counter\n",
		`legacy_jobs_total{kind="import"} 4` + "\n",
		"native_items 2\n",
		"gati_http_requests_in_flight ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics has no %q", want)
		}
	}
	for _, family := range []string{"go_goroutines", "go_info", "process_cpu_seconds_total", "go_gc_duration_seconds"} {
		if n := strings.Count(body, "# TYPE "+family+" "); n != 1 {
			t.Errorf("family %s is served %d times, want once", family, n)
		}
	}
	if i, j := strings.Index(body, "# TYPE legacy_jobs_total"), strings.Index(body, "# TYPE native_items"); i < 0 || j < i {
		t.Error("families are not sorted across the registry and gati")
	}
	promtool(t, body)
}

// promtool runs promtool check metrics on the exposition; without it the
// test fails under CI and skips elsewhere.
func promtool(t *testing.T, exposition string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		msg := "promtool is not installed: install it with `apt-get install prometheus` (scripts/test does)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	cmd := exec.CommandContext(context.Background(), path, "check", "metrics")
	cmd.Stdin = strings.NewReader(exposition)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

type failingCollector struct{ desc *prometheus.Desc }

func (c failingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }
func (c failingCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.NewInvalidMetric(c.desc, errors.New("backend unreachable"))
}

func TestGatherErrorFailsScrape(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	reg.MustRegister(failingCollector{prometheus.NewDesc("broken", "Never collects.", nil, nil)})
	app := newApp()
	promclient.Expose(app.Global().Metrics(), reg)
	srv := gatitest.Serve(t, app)
	status, body := get(t, srv.URL+gati.PathMetrics)
	if status != http.StatusInternalServerError || !strings.Contains(body, "backend unreachable") {
		t.Errorf("GET /metrics: %d %s, want 500 naming the error", status, body)
	}
}

func ExampleExpose() {
	reg := prometheus.NewRegistry()
	logins := prometheus.NewCounter(prometheus.CounterOpts{Name: "logins_total", Help: "Logins."})
	reg.MustRegister(logins)
	logins.Inc()

	app := gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard))
	promclient.Expose(app.Global().Metrics(), reg)

	ctx := context.Background()
	if err := app.Start(ctx); err != nil {
		panic(err)
	}
	defer app.Stop(ctx)
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, gati.PathMetrics, nil))
	body := rec.Body.Bytes()
	for line := range strings.Lines(string(body)) {
		if strings.Contains(line, "logins_total") {
			fmt.Print(line)
		}
	}
	// Output:
	// # HELP logins_total Logins.
	// # TYPE logins_total counter
	// logins_total 1
}

// familyNames returns the names of the TYPE lines of an exposition.
func familyNames(exposition string) map[string]bool {
	names := map[string]bool{}
	for line := range strings.Lines(exposition) {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			names[strings.Fields(rest)[0]] = true
		}
	}
	return names
}

// TestRuntimeFamiliesMatchClientGolang guards dashboards built for
// client_golang: gati serves every family of its default Go and process
// collectors, and no go_* or process_* family it lacks.
func TestRuntimeFamiliesMatchClientGolang(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	theirs := familyNames(rec.Body.String())

	_, body := get(t, gatitest.Serve(t, newApp()).URL+gati.PathMetrics)
	ours := familyNames(body)
	for name := range theirs {
		if !ours[name] {
			t.Errorf("client_golang serves %s, gati does not", name)
		}
	}
	for name := range ours {
		if !theirs[name] && !strings.HasPrefix(name, "gati_") {
			t.Errorf("gati serves %s, client_golang does not", name)
		}
	}
}
