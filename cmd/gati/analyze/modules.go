package analyze

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
)

// moduleProblems are phrases of the go command's errors about resolving
// modules, which the type checker turns into "invalid type" or "could
// not import" and the analysis into "no main package".
var moduleProblems = []string{
	"go.sum", "no required module", "cannot find module", "module lookup disabled",
	"updates to go.mod needed", "go.mod file not found", "unknown revision", "reading go.mod",
	"malformed module path", "is not in std", "go: inconsistent", "go.work",
}

// moduleError runs go list -deps over the app and returns the go command's
// own error when it cannot resolve the app's modules, nil otherwise. Load
// calls it when the analysis failed, so its report names the cause in
// Go's words ("missing go.sum entry for module providing package ...;
// to add: go get ...") instead of the symptoms.
func moduleError(ctx context.Context, dir string) error {
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f", "{{.ImportPath}}", "./...")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	if cmd.Run() == nil || ctx.Err() != nil {
		return nil
	}
	msg := strings.TrimSpace(stderr.String())
	for _, p := range moduleProblems {
		if strings.Contains(msg, p) {
			return errors.New("analyze: the go command cannot resolve the app's dependencies:\n" + msg)
		}
	}
	return nil
}
