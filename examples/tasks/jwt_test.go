package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"example.com/tasks/store"
	"gati.dev/gati"
	"gati.dev/gati/gatitest"
)

// The JWT tests run a stand-in issuer: a discovery document and a JWKS
// served by httptest, and tokens signed here with a key generated per
// test. The end-to-end test against a real OpenID Provider is in the
// playground's browser tests (cmd/gati/internal/playground/browser).

const testAudience = "tasks-api"

type testIssuer struct {
	url       string
	key       *rsa.PrivateKey
	kid       string
	jwksHits  atomic.Int32
	mu        sync.Mutex
	published []jose.JSONWebKey // what /keys serves
}

func (iss *testIssuer) publish(k jose.JSONWebKey) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.published = append(iss.published, k)
}

func newTestIssuer(t *testing.T) *testIssuer {
	t.Helper()
	iss := &testIssuer{key: newKey(t), kid: "k1"}
	iss.published = []jose.JSONWebKey{{Key: &iss.key.PublicKey, KeyID: iss.kid, Algorithm: "RS256", Use: "sig"}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss.url, "jwks_uri": iss.url + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		iss.jwksHits.Add(1)
		iss.mu.Lock()
		defer iss.mu.Unlock()
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: iss.published})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	iss.url = srv.URL
	return iss
}

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// claims are a valid token's: this issuer, testAudience, valid for an hour.
func (iss *testIssuer) claims() jwt.Claims {
	now := time.Now()
	return jwt.Claims{Issuer: iss.url, Subject: "user-1", Audience: jwt.Audience{testAudience},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Hour))}
}

func sign(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string, claims ...any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	b := jwt.Signed(s)
	for _, c := range claims {
		b = b.Claims(c)
	}
	tok, err := b.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (iss *testIssuer) token(t *testing.T, edit func(*jwt.Claims)) string {
	t.Helper()
	c := iss.claims()
	if edit != nil {
		edit(&c)
	}
	return sign(t, jose.RS256, iss.key, iss.kid, c, map[string]any{"client_id": "playground", "scope": "openid tasks"})
}

// startJWTApp serves the app in the test environment with
// modules.auth.oidc naming iss (none when iss is nil).
func startJWTApp(t *testing.T, iss *testIssuer) *httptest.Server {
	t.Helper()
	oidc := ""
	if iss != nil {
		oidc = "\n    oidc: {issuer: " + iss.url + ", audience: " + testAudience + "}"
	}
	cfg := filepath.Join(t.TempDir(), "gati.yaml")
	if err := os.WriteFile(cfg, []byte("name: tasks\nmodules:\n  auth:\n    token: "+testToken+oidc+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	app := gati.New(gati.WithEnv("test"), gati.WithConfigFile(cfg), gati.WithLogOutput(io.Discard))
	app.Module(store.New())
	app.Module(&tokenAuth{})
	gatiRegister(app)
	return gatitest.Serve(t, app)
}

func TestMeWithJWT(t *testing.T) {
	t.Parallel()
	iss := newTestIssuer(t)
	base := startJWTApp(t, iss).URL

	c := client{t: t, base: base, token: iss.token(t, nil)}
	r := c.do("GET", "/me", "").want(200)
	var id Identity
	r.decode(&id)
	if id.Subject != "user-1" || id.ClientID != "playground" || id.Scope != "openid tasks" ||
		len(id.Audience) != 1 || id.Audience[0] != testAudience || time.Until(id.ExpiresAt) < 59*time.Minute {
		t.Errorf("GET /me = %s", r.body)
	}
	c.do("GET", "/me", "").want(200)
	if n := iss.jwksHits.Load(); n != 1 {
		t.Errorf("the JWKS was fetched %d times for two requests, want once", n)
	}

	r = client{t: t, base: base}.do("GET", "/me", "").want(401)
	if r.problem.Code != "unauthenticated" || r.header.Get("WWW-Authenticate") != `Bearer realm="tasks"` {
		t.Errorf("no token: %s, WWW-Authenticate %q", r.body, r.header.Get("WWW-Authenticate"))
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type %q, want problem+json", ct)
	}
	// The static API token is not a JWT.
	r = client{t: t, base: base, token: testToken}.do("GET", "/me", "").want(401)
	if r.problem.Code != "invalid_token" || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("static token: %s, WWW-Authenticate %q", r.body, r.header.Get("WWW-Authenticate"))
	}
}

func TestMeRejectsBadTokens(t *testing.T) {
	t.Parallel()
	iss := newTestIssuer(t)
	base := startJWTApp(t, iss).URL
	other := newKey(t)
	hour := time.Hour
	tests := []struct {
		name, token, detail string
	}{
		{"wrong audience", iss.token(t, func(c *jwt.Claims) { c.Audience = jwt.Audience{"someone-else"} }), "does not include"},
		{"wrong issuer", iss.token(t, func(c *jwt.Claims) { c.Issuer = "https://evil.example" }), "is not the issuer"},
		{"expired", iss.token(t, func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(time.Now().Add(-2 * time.Minute)) }), "expired"},
		{"no exp", iss.token(t, func(c *jwt.Claims) { c.Expiry = nil }), "no exp"},
		{"not yet valid", iss.token(t, func(c *jwt.Claims) { c.NotBefore = jwt.NewNumericDate(time.Now().Add(hour)) }), "not valid before"},
		{"signed with another key, same kid", sign(t, jose.RS256, other, iss.kid, iss.claims()), "signature"},
		{"unknown kid", sign(t, jose.RS256, other, "k2", iss.claims()), `no key "k2"`},
		{"HS256", sign(t, jose.HS256, []byte("secret-secret-secret-secret-1234"), iss.kid, iss.claims()), "RS256"},
		{"not a JWT", "abc.def", "RS256"},
		{"tampered payload", tamper(t, iss.token(t, nil)), "signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := client{t: t, base: base, token: tt.token}.do("GET", "/me", "").want(401)
			www := r.header.Get("WWW-Authenticate")
			if r.problem.Code != "invalid_token" || !strings.Contains(r.problem.Detail, tt.detail) ||
				!strings.HasPrefix(www, `Bearer realm="tasks", error="invalid_token", error_description="`) {
				t.Errorf("%s, WWW-Authenticate %q; want invalid_token mentioning %q", r.body, www, tt.detail)
			}
		})
	}
}

