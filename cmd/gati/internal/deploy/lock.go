package deploy

import (
	"context"
	"fmt"
	"os"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// lockDuration is how long a deploy's lock lasts without renewal: a
// deploy that dies (Ctrl-C twice, a lost laptop) blocks the next one for
// at most this long.
const lockDuration = 30 * time.Second

func lockName(app string) string { return app + "-gati-deploy" }

// LockedError is a deploy refused because another one holds the lock.
type LockedError struct {
	Holder string
	Since  time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another deploy, by %s, has been running since %s; wait for it to finish (gati deploy history shows its outcome)",
		e.Holder, e.Since.UTC().Format(time.RFC3339))
}

// Lock implements Target: a coordination.k8s.io Lease per app and
// namespace, held while a release is applied and rolled out so that two
// deploys of one app never interleave. It is renewed until unlock is
// called; a lease left by a deploy that died expires after lockDuration
// and is taken over.
func (k *Kube) Lock(ctx context.Context, namespace, app string) (unlock func(), err error) {
	leases := k.Client.CoordinationV1().Leases(namespace)
	holder := fmt.Sprintf("%s (pid %d)", who(), os.Getpid())
	now := metav1.NewMicroTime(time.Now())
	spec := coordinationv1.LeaseSpec{
		HolderIdentity:       &holder,
		LeaseDurationSeconds: ptr(int32(lockDuration / time.Second)),
		AcquireTime:          &now,
		RenewTime:            &now,
	}
	lease, err := leases.Create(ctx, &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: lockName(app), Namespace: namespace, Labels: map[string]string{
			"app.kubernetes.io/instance": app, "app.kubernetes.io/managed-by": managedBy,
		}},
		Spec: spec,
	}, metav1.CreateOptions{FieldManager: FieldManager})
	if apierrors.IsAlreadyExists(err) {
		lease, err = k.takeOver(ctx, namespace, app, spec)
	}
	if err != nil {
		return nil, err
	}
	renewCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(lockDuration / 3)
		defer t.Stop()
		for {
			select {
			case <-renewCtx.Done():
				return
			case <-t.C:
				now := metav1.NewMicroTime(time.Now())
				lease.Spec.RenewTime = &now
				if l, err := leases.Update(renewCtx, lease, metav1.UpdateOptions{FieldManager: FieldManager}); err == nil {
					lease = l
				}
			}
		}
	}()
	return func() {
		stop()
		<-done
		release, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = leases.Delete(release, lockName(app), metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &lease.UID}})
	}, nil
}

// takeOver acquires an existing lease if it has expired.
func (k *Kube) takeOver(ctx context.Context, namespace, app string, spec coordinationv1.LeaseSpec) (*coordinationv1.Lease, error) {
	leases := k.Client.CoordinationV1().Leases(namespace)
	cur, err := leases.Get(ctx, lockName(app), metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("the deploy lock (lease %s/%s): %s", namespace, lockName(app), apiMessage(err))
	}
	s := cur.Spec
	if s.RenewTime != nil && s.LeaseDurationSeconds != nil &&
		time.Since(s.RenewTime.Time) < time.Duration(*s.LeaseDurationSeconds)*time.Second {
		locked := &LockedError{Holder: deref(s.HolderIdentity)}
		if s.AcquireTime != nil {
			locked.Since = s.AcquireTime.Time
		}
		return nil, locked
	}
	cur.Spec = spec
	l, err := leases.Update(ctx, cur, metav1.UpdateOptions{FieldManager: FieldManager})
	if apierrors.IsConflict(err) {
		return nil, &LockedError{Holder: "another deploy that just started", Since: time.Now()}
	}
	if err != nil {
		return nil, fmt.Errorf("the deploy lock (lease %s/%s): %s", namespace, lockName(app), apiMessage(err))
	}
	return l, nil
}
