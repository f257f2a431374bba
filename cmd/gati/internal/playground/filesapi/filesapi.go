// Package filesapi serves the playground UI the files under an app's
// .gati/playground/: it lists the saved requests and environments, saves
// and deletes requests, saves environments with their secrets, and
// exports requests to curl and tests. gati dev mounts it at [Prefix], in
// front of the app, so the UI the app serves can save what the developer
// builds in it; an app run on its own has no file API, and the UI keeps
// its work in the browser.
//
// # Who may call it
//
// The API writes into the developer's source tree and hands out secret
// values, so it answers only a page of the same origin on this machine:
//
//   - the Host header must name a loopback address (localhost, 127.0.0.1,
//     [::1]), which also defeats DNS rebinding;
//   - every request must carry the header X-Gati-Playground: 1, which a
//     page of another origin cannot send without a CORS preflight that
//     this API never grants;
//   - a browser's Sec-Fetch-Site, when sent, must be same-origin.
//
// Errors are RFC 9457 problem+json; a file Load rejects is listed with its
// line and the others still load.
package filesapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"gati.dev/gati"
	"gati.dev/gati/cmd/gati/internal/playground/collection"
)

// Prefix is where the API is mounted.
const Prefix = "/_playground/api/files/"

// Header must be on every request, with the value "1".
const Header = "X-Gati-Playground"

// maxBody bounds a request body: a saved request or an environment.
const maxBody = 1 << 20

// Exporter turns requests into an export of format (curl, go, ts, ...)
// with env's variables and secrets resolved where the format needs them.
type Exporter func(format string, reqs []*collection.Request, env *collection.Environment) ([]byte, error)

// Handler serves the API for the app in Dir.
type Handler struct {
	Dir    string
	Export Exporter // nil: export answers 501
}

// Index is the body of GET Prefix.
type Index struct {
	Dir          string                    `json:"dir"`
	Collections  []*collection.Collection  `json:"collections"`
	Environments []*collection.Environment `json:"environments"`
	Errors       []FileError               `json:"errors"`
}

// FileError is a file Load could not read, at a line when known.
type FileError struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
	Text    string `json:"text"` // file:line: message
}

// EnvironmentBody is the body of PUT Prefix+"environments/{name}":
// variables are written to the committed file, the secrets' names too,
// and their values to the git-ignored secrets file.
type EnvironmentBody struct {
	Variables map[string]string `json:"variables"`
	Secrets   map[string]string `json:"secrets"`
}

