package ws

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"gati.dev/gati"
	"gati.dev/gati/internal/playground"
)

func init() { playground.WSRelay = newRelay }

// The playground's WebSocket relay, served at gati.PathPlaygroundWS when
// the app imports this package (an app with no WebSocket route has
// nothing for the WebSocket tester to open, and does not link a WebSocket
// library for it). A browser cannot
// set the headers of a WebSocket handshake (Authorization, X-API-Version),
// so the WebSocket tester opens its socket here instead, and the relay
// opens the one to the route, with those headers, to this app and no
// other: it dials the local address the browser's own connection arrived
// on, whatever the client asks. See docs/playground-websocket.md.
//
// The protocol, every message a JSON text frame:
//
//	browser → relay  {"type":"connect","path":"/chat?room=1","headers":[["Authorization","Bearer x"]],"protocols":["v1"]}  (first, once)
//	                 {"type":"send","text":"hi"} | {"type":"send","binary":"<base64>"}
//	                 {"type":"close","code":1000,"reason":"bye"}
//	relay → browser  {"type":"open","status":101,"headers":{...},"protocol":"v1","dropped":["Connection"]}
//	                 {"type":"refused","status":401,"headers":{...},"body":"...","error":"..."}
//	                 {"type":"message","text":"..."} | {"type":"message","binary":"<base64>"}  (with "size")
//	                 {"type":"close","by":"server"|"client"|"relay","code":1000,"reason":"..."}
//	                 {"type":"error","error":"..."}
//
// Every message from the relay carries "at", when it happened (RFC 3339,
// UTC, milliseconds).

// relayLimits bound what a client of the relay controls.
var relayLimits = struct {
	connect  time.Duration // to send the connect message
	dial     time.Duration // for the app to answer the handshake
	write    time.Duration // to write one message either way
	idle     time.Duration // with no message either way
	message  int64         // bytes of one message's payload
	headers  int           // headers in the connect message
	sessions int           // relayed connections at once, per app
}{10 * time.Second, 10 * time.Second, 10 * time.Second, 10 * time.Minute, 1 << 20, 64, 16}

// wsRelay is an app's relay: the sessions it serves count against a limit.
type wsRelay struct {
	stopping <-chan struct{} // closed when the app begins to shut down
	slots    chan struct{}
}

// newRelay is playground.WSRelay: an app's relay.
func newRelay(stopping <-chan struct{}) playground.RelayFunc {
	return (&wsRelay{stopping: stopping, slots: make(chan struct{}, relayLimits.sessions)}).serve
}

// relayIn is a message from the browser.
type relayIn struct {
	Type      string      `json:"type"`
	Path      string      `json:"path"`
	Headers   [][2]string `json:"headers"`
	Protocols []string    `json:"protocols"`
	Text      *string     `json:"text"`
	Binary    []byte      `json:"binary"` // base64 in JSON
	Code      int         `json:"code"`
	Reason    string      `json:"reason"`
}

// relayOut is a message to the browser.
type relayOut struct {
	Type     string      `json:"type"`
	At       string      `json:"at"`
	Status   int         `json:"status,omitempty"`
	Headers  http.Header `json:"headers,omitempty"`
	Protocol string      `json:"protocol,omitempty"`
	Path     string      `json:"path,omitempty"`
	Dropped  []string    `json:"dropped,omitempty"`
	Body     string      `json:"body,omitempty"`
	Text     *string     `json:"text,omitempty"`
	Binary   []byte      `json:"binary,omitempty"`
	Size     int         `json:"size,omitempty"`
	By       string      `json:"by,omitempty"`
	Code     int         `json:"code,omitempty"`
	Reason   string      `json:"reason,omitempty"`
	Error    string      `json:"error,omitempty"`
}

