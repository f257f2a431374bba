package gati

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

// Command is a subcommand a module adds to the app's binary: "./app
// <name> [args]" runs it instead of serving, with the app's configuration
// (and --config, $GATI_ENV) but without initializing its modules. An
// operator reaches the app's backends with the binary already deployed:
//
//	./app effects dlq list
type Command struct {
	Name    string
	Summary string
	// Run gets the arguments after the name and writes its output to out.
	Run func(ctx context.Context, mc *ModuleContext, args []string, out io.Writer) error
}

// Commander is a module that adds commands to the app's binary.
type Commander interface {
	Commands() []Command
}

// commandName returns the first argument that is not a flag (nor the
// value of --config or --role), if any: the name of a module's command.
func commandName(args []string) (name string, rest []string, ok bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return "", nil, false
		case a == "-config" || a == "--config" || a == "-role" || a == "--role":
			i++ // its value
		case strings.HasPrefix(a, "-"):
		default:
			return a, args[i+1:], true
		}
	}
	return "", nil, false
}

// RunCommand runs the module command name with args, writing to out.
func (a *App) RunCommand(ctx context.Context, name string, args []string, out io.Writer) error {
	if err := a.Err(); err != nil {
		return err
	}
	var names []string
	for _, e := range a.modules.list {
		c, ok := e.mod.(Commander)
		if !ok {
			continue
		}
		for _, cmd := range c.Commands() {
			names = append(names, cmd.Name)
			if cmd.Name != name {
				continue
			}
			g := a.global
			mc := &ModuleContext{name: e.info.Name, global: g,
				logger: g.logger.With(slog.String("module", e.info.Name)), metrics: g.metrics.sub(e.info.Name)}
			return cmd.Run(ctx, mc, args, out)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return fmt.Errorf("gati: %q is not a command of this app: it has none (its modules add them); run it without arguments to serve", name)
	}
	return fmt.Errorf("gati: %q is not a command of this app; its commands: %s", name, strings.Join(names, ", "))
}

// runCommandFromArgs runs the command named in os.Args, if one is.
func (a *App) runCommandFromArgs() (ran bool, err error) {
	name, rest, ok := commandName(os.Args[1:])
	if !ok {
		return false, nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return true, a.RunCommand(ctx, name, rest, os.Stdout)
}
