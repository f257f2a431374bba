package deploy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// RolloutStatus is one Deployment's progress.
type RolloutStatus struct {
	Name string
	// Desired is the replica count asked for; Updated the pods of the
	// new template, Ready those of them that are ready; Old the pods of
	// earlier templates still running.
	Desired, Updated, Ready, Old int32
	Done                         bool
}

func (s RolloutStatus) String() string {
	if s.Done {
		return fmt.Sprintf("%s: %d/%d ready, rollout complete", s.Name, s.Ready, s.Desired)
	}
	return fmt.Sprintf("%s: %d/%d new pods ready, %d old left", s.Name, s.Ready, s.Desired, s.Old)
}

// RolloutError is a rollout that did not complete.
type RolloutError struct {
	Deployment string
	// Cause says why: the progress deadline passed, pods crash, the
	// image cannot be pulled.
	Cause string
	// Pods describes the new pods that are not ready.
	Pods []string
}

func (e *RolloutError) Error() string {
	msg := fmt.Sprintf("rollout of deployment %s failed: %s", e.Deployment, e.Cause)
	if len(e.Pods) > 0 {
		msg += "\n  " + strings.Join(e.Pods, "\n  ")
	}
	return msg
}

// pollInterval is how often a rollout is looked at.
const pollInterval = 500 * time.Millisecond

// Rollout implements Target. It fails at once on pods that crash or
// cannot pull their image, and at the Deployment's progress deadline on
// pods that never become ready; deadline bounds the whole wait.
func (k *Kube) Rollout(ctx context.Context, r *Release, deadline time.Duration, progress func(RolloutStatus)) error {
	var names []string
	for _, u := range r.Objects {
		if u.GetKind() == "Deployment" {
			names = append(names, u.GetName())
		}
	}
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	last := map[string]RolloutStatus{}
	for {
		done := true
		for _, name := range names {
			st, err := k.rolloutStatus(ctx, r.Namespace(), name)
			if err != nil {
				if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
					return &RolloutError{Deployment: name, Cause: fmt.Sprintf("not complete after %s", deadline)}
				}
				return err
			}
			if st != last[name] {
				last[name] = st
				if progress != nil {
					progress(st)
				}
			}
			done = done && st.Done
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return &RolloutError{Deployment: strings.Join(names, ", "), Cause: fmt.Sprintf("not complete after %s", deadline)}
			}
			return ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// rolloutStatus reads one Deployment's progress the way kubectl rollout
// status does, and looks at its new pods for failures that will not heal.
func (k *Kube) rolloutStatus(ctx context.Context, ns, name string) (RolloutStatus, error) {
	d, err := k.Client.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return RolloutStatus{}, fmt.Errorf("reading deployment %s/%s: %w", ns, name, err)
	}
	desired := int32(1)
	if d.Spec.Replicas != nil {
		desired = *d.Spec.Replicas
	}
	st := RolloutStatus{
		Name:    name,
		Desired: desired,
		Updated: d.Status.UpdatedReplicas,
		Old:     d.Status.Replicas - d.Status.UpdatedReplicas,
	}
	observed := d.Status.ObservedGeneration >= d.Generation
	st.Done = observed && d.Status.UpdatedReplicas == desired && d.Status.Replicas == desired &&
		d.Status.AvailableReplicas == desired
	if !observed {
		return st, nil
	}
	rs, pods, err := k.newPods(ctx, d)
	if err != nil {
		return st, err
	}
	if rs != nil {
		st.Ready = rs.Status.AvailableReplicas
	}
	if st.Done {
		st.Ready = desired
		return st, nil
	}
	if cause, bad := stuck(pods); cause != "" {
		return st, &RolloutError{Deployment: name, Cause: cause, Pods: bad}
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Status == corev1.ConditionFalse && c.Reason == "ProgressDeadlineExceeded" {
			return st, &RolloutError{
				Deployment: name,
				Cause:      fmt.Sprintf("new pods not ready within the progress deadline (%ds, deploy.progress_deadline)", deref(d.Spec.ProgressDeadlineSeconds)),
				Pods:       describePods(pods),
			}
		}
	}
	return st, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// newPods are the pods of the Deployment's current template: those of the
// ReplicaSet whose revision is the Deployment's.
func (k *Kube) newPods(ctx context.Context, d *appsv1.Deployment) (*appsv1.ReplicaSet, []corev1.Pod, error) {
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return nil, nil, err
	}
	rss, err := k.Client.AppsV1().ReplicaSets(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, nil, err
	}
	rev := d.Annotations["deployment.kubernetes.io/revision"]
	var rs *appsv1.ReplicaSet
	for i := range rss.Items {
		if r := &rss.Items[i]; r.Annotations["deployment.kubernetes.io/revision"] == rev && metav1.IsControlledBy(r, d) {
			rs = r
		}
	}
	if rs == nil {
		return nil, nil, nil
	}
	hash := rs.Labels[appsv1.DefaultDeploymentUniqueLabelKey]
	podSel := labels.SelectorFromSet(labels.Set{appsv1.DefaultDeploymentUniqueLabelKey: hash}).String() + "," + sel.String()
	pods, err := k.Client.CoreV1().Pods(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: podSel})
	if err != nil {
		return nil, nil, err
	}
	return rs, pods.Items, nil
}

// unhealing are container states a rollout does not recover from by
// waiting.
var unhealing = []string{"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError"}

// stuck reports the first unhealing state among pods, and the pods in one.
func stuck(pods []corev1.Pod) (cause string, bad []string) {
	for _, p := range pods {
		for _, c := range p.Status.ContainerStatuses {
			w := c.State.Waiting
			if w == nil || !slices.Contains(unhealing, w.Reason) {
				continue
			}
			if cause == "" {
				switch w.Reason {
				case "CrashLoopBackOff":
					cause = "new pods crash (CrashLoopBackOff); see their logs: kubectl logs -n " + p.Namespace + " " + p.Name + " --previous"
				case "ImagePullBackOff", "ErrImagePull", "InvalidImageName":
					cause = "the cluster cannot pull the image " + c.Image + " (" + w.Reason + "); check that the nodes can reach the registry and have its credentials"
				default:
					cause = "new pods cannot start their container (" + w.Reason + ": " + w.Message + ")"
				}
			}
			bad = append(bad, podLine(p))
		}
	}
	return cause, bad
}

func describePods(pods []corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, podLine(p))
	}
	return out
}

func podLine(p corev1.Pod) string {
	state := string(p.Status.Phase)
	for _, c := range p.Status.ContainerStatuses {
		switch {
		case c.State.Waiting != nil:
			state = "waiting: " + c.State.Waiting.Reason
		case c.State.Terminated != nil:
			state = "terminated: " + c.State.Terminated.Reason
		case c.State.Running != nil && !c.Ready:
			state = "running, not ready"
		case c.Ready:
			state = "ready"
		}
		if c.RestartCount > 0 {
			state += fmt.Sprintf(", %d restarts", c.RestartCount)
		}
	}
	return "pod " + p.Name + ": " + state
}
