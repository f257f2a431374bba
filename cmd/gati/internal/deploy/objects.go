package deploy

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Release is what one deployment applies: the objects, in apply order,
// and the facts recorded with it.
type Release struct {
	Env     string
	App     string
	Image   string // repository@sha256:...
	Objects []*unstructured.Unstructured
}

// AppInfo is what the objects need to know about the app beyond its
// deploy settings.
type AppInfo struct {
	// Image is the image to run, by digest (repository@sha256:...).
	Image string
	// APIVersions are the API versions the release serves, recorded on
	// its objects.
	APIVersions []string
	// Workers is true when the app installs the effects module: its
	// workers then get a Deployment of their own (role worker) unless
	// deploy.workers.replicas is 0.
	Workers bool
	// DrainDelay and ShutdownTimeout are the app's own shutdown settings
	// (server.drain_delay, server.shutdown_timeout) as they apply in a
	// cluster; the pods' grace period covers the pre-stop delay and both.
	DrainDelay, ShutdownTimeout time.Duration
}

// The container's fixed facts: the app listens on $PORT, runs as the
// image's non-root user, and reads its config from the ConfigMap.
const (
	containerName = "app"
	containerPort = 8080
	runAsUser     = 65532
	configDir     = "/etc/gati"
	managedBy     = "gati"
	// FieldManager is the server-side apply field manager of every
	// object gati applies.
	FieldManager = "gati"
	// Label keys beside the app.kubernetes.io ones.
	LabelEnv = "gati.dev/environment"
	// AnnotationVersions lists the API versions a release serves.
	AnnotationVersions = "gati.dev/api-versions"
	// AnnotationConfig names the ConfigMap the pods read.
	AnnotationConfig = "gati.dev/config"
)

// Objects builds the release of env for the app: every object, in the
// order they are applied (what pods need before the pods).
func Objects(env *Env, app AppInfo) (*Release, error) {
	s := &env.Settings
	b := &builder{env: env, app: app, s: s}
	cm := b.configMap()
	objs := []runtime.Object{namespaceObject(s.Namespace), b.serviceAccount(), cm, b.service()}
	split := app.Workers && workerReplicas(s) > 0
	role := "all"
	if split {
		role = "api"
	}
	objs = append(objs, b.deployment("api", role, cm.Name))
	if split {
		objs = append(objs, b.deployment("worker", "worker", cm.Name))
	}
	if s.Autoscaling != nil {
		objs = append(objs, b.hpa())
	}
	objs = append(objs, b.pdb())
	switch {
	case s.Domain == "" || s.Expose == "none":
	case s.Expose == "gateway":
		objs = append(objs, b.httpRoute())
	default:
		objs = append(objs, b.ingress())
	}
	r := &Release{Env: env.Name, App: env.App, Image: app.Image}
	for _, o := range objs {
		u, err := toUnstructured(o)
		if err != nil {
			return nil, err
		}
		r.Objects = append(r.Objects, u)
	}
	return r, nil
}

type builder struct {
	env *Env
	app AppInfo
	s   *Settings
}

// labels are the app.kubernetes.io labels of every object; component is
// "" for objects the whole app shares.
func (b *builder) labels(component string) map[string]string {
	l := b.selector(component)
	l["app.kubernetes.io/part-of"] = b.env.App
	l["app.kubernetes.io/managed-by"] = managedBy
	l[LabelEnv] = b.env.Name
	return l
}

// selector is the immutable subset of labels that selects pods.
func (b *builder) selector(component string) map[string]string {
	l := map[string]string{
		"app.kubernetes.io/name":     b.env.App,
		"app.kubernetes.io/instance": b.env.App,
	}
	if component != "" {
		l["app.kubernetes.io/component"] = component
	}
	return l
}

func (b *builder) meta(name, component string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: b.s.Namespace, Labels: b.labels(component)}
}

func (b *builder) serviceAccount() *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:                     metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta:                   b.meta(b.env.App, ""),
		AutomountServiceAccountToken: ptr(false),
	}
}

