package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func newEffectsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "effects [--dir DIR] [--env ENV] <command> [flags]",
		Short: "Inspect effects and their dead-letter queue",
		Long: `Effects builds the app in --dir (default: the current directory) and runs
its "effects" command, which opens the backend gati.yaml configures for
the environment (--env, else $GATI_ENV) — the same command a deployed
binary runs as "./app effects ...".

Commands:
  stats                      effects by queue and state
  dlq list [flags]           the dead-letter queue, newest first
  dlq inspect ID             one effect: args, attempts, every error
  dlq retry ID... | -all     run dead effects again (attempts reset)
  dlq discard ID... | -all   delete dead effects

Flags of list, retry -all and discard -all: -kind K, -queue Q, -limit N,
-before ID (next page), -json.`,
		Example: `  gati effects stats
  gati effects dlq list -kind send_welcome
  gati effects --env staging dlq retry -all -kind send_welcome
  gati effects dlq inspect 42`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, env, rest, err := effectsArgs(args)
			if err != nil {
				return err
			}
			if len(rest) == 0 || rest[0] == "-h" || rest[0] == "--help" {
				return cmd.Help()
			}
			return runEffects(cmd.Context(), dir, env, rest, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
}

// effectsArgs takes gati's own flags (--dir, --env) off the front of args;
// the rest goes to the app's command.
func effectsArgs(args []string) (dir, env string, rest []string, err error) {
	dir = "."
	for len(args) > 0 {
		name, value, hasValue := strings.Cut(args[0], "=")
		if name != "--dir" && name != "--env" {
			break
		}
		if !hasValue {
			if len(args) < 2 {
				return "", "", nil, fmt.Errorf("effects: %s needs a value", name)
			}
			value, args = args[1], args[1:]
		}
		args = args[1:]
		if name == "--dir" {
			dir = value
		} else {
			env = value
		}
	}
	return dir, env, args, nil
}

func runEffects(ctx context.Context, dir, env string, args []string, stdout, stderr io.Writer) error {
	abs, err := appDir("effects", dir)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "gati-effects-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "app")
	start := time.Now()
	fmt.Fprint(stderr, "building the app… ")
	if out, err := goBuild(ctx, buildOptions{dir: abs}, bin); err != nil {
		fmt.Fprintf(stderr, "\n%s", out)
		return fmt.Errorf("effects: the app does not build; fix the errors above and run gati effects again: %w", err)
	}
	fmt.Fprintf(stderr, "%s\n", seconds(time.Since(start)))
	cmd := exec.CommandContext(ctx, bin, append([]string{"effects"}, args...)...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = abs, stdout, stderr
	cmd.Env = os.Environ()
	if env != "" {
		cmd.Env = append(cmd.Env, "GATI_ENV="+env)
	}
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("effects: %s exited with status %d (see its message above)", strings.Join(args, " "), exit.ExitCode())
	}
	return err
}
