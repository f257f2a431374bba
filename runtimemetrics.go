package gati

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// runtimeCollector serves the Go runtime's metrics under the names
// client_golang's Go collector uses by default, so dashboards built for
// it work unchanged. The go_memstats_* values are derived from
// runtime/metrics the way client_golang derives them, which does not stop
// the world as runtime.ReadMemStats would.
type runtimeCollector struct {
	samples []metrics.Sample // one per rm* index below
	gauges  []runtimeGauge
	info    *desc
	gc      *desc
	lastGC  *desc
	goInfo  string // the pairs of go_info
	all     []*desc
}

// Indexes into runtimeCollector.samples.
const (
	rmGoroutines = iota
	rmTinyAllocs
	rmAllocsObjects
	rmFreesObjects
	rmAllocsBytes
	rmHeapObjects
	rmHeapGoal
	rmTotal
	rmHeapObjectsBytes
	rmHeapUnused
	rmHeapReleased
	rmHeapFree
	rmHeapStacks
	rmOSStacks
	rmMetadataOther
	rmMSpanInuse
	rmMSpanFree
	rmMCacheInuse
	rmMCacheFree
	rmProfBuckets
	rmOther
	rmGOGC
	rmGOMEMLIMIT
	rmGOMAXPROCS
	rmCount
)

var runtimeSampleNames = [rmCount]string{
	rmGoroutines:       "/sched/goroutines:goroutines",
	rmTinyAllocs:       "/gc/heap/tiny/allocs:objects",
	rmAllocsObjects:    "/gc/heap/allocs:objects",
	rmFreesObjects:     "/gc/heap/frees:objects",
	rmAllocsBytes:      "/gc/heap/allocs:bytes",
	rmHeapObjects:      "/gc/heap/objects:objects",
	rmHeapGoal:         "/gc/heap/goal:bytes",
	rmTotal:            "/memory/classes/total:bytes",
	rmHeapObjectsBytes: "/memory/classes/heap/objects:bytes",
	rmHeapUnused:       "/memory/classes/heap/unused:bytes",
	rmHeapReleased:     "/memory/classes/heap/released:bytes",
	rmHeapFree:         "/memory/classes/heap/free:bytes",
	rmHeapStacks:       "/memory/classes/heap/stacks:bytes",
	rmOSStacks:         "/memory/classes/os-stacks:bytes",
	rmMetadataOther:    "/memory/classes/metadata/other:bytes",
	rmMSpanInuse:       "/memory/classes/metadata/mspan/inuse:bytes",
	rmMSpanFree:        "/memory/classes/metadata/mspan/free:bytes",
	rmMCacheInuse:      "/memory/classes/metadata/mcache/inuse:bytes",
	rmMCacheFree:       "/memory/classes/metadata/mcache/free:bytes",
	rmProfBuckets:      "/memory/classes/profiling/buckets:bytes",
	rmOther:            "/memory/classes/other:bytes",
	rmGOGC:             "/gc/gogc:percent",
	rmGOMEMLIMIT:       "/gc/gomemlimit:bytes",
	rmGOMAXPROCS:       "/sched/gomaxprocs:threads",
}

// runtimeGauge is one family computed from the samples.
type runtimeGauge struct {
	desc  *desc
	value func(v *[rmCount]float64) float64
}

func rg(name, help string, kind metricKind, value func(v *[rmCount]float64) float64) runtimeGauge {
	return runtimeGauge{&desc{name: name, help: help, kind: kind}, value}
}