// configMap holds gati.yaml under a name derived from its content and is
// immutable: a change of config is a new ConfigMap and so a new rollout,
// and a rollback finds its old config still there.
func (b *builder) configMap() *corev1.ConfigMap {
	sum := sha256.Sum256(b.env.Config)
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: b.meta(b.env.App+"-config-"+hex.EncodeToString(sum[:])[:10], ""),
		Immutable:  ptr(true),
		Data:       map[string]string{"gati.yaml": string(b.env.Config)},
	}
}

func (b *builder) service() *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: b.meta(b.env.App, "api"),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: b.selector("api"),
			Ports: []corev1.ServicePort{{
				Name: "http", Port: 80, TargetPort: intstr.FromString("http"),
				Protocol: corev1.ProtocolTCP, AppProtocol: ptr("http"),
			}},
		},
	}
}

// GracePeriod is the pods' terminationGracePeriodSeconds: the pre-stop
// delay, then the app's own drain and shutdown, and 5s to spare, so the
// kubelet never kills a pod that is still finishing requests.
func GracePeriod(s *Settings, app AppInfo) time.Duration {
	return s.PreStopDelay + app.DrainDelay + app.ShutdownTimeout + 5*time.Second
}

func (b *builder) deployment(component, role, config string) *appsv1.Deployment {
	name := b.env.App
	replicas := b.s.Replicas
	res := b.s.Resources
	if component == "worker" {
		name += "-worker"
		replicas = ptr(workerReplicas(b.s))
		if b.s.Workers.Resources != nil {
			res = mergeResources(*b.s.Workers.Resources, res)
		}
	} else if b.s.Autoscaling != nil {
		replicas = nil // the HorizontalPodAutoscaler owns the count
	}
	grace := GracePeriod(b.s, b.app)
	podLabels := b.labels(component)
	annotations := map[string]string{
		AnnotationConfig: config,
		"kubectl.kubernetes.io/default-container": containerName,
	}
	maps.Copy(annotations, b.s.PodAnnotations)
	b.mesh(podLabels, annotations, grace)
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: b.meta(name, component),
		Spec: appsv1.DeploymentSpec{
			Replicas: replicas,
			Selector: &metav1.LabelSelector{MatchLabels: b.selector(component)},
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: ptr(intstr.FromInt32(0)),
					MaxSurge:       ptr(intstr.FromString("25%")),
				},
			},
			ProgressDeadlineSeconds: ptr(int32(b.s.ProgressDeadline / time.Second)),
			RevisionHistoryLimit:    ptr(int32(b.s.History)),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels, Annotations: annotations},
				Spec: corev1.PodSpec{
					ServiceAccountName:            b.env.App,
					AutomountServiceAccountToken:  ptr(false),
					TerminationGracePeriodSeconds: ptr(int64(grace / time.Second)),
					SecurityContext: &corev1.PodSecurityContext{
						RunAsNonRoot:   ptr(true),
						RunAsUser:      ptr(int64(runAsUser)),
						RunAsGroup:     ptr(int64(runAsUser)),
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
					},
					Containers: []corev1.Container{b.container(role, res)},
					Volumes: []corev1.Volume{
						{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
							LocalObjectReference: corev1.LocalObjectReference{Name: config},
						}}},
						{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
					},
				},
			},
		},
	}
	if len(b.app.APIVersions) > 0 {
		d.Annotations = map[string]string{AnnotationVersions: strings.Join(b.app.APIVersions, ",")}
	}
	return d
}

