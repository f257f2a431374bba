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

// TestScheduledBacklog: delayed effects wait apart from the due ones (the
// backend's 'scheduled' rows) yet read as available, as the contract has
// it, and become due in priority order.
func TestScheduledBacklog(t *testing.T) {
	ctx := context.Background()
	b, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "effects.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var later []*effects.Job
	for i := range 1000 {
		j := job("q", i)
		j.Priority, j.RunAt = 1, time.Now().Add(time.Hour)
		later = append(later, j)
	}
	soon := make([]*effects.Job, 3)
	for i := range soon {
		soon[i] = job("q", 10000+i)
		soon[i].Priority, soon[i].RunAt = 4-i, time.Now().Add(300*time.Millisecond)
	}
	ins, err := b.Enqueue(ctx, append(append(later, job("q", -1)), soon...))
	if err != nil {
		t.Fatal(err)
	}
	if j, err := b.Get(ctx, ins[0].ID); err != nil || j.State != effects.StateAvailable {
		t.Fatalf("a delayed effect: %+v %v, want available", j, err)
	}
	now, err := b.Fetch(ctx, "q", 10, time.Minute)
	if err != nil || len(now) != 1 || now[0].ID != ins[1000].ID {
		t.Fatalf("Fetch before the delays: %d jobs %v, want the one due", len(now), err)
	}
	time.Sleep(350 * time.Millisecond)
	got, err := b.Fetch(ctx, "q", 10, time.Minute)
	if err != nil || len(got) != 3 {
		t.Fatalf("Fetch after the short delays: %d jobs %v, want 3", len(got), err)
	}
	for i, j := range got {
		if want := ins[1003-i].ID; j.ID != want {
			t.Errorf("fetched %d: %s (priority %d), want %s: priority order", i, j.ID, j.Priority, want)
		}
	}
	retry := effects.Outcome{ID: got[0].ID, Lease: got[0].Lease, Result: effects.ResultRetry, RunAt: time.Now().Add(time.Hour),
		Error: &effects.AttemptError{Attempt: 1, At: time.Now(), Reason: "error", Error: "later"}}
	if err := b.Complete(ctx, []effects.Outcome{retry}); err != nil {
		t.Fatal(err)
	}
	if j, err := b.Get(ctx, got[0].ID); err != nil || j.State != effects.StateAvailable || len(j.Errors) != 1 {
		t.Fatalf("retried an hour later: %+v %v, want available with its error", j, err)
	}
	stats, err := b.Stats(ctx)
	if want := (effects.QueueStats{Queue: "q", Scheduled: 1001, Running: 3}); err != nil || len(stats) != 1 || stats[0] != want {
		t.Fatalf("Stats = %+v %v, want %+v", stats, err, want)
	}
}
