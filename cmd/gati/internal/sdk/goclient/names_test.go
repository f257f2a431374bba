package goclient

import "testing"

func TestExported(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"id":           "ID",
		"created_at":   "CreatedAt",
		"first_name":   "FirstName",
		"userId":       "UserID",
		"X-Request-Id": "XRequestID",
		"HTTPServer":   "HTTPServer",
		"Page_User":    "PageUser",
		"users.User":   "UsersUser",
		"USER_NAME":    "UserName",
		"Set":          "Set",
		"in_progress":  "InProgress",
		"2fa":          "X2fa",
		"":             "X",
		"$":            "X",
		"über":         "Über",
		"日本":           "X日本",
		"v2Items":      "V2Items",
		"urls":         "Urls",
	}
	for in, want := range tests {
		if got := exported(in); got != want {
			t.Errorf("exported(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNamespace(t *testing.T) {
	t.Parallel()
	ns := namespace{"Task": true}
	if got := ns.take("Task"); got != "Task2" {
		t.Errorf("take(Task) = %s, want Task2", got)
	}
	if got := ns.take("Task"); got != "Task3" {
		t.Errorf("second take(Task) = %s, want Task3", got)
	}
	if got := ns.take("List"); got != "List" {
		t.Errorf("take(List) = %s", got)
	}
}
