package kubetest

import "testing"

func TestCELSelector(t *testing.T) {
	ns := `pod.metadata.namespace == "shop"`
	for _, tt := range []struct {
		selector, want string
	}{
		{"", ns},
		{"app=web", ns + ` && ("app" in pod.metadata.labels && pod.metadata.labels["app"] in ["web"])`},
		{"app!=web", ns + ` && !("app" in pod.metadata.labels && pod.metadata.labels["app"] in ["web"])`},
		{"tier in (a,b)", ns + ` && ("tier" in pod.metadata.labels && pod.metadata.labels["tier"] in ["a", "b"])`},
		{"canary", ns + ` && "canary" in pod.metadata.labels`},
		{"!canary", ns + ` && !("canary" in pod.metadata.labels)`},
	} {
		got, err := celSelector("shop", tt.selector)
		if err != nil || got != tt.want {
			t.Errorf("celSelector(%q) = %q, %v; want %q", tt.selector, got, err, tt.want)
		}
	}
	for _, bad := range []string{"replicas>1", "a=("} {
		if _, err := celSelector("shop", bad); err == nil {
			t.Errorf("celSelector(%q): no error", bad)
		}
	}
}

func TestCPUExpression(t *testing.T) {
	if got := cpuExpression(nil); got != defaultCPU {
		t.Errorf("no rules: %q", got)
	}
	got := cpuExpression([]cpuRule{{cond: "A", cores: 0.2}, {cond: "B", cores: 0.01}, {cond: "C", cores: 2}})
	want := "(A) ? 0.2 / double(size(pod.spec.containers)) : (B) ? 0.01 / double(size(pod.spec.containers)) : (C) ? 2.0 / double(size(pod.spec.containers)) : " + defaultCPU
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
