package cli

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/modfile"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/manifest"
)

// earlyCompile is gati build's go build started beside the analysis,
// into a temporary file next to the binary. Its binary is used only when
// the analysis left gati_gen.go and the manifest as they were when it
// started: then it compiled the same source the build would have. (With
// --release the snapshot may change what the version stamp says, so
// there is no early compile.) A nil *earlyCompile is one not started.
type earlyCompile struct {
	dir, out string
	tmp      string
	sums     [2][sha256.Size]byte
	cancel   context.CancelFunc
	done     chan struct{}
	output   []byte
	err      error
	took     time.Duration
}

// startEarlyCompile starts go build when it can know the binary's path
// before the analysis: from -o, or from go.mod's module path.
func startEarlyCompile(ctx context.Context, o buildOptions) *earlyCompile {
	if o.release {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(o.dir, "go.mod"))
	if err != nil {
		return nil
	}
	out, err := outputPath(o, modfile.ModulePath(data))
	if err != nil || modfile.ModulePath(data) == "" {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	e := &earlyCompile{dir: o.dir, out: out, tmp: fmt.Sprintf("%s.gati-%d", out, os.Getpid()), sums: generatedSums(o.dir), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		start := time.Now()
		e.output, e.err = goBuild(ctx, o, e.tmp)
		e.took = time.Since(start)
	}()
	return e
}

// generatedSums returns the sums of gati_gen.go and the manifest.
func generatedSums(dir string) [2][sha256.Size]byte {
	return [2][sha256.Size]byte{sumFile(filepath.Join(dir, analyze.GenFile)), sumFile(manifest.Path(dir))}
}

// usable reports whether the early compile built what a compile now
// would: into out, from the same generated files.
func (e *earlyCompile) usable(out string) bool {
	return e != nil && out == e.out && generatedSums(e.dir) == e.sums
}

// finish waits for the early compile and moves its binary in place.
func (e *earlyCompile) finish(w io.Writer) error {
	fmt.Fprint(w, "building…")
	start := time.Now()
	<-e.done
	if e.err == nil {
		if err := os.Rename(e.tmp, e.out); err != nil {
			fmt.Fprintln(w)
			return fmt.Errorf("build: %w", err)
		}
	}
	took := fmt.Sprintf(" (%s, %s of it beside the analysis)", seconds(e.took), seconds(max(0, e.took-time.Since(start))))
	return reportCompile(w, e.out, e.output, e.err, took)
}

// abandon stops the early compile, if it runs, and removes its binary.
func (e *earlyCompile) abandon() {
	if e == nil {
		return
	}
	e.cancel()
	<-e.done
	_ = os.Remove(e.tmp)
}
