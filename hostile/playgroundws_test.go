package hostile_test

import (
	"bufio"
	"net/http"
	"testing"
	"time"
)

// TestPlaygroundRelayCutsTricklingConnect runs tasks in production with
// the playground on (and its token), opens the playground's WebSocket
// relay over a raw connection and sends the connect message one byte
// every 500ms: the relay must cut the connection once its 10s for the
// connect message are up, not wait for the trickle to end.
func TestPlaygroundRelayCutsTricklingConnect(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	a := start(t, tasksBin, shortTimeouts+"playground:\n  enabled: true\n", "TASKS_TOKEN=hostile", "GATI_PLAYGROUND_TOKEN=pg-hostile")
	c := a.dial(t)
	br := bufio.NewReader(c)
	_, _ = c.Write([]byte("GET /_playground/api/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer pg-hostile\r\n\r\n"))
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("the relay's handshake: %v %v", resp, err)
	}
	opened := time.Now()
	// A masked text frame: {"path":"/tasks/events"}, sent a byte at a time.
	payload := []byte(`{"path":"/tasks/events"}`)
	mask := []byte{1, 2, 3, 4}
	frame := append([]byte{0x81, 0x80 | byte(len(payload))}, mask...)
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	go func() {
		for _, b := range frame {
			if _, err := c.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(500 * time.Millisecond)
		}
	}()
	_, took := closedWithin(t, c, br, opened, 14*time.Second)
	t.Logf("a connect message trickled a byte per 500ms (%d bytes, %v in all) was cut after %v", len(frame), time.Duration(len(frame))*500*time.Millisecond, took.Round(time.Millisecond))
	if took < 9*time.Second {
		t.Errorf("cut after %v, before the 10s the connect message has", took)
	}
}
