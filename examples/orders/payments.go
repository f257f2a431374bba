package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"gati.dev/gati/effects"
)

// Charge is the argument of a card charge.
type Charge struct {
	OrderID string `json:"order_id"`
	Cents   int64  `json:"cents"`
	Card    string `json:"card"`
}

// ChargeCard charges an order's card, in its own queue, at most five
// times; an order is charged once however often it is enqueued within a
// day.
var ChargeCard = effects.Define[Charge]("charge_card",
	effects.Queue("payments"), effects.MaxAttempts(5), effects.Timeout(30*time.Second))

// chargeWorker charges through the gateway and records the result on the
// order. A declined card cannot succeed by retrying: Cancel sends the
// effect to the dead-letter queue at once. Anything else is retried.
func chargeWorker(store *Store, gw *Gateway) func(context.Context, effects.Effect[Charge]) error {
	return func(ctx context.Context, e effects.Effect[Charge]) error {
		log := effects.Logger(ctx)
		// The effect's id is the idempotency key: a retry after a crash
		// must not charge twice.
		err := gw.Charge(ctx, e.ID, e.Args.Card, e.Args.Cents)
		var declined *DeclinedError
		switch {
		case errors.As(err, &declined):
			log.Warn("card declined", "order", e.Args.OrderID, "reason", declined.Reason)
			if err := store.SetStatus(ctx, e.Args.OrderID, "failed", declined.Reason); err != nil {
				return err
			}
			return effects.Cancel(err)
		case err != nil:
			log.Warn("charge failed; it will be retried", "order", e.Args.OrderID, "attempt", e.Attempt, "err", err)
			return err
		}
		log.Info("charged", "order", e.Args.OrderID, "cents", e.Args.Cents, "attempt", e.Attempt)
		return store.SetStatus(ctx, e.Args.OrderID, "paid", "")
	}
}

// Gateway stands in for a payment provider, with the test cards such
// providers document: 4242… pays, 4000…0119 fails with a processing
// error twice before it pays, 4000…0002 is declined.
type Gateway struct {
	mu       sync.Mutex
	attempts map[string]int // by idempotency key
	charged  map[string]bool
}

// NewGateway returns a gateway with no history.
func NewGateway() *Gateway {
	return &Gateway{attempts: map[string]int{}, charged: map[string]bool{}}
}

// DeclinedError is a final refusal.
type DeclinedError struct{ Reason string }

func (e *DeclinedError) Error() string { return "card declined: " + e.Reason }

// Charge charges card once per idempotency key.
func (g *Gateway) Charge(ctx context.Context, key, card string, cents int64) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.charged[key] {
		return nil // already charged: the provider answers as before
	}
	g.attempts[key]++
	digits := strings.ReplaceAll(card, " ", "")
	switch {
	case strings.HasSuffix(digits, "0002"):
		return &DeclinedError{Reason: "insufficient funds"}
	case strings.HasSuffix(digits, "0119") && g.attempts[key] <= 2:
		return fmt.Errorf("gateway: processing error (try %d)", g.attempts[key])
	}
	g.charged[key] = true
	return nil
}
