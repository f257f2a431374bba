package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/tasks/store"
	"gati.dev/gati"
)

// startStore runs a store inside an app configured by yaml, as the
// example's main does, and stops the app when the test ends.
func startStore(t *testing.T, yaml string) (*store.Store, *gati.App) {
	t.Helper()
	s := store.New()
	app := newApp(t, yaml)
	app.Module(s)
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Stop(context.Background()) })
	return s, app
}

func newApp(t *testing.T, yaml string) *gati.App {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "gati.yaml")
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return gati.New(gati.WithEnv("test"), gati.WithConfigFile(cfg), gati.WithLogOutput(io.Discard))
}

func TestCRUD(t *testing.T) {
	t.Parallel()
	s, _ := startStore(t, "")
	due := time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC)
	a, err := s.Create("write docs", &due)
	if err != nil || a.ID != "1" || a.Title != "write docs" || a.Done || !a.Due.Equal(due) || a.CreatedAt.IsZero() {
		t.Fatalf("Create = %+v, %v", a, err)
	}
	b, _ := s.Create("test examples", nil)
	c, _ := s.Create("ship", nil)

	if got, err := s.Get(b.ID); err != nil || got != b {
		t.Fatalf("Get(%s) = %+v, %v", b.ID, got, err)
	}
	if _, err := s.Get("nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get(nope) err = %v", err)
	}

	upd, err := s.Update(b.ID, func(t *store.Task) { t.Done, t.ID = true, "hijacked" })
	if err != nil || !upd.Done || upd.ID != b.ID || upd.Title != b.Title || upd.UpdatedAt.Before(b.UpdatedAt) {
		t.Fatalf("Update = %+v, %v", upd, err)
	}
	if _, err := s.Update("nope", func(*store.Task) {}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Update(nope) err = %v", err)
	}

	yes, no := true, false
	tests := []struct {
		f    store.Filter
		want string
	}{
		{store.Filter{}, "1 2 3"},
		{store.Filter{Done: &yes}, "2"},
		{store.Filter{Done: &no}, "1 3"},
		{store.Filter{Limit: 2}, "1 2"},
		{store.Filter{Done: &no, Limit: 1}, "1"},
	}
	for _, tt := range tests {
		if got := ids(s.List(tt.f)); got != tt.want {
			t.Errorf("List(%+v) = %q, want %q", tt.f, got, tt.want)
		}
	}

	if err := s.Delete(a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second Delete err = %v", err)
	}
	if got := ids(s.List(store.Filter{})); got != "2 3" {
		t.Fatalf("after delete: %q", got)
	}
	if d, _ := s.Create("next", nil); d.ID != "4" {
		t.Fatalf("ids are reused: new task got %q after %q", d.ID, c.ID)
	}
}

func TestEmptyListIsNotNil(t *testing.T) {
	t.Parallel()
	if got := store.New().List(store.Filter{}); got == nil || len(got) != 0 {
		t.Fatalf("List = %#v, want an empty non-nil slice (JSON [] rather than null)", got)
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml string
		max        int
		err        string
	}{
		{"default", "", store.DefaultMaxTasks, ""},
		{"set", "modules:\n  store:\n    max_tasks: 2\n", 2, ""},
		{"environment override", "modules:\n  store:\n    max_tasks: 2\nenvironments:\n  test:\n    modules:\n      store:\n        max_tasks: 5\n", 5, ""},
		{"unknown field", "modules:\n  store:\n    max_task: 2\n", 0, "field max_task not found"},
		{"zero", "modules:\n  store:\n    max_tasks: 0\n", 0, "must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := store.New()
			app := newApp(t, tt.yaml)
			app.Module(s)
			err := app.Start(t.Context())
			if err == nil {
				defer app.Stop(context.Background())
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), `module "store"`) {
					t.Fatalf("Start err = %v, want one naming the store and %q", err, tt.err)
				}
				return
			}
			if err != nil || s.MaxTasks() != tt.max {
				t.Fatalf("MaxTasks = %d (err %v), want %d", s.MaxTasks(), err, tt.max)
			}
		})
	}
}

