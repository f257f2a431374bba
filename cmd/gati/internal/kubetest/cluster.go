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
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
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

// startTimeout bounds Launch: the API server needs about 5 s, more on a busy
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
	// Ports are probed free just before the programs bind them: another
	// process may take one in between. Start again on fresh ports then.
	for try := 1; ; try++ {
		c, err := launchOnce(ctx, bins, opts)
		if err == nil {
			c.StartupTime = time.Since(began)
			opts.Logf("cluster up in %s (kubeconfig %s)", c.StartupTime.Round(time.Millisecond), c.Kubeconfig)
			return c, nil
		}
		if try == 3 || ctx.Err() != nil || !strings.Contains(err.Error(), "address already in use") {
			return nil, err
		}
		opts.Logf("a port was taken, starting again: %v", firstLine(err))
	}
}

func launchOnce(ctx context.Context, bins binaries, opts Options) (*Cluster, error) {
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
	return c, nil
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
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
	if _, err := c.start(bins.apiserver, "kube-apiserver", logs, apiserverArgs(keys, p)...); err != nil {
		return err
	}
	if err := c.waitReady(ctx); err != nil {
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
func (c *Cluster) waitReady(ctx context.Context) error {
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
