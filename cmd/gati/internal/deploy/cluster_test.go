package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"gati.dev/gati/cmd/gati/internal/kubetest"
)

// The tests below run against a real control plane (etcd,
// kube-apiserver, kube-controller-manager, KWOK, metrics-server), one
// per test binary, each test in a namespace of its own.
func TestMain(m *testing.M) { goleak.VerifyTestMain(kubetest.M(m)) }

// clusterEnv writes an app whose staging environment deploys to its own
// namespace, with extra settings under deploy:.
func clusterEnv(t *testing.T, ns, extra string) *Env {
	t.Helper()
	staging := "  staging: {}\n"
	if extra != "" {
		staging = "  staging:\n    deploy:\n" + strings.ReplaceAll(strings.TrimSuffix(extra, "\n"), "\n", "\n    ")
		staging = strings.Replace(staging, "deploy:\n  ", "deploy:\n      ", 1) + "\n"
	}
	config := "name: shop\ndeploy:\n  namespace: " + ns + "\n  progress_deadline: 8s\n  prestop_delay: 1s\nenvironments:\n" + staging
	env, err := LoadEnv(writeApp(t, config), "staging")
	if err != nil {
		t.Fatalf("%v\n%s", err, config)
	}
	return env
}

func kube(t *testing.T) *Kube {
	t.Helper()
	c := kubetest.Shared(t)
	k, err := NewKube(t.Context(), c.Context, c.Config)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func deployImage(t *testing.T, k *Kube, env *Env, image string) (*Result, string, error) {
	t.Helper()
	var out bytes.Buffer
	res, err := Deploy(t.Context(), Options{
		Out: &out, Target: k, Env: env,
		App: AppInfo{Image: image, APIVersions: []string{"2025-01-01"}, DrainDelay: time.Second, ShutdownTimeout: time.Second},
	})
	t.Logf("deploy %s:\n%s", image, out.String())
	return res, out.String(), err
}

func TestDeployRollsOutReadsBackAndIsANoOpTheSecondTime(t *testing.T) {
	k := kube(t)
	env := clusterEnv(t, "deploy-basic", "  replicas: 2\n  domain: shop.example.com\n")
	res, _, err := deployImage(t, k, env, digest(1))
	if err != nil {
		t.Fatal(err)
	}
	if res.Revision != 1 || res.NoOp {
		t.Fatalf("result %+v", res)
	}
	ctx := t.Context()
	d, err := k.Client.AppsV1().Deployments("deploy-basic").Get(ctx, "shop", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status.ReadyReplicas != 2 || d.Spec.Template.Spec.Containers[0].Image != digest(1) {
		t.Errorf("deployment: ready %d image %s", d.Status.ReadyReplicas, d.Spec.Template.Spec.Containers[0].Image)
	}
	if d.ManagedFields[0].Manager != FieldManager {
		t.Errorf("field managers %+v", d.ManagedFields)
	}
	// Every object of the release is there, as applied.
	for _, u := range mustObjects(t, env, digest(1)).Objects {
		ri, err := k.resource(u)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ri.Get(ctx, u.GetName(), metav1.GetOptions{})
		if err != nil {
			t.Errorf("%s: %v", describe(u), err)
			continue
		}
		if got.GetLabels()["app.kubernetes.io/managed-by"] != "gati" && u.GetKind() != "Namespace" {
			t.Errorf("%s: labels %v", describe(u), got.GetLabels())
		}
	}
	rsBefore := replicaSets(t, k, "deploy-basic")

	res, out, err := deployImage(t, k, env, digest(1))
	if err != nil {
		t.Fatal(err)
	}
	if !res.NoOp || res.Revision != 1 || !strings.Contains(out, "no change: revision 1") {
		t.Errorf("second deploy: %+v\n%s", res, out)
	}
	if after := replicaSets(t, k, "deploy-basic"); after != rsBefore {
		t.Errorf("a no-op deploy changed the ReplicaSets: %d before, %d after", rsBefore, after)
	}
	h, err := k.History(ctx, "deploy-basic", "shop")
	if err != nil || len(h.Records) != 1 || h.Records[0].Image != digest(1) || h.Records[0].APIVersions[0] != "2025-01-01" {
		t.Errorf("history %+v, %v", h, err)
	}
}

func mustObjects(t *testing.T, env *Env, image string) *Release {
	t.Helper()
	r, err := Objects(env, AppInfo{Image: image, APIVersions: []string{"2025-01-01"}, DrainDelay: time.Second, ShutdownTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func replicaSets(t *testing.T, k *Kube, ns string) int {
	t.Helper()
	l, err := k.Client.AppsV1().ReplicaSets(ns).List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return len(l.Items)
}

// TestRollingUpdateKeepsEveryReplicaReady watches the Deployment through
// an update and checks that ready replicas never fall below the desired
// count: maxUnavailable 0 at work, observed rather than read off the YAML.
func TestRollingUpdateKeepsEveryReplicaReady(t *testing.T) {
	k := kube(t)
	env := clusterEnv(t, "deploy-rolling", "  replicas: 3\n")
	if _, _, err := deployImage(t, k, env, digest(1)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	w, err := k.Client.AppsV1().Deployments("deploy-rolling").Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=shop"})
	if err != nil {
		t.Fatal(err)
	}
	minReady, events := int32(1<<30), 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			if ev.Type != watch.Modified && ev.Type != watch.Added {
				continue
			}
			d := ev.Object.(*appsv1.Deployment)
			events++
			minReady = min(minReady, d.Status.ReadyReplicas)
		}
	}()
	if _, _, err := deployImage(t, k, env, digest(2)); err != nil {
		t.Fatal(err)
	}
	w.Stop()
	<-done
	t.Logf("rolling update of 3 replicas: %d status changes watched, ready replicas never below %d", events, minReady)
	if events < 3 || minReady < 3 {
		t.Errorf("ready replicas fell to %d of 3 during the update (%d events)", minReady, events)
	}
}

func TestAReleaseThatNeverBecomesReadyIsRolledBack(t *testing.T) {
	k := kube(t)
	good := clusterEnv(t, "deploy-unready", "  replicas: 2\n")
	if _, _, err := deployImage(t, k, good, digest(1)); err != nil {
		t.Fatal(err)
	}
	bad := clusterEnv(t, "deploy-unready", "  replicas: 2\n  pod_annotations: {"+kubetest.BehaviourAnnotation+": "+kubetest.NeverReady+"}\n")
	res, out, err := deployImage(t, k, bad, digest(2))
	var rerr *RolloutError
	if !errors.As(err, &rerr) || !strings.Contains(rerr.Cause, "progress deadline") {
		t.Fatalf("deploy of an unready release: %v, want a rollout error naming the progress deadline", err)
	}
	if res.RolledBack != 1 || !strings.Contains(out, "rolled back to revision 1") {
		t.Fatalf("result %+v", res)
	}
	t.Logf("unready release: detected after %s of rollout; the old revision was fully ready again %s after detection", res.Rollout.Round(time.Millisecond), res.Restore.Round(time.Millisecond))
	if res.Restore > 30*time.Second {
		t.Errorf("restoring took %s; the goal is under 30s", res.Restore)
	}
	assertServing(t, k, "deploy-unready", digest(1), 2)
	h, _ := k.History(t.Context(), "deploy-unready", "shop")
	if n := len(h.Records); n != 3 || h.Records[1].Status != StatusRolledBack || h.Records[2].RollbackOf != 1 {
		t.Errorf("history: %s", historyLines(h))
	}
}

func TestACrashingReleaseIsRolledBackWithoutWaitingForTheDeadline(t *testing.T) {
	k := kube(t)
	good := clusterEnv(t, "deploy-crash", "  replicas: 2\n  progress_deadline: 120s\n")
	if _, _, err := deployImage(t, k, good, digest(1)); err != nil {
		t.Fatal(err)
	}
	bad := clusterEnv(t, "deploy-crash", "  replicas: 2\n  progress_deadline: 120s\n  pod_annotations: {"+kubetest.BehaviourAnnotation+": "+kubetest.Crash+"}\n")
	res, _, err := deployImage(t, k, bad, digest(2))
	var rerr *RolloutError
	if !errors.As(err, &rerr) || !strings.Contains(rerr.Cause, "CrashLoopBackOff") {
		t.Fatalf("deploy of a crashing release: %v, want a rollout error naming CrashLoopBackOff", err)
	}
	t.Logf("crashing release: detected after %s, restored in %s", res.Rollout.Round(time.Millisecond), res.Restore.Round(time.Millisecond))
	if res.Rollout > 60*time.Second {
		t.Errorf("detecting the crash took %s: it should not wait for the 120s deadline", res.Rollout)
	}
	assertServing(t, k, "deploy-crash", digest(1), 2)
}

func TestManualRollbackRestoresTheEarlierRelease(t *testing.T) {
	k := kube(t)
	env := clusterEnv(t, "deploy-rollback", "  replicas: 2\n")
	for i := 1; i <= 2; i++ {
		if _, _, err := deployImage(t, k, env, digest(i)); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	start := time.Now()
	rec, err := Rollback(t.Context(), &out, k, env, 0, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Logf("gati rollback: revision %d restored as %d in %s", rec.RollbackOf, rec.Revision, time.Since(start).Round(time.Millisecond))
	if rec.RollbackOf != 1 || rec.Revision != 3 {
		t.Errorf("record %+v", rec)
	}
	assertServing(t, k, "deploy-rollback", digest(1), 2)
	if _, err := Rollback(t.Context(), &out, k, env, 9, nil); err == nil || !strings.Contains(err.Error(), "revision 9 is not in the history of shop (it has 1, 2, 3)") {
		t.Errorf("rollback to a missing revision: %v", err)
	}
}

func TestAutoscalingFollowsCPU(t *testing.T) {
	k := kube(t)
	c := kubetest.Shared(t)
	env := clusterEnv(t, "deploy-hpa", "  autoscaling: {min: 1, max: 4, cpu: 50, scale_down_window: 0s}\n")
	if _, _, err := deployImage(t, k, env, digest(1)); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	sel := "app.kubernetes.io/name=shop"
	replicas := func() int32 {
		d, err := k.Client.AppsV1().Deployments("deploy-hpa").Get(ctx, "shop", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return d.Status.ReadyReplicas
	}
	waitFor := func(what string, limit time.Duration, ok func(int32) bool) time.Duration {
		start := time.Now()
		for time.Since(start) < limit {
			if ok(replicas()) {
				return time.Since(start)
			}
			time.Sleep(time.Second)
		}
		t.Fatalf("%s: not within %s (replicas %d)", what, limit, replicas())
		return 0
	}
	if err := c.SetCPU(ctx, "deploy-hpa", sel, 200); err != nil { // 200% of the 100m request
		t.Fatal(err)
	}
	up := waitFor("scale up", 3*time.Minute, func(n int32) bool { return n >= 2 })
	peak := waitFor("scale up to the maximum", 3*time.Minute, func(n int32) bool { return n == 4 })
	if err := c.SetCPU(ctx, "deploy-hpa", sel, 10); err != nil {
		t.Fatal(err)
	}
	down := waitFor("scale down", 3*time.Minute, func(n int32) bool { return n == 1 })
	t.Logf("HPA: above target, a second replica after %s and 4 (the max) after %s; below target, back to 1 after %s", up.Round(time.Second), (up + peak).Round(time.Second), down.Round(time.Second))
}

func TestAReleaseTheServerRejectsAppliesNothing(t *testing.T) {
	k := kube(t)
	good := clusterEnv(t, "deploy-reject", "  replicas: 1\n")
	if _, _, err := deployImage(t, k, good, digest(1)); err != nil {
		t.Fatal(err)
	}
	// The test cluster has no Gateway API: the HTTPRoute cannot be made.
	bad := clusterEnv(t, "deploy-reject", "  replicas: 1\n  domain: shop.example.com\n  expose: gateway\n  gateway: {name: public}\n")
	_, _, err := deployImage(t, k, bad, digest(2))
	if err == nil || !strings.Contains(err.Error(), "HTTPRoute") || !strings.Contains(err.Error(), "nothing was applied") {
		t.Fatalf("deploy with a kind the cluster lacks: %v", err)
	}
	assertServing(t, k, "deploy-reject", digest(1), 1)
}

func TestAnUnreachableClusterIsNamed(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "config")
	err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters: [{name: gone, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: x}}]
contexts: [{name: gone, context: {cluster: gone, user: u}}]
current-context: gone
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Connect(t.Context(), kubeconfig, "")
	if err == nil || !strings.Contains(err.Error(), "the cluster of kube context gone at https://127.0.0.1:1 does not answer") || !strings.Contains(err.Error(), "kubectl --context gone") {
		t.Errorf("unreachable cluster: %v", err)
	}
	_, err = Connect(t.Context(), filepath.Join(t.TempDir(), "missing"), "")
	if err == nil || !strings.Contains(err.Error(), "(--kubeconfig) cannot be read") {
		t.Errorf("missing --kubeconfig: %v", err)
	}
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "missing"))
	_, err = Connect(t.Context(), "", "")
	if err == nil || !strings.Contains(err.Error(), "no kubeconfig: $KUBECONFIG names") {
		t.Errorf("$KUBECONFIG naming a missing file: %v", err)
	}
	_, err = Connect(t.Context(), kubeconfig, "staging")
	if err == nil || !strings.Contains(err.Error(), `kube context "staging" is not in the kubeconfig (it has gone)`) {
		t.Errorf("missing context: %v", err)
	}
}

func assertServing(t *testing.T, k *Kube, ns, image string, ready int32) {
	t.Helper()
	d, err := k.Client.AppsV1().Deployments(ns).Get(t.Context(), "shop", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if img := d.Spec.Template.Spec.Containers[0].Image; img != image || d.Status.ReadyReplicas != ready || d.Status.UpdatedReplicas != ready {
		t.Errorf("deployment serves %s with %d ready, %d updated; want %s with %d", img, d.Status.ReadyReplicas, d.Status.UpdatedReplicas, image, ready)
	}
}

func historyLines(h *History) string {
	var b strings.Builder
	for _, r := range h.Records {
		fmt.Fprintf(&b, "\n  %d %s %s rollbackOf=%d", r.Revision, r.Status, r.Image, r.RollbackOf)
	}
	return b.String()
}

// failingApply is the test cluster with one fault: the first apply of an
// object of kind Kind fails, as when a webhook times out or the server
// goes away between the dry run and the apply.
type failingApply struct {
	*Kube
	Kind   string
	failed *bool
}

func (f failingApply) Apply(ctx context.Context, r *Release) error {
	var applied []string
	for _, u := range r.Objects {
		if u.GetKind() == f.Kind && !*f.failed {
			*f.failed = true
			return &ApplyError{Applied: applied, Err: fmt.Errorf("%s: injected failure", describe(u))}
		}
		if err := f.apply(ctx, u, false); err != nil {
			return &ApplyError{Applied: applied, Err: err}
		}
		applied = append(applied, describe(u))
	}
	return nil
}

func TestAnApplyThatStopsPartWayLeavesThePreviousReleaseServing(t *testing.T) {
	k := kube(t)
	env := clusterEnv(t, "deploy-partial", "  replicas: 2\n")
	if _, _, err := deployImage(t, k, env, digest(1)); err != nil {
		t.Fatal(err)
	}
	changed := clusterEnv(t, "deploy-partial", "  replicas: 2\n  env: {FEATURE: on}\n")
	var out bytes.Buffer
	_, err := Deploy(t.Context(), Options{
		Out: &out, Target: failingApply{Kube: k, Kind: "PodDisruptionBudget", failed: new(bool)}, Env: changed,
		App: AppInfo{Image: digest(2), DrainDelay: time.Second, ShutdownTimeout: time.Second},
	})
	t.Logf("%v\n%s", err, out.String())
	if err == nil || !strings.Contains(err.Error(), "injected failure") ||
		!strings.Contains(err.Error(), "applied before it: Namespace deploy-partial, ServiceAccount deploy-partial/shop, ConfigMap deploy-partial/shop-config-") ||
		!strings.Contains(err.Error(), "revision 1 was re-applied and still serves") {
		t.Fatalf("error %v", err)
	}
	// The Deployment was applied with the new image before the failure;
	// the previous release's was applied back over it.
	if err := k.Rollout(t.Context(), mustObjects(t, env, digest(1)), time.Minute, nil); err != nil {
		t.Fatal(err)
	}
	assertServing(t, k, "deploy-partial", digest(1), 2)
	h, _ := k.History(t.Context(), "deploy-partial", "shop")
	if len(h.Records) != 1 {
		t.Errorf("a failed apply was recorded: %s", historyLines(h))
	}
}

// TestTheServerKeepsWhatWasApplied reads the Deployment back from the API
// server and checks the settings that matter for safety and zero
// downtime survived the server's defaulting and validation (a field a
// server does not know is dropped silently by server-side apply).
func TestTheServerKeepsWhatWasApplied(t *testing.T) {
	k := kube(t)
	env := clusterEnv(t, "deploy-readback", "  replicas: 2\n  prestop_delay: 3s\n")
	if _, _, err := deployImage(t, k, env, digest(1)); err != nil {
		t.Fatal(err)
	}
	d, err := k.Client.AppsV1().Deployments("deploy-readback").Get(t.Context(), "shop", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Spec.Template.Spec.Containers[0]
	checks := map[string]bool{
		"maxUnavailable 0":          d.Spec.Strategy.RollingUpdate.MaxUnavailable.IntValue() == 0,
		"progress deadline 8s":      *d.Spec.ProgressDeadlineSeconds == 8,
		"preStop sleep 3s":          c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil && c.Lifecycle.PreStop.Sleep.Seconds == 3,
		"grace 3+1+1+5s":            *d.Spec.Template.Spec.TerminationGracePeriodSeconds == 10,
		"read-only root filesystem": c.SecurityContext != nil && *c.SecurityContext.ReadOnlyRootFilesystem,
		"startup probe":             c.StartupProbe != nil && c.StartupProbe.HTTPGet.Path == "/healthz/startup",
		"readiness probe":           c.ReadinessProbe != nil && c.ReadinessProbe.HTTPGet.Path == "/healthz/ready",
		"liveness probe":            c.LivenessProbe != nil && c.LivenessProbe.HTTPGet.Path == "/healthz/live",
		"non-root pod":              *d.Spec.Template.Spec.SecurityContext.RunAsNonRoot,
		"config mounted":            len(c.VolumeMounts) == 2 && c.VolumeMounts[0].MountPath == "/etc/gati",
	}
	for what, ok := range checks {
		if !ok {
			t.Errorf("read back from the API server: not %s", what)
		}
	}
	pdb, err := k.Client.PolicyV1().PodDisruptionBudgets("deploy-readback").Get(t.Context(), "shop", metav1.GetOptions{})
	if err != nil || pdb.Spec.MaxUnavailable.IntValue() != 1 {
		t.Errorf("pdb %+v, %v", pdb, err)
	}
}

// TestTurningAutoscalingOnKeepsTheReplicas: a release with autoscaling
// leaves the replica count to the HPA; the Deployment must not fall to
// one replica on the way (server-side apply removes a field its only
// owner stops applying).
func TestTurningAutoscalingOnKeepsTheReplicas(t *testing.T) {
	k := kube(t)
	fixed := clusterEnv(t, "deploy-handover", "  replicas: 3\n")
	if _, _, err := deployImage(t, k, fixed, digest(1)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	w, err := k.Client.AppsV1().Deployments("deploy-handover").Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=shop"})
	if err != nil {
		t.Fatal(err)
	}
	lowest := int32(1 << 30)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			if d, ok := ev.Object.(*appsv1.Deployment); ok && d.Spec.Replicas != nil {
				lowest = min(lowest, *d.Spec.Replicas, d.Status.ReadyReplicas)
			}
		}
	}()
	scaled := clusterEnv(t, "deploy-handover", "  autoscaling: {min: 2, max: 5}\n")
	if _, _, err := deployImage(t, k, scaled, digest(1)); err != nil {
		t.Fatal(err)
	}
	w.Stop()
	<-done
	if lowest < 3 {
		t.Errorf("turning autoscaling on took the Deployment down to %d replicas", lowest)
	}
	d, err := k.Client.AppsV1().Deployments("deploy-handover").Get(t.Context(), "shop", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *d.Spec.Replicas != 3 {
		t.Errorf("replicas %d after the handover, want the 3 it had", *d.Spec.Replicas)
	}
}

// TestTwoDeploysOfOneAppDoNotInterleave holds the deploy lock as a
// running deploy would and checks that a second deploy is refused, naming
// the holder, and that a lock left by a deploy that died is taken over
// once it has expired.
func TestTwoDeploysOfOneAppDoNotInterleave(t *testing.T) {
	k := kube(t)
	env := clusterEnv(t, "deploy-lock", "  replicas: 1\n")
	if _, _, err := deployImage(t, k, env, digest(1)); err != nil {
		t.Fatal(err)
	}
	unlock, err := k.Lock(t.Context(), "deploy-lock", "shop")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = deployImage(t, k, env, digest(2))
	var locked *LockedError
	if !errors.As(err, &locked) || !strings.Contains(locked.Holder, "pid") {
		t.Fatalf("a deploy while another holds the lock: %v", err)
	}
	if _, err := Rollback(t.Context(), io.Discard, k, env, 0, nil); !errors.As(err, &locked) {
		t.Errorf("a rollback while a deploy holds the lock: %v", err)
	}
	unlock()
	if _, _, err := deployImage(t, k, env, digest(2)); err != nil {
		t.Fatalf("a deploy after the lock was released: %v", err)
	}
	assertServing(t, k, "deploy-lock", digest(2), 1)

	// A lease whose holder stopped renewing it expires.
	lease, err := k.Client.CoordinationV1().Leases("deploy-lock").Create(t.Context(), &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: lockName("shop")},
		Spec: coordinationv1.LeaseSpec{
			HolderIdentity: ptr("a deploy that died"), LeaseDurationSeconds: ptr(int32(30)),
			AcquireTime: ptr(metav1.NewMicroTime(time.Now().Add(-time.Minute))), RenewTime: ptr(metav1.NewMicroTime(time.Now().Add(-time.Minute))),
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := deployImage(t, k, env, digest(3)); err != nil {
		t.Fatalf("a deploy over an expired lock (%s): %v", lease.Name, err)
	}
}
