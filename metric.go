package gati

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// Counter is one counter of a [CounterVec]: a value that only goes up.
// Its methods are safe for concurrent use and take no lock.
type Counter struct {
	n    atomic.Uint64 // whole increments: one atomic add
	frac atomic.Uint64 // float64 bits of the rest
}

// Inc adds 1.
func (c *Counter) Inc() { c.n.Add(1) }

// Add adds v, which must not be negative: a negative v panics.
func (c *Counter) Add(v float64) {
	switch {
	case v >= 0 && v < 1<<53 && v == math.Trunc(v):
		c.n.Add(uint64(v))
	case v >= 0 || math.IsNaN(v):
		addFloat(&c.frac, v)
	default:
		panic(fmt.Sprintf("gati: counter cannot decrease (Add(%v))", v))
	}
}

func (c *Counter) value() float64 {
	return float64(c.n.Load()) + math.Float64frombits(c.frac.Load())
}

// Gauge is one gauge of a [GaugeVec]: a value that goes up and down. Its
// methods are safe for concurrent use and take no lock.
type Gauge struct{ bits atomic.Uint64 }

// Set sets the gauge to v.
func (g *Gauge) Set(v float64) { g.bits.Store(math.Float64bits(v)) }

// Inc adds 1.
func (g *Gauge) Inc() { addFloat(&g.bits, 1) }

// Dec subtracts 1.
func (g *Gauge) Dec() { addFloat(&g.bits, -1) }

// Add adds v, which may be negative.
func (g *Gauge) Add(v float64) { addFloat(&g.bits, v) }

func (g *Gauge) value() float64 { return math.Float64frombits(g.bits.Load()) }

// Histogram is one histogram of a [HistogramVec]: it counts observations
// into buckets and sums them. Observe is safe for concurrent use and takes
// no lock.
type Histogram struct {
	bounds []float64       // upper bounds, without +Inf
	counts []atomic.Uint64 // per bucket, not cumulative; the last is +Inf
	sum    atomic.Uint64   // float64 bits
}

func newHistogram(bounds []float64) *Histogram {
	return &Histogram{bounds: bounds, counts: make([]atomic.Uint64, len(bounds)+1)}
}

