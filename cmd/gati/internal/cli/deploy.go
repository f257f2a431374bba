package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"gati.dev/gati"
	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/cmd/gati/internal/deploy"
	"gati.dev/gati/cmd/gati/internal/gobuild"
	"gati.dev/gati/cmd/gati/internal/ociimage"
	"gati.dev/gati/cmd/gati/internal/versions"
)

// deployFlags are the flags the deploy commands share.
type deployFlags struct {
	dir        string
	kubeconfig string
}

func (f *deployFlags) add(cmd *cobra.Command) {
	addDirFlag(cmd, &f.dir)
	cmd.Flags().StringVar(&f.kubeconfig, "kubeconfig", "", "the kubeconfig file (default $KUBECONFIG or ~/.kube/config)")
}

// env resolves the app directory and the environment.
func (f *deployFlags) env(command, name string) (*deploy.Env, error) {
	dir, err := appDir(command, orDot(f.dir))
	if err != nil {
		return nil, err
	}
	env, err := deploy.LoadEnv(dir, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	return env, nil
}

// connect opens the environment's cluster.
func (f *deployFlags) connect(ctx context.Context, command string, env *deploy.Env) (*deploy.Kube, error) {
	k, err := deploy.Connect(ctx, f.kubeconfig, env.Settings.Context)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", command, env.Name, err)
	}
	return k, nil
}

func orDot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

func newDeployCmd() *cobra.Command {
	var f deployFlags
	var dryRun bool
	var image string
	cmd := &cobra.Command{
		Use:   "deploy <env>",
		Short: "Build, push and roll out the app to an environment's cluster",
		Long: `Deploy ships the app in --dir (default: the current directory) to the
environment env of its gati.yaml: it analyzes the app and checks its
config, builds the image and pushes it to deploy.image, has the API
server check every object (server-side dry run), applies them with
server-side apply (field manager gati), and watches the rollout until
every new pod is ready and every old one gone.

A rollout that does not complete (pods not ready by the progress
deadline, crashing, or unable to pull the image) is rolled back to the
previous release automatically, and deploy exits non-zero naming the
cause. Each release is recorded in the cluster (gati deploy history) so
that any machine can roll back (gati rollback).

--dry-run prints the merged settings and every object without building,
pushing or contacting the cluster.`,
		Example: `  gati deploy staging
  gati deploy production --dry-run
  gati deploy staging --image registry.example.com/shop@sha256:...`,
		Args: exactArgs(1, "deploy needs the environment: gati deploy <env>"),
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := f.env("deploy", args[0])
			if err != nil {
				return err
			}
			if dryRun {
				return printDryRun(cmd.OutOrStdout(), env, image)
			}
			return runDeploy(cmd.Context(), cmd.ErrOrStderr(), f, env, image)
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the merged settings and every object; change nothing")
	cmd.Flags().StringVar(&image, "image", "", "deploy this image (repository@sha256:...) instead of building one")
	cmd.AddCommand(newDeployHistoryCmd())
	return cmd
}

// exactArgs is cobra.ExactArgs with a message that says what to type.
func exactArgs(n int, msg string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return errors.New(msg)
		}
		return nil
	}
}

func runDeploy(ctx context.Context, w io.Writer, f deployFlags, env *deploy.Env, image string) error {
	if image != "" && !strings.Contains(image, "@sha256:") {
		return fmt.Errorf("deploy: --image %s: give the image by digest (repository@sha256:...), so that what runs is exactly what was built", image)
	}
	k, err := f.connect(ctx, "deploy", env)
	if err != nil {
		return err
	}
	app, err := inspectApp(ctx, "deploy", env, w)
	if err != nil {
		return err
	}
	o := deploy.Options{Out: w, Target: k, Env: env, App: app, Commit: versions.Commit(ctx, env.Dir)}
	o.App.Image = image
	if image == "" {
		if env.Settings.Image == "" {
			return fmt.Errorf("deploy: %s: deploy.image is not set: add the repository to push to under deploy: (or environments.%s.deploy:) in gati.yaml, or pass --image", env.Name, env.Name)
		}
		o.Image = func(ctx context.Context) (string, error) { return pushDeployImage(ctx, w, env, app) }
	}
	if _, err := deploy.Deploy(ctx, o); err != nil {
		return fmt.Errorf("deploy: %s: %w", env.Name, err)
	}
	return nil
}

