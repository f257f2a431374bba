package deploy

import (
	"fmt"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

func release(t *testing.T, envName string, app AppInfo) *Release {
	t.Helper()
	env, err := LoadEnv(writeApp(t, sampleConfig), envName)
	if err != nil {
		t.Fatal(err)
	}
	if app.Image == "" {
		app.Image = "registry.example.com/team/shop@sha256:a0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
	}
	r, err := Objects(env, app)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func kinds(r *Release) []string {
	var out []string
	for _, u := range r.Objects {
		out = append(out, u.GetKind()+"/"+u.GetName())
	}
	return out
}

func find[T any](t *testing.T, r *Release, kind, name string) *T {
	t.Helper()
	for _, u := range r.Objects {
		if u.GetKind() == kind && u.GetName() == name {
			var v T
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &v); err != nil {
				t.Fatal(err)
			}
			return &v
		}
	}
	t.Fatalf("no %s %s in %v", kind, name, kinds(r))
	return nil
}

func TestObjectsOfAnEnvironment(t *testing.T) {
	app := AppInfo{APIVersions: []string{"2025-01-01"}, DrainDelay: 5 * time.Second, ShutdownTimeout: 15 * time.Second}
	r := release(t, "staging", app)
	got := kinds(r)
	for _, want := range []string{"Namespace/shop-staging", "ServiceAccount/shop", "Service/shop", "Deployment/shop", "HorizontalPodAutoscaler/shop", "PodDisruptionBudget/shop"} {
		if !slices.Contains(got, want) {
			t.Errorf("objects %v: no %s", got, want)
		}
	}
	if slices.ContainsFunc(got, func(s string) bool { return s == "Ingress/shop" || s == "Deployment/shop-worker" }) {
		t.Errorf("objects %v: an Ingress or worker Deployment nothing asked for", got)
	}
	d := find[appsv1.Deployment](t, r, "Deployment", "shop")
	if d.Spec.Replicas != nil {
		t.Errorf("replicas %d set although the HPA owns the count", *d.Spec.Replicas)
	}
	if mu := d.Spec.Strategy.RollingUpdate.MaxUnavailable; mu.IntValue() != 0 {
		t.Errorf("maxUnavailable %v, want 0", mu)
	}
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	if grace := *pod.TerminationGracePeriodSeconds; grace != 5+5+15+5 {
		t.Errorf("grace period %ds, want pre-stop 5 + drain 5 + shutdown 15 + 5", grace)
	}
	if c.Lifecycle.PreStop.Sleep.Seconds != 5 {
		t.Errorf("preStop %+v", c.Lifecycle.PreStop)
	}
	sc := c.SecurityContext
	if !*sc.ReadOnlyRootFilesystem || *sc.AllowPrivilegeEscalation || !*sc.RunAsNonRoot || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("security context %+v", sc)
	}
	for probe, path := range map[string]string{"startup": c.StartupProbe.HTTPGet.Path, "live": c.LivenessProbe.HTTPGet.Path, "ready": c.ReadinessProbe.HTTPGet.Path} {
		if path != "/healthz/"+probe {
			t.Errorf("%s probe on %s", probe, path)
		}
	}
	if c.Image != "registry.example.com/team/shop@sha256:a0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde" {
		t.Errorf("image %q", c.Image)
	}
	if d.Annotations[AnnotationVersions] != "2025-01-01" {
		t.Errorf("annotations %v", d.Annotations)
	}
	for _, l := range []string{"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by", "app.kubernetes.io/part-of", "app.kubernetes.io/component"} {
		if d.Labels[l] == "" || d.Spec.Template.Labels[l] == "" {
			t.Errorf("label %s missing", l)
		}
	}
}

