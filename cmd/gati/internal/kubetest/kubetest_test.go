package kubetest_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"go.uber.org/goleak"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"gati.dev/gati/cmd/gati/internal/kubetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(kubetest.M(m)) }

// TestMissingBinaries guards the convention: no binaries, no skip, but a
// failure that says what to run.
func TestMissingBinaries(t *testing.T) {
	t.Setenv("GATI_KUBE_BIN", t.TempDir())
	_, err := kubetest.Launch(context.Background(), kubetest.Options{})
	if err == nil || !strings.Contains(err.Error(), "scripts/kube-cluster build") {
		t.Fatalf("Launch without binaries: got %v, want an error naming scripts/kube-cluster build", err)
	}
}

// TestStartStops checks that a test's own cluster works and is gone,
// processes and files, when the test ends.
func TestStartStops(t *testing.T) {
	t.Parallel()
	var c *kubetest.Cluster
	t.Run("cluster", func(t *testing.T) {
		c = kubetest.Start(t)
		nodes, err := c.Client.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
		if err != nil || len(nodes.Items) != 3 {
			t.Fatalf("nodes: %d, %v; want 3", len(nodes.Items), err)
		}
	})
	if c == nil {
		t.FailNow()
	}
	if _, err := os.Stat(c.Kubeconfig); !os.IsNotExist(err) {
		t.Errorf("kubeconfig after the test: %v; want it removed", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{}); err == nil {
		t.Error("the API server still answers after the test")
	}
}

func TestDeploymentRollsOut(t *testing.T) {
	t.Parallel()
	c := kubetest.Shared(t)
	ctx := context.Background()
	ns := namespace(t, c.Client)
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "app"}}
	if _, err := c.Client.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d := deployment("app", 2, "app")
	start := time.Now()
	if _, err := c.Client.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRolledOut(t, c.Client, ns, "app", 2)
	t.Logf("2/2 ready after %s", time.Since(start).Round(time.Millisecond))

	// A rolling update replaces every pod: old pods must go away.
	start = time.Now()
	d, err := c.Client.AppsV1().Deployments(ns).Get(ctx, "app", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Spec.Template.Spec.Containers[0].Image = "example.com/app:v2"
	if _, err := c.Client.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRolledOut(t, c.Client, ns, "app", 2)
	poll(t, time.Minute, "old pods gone", func() (bool, string) {
		pods := listPods(t, c.Client, ns, "app=app")
		for _, p := range pods {
			if p.Spec.Containers[0].Image != "example.com/app:v2" {
				return false, fmt.Sprintf("%d pods, %s still has %s", len(pods), p.Name, p.Spec.Containers[0].Image)
			}
		}
		return len(pods) == 2, fmt.Sprintf("%d pods", len(pods))
	})
	t.Logf("rolling update done after %s", time.Since(start).Round(time.Millisecond))
	for _, p := range listPods(t, c.Client, ns, "app=app") {
		if p.Spec.ServiceAccountName != "app" || p.Spec.NodeName == "" || p.Status.PodIP == "" {
			t.Errorf("pod %s: serviceAccountName %q, nodeName %q, podIP %q", p.Name, p.Spec.ServiceAccountName, p.Spec.NodeName, p.Status.PodIP)
		}
	}
}

