// This test runs in a module of its own, with the generated client of the
// tasks example in example.com/client/tasks, against the example running
// at $E2E_URL with the token $E2E_TOKEN (see TestTasksEndToEnd).
package tasks_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"example.com/client/tasks"
)

func newClient(opts ...tasks.Option) *tasks.Client {
	opts = append([]tasks.Option{tasks.WithBearer(os.Getenv("E2E_TOKEN")), tasks.WithTimeout(10 * time.Second)}, opts...)
	return tasks.New(os.Getenv("E2E_URL"), opts...)
}

// TestEveryRoute calls each route of the tasks API through the client.
func TestEveryRoute(t *testing.T) {
	ctx := t.Context()
	c := newClient()

	// GET /tasks/stream and GET /tasks/events, opened first, see the changes.
	stream, err := c.Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	if stream.Response.StatusCode != 200 || stream.Response.RequestID == "" {
		t.Errorf("stream response %+v", stream.Response)
	}
	ws, err := c.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conn := dialWebSocket(t, ws)

	// POST /tasks
	due := time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC)
	created, resp, err := c.Create(ctx, tasks.CreateInput{Title: "  Write docs  ", Due: &due})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 201 || resp.RequestID == "" || created.ID == "" || created.Title != "Write docs" ||
		created.Done || created.Due == nil || !created.Due.Equal(due) || created.CreatedAt.IsZero() {
		t.Fatalf("Create = %+v, %+v", created, resp)
	}
	// The client sent a request id and the server echoed it.
	if len(resp.RequestID) != 32 || resp.Header.Get("X-Request-Id") != resp.RequestID {
		t.Errorf("Create: request id %q, X-Request-Id header %q; want the client's echoed", resp.RequestID, resp.Header.Get("X-Request-Id"))
	}

	ev, err := stream.Next()
	if err != nil {
		t.Fatal(err)
	}
	var evTask tasks.Task
	if err := ev.Decode(&evTask); err != nil || ev.Type != "created" || ev.ID == "" || evTask.ID != created.ID {
		t.Errorf("stream event %+v (%v), want the created task %s", ev, err, created.ID)
	}
	var msg struct {
		Seq  int64      `json:"seq"`
		Type string     `json:"type"`
		Task tasks.Task `json:"task"`
	}
	if err := json.Unmarshal(readMessage(t, conn), &msg); err != nil || msg.Type != "created" || msg.Task.ID != created.ID {
		t.Errorf("WebSocket message %+v (%v), want the created task", msg, err)
	}

	// GET /tasks/{id}
	got, resp, err := c.Get(ctx, tasks.GetParams{ID: created.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != created.ID || got.Title != created.Title || !got.CreatedAt.Equal(created.CreatedAt) || resp.StatusCode != 200 {
		t.Errorf("Get = %+v, want %+v", got, created)
	}

	// PATCH /tasks/{id}
	updated, _, err := c.Update(ctx, tasks.UpdateParams{ID: created.ID}, tasks.UpdateInput{Done: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	if !updated.Done || updated.Title != "Write docs" || !updated.UpdatedAt.After(created.UpdatedAt) && !updated.UpdatedAt.Equal(created.UpdatedAt) {
		t.Errorf("Update = %+v", updated)
	}
	other, _, err := c.Create(ctx, tasks.CreateInput{Title: "Test the client"})
	if err != nil {
		t.Fatal(err)
	}
	if other.Due != nil {
		t.Errorf("a task created without due has due %v", other.Due)
	}

	// GET /tasks
	lists := []struct {
		params tasks.ListParams
		ids    []string
	}{
		{tasks.ListParams{}, []string{created.ID, other.ID}},
		{tasks.ListParams{Done: new("true")}, []string{created.ID}},
		{tasks.ListParams{Done: new("false")}, []string{other.ID}},
		{tasks.ListParams{Limit: new(int64(1))}, []string{created.ID}},
	}
	for _, tt := range lists {
		l, _, err := c.List(ctx, tt.params)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, task := range l.Tasks {
			ids = append(ids, task.ID)
		}
		if l.Count != int64(len(tt.ids)) || len(ids) != len(tt.ids) || len(ids) > 0 && ids[0] != tt.ids[0] {
			t.Errorf("List(%+v) = %v (count %d), want %v", tt.params, ids, l.Count, tt.ids)
		}
	}

	// DELETE /tasks/{id}
	resp, err = c.Delete(ctx, tasks.DeleteParams{ID: created.ID})
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("Delete = %+v, %v", resp, err)
	}
	for _, want := range []string{"updated", "created", "deleted"} {
		if ev, err := stream.Next(); err != nil || ev.Type != want {
			t.Errorf("stream event %+v (%v), want %s", ev, err, want)
		}
	}
}

func TestNotFound(t *testing.T) {
	_, resp, err := newClient().Get(t.Context(), tasks.GetParams{ID: "no such"})
	var apiErr *tasks.ApiError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err %v (%T), want an *ApiError", err, err)
	}
	if apiErr.Status != 404 || apiErr.Code != "task_not_found" || apiErr.Detail != `there is no task with id "no such"` ||
		apiErr.Instance != "/tasks/no such" || apiErr.RequestID == "" || apiErr.Title != "Not Found" {
		t.Errorf("ApiError %+v", apiErr)
	}
	if resp == nil || resp.StatusCode != 404 || resp.RequestID != apiErr.RequestID || tasks.CodeOf(err) != "task_not_found" {
		t.Errorf("response %+v", resp)
	}
}

func TestValidationErrors(t *testing.T) {
	c := newClient()
	tests := []struct {
		name    string
		call    func() error
		pointer string
	}{
		{"empty title", func() error { _, _, err := c.Create(t.Context(), tasks.CreateInput{}); return err }, "/title"},
		{"blank new title", func() error {
			_, _, err := c.Update(t.Context(), tasks.UpdateParams{ID: "1"}, tasks.UpdateInput{Title: new("")})
			return err
		}, "/title"},
		{"limit out of range", func() error {
			_, _, err := c.List(t.Context(), tasks.ListParams{Limit: new(int64(5000))})
			return err
		}, "/query/limit"},
	}
	for _, tt := range tests {
		var apiErr *tasks.ApiError
		if err := tt.call(); !errors.As(err, &apiErr) {
			t.Errorf("%s: err %v, want an *ApiError", tt.name, err)
			continue
		}
		if apiErr.Status != 422 || apiErr.Code != "validation_failed" || len(apiErr.Errors) != 1 || apiErr.Errors[0].Pointer != tt.pointer {
			t.Errorf("%s: %+v, want a 422 at %s", tt.name, apiErr, tt.pointer)
		}
	}
}

func TestUnauthenticated(t *testing.T) {
	anon := tasks.New(os.Getenv("E2E_URL"))
	_, resp, err := anon.Create(t.Context(), tasks.CreateInput{Title: "sneaky"})
	if tasks.CodeOf(err) != "unauthenticated" || resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("Create without a token: %v, %+v", err, resp)
	}
	calls := 0
	c := newClient(tasks.WithAuth(func(context.Context) (string, error) { calls++; return os.Getenv("E2E_TOKEN"), nil }))
	if _, _, err := c.Create(t.Context(), tasks.CreateInput{Title: "with a token from WithAuth"}); err != nil || calls != 1 {
		t.Errorf("Create with WithAuth: %v (%d calls)", err, calls)
	}
}

