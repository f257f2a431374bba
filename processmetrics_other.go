//go:build !linux

package gati

// newProcessCollector returns nil: the process_* metrics come from /proc,
// which only Linux has.
func newProcessCollector() collector { return nil }
