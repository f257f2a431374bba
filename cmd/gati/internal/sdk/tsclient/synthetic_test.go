package tsclient

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
)

// syntheticAPI is an API made to exercise what the examples do not: every
// kind of schema, parameters of every kind, names that need changing, a
// raw route, a nullable response. TestRuntime serves it.
func syntheticAPI() *api.API {
	str := typ("string")
	num := func(f float64) *float64 { return &f }
	n := func(i int) *int { return &i }
	obj := func(required []string, props map[string]*schema.Schema) *schema.Schema {
		return &schema.Schema{Type: schema.Types{"object"}, Properties: props, Required: required}
	}
	item := obj([]string{"id", "kind", "name"}, map[string]*schema.Schema{
		"id":          {Type: schema.Types{"integer"}, Minimum: num(0)},
		"name":        {Type: schema.Types{"string"}, Description: "The item's name.", MaxLength: n(100)},
		"kind":        ref("Kind"),
		"level":       ref("Level"),
		"price":       typ("number"),
		"tags":        {Type: schema.Types{"array"}, Items: str},
		"data":        {Type: schema.Types{"string"}, Format: "byte"},
		"legacy_code": {Type: schema.Types{"string"}, Description: "Use kind.", Deprecated: true},
		"attrs":       {Type: schema.Types{"object"}, AdditionalProperties: str},
		"parent":      {AnyOf: []*schema.Schema{ref("Item"), typ("null")}},
		"created":     {Type: schema.Types{"string", "null"}, Format: "date-time", Examples: []any{"2026-03-01T17:00:00Z"}},
		"meta":        {},
		"x-extra":     {Type: schema.Types{"string"}, Default: "none", Pattern: "^[a-z]+$"},
		"owner":       ref("users.User"),
		"last_error":  ref("ApiError"),
		"dims":        {Type: schema.Types{"array"}, Items: typ("number"), MinItems: n(2), MaxItems: n(2)},
		"nested": obj([]string{"a"}, map[string]*schema.Schema{
			"a": typ("integer"),
			"b": {Type: schema.Types{"array"}, Items: obj(nil, map[string]*schema.Schema{"c": typ("string", "null")})},
		}),
	})
	echo := obj([]string{"attempt", "headers", "method", "path"}, map[string]*schema.Schema{
		"method":  str,
		"path":    {Type: schema.Types{"string"}, Description: "The request's path and query, as received."},
		"headers": {Type: schema.Types{"object"}, AdditionalProperties: str},
		"body":    {},
		"attempt": typ("integer"),
		"reply":   ref("Response"),
	})
	echoParams := []api.Param{
		{In: "query", Name: "tag", Schema: &schema.Schema{Type: schema.Types{"array"}, Items: str}},
		{In: "query", Name: "limit", Schema: typ("integer")},
		{In: "query", Name: "kind", Schema: ref("Kind")},
		{In: "query", Name: "since", Schema: ref("Flag")},
		{In: "header", Name: "X-Tenant", Required: true, Schema: str},
		{In: "cookie", Name: "session", Schema: str},
	}
	deprecated := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	return &api.API{
		Title: "synthetic shop", Module: "example.com/shop", Version: "2025-01-01", Semver: "1.2.3", Head: true,
		Deprecated: &deprecated,
		Operations: []api.Operation{
			{ID: "echo", Method: "GET", Path: "/echo", Kind: api.JSON, Status: 200, Doc: "Echo describes the request it got.",
				Params: echoParams, Response: ref("Echo")},
			{ID: "echoPost", Method: "POST", Path: "/echo", Kind: api.JSON, Status: 201, Request: ref("Item"), Response: ref("Echo")},
			{ID: "echoPut", Method: "PUT", Path: "/echo", Kind: api.JSON, Status: 200, Request: ref("Item"), Response: ref("Echo")},
			{ID: "feed", Method: "GET", Path: "/feed", Kind: api.SSE, Doc: "Feed streams crafted events."},
			{ID: "getFile", Method: "GET", Path: "/files/{path...}", Kind: api.Raw, Doc: "GetFile serves a file."},
			{ID: "deleteItem", Method: "DELETE", Path: "/items/{id}", Kind: api.JSON, Status: 204,
				Params: []api.Param{{In: "path", Name: "id", Required: true, Schema: typ("integer")}}},
			{ID: "getItem", Method: "GET", Path: "/items/{id}", Kind: api.JSON, Status: 200,
				Doc:      "GetItem returns an item, or nothing (204) for id 0.",
				Params:   []api.Param{{In: "path", Name: "id", Required: true, Schema: typ("integer")}},
				Response: &schema.Schema{AnyOf: []*schema.Schema{ref("Item"), typ("null")}}},
			{ID: "socket", Method: "GET", Path: "/ws/{room}/{$}", Kind: api.WebSocket},
		},
		Schemas: map[string]*schema.Schema{
			"Item":       item,
			"Echo":       echo,
			"Kind":       {Type: schema.Types{"string"}, Enum: []any{"book", "music"}, Description: "What an item is."},
			"Level":      {Type: schema.Types{"integer"}, Enum: []any{1, 2, 3}},
			"users.User": obj([]string{"name"}, map[string]*schema.Schema{"name": str}),
			"ApiError":   obj(nil, map[string]*schema.Schema{"message": str}),
			"Response":   obj([]string{"ok"}, map[string]*schema.Schema{"ok": typ("boolean")}),
			"Flag":       obj([]string{"Set", "Value"}, map[string]*schema.Schema{"Set": typ("boolean"), "Value": typ("boolean")}),
			"Unused":     obj(nil, map[string]*schema.Schema{"x": str}),
		},
	}
}

