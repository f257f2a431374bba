package gati

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestCommandNameSkipsFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		name string
		rest []string
	}{
		{[]string{"effects", "dlq", "list"}, "effects", []string{"dlq", "list"}},
		{[]string{"--config", "prod.yaml", "effects", "stats"}, "effects", []string{"stats"}},
		{[]string{"--role", "worker"}, "", nil},
		{[]string{"-role=worker", "effects"}, "effects", []string{}},
		{[]string{"--", "effects"}, "", nil},
		{nil, "", nil},
	} {
		name, rest, ok := commandName(tc.args)
		if name != tc.name || ok != (tc.name != "") || !slices.Equal(rest, tc.rest) {
			t.Errorf("commandName(%q) = %q %q %v, want %q %q", tc.args, name, rest, ok, tc.name, tc.rest)
		}
	}
}

type commandModule struct{ got []string }

func (m *commandModule) ModuleInfo() ModuleInfo { return ModuleInfo{Name: "cmdmod"} }
func (m *commandModule) Commands() []Command {
	return []Command{{Name: "hello", Run: func(ctx context.Context, mc *ModuleContext, args []string, out io.Writer) error {
		m.got = args
		_, err := io.WriteString(out, "hello from "+mc.Name())
		return err
	}}}
}

func TestRunCommandFindsModuleCommands(t *testing.T) {
	app := New(WithConfig(&Config{}), WithLogOutput(io.Discard))
	m := &commandModule{}
	app.Module(m)
	var out bytes.Buffer
	if err := app.RunCommand(context.Background(), "hello", []string{"a", "b"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != "hello from cmdmod" || !slices.Equal(m.got, []string{"a", "b"}) {
		t.Fatalf("command wrote %q with args %q", out.String(), m.got)
	}
	err := app.RunCommand(context.Background(), "nope", nil, &out)
	if err == nil || !strings.Contains(err.Error(), `"nope" is not a command of this app; its commands: hello`) {
		t.Fatalf("unknown command: %v", err)
	}
}

func TestRoleWorkerServesOnlyBuiltIns(t *testing.T) {
	app := New(WithConfig(&Config{}), WithLogOutput(io.Discard), WithRole(RoleWorker))
	app.HandleFunc("GET /api", func(req *Request, res *Response, _ *Global, _ *Local) error { return res.Text(200, "api") })
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	if app.Global().Role() != RoleWorker {
		t.Fatalf("role %q", app.Global().Role())
	}
	for path, want := range map[string]int{"/api": http.StatusNotFound, PathLive: http.StatusOK, PathMetrics: http.StatusOK} {
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != want {
			t.Errorf("GET %s in a worker: %d, want %d: %s", path, rec.Code, want, rec.Body)
		}
		if path == "/api" && !strings.Contains(rec.Body.String(), "worker_role") {
			t.Errorf("GET /api in a worker: %s", rec.Body)
		}
	}
}

func TestRoleMustBeKnown(t *testing.T) {
	app := New(WithConfig(&Config{}), WithLogOutput(io.Discard), WithRole("janitor"))
	err := app.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), `role "janitor"`) {
		t.Fatalf("Start with an unknown role: %v", err)
	}
}
