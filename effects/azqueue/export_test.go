package azqueue

import "time"

// SetMaxVisibility shortens the longest visibility timeout, to test
// delays beyond it; the returned func restores it.
func SetMaxVisibility(d time.Duration) func() {
	old := maxVisibility
	maxVisibility = d
	return func() { maxVisibility = old }
}
