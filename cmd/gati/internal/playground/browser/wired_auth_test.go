package browser

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gati.dev/gati/cmd/gati/internal/playground/oidctest"
)

// sendFromBuilder clicks the builder's Send and waits for its answer: it
// returns the response's status line and body, and fails the test when the
// builder shows instead why the request was not sent.
func sendFromBuilder(t *testing.T, ctx context.Context) (status, body string) {
	t.Helper()
	do(t, ctx, chromedp.Click(chromedp.CSS("#send")))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS(`#response #status, #response #auth-error, #response #not-sent`))); err != nil {
		t.Fatalf("no response: %v; the builder shows %q", err, value(t, ctx, chromedp.TextContent(chromedp.CSS("#response"))))
	}
	if n := value(t, ctx, count("#response #status")); n == 0 {
		t.Fatalf("not sent: %q", value(t, ctx, chromedp.TextContent(chromedp.CSS("#response"))))
	}
	return value(t, ctx, chromedp.Text(chromedp.CSS("#status"))), value(t, ctx, chromedp.TextContent(chromedp.CSS("#resp-body")))
}

// TestOAuthThroughBuilder signs in as a user does, in the wired UI: in the
// builder of the tasks example's GET /me, whose tokens a real OpenID
// Provider (oidctest) issues, it sets up OAuth 2.0 with the authorization
// code grant (PKCE) in the Authentication section, gets a token through
// the provider's login form in the popup and sends the request with it.
// The route then selected afresh, with no auth, is refused.
func TestOAuthThroughBuilder(t *testing.T) {
	t.Parallel()
	s := startAuth(t, oidctest.Options{}, builderRoot)
	ctx := s.ctx
	authField := func(name string) chromedp.CSS { return fieldIn(builderRoot, name) }
	authControl := func(name string) chromedp.CSS { return controlIn(builderRoot, name) }

	do(t, ctx, selectRoute("GET", "/me"),
		chromedp.Click(chromedp.CSS("#auth-section > summary")),
		chromedp.WaitVisible(authControl("type")),
		screenshot(s.shots, "oauth-builder-1-auth-section"))
	if got := value(t, ctx, chromedp.Value(authControl("type"))); got != "none" {
		t.Errorf("a new builder's auth is %q, want none", got)
	}

	// OAuth 2.0 with PKCE, the endpoints discovered from the issuer. The
	// PKCE client is public: no secret, so no {{variable}} of the
	// environment (with no file API, "local", which has no values).
	do(t, ctx, chooseIn(builderRoot, "type", "oauth2"),
		chooseIn(builderRoot, "grant", "authorization_code"),
		chromedp.WaitVisible(authField("authUrl")),
		chromedp.SendKeys(authField("issuer"), s.p.Issuer),
		chromedp.Click(authControl("discover")),
		chromedp.Poll[chromedp.Void](`document.querySelector('#builder [data-auth-field="authUrl"]').value !== ""`),
		chromedp.SendKeys(authField("clientId"), s.p.PKCE.ID),
		chromedp.SendKeys(authField("scope"), "openid"),
		chromedp.ScrollIntoView(authControl("get-token")),
		screenshot(s.shots, "oauth-builder-2-pkce-form"))
	for name, want := range map[string]string{
		"authUrl":  s.p.Issuer + "/authorize",
		"tokenUrl": s.p.Issuer + "/oauth/token",
		"clientId": s.p.PKCE.ID,
	} {
		if got := value(t, ctx, chromedp.Value(authField(name))); got != want {
			t.Errorf("the builder's %s is %q, want %q", name, got, want)
		}
	}
	if redirect := value(t, ctx, chromedp.Text(authControl("redirect-uri"))); redirect != s.app+"/_playground/oauth-callback.html" {
		t.Errorf("the builder shows the redirect URI %q", redirect)
	}
	if status := tokenStateIn(t, ctx, builderRoot, "none"); !strings.Contains(status, "for local") {
		t.Errorf("token status before signing in %q, want it to name the environment", status)
	}

	popup := s.openPopup(t)
	do(t, popup, chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), s.p.User.Username),
		chromedp.SendKeys(chromedp.CSS("#password"), s.p.User.Password),
		screenshot(s.shots, "oauth-builder-3-popup-login"),
		chromedp.Click(chromedp.CSS("#submit")))
	status := tokenStateIn(t, ctx, builderRoot, "valid")
	do(t, ctx, chromedp.ScrollIntoView(authControl("token-status")), screenshot(s.shots, "oauth-builder-4-signed-in"))
	if !strings.Contains(status, "expires in") || !strings.Contains(status, "for local") {
		t.Errorf("token status %q", status)
	}

	code, body := sendFromBuilder(t, ctx)
	do(t, ctx, chromedp.ScrollIntoView(chromedp.CSS("#resp-body")), screenshot(s.shots, "oauth-builder-5-me"))
	var me struct {
		Sub string   `json:"sub"`
		Aud []string `json:"aud"`
	}
	if !strings.HasPrefix(code, "200") || json.Unmarshal([]byte(body), &me) != nil || me.Sub != oidctest.UserSubject {
		t.Fatalf("GET /me with the token of the builder's sign-in: %q %s", code, body)
	}
	if !strings.Contains(body, oidctest.UserSubject) {
		t.Errorf("the response body %q does not show the subject %q", body, oidctest.UserSubject)
	}

	// The route selected afresh has a new builder, its auth none: the
	// token stays with the editor that got it, and the route refuses.
	do(t, ctx, selectRoute("GET", "/me"),
		chromedp.WaitNotPresent(chromedp.CSS("#response #status")))
	if got := value(t, ctx, chromedp.Value(authControl("type"))); got != "none" {
		t.Fatalf("the fresh builder's auth is %q, want none", got)
	}
	code, body = sendFromBuilder(t, ctx)
	headers := strings.ToLower(value(t, ctx, chromedp.TextContent(chromedp.CSS("#resp-headers"))))
	do(t, ctx, chromedp.ScrollIntoView(chromedp.CSS("#resp-body")), screenshot(s.shots, "oauth-builder-6-no-auth"))
	if !strings.HasPrefix(code, "401") || !strings.Contains(headers, "www-authenticate: bearer") {
		t.Errorf("GET /me without auth: %q %s\n%s", code, body, headers)
	}
}