func TestBehaviours(t *testing.T) {
	t.Parallel()
	c := kubetest.Shared(t)
	ctx := context.Background()
	ns := namespace(t, c.Client)
	for _, b := range []string{kubetest.NeverReady, kubetest.Crash} {
		d := deployment(b, 1, "")
		d.Spec.Template.Annotations = map[string]string{kubetest.BehaviourAnnotation: b}
		if _, err := c.Client.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	running := func(app string) corev1.Pod {
		var pod corev1.Pod
		poll(t, time.Minute, app+" pod running", func() (bool, string) {
			pods := listPods(t, c.Client, ns, "app="+app)
			if len(pods) != 1 {
				return false, fmt.Sprintf("%d pods", len(pods))
			}
			pod = pods[0]
			return pod.Status.Phase == corev1.PodRunning && len(pod.Status.ContainerStatuses) == 1, string(pod.Status.Phase)
		})
		return pod
	}
	crash := running(kubetest.Crash)
	cs := crash.Status.ContainerStatuses[0]
	if cs.State.Waiting == nil || cs.State.Waiting.Reason != "CrashLoopBackOff" || cs.RestartCount < 1 || cs.Ready || podReady(crash) {
		t.Errorf("crash pod: container status %+v, Ready %v; want waiting in CrashLoopBackOff, restarted, unready", cs, podReady(crash))
	}
	// Unready must last: check the never-ready pod over a few seconds.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		p := running(kubetest.NeverReady)
		cs := p.Status.ContainerStatuses[0]
		if podReady(p) || cs.Ready || cs.State.Running == nil {
			t.Fatalf("never-ready pod: Ready %v, container status %+v; want running and unready", podReady(p), cs)
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, b := range []string{kubetest.NeverReady, kubetest.Crash} {
		d, err := c.Client.AppsV1().Deployments(ns).Get(ctx, b, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status.AvailableReplicas != 0 {
			t.Errorf("deployment %s: %d available replicas, want 0", b, d.Status.AvailableReplicas)
		}
	}
}

func TestHorizontalPodAutoscaler(t *testing.T) {
	t.Parallel()
	c := kubetest.Shared(t)
	ctx := context.Background()
	ns := namespace(t, c.Client)
	if _, err := c.Client.AppsV1().Deployments(ns).Create(ctx, deployment("web", 1, ""), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRolledOut(t, c.Client, ns, "web", 1)
	zero := int32(0)
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
			MinReplicas:    ptr(int32(1)),
			MaxReplicas:    4,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{
					Name:   corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr(int32(50))},
				},
			}},
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleUp:   &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: &zero},
				ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: &zero},
			},
		},
	}
	if _, err := c.Client.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(ctx, hpa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	scaleTo := func(milliCores int64, want int32) {
		start := time.Now()
		if err := c.SetCPU(ctx, ns, "app=web", milliCores); err != nil {
			t.Fatal(err)
		}
		poll(t, 3*time.Minute, fmt.Sprintf("%d replicas at %dm CPU", want, milliCores), func() (bool, string) {
			h, err := c.Client.AutoscalingV2().HorizontalPodAutoscalers(ns).Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				return false, err.Error()
			}
			var cur string
			for _, m := range h.Status.CurrentMetrics {
				if m.Resource != nil && m.Resource.Current.AverageUtilization != nil {
					cur = fmt.Sprintf("%d%%", *m.Resource.Current.AverageUtilization)
				}
			}
			return h.Status.DesiredReplicas == want && h.Status.CurrentReplicas == want,
				fmt.Sprintf("current %d, desired %d, utilization %s", h.Status.CurrentReplicas, h.Status.DesiredReplicas, cur)
		})
		t.Logf("SetCPU(%dm): %d replicas after %s", milliCores, want, time.Since(start).Round(time.Millisecond))
	}
	scaleTo(200, 4)
	scaleTo(10, 1)
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	c := kubetest.Shared(t)
	ref, err := name.ParseReference(c.Registry + "/gati/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	got, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	if d, _ := got.Digest(); d != want {
		t.Errorf("pulled digest %s, pushed %s", d, want)
	}
}

// namespace creates a namespace for the test, deleted when it ends.
func namespace(t *testing.T, client kubernetes.Interface) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "test-"}}
	ns, err := client.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		err := client.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Error(err)
		}
	})
	// The serviceaccount controller creates the default ServiceAccount,
	// which pods without one need.
	poll(t, 30*time.Second, "the default ServiceAccount", func() (bool, string) {
		_, err := client.CoreV1().ServiceAccounts(ns.Name).Get(context.Background(), "default", metav1.GetOptions{})
		return err == nil, fmt.Sprint(err)
	})
	return ns.Name
}

// deployment is a Deployment of app=NAME pods of one container
// requesting 100m CPU.
func deployment(name string, replicas int32, serviceAccount string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					ServiceAccountName: serviceAccount,
					Containers: []corev1.Container{{
						Name:  "app",
						Image: "example.com/app:v1",
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
						},
					}},
				},
			},
		},
	}
}

// waitRolledOut waits as kubectl rollout status does.
func waitRolledOut(t *testing.T, client kubernetes.Interface, ns, name string, replicas int32) {
	t.Helper()
	poll(t, time.Minute, "deployment "+name+" rolled out", func() (bool, string) {
		d, err := client.AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		s := d.Status
		return s.ObservedGeneration >= d.Generation && s.UpdatedReplicas == replicas && s.ReadyReplicas == replicas &&
				s.AvailableReplicas == replicas && s.Replicas == replicas,
			fmt.Sprintf("%+v", s)
	})
}

func listPods(t *testing.T, client kubernetes.Interface, ns, selector string) []corev1.Pod {
	t.Helper()
	pods, err := client.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		t.Fatal(err)
	}
	return pods.Items
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// poll calls cond every 200 ms until it holds, failing the test after
// timeout with cond's last description.
func poll(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting %s for %s: %s", timeout, what, state)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func ptr[T any](v T) *T { return &v }
