package kubetest

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/yaml"
)

// BehaviourAnnotation on a pod changes how KWOK plays it. Without it, a
// pod is Running and Ready as soon as it is scheduled.
const BehaviourAnnotation = "kwok.gati.dev/behaviour"

// Values of BehaviourAnnotation.
const (
	// NeverReady: Running, containers running, Ready=False forever.
	NeverReady = "never-ready"
	// Crash: Running, containers waiting with reason CrashLoopBackOff
	// and restartCount 3, Ready=False.
	Crash = "crash"
)

// KWOK's ClusterResourceUsage CRD, from sigs.k8s.io/kwok v0.6.1
// (kustomize/crd/bases, Apache License 2.0).
//
//go:embed crd-clusterresourceusages.yaml
var usageCRD []byte

var (
	crdGVR   = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	usageGVR = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "clusterresourceusages"}
)

// usageName is the one ClusterResourceUsage object: KWOK takes the first
// object that matches a pod, in no defined order, so every rule lives in
// one CEL expression.
const usageName = "kubetest"

// Usage of a pod no SetCPU rule matches, and the memory of every pod
// (metrics-server drops containers that report none).
const (
	defaultCPU    = "0.001" // cores
	defaultMemory = "16Mi"
)

// installUsageCRD creates the CRD, waits until it is established and
// creates the ClusterResourceUsage object with the default usage.
func (c *Cluster) installUsageCRD(ctx context.Context) error {
	var obj unstructured.Unstructured
	if err := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(usageCRD), 4096).Decode(&obj.Object); err != nil {
		return fmt.Errorf("kubetest: decode the ClusterResourceUsage CRD: %w", err)
	}
	if _, err := c.dynamic.Resource(crdGVR).Create(ctx, &obj, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("kubetest: create the ClusterResourceUsage CRD: %w", err)
	}
	err := c.poll(ctx, "the ClusterResourceUsage CRD established", func(ctx context.Context) (bool, error) {
		crd, err := c.dynamic.Resource(crdGVR).Get(ctx, obj.GetName(), metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
		for _, cond := range conds {
			m, _ := cond.(map[string]any)
			if m["type"] == "Established" && m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	usage := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kwok.x-k8s.io/v1alpha1",
		"kind":       "ClusterResourceUsage",
		"metadata":   map[string]any{"name": usageName},
		"spec":       usageSpec(nil),
	}}
	return c.poll(ctx, "the ClusterResourceUsage created", func(ctx context.Context) (bool, error) {
		_, err := c.dynamic.Resource(usageGVR).Create(ctx, usage, metav1.CreateOptions{})
		return err == nil || apierrors.IsAlreadyExists(err), err
	})
}

// cpuRule is one SetCPU: pods that cond (CEL) matches use cores.
type cpuRule struct {
	ns, selector string
	cond         string
	cores        float64
}

// SetCPU makes every pod in namespace ns that labelSelector matches
// (all of them if it is empty) report milliCores of CPU usage, split
// evenly between its containers, from now on, including pods created
// later: metrics-server sees it at its next scrape (every 10 s) and the
// HorizontalPodAutoscaler controller shortly after. A later call for the
// same namespace and selector replaces the figure; where rules overlap,
// the latest wins. Pods no rule matches use 1m. Set-based selectors
// (in, notin, exists) work; gt and lt do not.
func (c *Cluster) SetCPU(ctx context.Context, ns, labelSelector string, milliCores int64) error {
	cond, err := celSelector(ns, labelSelector)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	rules := []cpuRule{{ns: ns, selector: labelSelector, cond: cond, cores: float64(milliCores) / 1000}}
	for _, r := range c.cpu {
		if r.ns != ns || r.selector != labelSelector {
			rules = append(rules, r)
		}
	}
	patch, err := json.Marshal(map[string]any{"spec": usageSpec(rules)})
	if err != nil {
		return err
	}
	_, err = c.dynamic.Resource(usageGVR).Patch(ctx, usageName, types.MergePatchType, patch, metav1.PatchOptions{})
	if err != nil {
		return fmt.Errorf("kubetest: SetCPU: update ClusterResourceUsage %s: %w", usageName, err)
	}
	c.cpu = rules
	return nil
}

// usageSpec is the ClusterResourceUsage spec for rules, latest first.
func usageSpec(rules []cpuRule) map[string]any {
	return map[string]any{
		"usages": []any{map[string]any{
			"usage": map[string]any{
				"cpu":    map[string]any{"expression": cpuExpression(rules)},
				"memory": map[string]any{"value": defaultMemory},
			},
		}},
	}
}

// cpuExpression is a CEL expression of a container's CPU usage in
// cores: the first matching rule's figure divided among the pod's
// containers.
func cpuExpression(rules []cpuRule) string {
	var b strings.Builder
	for _, r := range rules {
		// A CEL double literal needs its point: 1 is an int, 1.0 a double.
		cores := strconv.FormatFloat(r.cores, 'f', -1, 64)
		if !strings.Contains(cores, ".") {
			cores += ".0"
		}
		fmt.Fprintf(&b, "(%s) ? %s / double(size(pod.spec.containers)) : ", r.cond, cores)
	}
	b.WriteString(defaultCPU)
	return b.String()
}

// celSelector translates a namespace and a label selector into a CEL
// condition on pod.
func celSelector(ns, labelSelector string) (string, error) {
	sel, err := labels.Parse(labelSelector)
	if err != nil {
		return "", fmt.Errorf("kubetest: SetCPU: label selector %q: %w", labelSelector, err)
	}
	reqs, _ := sel.Requirements()
	conds := []string{"pod.metadata.namespace == " + strconv.Quote(ns)}
	for _, r := range reqs {
		key := strconv.Quote(r.Key())
		has := key + " in pod.metadata.labels"
		var vals []string
		for _, v := range r.ValuesUnsorted() {
			vals = append(vals, strconv.Quote(v))
		}
		in := fmt.Sprintf("pod.metadata.labels[%s] in [%s]", key, strings.Join(vals, ", "))
		switch r.Operator() {
		case selection.Equals, selection.DoubleEquals, selection.In:
			conds = append(conds, fmt.Sprintf("(%s && %s)", has, in))
		case selection.NotEquals, selection.NotIn:
			conds = append(conds, fmt.Sprintf("!(%s && %s)", has, in))
		case selection.Exists:
			conds = append(conds, has)
		case selection.DoesNotExist:
			conds = append(conds, "!("+has+")")
		default:
			return "", fmt.Errorf("kubetest: SetCPU: label selector %q: operator %s is not supported", labelSelector, r.Operator())
		}
	}
	return strings.Join(conds, " && "), nil
}

// registerMetricsAPI points the aggregator's v1beta1.metrics.k8s.io at
// metrics-server on 127.0.0.1:port through an ExternalName Service
// (Endpoints refuse loopback addresses).
func (c *Cluster) registerMetricsAPI(ctx context.Context, port int) error {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "metrics-server", Namespace: "kube-system"},
		Spec: corev1.ServiceSpec{
			Type:         corev1.ServiceTypeExternalName,
			ExternalName: "localhost",
			Ports:        []corev1.ServicePort{{Name: "https", Port: int32(port), TargetPort: intstr.FromInt32(int32(port))}},
		},
	}
	if _, err := c.Client.CoreV1().Services("kube-system").Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("kubetest: create Service kube-system/metrics-server: %w", err)
	}
	apiService := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiregistration.k8s.io/v1",
		"kind":       "APIService",
		"metadata":   map[string]any{"name": "v1beta1.metrics.k8s.io"},
		"spec": map[string]any{
			"group":                 "metrics.k8s.io",
			"version":               "v1beta1",
			"groupPriorityMinimum":  int64(100),
			"versionPriority":       int64(100),
			"insecureSkipTLSVerify": true,
			"service":               map[string]any{"name": "metrics-server", "namespace": "kube-system", "port": int64(port)},
		},
	}}
	if _, err := c.dynamic.Resource(apiServiceGVR).Create(ctx, apiService, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("kubetest: create APIService v1beta1.metrics.k8s.io: %w", err)
	}
	return nil
}

var apiServiceGVR = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}

// metricsAPIAvailable reports whether the aggregator reaches
// metrics-server.
func (c *Cluster) metricsAPIAvailable(ctx context.Context) (bool, error) {
	obj, err := c.dynamic.Resource(apiServiceGVR).Get(ctx, "v1beta1.metrics.k8s.io", metav1.GetOptions{})
	if err != nil {
		return false, err
	}
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, cond := range conds {
		m, _ := cond.(map[string]any)
		if m["type"] == "Available" {
			if m["status"] == "True" {
				return true, nil
			}
			return false, fmt.Errorf("APIService v1beta1.metrics.k8s.io: %v: %v", m["reason"], m["message"])
		}
	}
	return false, nil
}
