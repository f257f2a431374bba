// Package leaktest fails a package's tests when they leave goroutines
// behind: a handler, stream, watchdog, server or readiness check that
// outlives its test.
package leaktest

import (
	"fmt"
	"net/http"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// Main runs the tests, then looks for goroutines left behind, once the
// default client's idle connections (the client's, not the server's) are
// closed. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	http.DefaultClient.CloseIdleConnections()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
