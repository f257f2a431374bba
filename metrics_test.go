package gati

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// scrape returns m's exposition as /metrics serves it.
func scrape(t testing.TB, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	// Errorf, not Fatalf: scrapes run in goroutines of their own too.
	if rec.Code != http.StatusOK {
		t.Errorf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	return rec.Body.String()
}

func TestExposition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(m *Metrics)
		want  string
	}{{
		name: "counter without labels",
		setup: func(m *Metrics) {
			c := m.Counter("jobs_total", "Jobs done.").WithLabelValues()
			c.Inc()
			c.Add(2)
			c.Add(0.5)
		},
		want: "# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total 3.5\n",
	}, {
		name: "escaping in help and label values",
		setup: func(m *Metrics) {
			g := m.Gauge("temp", "Line one\nback\\slash \"quoted\".", "path")
			g.WithLabelValues("a\\b\"c\nd").Set(-1.5)
		},
		want: "# HELP temp Line one\\nback\\\\slash \"quoted\".\n# TYPE temp gauge\n" +
			"temp{path=\"a\\\\b\\\"c\\nd\"} -1.5\n",
	}, {
		name: "invalid UTF-8 in a label value is replaced",
		setup: func(m *Metrics) {
			m.Gauge("g", "", "v").WithLabelValues("a\xffb").Set(1)
		},
		want: "# HELP g \n# TYPE g gauge\ng{v=\"a\uFFFDb\"} 1\n",
	}, {
		name: "families and children sorted",
		setup: func(m *Metrics) {
			z := m.Counter("zeta_total", "Z.", "k", "j")
			z.WithLabelValues("b", "1").Inc()
			z.WithLabelValues("a", "2").Inc()
			z.WithLabelValues("a", "10").Inc()
			m.Gauge("alpha", "A.").WithLabelValues().Set(math.Inf(+1))
			m.GaugeFunc("mid", "M.", func() float64 { return math.NaN() })
			m.CounterFunc("beta_total", "B.", func() float64 { return 1e21 })
		},
		want: "# HELP alpha A.\n# TYPE alpha gauge\nalpha +Inf\n" +
			"# HELP beta_total B.\n# TYPE beta_total counter\nbeta_total 1e+21\n" +
			"# HELP mid M.\n# TYPE mid gauge\nmid NaN\n" +
			"# HELP zeta_total Z.\n# TYPE zeta_total counter\n" +
			"zeta_total{k=\"a\",j=\"10\"} 1\nzeta_total{k=\"a\",j=\"2\"} 1\nzeta_total{k=\"b\",j=\"1\"} 1\n",
	}, {
		name: "histogram buckets are cumulative, with +Inf, sum and count",
		setup: func(m *Metrics) {
			h := m.Histogram("latency_seconds", "L.", []float64{0.1, 1, math.Inf(+1)}, "op").WithLabelValues("get")
			for _, v := range []float64{0.05, 0.1, 0.5, 2, math.NaN()} {
				h.Observe(v)
			}
			m.Histogram("empty_seconds", "E.", []float64{1}).WithLabelValues()
		},
		want: "# HELP empty_seconds E.\n# TYPE empty_seconds histogram\n" +
			"empty_seconds_bucket{le=\"1\"} 0\nempty_seconds_bucket{le=\"+Inf\"} 0\nempty_seconds_sum 0\nempty_seconds_count 0\n" +
			"# HELP latency_seconds L.\n# TYPE latency_seconds histogram\n" +
			"latency_seconds_bucket{op=\"get\",le=\"0.1\"} 2\n" +
			"latency_seconds_bucket{op=\"get\",le=\"1\"} 3\n" +
			"latency_seconds_bucket{op=\"get\",le=\"+Inf\"} 5\n" +
			"latency_seconds_sum{op=\"get\"} NaN\n" +
			"latency_seconds_count{op=\"get\"} 5\n",
	}, {
		name: "a vector with no children yet has only its header",
		setup: func(m *Metrics) {
			m.Counter("unused_total", "U.", "x")
		},
		want: "# HELP unused_total U.\n# TYPE unused_total counter\n",
	}, {
		name: "a module's namespace is prefixed",
		setup: func(m *Metrics) {
			m.sub("task-store").Gauge("size", "S.").WithLabelValues().Set(3)
		},
		want: "# HELP task_store_size S.\n# TYPE task_store_size gauge\ntask_store_size 3\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newBareMetrics()
			tt.setup(m)
			if got := scrape(t, m); got != tt.want {
				t.Errorf("exposition:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestDefaultBuckets(t *testing.T) {
	t.Parallel()
	m := newBareMetrics()
	buckets := []float64{1, 2}
	m.Histogram("mine", "", buckets).WithLabelValues()
	buckets[0] = 5 // the histogram kept a copy
	m.Histogram("h", "H.", nil).WithLabelValues().Observe(0.3)
	got := scrape(t, m)
	for _, le := range []string{"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"} {
		if !strings.Contains(got, `h_bucket{le="`+le+`"}`) {
			t.Errorf("no bucket le=%s in\n%s", le, got)
		}
	}
	if !strings.Contains(got, `mine_bucket{le="1"} 0`) {
		t.Errorf("changing the caller's buckets changed the histogram:\n%s", got)
	}
	if !strings.Contains(got, `h_bucket{le="0.25"} 0`) || !strings.Contains(got, `h_bucket{le="0.5"} 1`) {
		t.Errorf("0.3 is not counted from le=0.5 on:\n%s", got)
	}
}

// panicMessage returns what fn panics with, or "" when it does not.
func panicMessage(fn func()) (msg string) {
	defer func() {
		if v := recover(); v != nil {
			msg = fmt.Sprint(v)
		}
	}()
	fn()
	return ""
}

func TestProgrammerErrorsPanic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fn   func(m *Metrics)
		want string // a part of the panic message
	}{
		{"duplicate name", func(m *Metrics) { m.Counter("a_total", ""); m.Gauge("a_total", "") }, "metric a_total is already registered"},
		{"duplicate across namespaces", func(m *Metrics) { m.Gauge("mod_x", ""); m.sub("mod").Gauge("x", "") }, "metric mod_x is already registered"},
		{"histogram sample name taken", func(m *Metrics) { m.Counter("req_count", ""); m.Histogram("req", "", nil) }, "clashes with req_count"},
		{"runtime name taken", func(m *Metrics) { newMetrics().Gauge("go_goroutines", "") }, "go_goroutines is already registered"},
		{"invalid name", func(m *Metrics) { m.Counter("9lives", "") }, `metric name "9lives" is invalid`},
		{"empty name", func(m *Metrics) { m.GaugeFunc("", "", nil) }, `metric name "" is invalid`},
		{"invalid module prefix", func(m *Metrics) { m.sub("my.mod").Counter("x", "") }, `metric name "my.mod_x" is invalid`},
		{"invalid label", func(m *Metrics) { m.Counter("c", "", "a-b") }, `label name "a-b" is invalid`},
		{"reserved label", func(m *Metrics) { m.Counter("c", "", "__name") }, `label name "__name" is invalid`},
		{"label twice", func(m *Metrics) { m.Counter("c", "", "a", "a") }, `label "a" is given twice`},
		{"le on a histogram", func(m *Metrics) { m.Histogram("h", "", nil, "le") }, `"le" is reserved`},
		{"buckets not increasing", func(m *Metrics) { m.Histogram("h", "", []float64{1, 1}) }, "strictly increasing"},
		{"NaN bucket", func(m *Metrics) { m.Histogram("h", "", []float64{math.NaN()}) }, "NaN"},
		{"too few values", func(m *Metrics) { m.Counter("c", "", "a", "b").WithLabelValues("x") }, `metric c has 2 labels ["a" "b"], got 1 values`},
		{"too many values", func(m *Metrics) { m.Gauge("g", "").WithLabelValues("x") }, "metric g has 0 labels"},
		{"nil func", func(m *Metrics) { m.CounterFunc("c", "", nil) }, "metric c: nil function"},
		{"nil gatherer", func(m *Metrics) { m.AddGatherer(nil) }, "nil Gatherer"},
		{"negative counter add", func(m *Metrics) { m.Counter("c", "").WithLabelValues().Add(-1) }, "counter cannot decrease"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := panicMessage(func() { tt.fn(newBareMetrics()) })
			if !strings.HasPrefix(msg, "gati: ") || !strings.Contains(msg, tt.want) {
				t.Errorf("panic %q, want a gati: panic containing %q", msg, tt.want)
			}
		})
	}
}

