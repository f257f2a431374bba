package router

import (
	"strconv"
	"strings"
	"testing"
)

// githubRoutes is a realistic, GitHub-API-like route set that ServeMux also
// accepts (no ambiguous overlaps). Each entry is "METHOD /path" or "/path".
var githubRoutes = []string{
	"GET /{$}",
	"GET /user",
	"GET /user/repos",
	"POST /user/repos",
	"GET /user/orgs",
	"GET /user/emails",
	"GET /users",
	"GET /users/{user}",
	"GET /users/{user}/repos",
	"GET /users/{user}/orgs",
	"GET /users/{user}/followers",
	"GET /users/{user}/following/{target}",
	"GET /orgs/{org}",
	"PATCH /orgs/{org}",
	"GET /orgs/{org}/repos",
	"POST /orgs/{org}/repos",
	"GET /orgs/{org}/members",
	"GET /orgs/{org}/members/{user}",
	"DELETE /orgs/{org}/members/{user}",
	"GET /repos/{owner}/{repo}",
	"PATCH /repos/{owner}/{repo}",
	"DELETE /repos/{owner}/{repo}",
	"GET /repos/{owner}/{repo}/issues",
	"POST /repos/{owner}/{repo}/issues",
	"GET /repos/{owner}/{repo}/issues/{number}",
	"PATCH /repos/{owner}/{repo}/issues/{number}",
	"GET /repos/{owner}/{repo}/issues/{number}/comments",
	"POST /repos/{owner}/{repo}/issues/{number}/comments",
	"GET /repos/{owner}/{repo}/pulls",
	"POST /repos/{owner}/{repo}/pulls",
	"GET /repos/{owner}/{repo}/pulls/{number}",
	"PUT /repos/{owner}/{repo}/pulls/{number}/merge",
	"GET /repos/{owner}/{repo}/commits",
	"GET /repos/{owner}/{repo}/commits/{sha}",
	"GET /repos/{owner}/{repo}/branches",
	"GET /repos/{owner}/{repo}/branches/{branch}",
	"GET /repos/{owner}/{repo}/contents/{path...}",
	"PUT /repos/{owner}/{repo}/contents/{path...}",
	"GET /repos/{owner}/{repo}/releases",
	"GET /repos/{owner}/{repo}/releases/latest",
	"GET /repos/{owner}/{repo}/releases/{id}",
	"GET /gists",
	"POST /gists",
	"GET /gists/public",
	"GET /gists/{id}",
	"DELETE /gists/{id}",
	"GET /gists/{id}/star",
	"PUT /gists/{id}/star",
	"GET /search/repositories",
	"GET /search/issues",
	"GET /notifications",
	"GET /rate_limit",
	"GET /emojis",
	"GET /static/",
	"/healthz",
}

// splitRoute splits "METHOD /path" into method and pattern.
func splitRoute(s string) (method, pattern string) {
	if m, p, ok := strings.Cut(s, " "); ok {
		return m, p
	}
	return "", s
}

// newTable builds a table whose values are the routes' display strings.
func newTable(t testing.TB, routes ...string) *Table[string] {
	t.Helper()
	tb := new(Table[string])
	for i, s := range routes {
		m, p := splitRoute(s)
		if err := tb.Add(m, p, s, "routes.go:"+strconv.Itoa(i+1)); err != nil {
			t.Fatalf("Add(%q): %v", s, err)
		}
	}
	return tb
}
