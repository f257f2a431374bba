package tasks

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/coder/websocket"

	"example.com/tasks/store"
	"gati.dev/gati"
	"gati.dev/gati/ws"
)

// eventBuffer is how many changes a slow client may fall behind before it
// is disconnected (it should reconnect and read GET /tasks again).
const eventBuffer = 64

// writeTimeout bounds sending one event to a client.
const writeTimeout = 5 * time.Second

// Events streams every change to the list over a WebSocket, one JSON
// text message per change: {"seq":1,"type":"created","task":{...}}.
//
// It subscribes before upgrading, so a client that has connected sees
// every change made after that. The connection closes normally when the
// server shuts down or the client falls more than eventBuffer changes
// behind.
//
//gati:route GET /tasks/events
func Events(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	events, unsubscribe := gati.ModuleOf[*store.Store](gctx).Subscribe(eventBuffer)
	defer unsubscribe()
	serve := func(ctx context.Context, conn *websocket.Conn, _ *gati.Global, _ *gati.Local) error {
		ctx = conn.CloseRead(ctx) // the client sends nothing; this notices it leaving
		for {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case ev, ok := <-events:
				if !ok {
					return nil
				}
				if err := send(ctx, conn, ev); err != nil {
					return err
				}
			}
		}
	}
	return ws.Handler(serve, nil)(req, res, gctx, lctx)
}

func send(ctx context.Context, conn *websocket.Conn, ev store.Event) error {
	msg, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	return conn.Write(ctx, websocket.MessageText, msg)
}

// keepAlive is how often Stream sends a comment so that proxies keep an
// idle stream open.
const keepAlive = 15 * time.Second

// Stream is the Server-Sent Events form of Events, for clients that
// cannot open WebSockets (EventSource in a browser, curl -N). Each change
// is an event named after its type, with the event's seq as its id and
// the task as JSON data.
//
//gati:route GET /tasks/stream
func Stream(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	events, unsubscribe := gati.ModuleOf[*store.Store](gctx).Subscribe(eventBuffer)
	defer unsubscribe()
	es, err := res.SSE()
	if err != nil {
		return err
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	ctx := lctx.Context()
	for {
		select {
		case <-ctx.Done():
			return nil // the client went away
		case <-tick.C:
			if err := es.Comment("keep-alive"); err != nil {
				return err
			}
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			data, err := json.Marshal(ev.Task)
			if err != nil {
				return err
			}
			if err := es.Send(gati.Event{ID: strconv.FormatUint(ev.Seq, 10), Event: ev.Type, Data: string(data)}); err != nil {
				return err
			}
		}
	}
}
