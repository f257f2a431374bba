package effects

import "time"

// SetReopenEvery shortens a degraded start's retry interval for a test.
func SetReopenEvery(d time.Duration) (restore func()) {
	old := reopenEvery
	reopenEvery = d
	return func() { reopenEvery = old }
}
