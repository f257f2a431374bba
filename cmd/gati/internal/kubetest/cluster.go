package kubetest

import (
	"context"
	_ "embed"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// ContextName is the kubeconfig context of every cluster.
const ContextName = "gati-test"

// Addresses inside the cluster.
const (
	serviceCIDR = "10.96.0.0/16"
	serviceIP   = "10.96.0.1" // the kubernetes Service
)

// Cluster is a Kubernetes control plane running on loopback: etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler, KWOK (nodes
// and pods) and metrics-server, plus an OCI registry in this process.
type Cluster struct {
	// Kubeconfig is the path of a kubeconfig file whose current context,
	// Context, reaches the API server as kubernetes-admin (system:masters).
	Kubeconfig string
	Context    string
	Config     *rest.Config
	Client     kubernetes.Interface
	// Registry is the host:port of a plain-HTTP OCI registry on
	// 127.0.0.1, kept in memory. go-containerregistry speaks HTTP to
	// 127.0.0.1 without being told.
	Registry string
	// Nodes are the names of the simulated nodes.
	Nodes []string
	// StartupTime is how long Launch took.
	StartupTime time.Duration

	dir      string
	procs    []*process
	watchdog *os.Process
	regSrv   *http.Server
	dynamic  dynamic.Interface

	mu  sync.Mutex // guards cpu
	cpu []cpuRule

	stopOnce sync.Once
}

// Options adjust Launch. The zero value means defaults.
type Options struct {
	// Nodes is the number of simulated nodes (default 3), each with
	// 32 CPUs, 256Gi of memory and room for 110 pods, and no taints.
	Nodes int
	// Logf, if set, receives progress lines.
	Logf func(format string, args ...any)
}

// startTimeout bounds Launch: the API server needs 5–15 s on a busy
// machine, everything else a few seconds.
const startTimeout = 2 * time.Minute

//go:embed kwok.yaml
var kwokConfig []byte

// Launch starts a cluster in a new temporary directory. Stop stops it
// and removes the directory. Missing binaries are an error naming what
// to run (BuildHint, EtcdHint).
func Launch(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Nodes <= 0 {
		opts.Nodes = 3
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	bins, err := findBinaries()
	if err != nil {
		return nil, err
	}
	began := time.Now()
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "kubetest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Context: ContextName, dir: dir}
	if err := c.launch(ctx, bins, opts); err != nil {
		logs := c.Logs(4000)
		c.Stop()
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (the cluster did not come up within %s)", err, startTimeout)
		}
		return nil, fmt.Errorf("%w\n%s", err, logs)
	}
	c.StartupTime = time.Since(began)
	opts.Logf("cluster up in %s (kubeconfig %s)", c.StartupTime.Round(time.Millisecond), c.Kubeconfig)
	return c, nil
}

// Ports of the cluster's servers, all on 127.0.0.1.
type ports struct {
	etcd, etcdPeer, apiserver, kwok, metrics int
}

func (c *Cluster) launch(ctx context.Context, bins binaries, opts Options) error {
	logs, pkiDir := filepath.Join(c.dir, "logs"), filepath.Join(c.dir, "pki")
	for _, d := range []string{logs, pkiDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return err
		}
	}
	free, err := freePorts(5)
	if err != nil {
		return err
	}
	p := ports{etcd: free[0], etcdPeer: free[1], apiserver: free[2], kwok: free[3], metrics: free[4]}
	keys, err := newPKI(pkiDir, net.ParseIP(serviceIP))
	if err != nil {
		return fmt.Errorf("kubetest: certificates: %w", err)
	}
	if err := c.writeKubeconfig(keys, p.apiserver); err != nil {
		return err
	}
	if err := c.startRegistry(logs); err != nil {
		return err
	}

	opts.Logf("starting etcd on 127.0.0.1:%d", p.etcd)
	etcd, err := c.start(bins.etcd, "etcd", logs, etcdArgs(c.dir, p)...)
	if err != nil {
		return err
	}
	if c.watchdog, err = startWatchdog(etcd.cmd.Process.Pid, c.dir); err != nil {
		return err
	}
	if err := c.waitHTTP(ctx, etcd, fmt.Sprintf("http://127.0.0.1:%d/health", p.etcd), http.DefaultClient); err != nil {
		return err
	}

	opts.Logf("starting kube-apiserver on 127.0.0.1:%d", p.apiserver)
	apiserver, err := c.start(bins.apiserver, "kube-apiserver", logs, apiserverArgs(keys, p)...)
	if err != nil {
		return err
	}
	if err := c.waitReady(ctx, apiserver); err != nil {
		return err
	}

	opts.Logf("starting kube-controller-manager, kube-scheduler, metrics-server")
	if _, err := c.start(bins.controllerManager, "kube-controller-manager", logs, controllerManagerArgs(c.Kubeconfig, keys)...); err != nil {
		return err
	}
	if _, err := c.start(bins.scheduler, "kube-scheduler", logs, schedulerArgs(c.Kubeconfig)...); err != nil {
		return err
	}
	if _, err := c.start(bins.metricsServer, "metrics-server", logs, metricsServerArgs(c.Kubeconfig, keys, p)...); err != nil {
		return err
	}
	if err := c.registerMetricsAPI(ctx, p.metrics); err != nil {
		return err
	}
	// KWOK watches ClusterResourceUsage objects: their CRD comes first.
	if err := c.installUsageCRD(ctx); err != nil {
		return err
	}
	kwokConf := filepath.Join(c.dir, "kwok.yaml")
	if err := os.WriteFile(kwokConf, kwokConfig, 0o600); err != nil {
		return err
	}
	opts.Logf("starting kwok on 127.0.0.1:%d with %d nodes", p.kwok, opts.Nodes)
	if _, err := c.start(bins.kwok, "kwok", logs, kwokArgs(c.Kubeconfig, kwokConf, keys, p)...); err != nil {
		return err
	}
	if err := c.createNodes(ctx, opts.Nodes, p.kwok); err != nil {
		return err
	}
	opts.Logf("waiting for nodes, the default ServiceAccount and the metrics API")
	return c.waitUsable(ctx)
}

