package oidctest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"gati.dev/gati/cmd/gati/internal/playground/oidctest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	redirectURI = "http://127.0.0.1:9/callback" // never dialled: the test reads the Location
	appOrigin   = "http://127.0.0.1:8080"
)

// env is one provider and a client for it that keeps cookies and does not
// follow redirects, so each step of the browser flow can be read.
type env struct {
	p      *oidctest.Provider
	disco  oidc.DiscoveryConfiguration
	client *http.Client
	ctx    context.Context // carries client for x/oauth2
	pkce   *oauth2.Config
}

func setup(t *testing.T) *env {
	t.Helper()
	return setupWith(t, oidctest.Options{
		RedirectURIs: []string{redirectURI},
		CORSOrigins:  []string{appOrigin},
	})
}

func setupWith(t *testing.T, opts oidctest.Options) *env {
	t.Helper()
	p := oidctest.Start(t, opts)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	client := &http.Client{
		Transport: transport,
		Jar:       jar,
		Timeout:   10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	e := &env{p: p, client: client, ctx: context.WithValue(t.Context(), oauth2.HTTPClient, client)}
	res := e.get(t, p.Issuer+oidc.DiscoveryEndpoint, http.StatusOK)
	if err := json.Unmarshal([]byte(res), &e.disco); err != nil {
		t.Fatalf("discovery document: %v", err)
	}
	e.pkce = &oauth2.Config{
		ClientID:    p.PKCE.ID,
		RedirectURL: redirectURI,
		Scopes:      []string{oidc.ScopeOpenID, oidc.ScopeOfflineAccess},
		Endpoint: oauth2.Endpoint{
			AuthURL:   e.disco.AuthorizationEndpoint,
			TokenURL:  e.disco.TokenEndpoint,
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
	return e
}

// get returns the body of a GET to u, which must answer status.
func (e *env) get(t *testing.T, u string, status int) string {
	t.Helper()
	res, err := e.client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return readStatus(t, res, status)
}

func readStatus(t *testing.T, res *http.Response, status int) string {
	t.Helper()
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body:\n%s", res.Request.Method, res.Request.URL, res.StatusCode, status, body)
	}
	return string(body)
}

// redirect checks that res is a 302 and returns its resolved Location.
func (e *env) redirect(t *testing.T, res *http.Response, err error) *url.URL {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	readStatus(t, res, http.StatusFound)
	loc, err := res.Location()
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// authorize runs the browser's part of the code flow for the PKCE client,
// logging in with password, and returns the code delivered to redirectURI.
func (e *env) authorize(t *testing.T, verifier, password string) string {
	t.Helper()
	const state = "state-123"
	authURL := e.pkce.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
	res, err := e.client.Get(authURL)
	login := e.redirect(t, res, err)

	form := e.get(t, login.String(), http.StatusOK)
	id := login.Query().Get("authRequestID")
	if id == "" || !strings.Contains(form, `value="`+id+`"`) {
		t.Fatalf("login form does not carry the auth request %q:\n%s", id, form)
	}
	res, err = e.client.PostForm(login.String(), url.Values{
		"authRequestID": {id},
		"username":      {e.p.User.Username},
		"password":      {password},
	})
	callback := e.redirect(t, res, err)

	res, err = e.client.Get(callback.String())
	back := e.redirect(t, res, err)
	if got := back.Scheme + "://" + back.Host + back.Path; got != redirectURI {
		t.Fatalf("redirected to %s, want %s", back, redirectURI)
	}
	if got := back.Query().Get("state"); got != state {
		t.Fatalf("state %q, want %q", got, state)
	}
	code := back.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", back)
	}
	return code
}

// verify checks token against the provider's JWKS and returns its claims.
func (e *env) verify(t *testing.T, token string) *oidc.AccessTokenClaims {
	t.Helper()
	keys := rp.NewRemoteKeySet(e.client, e.disco.JwksURI)
	v := op.NewAccessTokenVerifier(e.p.Issuer, keys)
	claims, err := op.VerifyAccessToken[*oidc.AccessTokenClaims](e.ctx, token, v)
	if err != nil {
		t.Fatalf("access token does not verify against the JWKS: %v", err)
	}
	return claims
}

func wantOAuthError(t *testing.T, err error, status int, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("error %v, want an OAuth error %s", err, code)
	}
	if re.Response.StatusCode != status || re.ErrorCode != code {
		t.Fatalf("status %d error %q, want %d %q", re.Response.StatusCode, re.ErrorCode, status, code)
	}
}

func TestDiscoveryNamesTheEndpoints(t *testing.T) {
	t.Parallel()
	e := setup(t)
	d := e.disco
	if d.Issuer != e.p.Issuer || !strings.HasPrefix(e.p.Issuer, "http://127.0.0.1:") {
		t.Fatalf("issuer %q, provider says %q", d.Issuer, e.p.Issuer)
	}
	for name, u := range map[string]string{
		"authorization_endpoint": d.AuthorizationEndpoint,
		"token_endpoint":         d.TokenEndpoint,
		"jwks_uri":               d.JwksURI,
		"userinfo_endpoint":      d.UserinfoEndpoint,
	} {
		if !strings.HasPrefix(u, e.p.Issuer+"/") {
			t.Errorf("%s = %q, want under the issuer", name, u)
		}
	}
	for _, g := range []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeClientCredentials} {
		if !slices.Contains(d.GrantTypesSupported, g) {
			t.Errorf("grant_types_supported %v lacks %s", d.GrantTypesSupported, g)
		}
	}
	if !slices.Contains(d.CodeChallengeMethodsSupported, oidc.CodeChallengeMethodS256) {
		t.Errorf("code_challenge_methods_supported %v lacks S256", d.CodeChallengeMethodsSupported)
	}
}

