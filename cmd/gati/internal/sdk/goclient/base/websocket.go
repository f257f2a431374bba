package base

import (
	"context"
	"net/http"
	"strings"
)

// WebSocketRequest is the opening handshake of one of the API's
// WebSockets: the URL to dial and the headers to send (the version, the
// authorization and the client's headers). The standard library has no
// WebSocket client, and this package depends on nothing else, so it does
// not dial: hand both to the WebSocket library you use, such as
// github.com/coder/websocket,
//
//	conn, _, err := websocket.Dial(ctx, ws.URL, &websocket.DialOptions{HTTPHeader: ws.Header})
//
// or github.com/gorilla/websocket,
//
//	conn, _, err := websocket.DefaultDialer.DialContext(ctx, ws.URL, ws.Header)
type WebSocketRequest struct {
	// URL is the ws:// or wss:// URL of the WebSocket.
	URL    string
	Header http.Header
}

// webSocket returns the handshake of the WebSocket r opens.
func (c *Client) webSocket(ctx context.Context, r *request) (WebSocketRequest, error) {
	h, err := c.headers(ctx, r, "")
	if err != nil {
		return WebSocketRequest{}, err
	}
	if len(r.cookies) > 0 {
		req := http.Request{Header: http.Header{}}
		for _, ck := range r.cookies {
			req.AddCookie(ck)
		}
		h.Set("Cookie", req.Header.Get("Cookie"))
	}
	u := c.baseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	if rest, ok := strings.CutPrefix(u, "https://"); ok {
		u = "wss://" + rest
	} else if rest, ok := strings.CutPrefix(u, "http://"); ok {
		u = "ws://" + rest
	}
	return WebSocketRequest{URL: u, Header: h}, nil
}