// ExportBody is the body of POST Prefix+"export".
type ExportBody struct {
	Format      string                `json:"format"`
	Environment string                `json:"environment"`
	Requests    []*collection.Request `json:"requests"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := allowed(r); err != nil {
		problem(w, http.StatusForbidden, "playground_files_forbidden", err.Error())
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	rest := strings.TrimPrefix(r.URL.Path, Prefix)
	parts := strings.Split(rest, "/")
	switch {
	case rest == "" && r.Method == http.MethodGet:
		h.index(w)
	case len(parts) == 2 && parts[0] == "secrets" && r.Method == http.MethodGet:
		h.secrets(w, parts[1])
	case len(parts) == 3 && parts[0] == "requests" && r.Method == http.MethodPut:
		h.saveRequest(w, r, parts[1], parts[2])
	case len(parts) == 3 && parts[0] == "requests" && r.Method == http.MethodDelete:
		h.deleteRequest(w, parts[1], parts[2])
	case len(parts) == 2 && parts[0] == "environments" && r.Method == http.MethodPut:
		h.saveEnvironment(w, r, parts[1])
	case rest == "export" && r.Method == http.MethodPost:
		h.export(w, r)
	default:
		problem(w, http.StatusNotFound, "not_found", fmt.Sprintf("the playground's file API has no %s %s", r.Method, r.URL.Path))
	}
}

// allowed refuses requests that may come from another origin or machine.
func allowed(r *http.Request) error {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if ip := net.ParseIP(host); !(host == "localhost" || ip != nil && ip.IsLoopback()) {
		return fmt.Errorf("the playground's file API answers only on this machine: open the playground at http://localhost:<port>/_playground/ (Host %q is not a loopback address)", r.Host)
	}
	if r.Header.Get(Header) != "1" {
		return fmt.Errorf("the playground's file API needs the header %s: 1 (the playground UI sends it)", Header)
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return fmt.Errorf("the playground's file API answers only its own pages (Sec-Fetch-Site: %s)", site)
	}
	return nil
}

func (h *Handler) index(w http.ResponseWriter) {
	set, errs := collection.Load(h.Dir)
	idx := Index{Dir: collection.Dir, Collections: set.Collections, Environments: set.Environments, Errors: []FileError{}}
	if idx.Collections == nil {
		idx.Collections = []*collection.Collection{}
	}
	if idx.Environments == nil {
		idx.Environments = []*collection.Environment{}
	}
	for _, err := range errs {
		fe := FileError{Message: err.Error(), Text: err.Error()}
		var ce *collection.FileError
		if errors.As(err, &ce) {
			fe.File, fe.Line, fe.Message = ce.File, ce.Line, ce.Msg
		}
		idx.Errors = append(idx.Errors, fe)
	}
	writeJSON(w, http.StatusOK, idx)
}

func (h *Handler) environment(name string) (*collection.Environment, error) {
	set, _ := collection.Load(h.Dir)
	if env := set.Environment(name); env != nil {
		return env, nil
	}
	return nil, fmt.Errorf("no environment %q in %s/%s/", name, collection.Dir, collection.EnvironmentsDir)
}

func (h *Handler) secrets(w http.ResponseWriter, name string) {
	env, err := h.environment(name)
	if err != nil {
		problem(w, http.StatusNotFound, "not_found", err.Error())
		return
	}
	values, err := collection.Secrets(h.Dir, env)
	if err != nil {
		problem(w, http.StatusUnprocessableEntity, "playground_file_invalid", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"values": values})
}

func (h *Handler) saveRequest(w http.ResponseWriter, r *http.Request, coll, slug string) {
	var req collection.Request
	if !decode(w, r, &req) {
		return
	}
	req.Collection, req.Slug = coll, slug
	if err := collection.SaveRequest(h.Dir, &req); err != nil {
		problem(w, http.StatusUnprocessableEntity, "playground_not_saved", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"file": req.File()})
}

func (h *Handler) deleteRequest(w http.ResponseWriter, coll, slug string) {
	err := collection.DeleteRequest(h.Dir, coll, slug)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		problem(w, http.StatusNotFound, "not_found", (&collection.Request{Collection: coll, Slug: slug}).File()+" does not exist")
	case errors.As(err, new(*fs.PathError)):
		problem(w, http.StatusInternalServerError, "playground_not_deleted", err.Error())
	case err != nil: // a name that is no request's place
		problem(w, http.StatusBadRequest, "playground_bad_name", err.Error())
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (h *Handler) saveEnvironment(w http.ResponseWriter, r *http.Request, name string) {
	var body EnvironmentBody
	if !decode(w, r, &body) {
		return
	}
	env := &collection.Environment{Name: name, Variables: body.Variables, Secrets: slices.Sorted(maps.Keys(body.Secrets))}
	for _, s := range env.Secrets {
		if _, clash := body.Variables[s]; clash {
			problem(w, http.StatusUnprocessableEntity, "playground_not_saved",
				fmt.Sprintf("%s is both a variable and a secret of environment %s: keep one", s, name))
			return
		}
	}
	// The secret values first, so that SaveEnvironment checks the
	// variables against them: a variable holding a secret's value is
	// refused before anything reaches the committed file.
	if err := collection.SaveSecrets(h.Dir, name, body.Secrets); err != nil {
		problem(w, http.StatusUnprocessableEntity, "playground_not_saved", err.Error())
		return
	}
	if err := collection.SaveEnvironment(h.Dir, env); err != nil {
		problem(w, http.StatusUnprocessableEntity, "playground_not_saved", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"file": env.File(), "secrets": collection.SecretsFile(name)})
}

func (h *Handler) export(w http.ResponseWriter, r *http.Request) {
	if h.Export == nil {
		problem(w, http.StatusNotImplemented, "playground_no_export", "this server does not export")
		return
	}
	var body ExportBody
	if !decode(w, r, &body) {
		return
	}
	var env *collection.Environment
	if body.Environment != "" {
		var err error
		if env, err = h.environment(body.Environment); err != nil {
			problem(w, http.StatusUnprocessableEntity, "playground_not_exported", err.Error())
			return
		}
	}
	for i, r := range body.Requests { // built in the UI, not saved yet
		if r.Collection == "" {
			r.Collection = "playground"
		}
		if r.Slug == "" {
			r.Slug = fmt.Sprintf("request-%d", i+1)
		}
	}
	out, err := h.Export(body.Format, body.Requests, env)
	if err != nil {
		problem(w, http.StatusUnprocessableEntity, "playground_not_exported", err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, _ = w.Write(out)
}

// decode reads r's JSON body into v, or answers 400 and returns false.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		problem(w, http.StatusBadRequest, "invalid_body", "the body is not the JSON expected: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		problem(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func problem(w http.ResponseWriter, status int, code, detail string) {
	p := gati.Problem{Type: gati.ProblemTypeBase + code, Title: http.StatusText(status), Status: status, Code: code, Detail: detail}
	body, _ := json.Marshal(p)
	w.Header().Set("Content-Type", gati.ProblemContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