func TestClientCredentials(t *testing.T) {
	t.Parallel()
	e := setup(t)
	cc := clientcredentials.Config{
		ClientID:     e.p.ClientCredentials.ID,
		ClientSecret: e.p.ClientCredentials.Secret,
		TokenURL:     e.disco.TokenEndpoint,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	tok, err := cc.Token(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok.TokenType != oidc.BearerToken || tok.RefreshToken != "" {
		t.Errorf("token_type %q refresh_token %q, want Bearer and none", tok.TokenType, tok.RefreshToken)
	}
	claims := e.verify(t, tok.AccessToken)
	if claims.Subject != cc.ClientID || !slices.Equal(claims.Audience, []string{cc.ClientID}) || claims.ClientID != cc.ClientID {
		t.Errorf("sub %q aud %v client_id %q, want the client %q", claims.Subject, claims.Audience, claims.ClientID, cc.ClientID)
	}

	t.Run("wrong secret", func(t *testing.T) {
		for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
			bad := cc
			bad.ClientSecret, bad.AuthStyle = "wrong", style
			_, err := bad.Token(e.ctx)
			wantOAuthError(t, err, http.StatusUnauthorized, "invalid_client")
		}
	})
	t.Run("public client", func(t *testing.T) {
		pub := clientcredentials.Config{ClientID: e.p.PKCE.ID, TokenURL: e.disco.TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams}
		_, err := pub.Token(e.ctx)
		wantOAuthError(t, err, http.StatusUnauthorized, "invalid_client")
	})
}

func TestAuthorizationCodeWithPKCE(t *testing.T) {
	t.Parallel()
	e := setup(t)
	verifier := oauth2.GenerateVerifier()
	code := e.authorize(t, verifier, e.p.User.Password)
	tok, err := e.pkce.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.Extra("id_token") == nil {
		t.Errorf("want a refresh token and an ID token with offline_access and openid")
	}
	claims := e.verify(t, tok.AccessToken)
	if claims.Issuer != e.p.Issuer || claims.Subject != oidctest.UserSubject ||
		!slices.Equal(claims.Audience, []string{e.p.PKCE.ID}) || claims.ClientID != e.p.PKCE.ID {
		t.Errorf("iss %q sub %q aud %v client_id %q", claims.Issuer, claims.Subject, claims.Audience, claims.ClientID)
	}
	if exp := claims.Expiration.AsTime(); time.Until(exp) <= 0 || time.Until(exp) > oidctest.DefaultAccessTokenLifetime {
		t.Errorf("exp %v, want within %v", exp, oidctest.DefaultAccessTokenLifetime)
	}

	t.Run("code used twice", func(t *testing.T) {
		_, err := e.pkce.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
		wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")
	})
}

func TestAuthorizationCodeWrongVerifier(t *testing.T) {
	t.Parallel()
	e := setup(t)
	code := e.authorize(t, oauth2.GenerateVerifier(), e.p.User.Password)
	_, err := e.pkce.Exchange(e.ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
	wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")
}

func TestLoginWrongPassword(t *testing.T) {
	t.Parallel()
	e := setup(t)
	res, err := e.client.Get(e.pkce.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	login := e.redirect(t, res, err)
	res, err = e.client.PostForm(login.String(), url.Values{
		"authRequestID": {login.Query().Get("authRequestID")},
		"username":      {e.p.User.Username},
		"password":      {"wrong"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if body := readStatus(t, res, http.StatusUnauthorized); !strings.Contains(body, "<form") {
		t.Errorf("a wrong password should show the form again:\n%s", body)
	}
}

func TestUnregisteredRedirectURIRefused(t *testing.T) {
	t.Parallel()
	e := setup(t)
	other := *e.pkce
	other.RedirectURL = "http://127.0.0.1:9/elsewhere"
	res, err := e.client.Get(other.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if err != nil {
		t.Fatal(err)
	}
	readStatus(t, res, http.StatusBadRequest) // shown to the user, never redirected
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	e := setup(t)
	verifier := oauth2.GenerateVerifier()
	first, err := e.pkce.Exchange(e.ctx, e.authorize(t, verifier, e.p.User.Password), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.pkce.TokenSource(e.ctx, &oauth2.Token{RefreshToken: first.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	if second.AccessToken == first.AccessToken || second.RefreshToken == "" || second.RefreshToken == first.RefreshToken {
		t.Fatalf("refresh should give a new access token and rotate the refresh token")
	}
	if c := e.verify(t, second.AccessToken); c.Subject != oidctest.UserSubject {
		t.Errorf("refreshed token sub %q, want %q", c.Subject, oidctest.UserSubject)
	}

	t.Run("rotated refresh token refused", func(t *testing.T) {
		_, err := e.pkce.TokenSource(e.ctx, &oauth2.Token{RefreshToken: first.RefreshToken}).Token()
		wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")
	})
}

func TestAccessTokenLifetime(t *testing.T) {
	t.Parallel()
	p := oidctest.Start(t, oidctest.Options{AccessTokenLifetime: time.Minute})
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	cc := clientcredentials.Config{
		ClientID:     p.ClientCredentials.ID,
		ClientSecret: p.ClientCredentials.Secret,
		TokenURL:     p.Issuer + "/oauth/token",
	}
	tok, err := cc.Token(context.WithValue(t.Context(), oauth2.HTTPClient, &http.Client{Transport: transport}))
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(tok.Expiry); d <= 0 || d > time.Minute {
		t.Errorf("expires in %v, want at most a minute", d)
	}
}

func TestTamperedTokenRefused(t *testing.T) {
	t.Parallel()
	e := setup(t)
	cc := clientcredentials.Config{ClientID: e.p.ClientCredentials.ID, ClientSecret: e.p.ClientCredentials.Secret, TokenURL: e.disco.TokenEndpoint}
	tok, err := cc.Token(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok.AccessToken, ".")
	if len(parts) != 3 {
		t.Fatalf("access token is not a JWS: %q", tok.AccessToken)
	}
	other := oidctest.Start(t, oidctest.Options{}) // same claims shape, another key
	otherCC := &clientcredentials.Config{ClientID: other.ClientCredentials.ID, ClientSecret: other.ClientCredentials.Secret, TokenURL: other.Issuer + "/oauth/token"}
	otherTok, err := otherCC.Token(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	forged := parts[0] + "." + parts[1] + "." + strings.Split(otherTok.AccessToken, ".")[2]
	v := op.NewAccessTokenVerifier(e.p.Issuer, rp.NewRemoteKeySet(e.client, e.disco.JwksURI))
	if _, err := op.VerifyAccessToken[*oidc.AccessTokenClaims](e.ctx, forged, v); err == nil {
		t.Fatal("a token signed with another key verified")
	}
}

func TestCORSPreflightToTokenEndpoint(t *testing.T) {
	t.Parallel()
	e := setup(t)
	for _, tc := range []struct {
		origin string
		allow  bool
	}{
		{appOrigin, true},
		{"http://127.0.0.1:8081", false},
		{"http://evil.example", false},
	} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodOptions, e.disco.TokenEndpoint, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", tc.origin)
		req.Header.Set("Access-Control-Request-Method", http.MethodPost)
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		res, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		got := res.Header.Get("Access-Control-Allow-Origin")
		if tc.allow && got != tc.origin || !tc.allow && got != "" {
			t.Errorf("origin %s: Access-Control-Allow-Origin %q (status %d), allowed=%v", tc.origin, got, res.StatusCode, tc.allow)
		}
	}
}

func TestNoCORSOriginsAllowsNone(t *testing.T) {
	t.Parallel()
	p := oidctest.Start(t, oidctest.Options{})
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodOptions, p.Issuer+"/oauth/token", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", appOrigin)
	req.Header.Set("Access-Control-Request-Method", http.MethodPost)
	res, err := (&http.Client{Transport: transport}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("Access-Control-Allow-Origin %q with no CORSOrigins, want none", got)
	}
}

func TestUserinfoWithAccessToken(t *testing.T) {
	t.Parallel()
	e := setup(t)
	cfg := *e.pkce
	cfg.Scopes = []string{oidc.ScopeOpenID, oidc.ScopeProfile}
	e.pkce = &cfg
	verifier := oauth2.GenerateVerifier()
	tok, err := e.pkce.Exchange(e.ctx, e.authorize(t, verifier, e.p.User.Password), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken != "" {
		t.Errorf("a refresh token without offline_access")
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.disco.UserinfoEndpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok.SetAuthHeader(req)
	res, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var info oidc.UserInfo
	if err := json.Unmarshal([]byte(readStatus(t, res, http.StatusOK)), &info); err != nil {
		t.Fatal(err)
	}
	if info.Subject != oidctest.UserSubject || info.PreferredUsername != e.p.User.Username {
		t.Errorf("userinfo sub %q preferred_username %q", info.Subject, info.PreferredUsername)
	}
}

func TestCORSOnTokenResponse(t *testing.T) {
	t.Parallel()
	e := setup(t)
	body := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {e.p.ClientCredentials.ID},
		"client_secret": {e.p.ClientCredentials.Secret},
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.disco.TokenEndpoint, strings.NewReader(body.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", appOrigin)
	res, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readStatus(t, res, http.StatusOK)
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != appOrigin {
		t.Errorf("Access-Control-Allow-Origin %q on the token response, want %q", got, appOrigin)
	}
}

func TestAudienceAddedToTokens(t *testing.T) {
	t.Parallel()
	const api = "tasks-api"
	e := setupWith(t, oidctest.Options{RedirectURIs: []string{redirectURI}, Audience: api})
	p := e.p
	cc := clientcredentials.Config{ClientID: p.ClientCredentials.ID, ClientSecret: p.ClientCredentials.Secret, TokenURL: e.disco.TokenEndpoint}
	tok, err := cc.Token(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c := e.verify(t, tok.AccessToken); !slices.Equal(c.Audience, []string{p.ClientCredentials.ID, api}) {
		t.Errorf("client credentials aud %v, want [%s %s]", c.Audience, p.ClientCredentials.ID, api)
	}
	verifier := oauth2.GenerateVerifier()
	code := e.authorize(t, verifier, p.User.Password)
	first, err := e.pkce.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.pkce.TokenSource(e.ctx, &oauth2.Token{RefreshToken: first.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]*oauth2.Token{"code": first, "refresh": second} {
		if c := e.verify(t, tok.AccessToken); !slices.Equal(c.Audience, []string{p.PKCE.ID, api}) {
			t.Errorf("%s aud %v, want [%s %s]", name, c.Audience, p.PKCE.ID, api)
		}
	}
}

// TestAllowAfterStart: a test that starts its app after the provider
// registers the app's redirect URI and origin then.
func TestAllowAfterStart(t *testing.T) {
	t.Parallel()
	e := setupWith(t, oidctest.Options{})
	const later = "http://127.0.0.1:8082"
	preflight := func() string {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodOptions, e.disco.TokenEndpoint, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", later)
		req.Header.Set("Access-Control-Request-Method", http.MethodPost)
		res, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.Header.Get("Access-Control-Allow-Origin")
	}
	if got := preflight(); got != "" {
		t.Fatalf("Access-Control-Allow-Origin %q before AllowOrigin", got)
	}
	e.p.AllowOrigin(later)
	if got := preflight(); got != later {
		t.Fatalf("Access-Control-Allow-Origin %q after AllowOrigin, want %s", got, later)
	}

	res, err := e.client.Get(e.pkce.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if err != nil {
		t.Fatal(err)
	}
	readStatus(t, res, http.StatusBadRequest) // redirectURI is not registered yet
	e.p.AddRedirectURI(redirectURI)
	verifier := oauth2.GenerateVerifier()
	if _, err := e.pkce.Exchange(e.ctx, e.authorize(t, verifier, e.p.User.Password), oauth2.VerifierOption(verifier)); err != nil {
		t.Fatal(err)
	}
}
