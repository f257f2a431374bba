package effects_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"gati.dev/gati"
	"gati.dev/gati/effects"
	"gati.dev/gati/effects/effectstest"
	"gati.dev/gati/gatitest"
)

type welcome struct {
	Email string  `json:"email"`
	Score float64 `json:"score"`
}

func newApp(t *testing.T, env string, opts ...effects.InstallOption) (*gati.App, *effects.Effects) {
	t.Helper()
	app := gati.New(gati.WithConfig(&gati.Config{}), gati.WithEnv(env), gati.WithLogOutput(io.Discard))
	fx := effects.Install(app, opts...)
	return app, fx
}

func TestEnqueueFromHandlerCarriesTheTrace(t *testing.T) {
	kind := effects.Define[welcome]("welcome")
	mem := effects.NewMemory()
	app, fx := newApp(t, "production", effects.WithBackend(mem))
	seen := make(chan effects.Effect[welcome], 1)
	effects.Work(fx, kind, func(ctx context.Context, e effects.Effect[welcome]) error {
		seen <- e
		return nil
	})
	app.HandleFunc("POST /signup", func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
		enq, err := kind.Enqueue(lctx.Context(), welcome{Email: "ada@example.com"})
		if err != nil {
			return err
		}
		return res.JSON(http.StatusAccepted, enq)
	})
	srv := gatitest.Serve(t, app)
	req, _ := http.NewRequest("POST", srv.URL+"/signup", nil)
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	req.Header.Set("X-Request-Id", "signup-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var enq effects.Enqueued
	json.NewDecoder(resp.Body).Decode(&enq)
	if resp.StatusCode != http.StatusAccepted || enq.ID == "" {
		t.Fatalf("POST /signup: %d %+v", resp.StatusCode, enq)
	}
	select {
	case e := <-seen:
		if e.Args.Email != "ada@example.com" || e.ID != enq.ID || e.Attempt != 1 {
			t.Errorf("worker saw %+v", e)
		}
		if e.TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" || e.RequestID != "signup-1" {
			t.Errorf("worker saw trace %q request %q, want the enqueuing request's", e.TraceID, e.RequestID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the effect never ran")
	}
}

func TestEnqueueRefusesBadInputAndWritesNothing(t *testing.T) {
	registered := effects.Define[welcome]("registered")
	unregistered := effects.Define[welcome]("unregistered")
	badName := effects.Define[welcome]("Bad Name")
	mem := effects.NewMemory()
	app, fx := newApp(t, "production", effects.WithBackend(mem))
	effects.Work(fx, registered, func(context.Context, effects.Effect[welcome]) error { return nil })
	var errs []error
	app.HandleFunc("POST /x", func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
		ctx := lctx.Context()
		for _, try := range []func() error{
			func() error { _, err := unregistered.Enqueue(ctx, welcome{}); return err },
			func() error { _, err := registered.Enqueue(ctx, welcome{Score: math.Inf(1)}); return err },
			func() error { _, err := registered.Enqueue(ctx, welcome{}, effects.Priority(9)); return err },
			func() error {
				_, err := registered.Enqueue(ctx, welcome{}, effects.Queue("nobody-works-here"))
				return err
			},
			func() error { _, err := badName.Enqueue(ctx, welcome{}); return err },
			func() error { _, err := registered.EnqueueTx(ctx, "not a tx", welcome{}); return err },
		} {
			errs = append(errs, try())
		}
		return res.NoContent()
	})
	srv := gatitest.Serve(t, app)
	resp, err := http.Post(srv.URL+"/x", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := []string{
		"enqueue unregistered: no worker is registered for this kind",
		"enqueue registered: the args do not marshal to JSON",
		"enqueue registered: priority 9: use 1 (first) to 4 (last)",
		`enqueue registered: queue "nobody-works-here" has no workers`,
		`kind name "Bad Name"`,
		"the memory backend cannot enqueue inside a database transaction",
	}
	for i, w := range want {
		if errs[i] == nil || !strings.Contains(errs[i].Error(), w) {
			t.Errorf("case %d: error %v, want it to say %q", i, errs[i], w)
		}
	}
	if stats, _ := mem.Stats(context.Background()); len(stats) != 0 {
		t.Errorf("refused enqueues wrote effects: %+v", stats)
	}
}

func TestEnqueueOutsideARequestSaysWhatItNeeds(t *testing.T) {
	kind := effects.Define[welcome]("outside")
	_, err := kind.Enqueue(context.Background(), welcome{})
	if err == nil || !strings.Contains(err.Error(), "needs a request's context") {
		t.Fatalf("Enqueue with a bare context: %v", err)
	}
}

func TestBackendNotLinkedRefusesToStart(t *testing.T) {
	app := gati.New(gati.WithConfig(&gati.Config{}), gati.WithLogOutput(io.Discard))
	effects.Install(app, effects.WithConfig(effects.Config{Backend: "nosuch"}))
	err := app.Start(context.Background())
	if err == nil {
		app.Stop(context.Background())
		t.Fatal("the app started without its effects backend")
	}
	for _, want := range []string{`the backend "nosuch" is not linked`, `import _ "gati.dev/gati/effects/nosuch"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("start error %q does not say %q", err, want)
		}
	}
}

type downBackend struct{ *effects.Memory }

func (downBackend) Enqueue(context.Context, []*effects.Job) ([]effects.Inserted, error) {
	return nil, errors.New("connection refused")
}

func TestEnqueueDuringAnOutageReturnsTheError(t *testing.T) {
	kind := effects.Define[welcome]("outage")
	fx := effects.New(downBackend{effects.NewMemory()}, effects.Config{})
	effects.Work(fx, kind, func(context.Context, effects.Effect[welcome]) error { return nil })
	if err := fx.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer fx.Stop(context.Background())
	_, err := kind.Enqueue(effects.WithEffects(context.Background(), fx), welcome{})
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("enqueue to a backend that is down: %v, want its error", err)
	}
}

type plainBackend struct{ *effects.Memory }

func (plainBackend) Name() string { return "plain" }
func (plainBackend) Capabilities() effects.Capabilities {
	return effects.Capabilities{MaxDelay: time.Minute}
}

func TestOptionsTheBackendLacksAreRefused(t *testing.T) {
	kind := effects.Define[welcome]("caps")
	fx := effects.New(plainBackend{effects.NewMemory()}, effects.Config{})
	effects.Work(fx, kind, func(context.Context, effects.Effect[welcome]) error { return nil })
	if err := fx.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer fx.Stop(context.Background())
	ctx := effects.WithEffects(context.Background(), fx)
	for opt, want := range map[string]effects.Option{
		"does not order by priority":      effects.Priority(1),
		"does not support unique keys":    effects.Unique("k", time.Minute),
		"longer than the plain backend's": effects.Delay(time.Hour),
	} {
		if _, err := kind.Enqueue(ctx, welcome{}, want); err == nil || !strings.Contains(err.Error(), opt) {
			t.Errorf("option the backend lacks: %v, want %q", err, opt)
		}
	}
	if _, err := kind.Enqueue(ctx, welcome{}, effects.Delay(30*time.Second)); err != nil {
		t.Errorf("a delay within the backend's bound: %v", err)
	}
}

func TestEndpointOnlyInDevelopment(t *testing.T) {
	for env, want := range map[string]int{"production": 404, "development": 200} {
		kind := effects.Define[welcome]("endpoint")
		app, fx := newApp(t, env, effects.WithBackend(effects.NewMemory()))
		effects.Work(fx, kind, func(context.Context, effects.Effect[welcome]) error { return nil })
		srv := gatitest.Serve(t, app)
		for _, path := range []string{effects.PathEffects, effects.PathDead} {
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("%s: GET %s = %d, want %d: %s", env, path, resp.StatusCode, want, body)
			}
			if want == 200 && path == effects.PathEffects && !bytes.Contains(body, []byte(`"kinds":["endpoint"]`)) {
				t.Errorf("overview: %s", body)
			}
		}
	}
}

func TestDLQCommand(t *testing.T) {
	kind := effects.Define[welcome]("cmd")
	mem := effects.NewMemory()
	ins, _ := mem.Enqueue(context.Background(), []*effects.Job{{Kind: "cmd", Queue: "default", Args: []byte(`{"email":"x@y"}`), Priority: 2, MaxAttempts: 1, RunAt: time.Now(), CreatedAt: time.Now()}})
	j, _ := mem.Fetch(context.Background(), "default", 1, time.Minute)
	mem.Complete(context.Background(), []effects.Outcome{{ID: j[0].ID, Lease: j[0].Lease, Result: effects.ResultDead,
		Error: &effects.AttemptError{Attempt: 1, At: time.Now(), Reason: "error", Error: "smtp: 550 mailbox unavailable\nmore detail"}}})
	app, fx := newApp(t, "production", effects.WithBackend(mem))
	effects.Work(fx, kind, func(context.Context, effects.Effect[welcome]) error { return nil })
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := app.RunCommand(context.Background(), "effects", args, &out)
		return out.String(), err
	}
	out, err := run("dlq", "list")
	if err != nil || !strings.Contains(out, ins[0].ID) || !strings.Contains(out, "error: smtp: 550 mailbox unavailable") || strings.Contains(out, "more detail") {
		t.Fatalf("dlq list: %v\n%s", err, out)
	}
	out, err = run("dlq", "inspect", ins[0].ID)
	if err != nil || !strings.Contains(out, `"email": "x@y"`) || !strings.Contains(out, "more detail") {
		t.Fatalf("dlq inspect: %v\n%s", err, out)
	}
	if _, err := run("dlq", "retry"); err == nil || !strings.Contains(err.Error(), "name effect ids, or -all") {
		t.Errorf("dlq retry with nothing named: %v", err)
	}
	out, err = run("dlq", "retry", "-all", "-kind", "cmd")
	if err != nil || !strings.Contains(out, "retried 1 of 1") {
		t.Fatalf("dlq retry -all: %v\n%s", err, out)
	}
	if got, _ := mem.Get(context.Background(), ins[0].ID); got.State != effects.StateAvailable {
		t.Errorf("after dlq retry: %s", got.State)
	}
	if _, err := run("dlq", "discard", ins[0].ID); err == nil || !strings.Contains(err.Error(), "no dead effect has this id") {
		t.Errorf("discard of an effect that is not dead: %v", err)
	}
	if err := app.RunCommand(context.Background(), "nope", nil, io.Discard); err == nil || !strings.Contains(err.Error(), "its commands: effects") {
		t.Errorf("unknown command: %v", err)
	}
}

func TestRoleAPIEnqueuesWithoutRunning(t *testing.T) {
	kind := effects.Define[welcome]("api-only")
	mem := effects.NewMemory()
	app := gati.New(gati.WithConfig(&gati.Config{}), gati.WithLogOutput(io.Discard), gati.WithRole(gati.RoleAPI))
	fx := effects.Install(app, effects.WithBackend(mem))
	ran := make(chan struct{}, 1)
	effects.Work(fx, kind, func(context.Context, effects.Effect[welcome]) error { ran <- struct{}{}; return nil })
	app.HandleFunc("POST /x", func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
		_, err := kind.Enqueue(lctx.Context(), welcome{})
		if err != nil {
			return err
		}
		return res.NoContent()
	})
	srv := gatitest.Serve(t, app)
	resp, err := http.Post(srv.URL+"/x", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("enqueue in an api process: %d", resp.StatusCode)
	}
	select {
	case <-ran:
		t.Fatal("an api process ran a worker")
	case <-time.After(300 * time.Millisecond):
	}
	if got := effectstest.Enqueued(t, mem, kind); len(got) != 1 || got[0].Attempt != 0 {
		t.Fatalf("enqueued: %+v, want one effect waiting", got)
	}
}
