package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"gati.dev/gati/cmd/gati/internal/playground/oidctest"
	"gati.dev/gati/gatitest"
)

// The tests of auth.js, the playground's authentication helpers, in
// detail: a harness mounts authEditor on the playground page and sends
// requests through applyAuth, against examples/tasks, whose GET /me checks
// JWT access tokens of a real OpenID Provider (oidctest). wired_auth_test.go
// drives the same editor where the UI wires it, in the request builder.

// apiAudience is the aud the app requires and the provider adds.
const apiAudience = "tasks-api"

// startTasksWithIssuer runs examples/tasks in development with GET /me
// accepting tokens of issuer.
func startTasksWithIssuer(t *testing.T, issuer string) string {
	t.Helper()
	cmd := exec.Command(bins["tasks"])
	cmd.Dir = filepath.Join(examples, "tasks")
	cmd.Env = append(os.Environ(), "GATI_ENV=development",
		"TASKS_OIDC_ISSUER="+issuer, "TASKS_OIDC_AUDIENCE="+apiAudience)
	return gatitest.Start(t, cmd).URL
}

// harness loads auth.js into the playground page and defines, in the page:
// vars (the variables ctx.substitute resolves), ctx, changes (onChange
// calls), mount(auth) (shows authEditor(auth, ctx) over the page), send(url,
// init) (applies window.auth to a request, sends it, shows and returns the
// outcome) and opens (window.open calls).
const harness = `(async () => {
  const m = await import("/_playground/auth.js");
  window.pgAuth = m;
  window.vars = {};
  window.changes = 0;
  window.ctx = {
    envName: "development",
    substitute: (s) => s.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k) => vars[k] ?? ""),
    onChange: () => { changes++; },
  };
  window.opens = 0;
  const open = window.open;
  window.open = (...args) => { opens++; return open.apply(window, args); };
  const host = document.createElement("section");
  host.id = "auth-harness";
  Object.assign(host.style, {position: "fixed", inset: "40px 40px auto auto", width: "560px", padding: "16px",
    background: "#fff", color: "#000", border: "2px solid #333", zIndex: 1000, font: "14px sans-serif"});
  const slot = document.createElement("div");
  const out = document.createElement("pre");
  out.id = "auth-result";
  out.style.whiteSpace = "pre-wrap";
  host.append(slot, out);
  document.body.append(host);
  window.mount = (auth) => { window.auth = auth; slot.replaceChildren(m.authEditor(auth, ctx)); };
  window.send = async (url, init = {}) => {
    const req = {method: init.method ?? "GET", url, headers: {...(init.headers ?? {})}, body: init.body};
    let r;
    try {
      await m.applyAuth(window.auth, req, ctx);
      const res = await fetch(req.url, {method: req.method, headers: req.headers, body: req.body});
      r = {status: res.status, body: await res.text(), authorization: req.headers.Authorization ?? "", www: res.headers.get("WWW-Authenticate") ?? ""};
    } catch (e) {
      r = {error: e.message};
    }
    out.textContent = req.method + " " + url + "\n" + JSON.stringify(r, null, 2);
    return r;
  };
  return true;
})()`

type sent struct {
	Status        int    `json:"status"`
	Body          string `json:"body"`
	Authorization string `json:"authorization"`
	WWW           string `json:"www"`
	Error         string `json:"error"`
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	return value(t, ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func send(t *testing.T, ctx context.Context, url string) sent {
	t.Helper()
	return eval[sent](t, ctx, "send("+js(url)+")")
}

// The element that holds the auth editor: the harness's, or the wired
// builder's form.
const (
	harnessRoot = "#auth-harness"
	builderRoot = "#builder"
)

// field is the harness editor's input or select for an auth field.
func field(name string) chromedp.CSS { return fieldIn(harnessRoot, name) }

// fieldIn is the input or select for an auth field of the editor in root.
func fieldIn(root, name string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`%s [data-auth-field=%q]`, root, name))
}