func (b *builder) container(role string, res Resources) corev1.Container {
	env := []corev1.EnvVar{
		{Name: "PORT", Value: strconv.Itoa(containerPort)},
		{Name: "GATI_ENV", Value: b.env.Name},
		{Name: "GATI_CONFIG", Value: configDir + "/gati.yaml"},
		{Name: "GATI_ROLE", Value: role},
	}
	for _, k := range slices.Sorted(maps.Keys(b.s.Env)) {
		env = append(env, corev1.EnvVar{Name: k, Value: b.s.Env[k]})
	}
	for _, r := range b.s.Secrets {
		env = append(env, corev1.EnvVar{Name: r.Env, ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: r.Secret}, Key: r.Key},
		}})
	}
	probe := func(path string, period, failures int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler:     corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString("http")}},
			PeriodSeconds:    period,
			TimeoutSeconds:   1,
			FailureThreshold: failures,
		}
	}
	return corev1.Container{
		Name:  containerName,
		Image: b.app.Image,
		Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: containerPort, Protocol: corev1.ProtocolTCP}},
		Env:   env,
		// Startup: up to 2 minutes to initialise modules; liveness only
		// after; readiness quick to drop a pod that is draining.
		StartupProbe:   probe("/healthz/startup", 1, 120),
		LivenessProbe:  probe("/healthz/live", 10, 3),
		ReadinessProbe: probe("/healthz/ready", 2, 2),
		Lifecycle: &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{
			Sleep: &corev1.SleepAction{Seconds: int64(b.s.PreStopDelay / time.Second)},
		}},
		Resources: requirements(res),
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr(false),
			ReadOnlyRootFilesystem:   ptr(true),
			RunAsNonRoot:             ptr(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		},
		VolumeMounts: []corev1.VolumeMount{
			{Name: "config", MountPath: configDir, ReadOnly: true},
			{Name: "tmp", MountPath: "/tmp"},
		},
	}
}

// mesh adds the sidecar injection and the settings that keep the proxy
// alive while the app drains.
func (b *builder) mesh(labels, annotations map[string]string, grace time.Duration) {
	switch b.s.Mesh {
	case "istio":
		labels["sidecar.istio.io/inject"] = "true"
		cfg, _ := json.Marshal(map[string]any{
			"holdApplicationUntilProxyStarts": true,
			"terminationDrainDuration":        (grace - 5*time.Second).String(),
		})
		annotations["proxy.istio.io/config"] = string(cfg)
	case "linkerd":
		annotations["linkerd.io/inject"] = "enabled"
		annotations["config.linkerd.io/proxy-await"] = "enabled"
		annotations["config.alpha.linkerd.io/proxy-wait-before-exit-seconds"] = strconv.Itoa(int((grace - 5*time.Second) / time.Second))
	}
}

// workerReplicas is deploy.workers.replicas, default 1: it only matters
// for apps that install the effects module.
func workerReplicas(s *Settings) int32 {
	if s.Workers.Replicas == nil {
		return DefaultWorkerReplicas
	}
	return *s.Workers.Replicas
}

func mergeResources(over, base Resources) Resources {
	pick := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	return Resources{
		Requests: Quantities{CPU: pick(over.Requests.CPU, base.Requests.CPU), Memory: pick(over.Requests.Memory, base.Requests.Memory)},
		Limits:   Quantities{CPU: pick(over.Limits.CPU, base.Limits.CPU), Memory: pick(over.Limits.Memory, base.Limits.Memory)},
	}
}

// requirements converts validated quantities.
func requirements(r Resources) corev1.ResourceRequirements {
	list := func(q Quantities) corev1.ResourceList {
		l := corev1.ResourceList{}
		if q.CPU != "" {
			l[corev1.ResourceCPU] = resource.MustParse(q.CPU)
		}
		if q.Memory != "" {
			l[corev1.ResourceMemory] = resource.MustParse(q.Memory)
		}
		return l
	}
	return corev1.ResourceRequirements{Requests: list(r.Requests), Limits: list(r.Limits)}
}

