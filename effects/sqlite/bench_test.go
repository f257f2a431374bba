package sqlite_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/sqlite"
)

func benchBackend(b *testing.B) *sqlite.Backend {
	be, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "effects.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { be.Close() })
	return be
}

// BenchmarkEnqueueSingle enqueues one effect per call from 16 goroutines,
// as handlers do.
func BenchmarkEnqueueSingle(b *testing.B) {
	be := benchBackend(b)
	var n atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := be.Enqueue(context.Background(), []*effects.Job{job("q", int(n.Add(1)))}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkEnqueueBatch enqueues 100 effects per call.
func BenchmarkEnqueueBatch(b *testing.B) {
	be := benchBackend(b)
	jobs := make([]*effects.Job, 100)
	for i := range jobs {
		jobs[i] = job("q", i)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := be.Enqueue(context.Background(), jobs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(jobs))/b.Elapsed().Seconds(), "effects/s")
}

// BenchmarkFetchComplete leases 100 effects and completes them.
func BenchmarkFetchComplete(b *testing.B) {
	be := benchBackend(b)
	ctx := context.Background()
	jobs := make([]*effects.Job, 100)
	for i := range jobs {
		jobs[i] = job("q", i)
	}
	for range b.N {
		if _, err := be.Enqueue(ctx, jobs); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		got, err := be.Fetch(ctx, "q", 100, time.Minute)
		if err != nil || len(got) != 100 {
			b.Fatal(len(got), err)
		}
		outcomes := make([]effects.Outcome, len(got))
		for i, j := range got {
			outcomes[i] = effects.Outcome{ID: j.ID, Lease: j.Lease, Result: effects.ResultSucceeded}
		}
		if err := be.Complete(ctx, outcomes); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "effects/s")
}