func (r *wsRelay) serve(req *http.Request, hijack func() (http.ResponseWriter, error), header http.Header, log *slog.Logger) error {
	local, _ := req.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if local == nil {
		return gati.NewError(http.StatusInternalServerError, "playground_ws_unavailable",
			"the WebSocket relay needs the address the app listens on, and this request came through no listener")
	}
	if !headerHasToken(req.Header, "Connection", "upgrade") || !headerHasToken(req.Header, "Upgrade", "websocket") {
		header.Set("Connection", "Upgrade")
		header.Set("Upgrade", "websocket")
		return gati.NewError(http.StatusUpgradeRequired, "upgrade_required",
			"the playground's WebSocket relay: open a WebSocket here, then send the connect message")
	}
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	default:
		return gati.NewError(http.StatusServiceUnavailable, "playground_ws_busy",
			fmt.Sprintf("the playground relays %d WebSockets at once; close one", relayLimits.sessions))
	}
	w, err := hijack()
	if err != nil {
		return err
	}
	// The default options check that Origin names this host: another
	// site's page cannot drive the relay with the user's credentials.
	conn, err := websocket.Accept(w, req, nil)
	if err != nil {
		return nil // Accept has answered
	}
	defer conn.CloseNow()
	conn.SetReadLimit(relayLimits.message*4/3 + 64<<10) // base64 and the envelope
	s := &relaySession{relay: r, conn: conn, local: local, req: req, log: log, done: make(chan struct{})}
	s.run(context.WithoutCancel(req.Context()))
	return nil
}

// relaySession relays one browser's WebSocket.
type relaySession struct {
	relay *wsRelay
	conn  *websocket.Conn // the browser's
	up    *websocket.Conn // the app's route's
	local net.Addr
	req   *http.Request
	log   *slog.Logger

	ended    atomic.Bool  // someone has claimed the end
	activity atomic.Int64 // unix nanoseconds of the last message
	done     chan struct{}
}

func (s *relaySession) send(ctx context.Context, m relayOut) error {
	m.At = time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00")
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, relayLimits.write)
	defer cancel()
	return s.conn.Write(ctx, websocket.MessageText, b)
}

// refuse reports why the connect message cannot be served and closes.
func (s *relaySession) refuse(ctx context.Context, msg string) {
	_ = s.send(ctx, relayOut{Type: "error", Error: msg})
	_ = s.conn.Close(websocket.StatusPolicyViolation, truncateReason(msg))
}

func (s *relaySession) run(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, relayLimits.connect)
	typ, data, err := s.conn.Read(cctx) // past the deadline the connection is cut
	cancel()
	if err != nil {
		return
	}
	var in relayIn
	if typ != websocket.MessageText || json.Unmarshal(data, &in) != nil || (in.Type != "connect" && in.Type != "") {
		s.refuse(ctx, `the first message must be the connect message: {"type":"connect","path":"/route","headers":[["Name","value"]]}`)
		return
	}
	path, err := relayPath(in.Path)
	if err != nil {
		s.refuse(ctx, err.Error())
		return
	}
	header, dropped, err := relayHeader(in.Headers, s.req.Header)
	if err != nil {
		s.refuse(ctx, err.Error())
		return
	}
	if len(in.Protocols) > 16 {
		s.refuse(ctx, "at most 16 subprotocols")
		return
	}
	for _, p := range in.Protocols {
		if !isToken(p) {
			s.refuse(ctx, fmt.Sprintf("subprotocol %q is not a token", p))
			return
		}
	}
	began := time.Now()
	up, resp, err := s.dial(ctx, path, header, in.Protocols)
	if err != nil {
		out := relayOut{Type: "refused", Path: path, Error: err.Error()}
		if resp != nil {
			out.Status, out.Headers = resp.StatusCode, resp.Header
			if resp.Body != nil {
				b, _ := io.ReadAll(resp.Body) // at most 1024 bytes, read by Dial
				out.Body = string(b)
			}
		}
		s.log.Info("playground websocket relay refused", slog.String("path", relayLogPath(path)), slog.Int("status", out.Status))
		_ = s.send(ctx, out)
		_ = s.conn.Close(websocket.StatusNormalClosure, "the app refused the handshake")
		return
	}
	s.up = up
	defer up.CloseNow()
	up.SetReadLimit(relayLimits.message)
	if err := s.send(ctx, relayOut{Type: "open", Path: path, Status: resp.StatusCode, Headers: resp.Header,
		Protocol: up.Subprotocol(), Dropped: dropped}); err != nil {
		return
	}
	s.log.Info("playground websocket relay open", slog.String("path", relayLogPath(path)))
	s.touch()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.upstream(ctx) }()
	go func() { defer wg.Done(); s.watch(ctx) }()
	s.browser(ctx)
	close(s.done)
	wg.Wait()
	s.log.Info("playground websocket relay closed", slog.String("path", relayLogPath(path)), slog.Duration("duration", time.Since(began)))
}

