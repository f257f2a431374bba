package gati

import (
	"net/http"
	"testing"
	"time"
)

// dateHeader reuses the value of the current second and formats anew once
// the second is over, judged by the request's start; a request that began
// long ago gets the latest second formatted, never its own start's.

func TestDateHeaderIsReusedWithinItsSecond(t *testing.T) {
	cached := &httpDate{stale: time.Since(clockBase) + time.Hour, value: "Mon, 02 Jan 2006 15:04:05 GMT"}
	lastDate.Store(cached)
	if got := dateHeader(now()); got != cached.value {
		t.Fatalf("within its second: got %q, want the cached %q", got, cached.value)
	}
	lastDate.Store(&httpDate{stale: time.Since(clockBase) - time.Millisecond, value: cached.value})
	before := time.Now().Truncate(time.Second)
	got := dateHeader(now())
	after := time.Now()
	parsed, err := http.ParseTime(got)
	if err != nil {
		t.Fatalf("after its second: %q does not parse as an HTTP date: %v", got, err)
	}
	if parsed.Before(before) || parsed.After(after) {
		t.Fatalf("after its second: got %s, want a time in [%s, %s]", got, before.UTC(), after.UTC())
	}
	if again := dateHeader(now()); again != got {
		t.Fatalf("the value just formatted was not reused: %q then %q", got, again)
	}
	if late := dateHeader(now().Add(-time.Minute)); late != got {
		t.Fatalf("a request begun a minute ago got %q, want the current second's %q, never an earlier one", late, got)
	}
	if d := lastDate.Load(); d.stale > time.Since(clockBase)+time.Second {
		t.Fatalf("the value is kept for %s, more than the rest of its second", d.stale-time.Since(clockBase))
	}
}