func (b *builder) hpa() *autoscalingv2.HorizontalPodAutoscaler {
	a := b.s.Autoscaling
	metrics := []autoscalingv2.MetricSpec{{
		Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{
			Name:   corev1.ResourceCPU,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr(a.CPU)},
		},
	}}
	if m := a.Metric; m != nil {
		metrics = append(metrics, autoscalingv2.MetricSpec{
			Type: autoscalingv2.PodsMetricSourceType,
			Pods: &autoscalingv2.PodsMetricSource{
				Metric: autoscalingv2.MetricIdentifier{Name: m.Name},
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: ptr(resource.MustParse(m.Target))},
			},
		})
	}
	var behavior *autoscalingv2.HorizontalPodAutoscalerBehavior
	if a.ScaleDownWindow != nil || a.ScaleUpWindow != nil {
		behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{}
		if w := a.ScaleDownWindow; w != nil {
			behavior.ScaleDown = &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr(int32(*w / time.Second))}
		}
		if w := a.ScaleUpWindow; w != nil {
			behavior.ScaleUp = &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr(int32(*w / time.Second))}
		}
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: b.meta(b.env.App, "api"),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: b.env.App},
			MinReplicas:    ptr(a.Min),
			MaxReplicas:    a.Max,
			Metrics:        metrics,
			Behavior:       behavior,
		},
	}
}

func (b *builder) pdb() *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: b.meta(b.env.App, "api"),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: ptr(intstr.FromInt32(1)),
			Selector:       &metav1.LabelSelector{MatchLabels: b.selector("api")},
		},
	}
}

func (b *builder) ingress() *networkingv1.Ingress {
	ing := &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: b.meta(b.env.App, "api"),
		Spec: networkingv1.IngressSpec{
			Rules: []networkingv1.IngressRule{{
				Host: b.s.Domain,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{{
						Path:     "/",
						PathType: ptr(networkingv1.PathTypePrefix),
						Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
							Name: b.env.App, Port: networkingv1.ServiceBackendPort{Name: "http"},
						}},
					}},
				}},
			}},
		},
	}
	if c := b.s.Ingress.Class; c != "" {
		ing.Spec.IngressClassName = ptr(c)
	}
	if t := b.s.Ingress.TLSSecret; t != "" {
		ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{b.s.Domain}, SecretName: t}}
	}
	if len(b.s.Ingress.Annotations) > 0 {
		ing.Annotations = maps.Clone(b.s.Ingress.Annotations)
	}
	return ing
}

// httpRoute is a Gateway API HTTPRoute, built untyped so that the CLI
// does not depend on the Gateway API's Go module.
func (b *builder) httpRoute() *unstructured.Unstructured {
	parent := map[string]any{"name": b.s.Gateway.Name}
	if ns := b.s.Gateway.Namespace; ns != "" {
		parent["namespace"] = ns
	}
	if sec := b.s.Gateway.Section; sec != "" {
		parent["sectionName"] = sec
	}
	m := b.meta(b.env.App, "api")
	labels := map[string]any{}
	for k, v := range m.Labels {
		labels[k] = v
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1",
		"kind":       "HTTPRoute",
		"metadata":   map[string]any{"name": m.Name, "namespace": m.Namespace, "labels": labels},
		"spec": map[string]any{
			"parentRefs": []any{parent},
			"hostnames":  []any{b.s.Domain},
			"rules": []any{map[string]any{
				"matches":     []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/"}}},
				"backendRefs": []any{map[string]any{"name": b.env.App, "port": int64(80)}},
			}},
		},
	}}
}

// toUnstructured converts a typed object for server-side apply, dropping
// the fields a typed object always carries and an apply must not claim
// (creationTimestamp: null, an empty status).
func toUnstructured(o runtime.Object) (*unstructured.Unstructured, error) {
	if u, ok := o.(*unstructured.Unstructured); ok {
		return u, nil
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
	if err != nil {
		return nil, fmt.Errorf("converting %T: %w", o, err)
	}
	u := &unstructured.Unstructured{Object: m}
	unstructured.RemoveNestedField(u.Object, "status")
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	unstructured.RemoveNestedField(u.Object, "spec", "template", "metadata", "creationTimestamp")
	return u, nil
}