// syntheticServer serves the synthetic API. Request headers script its
// behaviour on every route:
//
//	X-Test-Key, X-Test-Fail: N  the first N attempts with this key fail…
//	X-Test-Status: 503          …with this status (503 unless set)…
//	X-Test-Retry-After: v       …and this Retry-After
//	X-Test-Sleep: ms            answer after ms (or when the client leaves)
//	X-Test-HTML: status         answer status with an HTML body
//	X-Test-Deprecated: 1        answer with Deprecation, Sunset and Link
//	X-Test-Feed: end            end the event stream instead of holding it
//	X-Test-No-Echo: 1           answer without X-Request-Id
//
// Like a Gati server, it echoes the X-Request-Id it got, else sends one
// of its own ("req-N"). X-Test-Ids lists the ids the attempts with this
// X-Test-Key sent so far.
type syntheticServer struct {
	mu       sync.Mutex
	attempts map[string]int
	ids      map[string][]string // by X-Test-Key
	requests int
}

func (s *syntheticServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	id := s.requests
	attempt := 1
	var ids []string
	if key := r.Header.Get("X-Test-Key"); key != "" {
		s.attempts[key]++
		attempt = s.attempts[key]
		s.ids[key] = append(s.ids[key], r.Header.Get("X-Request-Id"))
		ids = s.ids[key]
	}
	s.mu.Unlock()
	h := w.Header()
	switch rid := r.Header.Get("X-Request-Id"); {
	case r.Header.Get("X-Test-No-Echo") != "":
	case rid != "":
		h.Set("X-Request-Id", rid)
	default:
		h.Set("X-Request-Id", "req-"+strconv.Itoa(id))
	}
	if ids != nil {
		h.Set("X-Test-Ids", strings.Join(ids, ","))
	}
	h.Set("X-API-Version", r.Header.Get("X-API-Version"))
	if r.Header.Get("X-Test-Deprecated") != "" {
		h.Set("Deprecation", "@1735689600")
		h.Set("Sunset", "Tue, 01 Jan 2030 00:00:00 GMT")
		h.Set("Link", `</versions/2025-01-01>; rel="deprecation"`)
	}
	if ms, _ := strconv.Atoi(r.Header.Get("X-Test-Sleep")); ms > 0 {
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
	}
	if status, _ := strconv.Atoi(r.Header.Get("X-Test-HTML")); status > 0 {
		h.Set("Content-Type", "text/html")
		w.WriteHeader(status)
		fmt.Fprint(w, "<h1>Bad gateway</h1>")
		return
	}
	if fail, _ := strconv.Atoi(r.Header.Get("X-Test-Fail")); attempt <= fail {
		status := 503
		if st, _ := strconv.Atoi(r.Header.Get("X-Test-Status")); st > 0 {
			status = st
		}
		if ra := r.Header.Get("X-Test-Retry-After"); ra != "" {
			h.Set("Retry-After", ra)
		}
		problem(w, status, map[string]any{"code": "busy", "detail": "try again", "attempt": attempt})
		return
	}
	switch {
	case r.URL.Path == "/echo":
		s.echo(w, r, attempt)
	case r.URL.Path == "/feed":
		feed(w, r)
	case strings.HasPrefix(r.URL.Path, "/files/"):
		if r.URL.Path == "/files/missing" {
			problem(w, 404, map[string]any{"code": "file_not_found"})
			return
		}
		h.Set("Content-Type", "text/plain")
		fmt.Fprint(w, r.URL.RequestURI())
	case strings.HasPrefix(r.URL.Path, "/items/"):
		id := strings.TrimPrefix(r.URL.Path, "/items/")
		switch {
		case r.Method == "DELETE" || id == "0":
			w.WriteHeader(204)
		case id == "404":
			problem(w, 404, map[string]any{"code": "item_not_found", "detail": "no item 404",
				"errors": []map[string]string{{"pointer": "/path/id", "detail": "is unknown"}}})
		default:
			writeJSON(w, 200, map[string]any{"id": json.Number(id), "name": "Dune", "kind": "book",
				"parent": nil, "attrs": map[string]string{"lang": "en"}})
		}
	default:
		problem(w, 404, map[string]any{"code": "not_found"})
	}
}

