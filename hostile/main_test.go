package hostile_test

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// The binaries under test, built once by TestMain.
var (
	helloBin, tasksBin, misbehavingBin string

	// skipAll is why the suite cannot run here; empty when it can.
	skipAll string
)

// helloDir is hello-world's directory: the drain test runs the example
// with its own gati.yaml, as deployed.
var helloDir = filepath.Join("..", "examples", "hello-world")

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "gati-hostile-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
	code := run(m, dir)
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "hostile: goroutines leaked:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func run(m *testing.M, dir string) int {
	inCI := os.Getenv("CI") != ""
	switch {
	case runtime.GOOS == "windows":
		skipAll = "the suite sends SIGTERM; run it on Linux or macOS"
	case testing.Short() && !inCI:
		skipAll = "builds and runs binaries; not in -short mode"
	default:
		if _, err := exec.LookPath("go"); err != nil {
			skipAll = "the go command is not on PATH; install Go 1.26 to build the binaries under test"
		} else if err := buildAll(dir); err != nil {
			fmt.Fprintln(os.Stderr, "hostile:", err)
			return 1
		}
	}
	if skipAll != "" && inCI {
		fmt.Fprintln(os.Stderr, "hostile: $CI is set, so the suite must run, but it cannot:", skipAll)
		return 1
	}
	return m.Run()
}

// buildAll builds the three binaries in parallel into dir.
func buildAll(dir string) error {
	targets := []struct {
		out  *string
		name string
		dir  string // where go build runs
		pkg  string
	}{
		{&helloBin, "hello-world", helloDir, "."},
		{&tasksBin, "tasks", filepath.Join("..", "examples", "tasks"), "."},
		{&misbehavingBin, "misbehaving", "..", "./hostile/testdata/misbehaving"},
	}
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, tg := range targets {
		*tg.out = filepath.Join(dir, tg.name)
		wg.Go(func() {
			cmd := exec.Command("go", "build", "-o", *tg.out, tg.pkg)
			cmd.Dir = tg.dir
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("go build %s (in %s): %v\n%s", tg.pkg, tg.dir, err, out)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// needBinaries skips the test when the suite cannot run here (never in CI;
// see TestMain).
func needBinaries(t *testing.T) {
	t.Helper()
	if skipAll != "" {
		t.Skip(skipAll)
	}
}
