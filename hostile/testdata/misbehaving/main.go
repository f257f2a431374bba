// Command misbehaving is a Gati app whose routes misbehave on purpose, for
// the hostile-client suite in gati.dev/gati/hostile. Every misbehaviour is
// bounded in time, so that nothing it starts outlives a test for long.
//
// Routes:
//
//	GET  /stuck?for=2s     ignores its context and blocks (at most 30s)
//	GET  /wait             waits for its context and returns its error
//	GET  /partial-panic    streams part of a body, then panics
//	GET  /abort            streams part of a body, then panic(http.ErrAbortHandler)
//	GET  /big?id=x         writes 64 MiB in one response
//	GET  /firehose?id=x    a raw stream that writes until a write fails (at most 30s)
//	GET  /report?id=x      how /big or /firehose ended: {"err":..., "after_ms":...}
//	POST /echo             answers the request body
//	POST /order            {"qty": <uint8>}
//
// $MISBEHAVING_INIT_DELAY (a Go duration) makes the "slow" module's Init
// take that long, so that the startup probes can be observed.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"gati.dev/gati"
)

// maxBlock bounds every wait a route makes on purpose.
const maxBlock = 30 * time.Second

func main() {
	app := gati.New()
	app.Module(&slowModule{})
	app.HandleFunc("GET /stuck", stuck)
	app.HandleFunc("GET /wait", wait)
	app.HandleFunc("GET /partial-panic", partial("boom"))
	app.HandleFunc("GET /abort", partial(http.ErrAbortHandler))
	app.HandleFunc("GET /big", big)
	app.HandleFunc("GET /firehose", firehose)
	app.HandleFunc("GET /report", report)
	app.HandleFunc("POST /echo", echo)
	app.Handle("POST /order", gati.Typed(order))
	app.Main()
}

// slowModule's Init takes $MISBEHAVING_INIT_DELAY.
type slowModule struct{}

func (*slowModule) ModuleInfo() gati.ModuleInfo { return gati.ModuleInfo{Name: "slow"} }

func (*slowModule) Init(ctx context.Context, _ *gati.ModuleContext) error {
	d, _ := time.ParseDuration(os.Getenv("MISBEHAVING_INIT_DELAY"))
	select {
	case <-time.After(min(d, maxBlock)):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stuck ignores its context: only its own bound ends it.
func stuck(req *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
	d, err := time.ParseDuration(req.Query("for"))
	if err != nil {
		d = maxBlock
	}
	time.Sleep(min(d, maxBlock))
	return res.Text(http.StatusOK, "too late")
}

// wait does what a database call does at the deadline: returns the
// context's error, wrapped.
func wait(_ *gati.Request, _ *gati.Response, _ *gati.Global, lctx *gati.Local) error {
	select {
	case <-lctx.Context().Done():
		return fmt.Errorf("querying: %w", lctx.Context().Err())
	case <-time.After(maxBlock):
		return nil
	}
}

func partial(v any) gati.HandlerFunc {
	return func(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		s, err := res.Stream(http.StatusOK, "text/plain")
		if err != nil {
			return err
		}
		fmt.Fprint(s, "partial")
		_ = s.Flush()
		panic(v)
	}
}

// outcome is how a long write ended, for /report.
type outcome struct {
	Err     string `json:"err"`
	AfterMS int64  `json:"after_ms"`
	Bytes   int64  `json:"bytes"`
}

var (
	mu       sync.Mutex
	outcomes = map[string]outcome{}
)

func record(id string, began time.Time, n int64, err error) {
	o := outcome{AfterMS: time.Since(began).Milliseconds(), Bytes: n}
	if err != nil {
		o.Err = err.Error()
	}
	mu.Lock()
	outcomes[id] = o
	mu.Unlock()
}

// big answers 64 MiB in one write.
func big(req *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
	began := lctx.Start()
	body := make([]byte, 64<<20)
	err := res.Bytes(http.StatusOK, "application/octet-stream", body)
	record(req.Query("id"), began, res.Size(), err)
	return err
}

// firehose streams 64 KiB chunks until a write fails.
func firehose(req *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
	began := lctx.Start()
	s, err := res.Stream(http.StatusOK, "application/octet-stream")
	if err != nil {
		return err
	}
	chunk := make([]byte, 64<<10)
	var n int64
	for time.Since(began) < maxBlock {
		w, err := s.Write(chunk)
		n += int64(w)
		if err == nil {
			err = s.Flush()
		}
		if err != nil {
			record(req.Query("id"), began, n, err)
			return err
		}
	}
	record(req.Query("id"), began, n, nil)
	return nil
}

func report(req *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
	mu.Lock()
	o, ok := outcomes[req.Query("id")]
	mu.Unlock()
	if !ok {
		return gati.NewError(http.StatusNotFound, "not_yet", "no outcome recorded")
	}
	return res.JSON(http.StatusOK, o)
}

func echo(req *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
	b, err := req.Body()
	if err != nil {
		return err
	}
	return res.Text(http.StatusOK, strings.ToUpper(string(b)))
}

// Order is the body of POST /order.
type Order struct {
	Qty uint8 `json:"qty"`
}

func order(_ *gati.Global, _ *gati.Local, in Order) (Order, error) { return in, nil }