func (c *Cluster) start(path, name, logs string, args ...string) (*process, error) {
	pgid := 0
	if len(c.procs) > 0 {
		pgid = c.procs[0].cmd.Process.Pid
	}
	p, err := startProcess(name, logs, pgid, path, args...)
	if err != nil {
		return nil, err
	}
	c.procs = append(c.procs, p)
	return p, nil
}

func etcdArgs(dir string, p ports) []string {
	client := fmt.Sprintf("http://127.0.0.1:%d", p.etcd)
	peer := fmt.Sprintf("http://127.0.0.1:%d", p.etcdPeer)
	return []string{
		"--name=kubetest",
		"--data-dir=" + filepath.Join(dir, "etcd"),
		"--listen-client-urls=" + client,
		"--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer,
		"--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=kubetest=" + peer,
		"--initial-cluster-state=new",
		"--unsafe-no-fsync",
		"--log-level=warn",
	}
}

func apiserverArgs(k *pki, p ports) []string {
	return []string{
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", p.etcd),
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", p.apiserver),
		"--advertise-address=127.0.0.1",
		// The kubernetes Service's endpoints would be 127.0.0.1, which
		// Endpoints refuse: nothing in the cluster needs them.
		"--endpoint-reconciler-type=none",
		"--tls-cert-file=" + k.servingCert,
		"--tls-private-key-file=" + k.servingKey,
		"--client-ca-file=" + k.caCert,
		"--service-account-key-file=" + k.saPub,
		"--service-account-signing-key-file=" + k.saKey,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-cluster-ip-range=" + serviceCIDR,
		"--authorization-mode=Node,RBAC",
		"--allow-privileged=true",
		// TaintNodesByCondition taints new nodes not-ready until the
		// node-lifecycle controller, which a cluster of simulated nodes
		// does without, lifts it: pods would need a toleration.
		"--disable-admission-plugins=TaintNodesByCondition",
		"--enable-priority-and-fairness=false",
		"--profiling=false",
		// The aggregator: it proxies metrics.k8s.io to metrics-server,
		// authenticating as front-proxy-client. It resolves the
		// ExternalName Service (registerMetricsAPI) itself: with
		// --enable-aggregator-routing it would want Endpoints, which
		// refuse loopback addresses.
		"--requestheader-client-ca-file=" + k.frontProxyCACert,
		"--requestheader-allowed-names=front-proxy-client",
		"--requestheader-username-headers=X-Remote-User",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--proxy-client-cert-file=" + k.frontProxyCert,
		"--proxy-client-key-file=" + k.frontProxyKey,
	}
}

