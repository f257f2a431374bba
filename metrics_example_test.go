package gati_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"gati.dev/gati"
)

func ExampleMetrics() {
	app := gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard))
	m := app.Global().Metrics()
	jobs := m.Counter("jobs_total", "Jobs done, by kind.", "kind")
	took := m.Histogram("job_duration_seconds", "Time per job.", []float64{0.1, 1}).WithLabelValues()

	jobs.WithLabelValues("email").Inc()
	jobs.WithLabelValues("export").Add(2)
	took.Observe(0.25)

	ctx := context.Background()
	if err := app.Start(ctx); err != nil {
		panic(err)
	}
	defer app.Stop(ctx)
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, gati.PathMetrics, nil))
	for line := range strings.Lines(rec.Body.String()) {
		if strings.HasPrefix(line, "job") {
			fmt.Print(line)
		}
	}
	// Output:
	// job_duration_seconds_bucket{le="0.1"} 0
	// job_duration_seconds_bucket{le="1"} 1
	// job_duration_seconds_bucket{le="+Inf"} 1
	// job_duration_seconds_sum 0.25
	// job_duration_seconds_count 1
	// jobs_total{kind="email"} 1
	// jobs_total{kind="export"} 2
}