func TestAborted(t *testing.T) {
	c := newClient()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := c.List(ctx, tasks.ListParams{}); !errors.Is(err, context.Canceled) {
		t.Errorf("List with a cancelled context: %v, want context.Canceled", err)
	}

	ctx, cancel = context.WithCancel(t.Context())
	stream, err := c.Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	if _, err := stream.Next(); !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Errorf("Next cancelled while waiting: %v after %s, want context.Canceled", err, time.Since(start))
	}
}

// dialWebSocket opens the WebSocket ws describes with a minimal
// handshake (RFC 6455, section 4): the client has no dependencies, and
// neither does this module.
func dialWebSocket(t *testing.T, ws tasks.WebSocketRequest) *bufio.ReadWriter {
	t.Helper()
	u, err := url.Parse(ws.URL)
	if err != nil || u.Scheme != "ws" {
		t.Fatalf("WebSocket URL %q (%v)", ws.URL, err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	key := base64.StdEncoding.EncodeToString([]byte(rand.Text())[:16])
	req := &http.Request{Method: "GET", URL: u, Host: u.Host, Header: ws.Header.Clone(), ProtoMajor: 1, ProtoMinor: 1}
	req.URL.Scheme = "http"
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Sec-WebSocket-Key", key)
	req.Header.Set("Sec-WebSocket-Version", "13")
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	rw := bufio.NewReadWriter(bufio.NewReader(conn), bufio.NewWriter(conn))
	resp, err := http.ReadResponse(rw.Reader, req)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatalf("WebSocket handshake: %s %v", resp.Status, resp.Header)
	}
	return rw
}

// readMessage reads one unfragmented text frame from the server.
func readMessage(t *testing.T, r *bufio.ReadWriter) []byte {
	t.Helper()
	var head [2]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		t.Fatal(err)
	}
	if head[0] != 0x81 || head[1]&0x80 != 0 { // FIN + text; servers do not mask
		t.Fatalf("frame header %x, want an unmasked final text frame", head)
	}
	n := uint64(head[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		io.ReadFull(r, l[:])
		n = uint64(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		io.ReadFull(r, l[:])
		n = binary.BigEndian.Uint64(l[:])
	}
	msg := make([]byte, n)
	if _, err := io.ReadFull(r, msg); err != nil {
		t.Fatal(err)
	}
	return msg
}
