// Package deploy turns an app and one environment of its gati.yaml into
// Kubernetes objects, applies them with server-side apply, watches the
// rollout, records each deployment in the cluster and rolls a failed
// release back.
//
// The pipeline is target-neutral at its seams: a Target is where objects
// go (a kube context today), a registry reference is where the image goes
// (any OCI registry today), so that EKS and ECR can be added beside them.
package deploy

import (
	_ "embed"
	"time"
)

// Settings is the deploy section of gati.yaml: the base `deploy:` merged
// with `environments.<env>.deploy:`. The zero value of a field means its
// default (see Defaults); gati config <env> shows which applied.
type Settings struct {
	// Context is the kube context to deploy to; default: the current
	// context of the kubeconfig ($KUBECONFIG or ~/.kube/config).
	Context string `yaml:"context"`
	// Namespace is where the app's objects go; default: the app's name.
	Namespace string `yaml:"namespace"`
	// Image is the image repository the release is pushed to
	// ("registry.example.com/team/tasks"); the Deployment refers to the
	// pushed image by digest.
	Image string `yaml:"image"`
	// Base is the base image; default: none (scratch).
	Base string `yaml:"base"`
	// Platforms the image is built for; default linux/amd64, linux/arm64.
	Platforms []string `yaml:"platforms"`
	// Replicas of the API Deployment when there is no autoscaling;
	// default 2.
	Replicas *int32 `yaml:"replicas"`
	// Resources of each API pod.
	Resources Resources `yaml:"resources"`
	// Autoscaling adds a HorizontalPodAutoscaler.
	Autoscaling *Autoscaling `yaml:"autoscaling"`
	// Domain, when set, routes a host name to the app's Service through
	// an Ingress or a Gateway API HTTPRoute (see Expose).
	Domain string `yaml:"domain"`
	// Expose is how Domain reaches the app: ingress (default) or gateway.
	Expose string `yaml:"expose"`
	// Ingress configures the Ingress when Expose is ingress.
	Ingress Ingress `yaml:"ingress"`
	// Gateway names the Gateway the HTTPRoute attaches to when Expose is
	// gateway.
	Gateway Gateway `yaml:"gateway"`
	// Env are plain environment variables of the app's containers.
	Env map[string]string `yaml:"env"`
	// Secrets are environment variables read from Kubernetes Secrets, by
	// reference: gati never reads or writes the values.
	Secrets []SecretRef `yaml:"secrets"`
	// Mesh is the service mesh the pods join: none (default), istio or
	// linkerd.
	Mesh string `yaml:"mesh"`
	// PodAnnotations are added to every pod of the app.
	PodAnnotations map[string]string `yaml:"pod_annotations"`
	// ProgressDeadline is how long a rollout may go without progress
	// before it is failed and rolled back; default 120s.
	ProgressDeadline time.Duration `yaml:"progress_deadline"`
	// PreStopDelay is how long a terminating pod keeps serving before the
	// app is sent SIGTERM, so endpoints, proxies and the mesh stop
	// sending it traffic first; default 5s.
	PreStopDelay time.Duration `yaml:"prestop_delay"`
	// History is how many deployments are kept for rollback; default 10.
	History int `yaml:"history"`
	// Workers configures the Deployment that runs effect workers, made
	// when the app installs the effects module.
	Workers Workers `yaml:"workers"`
}

// Resources are a container's requests and limits, as Kubernetes
// quantities ("100m", "1", "128Mi").
type Resources struct {
	Requests Quantities `yaml:"requests"`
	Limits   Quantities `yaml:"limits"`
}

// Quantities is CPU and memory.
type Quantities struct {
	CPU    string `yaml:"cpu"`
	Memory string `yaml:"memory"`
}

// Autoscaling configures the HorizontalPodAutoscaler (autoscaling/v2).
type Autoscaling struct {
	// Min and Max bound the replicas; default 2 and 10.
	Min int32 `yaml:"min"`
	Max int32 `yaml:"max"`
	// CPU is the target average CPU utilization, percent of the request;
	// default 70.
	CPU int32 `yaml:"cpu"`
	// Metric, when set, also scales on a per-pod custom metric (served
	// by a custom metrics adapter such as prometheus-adapter).
	Metric *CustomMetric `yaml:"metric"`
	// ScaleDownWindow is the scale-down stabilization window: the HPA
	// scales down to the highest recommendation within it; default 300s,
	// Kubernetes' own.
	ScaleDownWindow *time.Duration `yaml:"scale_down_window"`
	// ScaleUpWindow likewise for scaling up; default 0.
	ScaleUpWindow *time.Duration `yaml:"scale_up_window"`
}

// CustomMetric is a pods metric and its target average value per pod.
type CustomMetric struct {
	Name   string `yaml:"name"`
	Target string `yaml:"target"`
}

// Ingress configures the Ingress object.
type Ingress struct {
	// Class is the IngressClass; default: the cluster's default class.
	Class string `yaml:"class"`
	// TLSSecret is the Secret holding the certificate for Domain.
	TLSSecret string `yaml:"tls_secret"`
	// Annotations are added to the Ingress (controller settings).
	Annotations map[string]string `yaml:"annotations"`
}

// Gateway is the Gateway an HTTPRoute attaches to.
type Gateway struct {
	Name      string `yaml:"name"`
	Namespace string `yaml:"namespace"`
	// Section is the listener name; default: every listener.
	Section string `yaml:"section"`
}

// SecretRef maps one key of a Secret to an environment variable.
type SecretRef struct {
	Env    string `yaml:"env"`
	Secret string `yaml:"secret"`
	Key    string `yaml:"key"`
}

// Workers configures the effect workers' Deployment.
type Workers struct {
	// Replicas of the worker Deployment; default 1. Zero runs the
	// workers inside the API pods instead (role all) and makes no worker
	// Deployment.
	Replicas *int32 `yaml:"replicas"`
	// Resources of each worker pod; default: the API pods'.
	Resources *Resources `yaml:"resources"`
}

// Defaults of the settings, applied by Resolve.
const (
	DefaultReplicas         = 2
	DefaultProgressDeadline = 120 * time.Second
	DefaultPreStopDelay     = 5 * time.Second
	DefaultHistory          = 10
	DefaultCPURequest       = "100m"
	DefaultMemoryRequest    = "128Mi"
	DefaultMemoryLimit      = "256Mi"
	DefaultAutoscaleMin     = 2
	DefaultAutoscaleMax     = 10
	DefaultAutoscaleCPU     = 70
	DefaultWorkerReplicas   = 1
)

// DefaultPlatforms are the image's platforms when none are set.
var DefaultPlatforms = []string{"linux/amd64", "linux/arm64"}

// SettingsSource is this file, whose doc comments describe the settings
// in gati.schema.json.
//
//go:embed settings.go
var SettingsSource []byte
