package scaffold

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// Tidy runs `go mod tidy` in the new app at dir, writing go.sum. The app
// is its own module, so workspaces are off and go.mod may be updated
// whatever GOFLAGS says; the go command's progress goes to out.
func Tidy(ctx context.Context, dir string, out io.Writer) error {
	cmd := exec.CommandContext(ctx, "go", "mod", "tidy")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go mod tidy in %s: %w", dir, err)
	}
	return nil
}