// controllers are the kube-controller-manager controllers a Deployment,
// its ReplicaSets, Services and HorizontalPodAutoscalers need.
var controllers = []string{
	"deployment-controller",
	"replicaset-controller",
	"horizontal-pod-autoscaler-controller",
	"garbage-collector-controller",
	"namespace-controller",
	"serviceaccount-controller",
	"serviceaccount-token-controller",
	"root-ca-certificate-publisher-controller",
	"endpoints-controller",
	"endpointslice-controller",
	"pod-garbage-collector-controller",
	"clusterrole-aggregation-controller",
}

func controllerManagerArgs(kubeconfig string, k *pki) []string {
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--leader-elect=false",
		"--secure-port=0",
		"--controllers=" + strings.Join(controllers, ","),
		"--root-ca-file=" + k.caCert,
		"--service-account-private-key-file=" + k.saKey,
		"--horizontal-pod-autoscaler-sync-period=2s",
		"--kube-api-qps=100",
		"--kube-api-burst=200",
	}
}

func schedulerArgs(kubeconfig string) []string {
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--leader-elect=false",
		"--secure-port=0",
		"--kube-api-qps=100",
		"--kube-api-burst=200",
	}
}

func metricsServerArgs(kubeconfig string, k *pki, p ports) []string {
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", p.metrics),
		"--tls-cert-file=" + k.servingCert,
		"--tls-private-key-file=" + k.servingKey,
		// KWOK serves the nodes' kubelet endpoints on 127.0.0.1 with
		// the serving certificate above, which names no node.
		"--kubelet-insecure-tls",
		"--kubelet-preferred-address-types=InternalIP",
		"--kubelet-use-node-status-port",
		"--metric-resolution=10s", // metrics-server's minimum
		"--kubelet-request-timeout=5s",
	}
}

func kwokArgs(kubeconfig, config string, k *pki, p ports) []string {
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--config=" + config,
		"--manage-all-nodes=true",
		"--node-ip=127.0.0.1",
		fmt.Sprintf("--node-port=%d", p.kwok),
		fmt.Sprintf("--server-address=127.0.0.1:%d", p.kwok),
		"--tls-cert-file=" + k.servingCert,
		"--tls-private-key-file=" + k.servingKey,
		"--node-lease-duration-seconds=40",
		"--enable-crds=ClusterResourceUsage",
	}
}

// writeKubeconfig writes the admin kubeconfig and builds the clients.
func (c *Cluster) writeKubeconfig(k *pki, port int) error {
	server := fmt.Sprintf("https://127.0.0.1:%d", port)
	c.Kubeconfig = filepath.Join(c.dir, "kubeconfig")
	conf := clientcmdapi.Config{
		Clusters:       map[string]*clientcmdapi.Cluster{ContextName: {Server: server, CertificateAuthorityData: k.caPEM}},
		AuthInfos:      map[string]*clientcmdapi.AuthInfo{ContextName: {ClientCertificateData: k.adminCertPEM, ClientKeyData: k.adminKeyPEM}},
		Contexts:       map[string]*clientcmdapi.Context{ContextName: {Cluster: ContextName, AuthInfo: ContextName}},
		CurrentContext: ContextName,
	}
	if err := clientcmd.WriteToFile(conf, c.Kubeconfig); err != nil {
		return err
	}
	c.Config = &rest.Config{
		Host: server,
		TLSClientConfig: rest.TLSClientConfig{
			CAData: k.caPEM, CertData: k.adminCertPEM, KeyData: k.adminKeyPEM,
		},
		QPS:   100,
		Burst: 200,
	}
	var err error
	if c.Client, err = kubernetes.NewForConfig(c.Config); err != nil {
		return err
	}
	c.dynamic, err = dynamic.NewForConfig(c.Config)
	return err
}