// dial opens the WebSocket to path on this app: whatever the URL says,
// the connection goes to the local address the browser's arrived on.
func (s *relaySession) dial(ctx context.Context, path string, header http.Header, protocols []string) (*websocket.Conn, *http.Response, error) {
	local := s.local
	tr := &http.Transport{
		Proxy:             nil, // never $HTTP_PROXY: the app is local
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, local.Network(), local.String())
		},
	}
	scheme := "ws"
	if s.req.TLS != nil {
		// The peer is this process's own listener, reached at its own
		// address: there is no one else to authenticate.
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true, ServerName: s.req.TLS.ServerName} //nolint:gosec
		scheme = "wss"
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	host := "localhost"
	if _, ok := local.(*net.TCPAddr); ok {
		host = local.String()
	}
	ctx, cancel := context.WithTimeout(ctx, relayLimits.dial)
	defer cancel()
	return websocket.Dial(ctx, scheme+"://"+host+path, &websocket.DialOptions{
		HTTPClient: client, HTTPHeader: header, Host: s.req.Host, Subprotocols: protocols})
}

func (s *relaySession) touch() { s.activity.Store(time.Now().UnixNano()) }

// claim reports whether the caller is the first to end the session.
func (s *relaySession) claim() bool { return s.ended.CompareAndSwap(false, true) }

// browser relays the browser's messages to the app until either goes.
func (s *relaySession) browser(ctx context.Context) {
	for {
		typ, data, err := s.conn.Read(ctx)
		if err != nil {
			if s.claim() { // the browser went
				_ = s.up.Close(websocket.StatusGoingAway, "the playground client went away")
			}
			return
		}
		s.touch()
		var in relayIn
		if typ != websocket.MessageText || json.Unmarshal(data, &in) != nil {
			_ = s.send(ctx, relayOut{Type: "error", Error: `messages to the relay are JSON: {"type":"send","text":"..."}`})
			continue
		}
		switch {
		case in.Type == "send" && (in.Text == nil) == (in.Binary == nil):
			_ = s.send(ctx, relayOut{Type: "error", Error: `a send message has either "text" or "binary" (base64)`})
		case in.Type == "send":
			mt, payload := websocket.MessageBinary, in.Binary
			if in.Text != nil {
				mt, payload = websocket.MessageText, []byte(*in.Text)
			}
			if int64(len(payload)) > relayLimits.message {
				_ = s.send(ctx, relayOut{Type: "error", Error: fmt.Sprintf("the message is %d bytes; the relay sends at most %d", len(payload), relayLimits.message)})
				continue
			}
			wctx, cancel := context.WithTimeout(ctx, relayLimits.write)
			err := s.up.Write(wctx, mt, payload)
			cancel()
			if err != nil && s.claim() {
				_ = s.send(ctx, relayOut{Type: "close", By: "relay", Code: int(websocket.StatusAbnormalClosure), Reason: "sending to the app failed: " + err.Error()})
				s.up.CloseNow()
				_ = s.conn.Close(websocket.StatusNormalClosure, "sending to the app failed")
				return
			}
		case in.Type == "close":
			code := websocket.StatusCode(in.Code)
			if code == 0 {
				code = websocket.StatusNormalClosure
			}
			if code != websocket.StatusNormalClosure && (code < 3000 || code > 4999) || len(in.Reason) > 123 {
				_ = s.send(ctx, relayOut{Type: "error", Error: "a close code is 1000 or 3000–4999, its reason at most 123 bytes"})
				continue
			}
			if !s.claim() {
				return
			}
			err := s.up.Close(code, in.Reason)
			out := relayOut{Type: "close", By: "client", Code: int(code), Reason: in.Reason}
			if err != nil {
				out.Error = err.Error()
			}
			_ = s.send(ctx, out)
			_ = s.conn.Close(websocket.StatusNormalClosure, "closed")
			return
		default:
			_ = s.send(ctx, relayOut{Type: "error", Error: fmt.Sprintf("unknown message type %q: send or close", in.Type)})
		}
	}
}

// upstream relays the app's messages to the browser, and the app's close.
func (s *relaySession) upstream(ctx context.Context) {
	for {
		typ, data, err := s.up.Read(ctx)
		if err != nil {
			if !s.claim() {
				return // the browser or the relay is closing it
			}
			out := relayOut{Type: "close", By: "server", Code: int(websocket.StatusAbnormalClosure), Reason: err.Error()}
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				out.Code, out.Reason = int(ce.Code), ce.Reason
			}
			_ = s.send(ctx, out)
			_ = s.conn.Close(websocket.StatusNormalClosure, "the app closed the WebSocket")
			return
		}
		s.touch()
		out := relayOut{Type: "message", Size: len(data)}
		if typ == websocket.MessageText {
			text := string(data)
			out.Text = &text
		} else {
			out.Binary = data
		}
		if err := s.send(ctx, out); err != nil {
			s.conn.CloseNow() // the browser's read fails, and ends the session
			return
		}
	}
}

