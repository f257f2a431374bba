package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gati.dev/gati"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite", without cgo
)

// Store keeps orders in SQLite.
type Store struct{ db *sql.DB }

// ErrNoOrder reports an unknown order id.
var ErrNoOrder = errors.New("no such order")

// OpenStore opens (creating) the orders database at path.
func OpenStore(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	// WAL and a busy timeout let readers and the one writer share the
	// file; immediate transactions take the write lock at BEGIN, so two
	// writers never deadlock upgrading a read lock.
	db, err := sql.Open("sqlite", "file:"+path+
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS orders (
		id TEXT PRIMARY KEY, item TEXT NOT NULL, cents INTEGER NOT NULL, card TEXT NOT NULL,
		status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("orders database %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// DB returns the database, for the effects backend to share.
func (s *Store) DB() *sql.DB { return s.db }

// ModuleInfo names the module.
func (s *Store) ModuleInfo() gati.ModuleInfo { return gati.ModuleInfo{Name: "store"} }

// Health checks the database answers.
func (s *Store) Health(ctx context.Context) error { return s.db.PingContext(ctx) }

// Shutdown closes the database, after the effects module (which
// initialized later) has stopped using it.
func (s *Store) Shutdown(ctx context.Context) error { return s.db.Close() }

// Place inserts an order and runs enqueue in the same transaction.
func (s *Store) Place(ctx context.Context, o Order, enqueue func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, item, cents, card, status, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		o.ID, o.Item, o.Cents, o.card, o.Status, time.Now().UnixNano()); err != nil {
		return err
	}
	if err := enqueue(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Get returns an order.
func (s *Store) Get(ctx context.Context, id string) (Order, error) {
	var o Order
	err := s.db.QueryRowContext(ctx, `SELECT id, item, cents, card, status, reason FROM orders WHERE id = ?`, id).
		Scan(&o.ID, &o.Item, &o.Cents, &o.card, &o.Status, &o.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNoOrder
	}
	return o, err
}

// SetStatus records the outcome of an order's charge.
func (s *Store) SetStatus(ctx context.Context, id, status, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE orders SET status = ?, reason = ? WHERE id = ?`, status, reason, id)
	return err
}