// Observe records v.
func (h *Histogram) Observe(v float64) {
	// The first bound with v <= bound; NaN lands in +Inf.
	lo, hi := 0, len(h.bounds)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if v <= h.bounds[mid] {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	h.counts[lo].Add(1)
	addFloat(&h.sum, v)
}

// addFloat adds v to the float64 whose bits *p holds.
func addFloat(p *atomic.Uint64, v float64) {
	for {
		old := p.Load()
		if p.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// CounterVec is a counter family partitioned by label values.
type CounterVec struct{ v *vec[Counter] }

// WithLabelValues returns the counter of these label values, in the order
// the labels were registered, creating it at zero the first time. Keep
// the result when the values are fixed: the lookup hashes them. A wrong
// number of values panics.
func (cv *CounterVec) WithLabelValues(values ...string) *Counter { return cv.v.with(values) }

func (cv *CounterVec) descs() []*desc { return []*desc{cv.v.desc} }

func (cv *CounterVec) collect(e *exposition) {
	e.header(cv.v.desc)
	for _, c := range cv.v.snapshot() {
		e.sample(cv.v.desc.name, "", c.labels, "", c.m.value())
	}
}

// GaugeVec is a gauge family partitioned by label values.
type GaugeVec struct{ v *vec[Gauge] }

// WithLabelValues returns the gauge of these label values, as
// [CounterVec.WithLabelValues] does.
func (gv *GaugeVec) WithLabelValues(values ...string) *Gauge { return gv.v.with(values) }

func (gv *GaugeVec) descs() []*desc { return []*desc{gv.v.desc} }

func (gv *GaugeVec) collect(e *exposition) {
	e.header(gv.v.desc)
	for _, c := range gv.v.snapshot() {
		e.sample(gv.v.desc.name, "", c.labels, "", c.m.value())
	}
}

// HistogramVec is a histogram family partitioned by label values.
type HistogramVec struct {
	v   *vec[Histogram]
	les []string // the pair le="..." of each bucket, +Inf last
}

// WithLabelValues returns the histogram of these label values, as
// [CounterVec.WithLabelValues] does.
func (hv *HistogramVec) WithLabelValues(values ...string) *Histogram { return hv.v.with(values) }

func (hv *HistogramVec) descs() []*desc { return []*desc{hv.v.desc} }

func (hv *HistogramVec) collect(e *exposition) {
	d := hv.v.desc
	e.header(d)
	for _, c := range hv.v.snapshot() {
		// Read the sum first: a concurrent Observe then shows in the
		// counts rather than in a sum without its count.
		sum := math.Float64frombits(c.m.sum.Load())
		var n uint64
		for i := range c.m.counts {
			n += c.m.counts[i].Load()
			e.sample(d.name, "_bucket", c.labels, hv.les[i], float64(n))
		}
		e.sample(d.name, "_sum", c.labels, "", sum)
		e.sample(d.name, "_count", c.labels, "", float64(n))
	}
}

// vec holds the children of one family by label values. Lookups of an
// existing child are lock-free (sync.Map); creating one takes a mutex.
type vec[T any] struct {
	desc     *desc
	new      func() *T
	mu       sync.Mutex
	children sync.Map // hash of the values → []*child[T], replaced whole
}

type child[T any] struct {
	values []string
	labels string // escaped pairs for the exposition
	m      *T
}

func newVec[T any](d *desc, newT func() *T) *vec[T] { return &vec[T]{desc: d, new: newT} }

func (v *vec[T]) with(values []string) *T {
	if len(values) != len(v.desc.labels) {
		// Not values: passing them to fmt would move every caller's
		// variadic slice to the heap.
		panic(fmt.Sprintf("gati: metric %s has %d labels %q, got %d values",
			v.desc.name, len(v.desc.labels), v.desc.labels, len(values)))
	}
	h := hashValues(values)
	if c := find[T](&v.children, h, values); c != nil {
		return c.m
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if c := find[T](&v.children, h, values); c != nil {
		return c.m
	}
	var list []*child[T]
	if l, ok := v.children.Load(h); ok {
		list = l.([]*child[T])
	}
	c := &child[T]{values: slices.Clone(values), labels: labelPairs(v.desc.labels, values), m: v.new()}
	v.children.Store(h, append(slices.Clip(list), c))
	return c.m
}

func find[T any](m *sync.Map, h uint64, values []string) *child[T] {
	l, ok := m.Load(h)
	if !ok {
		return nil
	}
	for _, c := range l.([]*child[T]) {
		if slices.Equal(c.values, values) {
			return c
		}
	}
	return nil
}

// snapshot returns the children sorted by label values.
func (v *vec[T]) snapshot() []*child[T] {
	var out []*child[T]
	v.children.Range(func(_, l any) bool {
		out = append(out, l.([]*child[T])...)
		return true
	})
	slices.SortFunc(out, func(a, b *child[T]) int { return slices.Compare(a.values, b.values) })
	return out
}

// hashValues is FNV-1a over the values, each followed by 0xff (which
// UTF-8 never contains).
func hashValues(values []string) uint64 {
	h := uint64(14695981039346656037)
	for _, s := range values {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	return h
}

// funcMetric is a counter or gauge whose value a function returns at
// scrape time.
type funcMetric struct {
	desc *desc
	fn   func() float64
}

func newFuncMetric(d *desc, fn func() float64) *funcMetric {
	if fn == nil {
		panic(fmt.Sprintf("gati: metric %s: nil function", d.name))
	}
	return &funcMetric{d, fn}
}

func (f *funcMetric) descs() []*desc { return []*desc{f.desc} }

func (f *funcMetric) collect(e *exposition) {
	e.header(f.desc)
	e.sample(f.desc.name, "", "", "", f.fn())
}
