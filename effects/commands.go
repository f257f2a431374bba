package effects

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"gati.dev/gati"
)

const commandUsage = `usage: <app> effects <command> [flags]

Commands:
  stats                      effects by queue and state
  dlq list [flags]           the dead-letter queue, newest first
  dlq inspect ID             one effect: args, attempts, every error
  dlq retry ID... | -all     run dead effects again (attempts reset)
  dlq discard ID... | -all   delete dead effects

Flags of list, retry -all and discard -all:
  -kind K  -queue Q          only effects of this kind / queue
  -limit N                   list at most N (default 50)
  -before ID                 list those that died before ID (next page)
  -json                      print JSON (list, inspect, stats)

The backend is the one gati.yaml's modules.effects names for $GATI_ENV.`

// Commands adds "effects" to the app's binary (see gati.Command), for
// operators: queue stats and the dead-letter queue.
func (fx *Effects) Commands() []gati.Command {
	return []gati.Command{{Name: "effects", Summary: "queue stats and the dead-letter queue", Run: fx.runCommand}}
}

func (fx *Effects) runCommand(ctx context.Context, mc *gati.ModuleContext, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(out, commandUsage)
		return nil
	}
	cmd := args[0]
	if cmd == "dlq" {
		if len(args) < 2 {
			return errors.New("effects dlq: name a command: list, inspect, retry or discard")
		}
		cmd, args = "dlq "+args[1], args[1:]
	}
	fs := flag.NewFlagSet("effects "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var q DeadQuery
	fs.StringVar(&q.Kind, "kind", "", "")
	fs.StringVar(&q.Queue, "queue", "", "")
	fs.StringVar(&q.Before, "before", "", "")
	fs.IntVar(&q.Limit, "limit", 50, "")
	asJSON := fs.Bool("json", false, "")
	all := fs.Bool("all", false, "")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("effects %s: %w (see: effects help)", cmd, err)
	}
	b, opened, err := fx.openForCommand(ctx, mc)
	if err != nil {
		return err
	}
	if opened {
		defer b.Close()
	}
	ids := fs.Args()
	switch cmd {
	case "stats":
		stats, err := b.Stats(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(out, stats)
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "QUEUE\tAVAILABLE\tSCHEDULED\tRUNNING\tDEAD")
		uncounted := b.Capabilities().NoLiveCounts
		for _, s := range stats {
			if uncounted { // the backend cannot count live effects
				fmt.Fprintf(tw, "%s\t-\t-\t-\t%d\n", s.Queue, s.Dead)
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", s.Queue, s.Available, s.Scheduled, s.Running, s.Dead)
		}
		return tw.Flush()
	case "dlq list":
		dead, err := b.Dead(ctx, q)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(out, orEmpty(dead))
		}
		return writeDeadTable(out, dead, q.Limit)
	case "dlq inspect":
		if len(ids) != 1 {
			return errors.New("effects dlq inspect: name one effect id")
		}
		j, err := b.Get(ctx, ids[0])
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("effects dlq inspect: no effect has id %s", ids[0])
		}
		if err != nil {
			return err
		}
		return writeJSON(out, j)
	case "dlq retry", "dlq discard":
		act, verb := b.RetryDead, "retried"
		if cmd == "dlq discard" {
			act, verb = b.DiscardDead, "discarded"
		}
		if *all == (len(ids) > 0) {
			return fmt.Errorf("effects %s: name effect ids, or -all (with -kind/-queue to narrow it)", cmd)
		}
		if *all {
			if ids, err = allDead(ctx, b, q); err != nil {
				return err
			}
		}
		var errs []error
		done := 0
		for _, id := range ids {
			err := act(ctx, id)
			if errors.Is(err, ErrNotFound) {
				err = fmt.Errorf("%s: no dead effect has this id", id)
			}
			if err != nil {
				errs = append(errs, err)
				continue
			}
			done++
		}
		fmt.Fprintf(out, "%s %d of %d dead effects\n", verb, done, len(ids))
		if len(errs) > 0 {
			return fmt.Errorf("effects %s: %w", cmd, errors.Join(errs...))
		}
		return nil
	}
	return fmt.Errorf("effects: unknown command %q (see: effects help)", cmd)
}

// allDead lists every dead effect matching q, page by page.
func allDead(ctx context.Context, b Backend, q DeadQuery) ([]string, error) {
	var ids []string
	q.Limit, q.Before = 500, ""
	for {
		page, err := b.Dead(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, j := range page {
			ids = append(ids, j.ID)
		}
		if len(page) < q.Limit {
			return ids, nil
		}
		q.Before = page[len(page)-1].ID
	}
}

// openForCommand opens the configured backend (or the one Install was
// given) without starting workers.
func (fx *Effects) openForCommand(ctx context.Context, mc *gati.ModuleContext) (b Backend, opened bool, err error) {
	if fx.backend != nil {
		return fx.backend, false, nil
	}
	cfg := fx.cfg
	if !fx.cfgSet {
		if err := mc.DecodeConfig(&cfg); err != nil {
			return nil, false, err
		}
	}
	cfg.setDefaults()
	if dir := os.Getenv("GATI_DATA_DIR"); dir != "" {
		cfg.DataDir = dir
	}
	b, err = Open(ctx, cfg.Backend, OpenConfig{DSN: cfg.DSN, DataDir: cfg.DataDir, Queues: fx.queueNames(), Logger: mc.Logger()})
	return b, err == nil, err
}

func writeDeadTable(out io.Writer, dead []*Job, limit int) error {
	if len(dead) == 0 {
		_, err := fmt.Fprintln(out, "the dead-letter queue is empty")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tQUEUE\tATTEMPTS\tDIED\tLAST ERROR")
	for _, j := range dead {
		last := ""
		if n := len(j.Errors); n > 0 {
			last = j.Errors[n-1].Reason + ": " + firstLine(j.Errors[n-1].Error)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%s\t%s\n", j.ID, j.Kind, j.Queue, j.Attempt, j.MaxAttempts,
			j.FinishedAt.Local().Format(time.DateTime), last)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(dead) == limit {
		fmt.Fprintf(out, "\nmore may follow: add -before %s\n", dead[len(dead)-1].ID)
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return s
}

func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func orEmpty(jobs []*Job) []*Job {
	if jobs == nil {
		return []*Job{}
	}
	return jobs
}
