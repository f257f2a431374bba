package cli

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gati.dev/gati/cmd/gati/internal/kubetest"
)

// The deploy tests run against the test cluster (kubetest), shared by the
// package's tests.
func TestMain(m *testing.M) { kubetest.Main(m) }

// tasksForCluster copies the tasks example with its image repository on
// the test cluster's registry.
func tasksForCluster(t *testing.T, c *kubetest.Cluster) string {
	t.Helper()
	dir := copyExample(t, "tasks")
	p := filepath.Join(dir, "gati.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), "image: registry.example.com/tasks", "image: "+c.Registry+"/tasks", 1))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDeployStagingOfTheTasksExample is gati deploy from end to end: the
// CLI analyzes the example, builds its image for two platforms, pushes it
// to a real registry, applies the objects to a real API server and waits
// for the rollout; a second deploy of the same source changes nothing.
func TestDeployStagingOfTheTasksExample(t *testing.T) {
	c := kubetest.Shared(t)
	t.Setenv("KUBECONFIG", c.Kubeconfig)
	dir := tasksForCluster(t, c)
	ctx := t.Context()

	start := time.Now()
	_, stderr, err := execute(ctx, newDeployCmd(), "staging", "--dir", dir)
	t.Logf("gati deploy staging (%s):\n%s", time.Since(start).Round(time.Millisecond), stderr)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"checking 6 objects with the API server", "tasks: 2/2 ready, rollout complete", "revision 1 of staging is serving " + c.Registry + "/tasks@sha256:"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no %q in the output", want)
		}
	}
	d, err := c.Client.AppsV1().Deployments("tasks-staging").Get(ctx, "tasks", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	image := d.Spec.Template.Spec.Containers[0].Image
	if !strings.HasPrefix(image, c.Registry+"/tasks@sha256:") || d.Status.ReadyReplicas != 2 {
		t.Fatalf("deployment runs %s with %d ready", image, d.Status.ReadyReplicas)
	}
	// The image in the registry is the one the Deployment names, for both
	// platforms.
	ref, err := name.ParseReference(image, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(ref, remote.WithContext(ctx))
	if err != nil {
		t.Fatalf("the deployed image is not in the registry: %v", err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, m := range im.Manifests {
		platforms = append(platforms, m.Platform.String())
	}
	if strings.Join(platforms, ",") != "linux/amd64,linux/arm64" {
		t.Errorf("platforms %v", platforms)
	}
	rsBefore, err := c.Client.AppsV1().ReplicaSets("tasks-staging").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}

	_, stderr, err = execute(ctx, newDeployCmd(), "staging", "--dir", dir)
	if err != nil {
		t.Fatalf("second deploy: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "no change: revision 1 already serves "+image) {
		t.Errorf("a second deploy of the same source is not a no-op:\n%s", stderr)
	}
	rsAfter, err := c.Client.AppsV1().ReplicaSets("tasks-staging").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rsAfter.Items) != len(rsBefore.Items) {
		t.Errorf("ReplicaSets: %d before the second deploy, %d after", len(rsBefore.Items), len(rsAfter.Items))
	}

	out, _, err := execute(ctx, newDeployCmd(), "history", "staging", "--dir", dir)
	if err != nil || !strings.Contains(out, "1  ") || !strings.Contains(out, "deployed") {
		t.Errorf("gati deploy history staging: %v\n%s", err, out)
	}
	out, _, err = execute(ctx, newVersionHistoryCmd(), "--env", "staging", "--dir", dir)
	if err != nil || !strings.Contains(out, "staging  1") {
		t.Errorf("gati version history --env staging: %v\n%s", err, out)
	}

	t.Run("the image serves and drains under load", func(t *testing.T) {
		drainUnderLoad(t, idx, dir)
	})
}

// drainUnderLoad runs the binary from the deployed image as its pod does
// (GATI_ENV=staging, KUBERNETES_SERVICE_HOST set, so the app's 5s drain
// applies), keeps 16 keep-alive clients busy that stop once readiness has
// failed for a second (a load balancer's reaction), sends SIGTERM, and
// requires every request to have succeeded.
func drainUnderLoad(t *testing.T, idx v1.ImageIndex, appDir string) {
	if runtime.GOOS != "linux" {
		t.Skip("the image's binary runs on linux only")
	}
	bin := extractBinary(t, idx, "tasks")
	port := freePort(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PORT="+fmt.Sprint(port), "GATI_ENV=staging", "GATI_CONFIG="+filepath.Join(appDir, "gati.yaml"),
		"KUBERNETES_SERVICE_HOST=10.0.0.1", "TASKS_TOKEN=drain-test")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitReady(t, base+"/healthz/ready")

	var ok, failed atomic.Int64
	var stop atomic.Bool
	var firstErr atomic.Value
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true}}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for !stop.Load() {
				resp, err := client.Get(base + "/tasks")
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				ok.Add(1)
			}
		})
	}
	time.Sleep(time.Second) // load before the signal
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var notReadyAfter time.Duration
	for notReadyAfter == 0 && time.Since(sent) < 5*time.Second {
		resp, err := http.Get(base + "/healthz/ready")
		if err != nil || resp.StatusCode != 200 {
			notReadyAfter = time.Since(sent)
		}
		if resp != nil {
			resp.Body.Close()
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(time.Second) // the load balancer takes a second to act
	stop.Store(true)
	wg.Wait()
	select {
	case err := <-exited:
		t.Logf("SIGTERM under load: readiness false after %s, exit %v after %s; %d requests succeeded, %d failed",
			notReadyAfter.Round(time.Millisecond), err, time.Since(sent).Round(time.Millisecond), ok.Load(), failed.Load())
	case <-time.After(40 * time.Second):
		t.Fatal("the app did not exit within 40s of SIGTERM")
	}
	if failed.Load() != 0 || ok.Load() == 0 || notReadyAfter == 0 {
		t.Errorf("%d requests failed (first: %v), %d succeeded; readiness false after %s", failed.Load(), firstErr.Load(), ok.Load(), notReadyAfter)
	}
}

// extractBinary writes /app/<name> of the host platform's image to a
// temporary file.
func extractBinary(t *testing.T, idx v1.ImageIndex, app string) string {
	t.Helper()
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var img v1.Image
	for _, m := range im.Manifests {
		if m.Platform != nil && m.Platform.Architecture == runtime.GOARCH {
			if img, err = idx.Image(m.Digest); err != nil {
				t.Fatal(err)
			}
		}
	}
	if img == nil {
		t.Fatalf("no %s image in the index", runtime.GOARCH)
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			t.Fatalf("the image has no app/%s", app)
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name != "app/"+app {
			continue
		}
		out := filepath.Join(t.TempDir(), app)
		f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(f, tr); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return out
	}
}

func waitReady(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered 200", url)
}

// TestDeployNamesAnUnreachableRegistry: deploy asks the registry before
// it compiles anything, and says which registry and what to check; the
// cluster is left alone.
func TestDeployNamesAnUnreachableRegistry(t *testing.T) {
	c := kubetest.Shared(t)
	t.Setenv("KUBECONFIG", c.Kubeconfig)
	dir := copyExample(t, "tasks")
	p := filepath.Join(dir, "gati.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "image: registry.example.com/tasks", "image: 127.0.0.1:1/tasks", 1)
	s = strings.Replace(s, "namespace: tasks-staging", "namespace: tasks-noregistry", 1)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := execute(t.Context(), newDeployCmd(), "staging", "--dir", dir)
	if err == nil || !strings.Contains(err.Error(), "deploy: staging: deploy.image 127.0.0.1:1/tasks:") ||
		!strings.Contains(err.Error(), "check deploy.image in gati.yaml (registry/repository), that the registry is up and reachable from here") {
		t.Fatalf("deploy to an unreachable registry: %v\n%s", err, stderr)
	}
	if strings.Contains(stderr, "compiling") {
		t.Errorf("deploy compiled before finding the registry unreachable:\n%s", stderr)
	}
	if _, err := c.Client.CoreV1().Namespaces().Get(t.Context(), "tasks-noregistry", metav1.GetOptions{}); err == nil {
		t.Error("the namespace was created although the image never was")
	}
}
