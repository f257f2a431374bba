package deploy

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

// Target is where releases go. Kube, a cluster reached through a kube
// context, is the one target today; a cloud target (EKS with its load
// balancer and secrets) implements the same steps.
type Target interface {
	// Describe names the target for progress lines and errors.
	Describe() string
	// Validate has the target check every object without changing
	// anything (a server-side dry run).
	Validate(ctx context.Context, r *Release) error
	// Apply applies every object, in order; on an error it reports which
	// objects it had applied.
	Apply(ctx context.Context, r *Release) error
	// Rollout waits until the release's workloads are fully rolled out,
	// calling progress on every change, or fails naming the cause.
	Rollout(ctx context.Context, r *Release, deadline time.Duration, progress func(RolloutStatus)) error
	// History reads the deployments recorded for the app.
	History(ctx context.Context, namespace, app string) (*History, error)
	// SaveHistory records h, failing on a concurrent change.
	SaveHistory(ctx context.Context, h *History) error
	// Prune deletes objects of the app that r no longer has.
	Prune(ctx context.Context, r *Release) ([]string, error)
	// Lock keeps other deploys of the app out until unlock is called; a
	// held lock is a *LockedError naming its holder.
	Lock(ctx context.Context, namespace, app string) (unlock func(), err error)
}

// Kube is a Kubernetes cluster reached through a kubeconfig context.
type Kube struct {
	Context string
	Server  string
	Client  kubernetes.Interface
	Dynamic dynamic.Interface
	mapper  meta.ResettableRESTMapper
}

// Connect opens the cluster of kubeconfig's context (both optional:
// $KUBECONFIG or ~/.kube/config, and its current context) and checks
// that it answers.
func Connect(ctx context.Context, kubeconfig, kubeContext string) (*Kube, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	if err := kubeconfigExists(rules); err != nil {
		return nil, err
	}
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext})
	raw, err := loader.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w; set $KUBECONFIG or --kubeconfig", err)
	}
	name := kubeContext
	if name == "" {
		name = raw.CurrentContext
	}
	if _, ok := raw.Contexts[name]; !ok || name == "" {
		var names []string
		for n := range raw.Contexts {
			names = append(names, n)
		}
		slices.Sort(names)
		known := "it has none"
		if len(names) > 0 {
			known = "it has " + strings.Join(names, ", ")
		}
		if name == "" {
			return nil, fmt.Errorf("the kubeconfig names no current context (%s); set deploy.context in gati.yaml or run kubectl config use-context", known)
		}
		return nil, fmt.Errorf("kube context %q is not in the kubeconfig (%s); fix deploy.context in gati.yaml or the kubeconfig", name, known)
	}
	cfg, err := loader.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kube context %s: %w", name, err)
	}
	return NewKube(ctx, name, cfg)
}

// kubeconfigExists reports a kubeconfig that is named but missing, or
// none at all, with where it was looked for: client-go alone would report
// an empty config and no current context.
func kubeconfigExists(rules *clientcmd.ClientConfigLoadingRules) error {
	if p := rules.ExplicitPath; p != "" {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("the kubeconfig %s (--kubeconfig) cannot be read: %w", p, err)
		}
		return nil
	}
	for _, p := range rules.Precedence {
		if _, err := os.Stat(p); err == nil {
			return nil
		}
	}
	where := strings.Join(rules.Precedence, ", ")
	if env := os.Getenv(clientcmd.RecommendedConfigPathEnvVar); env != "" {
		return fmt.Errorf("no kubeconfig: $KUBECONFIG names %s, and none of it exists; point it at your cluster's kubeconfig (your provider's CLI writes one: aws eks update-kubeconfig, gcloud container clusters get-credentials, az aks get-credentials)", where)
	}
	return fmt.Errorf("no kubeconfig: %s does not exist and $KUBECONFIG is unset; get one from your cluster's provider (aws eks update-kubeconfig, gcloud container clusters get-credentials, az aks get-credentials) or pass --kubeconfig", where)
}

