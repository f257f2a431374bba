package effects_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"gati.dev/gati"
	"gati.dev/gati/effects"
	"gati.dev/gati/effects/effectstest"
	"gati.dev/gati/gatitest"
)

func TestMetricsCountOutcomesAndPassPromtool(t *testing.T) {
	kind := effects.Define[welcome]("metered", effects.MaxAttempts(2))
	mem := effects.NewMemory()
	app := gati.New(gati.WithConfig(&gati.Config{}), gati.WithLogOutput(io.Discard))
	fx := effects.Install(app, effects.WithBackend(mem), effects.WithConfig(effects.Config{
		Retry: effects.RetryPolicy{Base: time.Millisecond, Max: time.Millisecond, Factor: 1}}))
	effects.Work(fx, kind, func(ctx context.Context, e effects.Effect[welcome]) error {
		if e.Args.Email == "bad" {
			return errors.New("bounced")
		}
		return nil
	})
	app.HandleFunc("POST /x/{email}", func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
		if _, err := kind.Enqueue(lctx.Context(), welcome{Email: req.Param("email")}); err != nil {
			return err
		}
		return res.NoContent()
	})
	srv := gatitest.Serve(t, app)
	for _, e := range []string{"ok", "bad"} {
		resp, err := http.Post(srv.URL+"/x/"+e, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		effectstest.WaitIdle(t, mem, 5*time.Second)
		if d, _ := mem.Dead(context.Background(), effects.DeadQuery{}); len(d) == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	var m string
	for { // the last outcome's metrics follow its write by a moment
		m = scrape(t, srv.URL)
		if strings.Contains(m, `gati_effects_dead_total{kind="metered",queue="default"} 1`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, want := range []string{
		`gati_effects_enqueued_total{kind="metered",queue="default"} 2`,
		`gati_effects_started_total{kind="metered",queue="default"} 3`,
		`gati_effects_succeeded_total{kind="metered",queue="default"} 1`,
		`gati_effects_failed_total{kind="metered",queue="default"} 2`,
		`gati_effects_retried_total{kind="metered",queue="default"} 1`,
		`gati_effects_dead_total{kind="metered",queue="default"} 1`,
		`gati_effects_attempt_duration_seconds_count{kind="metered",result="succeeded"} 1`,
		`gati_effects_backend_up 1`,
		`gati_effects_queue_depth{queue="default",state="available"}`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	path, err := exec.LookPath("promtool")
	if err != nil {
		msg := "promtool is not installed: install it with `apt-get install prometheus` (scripts/test does)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = strings.NewReader(m)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// uncounted is a backend that cannot count live effects, as Pub/Sub.
type uncounted struct{ *effects.Memory }

func (uncounted) Capabilities() effects.Capabilities {
	return effects.Capabilities{ExactAttempts: true, NoLiveCounts: true}
}

// TestNoLiveCountsExportsDeadDepthOnly: a backend that declares
// NoLiveCounts gets no live queue-depth gauges, whose zeros would lie.
func TestNoLiveCountsExportsDeadDepthOnly(t *testing.T) {
	kind := effects.Define[welcome]("uncounted")
	app := gati.New(gati.WithConfig(&gati.Config{}), gati.WithLogOutput(io.Discard))
	fx := effects.Install(app, effects.WithBackend(uncounted{effects.NewMemory()}))
	effects.Work(fx, kind, func(ctx context.Context, e effects.Effect[welcome]) error { return nil })
	srv := gatitest.Serve(t, app)
	var m string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		m = scrape(t, srv.URL)
		if strings.Contains(m, `gati_effects_queue_depth{queue="default",state="dead"} 0`) || time.Now().After(deadline) {
			break
		}
	}
	if !strings.Contains(m, `gati_effects_queue_depth{queue="default",state="dead"} 0`) {
		t.Fatalf("no dead depth gauge:\n%s", m)
	}
	if strings.Contains(m, `state="available"`) || strings.Contains(m, `state="running"`) {
		t.Fatalf("live depth gauges for a backend that cannot count them:\n%s", m)
	}
}
