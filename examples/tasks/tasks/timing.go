package tasks

import (
	"log/slog"
	"net/http"
	"time"

	"gati.dev/gati"
)

// Timing logs one line per request with its status and duration, through
// the request's logger, so the line carries the request id, trace id and
// route. It is global: the directive registers it for every route.
//
//gati:middleware global
func Timing(next gati.HandlerFunc) gati.HandlerFunc {
	return func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
		err := next(req, res, gctx, lctx)
		status := res.StatusCode()
		switch {
		case err != nil:
			status = gati.StatusOf(err) // the framework writes the problem after we return
		case status == 0:
			status = http.StatusNoContent // returned nil without writing
		}
		lctx.Logger().LogAttrs(lctx.Context(), slog.LevelInfo, "handled",
			slog.Int("status", status), slog.Duration("took", time.Since(lctx.Start())))
		return err
	}
}