func control(name string) chromedp.CSS { return controlIn(harnessRoot, name) }

func controlIn(root, name string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`%s [data-auth=%q]`, root, name))
}

// choose selects value in the harness editor's select for name, as a user
// does.
func choose(name, value string) chromedp.Action[chromedp.Void] {
	return chooseIn(harnessRoot, name, value)
}

func chooseIn(root, name, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
  const s = document.querySelector(%q);
  s.value = %q;
  s.dispatchEvent(new Event("change", {bubbles: true}));
})()`, fmt.Sprintf(`%s [data-auth-field=%q], %s [data-auth=%q]`, root, name, root, name), value))
}

// tokenState waits for the harness editor's token status to reach state
// (none, valid or expired) and returns its text.
func tokenState(t *testing.T, ctx context.Context, state string) string {
	t.Helper()
	return tokenStateIn(t, ctx, harnessRoot, state)
}

func tokenStateIn(t *testing.T, ctx context.Context, root, state string) string {
	t.Helper()
	sel := chromedp.CSS(fmt.Sprintf(`%s [data-auth="token-status"][data-state=%q]`, root, state))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(sel)); err != nil {
		t.Fatalf("token status never %s: %v; status %q, error %q", state, err,
			value(t, ctx, chromedp.Text(controlIn(root, "token-status"))), authErrorIn(t, ctx, root))
	}
	return value(t, ctx, chromedp.Text(sel))
}

func authError(t *testing.T, ctx context.Context) string {
	t.Helper()
	return authErrorIn(t, ctx, harnessRoot)
}

func authErrorIn(t *testing.T, ctx context.Context, root string) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf(`document.querySelector(%q)?.textContent ?? ""`, root+` [data-auth="error"]`))
}

// waitError waits for the editor to show an error and returns it.
func waitError(t *testing.T, ctx context.Context) string {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(control("error"))); err != nil {
		t.Fatalf("no error shown: %v", err)
	}
	return authError(t, ctx)
}

type authSetup struct {
	p     *oidctest.Provider
	app   string
	ctx   context.Context
	shots string
	root  string // the element holding the auth editor the test drives
}

// setupAuth starts the provider and the tasks example, opens the playground
// and loads the harness.
func setupAuth(t *testing.T, opts oidctest.Options) *authSetup {
	t.Helper()
	s := startAuth(t, opts, harnessRoot)
	if !eval[bool](t, s.ctx, harness) {
		t.Fatal("the harness did not load")
	}
	return s
}

// startAuth starts a provider (the app's issuer, allowing its origin and
// its playground's redirect URI) and the tasks example, and opens the
// playground, with no harness: the test drives the editor in root.
func startAuth(t *testing.T, opts oidctest.Options, root string) *authSetup {
	t.Helper()
	opts.Audience = apiAudience
	p := oidctest.Start(t, opts)
	app := startTasksWithIssuer(t, p.Issuer)
	p.AllowOrigin(app)
	p.AddRedirectURI(app + "/_playground/oauth-callback.html")
	s := &authSetup{p: p, app: app, ctx: browser(t), shots: screenshots(t), root: root}
	do(t, s.ctx, chromedp.Navigate(app+"/_playground/"), ready)
	return s
}

// oauthEditor mounts an OAuth 2.0 editor for grant and fills it from the
// provider's discovery document with the Discover button.
func (s *authSetup) oauthEditor(t *testing.T, grant, clientID, secret, scope string) {
	t.Helper()
	do(t, s.ctx,
		chromedp.Evaluate[chromedp.Void](`mount({type: "oauth2"})`),
		choose("grant", grant),
		chromedp.SendKeys(field("issuer"), s.p.Issuer),
		chromedp.Click(control("discover")),
		chromedp.Poll[chromedp.Void](`document.querySelector('#auth-harness [data-auth-field="tokenUrl"]').value !== ""`),
		chromedp.SendKeys(field("clientId"), clientID),
	)
	if secret != "" {
		do(t, s.ctx, chromedp.SendKeys(field("clientSecret"), secret))
	}
	if scope != "" {
		do(t, s.ctx, chromedp.SendKeys(field("scope"), scope))
	}
	got := eval[map[string]string](t, s.ctx, `auth`)
	if got["tokenUrl"] != s.p.Issuer+"/oauth/token" || grant == "authorization_code" && got["authUrl"] != s.p.Issuer+"/authorize" ||
		got["clientId"] != clientID || got["grant"] != grant {
		t.Fatalf("the editor holds %v", got)
	}
}

// TestAuthOAuthClientCredentials gets a token from the provider with the
// client credentials grant and calls the protected route with it.
func TestAuthOAuthClientCredentials(t *testing.T) {
	t.Parallel()
	s := setupAuth(t, oidctest.Options{})
	ctx := s.ctx

	// Without a token the route refuses.
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`mount({type: "none"})`))
	r := send(t, ctx, "/me")
	if r.Status != 401 || !strings.HasPrefix(r.WWW, "Bearer") || r.Authorization != "" {
		t.Fatalf("GET /me without auth: %+v", r)
	}

	do(t, ctx, chromedp.Evaluate[chromedp.Void](`vars.secret = `+js(s.p.ClientCredentials.Secret)))
	s.oauthEditor(t, "client_credentials", s.p.ClientCredentials.ID, "{{secret}}", "")
	if n := eval[int](t, ctx, `changes`); n == 0 {
		t.Error("editing did not call ctx.onChange")
	}
	if hidden := eval[bool](t, ctx, `document.querySelector('[data-auth-hint="clientSecret"]').hidden`); !hidden {
		t.Error("the secret hint shows for a {{variable}}")
	}
	tokenState(t, ctx, "none")
	do(t, ctx, screenshot(s.shots, "auth-1-client-credentials-form"), chromedp.Click(control("get-token")))
	status := tokenState(t, ctx, "valid")
	if !strings.Contains(status, "expires in") || !strings.Contains(status, "development") {
		t.Errorf("token status %q", status)
	}
	r = send(t, ctx, "/me")
	do(t, ctx, screenshot(s.shots, "auth-2-client-credentials-me"))
	var me struct {
		Sub string   `json:"sub"`
		Aud []string `json:"aud"`
	}
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &me) != nil || me.Sub != s.p.ClientCredentials.ID ||
		!strings.HasPrefix(r.Authorization, "Bearer ey") {
		t.Fatalf("GET /me with the client credentials token: %+v", r)
	}

	// client_secret_post works too, and the cache then holds a new token.
	first := r.Authorization
	do(t, ctx, choose("clientAuth", "post"), chromedp.Click(control("get-token")))
	tokenState(t, ctx, "valid")
	if r = send(t, ctx, "/me"); r.Status != 200 || r.Authorization == first {
		t.Errorf("client_secret_post: %+v", r)
	}

	t.Run("wrong secret", func(t *testing.T) {
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`vars.secret = "wrong"`), chromedp.Click(control("get-token")))
		msg := waitError(t, ctx)
		do(t, ctx, screenshot(s.shots, "auth-3-token-endpoint-refused"))
		if !strings.Contains(msg, "the token endpoint refused (HTTP 401): invalid_client") {
			t.Errorf("error %q", msg)
		}
	})

	t.Run("origin not allowed", func(t *testing.T) {
		other := oidctest.Start(t, oidctest.Options{}) // allows no origin
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`vars.secret = `+js(other.ClientCredentials.Secret)),
			chromedp.SetValue(field("tokenUrl"), other.Issuer+"/oauth/token"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-auth-field="tokenUrl"]').dispatchEvent(new Event("input"))`),
			chromedp.Click(control("get-token")))
		msg := waitError(t, ctx)
		do(t, ctx, screenshot(s.shots, "auth-4-cors-refused"))
		if !strings.Contains(msg, "the token endpoint does not allow this origin: "+s.app) {
			t.Errorf("error %q", msg)
		}
	})

	t.Run("clear", func(t *testing.T) {
		do(t, ctx, chromedp.Click(control("clear-token")))
		tokenState(t, ctx, "none")
	})
}

