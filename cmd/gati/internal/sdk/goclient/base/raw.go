package base

import (
	"context"
	"io"
	"net/http"
)

// raw sends r and returns its 2xx response for the caller to read; any
// other status is an *ApiError. Closing the body ends the call.
func (c *Client) raw(ctx context.Context, r *request) (*http.Response, error) {
	resp, cancel, err := c.open(ctx, r, "")
	if err != nil {
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose is a response body whose Close ends its call.
type cancelOnClose struct {
	io.ReadCloser
	cancel func()
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
