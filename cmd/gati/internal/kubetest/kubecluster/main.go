// Command kubecluster starts a kubetest cluster in the foreground and
// runs until interrupted: scripts/kube-cluster up.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"gati.dev/gati/cmd/gati/internal/kubetest"
)

func main() {
	nodes := flag.Int("nodes", 3, "number of simulated nodes")
	flag.Parse()
	if err := run(*nodes); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(nodes int) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := kubetest.Launch(ctx, kubetest.Options{
		Nodes: nodes,
		Logf:  func(format string, args ...any) { fmt.Fprintf(os.Stderr, "kubecluster: "+format+"\n", args...) },
	})
	if err != nil {
		return err
	}
	defer c.Stop()
	fmt.Printf(`cluster up in %s
kubeconfig: %s (context %s)
registry:   %s (plain HTTP)
logs:       %s

  export KUBECONFIG=%s

Ctrl-C stops the cluster and removes its files.
`, c.StartupTime.Round(1e6), c.Kubeconfig, c.Context, c.Registry, c.LogDir(), c.Kubeconfig)
	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "kubecluster: stopping")
	return c.Stop()
}
