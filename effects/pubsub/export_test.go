package pubsub

import "time"

// SetRenewAfter lowers the delivery count at which a copy is published
// again; the returned func restores it.
func SetRenewAfter(n int32) func() {
	old := renewAfter
	renewAfter = n
	return func() { renewAfter = old }
}

// SetMaxAckDeadline shortens the longest ack deadline, to test delays
// beyond it; the returned func restores it.
func SetMaxAckDeadline(d time.Duration) func() {
	old := maxAckDeadline
	maxAckDeadline = d
	return func() { maxAckDeadline = old }
}

// SetRenewAge shortens the age at which a copy is published again; the
// returned func restores it.
func SetRenewAge(d time.Duration) func() {
	old := renewAge
	renewAge = d
	return func() { renewAge = old }
}
