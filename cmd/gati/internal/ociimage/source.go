package ociimage

import (
	"context"
	"fmt"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"gati.dev/gati/cmd/gati/internal/gobuild"
)

// gitState is what git says about the app's directory.
type gitState struct {
	source string    // the origin remote's URL, without credentials
	head   string    // HEAD's commit, or "" outside git
	clean  bool      // no changes, tracked or untracked, under the directory
	time   time.Time // HEAD's commit time
}

// readGit reads the git state of dir; outside git, or without git, it is
// the zero gitState.
func readGit(ctx context.Context, dir string) gitState {
	var g gitState
	g.head = gitLine(ctx, dir, "rev-parse", "HEAD")
	if g.head == "" {
		return g
	}
	g.source = publicURL(gitLine(ctx, dir, "remote", "get-url", "origin"))
	status, err := gitRun(ctx, dir, "status", "--porcelain", "--", ".")
	g.clean = err == nil && strings.TrimSpace(status) == ""
	if sec, err := strconv.ParseInt(gitLine(ctx, dir, "log", "-1", "--format=%ct", "HEAD"), 10, 64); err == nil {
		g.time = time.Unix(sec, 0)
	}
	return g
}

// revision is HEAD's commit, with "-dirty" when the directory has changes.
func (g gitState) revision() string {
	if g.head == "" || g.clean {
		return g.head
	}
	return g.head + "-dirty"
}

// created is the image's creation time: HEAD's commit time when the
// directory is clean, else sourceDateEpoch (seconds since the epoch) when
// set, else the epoch.
func (g gitState) created(sourceDateEpoch string) (time.Time, error) {
	if g.clean && !g.time.IsZero() {
		return g.time, nil
	}
	if sourceDateEpoch != "" {
		sec, err := strconv.ParseInt(sourceDateEpoch, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("ociimage: $SOURCE_DATE_EPOCH=%q is not a number of seconds", sourceDateEpoch)
		}
		return time.Unix(sec, 0), nil
	}
	return time.Unix(0, 0), nil
}

// publicURL removes credentials from a remote's URL; scp-like addresses
// (git@host:path) are kept as they are.
func publicURL(remote string) string {
	u, err := url.Parse(remote)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return remote
	}
	u.User = nil
	return u.String()
}

// stampOf returns the version and commit stamped into the binary.
func stampOf(ctx context.Context, dir, version string) (string, string) {
	return gobuild.Stamp(ctx, dir, version)
}

// gitLine runs git in dir and returns its output's first line, or "".
func gitLine(ctx context.Context, dir string, args ...string) string {
	return gobuild.GitOutput(ctx, dir, "", args...)
}

// gitRun runs git in dir and returns its output.
func gitRun(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	return string(out), err
}
