package deploy

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// History is an app's deployments in one namespace, as recorded in the
// cluster (a ConfigMap named <app>-gati-history), so that any machine
// with access reads the same history and can roll back.
type History struct {
	Namespace, App string
	// Records, oldest first.
	Records []*Record
	// resourceVersion guards SaveHistory against a concurrent deploy.
	resourceVersion string
}

// Record is one deployment.
type Record struct {
	Revision int       `json:"revision"`
	Env      string    `json:"env"`
	Time     time.Time `json:"time"`
	// By is who deployed: user@host.
	By string `json:"by"`
	// Image is the image by digest; Commit the source's git commit
	// ("+dirty" when the tree had changes).
	Image  string `json:"image"`
	Commit string `json:"commit,omitempty"`
	// APIVersions are the API versions the release serves.
	APIVersions []string `json:"apiVersions,omitempty"`
	// Status is deployed, failed or superseded... see the Status values.
	Status string `json:"status"`
	// Cause is why a failed deployment failed.
	Cause string `json:"cause,omitempty"`
	// RollbackOf is the revision a rollback restored.
	RollbackOf int `json:"rollbackOf,omitempty"`
	// Duration is how long the rollout took.
	Duration time.Duration `json:"duration,omitempty"`
	// ConfigMaps are the config ConfigMaps the release's pods read, kept
	// while the record is.
	ConfigMaps []string `json:"configMaps,omitempty"`
	// Objects is the release's objects, gzip-compressed JSON, base64:
	// what a rollback re-applies.
	Objects string `json:"objects"`
}

// Statuses of a Record.
const (
	StatusDeployed = "deployed"
	StatusFailed   = "failed"
	// StatusRolledBack marks a release that failed and was replaced by
	// the previous one.
	StatusRolledBack = "rolled back"
)

func historyName(app string) string { return app + "-gati-history" }

// History implements Target. A namespace without history has none.
func (k *Kube) History(ctx context.Context, namespace, app string) (*History, error) {
	h := &History{Namespace: namespace, App: app}
	cm, err := k.Client.CoreV1().ConfigMaps(namespace).Get(ctx, historyName(app), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return h, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the deploy history (configmap %s/%s): %s", namespace, historyName(app), apiMessage(err))
	}
	h.resourceVersion = cm.ResourceVersion
	for _, key := range slices.Sorted(maps.Keys(cm.Data)) {
		var rec Record
		if err := json.Unmarshal([]byte(cm.Data[key]), &rec); err != nil {
			return nil, fmt.Errorf("deploy history %s/%s: entry %s: %w", namespace, historyName(app), key, err)
		}
		h.Records = append(h.Records, &rec)
	}
	slices.SortFunc(h.Records, func(a, b *Record) int { return a.Revision - b.Revision })
	return h, nil
}

// SaveHistory implements Target. It fails with a conflict if another
// deploy saved in between.
func (k *Kube) SaveHistory(ctx context.Context, h *History) error {
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{
			Name: historyName(h.App), Namespace: h.Namespace, ResourceVersion: h.resourceVersion,
			Labels: map[string]string{
				"app.kubernetes.io/name":       h.App,
				"app.kubernetes.io/instance":   h.App,
				"app.kubernetes.io/managed-by": managedBy,
			},
		},
		Data: map[string]string{},
	}
	for _, rec := range h.Records {
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		cm.Data[fmt.Sprintf("rev-%06d", rec.Revision)] = string(b)
	}
	cms := k.Client.CoreV1().ConfigMaps(h.Namespace)
	var saved *corev1.ConfigMap
	var err error
	if h.resourceVersion == "" {
		saved, err = cms.Create(ctx, cm, metav1.CreateOptions{FieldManager: FieldManager})
	} else {
		saved, err = cms.Update(ctx, cm, metav1.UpdateOptions{FieldManager: FieldManager})
	}
	if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("another deploy of %s changed its history meanwhile; run again when it is done", h.App)
	}
	if err != nil {
		return fmt.Errorf("saving the deploy history: %s", apiMessage(err))
	}
	h.resourceVersion = saved.ResourceVersion
	return nil
}

// Current is the newest record whose release is serving (deployed), or
// nil.
func (h *History) Current() *Record {
	for i := len(h.Records) - 1; i >= 0; i-- {
		if h.Records[i].Status == StatusDeployed {
			return h.Records[i]
		}
	}
	return nil
}

// Find returns the record of revision rev.
func (h *History) Find(rev int) (*Record, error) {
	for _, r := range h.Records {
		if r.Revision == rev {
			return r, nil
		}
	}
	var revs []string
	for _, r := range h.Records {
		revs = append(revs, strconv.Itoa(r.Revision))
	}
	return nil, fmt.Errorf("revision %d is not in the history of %s (it has %s)", rev, h.App, strings.Join(revs, ", "))
}

// add appends rec as the next revision and drops the oldest beyond keep.
func (h *History) add(rec *Record, keep int) {
	rec.Revision = 1
	if n := len(h.Records); n > 0 {
		rec.Revision = h.Records[n-1].Revision + 1
	}
	h.Records = append(h.Records, rec)
	if extra := len(h.Records) - keep; extra > 0 {
		h.Records = slices.Delete(h.Records, 0, extra)
	}
}

// encodeObjects packs a release's objects into a Record.
func encodeObjects(objs []*unstructured.Unstructured) (string, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	raw := make([]map[string]any, len(objs))
	for i, u := range objs {
		raw[i] = u.Object
	}
	if err := json.NewEncoder(zw).Encode(raw); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// Release unpacks the record's objects.
func (rec *Record) Release(app string) (*Release, error) {
	b, err := base64.StdEncoding.DecodeString(rec.Objects)
	if err != nil {
		return nil, fmt.Errorf("revision %d: its objects are unreadable: %w", rec.Revision, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("revision %d: its objects are unreadable: %w", rec.Revision, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("revision %d: its objects are unreadable: %w", rec.Revision, err)
	}
	var raw []map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("revision %d: its objects are unreadable: %w", rec.Revision, err)
	}
	r := &Release{Env: rec.Env, App: app, Image: rec.Image}
	for _, o := range raw {
		r.Objects = append(r.Objects, &unstructured.Unstructured{Object: o})
	}
	return r, nil
}

// sameObjects reports whether a record holds exactly r's objects.
func sameObjects(rec *Record, r *Release) bool {
	if rec == nil {
		return false
	}
	enc, err := encodeObjects(r.Objects)
	return err == nil && enc == rec.Objects
}
