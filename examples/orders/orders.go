package main

import (
	"crypto/rand"
	"database/sql"
	"errors"
	"net/http"

	"gati.dev/gati"
)

// Order is an order and where its payment is.
type Order struct {
	ID    string `json:"id"`
	Item  string `json:"item"`
	Cents int64  `json:"cents"`
	// Status is pending until the charge runs, then paid or failed.
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	card   string
}

// PlaceInput is an order to place.
type PlaceInput struct {
	Item  string `json:"item" minLength:"1" maxLength:"200"`
	Cents int64  `json:"cents" minimum:"1" doc:"The amount, in cents."`
	// Card is the card number; the example's gateway knows test cards:
	// 4242 4242 4242 4242 pays, 4000 0000 0000 0119 fails twice with a
	// processing error before it pays, 4000 0000 0000 0002 is declined.
	Card string `json:"card" minLength:"12" maxLength:"23"`
}

// Place stores the order and enqueues its charge in one transaction,
// then answers at once: the card is charged after the response.
//
//gati:route POST /orders status=201
func Place(gctx *gati.Global, lctx *gati.Local, in PlaceInput) (Order, error) {
	o := Order{ID: "ord_" + rand.Text()[:12], Item: in.Item, Cents: in.Cents, Status: "pending", card: in.Card}
	store := gati.ModuleOf[*Store](gctx)
	err := store.Place(lctx.Context(), o, func(tx *sql.Tx) error {
		_, err := ChargeCard.EnqueueTx(lctx.Context(), tx, Charge{OrderID: o.ID, Cents: o.Cents, Card: in.Card})
		return err
	})
	return o, err
}

// IDInput names an order.
type IDInput struct {
	ID string `path:"id"`
}

// Get returns an order with the state of its payment.
//
//gati:route GET /orders/{id}
func Get(gctx *gati.Global, lctx *gati.Local, in IDInput) (Order, error) {
	o, err := gati.ModuleOf[*Store](gctx).Get(lctx.Context(), in.ID)
	if errors.Is(err, ErrNoOrder) {
		return o, gati.NewError(http.StatusNotFound, "order_not_found", "no order has id "+in.ID)
	}
	return o, err
}
