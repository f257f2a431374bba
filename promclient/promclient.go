// Package promclient serves the metrics of a client_golang registry at a
// Gati app's /metrics, next to Gati's own.
//
// Gati's root module writes the Prometheus text format itself, so apps
// that do not need client_golang do not link it (or the protobuf runtime
// it brings). Apps that do, for a library that registers client_golang
// collectors or for a collector Gati lacks, add this module:
//
//	reg := prometheus.NewRegistry()
//	reg.MustRegister(collectors.NewBuildInfoCollector())
//	promclient.Expose(app.Global().Metrics(), reg)
//
// Families are served under the names the registry gives them. Where a
// name is one Gati serves already (the go_* and process_* families of
// prometheus.DefaultGatherer, say), Gati's own is kept and the registry's
// left out, so /metrics never shows a family twice.
package promclient

import (
	"bytes"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"gati.dev/gati"
)

// Expose serves the families g gathers at the /metrics of the app that m
// belongs to, in every scrape. A gathering error fails the scrape with
// status 500, as client_golang's promhttp does by default.
func Expose(m *gati.Metrics, g prometheus.Gatherer) { m.AddGatherer(gatherer{g}) }

// gatherer adapts a prometheus.Gatherer to gati.Gatherer.
type gatherer struct{ g prometheus.Gatherer }

var _ gati.Gatherer = gatherer{}

func (a gatherer) GatherText(add func(name string, text []byte)) error {
	families, err := a.g.Gather()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, mf := range families {
		buf.Reset()
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			return err
		}
		add(mf.GetName(), bytes.Clone(buf.Bytes())) // gati keeps text until the scrape ends
	}
	return nil
}
