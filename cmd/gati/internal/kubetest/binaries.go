package kubetest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// The versions scripts/kube-cluster builds; its versions_key must match
// VersionsKey.
const (
	KubernetesVersion    = "v1.31.4"
	KWOKVersion          = "v0.6.1"
	MetricsServerVersion = "v0.8.0"

	// VersionsKey names the cache directory of one set of versions.
	VersionsKey = "k8s-" + KubernetesVersion + ".kwok-" + KWOKVersion + ".metrics-server-" + MetricsServerVersion
)

// BuildHint is what to do when the control plane's binaries are missing.
const BuildHint = "run scripts/kube-cluster build (it builds them once into a cache: up to half an hour on 2 busy cores), or set $GATI_KUBE_BIN to a directory holding kube-apiserver, kube-controller-manager, kube-scheduler, kwok and metrics-server"

// EtcdHint is what to do when etcd is missing.
const EtcdHint = "install etcd (Debian/Ubuntu: apt-get install etcd-server; scripts/test installs it)"

// binaries are the absolute paths of the programs a cluster runs.
type binaries struct {
	etcd, apiserver, controllerManager, scheduler, kwok, metricsServer string
}

// BinDir returns the directory of the control plane's binaries:
// $GATI_KUBE_BIN, else the cache directory of scripts/kube-cluster,
// ${GATI_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gati/kube}/VersionsKey/bin.
func BinDir() string {
	if d := os.Getenv("GATI_KUBE_BIN"); d != "" {
		return d
	}
	root := os.Getenv("GATI_KUBE_CACHE")
	if root == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			cache = filepath.Join(os.Getenv("HOME"), ".cache")
		}
		root = filepath.Join(cache, "gati", "kube")
	}
	return filepath.Join(root, VersionsKey, "bin")
}

// findBinaries locates every program, or says what is missing and how
// to get it.
func findBinaries() (binaries, error) {
	dir := BinDir()
	var b binaries
	var errs []error
	for _, p := range []struct {
		dst  *string
		name string
	}{
		{&b.apiserver, "kube-apiserver"},
		{&b.controllerManager, "kube-controller-manager"},
		{&b.scheduler, "kube-scheduler"},
		{&b.kwok, "kwok"},
		{&b.metricsServer, "metrics-server"},
	} {
		path := filepath.Join(dir, p.name)
		if fi, err := os.Stat(path); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			errs = append(errs, fmt.Errorf("kubetest: %s is missing: %s", path, BuildHint))
			continue
		}
		*p.dst = path
	}
	if path, err := exec.LookPath("etcd"); err != nil {
		errs = append(errs, fmt.Errorf("kubetest: etcd is not on $PATH: %s", EtcdHint))
	} else {
		b.etcd = path
	}
	return b, errors.Join(errs...)
}
