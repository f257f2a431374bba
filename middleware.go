package gati

import "net/http"

// Middleware is the Gati-native middleware form: it wraps the next handler
// and sees the request, response, gctx and lctx. Global middleware (App.Use)
// runs after routing, so lctx.Pattern is known; per-route middleware (With)
// runs inside it.
type Middleware func(next HandlerFunc) HandlerFunc

// HTTPMiddleware is the standard net/http middleware form; any package's
// middleware works unchanged. Global HTTP middleware (App.UseHTTP) runs
// before routing, so it also sees requests that end in 404 or 405 (CORS
// preflights, for one); per-route HTTP middleware (WithHTTP) runs after.
type HTTPMiddleware = func(http.Handler) http.Handler

// chain wraps h in mw so that mw[0] runs first.
func chain(h HandlerFunc, mw []Middleware) HandlerFunc {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// chainHTTP wraps h in mw so that mw[0] runs first.
func chainHTTP(h http.Handler, mw []HTTPMiddleware) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}