// pushDeployImage builds the app's image for the environment's platforms
// on its base and pushes it to deploy.image, tagged with the source's
// version (git describe), returning it by digest.
func pushDeployImage(ctx context.Context, w io.Writer, env *deploy.Env, app deploy.AppInfo) (string, error) {
	ref := env.Settings.Image + ":" + imageTag(gobuild.GitOutput(ctx, env.Dir, "latest", "describe", "--tags", "--always", "--dirty"))
	if err := ociimage.CheckPush(ctx, ref); err != nil {
		return "", fmt.Errorf("deploy.image %s: %w\ncheck deploy.image in gati.yaml (registry/repository), that the registry is up and reachable from here, and your credentials (docker login)", env.Settings.Image, err)
	}
	res, err := ociimage.Build(ctx, ociimage.Options{
		Dir: env.Dir, Platforms: env.Settings.Platforms, Base: env.Settings.Base, APIVersions: app.APIVersions, Progress: w,
	})
	if err != nil {
		var be *ociimage.BaseError
		if errors.As(err, &be) {
			return "", fmt.Errorf("deploy.base %s: %w\ncheck the reference, that its registry is reachable from here, and that it has an image for each platform", env.Settings.Base, err)
		}
		return "", fmt.Errorf("building the image: %w", err)
	}
	pushed, err := ociimage.Push(ctx, res.Index, ref, w)
	if err != nil {
		return "", fmt.Errorf("deploy.image %s: pushing: %w\ncheck that the registry is up and reachable from here, and your credentials (docker login)", env.Settings.Image, err)
	}
	return pushed, nil
}

// imageTag makes a version a valid image tag: [A-Za-z0-9_.-], at most 128
// characters, not starting with . or -.
func imageTag(v string) string {
	b := []byte(v)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			b[i] = '-'
		}
	}
	t := strings.TrimLeft(string(b), ".-")
	if t == "" {
		return "latest"
	}
	return t[:min(len(t), 128)]
}

// inspectApp analyzes the app (its routes, handlers and modules must
// check out), checks its config for every environment, and gathers what
// the objects need to know about it.
func inspectApp(ctx context.Context, command string, env *deploy.Env, w io.Writer) (deploy.AppInfo, error) {
	r, err := analyzeApp(ctx, command, env.Dir, w, true, analyze.Options{})
	if err != nil {
		return deploy.AppInfo{}, err
	}
	if err := checkConfig(env.Dir, r.ModuleConfigs, w); err != nil {
		return deploy.AppInfo{}, fmt.Errorf("%s: %w", command, err)
	}
	if err := writeGenerated(env.Dir, r.Manifest); err != nil {
		return deploy.AppInfo{}, fmt.Errorf("%s: %w", command, err)
	}
	app, err := appInfo(env, r.ModuleConfigs)
	if err != nil {
		return app, fmt.Errorf("%s: %w", command, err)
	}
	return app, nil
}

// appInfo reads the API versions and the app's own shutdown settings as
// they apply in a cluster.
func appInfo(env *deploy.Env, mods []analyze.ModuleConfig) (deploy.AppInfo, error) {
	var app deploy.AppInfo
	st, err := versions.Load(env.Dir)
	if err != nil {
		return app, err
	}
	app.APIVersions = st.IDs()
	for _, m := range mods {
		if m.Name == "effects" {
			app.Workers = true
		}
	}
	cfg, err := gati.LoadConfig(filepath.Join(env.Dir, gati.ConfigFile), env.Name)
	if err != nil {
		return app, err
	}
	switch d := cfg.Server.DrainDelay; {
	case d == 0:
		app.DrainDelay = 5 * time.Second // the app's default in Kubernetes
	case d > 0:
		app.DrainDelay = d
	}
	switch d := cfg.Server.ShutdownTimeout; {
	case d == 0:
		app.ShutdownTimeout = 15 * time.Second
	case d > 0:
		app.ShutdownTimeout = d
	}
	return app, nil
}

// printDryRun prints what a deploy would apply: the merged settings, then
// every object as YAML, without building or contacting the cluster.
func printDryRun(w io.Writer, env *deploy.Env, image string) error {
	app, err := appInfo(env, nil)
	if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	app.Image = image
	if app.Image == "" {
		repo := env.Settings.Image
		if repo == "" {
			repo = "<deploy.image>"
		}
		app.Image = repo + "@sha256:<digest of the image deploy builds>"
	}
	rel, err := deploy.Objects(env, app)
	if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	fmt.Fprintf(w, "# gati deploy %s --dry-run: the settings of %s, merged, and where each came from\n", env.Name, env.App)
	printValues(w, env, "# ")
	for _, u := range rel.Objects {
		b, err := yaml.Marshal(u.Object)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "---\n%s", b)
	}
	return nil
}