// TestAuthOAuthAuthorizationCode signs in through the provider's login
// form in the popup, gets a token with PKCE, calls the protected route,
// then forces the token's expiry and checks the next request refreshes it.
func TestAuthOAuthAuthorizationCode(t *testing.T) {
	t.Parallel()
	s := setupAuth(t, oidctest.Options{})
	ctx := s.ctx
	s.oauthEditor(t, "authorization_code", s.p.PKCE.ID, "", "openid offline_access")
	redirect := value(t, ctx, chromedp.Text(control("redirect-uri")))
	if redirect != s.app+"/_playground/oauth-callback.html" {
		t.Errorf("the editor shows the redirect URI %q", redirect)
	}

	popup := s.openPopup(t)
	do(t, popup, chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), s.p.User.Username),
		chromedp.SendKeys(chromedp.CSS("#password"), s.p.User.Password),
		screenshot(s.shots, "auth-5-popup-login"),
		chromedp.Click(chromedp.CSS("#submit")))
	status := tokenState(t, ctx, "valid")
	do(t, ctx, screenshot(s.shots, "auth-6-signed-in"))
	if !strings.Contains(status, "expires in") {
		t.Errorf("token status %q", status)
	}
	r := send(t, ctx, "/me")
	var me struct {
		Sub string `json:"sub"`
	}
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &me) != nil || me.Sub != oidctest.UserSubject {
		t.Fatalf("GET /me with the PKCE token: %+v", r)
	}
	do(t, ctx, screenshot(s.shots, "auth-7-pkce-me"))
	if n := eval[int](t, ctx, `opens`); n != 1 {
		t.Errorf("window.open called %d times, want 1", n)
	}
	if stored := eval[string](t, ctx, `Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k)).join("\n")`); !strings.Contains(stored, "accessToken") ||
		strings.Contains(stored, "refresh") {
		t.Errorf("sessionStorage holds %q: want the access token, never the refresh token", stored)
	}

	t.Run("refresh", func(t *testing.T) {
		before := eval[map[string]any](t, ctx, `pgAuth.tokenInfo(auth, ctx)`)
		if before["refreshToken"] == "" {
			t.Fatalf("no refresh token with offline_access: %v", before)
		}
		if !eval[bool](t, ctx, `pgAuth.expireToken(auth, ctx)`) {
			t.Fatal("expireToken found no token")
		}
		if status := tokenState(t, ctx, "expired"); !strings.Contains(status, "will be refreshed") {
			t.Errorf("status of the expired token %q", status)
		}
		do(t, ctx, screenshot(s.shots, "auth-8-expired"))
		r := send(t, ctx, "/me")
		after := eval[map[string]any](t, ctx, `pgAuth.tokenInfo(auth, ctx)`)
		if r.Status != 200 || after["accessToken"] == before["accessToken"] || r.Authorization != "Bearer "+after["accessToken"].(string) {
			t.Fatalf("GET /me after expiry: %+v", r)
		}
		if after["refreshToken"] == before["refreshToken"] {
			t.Error("the provider rotates refresh tokens; the cache kept the old one")
		}
		if n := eval[int](t, ctx, `opens`); n != 1 {
			t.Errorf("refreshing opened a popup (%d window.open calls)", n)
		}
		tokenState(t, ctx, "valid")
		do(t, ctx, screenshot(s.shots, "auth-9-refreshed"))
	})

	t.Run("401 invalid_token", func(t *testing.T) {
		// A 401 whose challenge says invalid_token marks the token expired.
		ok := eval[bool](t, ctx, `pgAuth.onUnauthorized(auth, {status: 401, headers: new Headers({"WWW-Authenticate": 'Bearer realm="tasks", error="invalid_token"'})}, ctx)`)
		if !ok {
			t.Fatal("onUnauthorized ignored an invalid_token challenge")
		}
		tokenState(t, ctx, "expired")
		if r := send(t, ctx, "/me"); r.Status != 200 {
			t.Fatalf("after onUnauthorized: %+v", r)
		}
	})

	t.Run("state mismatch", func(t *testing.T) {
		popup := s.openPopup(t)
		do(t, popup, chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.Navigate(s.app+"/_playground/oauth-callback.html?code=forged&state=forged"))
		msg := waitError(t, ctx)
		do(t, ctx, screenshot(s.shots, "auth-10-state-mismatch"))
		if !strings.HasPrefix(msg, "state mismatch") {
			t.Errorf("error %q", msg)
		}
	})

	t.Run("popup blocked", func(t *testing.T) {
		// No user gesture: the browser refuses window.open.
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`pgAuth.clearToken(auth, ctx)`))
		r := send(t, ctx, "/me")
		if !strings.Contains(r.Error, "the sign-in popup was blocked") {
			t.Errorf("applyAuth with no gesture and no token: %+v", r)
		}
	})
}

