package effects

import (
	"time"

	"gati.dev/gati"
)

// fxMetrics are the effects' Prometheus metrics; a nil *fxMetrics (effects
// outside an app) records nothing.
type fxMetrics struct {
	nEnqueued, nStarted, nSucceeded, nFailed, nRetried, nDead, nSnoozed, nReleased *gati.CounterVec
	nWait, nDuration                                                               *gati.HistogramVec
	nRunaway, nDepth, nUp                                                          *gati.GaugeVec
}

// latencyBuckets spans a no-op effect (sub-millisecond) to a slow webhook.
var latencyBuckets = []float64{.001, .005, .01, .05, .1, .5, 1, 5, 10, 30, 60, 300}

func newFxMetrics(m *gati.Metrics) *fxMetrics {
	kq := []string{"kind", "queue"}
	return &fxMetrics{
		nEnqueued:  m.Counter("gati_effects_enqueued_total", "Effects enqueued, by kind and queue.", kq...),
		nStarted:   m.Counter("gati_effects_started_total", "Attempts started, by kind and queue.", kq...),
		nSucceeded: m.Counter("gati_effects_succeeded_total", "Effects that succeeded, by kind and queue.", kq...),
		nFailed:    m.Counter("gati_effects_failed_total", "Attempts that failed (errors, panics, timeouts), by kind and queue.", kq...),
		nRetried:   m.Counter("gati_effects_retried_total", "Failed attempts scheduled to run again, by kind and queue.", kq...),
		nDead:      m.Counter("gati_effects_dead_total", "Effects moved to the dead-letter queue, by kind and queue.", kq...),
		nSnoozed:   m.Counter("gati_effects_snoozed_total", "Attempts that snoozed, by kind and queue.", kq...),
		nReleased:  m.Counter("gati_effects_released_total", "Attempts handed back unfinished at shutdown, by kind and queue.", kq...),
		nWait: m.Histogram("gati_effects_wait_seconds",
			"Time from when an effect could run to the start of its attempt, by kind.", latencyBuckets, "kind"),
		nDuration: m.Histogram("gati_effects_attempt_duration_seconds",
			"Time an attempt ran, by kind and result.", latencyBuckets, "kind", "result"),
		nRunaway: m.Gauge("gati_effects_runaway_workers",
			"Workers still running after their attempt timed out (they ignore their context)."),
		nUp: m.Gauge("gati_effects_backend_up",
			"1 when the effects backend is open, 0 while a degraded start retries it."),
		nDepth: m.Gauge("gati_effects_queue_depth",
			"Effects in the backend by queue and state (available, scheduled, running, dead), sampled.", "queue", "state"),
	}
}

func (m *fxMetrics) enqueued(j *Job) {
	if m != nil {
		m.nEnqueued.WithLabelValues(j.Kind, j.Queue).Inc()
	}
}

func (m *fxMetrics) started(j *Job, at time.Time) {
	if m == nil {
		return
	}
	m.nStarted.WithLabelValues(j.Kind, j.Queue).Inc()
	ready := j.RunAt
	if ready.Before(j.CreatedAt) {
		ready = j.CreatedAt
	}
	m.nWait.WithLabelValues(j.Kind).Observe(max(at.Sub(ready), 0).Seconds())
}

func (m *fxMetrics) settled(s settled) {
	if m == nil {
		return
	}
	result := "succeeded"
	switch s.Result {
	case ResultSucceeded:
		m.nSucceeded.WithLabelValues(s.kind, s.queue).Inc()
	case ResultRetry:
		result = "failed"
		m.nFailed.WithLabelValues(s.kind, s.queue).Inc()
		m.nRetried.WithLabelValues(s.kind, s.queue).Inc()
	case ResultDead:
		result = "failed"
		if s.Error != nil && s.Error.Reason != "canceled" {
			m.nFailed.WithLabelValues(s.kind, s.queue).Inc()
		}
		m.nDead.WithLabelValues(s.kind, s.queue).Inc()
	case ResultSnooze:
		result = "snoozed"
		m.nSnoozed.WithLabelValues(s.kind, s.queue).Inc()
	case ResultRelease:
		result = "released"
		m.nReleased.WithLabelValues(s.kind, s.queue).Inc()
	}
	if s.ran > 0 {
		m.nDuration.WithLabelValues(s.kind, result).Observe(s.ran.Seconds())
	}
}

func (m *fxMetrics) runawayStarted() {
	if m != nil {
		m.nRunaway.WithLabelValues().Inc()
	}
}

func (m *fxMetrics) runawayFinished() {
	if m != nil {
		m.nRunaway.WithLabelValues().Dec()
	}
}

func (m *fxMetrics) backendUp(up bool) {
	if m == nil {
		return
	}
	v := 0.0
	if up {
		v = 1
	}
	m.nUp.WithLabelValues().Set(v)
}

// sample sets the depth gauges; live is false for a backend that cannot
// count live jobs (Capabilities.NoLiveCounts), whose zeros would mislead.
func (m *fxMetrics) sample(stats []QueueStats, live bool) {
	if m == nil {
		return
	}
	for _, s := range stats {
		if live {
			m.nDepth.WithLabelValues(s.Queue, "available").Set(float64(s.Available))
			m.nDepth.WithLabelValues(s.Queue, "scheduled").Set(float64(s.Scheduled))
			m.nDepth.WithLabelValues(s.Queue, "running").Set(float64(s.Running))
		}
		m.nDepth.WithLabelValues(s.Queue, "dead").Set(float64(s.Dead))
	}
}
