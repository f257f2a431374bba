package devserver

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

// phases is where a reload's time went. Prepare and the first go build
// run at the same time, unless skipped or sequential says otherwise; rebuild is the second build needed when Prepare
// changed gati_gen.go.
type phases struct {
	prepare, build, rebuild, start time.Duration
	skipped                        bool // Prepare did not run: Unchanged said it had nothing to do
	sequential                     bool // Prepare ran before go build
}

func (p phases) String() string {
	s := fmt.Sprintf("go build %.2fs", p.build.Seconds())
	switch {
	case p.skipped:
		s = "prepare skipped (no directive or signature changed) · " + s
	case p.sequential:
		s = fmt.Sprintf("prepare %.2fs · %s", p.prepare.Seconds(), s)
	case p.prepare > 0:
		s = fmt.Sprintf("prepare %.2fs ∥ %s", p.prepare.Seconds(), s)
	}
	if p.rebuild > 0 {
		s += fmt.Sprintf(" + %.2fs (gati_gen.go changed)", p.rebuild.Seconds())
	}
	return s + fmt.Sprintf(" · start %.2fs", p.start.Seconds())
}

// start prepares and builds the app and starts the build, waiting until
// it is ready.
func (s *supervisor) start(ctx context.Context) (*child, error) {
	s.phases = phases{}
	bin, err := s.prepareAndBuild(ctx)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	defer func() { s.phases.start = time.Since(t0) }()
	c, err := startChild(bin, s.o.Dir, s.out)
	if err != nil {
		removeBinary(s.o.Dir, bin)
		return nil, err
	}
	if err := c.waitReady(ctx); err != nil {
		c.stop(stopGrace)
		removeBinary(s.o.Dir, bin)
		return nil, err
	}
	return c, nil
}

// prepareAndBuild prepares and builds the app: on a reload, when
// Unchanged says Prepare has nothing to do, it only builds; when it says
// Prepare has, it prepares, then builds. Otherwise, and always on the
// first build, it runs Prepare and go build at the same time: most edits
// leave gati_gen.go as it was, and then the build that ran alongside
// Prepare is the right one. When Prepare rewrote gati_gen.go with other
// content, that build may have read either version, so it runs again.
// A Prepare error wins over the build's: it is the analyzer's report.
func (s *supervisor) prepareAndBuild(ctx context.Context) (string, error) {
	switch {
	case s.o.Prepare == nil:
		return s.timedBuild(ctx, &s.phases.build)
	case s.started && s.o.Unchanged != nil && s.o.Unchanged():
		s.phases.skipped = true
		return s.timedBuild(ctx, &s.phases.build)
	case s.started && s.o.Unchanged != nil:
		return s.prepareThenBuild(ctx)
	}
	return s.prepareBesideBuild(ctx)
}

// prepareThenBuild runs Prepare, then go build.
func (s *supervisor) prepareThenBuild(ctx context.Context) (string, error) {
	t0 := time.Now()
	err := s.o.Prepare(ctx)
	s.phases.prepare = time.Since(t0)
	s.genSum = fileSum(filepath.Join(s.o.Dir, genFile))
	switch {
	case ctx.Err() != nil:
		return "", errStopped
	case err != nil:
		return "", err
	}
	s.phases.sequential = true
	return s.timedBuild(ctx, &s.phases.build)
}

// prepareBesideBuild runs Prepare and go build at the same time; see
// prepareAndBuild.
func (s *supervisor) prepareBesideBuild(ctx context.Context) (string, error) {
	gen := filepath.Join(s.o.Dir, genFile)
	before := fileSum(gen)
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	built := make(chan buildResult, 1)
	go func() {
		var r buildResult
		r.bin, r.err = s.timedBuild(bctx, &r.took)
		built <- r
	}()
	t0 := time.Now()
	err := s.o.Prepare(ctx)
	s.phases.prepare = time.Since(t0)
	s.genSum = fileSum(gen)
	if err != nil || ctx.Err() != nil {
		cancel()
		s.discard(<-built)
		if ctx.Err() != nil {
			return "", errStopped
		}
		return "", err
	}
	r := <-built
	s.phases.build = r.took
	if s.genSum == before {
		return r.bin, r.err
	}
	s.discard(r)
	return s.timedBuild(ctx, &s.phases.rebuild)
}

type buildResult struct {
	bin  string
	err  error
	took time.Duration
}

func (s *supervisor) discard(r buildResult) {
	if r.err == nil {
		removeBinary(s.o.Dir, r.bin)
	}
}

// timedBuild builds the next binary and stores how long it took in took.
// Until a build serves, builds go to build 0's name.
func (s *supervisor) timedBuild(ctx context.Context, took *time.Duration) (string, error) {
	n := 0
	if s.started {
		s.builds++
		n = s.builds
	}
	t0 := time.Now()
	bin, err := build(ctx, s.o.Dir, n, s.flags, s.out, s.o.Progress)
	*took = time.Since(t0)
	return bin, err
}