func printValues(w io.Writer, env *deploy.Env, prefix string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, v := range env.Values {
		fmt.Fprintf(tw, "%s%s\t%s\t%s\n", prefix, v.Path, v.Value, v.Origin)
	}
	_ = tw.Flush()
}

func newConfigCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "config <env>",
		Short: "Show an environment's merged settings and where each came from",
		Long: `Config prints every setting of environment env of the app in --dir
(default: the current directory): gati.yaml's base merged with
environments.<env>, and the deploy defaults, each with the file and line
it came from or "default".`,
		Example: `  gati config staging`,
		Args:    exactArgs(1, "config needs the environment: gati config <env>"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f := deployFlags{dir: dir}
			env, err := f.env("config", args[0])
			if err != nil {
				return err
			}
			printValues(cmd.OutOrStdout(), env, "")
			return nil
		},
	}
	addDirFlag(cmd, &dir)
	return cmd
}

func newDeployHistoryCmd() *cobra.Command {
	var f deployFlags
	cmd := &cobra.Command{
		Use:   "history <env>",
		Short: "List the releases recorded in an environment's cluster",
		Long: `History lists the releases of the app recorded in environment env's
cluster, oldest first: revision, when, status, image digest, commit, API
versions served, and who deployed it.`,
		Example: `  gati deploy history staging`,
		Args:    exactArgs(1, "deploy history needs the environment: gati deploy history <env>"),
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := f.env("deploy history", args[0])
			if err != nil {
				return err
			}
			k, err := f.connect(cmd.Context(), "deploy history", env)
			if err != nil {
				return err
			}
			h, err := k.History(cmd.Context(), env.Settings.Namespace, env.App)
			if err != nil {
				return fmt.Errorf("deploy history: %w", err)
			}
			if len(h.Records) == 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "no releases of %s in namespace %s yet; gati deploy %s makes the first\n", env.App, env.Settings.Namespace, env.Name)
				return nil
			}
			printHistory(cmd.OutOrStdout(), h)
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

func printHistory(w io.Writer, h *deploy.History) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REVISION\tDEPLOYED\tSTATUS\tIMAGE\tCOMMIT\tAPI VERSIONS\tBY")
	for _, r := range h.Records {
		status := r.Status
		if r.RollbackOf != 0 {
			status += fmt.Sprintf(" (rollback to %d)", r.RollbackOf)
		}
		if r.Cause != "" {
			status += ": " + r.Cause
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Revision, r.Time.UTC().Format(time.RFC3339), status,
			shortDigest(r.Image), shortCommit(r.Commit), dash(strings.Join(r.APIVersions, ",")), r.By)
	}
	_ = tw.Flush()
}

func shortDigest(image string) string {
	if _, d, ok := strings.Cut(image, "@sha256:"); ok && len(d) >= 12 {
		return "sha256:" + d[:12]
	}
	return image
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return dash(c)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newRollbackCmd() *cobra.Command {
	var f deployFlags
	cmd := &cobra.Command{
		Use:   "rollback <env> [revision]",
		Short: "Restore an earlier release of an environment",
		Long: `Rollback re-applies the objects of an earlier release of the app in
environment env (default: the release before the one serving), waits
until it is fully rolled out, and records it as a new revision.`,
		Example: `  gati rollback staging
  gati rollback staging 3`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return errors.New("rollback needs the environment and optionally a revision: gati rollback <env> [revision]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			rev := 0
			if len(args) == 2 {
				if _, err := fmt.Sscanf(args[1], "%d", &rev); err != nil || rev < 1 {
					return fmt.Errorf("rollback: revision %q: give a revision number from gati deploy history %s", args[1], args[0])
				}
			}
			env, err := f.env("rollback", args[0])
			if err != nil {
				return err
			}
			k, err := f.connect(cmd.Context(), "rollback", env)
			if err != nil {
				return err
			}
			if _, err := deploy.Rollback(cmd.Context(), cmd.ErrOrStderr(), k, env, rev, nil); err != nil {
				return fmt.Errorf("rollback: %s: %w", env.Name, err)
			}
			return nil
		},
	}
	f.add(cmd)
	return cmd
}