func TestFailedRegistrationLeavesNoTrace(t *testing.T) {
	t.Parallel()
	m := newBareMetrics()
	m.Counter("x_count", "")
	if msg := panicMessage(func() { m.Histogram("x", "", nil) }); msg == "" {
		t.Fatal("no panic")
	}
	m.Gauge("x", "") // the histogram's family name was not kept
}

// TestConcurrentUpdates runs updates, new children and scrapes at once;
// with -race it checks the hot paths, and the totals check no update is lost.
func TestConcurrentUpdates(t *testing.T) {
	t.Parallel()
	m := newMetrics()
	c := m.Counter("c_total", "", "worker")
	g := m.Gauge("g", "")
	h := m.Histogram("h", "", []float64{0.5}, "worker")
	const workers, n = 8, 2000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			label := []string{"even", "odd"}[w%2]
			for i := range n {
				c.WithLabelValues(label).Inc()
				c.WithLabelValues(label).Add(0.5)
				g.WithLabelValues().Inc()
				g.WithLabelValues().Add(-0.5)
				h.WithLabelValues(label).Observe(float64(i % 2))
			}
		})
	}
	for range 2 { // scrapes run concurrently with each other too
		wg.Go(func() {
			for range 20 {
				scrape(t, m)
			}
		})
	}
	wg.Wait()
	got := scrape(t, m)
	for _, line := range []string{
		fmt.Sprintf(`c_total{worker="even"} %d`, workers/2*n*3/2),
		fmt.Sprintf(`c_total{worker="odd"} %d`, workers/2*n*3/2),
		fmt.Sprintf("g %d", workers*n/2),
		fmt.Sprintf(`h_bucket{worker="odd",le="0.5"} %d`, workers/2*n/2),
		fmt.Sprintf(`h_count{worker="odd"} %d`, workers/2*n),
		fmt.Sprintf(`h_sum{worker="even"} %d`, workers/2*n/2),
	} {
		if !strings.Contains(got, line+"\n") {
			t.Errorf("no line %q", line)
		}
	}
}

