package gati

import (
	"io"
	"net/http"
)

// Health and metrics endpoints, served by every app.
const (
	PathLive    = "/healthz/live"
	PathReady   = "/healthz/ready"
	PathStartup = "/healthz/startup"
	PathMetrics = "/metrics"
)

type healthReport struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

func (a *App) registerBuiltins() {
	builtin := []RouteOption{routeOption(func(r *route) { r.builtin, r.loc = true, "gati (built-in)" })}
	a.handle("GET "+PathLive, HandlerFunc(a.serveLive), "", builtin)
	a.handle("GET "+PathReady, HandlerFunc(a.serveReady), "", builtin)
	a.handle("GET "+PathStartup, HandlerFunc(a.serveStartup), "", builtin)
	metrics := a.global.metrics.handler()
	a.handle("GET "+PathMetrics, HandlerFunc(func(req *Request, res *Response, _ *Global, _ *Local) error {
		w, err := res.Hijack()
		if err == nil {
			metrics.ServeHTTP(w, req.r)
		}
		return err
	}), "", builtin)
}

// serveLive answers 200 while the process can serve at all.
func (a *App) serveLive(_ *Request, res *Response, _ *Global, _ *Local) error {
	return res.JSON(http.StatusOK, healthReport{Status: "ok"})
}

// serveStartup answers 200 once Start has finished.
func (a *App) serveStartup(_ *Request, res *Response, _ *Global, _ *Local) error {
	return res.JSON(http.StatusOK, healthReport{Status: "started"})
}

// serveReady answers 200 when every module and registered check is
// healthy and the app is not shutting down, else 503 with the reasons.
func (a *App) serveReady(req *Request, res *Response, _ *Global, _ *Local) error {
	rep := a.readinessReport()
	status := http.StatusOK
	if rep.Status != "ready" {
		status = http.StatusServiceUnavailable
	}
	res.Header().Set("Cache-Control", "no-store")
	return res.JSON(status, rep)
}

func (a *App) readinessReport() healthReport {
	rep := healthReport{Status: "ready"}
	if a.shuttingDown.Load() {
		rep.Status = "shutting_down"
		return rep
	}
	if failed := a.ready.failures(a); len(failed) > 0 {
		rep.Status, rep.Checks = "unavailable", failed
	}
	return rep
}

// serveStarting answers while the app starts: the health endpoints say
// so, every other route is 503 not_started.
func (a *App) serveStarting(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "1")
	switch r.URL.Path {
	case PathLive, PathReady, PathStartup:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"status":"starting"}`+"\n")
		return
	}
	writeProblem(w, problemFor(NewError(http.StatusServiceUnavailable, "not_started",
		"the app is starting: retry shortly"), r.URL.Path, "", false))
}
