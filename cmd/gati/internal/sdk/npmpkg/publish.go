package npmpkg

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
)

// PublishOptions of Publish.
type PublishOptions struct {
	// Registry is the registry's URL; npm's configured one when empty.
	Registry string
	// Tag is the dist-tag ("latest" when empty).
	Tag string
	// DryRun checks everything and uploads nothing.
	DryRun bool
	// UserConfig is an npmrc to use instead of the user's (the
	// credentials); empty for npm's own.
	UserConfig string
}

// Publish uploads the package tgz with npm publish. npm's credentials are
// the user's (npm login / an auth token in .npmrc); its output goes to
// the returned error when it fails, with what to do next.
func Publish(ctx context.Context, npm, tgz string, o PublishOptions) (string, error) {
	if _, err := os.Stat(tgz); err != nil {
		return "", fmt.Errorf("no package to publish: %w (gati generate --npm writes it)", err)
	}
	args := []string{"publish", tgz, "--access", "public"}
	if o.Registry != "" {
		u, err := url.Parse(o.Registry)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return "", fmt.Errorf("--registry %q is not an http(s) URL", o.Registry)
		}
		args = append(args, "--registry", o.Registry)
	}
	if o.Tag != "" {
		args = append(args, "--tag", o.Tag)
	}
	if o.DryRun {
		args = append(args, "--dry-run")
	}
	if o.UserConfig != "" {
		args = append(args, "--userconfig", o.UserConfig)
	}
	cmd := exec.CommandContext(ctx, npm, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		hint := ""
		switch s := string(out); {
		case strings.Contains(s, "ENEEDAUTH"), strings.Contains(s, "E401"):
			hint = "\nnpm has no credentials for this registry: run npm login --registry <url>, or put an auth token in .npmrc"
		case strings.Contains(s, "EPUBLISHCONFLICT"), strings.Contains(s, "E409"), strings.Contains(s, "cannot publish over"):
			hint = "\nthis version is already published: record the API changes with gati version snapshot, which bumps the semver, and generate again"
		}
		return string(out), fmt.Errorf("npm publish failed: %v\n%s%s", err, strings.TrimSpace(string(out)), hint)
	}
	return string(out), nil
}
