package base

import (
	"context"
	"net/http"
	"time"
)

// Option configures a Client; pass options to New.
type Option interface {
	apply(*Client)
}

type option func(*Client)

func (o option) apply(c *Client) { o(c) }

// WithHTTPClient sends the requests with hc instead of
// http.DefaultClient: for a transport with TLS settings, a proxy,
// tracing or a test double. A timeout set on hc bounds each attempt.
func WithHTTPClient(hc *http.Client) Option {
	return option(func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	})
}

// WithVersion pins the client to another API version than Version, the
// one its types were generated for; "" sends no X-API-Version and gets the
// server's default version. Prefer generating a client for the version
// you mean: the types of this package describe Version.
func WithVersion(version string) Option {
	return option(func(c *Client) { c.version = version })
}

// WithHeader adds a header to every request.
func WithHeader(key, value string) Option {
	return option(func(c *Client) { c.header.Add(key, value) })
}

// WithBearer authenticates every request with "Authorization: Bearer
// token".
func WithBearer(token string) Option {
	return WithAuth(func(context.Context) (string, error) { return token, nil })
}

// WithAuth authenticates every request with the bearer token that token
// returns when the request is made, for credentials that expire or live
// elsewhere; "" sends no Authorization header, and an error fails the
// call.
func WithAuth(token func(ctx context.Context) (string, error)) Option {
	return option(func(c *Client) { c.auth = token })
}

// WithRetry sets how calls are retried: at most attempts times in all
// (1 turns retries off), waiting between attempts what the response's
// Retry-After asks, else an exponential backoff, but never longer than
// maxDelay: a response asking for a longer wait ends the call with its
// error. Only idempotent calls (GET, HEAD, OPTIONS, PUT, DELETE) answered
// 429 Too Many Requests or 503 Service Unavailable are retried, and none
// once the call's context is done. The default is 3 attempts and 10s.
func WithRetry(attempts int, maxDelay time.Duration) Option {
	return option(func(c *Client) { c.retry = retryPolicy{attempts: max(attempts, 1), maxDelay: max(maxDelay, 0)} })
}

// WithTimeout bounds each call, its retries included; for an event stream
// or a raw operation, it bounds the wait for the response headers, and
// the context passed to the call bounds the rest. 0, the default, sets no
// bound.
func WithTimeout(d time.Duration) Option {
	return option(func(c *Client) { c.timeout = d })
}
