package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/sqlite"
)

// TestConcurrentEnqueues checks the group commit: concurrent Enqueue calls,
// some with contexts canceled before or during the call, while another
// goroutine fetches and completes. Every call that returned ids wrote
// all its jobs; every call that failed wrote none.
func TestConcurrentEnqueues(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "effects.db")
	b, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	stop := make(chan struct{})
	var worker sync.WaitGroup
	worker.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			jobs, err := b.Fetch(ctx, "q", 50, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			var outcomes []effects.Outcome
			for _, j := range jobs {
				outcomes = append(outcomes, effects.Outcome{ID: j.ID, Lease: j.Lease, Result: effects.ResultSucceeded})
			}
			if err := b.Complete(ctx, outcomes); err != nil {
				t.Error(err)
				return
			}
		}
	})
	var mu sync.Mutex
	written := map[string]bool{}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 40 {
				jobs := make([]*effects.Job, 1+i%3)
				for k := range jobs {
					jobs[k] = job("q", g*1000+i*10+k)
				}
				cctx, cancel := context.WithCancel(ctx)
				switch i % 4 {
				case 1:
					cancel()
				case 2:
					time.AfterFunc(time.Duration(i)*10*time.Microsecond, cancel)
				}
				ins, err := b.Enqueue(cctx, jobs)
				cancel()
				if err != nil {
					if cctx.Err() == nil {
						t.Errorf("Enqueue: %v", err)
					}
					continue
				}
				if len(ins) != len(jobs) {
					t.Errorf("Enqueue of %d jobs reported %d", len(jobs), len(ins))
				}
				mu.Lock()
				for _, in := range ins {
					if written[in.ID] {
						t.Errorf("id %s reported twice", in.ID)
					}
					written[in.ID] = true
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(stop)
	worker.Wait()
	for id := range written {
		if _, err := b.Get(ctx, id); err != nil {
			t.Errorf("reported id %s: %v", id, err)
		}
	}
	var rows int
	if err := appDB(t, path).QueryRow(`SELECT count(*) FROM gati_effects`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != len(written) {
		t.Errorf("%d effects in the table, %d reported written", rows, len(written))
	}
	t.Logf("%d effects written by %d calls", rows, 16*40)
}
