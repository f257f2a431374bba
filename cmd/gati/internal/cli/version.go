package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"gati.dev/gati/cmd/gati/internal/versions"
	"gati.dev/gati/timescape"
	"gati.dev/gati/timescape/diff"
)

// versionNow is the clock of the version commands; tests replace it.
var versionNow = time.Now

func newVersionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Snapshot, compare and manage the API's versions",
		Long: `Version manages the API versions of the app in .gati/versions: one
snapshot file per version (<id>.json, the routes and their JSON Schemas,
never changed once written) and lifecycle.json (deprecations, sunsets, tags,
the default version and the history). Commit both.

A version is named by the day it became current ({newer}, then
{newer}.2 for a second one that day) and has a semver that the changes
since the previous version decide: breaking, minor or patch.`,
		Example: `  gati version snapshot
  gati version diff --fail-on breaking
  gati version list
  gati version deprecate {older} --sunset {sunset}
  gati version rollback {older}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newVersionSnapshotCmd(), newVersionDiffCmd(), newVersionListCmd(),
		newVersionDeprecateCmd(), newVersionHistoryCmd(), newVersionRollbackCmd())
	cmd.AddCommand(newVersionNewCmd())
	return cmd
}

// loadVersions reads .gati/versions of the app in dir.
func loadVersions(command, dir string) (*versions.State, error) {
	st, err := versions.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	return st, nil
}

func newVersionSnapshotCmd() *cobra.Command {
	var dir, id, date, semver, changelog string
	var tags []string
	const command = "version snapshot"
	cmd := &cobra.Command{
		Use:   "snapshot [dir]",
		Short: "Write a new API version from the current code",
		Long: `Snapshot analyzes the app in dir (default: the current directory) and
writes its API — every route with its parameters, request body and response
as JSON Schema — to .gati/versions/<id>.json as a new version.

The ID is today's date (UTC), or --date's, with a suffix (.2, .3, ...) when
that day has versions already. The semver follows from the changes since the
newest version: 1.0.0 for the first, then a major, minor or patch bump for
breaking, minor or patch changes; --semver may go higher, not lower. The
changelog defaults to a summary of the changes. When the API has not changed,
nothing is written.`,
		Example: `  gati version snapshot
  gati version snapshot --changelog "Users get an avatar" --tag stable
  gati version snapshot ./demo --date {newer}`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			appDir, err := resolveDir(command, args, dir)
			if err != nil {
				return err
			}
			o := versions.SnapshotOptions{ID: id, Semver: semver, Changelog: changelog, Tags: tags, Now: versionNow()}
			if date != "" {
				if o.Date, err = versions.ParseTime("date", date); err != nil {
					return fmt.Errorf("%s: %w", command, err)
				}
			}
			for _, tag := range tags {
				if err := timescape.CheckTag(tag); err != nil {
					return fmt.Errorf("%s: --tag: %w", command, err)
				}
			}
			st, err := loadVersions(command, appDir)
			if err != nil {
				return err
			}
			m, err := loadApp(cmd.Context(), command, appDir, cmd.ErrOrStderr(), true)
			if err != nil {
				return err
			}
			o.Commit = versions.Commit(cmd.Context(), appDir)
			res, err := versions.Snapshot(st, m, o)
			if err != nil {
				return fmt.Errorf("%s: %w", command, err)
			}
			if res.Unchanged {
				fmt.Fprintf(cmd.OutOrStdout(), "the API has not changed since %s; nothing to snapshot\n", res.Previous.ID)
				return nil
			}
			printSnapshot(cmd.OutOrStdout(), appDir, res)
			return nil
		},
	}
	f := cmd.Flags()
	addDirFlag(cmd, &dir)
	f.StringVar(&id, "id", "", "the version ID, such as {newer} (default: the date's day)")
	f.StringVar(&date, "date", "", "when the version becomes current: {newer} or an RFC 3339 time (default: now)")
	f.StringVar(&semver, "semver", "", "the semver, MAJOR.MINOR.PATCH (default: as the changes call for)")
	f.StringVar(&changelog, "changelog", "", "the changelog (default: a summary of the changes)")
	f.StringSliceVar(&tags, "tag", nil, "a custom tag for the version, such as stable (moved from the version that has it)")
	return cmd
}

func newVersionDiffCmd() *cobra.Command {
	var dir, format, failOn string
	const command = "version diff"
	cmd := &cobra.Command{
		Use:   "diff [from] [to]",
		Short: "Compare two API versions, or a version and the current code",
		Long: `Diff compares two versions of the API and lists the changes with their