func newRuntimeCollector() *runtimeCollector {
	c := &runtimeCollector{samples: make([]metrics.Sample, rmCount)}
	for i, n := range runtimeSampleNames {
		c.samples[i].Name = n
	}
	heapInuse := func(v *[rmCount]float64) float64 { return v[rmHeapObjectsBytes] + v[rmHeapUnused] }
	heapIdle := func(v *[rmCount]float64) float64 { return v[rmHeapReleased] + v[rmHeapFree] }
	c.gauges = []runtimeGauge{
		rg("go_goroutines", "Number of goroutines that currently exist.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmGoroutines] }),
		rg("go_threads", "Number of OS threads created.", kindGauge,
			func(*[rmCount]float64) float64 { n, _ := runtime.ThreadCreateProfile(nil); return float64(n) }),
		rg("go_memstats_alloc_bytes", "Number of heap bytes allocated and currently in use.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmHeapObjectsBytes] }),
		rg("go_memstats_alloc_bytes_total", "Total number of heap bytes allocated, even if freed.", kindCounter,
			func(v *[rmCount]float64) float64 { return v[rmAllocsBytes] }),
		rg("go_memstats_sys_bytes", "Number of bytes obtained from the OS.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmTotal] }),
		rg("go_memstats_mallocs_total", "Total number of heap objects allocated, both live and gc-ed.", kindCounter,
			func(v *[rmCount]float64) float64 { return v[rmAllocsObjects] + v[rmTinyAllocs] }),
		rg("go_memstats_frees_total", "Total number of heap objects frees.", kindCounter,
			func(v *[rmCount]float64) float64 { return v[rmFreesObjects] + v[rmTinyAllocs] }),
		rg("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmHeapObjectsBytes] }),
		rg("go_memstats_heap_sys_bytes", "Number of heap bytes obtained from the OS.", kindGauge,
			func(v *[rmCount]float64) float64 { return heapInuse(v) + heapIdle(v) }),
		rg("go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used.", kindGauge, heapIdle),
		rg("go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", kindGauge, heapInuse),
		rg("go_memstats_heap_released_bytes", "Number of heap bytes released to OS.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmHeapReleased] }),
		rg("go_memstats_heap_objects", "Number of currently allocated objects.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmHeapObjects] }),
		rg("go_memstats_stack_inuse_bytes", "Number of bytes obtained from system for stack allocator in non-CGO environments.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmHeapStacks] }),
		rg("go_memstats_stack_sys_bytes", "Number of bytes obtained from system for stack allocator.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmHeapStacks] + v[rmOSStacks] }),
		rg("go_memstats_gc_sys_bytes", "Number of bytes used for garbage collection system metadata.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmMetadataOther] }),
		rg("go_memstats_mspan_inuse_bytes", "Number of bytes in use by mspan structures.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmMSpanInuse] }),
		rg("go_memstats_mspan_sys_bytes", "Number of bytes used for mspan structures obtained from system.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmMSpanInuse] + v[rmMSpanFree] }),
		rg("go_memstats_mcache_inuse_bytes", "Number of bytes in use by mcache structures.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmMCacheInuse] }),
		rg("go_memstats_mcache_sys_bytes", "Number of bytes used for mcache structures obtained from system.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmMCacheInuse] + v[rmMCacheFree] }),
		rg("go_memstats_buck_hash_sys_bytes", "Number of bytes used by the profiling bucket hash table.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmProfBuckets] }),
		rg("go_memstats_other_sys_bytes", "Number of bytes used for other system allocations.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmOther] }),
		rg("go_memstats_next_gc_bytes", "Number of heap bytes when next garbage collection will take place.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmHeapGoal] }),
		rg("go_gc_gogc_percent", "Heap size target percentage configured by the user, otherwise 100.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmGOGC] }),
		rg("go_gc_gomemlimit_bytes", "Go runtime memory limit configured by the user, otherwise math.MaxInt64.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmGOMEMLIMIT] }),
		rg("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting.", kindGauge,
			func(v *[rmCount]float64) float64 { return v[rmGOMAXPROCS] }),
	}
	c.info = &desc{name: "go_info", help: "Information about the Go environment.", kind: kindGauge}
	c.goInfo = labelPairs([]string{"version"}, []string{runtime.Version()})
	c.gc = &desc{name: "go_gc_duration_seconds", help: "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.", kind: kindSummary}
	c.lastGC = &desc{name: "go_memstats_last_gc_time_seconds", help: "Number of seconds since 1970 of last garbage collection.", kind: kindGauge}
	c.all = []*desc{c.info, c.gc, c.lastGC}
	for _, g := range c.gauges {
		c.all = append(c.all, g.desc)
	}
	return c
}

func (c *runtimeCollector) descs() []*desc { return c.all }

func (c *runtimeCollector) collect(e *exposition) {
	samples := make([]metrics.Sample, len(c.samples)) // scrapes may run concurrently
	copy(samples, c.samples)
	metrics.Read(samples)
	var v [rmCount]float64
	for i, s := range samples {
		switch s.Value.Kind() {
		case metrics.KindUint64:
			v[i] = float64(s.Value.Uint64())
		case metrics.KindFloat64:
			v[i] = s.Value.Float64()
		}
	}
	for _, g := range c.gauges {
		e.header(g.desc)
		e.sample(g.desc.name, "", "", "", g.value(&v))
	}
	e.header(c.info)
	e.sample(c.info.name, "", c.goInfo, "", 1)
	c.collectGC(e)
}

// gcQuantiles are the quantiles of go_gc_duration_seconds, the ones
// debug.ReadGCStats computes for five PauseQuantiles.
var gcQuantiles = [...]string{`quantile="0"`, `quantile="0.25"`, `quantile="0.5"`, `quantile="0.75"`, `quantile="1"`}

func (c *runtimeCollector) collectGC(e *exposition) {
	st := debug.GCStats{PauseQuantiles: make([]time.Duration, len(gcQuantiles))}
	debug.ReadGCStats(&st)
	e.header(c.gc)
	for i, q := range gcQuantiles {
		e.sample(c.gc.name, "", "", q, st.PauseQuantiles[i].Seconds())
	}
	e.sample(c.gc.name, "_sum", "", "", st.PauseTotal.Seconds())
	e.sample(c.gc.name, "_count", "", "", float64(st.NumGC))
	e.header(c.lastGC)
	var last float64
	if !st.LastGC.IsZero() {
		last = float64(st.LastGC.UnixNano()) / 1e9
	}
	e.sample(c.lastGC.name, "", "", "", last)
}