func TestFull(t *testing.T) {
	t.Parallel()
	s, _ := startStore(t, "modules:\n  store:\n    max_tasks: 2\n")
	for i := range 2 {
		if _, err := s.Create(fmt.Sprint("task ", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Create("one too many", nil); !errors.Is(err, store.ErrFull) {
		t.Fatalf("third Create err = %v, want ErrFull", err)
	}
	_ = s.Delete("1")
	if _, err := s.Create("room again", nil); err != nil {
		t.Fatalf("Create after Delete: %v", err)
	}
}

func TestMetricAndHealth(t *testing.T) {
	t.Parallel()
	s, app := startStore(t, "")
	s.Create("a", nil)
	s.Create("b", nil)
	s.Create("c", nil)
	s.Delete("2")
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest("GET", gati.PathMetrics, nil))
	if body := rec.Body.String(); !strings.Contains(body, "\nstore_tasks 2\n") || !strings.Contains(body, "# HELP store_tasks Tasks in the store.") {
		t.Fatalf("metrics lack store_tasks 2:\n%s", body)
	}

	rec = httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest("GET", gati.PathReady, nil))
	if rec.Code != 200 {
		t.Fatalf("ready: %d %s", rec.Code, rec.Body)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest("GET", gati.PathReady, nil))
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), `"module:store":"store: closed"`) {
		t.Fatalf("ready after shutdown: %d %s", rec.Code, rec.Body)
	}
	if _, err := s.Create("late", nil); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Create after Shutdown err = %v", err)
	}
}

func TestSubscribe(t *testing.T) {
	t.Parallel()
	s := store.New()
	events, unsubscribe := s.Subscribe(8)
	a, _ := s.Create("a", nil)
	s.Update(a.ID, func(t *store.Task) { t.Done = true })
	s.Delete(a.ID)
	s.Delete(a.ID) // fails: no event
	var got []string
	for range 3 {
		ev := recv(t, events)
		got = append(got, fmt.Sprintf("%d:%s:%s:%t", ev.Seq, ev.Type, ev.Task.ID, ev.Task.Done))
	}
	if want := "1:created:1:false 2:updated:1:true 3:deleted:1:true"; strings.Join(got, " ") != want {
		t.Fatalf("events %q, want %q", got, want)
	}
	unsubscribe()
	unsubscribe() // harmless twice
	if _, ok := <-events; ok {
		t.Fatal("channel open after unsubscribe")
	}
}

func TestSlowSubscriberIsDropped(t *testing.T) {
	t.Parallel()
	s := store.New()
	slow, _ := s.Subscribe(2)
	fast, unsubscribe := s.Subscribe(16)
	defer unsubscribe()
	for i := range 3 {
		if _, err := s.Create(fmt.Sprint(i), nil); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for range slow {
		n++
	}
	if n != 2 {
		t.Fatalf("slow subscriber got %d events before its channel closed, want its buffer of 2", n)
	}
	for i := range 3 {
		if ev := recv(t, fast); ev.Seq != uint64(i+1) {
			t.Fatalf("fast subscriber event %d has seq %d", i, ev.Seq)
		}
	}
}

func TestShutdownEndsSubscriptions(t *testing.T) {
	t.Parallel()
	s := store.New()
	events, unsubscribe := s.Subscribe(1)
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-events; ok {
		t.Fatal("subscription open after Shutdown")
	}
	unsubscribe() // after Shutdown closed the channel: must not panic
	late, _ := s.Subscribe(1)
	if _, ok := <-late; ok {
		t.Fatal("subscription after Shutdown is open")
	}
	if err := s.Health(context.Background()); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Health = %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s := store.New()
	events, unsubscribe := s.Subscribe(1000)
	defer unsubscribe()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 25 {
				task, err := s.Create(fmt.Sprintf("w%d-%d", w, i), nil)
				if err != nil {
					t.Error(err)
					return
				}
				s.Update(task.ID, func(t *store.Task) { t.Done = true })
				s.List(store.Filter{Limit: 10})
				if i%2 == 0 {
					s.Delete(task.ID)
				}
			}
		})
	}
	wg.Wait()
	if n := len(s.List(store.Filter{})); n != 8*12 {
		t.Fatalf("%d tasks left", n)
	}
	if n := len(events); n != 8*25*2+8*13 {
		t.Fatalf("%d events, want %d", n, 8*25*2+8*13)
	}
}

func recv(t *testing.T, ch <-chan store.Event) store.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("channel closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return store.Event{}
}

func ids(tasks []store.Task) string {
	s := make([]string, len(tasks))
	for i, t := range tasks {
		s[i] = t.ID
	}
	return strings.Join(s, " ")
}