// NewKube is Connect for a config already at hand.
func NewKube(ctx context.Context, name string, cfg *rest.Config) (*Kube, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 50, 100
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	k := &Kube{Context: name, Server: cfg.Host, Client: client, Dynamic: dyn}
	probe, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := client.Discovery().RESTClient().Get().AbsPath("/version").Do(probe).Raw(); err != nil {
		return nil, fmt.Errorf("the cluster of kube context %s at %s does not answer: %s; check that it is running and reachable (kubectl --context %s get --raw /version)", name, cfg.Host, shortErr(err), name)
	}
	k.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(client.Discovery()))
	return k, nil
}

func shortErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// Describe implements Target.
func (k *Kube) Describe() string { return fmt.Sprintf("kube context %s (%s)", k.Context, k.Server) }

// resource finds the API resource of u's kind.
func (k *Kube) resource(u *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := u.GroupVersionKind()
	m, err := k.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		k.mapper.Reset()
		m, err = k.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		hint := ""
		if gvk.Group == "gateway.networking.k8s.io" {
			hint = "; install the Gateway API CRDs in the cluster or set deploy.expose to ingress"
		}
		return nil, fmt.Errorf("the cluster does not serve %s %s%s", gvk.GroupVersion(), gvk.Kind, hint)
	}
	ri := k.Dynamic.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return ri.Namespace(u.GetNamespace()), nil
	}
	return ri, nil
}

func describe(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetKind() + " " + u.GetName()
	}
	return u.GetKind() + " " + u.GetNamespace() + "/" + u.GetName()
}

func (k *Kube) apply(ctx context.Context, u *unstructured.Unstructured, dryRun bool) error {
	ri, err := k.resource(u)
	if err != nil {
		return err
	}
	opts := metav1.ApplyOptions{FieldManager: FieldManager, Force: true}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	if _, err := ri.Apply(ctx, u.GetName(), u, opts); err != nil {
		return fmt.Errorf("%s: %s", describe(u), apiMessage(err))
	}
	return nil
}

// apiMessage is the API server's own message, without client-go's
// wrapping.
func apiMessage(err error) string {
	var se apierrors.APIStatus
	if errors.As(err, &se) {
		return se.Status().Message
	}
	return err.Error()
}

// Validate implements Target: a server-side dry run of every object.
// The namespace, if missing, is created for real first: namespaced
// objects cannot be checked without it, and an empty namespace changes
// nothing that serves.
func (k *Kube) Validate(ctx context.Context, r *Release) error {
	var errs []error
	for _, u := range r.Objects {
		if u.GetKind() == "Namespace" {
			if err := k.ensureNamespace(ctx, u); err != nil {
				return err
			}
			continue
		}
		if err := k.apply(ctx, u, true); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("the API server rejects the release (server-side dry run; nothing was applied):\n  %w", errors.Join(errs...))
	}
	return nil
}

func (k *Kube) ensureNamespace(ctx context.Context, u *unstructured.Unstructured) error {
	_, err := k.Client.CoreV1().Namespaces().Get(ctx, u.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		err = k.apply(ctx, u, false)
	}
	if err != nil {
		return fmt.Errorf("namespace %s: %s", u.GetName(), apiMessage(err))
	}
	return nil
}

// ApplyError is an Apply that stopped part way: the objects before the
// failing one were applied.
type ApplyError struct {
	Applied []string
	Err     error
}

func (e *ApplyError) Error() string {
	applied := "none"
	if len(e.Applied) > 0 {
		applied = strings.Join(e.Applied, ", ")
	}
	return fmt.Sprintf("%v (applied before it: %s)", e.Err, applied)
}

func (e *ApplyError) Unwrap() error { return e.Err }

// Apply implements Target: server-side apply, field manager gati.
func (k *Kube) Apply(ctx context.Context, r *Release) error {
	var applied []string
	for _, u := range r.Objects {
		if err := k.handOverReplicas(ctx, u); err != nil {
			return &ApplyError{Applied: applied, Err: err}
		}
		if err := k.apply(ctx, u, false); err != nil {
			return &ApplyError{Applied: applied, Err: err}
		}
		applied = append(applied, describe(u))
	}
	return nil
}

