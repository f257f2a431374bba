package effects_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gati.dev/gati"
	"gati.dev/gati/effects"
	"gati.dev/gati/gatitest"
)

var flakyUp atomic.Bool

func init() {
	effects.Register("flaky-test", func(ctx context.Context, cfg effects.OpenConfig) (effects.Backend, error) {
		if !flakyUp.Load() {
			return nil, errors.New("dial tcp 127.0.0.1:5432: connection refused")
		}
		return effects.NewMemory(), nil
	})
}

func TestBackendDownAtStart(t *testing.T) {
	flakyUp.Store(false)
	app := gati.New(gati.WithConfig(&gati.Config{}), gati.WithLogOutput(io.Discard))
	effects.Install(app, effects.WithConfig(effects.Config{Backend: "flaky-test"}))
	err := app.Start(context.Background())
	if err == nil {
		app.Stop(context.Background())
		t.Fatal("the app started with its effects backend down")
	}
	for _, want := range []string{`module "effects"`, "open the flaky-test backend", "127.0.0.1:5432: connection refused"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("start error %q does not say %q", err, want)
		}
	}
}

func TestStartDegradedRecovers(t *testing.T) {
	defer effects.SetReopenEvery(20 * time.Millisecond)()
	flakyUp.Store(false)
	kind := effects.Define[welcome]("degraded")
	app := gati.New(gati.WithConfig(&gati.Config{}), gati.WithLogOutput(io.Discard))
	fx := effects.Install(app, effects.WithConfig(effects.Config{Backend: "flaky-test", StartDegraded: true}))
	ran := make(chan struct{}, 1)
	effects.Work(fx, kind, func(context.Context, effects.Effect[welcome]) error { ran <- struct{}{}; return nil })
	app.HandleFunc("POST /x", func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
		if _, err := kind.Enqueue(lctx.Context(), welcome{}); err != nil {
			return gati.NewError(http.StatusServiceUnavailable, "effects_unavailable", err.Error())
		}
		return res.NoContent()
	})
	srv := gatitest.Serve(t, app)
	post := func() (int, string) {
		resp, err := http.Post(srv.URL+"/x", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := post(); code != 503 || !strings.Contains(body, "the flaky-test backend is unavailable (the app started degraded") {
		t.Fatalf("enqueue while degraded: %d %s", code, body)
	}
	if resp, err := http.Get(srv.URL + gati.PathReady); err != nil || resp.StatusCode != 200 {
		t.Fatalf("readiness while degraded: %v %v, want 200 (degraded by choice)", resp.StatusCode, err)
	}
	if m := scrape(t, srv.URL); !strings.Contains(m, "gati_effects_backend_up 0") {
		t.Errorf("metrics while degraded lack gati_effects_backend_up 0")
	}
	flakyUp.Store(true)
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, body := post()
		if code == 204 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the backend came back but enqueue still fails: %d %s", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("the effect enqueued after recovery never ran")
	}
	if m := scrape(t, srv.URL); !strings.Contains(m, "gati_effects_backend_up 1") {
		t.Errorf("metrics after recovery lack gati_effects_backend_up 1")
	}
}

func scrape(t *testing.T, url string) string {
	resp, err := http.Get(url + gati.PathMetrics)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
