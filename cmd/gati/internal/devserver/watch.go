package devserver

import (
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watcher reports changes to the app's sources: it watches every
// directory under the root, collects the changed files and signals kick
// once they have settled for the debounce time. Changes that arrive while
// a reload runs wait in pending for the next one.
type watcher struct {
	fsw      *fsnotify.Watcher
	root     string
	out      io.Writer
	debounce time.Duration
	kick     chan struct{} // buffered: one reload waiting at most

	mu      sync.Mutex
	pending map[string]bool // changed files, relative to root
	timer   *time.Timer
	done    chan struct{}
}

func newWatcher(root string, debounce time.Duration, out io.Writer) (*watcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watching %s: %w", root, err)
	}
	w := &watcher{fsw: fsw, root: root, out: out, debounce: debounce,
		kick: make(chan struct{}, 1), pending: map[string]bool{}, done: make(chan struct{})}
	if err := w.addTree(root, false); err != nil {
		fsw.Close()
		return nil, fmt.Errorf("watching %s: %w", root, err)
	}
	return w, nil
}

// addTree watches dir and its subdirectories, except skipped ones. With
// note, the relevant files already there count as changed: the directory
// was created (or moved in) after the watch began.
func (w *watcher) addTree(dir string, note bool) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // vanished or unreadable: nothing to watch
		}
		if !d.IsDir() {
			if note && relevant(path) {
				w.note(path)
			}
			return nil
		}
		if path != w.root && skipDir(d.Name()) {
			return filepath.SkipDir
		}
		return w.fsw.Add(path)
	})
}

// skipDir reports directories whose contents never affect the build.
func skipDir(name string) bool {
	switch name {
	case "bin", "node_modules", "testdata":
		return true
	}
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") // .git, .gati, hidden; ignored by go
}

// relevant reports files whose change can change the running app. Tests
// cannot, so _test.go files are not.
func relevant(path string) bool {
	base := filepath.Base(path)
	switch base {
	case "go.mod", "go.sum", "gati.yaml":
		return true
	}
	return strings.HasSuffix(base, ".go") && !strings.HasSuffix(base, "_test.go")
}

func (w *watcher) run() {
	defer close(w.done)
	for {
		select {
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			w.handle(ev)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			fmt.Fprintf(w.out, "gati dev: watching files: %v\n", err)
		}
	}
}

func (w *watcher) handle(ev fsnotify.Event) {
	if ev.Op == fsnotify.Chmod {
		return
	}
	if ev.Has(fsnotify.Create) {
		if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
			if !skipDir(fi.Name()) {
				_ = w.addTree(ev.Name, true)
			}
			return
		}
	}
	if relevant(ev.Name) {
		w.note(ev.Name)
	}
}

// note records a changed file and restarts the debounce timer.
func (w *watcher) note(path string) {
	rel, err := filepath.Rel(w.root, path)
	if err != nil {
		rel = path
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending[filepath.ToSlash(rel)] = true
	if w.timer == nil {
		w.timer = time.AfterFunc(w.debounce, w.signal)
		return
	}
	w.timer.Reset(w.debounce)
}

func (w *watcher) signal() {
	select {
	case w.kick <- struct{}{}:
	default: // a reload is already due; it will take these changes too
	}
}

// take returns the changed files since the last take, sorted.
func (w *watcher) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	files := slices.Sorted(maps.Keys(w.pending))
	clear(w.pending)
	return files
}

func (w *watcher) close() {
	w.fsw.Close()
	<-w.done
	w.mu.Lock()
	if w.timer != nil {
		w.timer.Stop()
	}
	w.mu.Unlock()
}