// openPopup clicks Get token in the editor in s.root and returns the
// sign-in popup's context.
func (s *authSetup) openPopup(t *testing.T) context.Context {
	t.Helper()
	ch := chromedp.WaitNewTarget(s.ctx, func(info *target.Info) bool {
		return strings.HasPrefix(info.URL, s.p.Issuer)
	})
	do(t, s.ctx, chromedp.Click(controlIn(s.root, "get-token")))
	var id target.ID
	select {
	case id = <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("no popup opened; error %q", authErrorIn(t, s.ctx, s.root))
	}
	popup, cancel := chromedp.NewContext(s.ctx, chromedp.WithTargetID(id))
	t.Cleanup(cancel)
	return popup
}

// TestAuthStatic checks the headers and query parameters of Bearer, Basic
// and API key auth, and sends the Bearer token to a route that needs it.
func TestAuthStatic(t *testing.T) {
	t.Parallel()
	url, shots := startExample(t, "tasks"), screenshots(t)
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate(url+"/_playground/"), ready)
	if !eval[bool](t, ctx, harness) {
		t.Fatal("the harness did not load")
	}
	type request struct {
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
		Error   string            `json:"error"`
	}
	apply := func(auth map[string]any, url string, headers map[string]string) request {
		t.Helper()
		return eval[request](t, ctx, `(async () => {
  const req = {method: "GET", url: `+js(url)+`, headers: `+js(headers)+`};
  try { await pgAuth.applyAuth(`+js(auth)+`, req, ctx); } catch (e) { return {error: e.message}; }
  return req;
})()`)
	}
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`vars.token = "dev-token"; vars.pass = "pässword"`))

	tests := []struct {
		name    string
		auth    map[string]any
		url     string
		headers map[string]string
		want    request
	}{
		{"none", map[string]any{"type": "none"}, "/tasks", map[string]string{"Accept": "x"},
			request{URL: "/tasks", Headers: map[string]string{"Accept": "x"}}},
		{"bearer", map[string]any{"type": "bearer", "token": "{{token}}"}, "/tasks", map[string]string{"authorization": "old"},
			request{URL: "/tasks", Headers: map[string]string{"Authorization": "Bearer dev-token"}}},
		{"basic", map[string]any{"type": "basic", "username": "alice", "password": "{{pass}}"}, "/tasks", nil,
			request{URL: "/tasks", Headers: map[string]string{"Authorization": "Basic YWxpY2U6cMOkc3N3b3Jk"}}}, // alice:pässword in UTF-8
		{"api key header", map[string]any{"type": "apikey", "name": "X-API-Key", "value": "{{token}}", "in": "header"}, "/tasks", nil,
			request{URL: "/tasks", Headers: map[string]string{"X-API-Key": "dev-token"}}},
		{"api key query", map[string]any{"type": "apikey", "name": "api key", "value": "a&b=c", "in": "query"}, "/tasks?done=false&api+key=old#top", nil,
			request{URL: "/tasks?done=false&api%20key=a%26b%3Dc#top", Headers: map[string]string{}}},
		{"api key query, absolute URL", map[string]any{"type": "apikey", "name": "k", "value": "v", "in": "query"}, "http://127.0.0.1:1/x", nil,
			request{URL: "http://127.0.0.1:1/x?k=v", Headers: map[string]string{}}},
		{"empty bearer", map[string]any{"type": "bearer", "token": "{{unset}}"}, "/tasks", nil,
			request{Error: "Bearer auth: the token is empty"}},
		{"bad header name", map[string]any{"type": "apikey", "name": "X Key", "value": "v"}, "/tasks", nil,
			request{Error: `API key auth: "X Key" is not a valid header name`}},
		{"oauth2 without a token URL", map[string]any{"type": "oauth2", "grant": "client_credentials", "clientId": "c"}, "/tasks", nil,
			request{Error: "OAuth 2.0: the token URL is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := apply(tt.auth, tt.url, tt.headers)
			if tt.want.Headers == nil {
				tt.want.Headers = map[string]string{}
			}
			if got.Headers == nil {
				got.Headers = map[string]string{}
			}
			if js(got) != js(tt.want) {
				t.Errorf("got  %s\nwant %s", js(got), js(tt.want))
			}
		})
	}

	// The editor, typed into, builds the same auth the UI saves.
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`mount({type: "none"})`), choose("type", "bearer"),
		chromedp.SendKeys(field("token"), "{{token}}"))
	if got := eval[map[string]string](t, ctx, `auth`); got["type"] != "bearer" || got["token"] != "{{token}}" || len(got) != 2 {
		t.Errorf("bearer editor: %v", got)
	}
	r := eval[sent](t, ctx, `send("/tasks", {method: "POST", headers: {"Content-Type": "application/json"}, body: '{"title":"from the playground"}'})`)
	do(t, ctx, screenshot(shots, "auth-11-bearer"))
	if r.Status != 201 || r.Authorization != "Bearer dev-token" {
		t.Errorf("POST /tasks with the bearer editor: %+v", r)
	}

	do(t, ctx, choose("type", "basic"), chromedp.SendKeys(field("username"), "alice"), chromedp.SendKeys(field("password"), "literal"))
	if shown := eval[bool](t, ctx, `!document.querySelector('[data-auth-hint="password"]').hidden`); !shown {
		t.Error("no hint for a literal password")
	}
	do(t, ctx, screenshot(shots, "auth-12-basic"))
	if got := eval[map[string]string](t, ctx, `auth`); got["type"] != "basic" || got["username"] != "alice" || got["password"] != "literal" || len(got) != 3 {
		t.Errorf("basic editor: %v", got)
	}

	do(t, ctx, choose("type", "apikey"), chromedp.SendKeys(field("name"), "X-API-Key"), chromedp.SendKeys(field("value"), "k"),
		choose("in", "query"), screenshot(shots, "auth-13-apikey"))
	if got := eval[map[string]string](t, ctx, `auth`); got["type"] != "apikey" || got["name"] != "X-API-Key" || got["in"] != "query" {
		t.Errorf("API key editor: %v", got)
	}
	// Switching back restores what was typed for that type.
	do(t, ctx, choose("type", "bearer"))
	if got := eval[map[string]string](t, ctx, `auth`); got["token"] != "{{token}}" || got["name"] != "" {
		t.Errorf("back to bearer: %v", got)
	}
}
