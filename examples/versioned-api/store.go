package main

import (
	"strconv"
	"sync"

	"gati.dev/gati"
)

// Store keeps users in memory. It is the app's one module.
type Store struct {
	mu    sync.Mutex
	users map[string]User
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{users: map[string]User{}} }

// ModuleInfo names the module.
func (s *Store) ModuleInfo() gati.ModuleInfo { return gati.ModuleInfo{Name: "store"} }

// Add stores u under a new id and returns it.
func (s *Store) Add(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u.ID = strconv.Itoa(len(s.users) + 1)
	s.users[u.ID] = u
	return u
}

// Get returns the user with id.
func (s *Store) Get(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	return u, ok
}