severity (breaking, minor, patch) and rule. from and to are version IDs, or
"head" for the current code, which is analyzed without writing anything;
from defaults to the newest version and to to head.

With --fail-on, the command fails (exit status 1) when a change is at least
that severe, for CI.`,
		Example: `  gati version diff
  gati version diff --fail-on breaking
  gati version diff {older} {newer} --format markdown`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			threshold := diff.None
			if failOn != "none" {
				t, err := diff.ParseSeverity(failOn)
				if err != nil || t == diff.None {
					return fmt.Errorf("%s: --fail-on %q must be breaking, minor, patch or none", command, failOn)
				}
				threshold = t
			}
			if !slices.Contains(diff.Formats, format) && format != "md" {
				return fmt.Errorf("%s: --format %q must be %s", command, format, strings.Join(diff.Formats, ", "))
			}
			appDir, err := resolveDir(command, nil, dir)
			if err != nil {
				return err
			}
			var from, to string
			if len(args) > 0 {
				from = args[0]
			}
			if len(args) > 1 {
				to = args[1]
			}
			st, err := loadVersions(command, appDir)
			if err != nil {
				return err
			}
			// Check the IDs before the (slow) analysis.
			for _, id := range []string{from, to} {
				if id != "" && id != versions.HeadID {
					if _, err := st.Find(id); err != nil {
						return fmt.Errorf("%s: %w", command, err)
					}
				}
			}
			if from == "" && st.Newest() == nil {
				return fmt.Errorf("%s: there are no versions yet; run gati version snapshot first", command)
			}
			var head *timescape.Snapshot
			if versions.NeedsHead(from, to) {
				m, err := loadApp(cmd.Context(), command, appDir, cmd.ErrOrStderr(), true)
				if err != nil {
					return err
				}
				head = versions.Head(m, versionNow())
			}
			r, err := versions.Compare(st, head, from, to)
			if err != nil {
				return fmt.Errorf("%s: %w", command, err)
			}
			if err := r.Format(cmd.OutOrStdout(), format); err != nil {
				return fmt.Errorf("%s: %w", command, err)
			}
			if threshold != diff.None && r.Fails(threshold) {
				counts := map[diff.Severity]int{}
				n := 0
				for _, c := range r.Changes {
					if c.Severity >= threshold {
						counts[c.Severity]++
						n++
					}
				}
				var parts []string
				for sev := diff.Breaking; sev >= threshold; sev-- {
					if counts[sev] > 0 {
						parts = append(parts, fmt.Sprintf("%d %s", counts[sev], sev))
					}
				}
				noun := "changes"
				if n == 1 {
					noun = "change"
				}
				return fmt.Errorf("%s: %s %s (failing on %s)", command, strings.Join(parts, ", "), noun, threshold)
			}
			return nil
		},
	}
	f := cmd.Flags()
	addDirFlag(cmd, &dir)
	f.StringVar(&format, "format", "text", "output format: "+strings.Join(diff.Formats, ", "))
	f.StringVar(&failOn, "fail-on", "none", "fail when a change is at least this severe: breaking, minor, patch or none")
	return cmd
}

func newVersionListCmd() *cobra.Command {
	var dir string
	var asJSON bool
	const command = "version list"
	cmd := &cobra.Command{
		Use:   "list [dir]",
		Short: "List the API versions",
		Long: `List prints the versions in .gati/versions of the app in dir (default: the
current directory), oldest first: ID, date, semver, status (active,
deprecated or sunset, as of now), tags ("latest" names the newest) and the
first line of the changelog. The version clients without a version header
get is marked with *.`,
		Example: `  gati version list
  gati version list --json | jq '.[].semver'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			appDir, err := resolveDir(command, args, dir)
			if err != nil {
				return err
			}
			st, err := loadVersions(command, appDir)
			if err != nil {
				return err
			}
			entries := versions.List(st, versionNow())
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, entries)
			}
			if len(entries) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no versions yet; gati version snapshot writes the first")
				return nil
			}
			return printVersions(out, entries)
		},
	}
	addDirFlag(cmd, &dir)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the versions as JSON")
	return cmd
}

