package diff

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Formats lists the formats [Report.Format] writes.
var Formats = []string{"text", "json", "markdown"}

// Format writes the report to w as "text" (for terminals), "json" (the
// Report's fields, for tools) or "markdown" (a table, for pull requests
// and changelogs).
func (r Report) Format(w io.Writer, format string) error {
	if r.Changes == nil {
		r.Changes = []Change{}
	}
	bw := bufio.NewWriter(w)
	switch format {
	case "text":
		r.text(bw)
	case "json":
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	case "markdown", "md":
		r.markdown(bw)
	default:
		return fmt.Errorf("diff: unknown format %q (want %s)", format, strings.Join(Formats, ", "))
	}
	return bw.Flush()
}

// summary is "3 changes (1 breaking, 2 minor)".
func (r Report) summary() string {
	if len(r.Changes) == 0 {
		return "no changes"
	}
	var counts [Breaking + 1]int
	for _, c := range r.Changes {
		if c.Severity >= None && c.Severity <= Breaking {
			counts[c.Severity]++
		}
	}
	var parts []string
	for s := Breaking; s >= Patch; s-- {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	noun := "changes"
	if len(r.Changes) == 1 {
		noun = "change"
	}
	return fmt.Sprintf("%d %s (%s)", len(r.Changes), noun, strings.Join(parts, ", "))
}

func (r Report) nextLine() string {
	if r.Next == "" {
		return ""
	}
	return "; next version " + r.Next
}

func (r Report) text(w io.Writer) {
	fmt.Fprintf(w, "API changes from %s to %s: %s%s\n", orNone(r.From), orNone(r.To), r.summary(), r.nextLine())
	for _, c := range r.Changes {
		ptr := c.Pointer
		if ptr != "" {
			ptr = "  " + ptr
		}
		fmt.Fprintf(w, "\n%-8s  %s  %s%s\n          %s\n", c.Severity, c.Rule, c.Route, ptr, c.Message)
	}
}

func (r Report) markdown(w io.Writer) {
	fmt.Fprintf(w, "## API changes from %s to %s\n\n", cell(orNone(r.From)), cell(orNone(r.To)))
	fmt.Fprintf(w, "%s%s.\n", capital(r.summary()), r.nextLine())
	if len(r.Changes) == 0 {
		return
	}
	fmt.Fprintf(w, "\n| Severity | Rule | Route | Pointer | Change |\n|---|---|---|---|---|\n")
	for _, c := range r.Changes {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", c.Severity, code(c.Rule), code(c.Route), code(c.Pointer), cell(c.Message))
	}
}

// cell makes s safe in a Markdown table cell.
func cell(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "|", `\|`).Replace(s)
	return s
}

// code writes s as a code span in a table cell.
func code(s string) string {
	if s == "" {
		return ""
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + cell(s) + pad + fence
}
