// Package kubetest runs a real Kubernetes control plane on loopback for
// tests: etcd, kube-apiserver, kube-controller-manager and kube-scheduler
// (Kubernetes v1.31.4), KWOK for simulated nodes and pods, metrics-server
// fed by KWOK's simulated resource usage, and an in-memory OCI registry.
//
// # Binaries
//
// etcd comes from $PATH (Debian/Ubuntu: apt-get install etcd-server);
// the rest from $GATI_KUBE_BIN, else the cache of scripts/kube-cluster
// build (see [BinDir]). Missing binaries fail the test, naming what to
// run; tests never skip.
//
// # Pods
//
// KWOK plays every pod scheduled to its nodes, which have no taints:
// a pod is Running and Ready as soon as it is bound. The pod annotation
// [BehaviourAnnotation] changes that: [NeverReady] keeps it unready,
// [Crash] shows its containers in CrashLoopBackOff. Deleted pods go away
// at once, so rolling updates progress.
//
// # CPU
//
// [Cluster.SetCPU] sets the CPU usage that pods report to
// metrics-server, so HorizontalPodAutoscalers scale on it.
//
// # Lifetime
//
// [Start] gives a test a cluster of its own; [Shared] and [Main] share
// one per test binary. Processes die with the test binary (Pdeathsig on
// Linux, and a watchdog that kills their process group and removes the
// directory). Startup takes about 6 s. See docs/test-cluster.md.
package kubetest