// tamper changes the sub of a signed token without re-signing it.
func tamper(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	c := map[string]any{}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(b, &c) != nil {
		t.Fatalf("payload of %q: %v", tok, err)
	}
	c["sub"] = "admin"
	b, _ = json.Marshal(c)
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

// TestMeKeyRotation: a token signed with a key the app has not seen makes
// it fetch the JWKS again, and accept the token once the issuer publishes
// the key.
func TestMeKeyRotation(t *testing.T) {
	t.Parallel()
	iss := newTestIssuer(t)
	v, err := newJWTVerifier(oidcConfig{Issuer: iss.url, Audience: testAudience})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	v.now = func() time.Time { return now }
	if _, err := v.verify(t.Context(), iss.token(t, nil)); err != nil {
		t.Fatal(err)
	}
	rotated := newKey(t)
	tok := sign(t, jose.RS256, rotated, "k2", iss.claims())
	iss.publish(jose.JSONWebKey{Key: &rotated.PublicKey, KeyID: "k2", Algorithm: "RS256", Use: "sig"})
	if _, err := v.verify(t.Context(), tok); err == nil || !strings.Contains(err.Error(), `no key "k2"`) {
		t.Fatalf("a new kid right after a fetch: %v, want refused without fetching", err)
	}
	if n := iss.jwksHits.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times, want 1", n)
	}
	now = now.Add(jwksRefetch)
	if _, err := v.verify(t.Context(), tok); err != nil {
		t.Fatalf("after the refetch interval: %v", err)
	}
	if n := iss.jwksHits.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times, want 2", n)
	}
}

func TestMeOffWithoutIssuer(t *testing.T) {
	t.Parallel()
	r := client{t: t, base: startJWTApp(t, nil).URL, token: "anything"}.do("GET", "/me", "").want(503)
	if r.problem.Code != "jwt_not_configured" {
		t.Errorf("GET /me without an issuer: %s", r.body)
	}
}

func TestMeIssuerUnreachable(t *testing.T) {
	t.Parallel()
	iss := newTestIssuer(t)
	tok := iss.token(t, nil)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	iss.url = dead.URL // the app is configured with an issuer nobody serves
	r := client{t: t, base: startJWTApp(t, iss).URL, token: tok}.do("GET", "/me", "").want(503)
	if r.problem.Code != "issuer_unavailable" {
		t.Errorf("unreachable issuer: %s", r.body)
	}
}

func TestOIDCConfigNeedsAudience(t *testing.T) {
	t.Parallel()
	if _, err := newJWTVerifier(oidcConfig{Issuer: "https://issuer.example"}); err == nil {
		t.Error("an issuer without an audience was accepted")
	}
	if v, err := newJWTVerifier(oidcConfig{}); v != nil || err != nil {
		t.Errorf("no issuer: %v %v, want off", v, err)
	}
}
