package cli

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// TestHelpDatesAreValidToday reads the help of every command: versions in
// examples are in the past and sunsets in the future, whenever the test
// runs, and no placeholder is left.
func TestHelpDatesAreValidToday(t *testing.T) {
	t.Parallel()
	today := time.Now().UTC().Format(time.DateOnly)
	date := regexp.MustCompile(`(--sunset )?(\d{4}-\d{2}-\d{2})`)
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		help := c.Long + "\n" + c.Example + "\n" + c.Flags().FlagUsages()
		if strings.Contains(help, "{older}") || strings.Contains(help, "{newer}") || strings.Contains(help, "{sunset}") {
			t.Errorf("%s: a placeholder is left:\n%s", c.CommandPath(), help)
		}
		for _, line := range strings.Split(help, "\n") {
			for _, m := range date.FindAllStringSubmatch(line, -1) {
				sunset := m[1] != "" || strings.Contains(line, "stops being served")
				if sunset && m[2] <= today || !sunset && m[2] > today {
					t.Errorf("%s: %s is on the wrong side of today (%s): %s", c.CommandPath(), m[0], today, line)
				}
			}
		}
		for _, sub := range c.Commands() {
			visit(sub)
		}
	}
	visit(newRootCmd("v1.2.3", "abc1234"))
}

func TestExampleDates(t *testing.T) {
	t.Parallel()
	d := newExampleDates(time.Date(2031, 3, 15, 12, 0, 0, 0, time.UTC))
	if d != (exampleDates{older: "2030-09-15", newer: "2031-02-15", sunset: "2031-09-15"}) {
		t.Errorf("dates = %+v", d)
	}
}
