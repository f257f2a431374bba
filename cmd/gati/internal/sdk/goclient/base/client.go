package base

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls the API. Create one with New and share it: its methods are
// safe for concurrent use.
//
// Every request carries the API version the client is pinned to (Version,
// unless WithVersion says otherwise) as X-API-Version, so the server
// answers in that version's shapes even after the API has moved on.
//
// Every call carries an X-Request-Id that names it in the server's logs:
// a random one, unless the call's or the client's headers set one. Its
// retries send the same. The client knows the id even when no response
// arrives: RequestIDOf finds it in the call's error, and Response has it.
type Client struct {
	baseURL string
	http    *http.Client
	version string
	header  http.Header
	auth    func(context.Context) (string, error)
	retry   retryPolicy
	timeout time.Duration
}

// New returns a client of the API served at baseURL, such as
// "https://api.example.com" or "http://localhost:8080/prefix".
func New(baseURL string, opts ...Option) *Client {
	c := &Client{
		baseURL: strings.TrimSuffix(baseURL, "/"),
		http:    http.DefaultClient,
		version: Version,
		header:  http.Header{},
		retry:   defaultRetry,
	}
	for _, o := range opts {
		o.apply(c)
	}
	return c
}

// request is one call as an operation's method describes it.
type request struct {
	method  string
	path    string // escaped, starting with "/"
	query   url.Values
	header  http.Header
	cookies []*http.Cookie
	json    any // the JSON body; nil for none

	// body and contentType are a raw operation's body, which can be
	// sent once only: a request with one is not retried.
	body        io.Reader
	contentType string

	// id is the call's X-Request-Id, set when it is first sent.
	id string
}

// do sends r and decodes the JSON response into out, unless out is nil or
// the response has no body (out then keeps its zero value). The client's
// timeout bounds the whole call, retries included.
func (c *Client) do(ctx context.Context, r *request, out any) (*Response, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	resp, err := c.send(ctx, r, "application/json")
	if err != nil {
		if e, ok := err.(*ApiError); ok {
			return e.Response, err
		}
		return nil, err
	}
	defer resp.Body.Close()
	meta := newResponse(resp)
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return meta, r.failed(fmt.Errorf("%s %s: reading the response: %w", r.method, r.path, err))
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return meta, nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return meta, fmt.Errorf("%s %s: decoding the response: %w", r.method, r.path, err)
	}
	return meta, nil
}

// open sends r for a response whose body the caller reads later (a
// stream or a raw operation): the client's timeout bounds the wait for
// the response headers only. The caller must call cancel once done with
// the body.
func (c *Client) open(ctx context.Context, r *request, accept string) (resp *http.Response, cancel func(), err error) {
	ctx, cancelCause := context.WithCancelCause(ctx)
	stop := func() bool { return true }
	if c.timeout > 0 {
		timeout := fmt.Errorf("%s %s: no response within %s: %w", r.method, r.path, c.timeout, context.DeadlineExceeded)
		stop = time.AfterFunc(c.timeout, func() { cancelCause(timeout) }).Stop
	}
	resp, err = c.send(ctx, r, accept)
	if !stop() { // the timeout fired: the body, if any, is cut off
		if err == nil {
			resp.Body.Close()
		}
		err = r.failed(context.Cause(ctx))
	}
	if err != nil {
		cancelCause(nil)
		return nil, nil, err
	}
	return resp, func() { cancelCause(nil) }, nil
}

