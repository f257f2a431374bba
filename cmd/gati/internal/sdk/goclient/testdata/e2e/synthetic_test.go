// This test runs in a module of its own, with the client of the
// synthetic API of synthetic_test.go in example.com/client/synthetic, against
// a fake server: it checks what the generated methods send.
package shop_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	shop "example.com/client/synthetic"
)

// recorder answers every request with status and body, and keeps it.
type recorder struct {
	req    *http.Request
	body   string
	status int
	answer string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.req, r.body = req, string(b)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(r.status)
	io.WriteString(w, r.answer)
}

func serve(t *testing.T, status int, answer string) (*shop.Client, *recorder) {
	rec := &recorder{status: status, answer: answer}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return shop.New(srv.URL + "/api"), rec
}

func TestParameters(t *testing.T) {
	c, rec := serve(t, 200, `{"items":[{"id":7,"status":"open","tags":["x"],"nested":{"a":"b"},"child":null}],"next":"c2"}`)
	since := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	page, _, err := c.ListItems(t.Context(), shop.ListItemsParams{
		Status: new(shop.StatusInProgress), Priority: new(shop.PriorityMinus1), Tag: []string{"a b", "c&d"},
		Cursor: new(shop.Cursor("c1")), Since: &since, Ratio: new(0.25), Flag: false, Filter: new("x=y"),
		XTraceID: "trace", Session: new("s1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != 7 || page.Items[0].Status != shop.StatusOpen || page.Items[0].Child != nil || page.Next != "c2" {
		t.Errorf("page %+v", page)
	}
	q := rec.req.URL.Query()
	want := map[string][]string{
		"status": {"in_progress"}, "priority": {"-1"}, "tag": {"a b", "c&d"}, "cursor": {"c1"},
		"since": {"2026-01-02T03:04:05.000000006Z"}, "ratio": {"0.25"}, "flag": {"false"}, "filter": {"x=y"},
	}
	if !reflect.DeepEqual(map[string][]string(q), want) {
		t.Errorf("query %v, want %v", q, want)
	}
	if rec.req.URL.Path != "/api/items" || rec.req.Header.Get("X-Trace-Id") != "trace" || rec.req.Header["X-Retry"] != nil {
		t.Errorf("path %s, header %v", rec.req.URL.Path, rec.req.Header)
	}
	if ck, err := rec.req.Cookie("session"); err != nil || ck.Value != "s1" {
		t.Errorf("cookie %v (%v)", ck, err)
	}
	if rec.req.Header.Get("X-API-Version") != "2026-01-01" || shop.Version != "2026-01-01" {
		t.Errorf("X-API-Version %q", rec.req.Header.Get("X-API-Version"))
	}

	// Unset optional parameters are not sent.
	if _, _, err := c.ListItems(t.Context(), shop.ListItemsParams{Flag: true}); err != nil {
		t.Fatal(err)
	}
	if got := rec.req.URL.RawQuery; got != "flag=true" {
		t.Errorf("query %q, want only flag", got)
	}
}

func TestPaths(t *testing.T) {
	c, rec := serve(t, 200, `null`)
	out, _, err := c.PutItem(t.Context(), shop.PutItemParams{ID: 42, Status: "in progress/x"}, nil)
	if err != nil || out != nil {
		t.Fatalf("PutItem = %v, %v", out, err)
	}
	if got := rec.req.URL.EscapedPath(); got != "/api/items/42/in%20progress%2Fx" || rec.body != "null" {
		t.Errorf("PutItem sent %s %q", got, rec.body)
	}
	resp, err := c.GetFilesByPath(t.Context(), shop.GetFilesByPathParams{Path: "docs/a b.txt"})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := rec.req.URL.EscapedPath(); got != "/api/files/docs/a%20b.txt" {
		t.Errorf("GetFilesByPath sent %s", got)
	}
	if _, err := c.DeleteItem(t.Context(), shop.DeleteItemParams{ID: 3}); err != nil || rec.req.Method != "DELETE" || rec.req.URL.Path != "/api/items/3" {
		t.Errorf("DeleteItem: %v, %s %s", err, rec.req.Method, rec.req.URL.Path)
	}
}

func TestBodies(t *testing.T) {
	c, rec := serve(t, 201, `{"id":1,"status":"","tags":[],"nested":{"a":"z"},"child":{"id":2,"status":"open","tags":null,"nested":{"a":""},"child":null},"blob":"aGk=","when":"2026-01-01T00:00:00Z","-":"dash"}`)
	item := shop.Item{ID: 5, Status: shop.StatusOpen, Tags: []string{"t"}, Blob: []byte("hi"), X: "dash"}
	item.Nested.A = "n"
	got, resp, err := c.CreateItem(t.Context(), item)
	if err != nil {
		t.Fatal(err)
	}
	var sent map[string]any
	json.Unmarshal([]byte(rec.body), &sent)
	wantKeys := []string{"-", "blob", "child", "id", "nested", "status", "tags"} // omitempty and omitzero leave out the rest
	var keys []string
	for k := range sent {
		keys = append(keys, k)
	}
	if len(keys) != len(wantKeys) || sent["blob"] != "aGk=" || sent["child"] != nil || sent["-"] != "dash" || rec.req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("sent %s, want the keys %v", rec.body, wantKeys)
	}
	if resp.StatusCode != 201 || got.Child == nil || got.Child.ID != 2 || string(got.Blob) != "hi" || got.When == nil || got.X != "dash" || got.Status != shop.StatusEmpty {
		t.Errorf("CreateItem = %+v", got)
	}

	c, rec = serve(t, 200, `[{"id":9}]`)
	out, _, err := c.Bulk(t.Context(), map[string][]shop.Item{"k": {{ID: 1}}})
	if err != nil || len(out) != 1 || out[0].ID != 9 || !strings.HasPrefix(rec.body, `{"k":[{`) {
		t.Errorf("Bulk = %+v, %v; sent %s", out, err, rec.body)
	}
}

func TestRawAndWebSocket(t *testing.T) {
	c, rec := serve(t, 200, `ok`)
	resp, err := c.Upload(t.Context(), "text/plain", strings.NewReader("file"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ok" || rec.body != "file" || rec.req.Header.Get("Content-Type") != "text/plain" || rec.req.Method != "POST" {
		t.Errorf("Upload: got %q; sent %s %q %v", b, rec.req.Method, rec.body, rec.req.Header)
	}
	ws, err := shop.New("https://shop.example/v1", shop.WithBearer("tok")).Watch(t.Context(), shop.WatchParams{Room: "a/b", Since: new(int64(3))})
	if err != nil || ws.URL != "wss://shop.example/v1/watch/a%2Fb?since=3" || ws.Header.Get("Authorization") != "Bearer tok" {
		t.Errorf("Watch = %+v, %v", ws, err)
	}
}
