package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"time"
)

// Options of Deploy.
type Options struct {
	// Out receives the progress lines.
	Out io.Writer
	// Target is where the release goes.
	Target Target
	// Env is the environment, resolved.
	Env *Env
	// App describes the app; App.Image may be left empty when Image is
	// set.
	App AppInfo
	// Image builds and pushes the image, returning it by digest; called
	// after the config checks and before anything is applied.
	Image func(ctx context.Context) (string, error)
	// Commit is the source's git commit, recorded with the release.
	Commit string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Result is what Deploy did.
type Result struct {
	Revision int
	Image    string
	// NoOp is true when the release was the one already serving: nothing
	// changed and no revision was recorded.
	NoOp bool
	// Rollout is how long the rollout took.
	Rollout time.Duration
	// RolledBack is the revision restored after a failed rollout, and
	// Restore how long from the failure's detection until it was fully
	// ready again.
	RolledBack int
	Restore    time.Duration
	// Pruned lists objects deleted because the release no longer has them.
	Pruned []string
}

// Deploy ships an environment: it builds the image, checks every object
// with the target (a server-side dry run), applies them, waits for the
// rollout and records the release. A rollout that fails is rolled back
// to the previous release, and Deploy returns an error naming the cause.
func Deploy(ctx context.Context, o Options) (*Result, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	s := &o.Env.Settings
	say(o.Out, "deploying %s to %s: namespace %s on %s", o.Env.App, o.Env.Name, s.Namespace, o.Target.Describe())
	app := o.App
	if o.Image != nil {
		img, err := o.Image(ctx)
		if err != nil {
			return nil, err
		}
		app.Image = img
	}
	if app.Image == "" {
		return nil, errors.New("no image to deploy: set deploy.image in gati.yaml to the repository to push to")
	}
	rel, err := Objects(o.Env, app)
	if err != nil {
		return nil, err
	}
	say(o.Out, "checking %d objects with the API server (server-side dry run)", len(rel.Objects))
	if err := o.Target.Validate(ctx, rel); err != nil {
		return nil, err
	}
	unlock, err := o.Target.Lock(ctx, s.Namespace, o.Env.App)
	if err != nil {
		return nil, err
	}
	defer unlock()
	h, err := o.Target.History(ctx, s.Namespace, o.Env.App)
	if err != nil {
		return nil, err
	}
	prev := h.Current()
	res := &Result{Image: app.Image}
	if sameObjects(prev, rel) {
		// Apply all the same: it is idempotent and undoes drift.
		if err := o.Target.Apply(ctx, rel); err != nil {
			return nil, err
		}
		if err := o.Target.Rollout(ctx, rel, s.ProgressDeadline+time.Minute, progressLine(o.Out)); err != nil {
			return nil, err
		}
		res.NoOp, res.Revision = true, prev.Revision
		say(o.Out, "no change: revision %d already serves %s", prev.Revision, app.Image)
		return res, nil
	}
	objects, err := encodeObjects(rel.Objects)
	if err != nil {
		return nil, err
	}
	rec := &Record{
		Env: o.Env.Name, Time: now().UTC(), By: who(), Image: app.Image, Commit: o.Commit,
		APIVersions: app.APIVersions, ConfigMaps: configMaps(rel), Objects: objects,
	}
	say(o.Out, "applying %d objects (server-side apply, field manager %s)", len(rel.Objects), FieldManager)
	if err := o.Target.Apply(ctx, rel); err != nil {
		return nil, restoreAfterApply(ctx, o, prev, err)
	}
	start := now()
	rollErr := o.Target.Rollout(ctx, rel, s.ProgressDeadline+time.Minute, progressLine(o.Out))
	res.Rollout = now().Sub(start)
	rec.Duration = res.Rollout
	var rerr *RolloutError
	switch {
	case rollErr == nil:
		rec.Status = StatusDeployed
	case errors.As(rollErr, &rerr):
		rec.Status, rec.Cause = StatusRolledBack, rerr.Cause
	default:
		return nil, fmt.Errorf("watching the rollout: %w; the release is applied but its rollout was not seen through: gati deploy history %s shows the state", rollErr, o.Env.Name)
	}
	h.add(rec, s.History)
	res.Revision = rec.Revision
	if rollErr != nil && prev == nil {
		rec.Status = StatusFailed
		if err := o.Target.SaveHistory(ctx, h); err != nil {
			return nil, errors.Join(rollErr, err)
		}
		return res, fmt.Errorf("%w\nno earlier release to roll back to: revision %d stays applied; fix it and deploy again", rollErr, rec.Revision)
	}
	if rollErr != nil {
		say(o.Out, "%v", rollErr)
		say(o.Out, "rolling back to revision %d", prev.Revision)
		detected := now()
		back, err := rollTo(ctx, o.Out, o.Target, h, prev, s, now)
		if err != nil {
			return res, fmt.Errorf("%w\nrolling back to revision %d failed too: %w", rollErr, prev.Revision, err)
		}
		res.RolledBack, res.Restore = prev.Revision, now().Sub(detected)
		say(o.Out, "rolled back to revision %d (as revision %d) in %s", prev.Revision, back.Revision, res.Restore.Round(100*time.Millisecond))
		return res, fmt.Errorf("revision %d was rolled back to revision %d: %w", rec.Revision, prev.Revision, rollErr)
	}
	if err := o.Target.SaveHistory(ctx, h); err != nil {
		return res, fmt.Errorf("revision %d is serving, but %w", rec.Revision, err)
	}
	res.Pruned, err = o.Target.Prune(ctx, rel)
	for _, p := range res.Pruned {
		say(o.Out, "deleted %s (no longer in the release)", p)
	}
	if err != nil {
		return res, fmt.Errorf("revision %d is serving, but removing objects it no longer has failed: %w", rec.Revision, err)
	}
	say(o.Out, "revision %d of %s is serving %s (rollout %s)", rec.Revision, o.Env.Name, app.Image, res.Rollout.Round(100*time.Millisecond))
	return res, nil
}

// restoreAfterApply puts the previous release's objects back after an
// apply that stopped part way, so that what serves is one whole release.
func restoreAfterApply(ctx context.Context, o Options, prev *Record, applyErr error) error {
	if prev == nil {
		return fmt.Errorf("apply failed: %w; there was no earlier release to restore", applyErr)
	}
	old, err := prev.Release(o.Env.App)
	if err == nil {
		err = o.Target.Apply(ctx, old)
	}
	if err != nil {
		return fmt.Errorf("apply failed: %w; restoring revision %d failed too: %v", applyErr, prev.Revision, err)
	}
	return fmt.Errorf("apply failed: %w; revision %d was re-applied and still serves", applyErr, prev.Revision)
}

// Rollback restores revision rev of the app in namespace (0: the one
// before the serving release), waits for it and records it as a new
// revision.
func Rollback(ctx context.Context, out io.Writer, t Target, env *Env, rev int, now func() time.Time) (*Record, error) {
	if now == nil {
		now = time.Now
	}
	h, err := t.History(ctx, env.Settings.Namespace, env.App)
	if err != nil {
		return nil, err
	}
	if h.Current() == nil {
		return nil, fmt.Errorf("%s has no deployment recorded in namespace %s on %s: nothing to roll back", env.App, env.Settings.Namespace, t.Describe())
	}
	unlock, err := t.Lock(ctx, env.Settings.Namespace, env.App)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if h, err = t.History(ctx, env.Settings.Namespace, env.App); err != nil { // as it is now that no deploy runs
		return nil, err
	}
	cur := h.Current()
	var to *Record
	if rev == 0 {
		for i := len(h.Records) - 1; i >= 0 && to == nil; i-- {
			r := h.Records[i]
			if r.Status == StatusDeployed && r.Revision < cur.Revision && r.Objects != cur.Objects {
				to = r
			}
		}
		if to == nil {
			return nil, fmt.Errorf("revision %d is the only release of %s in the history: nothing earlier to roll back to", cur.Revision, env.App)
		}
	} else if to, err = h.Find(rev); err != nil {
		return nil, err
	}
	say(out, "rolling %s in %s back to revision %d (%s)", env.App, env.Name, to.Revision, to.Image)
	start := now()
	rec, err := rollTo(ctx, out, t, h, to, &env.Settings, now)
	if err != nil {
		return nil, err
	}
	say(out, "revision %d (a copy of %d) is serving, in %s", rec.Revision, to.Revision, now().Sub(start).Round(100*time.Millisecond))
	return rec, nil
}

// rollTo applies an earlier record's objects, waits for them, and records
// the result as a new revision.
func rollTo(ctx context.Context, out io.Writer, t Target, h *History, to *Record, s *Settings, now func() time.Time) (*Record, error) {
	rel, err := to.Release(h.App)
	if err != nil {
		return nil, err
	}
	if err := t.Apply(ctx, rel); err != nil {
		return nil, err
	}
	start := now()
	if err := t.Rollout(ctx, rel, s.ProgressDeadline+time.Minute, progressLine(out)); err != nil {
		return nil, err
	}
	rec := *to
	rec.Time, rec.By, rec.Status, rec.Cause = now().UTC(), who(), StatusDeployed, ""
	rec.RollbackOf, rec.Duration = to.Revision, now().Sub(start)
	h.add(&rec, s.History)
	if err := t.SaveHistory(ctx, h); err != nil {
		return nil, err
	}
	if _, err := t.Prune(ctx, rel); err != nil {
		return nil, err
	}
	return &rec, nil
}

func configMaps(r *Release) []string {
	var out []string
	for _, u := range r.Objects {
		if u.GetKind() == "ConfigMap" {
			out = append(out, u.GetName())
		}
	}
	return out
}

// who is user@host, for the record.
func who() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
}

func say(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

func progressLine(w io.Writer) func(RolloutStatus) {
	return func(st RolloutStatus) { say(w, "  %s", st) }
}
