package sqs

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/internal/queuekit"
)

// envelopeVersion is the format of the message bodies this binary
// writes. A message of a newer format is left for the binary that wrote
// it (a rolling deploy).
const envelopeVersion = 1

// maxBody bounds a message body: 256 KiB, SQS's limit on standard
// queues created before 2025 and goaws's default (newer queues accept
// 1 MiB, but a queue's limit is its own).
const maxBody = 256 << 10

// envelope is an effect as a message body: everything SQS cannot keep
// for us. A message cannot be changed once sent, so every state change
// but a lease sends a new message with the updated envelope and deletes
// the old one.
type envelope struct {
	V    int    `json:"v"`
	ID   string `json:"id"` // ours, stable across messages (SQS's MessageId is not)
	Kind string `json:"kind"`
	// Queue is the gati queue, without the prefix.
	Queue string          `json:"queue"`
	Args  json.RawMessage `json:"args"`
	// Priority is kept, not honoured (SQS has no order).
	Priority int `json:"priority,omitempty"`
	// Attempt counts the attempts made before this message was sent
	// (while a worker runs it, the current one included).
	Attempt     int           `json:"attempt"`
	MaxAttempts int           `json:"max_attempts"`
	RunAt       time.Time     `json:"run_at"`
	Timeout     time.Duration `json:"timeout,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	// FinishedAt is when it died (in a dead-letter queue).
	FinishedAt time.Time              `json:"finished_at,omitzero"`
	Errors     []effects.AttemptError `json:"errors,omitempty"`
	TraceID    string                 `json:"trace_id,omitempty"`
	RequestID  string                 `json:"request_id,omitempty"`
}

func newEnvelope(j *effects.Job) *envelope {
	return &envelope{V: envelopeVersion, ID: queuekit.NewID(), Kind: j.Kind, Queue: j.Queue, Args: j.Args, Priority: j.Priority,
		MaxAttempts: j.MaxAttempts, RunAt: j.RunAt, Timeout: j.Timeout, CreatedAt: j.CreatedAt,
		TraceID: j.TraceID, RequestID: j.RequestID}
}

func (e *envelope) clone() *envelope {
	c := *e
	c.Errors = slices.Clone(e.Errors)
	return &c
}

func (e *envelope) job(state effects.State) *effects.Job {
	return &effects.Job{ID: e.ID, Kind: e.Kind, Queue: e.Queue, Args: e.Args, Priority: e.Priority, State: state,
		Attempt: e.Attempt, MaxAttempts: e.MaxAttempts, RunAt: e.RunAt, Timeout: e.Timeout, CreatedAt: e.CreatedAt,
		FinishedAt: e.FinishedAt, Errors: slices.Clone(e.Errors), TraceID: e.TraceID, RequestID: e.RequestID}
}

// errNewer reports an envelope written by a newer binary.
type errNewer struct{ v int }

func (e errNewer) Error() string {
	return fmt.Sprintf("envelope version %d is newer than this binary's %d", e.v, envelopeVersion)
}

func decodeEnvelope(body string) (*envelope, error) {
	var e envelope
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		return nil, fmt.Errorf("not an effect: %w", err)
	}
	if e.V > envelopeVersion {
		return nil, errNewer{e.V}
	}
	if e.V < 1 || e.ID == "" || e.Queue == "" {
		return nil, fmt.Errorf("not an effect: no version, id or queue")
	}
	return &e, nil
}

// poison wraps a message that is not an effect, so that it can go to
// the dead-letter queue with the reason, its body kept as a JSON string
// in Args, where an operator finds, inspects and discards it.
func poison(queue, messageID, body string, why error) *envelope {
	args, _ := json.Marshal(body)
	now := time.Now()
	return &envelope{V: envelopeVersion, ID: "msg-" + messageID, Queue: queue, Args: args, Attempt: 1, MaxAttempts: 1,
		RunAt: now, CreatedAt: now, FinishedAt: now,
		Errors: []effects.AttemptError{{Attempt: 1, At: now, Reason: "error", Error: "the SQS message " + messageID + " is not an effect: " + why.Error()}}}
}

// marshal encodes the envelope within maxBody, shortening the texts of
// the oldest errors first when the history has grown too long (their
// attempt, time and reason stay).
func (e *envelope) marshal() ([]byte, error) {
	body, err := json.Marshal(e)
	if err != nil || len(body) <= maxBody {
		return body, err
	}
	c := e.clone()
	for keep := 1024; keep >= 16; keep /= 4 {
		excess := len(body) - maxBody
		for i := range c.Errors {
			if excess <= 0 {
				break
			}
			if r := []rune(c.Errors[i].Error); len(r) > keep {
				short := string(r[:keep]) + "… (shortened: SQS messages are at most 256 KiB)"
				excess -= len(c.Errors[i].Error) - len(short)
				c.Errors[i].Error = short
			}
		}
		if body, err = json.Marshal(c); err != nil || len(body) <= maxBody {
			return body, err
		}
	}
	return nil, fmt.Errorf("sqs: effect %s (%s) is %d bytes as a message, more than SQS's %d: make its args smaller", e.ID, e.Kind, len(body), maxBody)
}