func TestRuntimeAndProcessMetrics(t *testing.T) {
	t.Parallel()
	got := scrape(t, newMetrics())
	want := []string{"go_goroutines ", "go_threads ", "go_gc_duration_seconds_count ", `go_gc_duration_seconds{quantile="0.5"} `,
		"go_memstats_alloc_bytes ", "go_memstats_heap_alloc_bytes ", "go_memstats_last_gc_time_seconds ", "go_memstats_mspan_sys_bytes ", `go_info{version="go`, "go_sched_gomaxprocs_threads "}
	if _, err := os.Stat("/proc/self/stat"); err == nil {
		want = append(want, "process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_open_fds ",
			"process_max_fds ", "process_start_time_seconds ", "process_virtual_memory_bytes ", "process_virtual_memory_max_bytes ",
			"process_network_receive_bytes_total ", "process_network_transmit_bytes_total ")
	}
	for _, w := range want {
		if !strings.Contains(got, "\n"+w) {
			t.Errorf("no sample starting %q", w)
		}
	}
	start := sampleValue(t, got, "process_start_time_seconds")
	if now := float64(time.Now().Unix()); start != 0 && (start > now+1 || start < now-86400*365) {
		t.Errorf("process_start_time_seconds %v is not around now (%v)", start, now)
	}
}

// sampleValue returns the value of the sample named exactly name, or 0.
func sampleValue(t *testing.T, expo, name string) float64 {
	t.Helper()
	for line := range strings.Lines(expo) {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	return 0
}

type textGatherer struct {
	families [][2]string
	err      error
}

func (g textGatherer) GatherText(add func(name string, text []byte)) error {
	for _, f := range g.families {
		add(f[0], []byte(f[1]))
	}
	return g.err
}

func TestGatherer(t *testing.T) {
	t.Parallel()
	m := newBareMetrics()
	m.Gauge("mine", "M.").WithLabelValues().Set(1)
	m.sub("mod").AddGatherer(textGatherer{families: [][2]string{
		{"zz", "# TYPE zz gauge\nzz 3"}, // the missing final newline is added
		{"mine", "# TYPE mine gauge\nmine 99\n"},
		{"aa", "# TYPE aa counter\naa 2\n"},
	}})
	want := "# TYPE aa counter\naa 2\n# HELP mine M.\n# TYPE mine gauge\nmine 1\n# TYPE zz gauge\nzz 3\n"
	if got := scrape(t, m); got != want {
		t.Errorf("exposition:\n%s\nwant:\n%s", got, want)
	}

	m.AddGatherer(textGatherer{err: errors.New("registry broken")})
	rec := httptest.NewRecorder()
	m.handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if body, _ := io.ReadAll(rec.Body); rec.Code != http.StatusInternalServerError || !strings.Contains(string(body), "registry broken") {
		t.Errorf("failing gatherer: %d %s", rec.Code, body)
	}
}

func TestHTTPMetrics(t *testing.T) {
	t.Parallel()
	m := newBareMetrics()
	h := newHTTPMetrics(m)
	rm := h.forRoute("GET", "/tasks/{id}")
	rm.observe(200, 30*time.Millisecond)
	rm.observe(200, 2*time.Second)
	rm.observe(999, time.Millisecond) // outside the cached range
	rm.timedOut()
	h.inflight.Add(2)
	h.overrunning.Add(1)
	got := scrape(t, m)
	for _, line := range []string{
		`gati_http_requests_total{method="GET",route="/tasks/{id}",status="200"} 2`,
		`gati_http_requests_total{method="GET",route="/tasks/{id}",status="999"} 1`,
		`gati_http_request_duration_seconds_bucket{method="GET",route="/tasks/{id}",le="0.05"} 2`,
		`gati_http_request_duration_seconds_count{method="GET",route="/tasks/{id}"} 3`,
		`gati_http_request_timeouts_total{method="GET",route="/tasks/{id}"} 1`,
		"gati_http_requests_in_flight 2",
		"gati_http_handlers_overrunning 1",
		"# HELP gati_http_request_timeouts_total Requests answered 503 because the handler overran its deadline.",
		"# HELP gati_http_handlers_overrunning Handlers still running after their request timed out.",
	} {
		if !strings.Contains(got, line+"\n") {
			t.Errorf("no line %q in\n%s", line, got)
		}
	}
}
