package sqs

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gati.dev/gati/effects"
)

func TestDelaySeconds(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		in   time.Duration
		want int32
	}{{-time.Second, 0}, {0, 0}, {time.Millisecond, 1}, {time.Second, 1}, {1500 * time.Millisecond, 2}, {14 * time.Minute, 840}, {time.Hour, 900}} {
		if got := delaySeconds(now.Add(c.in), now); got != c.want {
			t.Errorf("delaySeconds(%s) = %d, want %d", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		in   time.Duration
		want int32
	}{{time.Millisecond, 1}, {300 * time.Millisecond, 1}, {1001 * time.Millisecond, 2}, {30 * time.Second, 30}, {24 * time.Hour, 43200}} {
		if got := visibility(c.in); got != c.want {
			t.Errorf("visibility(%s) = %d, want %d", c.in, got, c.want)
		}
	}
	if end := leaseEnd(now, 10*time.Second); !end.Before(now.Add(10*time.Second)) || end.Before(now.Add(9*time.Second)) {
		t.Errorf("leaseEnd(10s) = now+%s, want a little under 10s", end.Sub(now))
	}
}

// A long history of long errors is shortened to fit a message, keeping
// every attempt's entry.
func TestEnvelopeFitsAMessage(t *testing.T) {
	e := newEnvelope(&effects.Job{Kind: "k", Queue: "q", Args: json.RawMessage(`{"a":1}`), MaxAttempts: 25, RunAt: time.Now(), CreatedAt: time.Now()})
	for i := range 25 {
		e.Errors = append(e.Errors, effects.AttemptError{Attempt: i + 1, At: time.Now(), Reason: "panic", Error: strings.Repeat("stack ✓ ", 4<<10)})
	}
	body, err := e.marshal()
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > maxBody {
		t.Fatalf("%d bytes, more than %d", len(body), maxBody)
	}
	back, err := decodeEnvelope(string(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Errors) != 25 || back.Errors[24].Attempt != 25 || !strings.Contains(back.Errors[0].Error, "shortened") {
		t.Fatalf("history after shortening: %d errors, first %.80q", len(back.Errors), back.Errors[0].Error)
	}
	if len(e.Errors[0].Error) != len(strings.Repeat("stack ✓ ", 4<<10)) {
		t.Fatal("marshal shortened the envelope it was given")
	}

	e.Args = json.RawMessage(`"` + strings.Repeat("x", maxBody) + `"`)
	if _, err := e.marshal(); err == nil || !strings.Contains(err.Error(), "args smaller") {
		t.Fatalf("args over the limit: %v", err)
	}
}
