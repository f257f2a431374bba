package scaffold

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// Tidy runs go mod tidy -e in the new app at dir, writing go.mod and
// go.sum. The app is its own module, so workspaces are off and go.mod may
// be updated whatever GOFLAGS says.
//
// -e because tidy also wants the modules that the tests of the app's
// dependencies import (for go test all), which a machine that is offline
// may never have downloaded: building, testing and vetting the app need
// none of them. When tidy could not find some, Tidy writes one line
// saying so to out, instead of Go's list of import chains.
func Tidy(ctx context.Context, dir string, out io.Writer) error {
	cmd := exec.CommandContext(ctx, "go", "mod", "tidy", "-e")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		out.Write(buf.Bytes())
		return fmt.Errorf("go mod tidy in %s: %w", dir, err)
	}
	if bytes.Contains(buf.Bytes(), []byte("cannot find module")) || bytes.Contains(buf.Bytes(), []byte("module lookup disabled")) {
		fmt.Fprintln(out, "note: some modules that only the tests of dependencies use are not in the module cache (go test all needs them); run go mod tidy once online to add them")
	}
	return nil
}
