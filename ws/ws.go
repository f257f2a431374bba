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
	"context"
	"errors"
	"fmt"
	"log/slog"
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
		w, err := res.Hijack()
		if err != nil {
			return err
		}
		conn, err := websocket.Accept(w, req.HTTP(), opts)
		if err != nil {
			lctx.Logger().Info("websocket upgrade refused", slog.Any("error", err))
			return nil // Accept has written the refusal
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
