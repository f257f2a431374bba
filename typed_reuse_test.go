package gati_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"weak"

	"gati.dev/gati"
)

// A typed handler decodes each request into memory the exchange keeps
// for the next request of the same types, and encodes its output from
// memory kept the same way. These guard what that must never show: one
// request's input or output in another's, memory kept alive by a finished
// request, or an output encoded differently than its value would be.

type reuseIn struct {
	A     string   `query:"a"`
	B     string   `query:"b"`
	Mode  mode     `query:"mode"`
	Tags  []string `json:"tags,omitempty"`
	Count int      `json:"count,omitempty"`
}

type reuseOut struct {
	A     string   `json:"a"`
	B     string   `json:"b"`
	Mode  mode     `json:"mode,omitempty"`
	Tags  []string `json:"tags"`
	Count int      `json:"count"`
}

// mode is a parameter type whose parsing panics on "boom": a panic in
// the middle of binding, after the body was decoded.
type mode string

func (m *mode) UnmarshalText(b []byte) error {
	if string(b) == "boom" {
		panic("boom")
	}
	*m = mode(b)
	return nil
}

func echoInput(_ *gati.Global, _ *gati.Local, in reuseIn) (reuseOut, error) {
	if in.A == "panic" {
		panic("the input was decoded")
	}
	return reuseOut(in), nil
}

// serveNow sends one request straight to the app, on the calling goroutine,
// so consecutive requests are served by the same pooled exchange.
func serveNow(app *gati.App, method, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, req)
	return rec
}

func TestTypedRequestsNeverSeeTheInputOfAnEarlierOne(t *testing.T) {
	app := newApp()
	app.Handle("POST /echo", gati.Typed(echoInput))
	app.Handle("POST /other", gati.Typed(echoInput)) // same types, another route
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Stop(t.Context()) })

	const full = `{"a":"1","b":"2","tags":["x","y"],"count":5}`
	const sparse = `{"a":"3","b":"","tags":null,"count":0}`
	for i := range 50 {
		if rec := serveNow(app, "POST", "/echo?a=1&b=2", `{"tags":["x","y"],"count":5}`); rec.Body.String() != full {
			t.Fatalf("round %d, full request: %d %q, want %q", i, rec.Code, rec.Body, full)
		}
		// A panic in the handler leaves nothing behind (it gets a copy of
		// its input); a request whose query fails to bind, or whose
		// binding panics, has its body decoded already: the next request
		// of the same types must see none of it.
		if rec := serveNow(app, "POST", "/other?a=panic&b=9", `{"tags":["z"],"count":7}`); rec.Code != http.StatusInternalServerError {
			t.Fatalf("round %d, panicking request: status %d, want 500", i, rec.Code)
		}
		if rec := serveNow(app, "POST", "/other?a=4&b=%zz", `{"tags":["z"],"count":7}`); rec.Code != http.StatusBadRequest {
			t.Fatalf("round %d, request with a bad query: status %d, want 400", i, rec.Code)
		}
		if rec := serveNow(app, "POST", "/other?a=5&mode=boom", `{"tags":["w"],"count":8}`); rec.Code != http.StatusInternalServerError {
			t.Fatalf("round %d, request whose binding panics: status %d, want 500", i, rec.Code)
		}
		route := []string{"/echo", "/other"}[i%2]
		if rec := serveNow(app, "POST", route+"?a=3", `{}`); rec.Body.String() != sparse {
			t.Fatalf("round %d, request with only a (%s): %d %q, want %q", i, route, rec.Code, rec.Body, sparse)
		}
	}
}

type heavy struct{ Payload [1 << 16]byte }

type heavyIn struct {
	Items []struct {
		V string `json:"v"`
	} `json:"items"`
}

type heavyOut struct {
	Held *heavy `json:"-"`
	OK   bool   `json:"ok"`
}

// tracked records where the decoder put it, to tell when nothing refers
// to it any more.
type tracked struct{ V string }

var lastTracked weak.Pointer[tracked]

func (t *tracked) UnmarshalJSON(b []byte) error {
	lastTracked = weak.Make(t)
	type plain tracked // without this method
	return json.Unmarshal(b, (*plain)(t))
}

type trackedIn struct {
	Item  *tracked `json:"item"`
	Limit int      `query:"limit"`
}

// Neither a request's decoded input nor its output outlives its response:
// the reused memory is cleared, or a pooled exchange would keep whatever
// its last request held alive until it is used again.
func TestTypedRequestsKeepNoMemoryAliveAfterTheResponse(t *testing.T) {
	var input weak.Pointer[struct {
		V string `json:"v"`
	}]
	var output weak.Pointer[heavy]
	app := newApp()
	app.Handle("POST /heavy", gati.Typed(func(_ *gati.Global, _ *gati.Local, in heavyIn) (heavyOut, error) {
		input = weak.Make(&in.Items[0])
		held := new(heavy)
		output = weak.Make(held)
		return heavyOut{Held: held, OK: true}, nil
	}))
	app.Handle("POST /tracked", gati.Typed(func(*gati.Global, *gati.Local, trackedIn) (heavyOut, error) {
		return heavyOut{OK: true}, nil
	}))
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Stop(t.Context()) })

	if rec := serveNow(app, "POST", "/heavy", `{"items":[{"v":"kept?"}]}`); rec.Body.String() != `{"ok":true}` {
		t.Fatalf("got %d %q", rec.Code, rec.Body)
	}
	// A request that fails after its body was decoded: the handler never
	// sees the input, which must not stay behind either.
	if rec := serveNow(app, "POST", "/tracked?limit=ten", `{"item":{"V":"kept?"}}`); rec.Code != http.StatusBadRequest || lastTracked.Value() == nil {
		t.Fatalf("got %d %q; decoded before failing: %t", rec.Code, rec.Body, lastTracked.Value() != nil)
	}
	runtime.GC()
	runtime.GC()
	if input.Value() != nil {
		t.Error("the decoded input of a finished request is still reachable")
	}
	if output.Value() != nil {
		t.Error("the output of a finished request is still reachable")
	}
	if lastTracked.Value() != nil {
		t.Error("the input decoded for a request that then failed is still reachable")
	}
}

// stamp encodes differently through a pointer: encoding/json calls its
// MarshalJSON only on an addressable value.
type stamp struct{ V string }

func (*stamp) MarshalJSON() ([]byte, error) { return []byte(`"through a pointer"`), nil }

type stampedOut struct {
	Stamp  stamp    `json:"stamp"`
	Stamps [1]stamp `json:"stamps"`
}

func TestTypedOutputEncodesAsItsValueWould(t *testing.T) {
	app := newApp()
	out := stampedOut{Stamp: stamp{V: "a"}, Stamps: [1]stamp{{V: "b"}}}
	app.Handle("GET /stamped", gati.Typed(func(*gati.Global, *gati.Local, struct{}) (stampedOut, error) {
		return out, nil
	}))
	app.Handle("GET /stamp", gati.Typed(func(*gati.Global, *gati.Local, struct{}) (stamp, error) {
		return stamp{V: "c"}, nil
	}))
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Stop(t.Context()) })

	for path, value := range map[string]any{"/stamped": out, "/stamp": stamp{V: "c"}} {
		want, err := json.Marshal(value)
		if err != nil {
			t.Fatal(err)
		}
		if got := serveNow(app, "GET", path, "").Body.String(); got != string(want) {
			t.Errorf("GET %s: %q, want %q, what json.Marshal makes of the value", path, got, want)
		}
	}
}