// startRegistry serves go-containerregistry's registry on loopback.
func (c *Cluster) startRegistry(logs string) error {
	f, err := os.Create(filepath.Join(logs, "registry.log"))
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Close()
		return err
	}
	c.Registry = l.Addr().String()
	c.regSrv = &http.Server{
		Handler:           registry.New(registry.Logger(log.New(f, "", log.LstdFlags))),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(f, "http: ", log.LstdFlags),
	}
	go func() {
		defer f.Close()
		c.regSrv.Serve(l)
	}()
	return nil
}

// waitHTTP polls url until it answers 200 OK.
func (c *Cluster) waitHTTP(ctx context.Context, p *process, url string, client *http.Client) error {
	return c.poll(ctx, p.name+" healthy", func(ctx context.Context) (bool, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
}

// waitReady polls the API server's /readyz.
func (c *Cluster) waitReady(ctx context.Context, p *process) error {
	return c.poll(ctx, "kube-apiserver ready", func(ctx context.Context) (bool, error) {
		var code int
		c.Client.Discovery().RESTClient().Get().AbsPath("/readyz").Do(ctx).StatusCode(&code)
		return code == http.StatusOK, nil
	})
}

// poll calls cond every 100 ms until it is true, it fails, a process of
// the cluster exits or ctx ends.
func (c *Cluster) poll(ctx context.Context, what string, cond func(context.Context) (bool, error)) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		for _, p := range c.procs {
			if err := p.exited(); err != nil {
				return fmt.Errorf("kubetest: waiting for %s: %w", what, err)
			}
		}
		attempt, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := cond(attempt)
		cancel()
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("kubetest: waiting for %s: %w (last error: %v)", what, ctx.Err(), last)
			}
			return fmt.Errorf("kubetest: waiting for %s: %w", what, ctx.Err())
		case <-tick.C:
		}
	}
}

// createNodes registers n nodes that KWOK manages and metrics-server
// scrapes at KWOK's server (their InternalIP 127.0.0.1 and kubelet port).
func (c *Cluster) createNodes(ctx context.Context, n, kwokPort int) error {
	for i := range n {
		name := fmt.Sprintf("kwok-node-%d", i)
		resources := corev1.ResourceList{
			corev1.ResourceCPU:    resourceMust("32"),
			corev1.ResourceMemory: resourceMust("256Gi"),
			corev1.ResourcePods:   resourceMust("110"),
		}
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name: name,
				Annotations: map[string]string{
					"kwok.x-k8s.io/node":                   "fake",
					"node.alpha.kubernetes.io/ttl":         "0",
					"metrics.k8s.io/resource-metrics-path": "/metrics/nodes/" + name + "/metrics/resource",
				},
				Labels: map[string]string{
					"kubernetes.io/arch":            "amd64",
					"kubernetes.io/os":              "linux",
					"kubernetes.io/hostname":        name,
					"node-role.kubernetes.io/agent": "",
					"type":                          "kwok",
				},
			},
			Spec: corev1.NodeSpec{PodCIDR: fmt.Sprintf("10.244.%d.0/24", i)},
			Status: corev1.NodeStatus{
				Allocatable: resources,
				Capacity:    resources,
				NodeInfo:    corev1.NodeSystemInfo{Architecture: "amd64", OperatingSystem: "linux"},
				Addresses:   []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}, {Type: corev1.NodeHostName, Address: name}},
				DaemonEndpoints: corev1.NodeDaemonEndpoints{
					KubeletEndpoint: corev1.DaemonEndpoint{Port: int32(kwokPort)},
				},
			},
		}
		if _, err := c.Client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("kubetest: create node %s: %w", name, err)
		}
		c.Nodes = append(c.Nodes, name)
	}
	return nil
}

