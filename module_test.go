package gati_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"gati.dev/gati"
)

// recorder collects lifecycle events across modules.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.events, " ")
}

type testModule struct {
	name     string
	requires []string
	rec      *recorder
	initErr  error
	initFn   func(ctx context.Context) error
	healthy  error
	timeout  time.Duration
	cfg      struct {
		Size int `yaml:"size"`
	}
}

func (m *testModule) ModuleInfo() gati.ModuleInfo {
	return gati.ModuleInfo{Name: m.name, Requires: m.requires, InitTimeout: m.timeout}
}

func (m *testModule) Init(ctx context.Context, mc *gati.ModuleContext) error {
	m.rec.add("init:" + m.name)
	if err := mc.DecodeConfig(&m.cfg); err != nil {
		return err
	}
	if m.initFn != nil {
		return m.initFn(ctx)
	}
	return m.initErr
}

func (m *testModule) Shutdown(context.Context) error {
	m.rec.add("shutdown:" + m.name)
	return nil
}

func (m *testModule) Health(context.Context) error { return m.healthy }

func TestModulesInitInDependencyOrderAndShutDownInReverse(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	app := newApp()
	app.Module(&testModule{name: "api", requires: []string{"cache", "db"}, rec: rec})
	app.Module(&testModule{name: "cache", requires: []string{"db"}, rec: rec})
	app.Module(&testModule{name: "db", rec: rec})
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := app.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := "init:db init:cache init:api shutdown:api shutdown:cache shutdown:db"
	if got := rec.String(); got != want {
		t.Fatalf("events:\n got %s\nwant %s", got, want)
	}
}

func TestModuleStartFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		modules func(rec *recorder) []*testModule
		want    []string
	}{
		{"cycle", func(rec *recorder) []*testModule {
			return []*testModule{{name: "a", requires: []string{"b"}, rec: rec}, {name: "b", requires: []string{"c"}, rec: rec},
				{name: "c", requires: []string{"a"}, rec: rec}}
		}, []string{"module dependency cycle: a → b → c → a"}},
		{"missing dependency", func(rec *recorder) []*testModule {
			return []*testModule{{name: "a", requires: []string{"ghost"}, rec: rec}}
		}, []string{`module "a" requires "ghost", which is not registered`}},
		{"init error", func(rec *recorder) []*testModule {
			return []*testModule{{name: "db", rec: rec}, {name: "cache", requires: []string{"db"}, rec: rec, initErr: errors.New("connection refused")}}
		}, []string{`module "cache" failed to initialize: connection refused`}},
		{"init panic", func(rec *recorder) []*testModule {
			return []*testModule{{name: "db", rec: rec, initFn: func(context.Context) error { panic("nil map") }}}
		}, []string{`module "db" failed to initialize: panic: nil map`}},
		{"init timeout", func(rec *recorder) []*testModule {
			return []*testModule{{name: "slow", rec: rec, timeout: 20 * time.Millisecond,
				initFn: func(ctx context.Context) error { <-ctx.Done(); time.Sleep(10 * time.Millisecond); return nil }}}
		}, []string{`module "slow" failed to initialize: gati: timed out after 20ms`}},
		{"duplicate", func(rec *recorder) []*testModule {
			return []*testModule{{name: "db", rec: rec}, {name: "db", rec: rec}}
		}, []string{`module "db" is already registered at module_test.go:`}},
		{"bad name", func(rec *recorder) []*testModule {
			return []*testModule{{name: "Bad Name", rec: rec}}
		}, []string{`module name "Bad Name" is not valid`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			app := newApp()
			for _, m := range tt.modules(rec) {
				app.Module(m)
			}
			err := app.Start(context.Background())
			if err == nil {
				t.Fatal("Start succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestInitFailureShutsDownInitializedModules(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	app := newApp()
	app.Module(&testModule{name: "db", rec: rec})
	app.Module(&testModule{name: "cache", requires: []string{"db"}, rec: rec, initErr: errors.New("boom")})
	if err := app.Start(context.Background()); err == nil {
		t.Fatal("Start succeeded")
	}
	if got, want := rec.String(), "init:db init:cache shutdown:db"; got != want {
		t.Fatalf("events %q, want %q", got, want)
	}
}

func TestModuleHealthDrivesReadiness(t *testing.T) {
	t.Parallel()
	m := &testModule{name: "db", rec: &recorder{}, healthy: errors.New("replica lag 30s")}
	app := newApp()
	app.Module(m)
	srv := start(t, app)
	r := do(t, srv, "GET", gati.PathReady, "")
	if r.status != 503 || !strings.Contains(r.body, `"module:db":"replica lag 30s"`) {
		t.Fatalf("ready: %d %s", r.status, r.body)
	}
	if r := do(t, srv, "GET", gati.PathLive, ""); r.status != 200 {
		t.Fatalf("live: %d", r.status)
	}
}

func TestModuleOfGivesTypedAccess(t *testing.T) {
	t.Parallel()
	m := &testModule{name: "db", rec: &recorder{}}
	app := newApp()
	app.Module(m)
	app.HandleFunc("GET /m", func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
		return res.Text(200, gati.ModuleOf[*testModule](gctx).name)
	})
	srv := start(t, app)
	if r := do(t, srv, "GET", "/m", ""); r.body != "db" {
		t.Fatalf("got %q", r.body)
	}
	if _, ok := gati.LookupModule[*otherModule](app.Global()); ok {
		t.Fatal("LookupModule found a module that was never registered")
	}
}

type otherModule struct{}

func (otherModule) ModuleInfo() gati.ModuleInfo { return gati.ModuleInfo{Name: "other"} }

func TestModuleConfigSection(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, "modules:\n  db:\n    size: 7\n")
	m := &testModule{name: "db", rec: &recorder{}}
	app := newApp(gati.WithConfigFile(cfg))
	app.Module(m)
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m.cfg.Size != 7 {
		t.Fatalf("size = %d", m.cfg.Size)
	}

	bad := writeConfig(t, "modules:\n  db:\n    sise: 7\n")
	app = newApp(gati.WithConfigFile(bad))
	app.Module(&testModule{name: "db", rec: &recorder{}})
	err := app.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "modules.db: line 3: field sise not found") {
		t.Fatalf("err = %v", err)
	}
}
