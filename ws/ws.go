// Package ws serves WebSocket routes in a Gati app, using
// github.com/coder/websocket.
//
//	app.HandleFunc("GET /chat", ws.Handler(func(ctx context.Context, c *websocket.Conn, gctx *gati.Global, lctx *gati.Local) error {
//		for {
//			typ, msg, err := c.Read(ctx)
//			if err != nil {
//				return err
//			}
//			if err := c.Write(ctx, typ, msg); err != nil {
//				return err
//			}
//		}
//	}, nil))
package ws

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/coder/websocket"

	"gati.dev/gati"
)

// Func serves one WebSocket connection. The connection closes when Func
// returns: normally for a nil error or a closed peer, with an internal
// error status otherwise. ctx is cancelled when the client goes away.
type Func func(ctx context.Context, conn *websocket.Conn, gctx *gati.Global, lctx *gati.Local) error

// Handler upgrades the request to a WebSocket connection and calls fn.
// opts may be nil; by default the Origin must match the Host, which
// protects against cross-site WebSocket hijacking.
func Handler(fn Func, opts *websocket.AcceptOptions) gati.HandlerFunc {
	return func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
		if err := checkUpgrade(req.HTTP(), res); err != nil {
			return err
		}
		aw := &acceptWriter{res: res}
		conn, err := websocket.Accept(aw, req.HTTP(), opts)
		if err != nil {
			lctx.Logger().Info("websocket upgrade refused", slog.Any("error", err))
			if aw.refused >= 400 { // Accept's plain-text refusal becomes a problem
				return gati.NewError(aw.refused, "websocket_refused", strings.TrimSpace(aw.refusal.String()))
			}
			return err
		}
		defer conn.CloseNow()
		err = fn(lctx.Context(), conn, gctx, lctx)
		switch status := websocket.CloseStatus(err); {
		case err == nil, status == websocket.StatusNormalClosure, status == websocket.StatusGoingAway:
			return conn.Close(websocket.StatusNormalClosure, "")
		case errors.Is(err, context.Canceled):
			return nil
		}
		lctx.Logger().Warn("websocket handler failed", slog.Any("error", err))
		return conn.Close(websocket.StatusInternalError, "internal error")
	}
}

// checkUpgrade refuses, as problem+json, the requests Accept would refuse
// in plain text: anything that is not a WebSocket handshake (426), or one
// of a protocol version other than 13.
func checkUpgrade(r *http.Request, res *gati.Response) error {
	if !headerHas(r.Header, "Connection", "upgrade") || !headerHas(r.Header, "Upgrade", "websocket") {
		res.Header().Set("Connection", "Upgrade")
		res.Header().Set("Upgrade", "websocket")
		return gati.NewError(http.StatusUpgradeRequired, "upgrade_required",
			"this route serves WebSocket connections: send a WebSocket handshake (Connection: Upgrade, Upgrade: websocket)")
	}
	if v := r.Header.Get("Sec-WebSocket-Version"); v != "13" {
		res.Header().Set("Sec-WebSocket-Version", "13")
		return gati.NewError(http.StatusBadRequest, "unsupported_websocket_version",
			fmt.Sprintf("WebSocket protocol version %q is not supported; use 13", v))
	}
	return nil
}

// headerHas reports whether a comma-separated header lists token.
func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// acceptWriter stands between websocket.Accept and the response: the
// handshake's 101 and the connection go through to the client, while a
// refusal (403 for a foreign Origin, say), which Accept writes as plain
// text, is kept so the handler can answer it as problem+json instead.
type acceptWriter struct {
	res     *gati.Response
	raw     http.ResponseWriter // the response, once the handshake takes it
	refused int
	refusal bytes.Buffer
}

func (w *acceptWriter) Header() http.Header { return w.res.Header() }

func (w *acceptWriter) WriteHeader(code int) {
	if code >= 400 {
		w.refused = code
		return
	}
	if w.raw == nil {
		raw, err := w.res.Hijack()
		if err != nil {
			return
		}
		w.raw = raw
	}
	w.raw.WriteHeader(code)
}

func (w *acceptWriter) Write(p []byte) (int, error) {
	if w.refused != 0 || w.raw == nil {
		return w.refusal.Write(p)
	}
	return w.raw.Write(p)
}

// Hijack hands the connection to the WebSocket after the 101.
func (w *acceptWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.raw == nil {
		return nil, nil, errors.New("ws: the connection was hijacked before the handshake's 101")
	}
	return http.NewResponseController(w.raw).Hijack()
}
