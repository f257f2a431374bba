package devserver

import (
	"fmt"
	"net/http"
	"strings"
)

// ServeHTTP serves the dev status, the build error, or the app.
func (s *supervisor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == StatusPath {
		serveStatus(w, s.status.Load())
		return
	}
	for prefix, h := range s.o.Serve {
		if strings.HasPrefix(r.URL.Path, prefix) {
			h.ServeHTTP(w, r)
			return
		}
	}
	select {
	case <-s.first: // requests during the first build wait for it
	case <-r.Context().Done():
		return
	}
	st := s.status.Load()
	if st.State == StateBuildFailed && wantsHTML(r) {
		s.serveBuildError(w, st)
		return
	}
	t := acquire(&s.cur)
	if t == nil {
		s.serveDown(w, r, st)
		return
	}
	if st.State == StateBuildFailed {
		w.Header().Set(ErrorHeader, "build failed")
	}
	t.serve(w, r)
}

// serveBuildError shows a browser the build error: 500 while an older
// build serves API requests, 503 when none does.
func (s *supervisor) serveBuildError(w http.ResponseWriter, st *Status) {
	if s.cur.Load() == nil {
		writeErrorPage(w, http.StatusServiceUnavailable, "Build failed", "", st.Error)
		return
	}
	writeErrorPage(w, http.StatusInternalServerError, "Build failed",
		"The last good build keeps serving API requests.", st.Error)
}

// serveDown answers when no build runs: the first build failed, the app
// exited, or the dev server is stopping.
func (s *supervisor) serveDown(w http.ResponseWriter, r *http.Request, st *Status) {
	code, title, detail := "dev_build_failed", "Build failed", st.Error
	switch st.State {
	case StateExited:
		code, title = "dev_app_exited", "The app exited"
	case StateOK, StateStarting:
		code, title, detail = "dev_stopping", "The dev server is stopping", "the dev server is stopping"
	}
	if wantsHTML(r) {
		writeErrorPage(w, http.StatusServiceUnavailable, title, "", detail)
		return
	}
	writeProblem(w, http.StatusServiceUnavailable, code, detail)
}

// proxyError answers when the app did not: it crashed or was killed
// mid-request.
func (s *supervisor) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the client went away
	}
	fmt.Fprintf(s.out, "gati dev: %s %s: the app did not answer: %v\n", r.Method, r.URL.Path, err)
	writeProblem(w, http.StatusBadGateway, "dev_app_unavailable", "the app did not answer: "+err.Error())
}
