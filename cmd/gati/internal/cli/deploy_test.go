package cli

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func TestConfigShowsWhereEachSettingCameFrom(t *testing.T) {
	t.Parallel()
	dir := copyExample(t, "tasks")
	out, _, err := execute(t.Context(), newConfigCmd(), "staging", "--dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"deploy.namespace", "tasks-staging", "(environments.staging)",
		"deploy.prestop_delay", "default",
		"modules.store.max_tasks", "1000",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("gati config staging: no %q in\n%s", want, out)
		}
	}
}

func TestDeployDryRunPrintsSettingsAndEveryObject(t *testing.T) {
	t.Parallel()
	dir := copyExample(t, "tasks")
	out, _, err := execute(t.Context(), newDeployCmd(), "production", "--dry-run", "--dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "# gati deploy production --dry-run") || !strings.Contains(out, "# deploy.domain") {
		t.Errorf("no settings header:\n%s", out)
	}
	var kinds []string
	for doc := range strings.SplitSeq(out, "\n---\n") {
		if strings.HasPrefix(doc, "#") {
			continue
		}
		var o struct {
			Kind     string
			Metadata struct{ Name, Namespace string }
		}
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			t.Fatalf("%v in\n%s", err, doc)
		}
		kinds = append(kinds, o.Kind+"/"+o.Metadata.Name)
	}
	want := "Namespace/tasks ServiceAccount/tasks ConfigMap/tasks-config- Service/tasks Deployment/tasks HorizontalPodAutoscaler/tasks PodDisruptionBudget/tasks Ingress/tasks"
	got := strings.Join(kinds, " ")
	for w := range strings.FieldsSeq(want) {
		if !strings.Contains(got, w) {
			t.Errorf("dry run objects %s: no %s", got, w)
		}
	}
	if !strings.Contains(out, "linkerd.io/inject: enabled") || !strings.Contains(out, "registry.example.com/tasks@sha256:<digest") {
		t.Errorf("the production Deployment lacks the mesh or the image placeholder:\n%s", out)
	}
}

func TestDeployErrorsSayWhatToDo(t *testing.T) {
	t.Parallel()
	dir := copyExample(t, "tasks")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "deploy needs the environment: gati deploy <env>"},
		{[]string{"qa", "--dry-run", "--dir", dir}, `deploy: unknown environment "qa": ` + dir + "/gati.yaml defines development, test, staging, production; add environments.qa to it"},
		{[]string{"staging", "--image", "registry.example.com/tasks:latest", "--dir", dir}, "give the image by digest"},
	} {
		_, _, err := execute(t.Context(), newDeployCmd(), tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("gati deploy %v: %v\nwant %q", tc.args, err, tc.want)
		}
	}
	_, _, err := execute(t.Context(), newRollbackCmd(), "staging", "two", "--dir", dir)
	if err == nil || !strings.Contains(err.Error(), `revision "two": give a revision number from gati deploy history staging`) {
		t.Errorf("gati rollback staging two: %v", err)
	}
}
