package kubetest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// The test binary's shared cluster, started by the first Shared.
var shared struct {
	sync.Mutex
	c   *Cluster
	err error
}

// Start starts a cluster of the test's own, stopped when the test (or
// benchmark) ends; if the test failed, the tails of the processes' logs
// are logged first. Missing binaries fail the test with what to run: it
// never skips. Startup takes about 6 s; tests that can share a cluster
// should use Shared.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := Launch(context.Background(), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("kubetest: cluster started in %s (kubeconfig %s, registry %s)", c.StartupTime.Round(time.Millisecond), c.Kubeconfig, c.Registry)
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Log(c.Logs(4000))
		}
		if err := c.Stop(); err != nil {
			tb.Error(err)
		}
	})
	return c
}

// Shared returns the test binary's shared cluster, starting it on first
// use; Main stops it (without Main, the watchdog does when the binary
// exits). If the test fails, the tails of the processes' logs are logged.
// Tests sharing a cluster should use namespaces of their own.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	shared.Lock()
	defer shared.Unlock()
	if shared.c == nil && shared.err == nil {
		shared.c, shared.err = Launch(context.Background(), Options{})
		if shared.err == nil {
			tb.Logf("kubetest: shared cluster started in %s (kubeconfig %s, registry %s)",
				shared.c.StartupTime.Round(time.Millisecond), shared.c.Kubeconfig, shared.c.Registry)
		}
	}
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	c := shared.c
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Log(c.Logs(4000))
		}
	})
	return c
}

// Main runs the tests, then stops the shared cluster if they started it,
// and exits. Call it from TestMain; with goleak, use
// goleak.VerifyTestMain(kubetest.M(m)) instead.
func Main(m *testing.M) { os.Exit(M(m).Run()) }

// M wraps m so that Run stops the shared cluster after the tests, for
// goleak.VerifyTestMain: a stopped cluster leaves no goroutines behind.
func M(m interface{ Run() int }) interface{ Run() int } { return stopAfter{m} }

type stopAfter struct{ m interface{ Run() int } }

func (s stopAfter) Run() int {
	code := s.m.Run()
	shared.Lock()
	defer shared.Unlock()
	if shared.c != nil {
		if err := shared.c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
		shared.c = nil
	}
	return code
}