// waitUsable waits until pods can run: every node Ready, the default
// ServiceAccount present, the metrics API available.
func (c *Cluster) waitUsable(ctx context.Context) error {
	err := c.poll(ctx, "nodes Ready", func(ctx context.Context) (bool, error) {
		nodes, err := c.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		ready := 0
		for _, n := range nodes.Items {
			for _, cond := range n.Status.Conditions {
				if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
					ready++
				}
			}
		}
		return ready == len(c.Nodes), nil
	})
	if err != nil {
		return err
	}
	err = c.poll(ctx, "the default ServiceAccount", func(ctx context.Context) (bool, error) {
		_, err := c.Client.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		return err
	}
	return c.poll(ctx, "the metrics.k8s.io APIService Available", c.metricsAPIAvailable)
}

// Stop stops every process, the registry and the watchdog, and removes
// the cluster's directory. It is safe to call more than once.
func (c *Cluster) Stop() error {
	var err error
	c.stopOnce.Do(func() {
		var wg sync.WaitGroup
		for _, p := range c.procs {
			wg.Go(func() { p.stop(3 * time.Second) })
		}
		wg.Wait()
		if c.regSrv != nil {
			c.regSrv.Close()
		}
		if c.watchdog != nil {
			c.watchdog.Kill()
		}
		err = os.RemoveAll(c.dir)
	})
	return err
}

// Logs returns the last n bytes of each process's log, for a failure
// message.
func (c *Cluster) Logs(n int) string {
	var b strings.Builder
	for _, p := range c.procs {
		b.WriteString(p.tail(n))
		b.WriteString("\n")
	}
	return b.String()
}

// LogDir is the directory of the processes' logs, NAME.log; Stop
// removes it.
func (c *Cluster) LogDir() string { return filepath.Join(c.dir, "logs") }

// The test binary's shared cluster, started by the first Shared.
var shared struct {
	sync.Mutex
	c   *Cluster
	err error
}

// Start starts a cluster of the test's own, stopped when the test (or
// benchmark) ends; if the test failed, the tails of the processes' logs
// are logged first. Missing binaries fail the test with what to run: it
// never skips. Startup takes 10–30 s; tests that can share a cluster
// should use Shared.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := Launch(context.Background(), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("kubetest: cluster started in %s (kubeconfig %s, registry %s)", c.StartupTime.Round(time.Millisecond), c.Kubeconfig, c.Registry)
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Log(c.Logs(4000))
		}
		if err := c.Stop(); err != nil {
			tb.Error(err)
		}
	})
	return c
}

// Shared returns the test binary's shared cluster, starting it on first
// use; Main stops it (without Main, the watchdog does when the binary
// exits). If the test fails, the tails of the processes' logs are logged.
// Tests sharing a cluster should use namespaces of their own.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	shared.Lock()
	defer shared.Unlock()
	if shared.c == nil && shared.err == nil {
		shared.c, shared.err = Launch(context.Background(), Options{})
		if shared.err == nil {
			tb.Logf("kubetest: shared cluster started in %s (kubeconfig %s, registry %s)",
				shared.c.StartupTime.Round(time.Millisecond), shared.c.Kubeconfig, shared.c.Registry)
		}
	}
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	c := shared.c
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Log(c.Logs(4000))
		}
	})
	return c
}

// Main runs the tests, then stops the shared cluster if they started it.
// Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	shared.Lock()
	if shared.c != nil {
		if err := shared.c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		shared.c = nil
	}
	shared.Unlock()
	os.Exit(code)
}

func resourceMust(s string) resource.Quantity { return resource.MustParse(s) }
