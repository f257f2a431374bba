package kubetest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pki is the cluster's key material, written as PEM files into dir.
type pki struct {
	dir string

	caCert           string // cluster CA: signs serving and client certs
	servingCert      string // 127.0.0.1, localhost, kubernetes.default.svc…
	servingKey       string
	adminCert        string // kubernetes-admin in system:masters
	adminKey         string
	frontProxyCACert string // the aggregator's request-header CA
	frontProxyCert   string // front-proxy-client
	frontProxyKey    string
	saKey            string // service-account token signing key
	saPub            string

	caPEM, adminCertPEM, adminKeyPEM []byte
}

// ca is a self-signed certificate authority.
type ca struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// newPKI generates the certificates and keys of a cluster whose API
// server has the in-cluster address serviceIP.
func newPKI(dir string, serviceIP net.IP) (*pki, error) {
	p := &pki{dir: dir}
	clusterCA, err := newCA("gati-test-ca")
	if err != nil {
		return nil, err
	}
	frontCA, err := newCA("gati-test-front-proxy-ca")
	if err != nil {
		return nil, err
	}
	if p.caCert, err = p.writeCert("ca.crt", clusterCA.cert.Raw); err != nil {
		return nil, err
	}
	if p.frontProxyCACert, err = p.writeCert("front-proxy-ca.crt", frontCA.cert.Raw); err != nil {
		return nil, err
	}
	p.caPEM = pemCert(clusterCA.cert.Raw)

	serving := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "kube-apiserver"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback, serviceIP},
		DNSNames: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
			"kubernetes.default.svc.cluster.local", "metrics-server.kube-system.svc"},
	}
	if p.servingCert, p.servingKey, err = p.issue("serving", clusterCA, serving); err != nil {
		return nil, err
	}
	admin := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "kubernetes-admin", Organization: []string{"system:masters"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if p.adminCert, p.adminKey, err = p.issue("admin", clusterCA, admin); err != nil {
		return nil, err
	}
	p.adminCertPEM, _ = os.ReadFile(p.adminCert)
	p.adminKeyPEM, _ = os.ReadFile(p.adminKey)
	front := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "front-proxy-client"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if p.frontProxyCert, p.frontProxyKey, err = p.issue("front-proxy-client", frontCA, front); err != nil {
		return nil, err
	}

	sa, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	if p.saKey, err = p.writeKey("sa.key", sa); err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(sa.Public())
	if err != nil {
		return nil, err
	}
	p.saPub = filepath.Join(dir, "sa.pub")
	return p, os.WriteFile(p.saPub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o600)
}

func newCA(name string) (*ca, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return &ca{cert: cert, key: key}, err
}

// issue signs tmpl with a new key and writes NAME.crt and NAME.key.
func (p *pki) issue(name string, by *ca, tmpl *x509.Certificate) (certFile, keyFile string, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	tmpl.SerialNumber = serial()
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(10 * 365 * 24 * time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, by.cert, key.Public(), by.key)
	if err != nil {
		return "", "", err
	}
	if certFile, err = p.writeCert(name+".crt", der); err != nil {
		return "", "", err
	}
	keyFile, err = p.writeKey(name+".key", key)
	return certFile, keyFile, err
}

func (p *pki) writeCert(name string, der []byte) (string, error) {
	path := filepath.Join(p.dir, name)
	return path, os.WriteFile(path, pemCert(der), 0o600)
}

func (p *pki) writeKey(name string, key *ecdsa.PrivateKey) (string, error) {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return "", err
	}
	path := filepath.Join(p.dir, name)
	return path, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n
}