func TestObjectsForProductionAddIngressMeshAndSecrets(t *testing.T) {
	r := release(t, "production", AppInfo{Workers: true})
	d := find[appsv1.Deployment](t, r, "Deployment", "shop")
	if *d.Spec.Replicas != 2 {
		t.Errorf("replicas %d", *d.Spec.Replicas)
	}
	if d.Spec.Template.Labels["sidecar.istio.io/inject"] != "true" || d.Spec.Template.Annotations["proxy.istio.io/config"] == "" {
		t.Errorf("no istio injection: %v %v", d.Spec.Template.Labels, d.Spec.Template.Annotations)
	}
	env := map[string]string{}
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		env[e.Name] = e.Value
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			env[e.Name] = "secret:" + e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		}
	}
	if env["DB_PASSWORD"] != "secret:shop-db/password" || env["GATI_ENV"] != "production" || env["GATI_ROLE"] != "api" || env["FEATURE_X"] != "on" {
		t.Errorf("env %v", env)
	}
	w := find[appsv1.Deployment](t, r, "Deployment", "shop-worker")
	if w.Spec.Template.Spec.Containers[0].Env[3].Value != "worker" {
		t.Errorf("worker env %v", w.Spec.Template.Spec.Containers[0].Env)
	}
	if !slices.Contains(kinds(r), "Ingress/shop") {
		t.Errorf("no Ingress for the domain: %v", kinds(r))
	}
}

func TestObjectsAreTheSameForTheSameInput(t *testing.T) {
	a, b := release(t, "staging", AppInfo{}), release(t, "staging", AppInfo{})
	ea, _ := encodeObjects(a.Objects)
	eb, _ := encodeObjects(b.Objects)
	if ea != eb {
		t.Error("two builds of the same release differ")
	}
	c := release(t, "staging", AppInfo{Image: "registry.example.com/team/shop@sha256:" + "1111111111111111111111111111111111111111111111111111111111111111"})
	ec, _ := encodeObjects(c.Objects)
	if ec == ea {
		t.Error("a new image gives the same release")
	}
	// Nothing an apply must not claim.
	for _, u := range a.Objects {
		if _, ok, _ := unstructured.NestedFieldNoCopy(u.Object, "status"); ok {
			t.Errorf("%s carries a status", describe(u))
		}
	}
}

func TestObjectsForAGatewayACustomMetricAndLinkerd(t *testing.T) {
	env, err := LoadEnv(writeApp(t, `name: shop
deploy:
  domain: shop.example.com
  expose: gateway
  gateway: {name: public, namespace: infra, section: https}
  mesh: linkerd
  autoscaling: {min: 2, max: 8, metric: {name: http_requests_per_second, target: "50"}}
  workers: {replicas: 0}
environments: {staging: {}}
`), "staging")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Objects(env, AppInfo{Image: digest(1), Workers: true, DrainDelay: 5 * time.Second, ShutdownTimeout: 15 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	got := kinds(r)
	if !slices.Contains(got, "HTTPRoute/shop") || slices.Contains(got, "Ingress/shop") || slices.Contains(got, "Deployment/shop-worker") {
		t.Errorf("objects %v: want an HTTPRoute, no Ingress, no worker Deployment (workers.replicas 0)", got)
	}
	for _, u := range r.Objects {
		if u.GetKind() != "HTTPRoute" {
			continue
		}
		parents, _, _ := unstructured.NestedSlice(u.Object, "spec", "parentRefs")
		p := parents[0].(map[string]any)
		if p["name"] != "public" || p["namespace"] != "infra" || p["sectionName"] != "https" {
			t.Errorf("parentRefs %v", parents)
		}
	}
	d := find[appsv1.Deployment](t, r, "Deployment", "shop")
	a := d.Spec.Template.Annotations
	if a["linkerd.io/inject"] != "enabled" || a["config.alpha.linkerd.io/proxy-wait-before-exit-seconds"] != "25" {
		t.Errorf("linkerd annotations %v: want injection and the proxy outliving pre-stop 5 + drain 5 + shutdown 15", a)
	}
	if role := d.Spec.Template.Spec.Containers[0].Env[3]; role.Value != "all" {
		t.Errorf("%s=%s: with no worker Deployment the API pods run the workers too", role.Name, role.Value)
	}
	h := find[autoscalingv2.HorizontalPodAutoscaler](t, r, "HorizontalPodAutoscaler", "shop")
	if len(h.Spec.Metrics) != 2 || h.Spec.Metrics[1].Pods.Metric.Name != "http_requests_per_second" || h.Spec.Metrics[1].Pods.Target.AverageValue.String() != "50" || *h.Spec.MinReplicas != 2 || h.Spec.MaxReplicas != 8 {
		t.Errorf("hpa %+v", h.Spec)
	}
}

// digest makes a distinct image reference per release: KWOK runs no
// containers, so nothing pulls it.
func digest(n int) string {
	return fmt.Sprintf("registry.example.com/shop@sha256:%064x", n)
}