// watch ends the session when it has been idle too long or the app stops.
func (s *relaySession) watch(ctx context.Context) {
	tick := time.NewTicker(min(relayLimits.idle/10, time.Second))
	defer tick.Stop()
	var reason string
	for reason == "" {
		select {
		case <-s.done:
			return
		case <-s.relay.stopping:
			reason = "the app is shutting down"
		case now := <-tick.C:
			if now.Sub(time.Unix(0, s.activity.Load())) >= relayLimits.idle {
				reason = fmt.Sprintf("no message either way for %s", relayLimits.idle)
			}
		}
	}
	if !s.claim() {
		return
	}
	_ = s.send(ctx, relayOut{Type: "close", By: "relay", Code: int(websocket.StatusGoingAway), Reason: reason})
	_ = s.up.Close(websocket.StatusGoingAway, reason)
	_ = s.conn.Close(websocket.StatusGoingAway, truncateReason(reason))
}

// relayPath checks that p is a path on this app, and nothing that could
// name another host: an absolute path with an optional query.
func relayPath(p string) (string, error) {
	bad := func(why string) error {
		return fmt.Errorf("path %q refused: %s; the relay connects to this app only, so give an absolute path such as /chat?room=1", relayLogPath(p), why)
	}
	switch {
	case p == "":
		return "", bad("empty")
	case len(p) > 8<<10:
		return "", bad("longer than 8 KiB")
	case p[0] != '/':
		return "", bad("not an absolute path (no scheme, no host)")
	case strings.HasPrefix(p, "//"):
		return "", bad("it names a host (//)")
	case strings.ContainsAny(p, `\#`):
		return "", bad(`it holds \ or #`)
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c == 0x7f {
			return "", bad("it holds a space or a control character (CR, LF, NUL…): percent-encode it")
		}
	}
	u, err := url.ParseRequestURI(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", bad("not a path")
	}
	if u.Path == gati.PathPlaygroundWS {
		return "", bad("it is the relay itself")
	}
	return p, nil
}

// relayNever are the headers the relay does not forward: hop-by-hop
// headers, and the handshake's own, which the relay writes.
var relayNever = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Proxy-Authenticate": true,
	"Proxy-Authorization": true, "Te": true, "Trailer": true, "Transfer-Encoding": true,
	"Upgrade": true, "Content-Length": true,
}

// relayHeader builds the handshake's headers from the client's list, and
// lists those it drops. The browser's own Origin and Cookie go along
// unless the list sets them, as they would from a page of this origin.
func relayHeader(list [][2]string, browser http.Header) (http.Header, []string, error) {
	if len(list) > relayLimits.headers {
		return nil, nil, fmt.Errorf("%d headers; the relay forwards at most %d", len(list), relayLimits.headers)
	}
	h := http.Header{}
	var dropped []string
	for _, kv := range list {
		name, value := strings.TrimSpace(kv[0]), strings.TrimSpace(kv[1])
		if !isToken(name) {
			return nil, nil, fmt.Errorf("header name %q is not a token", name)
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			return nil, nil, fmt.Errorf("the value of header %s holds CR, LF or NUL", name)
		}
		key := http.CanonicalHeaderKey(name)
		switch {
		case key == "Host":
			return nil, nil, errors.New("the Host header cannot be set: the relay connects to this app only")
		case relayNever[key] || strings.HasPrefix(key, "Sec-Websocket-"):
			dropped = append(dropped, name)
			continue
		}
		h.Add(key, value)
	}
	for _, k := range []string{"Origin", "Cookie"} {
		if v := browser.Values(k); len(v) > 0 && len(h.Values(k)) == 0 {
			h[k] = v
		}
	}
	return h, dropped, nil
}

// isToken reports whether s is an RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// headerHasToken reports whether a comma-separated header lists token.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// relayLogPath is path without its query, which may hold credentials.
func relayLogPath(p string) string {
	p, _, _ = strings.Cut(p, "?")
	if len(p) > 200 {
		p = p[:200] + "…"
	}
	return p
}

// truncateReason fits a close reason into a control frame's 123 bytes.
func truncateReason(s string) string {
	if len(s) <= 123 {
		return s
	}
	s = s[:120]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
