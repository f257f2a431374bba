package oidctest

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rs/cors"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// DefaultAccessTokenLifetime is the lifetime of access tokens when
// [Options.AccessTokenLifetime] is zero.
const DefaultAccessTokenLifetime = time.Hour

// Options configures [Start]. The zero value is valid: no redirect URI, no
// CORS origin, tokens valid for [DefaultAccessTokenLifetime].
type Options struct {
	// RedirectURIs registered for the PKCE client; the authorization
	// endpoint refuses any other. http:// URIs are allowed.
	RedirectURIs []string
	// CORSOrigins may call the provider cross-origin (token, userinfo,
	// discovery, keys endpoints), as a browser app does: exact origins
	// such as "http://127.0.0.1:8080". Empty means no cross-origin caller.
	CORSOrigins []string
	// AccessTokenLifetime of issued access tokens; short values let a test
	// see a token expire and be refreshed.
	AccessTokenLifetime time.Duration
	// Audience, when set, is added to the aud of every access token, after
	// the client ID: the identifier of the API the tokens are for, as real
	// providers issue them, so one API accepts both clients' tokens.
	Audience string
}

// Provider is a running OpenID Provider.
type Provider struct {
	// Issuer is http://127.0.0.1:PORT, the iss of every token and the base
	// of /.well-known/openid-configuration.
	Issuer string
	// ClientCredentials is a confidential client allowed only the
	// client_credentials grant.
	ClientCredentials struct{ ID, Secret string }
	// PKCE is a public client (no secret) for the authorization code grant
	// with PKCE; with the offline_access scope it also gets refresh tokens.
	PKCE struct {
		ID           string
		RedirectURIs []string
	}
	// User logs in through the login form; its tokens' sub is UserSubject.
	User struct{ Username, Password string }
}

// Start serves a new provider on loopback until the test ends.
func Start(tb testing.TB, opts Options) *Provider {
	tb.Helper()
	if opts.AccessTokenLifetime <= 0 {
		opts.AccessTokenLifetime = DefaultAccessTokenLifetime
	}
	p := &Provider{}
	p.ClientCredentials.ID, p.ClientCredentials.Secret = "service", rand.Text()
	p.PKCE.ID, p.PKCE.RedirectURIs = "playground", append([]string(nil), opts.RedirectURIs...)
	p.User.Username, p.User.Password = "alice", rand.Text()

	s, err := newStorage([]*client{
		{
			id:         p.ClientCredentials.ID,
			secret:     p.ClientCredentials.Secret,
			appType:    op.ApplicationTypeWeb,
			authMethod: oidc.AuthMethodBasic,
			grantTypes: []oidc.GrantType{oidc.GrantTypeClientCredentials},
		},
		{
			id:           p.PKCE.ID,
			redirectURIs: p.PKCE.RedirectURIs,
			appType:      op.ApplicationTypeUserAgent,
			authMethod:   oidc.AuthMethodNone,
			grantTypes:   []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken},
		},
	}, p.User.Username, p.User.Password, opts.AccessTokenLifetime, opts.Audience)
	if err != nil {
		tb.Fatalf("oidctest: %v", err)
	}

	srv := httptest.NewUnstartedServer(nil)
	p.Issuer = "http://" + srv.Listener.Addr().String()
	h, err := newHandler(p.Issuer, s, opts.CORSOrigins)
	if err != nil {
		srv.Close()
		tb.Fatalf("oidctest: %v", err)
	}
	srv.Config.Handler = h
	srv.Start()
	tb.Cleanup(srv.Close)
	return p
}

// newHandler is zitadel's provider for issuer with the login form at /login.
func newHandler(issuer string, s *storage, origins []string) (http.Handler, error) {
	var key [32]byte
	rand.Read(key[:])
	config := &op.Config{
		CryptoKey:             key,
		CodeMethodS256:        true,
		AuthMethodPost:        true,
		GrantTypeRefreshToken: true,
		SupportedUILocales:    []language.Tag{language.English},
	}
	provider, err := op.NewProvider(config, s, op.StaticIssuer(issuer),
		op.WithAllowInsecure(), // the issuer is http:// on loopback
		op.WithCORSOptions(corsOptions(origins)),
	)
	if err != nil {
		return nil, err
	}
	interceptor := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux := http.NewServeMux()
	mux.Handle(loginPath, interceptor.HandlerFunc(loginHandler(s, op.AuthCallbackURL(provider))))
	mux.Handle("/", provider)
	return mux, nil
}

// corsOptions allows exactly origins; rs/cors would read an empty list as
// "any origin", so none is spelled as a function refusing all.
func corsOptions(origins []string) *cors.Options {
	o := &cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost},
		AllowedHeaders: []string{"Accept", "Accept-Language", "Authorization", "Content-Type", "X-Requested-With"},
		ExposedHeaders: []string{"Location", "Content-Length"},
	}
	if len(origins) == 0 {
		o.AllowOriginFunc = func(string) bool { return false }
	}
	return o
}
