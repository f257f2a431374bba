package kubetest

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

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

func resourceMust(s string) resource.Quantity { return resource.MustParse(s) }
