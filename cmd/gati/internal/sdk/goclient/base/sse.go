package base

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"mime"
	"strings"
)

// Event is one Server-Sent Event.
type Event struct {
	// Type is the event's name (its "event" field); "message" when the
	// server gave none.
	Type string
	// ID is the last event ID the server set (an "id" field of this
	// event or of an earlier one); a client that reconnects sends it as
	// Last-Event-ID to resume after it.
	ID string
	// Data is the event's data, its lines joined with "\n".
	Data string
}

// Decode decodes the event's data as JSON into v.
func (e Event) Decode(v any) error {
	return json.Unmarshal([]byte(e.Data), v)
}

// EventStream reads the events of a text/event-stream response. Close it
// when done; reading it from several goroutines at once is not safe.
type EventStream struct {
	// Response is the stream's response.
	Response *Response

	ctx    context.Context
	cancel func()
	body   io.Closer
	lines  *bufio.Scanner
	lastID string
	err    error
}

// maxEventLine bounds one line of the stream.
const maxEventLine = 16 << 20

// stream sends r and returns its response's events.
func (c *Client) stream(ctx context.Context, r *request) (*EventStream, error) {
	ctx, cancelCtx := context.WithCancel(ctx)
	resp, cancel, err := c.open(ctx, r, "text/event-stream")
	if err != nil {
		cancelCtx()
		return nil, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		resp.Body.Close()
		cancel()
		cancelCtx()
		return nil, fmt.Errorf("%s %s: the response is %q, not an event stream", r.method, r.path, mt)
	}
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(nil, maxEventLine)
	lines.Split(scanLines)
	return &EventStream{
		Response: newResponse(resp),
		ctx:      ctx,
		cancel:   func() { cancel(); cancelCtx() },
		body:     resp.Body,
		lines:    lines,
	}, nil
}

// Next returns the next event. It blocks until one arrives, and returns
// io.EOF when the stream ends, the context's error when the call's
// context is done or the stream closed, and the error reading it
// otherwise.
func (s *EventStream) Next() (Event, error) {
	if s.err != nil {
		return Event{}, s.err
	}
	var ev Event
	var data strings.Builder
	hasData := false
	for s.lines.Scan() {
		line := s.lines.Text()
		if line == "" { // dispatch
			if !hasData {
				ev = Event{}
				continue
			}
			ev.ID, ev.Data = s.lastID, strings.TrimSuffix(data.String(), "\n")
			if ev.Type == "" {
				ev.Type = "message"
			}
			return ev, nil
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "": // a comment
		case "event":
			ev.Type = value
		case "data":
			data.WriteString(value)
			data.WriteByte('\n')
			hasData = true
		case "id":
			if !strings.ContainsRune(value, 0) {
				s.lastID = value
			}
		}
	}
	switch err := s.lines.Err(); {
	case s.ctx.Err() != nil:
		s.err = s.ctx.Err()
	case err == nil:
		s.err = io.EOF // an event not ended by a blank line is dropped
	default:
		s.err = err
	}
	return Event{}, s.err
}

// Events returns an iterator over the stream's events for a range loop.
// It ends with the stream, yielding the error that ended it unless that
// is io.EOF.
func (s *EventStream) Events() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			ev, err := s.Next()
			if err == io.EOF {
				return
			}
			if !yield(ev, err) || err != nil {
				return
			}
		}
	}
}

// Close ends the stream.
func (s *EventStream) Close() error {
	err := s.body.Close()
	s.cancel()
	return err
}

// scanLines splits a stream into lines ended by "\r\n", "\n" or "\r", as
// the event stream format allows.
func scanLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	i := bytes.IndexAny(data, "\r\n")
	switch {
	case i < 0:
		if atEOF && len(data) > 0 {
			return len(data), data, nil
		}
		return 0, nil, nil
	case data[i] == '\n':
		return i + 1, data[:i], nil
	case i+1 < len(data):
		if data[i+1] == '\n' {
			return i + 2, data[:i], nil
		}
		return i + 1, data[:i], nil
	case atEOF:
		return i + 1, data[:i], nil
	}
	return 0, nil, nil // a "\r" that may start "\r\n": read on
}
