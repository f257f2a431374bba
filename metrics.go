package gati

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"sync"
)

// Metrics is a metric namespace, served at /metrics in Prometheus' text
// format. The app's namespace is unprefixed; each module's prefixes names
// with "<module>_".
//
// Counter, Gauge and Histogram register a metric family and return its
// vector; the children that WithLabelValues returns update with atomic
// operations only. Registering a name twice, an invalid name, or a label
// name that Prometheus rejects is a programmer error and panics with a
// "gati:" prefix, at registration.
type Metrics struct {
	reg    *registry
	prefix string
}

// newMetrics returns an app's root namespace, serving the Go runtime's
// and the process's metrics too.
func newMetrics() *Metrics {
	m := newBareMetrics()
	m.reg.register(newRuntimeCollector())
	if c := newProcessCollector(); c != nil {
		m.reg.register(c)
	}
	return m
}

// newBareMetrics returns a namespace with nothing registered.
func newBareMetrics() *Metrics {
	return &Metrics{reg: &registry{names: map[string]string{}}}
}

// sub returns the namespace of one module.
func (m *Metrics) sub(module string) *Metrics {
	return &Metrics{reg: m.reg, prefix: m.prefix + promName(module) + "_"}
}

// promName turns a module name into a valid metric name part.
func promName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '-' {
			b[i] = '_'
		}
	}
	return string(b)
}

// Counter registers a counter family and returns its vector: a value that
// only goes up, such as requests served.
func (m *Metrics) Counter(name, help string, labels ...string) *CounterVec {
	v := &CounterVec{newVec[Counter](m.desc(name, help, kindCounter, labels), func() *Counter { return &Counter{} })}
	m.reg.register(v)
	return v
}

// Gauge registers a gauge family and returns its vector: a value that
// goes up and down, such as items in a queue.
func (m *Metrics) Gauge(name, help string, labels ...string) *GaugeVec {
	v := &GaugeVec{newVec[Gauge](m.desc(name, help, kindGauge, labels), func() *Gauge { return &Gauge{} })}
	m.reg.register(v)
	return v
}

// DefaultBuckets are Prometheus' default histogram buckets, in seconds:
// from 5 ms to 10 s.
var DefaultBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Histogram registers a histogram family and returns its vector. buckets
// are the upper bounds, strictly increasing; nil or empty means
// [DefaultBuckets]. The +Inf bucket is always added.
func (m *Metrics) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	d := m.desc(name, help, kindHistogram, labels)
	if slices.Contains(labels, "le") {
		panic(fmt.Sprintf("gati: histogram %s: label name \"le\" is reserved for buckets", d.name))
	}
	bounds, err := checkBuckets(buckets)
	if err != nil {
		panic(fmt.Sprintf("gati: histogram %s: %v", d.name, err))
	}
	les := make([]string, len(bounds)+1)
	for i, b := range bounds {
		les[i] = `le="` + string(appendFloat(nil, b)) + `"`
	}
	les[len(bounds)] = `le="+Inf"`
	v := &HistogramVec{newVec[Histogram](d, func() *Histogram { return newHistogram(bounds) }), les}
	m.reg.register(v)
	return v
}

// GaugeFunc registers a gauge whose value fn returns at each scrape, such
// as the length of a channel. fn must be safe for concurrent use.
func (m *Metrics) GaugeFunc(name, help string, fn func() float64) {
	m.reg.register(newFuncMetric(m.desc(name, help, kindGauge, nil), fn))
}

// CounterFunc registers a counter whose value fn returns at each scrape,
// for a count kept elsewhere. fn must be safe for concurrent use and its
// result must never decrease.
func (m *Metrics) CounterFunc(name, help string, fn func() float64) {
	m.reg.register(newFuncMetric(m.desc(name, help, kindCounter, nil), fn))
}

// A Gatherer serves metric families that live outside gati's registry,
// such as those of a client_golang registry (module
// gati.dev/gati/promclient adapts one).
type Gatherer interface {
	// GatherText calls add once per metric family with the family's
	// name and its complete text exposition (format 0.0.4: HELP and TYPE
	// lines, then the samples). add keeps text: do not reuse it. An
	// error fails the scrape with status 500.
	GatherText(add func(name string, text []byte)) error
}

// AddGatherer serves g's families at /metrics next to gati's own. Their
// names are served as g gives them, without this namespace's prefix. A
// family whose name gati already serves (go_goroutines, for one) is left
// out, so that a registry with its own Go collector does not duplicate it.
func (m *Metrics) AddGatherer(g Gatherer) {
	if g == nil {
		panic("gati: AddGatherer: nil Gatherer")
	}
	m.reg.mu.Lock()
	defer m.reg.mu.Unlock()
	m.reg.gatherers = append(m.reg.gatherers, g)
}

// handler serves the text exposition of every namespace.
func (m *Metrics) handler() http.Handler { return http.HandlerFunc(m.reg.serveHTTP) }

func (m *Metrics) desc(name, help string, kind metricKind, labels []string) *desc {
	d := &desc{name: m.prefix + name, help: help, kind: kind, labels: slices.Clone(labels)}
	if err := d.validate(); err != nil {
		panic("gati: " + err.Error())
	}
	return d
}

// collector is what the registry scrapes: one or more metric families.
type collector interface {
	descs() []*desc
	collect(e *exposition)
}

// registry holds every namespace's metrics of one app.
type registry struct {
	mu         sync.Mutex
	collectors []collector
	gatherers  []Gatherer
	names      map[string]string // every family and sample name taken, to the family taking it
}

// register adds c, panicking when one of its names, or the name of one of
// its samples (a histogram's x_count, say), is already taken.
func (r *registry) register(c collector) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ds := c.descs()
	for _, d := range ds {
		for _, n := range d.sampleNames() {
			if owner, ok := r.names[n]; ok {
				panic(fmt.Sprintf("gati: metric %s is already registered (its name or a sample name clashes with %s)", d.name, owner))
			}
		}
	}
	for _, d := range ds {
		for _, n := range d.sampleNames() {
			r.names[n] = d.name
		}
	}
	r.collectors = append(r.collectors, c)
}

// gather writes every family into e, sorted by name; gatherers' families
// whose names are taken come out.
func (r *registry) gather(e *exposition) error {
	r.mu.Lock()
	cs, gs := slices.Clone(r.collectors), slices.Clone(r.gatherers)
	r.mu.Unlock()
	for _, c := range cs {
		c.collect(e)
	}
	for _, g := range gs {
		err := g.GatherText(func(name string, text []byte) {
			e.open(name)
			e.buf = append(e.buf, text...)
			if len(text) > 0 && text[len(text)-1] != '\n' {
				e.buf = append(e.buf, '\n')
			}
		})
		if err != nil {
			return err
		}
	}
	e.close()
	// Stable: gati's own families come first among equal names.
	slices.SortStableFunc(e.chunks, func(a, b chunk) int { return cmp.Compare(a.name, b.name) })
	return nil
}

var expositionPool = sync.Pool{New: func() any { return new(exposition) }}

// contentType is the media type of the text exposition format 0.0.4.
const contentType = "text/plain; version=0.0.4; charset=utf-8"

func (r *registry) serveHTTP(w http.ResponseWriter, _ *http.Request) {
	e := expositionPool.Get().(*exposition)
	defer func() { e.reset(); expositionPool.Put(e) }()
	if err := r.gather(e); err != nil {
		http.Error(w, "gati: gathering metrics: "+err.Error(), http.StatusInternalServerError)
		return
	}
	e.out = e.appendSorted(e.out[:0])
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(e.out)
}
