package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// serveFile answers every request with the file's content, as a dev
// server would once it has reloaded: the edit shows at once.
func serveFile(t *testing.T, file string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := os.ReadFile(file)
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestEditSeesTheNewCode(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "hello.go")
	if err := os.WriteFile(file, []byte(`"Hello, "`), 0o644); err != nil {
		t.Fatal(err)
	}
	l := startLoop(serveFile(t, file), time.Millisecond)
	s, err := l.edit(file, `"Reload1, "`, "Reload1, ")
	ok, failed := l.finish()
	if err != nil {
		t.Fatal(err)
	}
	if s.took < 0 || s.gap < 0 {
		t.Errorf("switched = %+v, want neither negative", s)
	}
	if ok == 0 || failed != 0 {
		t.Errorf("requests: %d ok, %d failed; want some ok, none failed", ok, failed)
	}
}

func TestLoopCountsFailures(t *testing.T) {
	t.Parallel()
	second := make(chan struct{}) // the loop sends a request once it has counted the last
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 2 {
			close(second)
		}
		http.Error(w, "down", http.StatusBadGateway)
	}))
	t.Cleanup(srv.Close)
	l := startLoop(srv.URL, time.Millisecond)
	<-second
	if ok, failed := l.finish(); ok != 0 || failed == 0 {
		t.Errorf("requests: %d ok, %d failed; want none ok, some failed", ok, failed)
	}
}
