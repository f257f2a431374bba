package kubetest

import (
	"fmt"
	"path/filepath"
	"strings"
)

// The command lines of the cluster's programs.

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
