package devserver

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// target is one running build and the proxy that forwards to it.
//
// pending counts proxied requests that have not yet received response
// headers from it. Once the target is retired, no new request acquires
// it; when pending reaches zero, every request it ever took has an active
// connection, which the app's graceful shutdown waits for, so stopping
// it then cannot fail a request (an idle keep-alive connection reused at
// the moment the app closes it could).
type target struct {
	child     *child
	proxy     *httputil.ReverseProxy
	transport *http.Transport
	pending   atomic.Int64
	retired   atomic.Bool
}

func newTarget(c *child, onError func(http.ResponseWriter, *http.Request, error)) *target {
	t := &target{child: c, transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}}
	u := &url.URL{Scheme: "http", Host: c.addr}
	t.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.Out.Host = r.In.Host // the app sees the host the client used
			r.SetXForwarded()
		},
		Transport:     releasingTransport{t.transport},
		FlushInterval: -1, // stream: server-sent events must not wait in a buffer
		ErrorHandler:  onError,
	}
	return t
}

// acquire returns the current target with a request counted as pending,
// or nil when no build is running.
func acquire(cur *atomic.Pointer[target]) *target {
	for {
		t := cur.Load()
		if t == nil {
			return nil
		}
		t.pending.Add(1)
		if !t.retired.Load() {
			return t
		}
		t.pending.Add(-1) // switched meanwhile: take the new one
	}
}

// drain retires t and waits, at most max, until none of its requests
// waits for response headers. Long-lived responses (streams, WebSockets)
// have their headers, so they do not hold it up.
func (t *target) drain(max time.Duration) {
	t.retired.Store(true)
	deadline := time.Now().Add(max)
	for t.pending.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	t.transport.CloseIdleConnections()
}

// serve forwards r to t; the request stops being pending once the app
// has answered with headers (or failed).
func (t *target) serve(w http.ResponseWriter, r *http.Request) {
	rel := &releaser{t: t}
	defer rel.release()
	t.proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), releaserKey{}, rel)))
}

type releaserKey struct{}

type releaser struct {
	once sync.Once
	t    *target
}

func (r *releaser) release() { r.once.Do(func() { r.t.pending.Add(-1) }) }

// releasingTransport releases the request's pending count as soon as
// response headers arrive.
type releasingTransport struct{ base http.RoundTripper }

func (rt releasingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := rt.base.RoundTrip(r)
	if rel, ok := r.Context().Value(releaserKey{}).(*releaser); ok {
		rel.release()
	}
	return res, err
}
