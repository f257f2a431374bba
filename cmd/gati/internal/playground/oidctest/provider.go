package oidctest

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
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

	pkce    *client
	origins *originSet
}

// AddRedirectURI registers uri for the PKCE client, as Options.RedirectURIs
// does, for a test that learns its app's address after starting the
// provider. It does not change p.PKCE.RedirectURIs.
func (p *Provider) AddRedirectURI(uri string) {
	p.pkce.mu.Lock()
	defer p.pkce.mu.Unlock()
	p.pkce.redirectURIs = append(p.pkce.redirectURIs, uri)
}

// AllowOrigin lets origin call the provider cross-origin, as
// Options.CORSOrigins does.
func (p *Provider) AllowOrigin(origin string) { p.origins.add(origin) }

// originSet is the origins CORS allows; it grows with AllowOrigin.
type originSet struct {
	mu      sync.Mutex
	origins []string
}

func (o *originSet) add(origin string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.origins = append(o.origins, origin)
}

func (o *originSet) allows(origin string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Contains(o.origins, origin)
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

	p.pkce = &client{
		id:           p.PKCE.ID,
		redirectURIs: slices.Clone(p.PKCE.RedirectURIs),
		appType:      op.ApplicationTypeUserAgent,
		authMethod:   oidc.AuthMethodNone,
		grantTypes:   []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken},
	}
	p.origins = &originSet{origins: slices.Clone(opts.CORSOrigins)}
	s, err := newStorage([]*client{
		{
			id:         p.ClientCredentials.ID,
			secret:     p.ClientCredentials.Secret,
			appType:    op.ApplicationTypeWeb,
			authMethod: oidc.AuthMethodBasic,
			grantTypes: []oidc.GrantType{oidc.GrantTypeClientCredentials},
		},
		p.pkce,
	}, p.User.Username, p.User.Password, opts.AccessTokenLifetime, opts.Audience)
	if err != nil {
		tb.Fatalf("oidctest: %v", err)
	}

	srv := httptest.NewUnstartedServer(nil)
	p.Issuer = "http://" + srv.Listener.Addr().String()
	h, err := newHandler(p.Issuer, s, p.origins)
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
func newHandler(issuer string, s *storage, origins *originSet) (http.Handler, error) {
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

// corsOptions allows exactly the origins of the set, as they are when each
// request comes (AllowOrigin adds to them); a function, because rs/cors
// reads an empty AllowedOrigins as "any origin".
func corsOptions(origins *originSet) *cors.Options {
	return &cors.Options{
		AllowOriginFunc: origins.allows,
		AllowedMethods:  []string{http.MethodGet, http.MethodHead, http.MethodPost},
		AllowedHeaders:  []string{"Accept", "Accept-Language", "Authorization", "Content-Type", "X-Requested-With"},
		ExposedHeaders:  []string{"Location", "Content-Length"},
	}
}
