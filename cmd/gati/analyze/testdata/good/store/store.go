// Package store has modules.
package store

import (
	"context"

	"gati.dev/gati"
)

// Store is a module with pointer methods.
type Store struct{ n int }

// ModuleInfo names the module.
func (s *Store) ModuleInfo() gati.ModuleInfo { return gati.ModuleInfo{Name: "store"} }

// Init sets the store up.
func (s *Store) Init(ctx context.Context, mc *gati.ModuleContext) error { return nil }

// Health reports the store's health.
func (s *Store) Health(ctx context.Context) error { return nil }

// Cache is a module with value methods.
type Cache struct{}

// ModuleInfo names the module.
func (Cache) ModuleInfo() gati.ModuleInfo { return gati.ModuleInfo{Name: "cache"} }

// Shutdown releases the cache.
func (Cache) Shutdown(ctx context.Context) error { return nil }

// NotAModule has no ModuleInfo.
type NotAModule struct{}

// Plan is an enum: a named string type with constants. users.User uses
// the type but not the constants.
type Plan string

const (
	PlanFree Plan = "free"
	PlanPro  Plan = "pro"
)