func printVersions(w io.Writer, entries []versions.Entry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDATE\tSEMVER\tSTATUS\tTAGS\tCHANGELOG")
	for _, e := range entries {
		id := e.ID
		if e.Default {
			id += " *"
		}
		status := e.Status
		if e.Sunset != nil && e.Status != "sunset" {
			status += " (sunset " + e.Sunset.Format(time.DateOnly) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", id, e.Date.Format(time.DateOnly), e.Semver, status,
			strings.Join(e.Tags, ","), versions.FirstLine(e.Changelog))
	}
	return tw.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newVersionDeprecateCmd() *cobra.Command {
	var dir, sunset string
	const command = "version deprecate"
	cmd := &cobra.Command{
		Use:   "deprecate <id> --sunset <date>",
		Short: "Deprecate an API version and set its sunset",
		Long: `Deprecate records in .gati/versions/lifecycle.json that version id is
deprecated as of now (clients that ask for it get a deprecation notice) and
stops being served on the --sunset date, which must not be in the past.
Deprecating a version again only moves its sunset.`,
		Example: `  gati version deprecate {older} --sunset {sunset}
  gati version deprecate {older} --sunset {sunset}T00:00:00Z --dir ./demo`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if sunset == "" {
				return fmt.Errorf("%s: --sunset is required: the date the version stops being served (%s)", command, newExampleDates(versionNow()).sunset)
			}
			t, err := versions.ParseTime("sunset", sunset)
			if err != nil {
				return fmt.Errorf("%s: %w", command, err)
			}
			appDir, err := resolveDir(command, nil, dir)
			if err != nil {
				return err
			}
			st, err := loadVersions(command, appDir)
			if err != nil {
				return err
			}
			if err := versions.Deprecate(st, args[0], t, versionNow()); err != nil {
				return fmt.Errorf("%s: %w", command, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "version %s is deprecated; sunset %s\n", args[0], t.UTC().Format(time.RFC3339))
			if st.Newest().ID == args[0] {
				fmt.Fprintf(cmd.ErrOrStderr(), "note: %s is the newest version\n", args[0])
			}
			return nil
		},
	}
	addDirFlag(cmd, &dir)
	cmd.Flags().StringVar(&sunset, "sunset", "", "when the version stops being served: {sunset} or an RFC 3339 time")
	return cmd
}

func newVersionRollbackCmd() *cobra.Command {
	var dir string
	var clear bool
	const command = "version rollback"
	cmd := &cobra.Command{
		Use:   "rollback <id> | --clear",
		Short: "Make an older version the default for clients without a version header",
		Long: `Rollback makes version id the one that clients sending no version header
get, in place of the newest; clients that ask for a version are unaffected.
It is recorded in .gati/versions/lifecycle.json and takes effect when the
app is built and deployed. --clear makes the newest version the default
again.`,
		Example: `  gati version rollback {older}
  gati version rollback --clear`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if clear == (len(args) == 1) {
				return fmt.Errorf("%s: give a version ID or --clear", command)
			}
			appDir, err := resolveDir(command, nil, dir)
			if err != nil {
				return err
			}
			st, err := loadVersions(command, appDir)
			if err != nil {
				return err
			}
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			if err := versions.Rollback(st, id, versionNow()); err != nil {
				return fmt.Errorf("%s: %w", command, err)
			}
			if st.Lifecycle.Default == "" {
				fmt.Fprintf(cmd.OutOrStdout(), "clients without a version header get the newest version, %s\n", st.DefaultID())
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "clients without a version header get %s (the newest is %s)\n", st.DefaultID(), st.Newest().ID)
			}
			return nil
		},
	}
	addDirFlag(cmd, &dir)
	cmd.Flags().BoolVar(&clear, "clear", false, "undo the rollback: the newest version is the default again")
	return cmd
}

