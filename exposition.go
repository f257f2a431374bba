package gati

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The Prometheus text exposition format 0.0.4:
// https://prometheus.io/docs/instrumenting/exposition_formats/

type metricKind uint8

const (
	kindCounter metricKind = iota
	kindGauge
	kindHistogram
	kindSummary
)

func (k metricKind) String() string {
	return [...]string{"counter", "gauge", "histogram", "summary"}[k]
}

// desc describes one metric family.
type desc struct {
	name, help string
	kind       metricKind
	labels     []string
}

func (d *desc) validate() error {
	if !validMetricName(d.name) {
		return fmt.Errorf("metric name %q is invalid: it must match [a-zA-Z_:][a-zA-Z0-9_:]*", d.name)
	}
	for i, l := range d.labels {
		if !validLabelName(l) || strings.HasPrefix(l, "__") {
			return fmt.Errorf("metric %s: label name %q is invalid: it must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __", d.name, l)
		}
		if slices.Contains(d.labels[:i], l) {
			return fmt.Errorf("metric %s: label %q is given twice", d.name, l)
		}
	}
	return nil
}

// sampleNames returns the family name and the names its samples use.
func (d *desc) sampleNames() []string {
	switch d.kind {
	case kindHistogram:
		return []string{d.name, d.name + "_bucket", d.name + "_sum", d.name + "_count"}
	case kindSummary:
		return []string{d.name, d.name + "_sum", d.name + "_count"}
	}
	return []string{d.name}
}

func validMetricName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func validLabelName(s string) bool {
	return validMetricName(s) && !strings.Contains(s, ":")
}

// checkBuckets returns the histogram's upper bounds without +Inf.
func checkBuckets(b []float64) ([]float64, error) {
	if len(b) == 0 {
		b = DefaultBuckets
	}
	b = slices.Clone(b) // the caller may change its slice later
	if math.IsInf(b[len(b)-1], +1) {
		b = b[:len(b)-1]
	}
	for i, v := range b {
		if math.IsNaN(v) {
			return nil, errors.New("a bucket bound is NaN")
		}
		if i > 0 && v <= b[i-1] {
			return nil, fmt.Errorf("buckets must be strictly increasing: %v follows %v", v, b[i-1])
		}
	}
	return b, nil
}

// exposition is the output of one scrape: the families' text in buf, cut
// into chunks, one per family, sorted only when written out.
type exposition struct {
	buf    []byte
	chunks []chunk
	out    []byte
}

type chunk struct {
	name       string
	start, end int
}

// open starts the family name; its text is what is appended to e.buf
// until the next open or close.
func (e *exposition) open(name string) {
	e.close()
	e.chunks = append(e.chunks, chunk{name: name, start: len(e.buf), end: -1})
}

func (e *exposition) close() {
	if n := len(e.chunks); n > 0 && e.chunks[n-1].end < 0 {
		e.chunks[n-1].end = len(e.buf)
	}
}

// header opens d's family and writes its HELP and TYPE lines.
func (e *exposition) header(d *desc) {
	e.open(d.name)
	b := append(e.buf, "# HELP "...)
	b = append(b, d.name...)
	b = append(b, ' ')
	b = appendEscaped(b, d.help, false)
	b = append(b, "\n# TYPE "...)
	b = append(b, d.name...)
	b = append(b, ' ')
	b = append(b, d.kind.String()...)
	e.buf = append(b, '\n')
}

// sample writes one sample line: name+suffix{labels,extra} value. labels
// is the escaped, comma-separated pairs without braces; extra one more
// pair (le="0.5") or "".
func (e *exposition) sample(name, suffix, labels, extra string, v float64) {
	b := append(e.buf, name...)
	b = append(b, suffix...)
	if labels != "" || extra != "" {
		b = append(b, '{')
		b = append(b, labels...)
		if labels != "" && extra != "" {
			b = append(b, ',')
		}
		b = append(b, extra...)
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = appendFloat(b, v)
	e.buf = append(b, '\n')
}

// appendSorted appends the families sorted by name (the caller sorted
// e.chunks), keeping the first of equal names.
func (e *exposition) appendSorted(b []byte) []byte {
	for i, c := range e.chunks {
		if i > 0 && c.name == e.chunks[i-1].name {
			continue
		}
		b = append(b, e.buf[c.start:c.end]...)
	}
	return b
}

func (e *exposition) reset() {
	e.buf, e.chunks, e.out = e.buf[:0], e.chunks[:0], e.out[:0]
}

// labelPairs returns the escaped pairs name="value",... of one child.
func labelPairs(names, values []string) string {
	var b []byte
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, n...)
		b = append(b, `="`...)
		b = appendEscaped(b, strings.ToValidUTF8(values[i], "\uFFFD"), true)
		b = append(b, '"')
	}
	return string(b)
}

// appendEscaped escapes a backslash and a line feed, and in a label value
// also a double quote.
func appendEscaped(b []byte, s string, quote bool) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quote:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsInf(v, +1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