// handoverManager co-owns a Deployment's replicas once the autoscaler
// counts them.
const handoverManager = "gati-handover"

// handOverReplicas keeps the replica count when a Deployment passes from
// a fixed count to an autoscaler. A release with autoscaling leaves
// spec.replicas out; if gati alone owned it, server-side apply would
// remove the field and the Deployment would fall to one replica until
// the autoscaler caught up. So another field manager first applies the
// live count, and the field survives gati letting go of it (the
// ownership transfer the Kubernetes documentation describes).
func (k *Kube) handOverReplicas(ctx context.Context, u *unstructured.Unstructured) error {
	if u.GetKind() != "Deployment" {
		return nil
	}
	if _, set, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "replicas"); set {
		return nil
	}
	live, err := k.Client.AppsV1().Deployments(u.GetNamespace()).Get(ctx, u.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) || (err == nil && live.Spec.Replicas == nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %s", describe(u), apiMessage(err))
	}
	for _, f := range live.ManagedFields {
		if f.Manager == handoverManager {
			return nil // handed over already
		}
	}
	keep := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": u.GetName(), "namespace": u.GetNamespace()},
		"spec":     map[string]any{"replicas": int64(*live.Spec.Replicas)},
	}}
	ri, err := k.resource(keep)
	if err != nil {
		return err
	}
	if _, err := ri.Apply(ctx, keep.GetName(), keep, metav1.ApplyOptions{FieldManager: handoverManager, Force: true}); err != nil {
		return fmt.Errorf("%s: handing its replicas to the autoscaler: %s", describe(u), apiMessage(err))
	}
	return nil
}

// prunable are the kinds a release may stop having.
var prunable = []schema.GroupVersionResource{
	{Group: "apps", Version: "v1", Resource: "deployments"},
	{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"},
	{Group: "policy", Version: "v1", Resource: "poddisruptionbudgets"},
	{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"},
	{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"},
	{Version: "v1", Resource: "configmaps"},
}

// Prune implements Target: it deletes the objects labelled as the app's
// that r does not have, so that turning a feature off (autoscaling, a
// domain, the workers) removes its objects. ConfigMaps that recorded
// revisions still use are kept for rollback.
func (k *Kube) Prune(ctx context.Context, r *Release) ([]string, error) {
	keep := map[string]bool{"ConfigMap/" + historyName(r.App): true}
	ns := r.Namespace()
	for _, u := range r.Objects {
		keep[u.GetKind()+"/"+u.GetName()] = true
	}
	h, err := k.History(ctx, ns, r.App)
	if err != nil {
		return nil, err
	}
	for _, rec := range h.Records {
		for _, name := range rec.ConfigMaps {
			keep["ConfigMap/"+name] = true
		}
	}
	sel := fmt.Sprintf("app.kubernetes.io/instance=%s,app.kubernetes.io/managed-by=%s", r.App, managedBy)
	var deleted []string
	for _, gvr := range prunable {
		list, err := k.Dynamic.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
		if apierrors.IsNotFound(err) {
			continue // the cluster does not serve the kind
		}
		if err != nil {
			return deleted, fmt.Errorf("listing %s: %s", gvr.Resource, apiMessage(err))
		}
		for _, item := range list.Items {
			if keep[item.GetKind()+"/"+item.GetName()] {
				continue
			}
			err := k.Dynamic.Resource(gvr).Namespace(ns).Delete(ctx, item.GetName(), metav1.DeleteOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				return deleted, fmt.Errorf("deleting %s: %s", describe(&item), apiMessage(err))
			}
			deleted = append(deleted, describe(&item))
		}
	}
	return deleted, nil
}

// Namespace is the namespace of the release's objects.
func (r *Release) Namespace() string {
	for _, u := range r.Objects {
		if u.GetNamespace() != "" {
			return u.GetNamespace()
		}
	}
	return ""
}

// namespaceObject is the release's Namespace.
func namespaceObject(name string) *corev1.Namespace {
	return &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
	}
}