func newVersionHistoryCmd() *cobra.Command {
	var dir string
	var asJSON bool
	var envs []string
	var kubeconfig string
	const command = "version history"
	cmd := &cobra.Command{
		Use:   "history [dir]",
		Short: "Show which version was served when",
		Long: `History lists the version events of the app in dir (default: the current
directory), oldest first: snapshots, deprecations and rollbacks, with the
newest version (HEAD) and the version clients without a header got
(SERVING) after each.

With --env, it also lists the releases recorded in each environment's
cluster (gati deploy history) and the API versions each served.`,
		Example: `  gati version history
  gati version history --env staging --env production
  gati version history --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			appDir, err := resolveDir(command, args, dir)
			if err != nil {
				return err
			}
			st, err := loadVersions(command, appDir)
			if err != nil {
				return err
			}
			h := versions.History(st)
			deployed, err := deploymentsOf(cmd.Context(), command, appDir, kubeconfig, envs)
			if err != nil {
				return err
			}
			if asJSON {
				if h == nil {
					h = []versions.HistoryEntry{}
				}
				if len(envs) > 0 {
					return writeJSON(cmd.OutOrStdout(), map[string]any{"versions": h, "deployments": deployed})
				}
				return writeJSON(cmd.OutOrStdout(), h)
			}
			defer printDeployments(cmd.OutOrStdout(), deployed, len(envs) > 0)
			if len(h) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no versions yet; gati version snapshot writes the first")
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "AT\tEVENT\tVERSION\tHEAD\tSERVING")
			for _, e := range h {
				v := e.Version
				if v == "" {
					v = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.At.UTC().Format(time.RFC3339), e.Event, v, e.Head, e.Serving)
			}
			return tw.Flush()
		},
	}
	addDirFlag(cmd, &dir)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the history as JSON")
	cmd.Flags().StringArrayVar(&envs, "env", nil, "also list the releases of this environment and the versions they served (repeatable)")
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "the kubeconfig file, with --env (default $KUBECONFIG or ~/.kube/config)")
	return cmd
}

// deployedRelease is one release of an environment, for version history.
type deployedRelease struct {
	Env         string    `json:"env"`
	Revision    int       `json:"revision"`
	At          time.Time `json:"at"`
	Status      string    `json:"status"`
	Image       string    `json:"image"`
	APIVersions []string  `json:"apiVersions"`
}

// deploymentsOf reads the deploy history of each environment, oldest
// first.
func deploymentsOf(ctx context.Context, command, dir, kubeconfig string, envs []string) ([]deployedRelease, error) {
	var out []deployedRelease
	for _, name := range envs {
		f := deployFlags{dir: dir, kubeconfig: kubeconfig}
		env, err := f.env(command, name)
		if err != nil {
			return nil, err
		}
		k, err := f.connect(ctx, command, env)
		if err != nil {
			return nil, err
		}
		h, err := k.History(ctx, env.Settings.Namespace, env.App)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", command, name, err)
		}
		for _, r := range h.Records {
			out = append(out, deployedRelease{Env: name, Revision: r.Revision, At: r.Time, Status: r.Status, Image: r.Image, APIVersions: r.APIVersions})
		}
	}
	slices.SortStableFunc(out, func(a, b deployedRelease) int { return a.At.Compare(b.At) })
	return out, nil
}

func printDeployments(w io.Writer, ds []deployedRelease, asked bool) {
	if !asked {
		return
	}
	fmt.Fprintln(w)
	if len(ds) == 0 {
		fmt.Fprintln(w, "no releases recorded in those environments yet")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEPLOYED\tENV\tREVISION\tSTATUS\tIMAGE\tAPI VERSIONS SERVED")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", d.At.UTC().Format(time.RFC3339), d.Env, d.Revision, d.Status, shortDigest(d.Image), dash(strings.Join(d.APIVersions, ",")))
	}
	_ = tw.Flush()
}

// printSnapshot says what a snapshot wrote; gati version snapshot and
// gati build --release print the same.
func printSnapshot(w io.Writer, appDir string, res *versions.SnapshotResult) {
	s := res.Snapshot
	rel := res.Path
	if r, err := filepath.Rel(appDir, res.Path); err == nil {
		rel = r
	}
	fmt.Fprintf(w, "wrote %s: version %s, semver %s\n", rel, s.ID, s.Semver)
	if res.Previous != nil {
		fmt.Fprintf(w, "changes since %s (%s): %s\n", res.Previous.ID, res.Previous.Semver, res.Report.Severity)
	}
	fmt.Fprintf(w, "changelog: %s\n", versions.FirstLine(s.Changelog))
}
