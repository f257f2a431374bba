package cli

import (
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// exampleDates are the dates help examples use, relative to now so that
// they stay valid on the day they are read: versions are in the past
// (older six months ago, newer one month ago) and a sunset in the future.
type exampleDates struct{ older, newer, sunset string }

func newExampleDates(now time.Time) exampleDates {
	day := func(t time.Time) string { return t.UTC().Format(time.DateOnly) }
	return exampleDates{older: day(now.AddDate(0, -6, 0)), newer: day(now.AddDate(0, -1, 0)), sunset: day(now.AddDate(0, 6, 0))}
}

// fill replaces the {older}, {newer} and {sunset} placeholders in s.
func (d exampleDates) fill(s string) string {
	return strings.NewReplacer("{older}", d.older, "{newer}", d.newer, "{sunset}", d.sunset).Replace(s)
}

// dateHelp fills the placeholders in the help of cmd and its
// subcommands: descriptions, examples and flag usages.
func dateHelp(cmd *cobra.Command, d exampleDates) {
	cmd.Short, cmd.Long, cmd.Example = d.fill(cmd.Short), d.fill(cmd.Long), d.fill(cmd.Example)
	cmd.Flags().VisitAll(func(f *pflag.Flag) { f.Usage = d.fill(f.Usage) })
	for _, c := range cmd.Commands() {
		dateHelp(c, d)
	}
}