// send sends r, retrying as the client's policy allows, and returns a 2xx
// response, or an *ApiError for any other status. Once a request has gone
// out, other errors carry its id (see RequestIDOf).
func (c *Client) send(ctx context.Context, r *request, accept string) (*http.Response, error) {
	if r.id == "" {
		r.id = c.requestID(r)
	}
	var data []byte
	if r.json != nil {
		var err error
		if data, err = json.Marshal(r.json); err != nil {
			return nil, fmt.Errorf("%s %s: encoding the request body: %w", r.method, r.path, err)
		}
	}
	for attempt := 1; ; attempt++ {
		req, err := c.newRequest(ctx, r, data, accept)
		if err != nil {
			if attempt > 1 {
				return nil, r.failed(err) // earlier attempts went out
			}
			return nil, err
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, r.failed(err)
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		apiErr := readError(resp)
		delay, ok := c.retry.delay(attempt, resp, time.Now())
		if !ok || !r.retryable() {
			return nil, apiErr
		}
		if err := sleep(ctx, delay); err != nil {
			return nil, r.failed(fmt.Errorf("%s %s: waiting to retry after %d %s: %w", r.method, r.path, apiErr.Status, apiErr.Title, err))
		}
	}
}

func (c *Client) newRequest(ctx context.Context, r *request, data []byte, accept string) (*http.Request, error) {
	u := c.baseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	switch {
	case data != nil:
		body = bytes.NewReader(data)
	case r.body != nil:
		body = r.body
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, err
	}
	if req.Header, err = c.headers(ctx, r, accept); err != nil {
		return nil, err
	}
	switch {
	case data != nil:
		req.Header.Set("Content-Type", "application/json")
	case r.contentType != "":
		req.Header.Set("Content-Type", r.contentType)
	}
	for _, ck := range r.cookies {
		req.AddCookie(ck)
	}
	return req, nil
}

// headers returns the headers of a request for r: the version, accept,
// the client's headers, r's header parameters, its request id and the
// authorization.
func (c *Client) headers(ctx context.Context, r *request, accept string) (http.Header, error) {
	h := http.Header{}
	if c.version != "" {
		h.Set("X-API-Version", c.version)
	}
	if accept != "" {
		h.Set("Accept", accept)
	}
	for k, vs := range c.header {
		h[k] = append([]string(nil), vs...)
	}
	for k, vs := range r.header {
		h[k] = append([]string(nil), vs...)
	}
	if r.id != "" {
		h.Set("X-Request-Id", r.id)
	}
	if c.auth != nil {
		token, err := c.auth(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s %s: authorization: %w", r.method, r.path, err)
		}
		if token != "" {
			h.Set("Authorization", "Bearer "+token)
		}
	}
	return h, nil
}

// retryable reports whether r may be sent again: its method is idempotent
// (RFC 9110, section 9.2.2) and its body can be replayed.
func (r *request) retryable() bool {
	switch r.method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return r.body == nil
	}
	return false
}

// requestID returns the X-Request-Id of a call: the one its headers or
// the client's set, else a new random one, 128 bits in hex.
func (c *Client) requestID(r *request) string {
	if id := r.header.Get("X-Request-Id"); id != "" {
		return id
	}
	if id := c.header.Get("X-Request-Id"); id != "" {
		return id
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // since Go 1.24 it crashes the program rather than fail
	return hex.EncodeToString(b[:])
}

// failed returns err, a failure of r after a request went out, with r's
// request id.
func (r *request) failed(err error) error {
	if err == nil || r.id == "" {
		return err
	}
	return &requestError{id: r.id, err: err}
}

// requestError is the error of a call that sent a request but got no
// usable response (a network failure, a timeout): it names the request
// id, which the server logged if the request reached it.
type requestError struct {
	id  string
	err error
}

func (e *requestError) Error() string { return e.err.Error() + " (X-Request-Id " + e.id + ")" }
func (e *requestError) Unwrap() error { return e.err }

// RequestIDOf returns the X-Request-Id of the call that failed with err,
// to look it up in the server's logs: the one the server answered with
// (an *ApiError's RequestID), else the one the client sent; "" when the
// call failed before sending (encoding its body or authorizing it) or err
// is not a call's.
func RequestIDOf(err error) string {
	var e *ApiError
	if errors.As(err, &e) {
		return e.RequestID
	}
	var re *requestError
	if errors.As(err, &re) {
		return re.id
	}
	return ""
}
