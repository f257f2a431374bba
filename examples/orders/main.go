// Command orders takes orders and charges their cards after answering:
// the charge is an effect, enqueued in the same SQLite transaction as the
// order, retried with backoff when the payment gateway fails, and
// dead-lettered when the card is declined.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"gati.dev/gati"
	"gati.dev/gati/effects"
	"gati.dev/gati/effects/sqlite"
)

func main() {
	ctx := context.Background()
	store, err := OpenStore(ctx, dbPath())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Effects live in the orders database, so an order and its charge
	// commit together.
	backend, err := sqlite.New(store.DB())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	app := gati.New()
	app.Module(store)
	fx := effects.Install(app, effects.WithBackend(backend))
	effects.Work(fx, ChargeCard, chargeWorker(store, NewGateway()))
	gatiRegister(app) // generated from //gati: directives into gati_gen.go
	app.Main()
}

// dbPath is $ORDERS_DB, else orders.db in $GATI_DATA_DIR or .gati/data.
func dbPath() string {
	if p := os.Getenv("ORDERS_DB"); p != "" {
		return p
	}
	dir := os.Getenv("GATI_DATA_DIR")
	if dir == "" {
		dir = filepath.Join(".gati", "data")
	}
	return filepath.Join(dir, "orders.db")
}