func (s *syntheticServer) echo(w http.ResponseWriter, r *http.Request, attempt int) {
	headers := map[string]string{}
	for name := range r.Header {
		headers[strings.ToLower(name)] = strings.Join(r.Header.Values(name), ", ")
	}
	var body any
	_ = json.NewDecoder(r.Body).Decode(&body)
	status := 200
	if r.Method == "POST" {
		status = 201
	}
	writeJSON(w, status, map[string]any{"method": r.Method, "path": r.URL.RequestURI(), "headers": headers,
		"body": body, "attempt": attempt, "reply": map[string]bool{"ok": true}})
}

// feed writes events in chunks that split lines, CRLFs and events.
func feed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(200)
	chunks := []string{
		": a comment\n\n",
		"retry: 1500\nid: 7\nevent: greeting\ndata: hello\n\n",
		"data: multi\ndata:line\r\n\r\n",
		"data: split", "-across\r", "\n\r\n",
		"event: ping\n\n", // no data: not dispatched
		"id\ndata: {\"n\":1}\n\n",
		"data: last-event-id=" + r.Header.Get("Last-Event-ID") + "\n\n",
	}
	for _, c := range chunks {
		fmt.Fprint(w, c)
		w.(http.Flusher).Flush()
		time.Sleep(2 * time.Millisecond)
	}
	if r.Header.Get("X-Test-Feed") == "end" {
		fmt.Fprint(w, "data: unterminated") // discarded
		return
	}
	<-r.Context().Done()
}

func problem(w http.ResponseWriter, status int, fields map[string]any) {
	p := map[string]any{"type": "https://gati.dev/problems/x", "title": http.StatusText(status), "status": status}
	for k, v := range fields {
		p[k] = v
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// TestRuntime runs testdata/e2e/runtime.e2e.ts, the runtime's behaviour
// (parameters, retries, timeouts, aborts, errors, deprecation, events)
// through the synthetic API's client, against syntheticServer.
func TestRuntime(t *testing.T) {
	t.Parallel()
	dir := compiled(t, caseNamed("synthetic"))
	srv := httptest.NewServer(&syntheticServer{attempts: map[string]int{}, ids: map[string][]string{}})
	t.Cleanup(srv.Close)
	runNode(t, dir, "runtime.e2e.js", "BASE_URL="+srv.URL)
}
