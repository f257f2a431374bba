package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"gati.dev/gati"
)

// OIDCIssuerEnv and OIDCAudienceEnv override modules.auth.oidc.issuer and
// modules.auth.oidc.audience.
const (
	OIDCIssuerEnv   = "TASKS_OIDC_ISSUER"
	OIDCAudienceEnv = "TASKS_OIDC_AUDIENCE"
)

// jwtLeeway is how far exp and nbf may be off the app's clock.
const jwtLeeway = 30 * time.Second

// jwksRefetch is the least time between two fetches of the issuer's keys
// caused by tokens naming a key the app does not know, so a stream of
// forged tokens cannot make the app hammer the issuer.
const jwksRefetch = 30 * time.Second

// oidcConfig is modules.auth.oidc: the OpenID Provider whose access tokens
// RequireJWT accepts. An empty issuer turns JWT authentication off.
type oidcConfig struct {
	// Issuer is the provider's issuer URL, the iss of its tokens and the
	// base of /.well-known/openid-configuration.
	Issuer string `yaml:"issuer"`
	// Audience must be one of a token's aud values: the API's identifier
	// or, with providers that set aud to the client, the client ID.
	Audience string `yaml:"audience"`
}

// newJWTVerifier returns nil when cfg (after the environment's overrides)
// names no issuer: JWT authentication is off.
func newJWTVerifier(cfg oidcConfig) (*jwtVerifier, error) {
	if v := os.Getenv(OIDCIssuerEnv); v != "" {
		cfg.Issuer = v
	}
	if v := os.Getenv(OIDCAudienceEnv); v != "" {
		cfg.Audience = v
	}
	if cfg.Issuer == "" {
		return nil, nil
	}
	if cfg.Audience == "" {
		return nil, errors.New("modules.auth.oidc.issuer is set but audience is empty: set it (or $" + OIDCAudienceEnv + ") to the aud the tokens must carry")
	}
	return &jwtVerifier{
		issuer:   strings.TrimSuffix(cfg.Issuer, "/"),
		audience: cfg.Audience,
		client:   &http.Client{Timeout: 10 * time.Second},
		now:      time.Now,
	}, nil
}

// jwtVerifier checks RS256 JWT access tokens of one issuer for one
// audience. It reads the issuer's discovery document and JWKS on first
// use, not at startup, so the app starts while the provider is down; it
// fetches the keys again when a token names a key it does not know (the
// provider rotated its keys).
type jwtVerifier struct {
	issuer, audience string
	client           *http.Client
	now              func() time.Time

	mu      sync.Mutex
	jwksURI string
	keys    *jose.JSONWebKeySet
	fetched time.Time // of keys
}

// Identity is who a verified access token speaks for: the answer of
// GET /me.
type Identity struct {
	Subject   string    `json:"sub"`
	ClientID  string    `json:"client_id,omitempty"`
	Audience  []string  `json:"aud"`
	Scope     string    `json:"scope,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// errUnavailable marks failures to reach the issuer: the token may be
// fine, the app cannot tell.
var errUnavailable = errors.New("the token issuer is unavailable")

// verify returns the identity of a valid token, an error wrapping
// errUnavailable when the issuer's keys cannot be read, or another error
// saying what is wrong with the token.
func (v *jwtVerifier) verify(ctx context.Context, raw string) (*Identity, error) {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, fmt.Errorf("not an RS256 JWT: %w", err)
	}
	if len(tok.Headers) != 1 {
		return nil, errors.New("not a single-signature JWT")
	}
	keys, err := v.keysFor(ctx, tok.Headers[0].KeyID)
	if err != nil {
		return nil, err
	}
	var claims jwt.Claims
	var extra struct {
		ClientID string `json:"client_id"`
		Scope    string `json:"scope"`
	}
	verified := false
	for _, k := range keys {
		if err := tok.Claims(k.Key, &claims, &extra); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return nil, errors.New("the signature does not verify with the issuer's keys")
	}
	if claims.Expiry == nil {
		return nil, errors.New("the token has no exp")
	}
	want := jwt.Expected{Issuer: v.issuer, AnyAudience: jwt.Audience{v.audience}, Time: v.now()}
	if err := claims.ValidateWithLeeway(want, jwtLeeway); err != nil {
		switch {
		case errors.Is(err, jwt.ErrInvalidIssuer):
			return nil, fmt.Errorf("iss %q is not the issuer %q", claims.Issuer, v.issuer)
		case errors.Is(err, jwt.ErrInvalidAudience):
			return nil, fmt.Errorf("aud %q does not include %q", []string(claims.Audience), v.audience)
		case errors.Is(err, jwt.ErrExpired):
			return nil, fmt.Errorf("the token expired at %s", claims.Expiry.Time().UTC().Format(time.RFC3339))
		case errors.Is(err, jwt.ErrNotValidYet):
			return nil, fmt.Errorf("the token is not valid before %s", claims.NotBefore.Time().UTC().Format(time.RFC3339))
		}
		return nil, err
	}
	return &Identity{Subject: claims.Subject, ClientID: extra.ClientID, Audience: claims.Audience,
		Scope: extra.Scope, ExpiresAt: claims.Expiry.Time().UTC()}, nil
}

// keysFor returns the issuer's RSA signing keys that may have signed a
// token naming kid (all of them when kid is empty), fetching the JWKS
// when it has none yet or when kid is unknown and the last fetch is old
// enough.
func (v *jwtVerifier) keysFor(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys != nil {
		if ks := signingKeys(v.keys, kid); len(ks) > 0 {
			return ks, nil
		}
		if v.now().Sub(v.fetched) < jwksRefetch {
			return nil, fmt.Errorf("the issuer has no key %q", kid)
		}
	}
	if err := v.fetchKeys(ctx); err != nil {
		return nil, fmt.Errorf("%w: %w", errUnavailable, err)
	}
	if ks := signingKeys(v.keys, kid); len(ks) > 0 {
		return ks, nil
	}
	return nil, fmt.Errorf("the issuer has no key %q", kid)
}

func signingKeys(set *jose.JSONWebKeySet, kid string) []jose.JSONWebKey {
	candidates := set.Keys
	if kid != "" {
		candidates = set.Key(kid)
	}
	var out []jose.JSONWebKey
	for _, k := range candidates {
		if (k.Use == "" || k.Use == "sig") && (k.Algorithm == "" || k.Algorithm == string(jose.RS256)) && k.IsPublic() && k.Valid() {
			out = append(out, k)
		}
	}
	return out
}

// fetchKeys reads the discovery document (once) and the JWKS; v.mu is held.
func (v *jwtVerifier) fetchKeys(ctx context.Context) error {
	if v.jwksURI == "" {
		var disco struct {
			Issuer  string `json:"issuer"`
			JWKSURI string `json:"jwks_uri"`
		}
		if err := v.getJSON(ctx, v.issuer+"/.well-known/openid-configuration", &disco); err != nil {
			return err
		}
		if strings.TrimSuffix(disco.Issuer, "/") != v.issuer {
			return fmt.Errorf("the discovery document names the issuer %q, not %q", disco.Issuer, v.issuer)
		}
		if disco.JWKSURI == "" {
			return errors.New("the discovery document has no jwks_uri")
		}
		v.jwksURI = disco.JWKSURI
	}
	var set jose.JSONWebKeySet
	if err := v.getJSON(ctx, v.jwksURI, &set); err != nil {
		return err
	}
	v.keys, v.fetched = &set, v.now()
	return nil
}

func (v *jwtVerifier) getJSON(ctx context.Context, url string, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	res, err := v.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(dst); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}

// identityKey carries the verified token's identity from RequireJWT to
// the handler.
var identityKey = gati.NewKey[*Identity]("identity")

// RequireJWT accepts requests whose "Authorization: Bearer" token is a JWT
// access token of the issuer configured in modules.auth.oidc, signed
// RS256 with one of its published keys, for the configured audience, and
// within its validity (exp, nbf). Anything else is a 401 problem with a
// WWW-Authenticate challenge (RFC 6750). When no issuer is configured the
// routes using it answer 503.
//
//gati:middleware
func RequireJWT(next gati.HandlerFunc) gati.HandlerFunc {
	return func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
		v := gati.ModuleOf[*tokenAuth](gctx).jwt
		if v == nil {
			return gati.NewError(http.StatusServiceUnavailable, "jwt_not_configured",
				"JWT authentication is off: set modules.auth.oidc.issuer and audience (or $"+OIDCIssuerEnv+" and $"+OIDCAudienceEnv+")")
		}
		raw, ok := bearer(req.Header("Authorization"))
		if !ok {
			res.Header().Set("WWW-Authenticate", `Bearer realm="tasks"`)
			return gati.NewError(http.StatusUnauthorized, "unauthenticated",
				"send an access token of "+v.issuer+" as Authorization: Bearer <token>")
		}
		id, err := v.verify(lctx.Context(), raw)
		if errors.Is(err, errUnavailable) {
			return &gati.Error{Status: http.StatusServiceUnavailable, Code: "issuer_unavailable",
				Detail: "cannot read the token issuer's keys; try again later", Err: err}
		}
		if err != nil {
			res.Header().Set("WWW-Authenticate", `Bearer realm="tasks", error="invalid_token", error_description="`+quotable(err.Error())+`"`)
			return gati.NewError(http.StatusUnauthorized, "invalid_token", err.Error())
		}
		identityKey.Set(lctx, id)
		return next(req, res, gctx, lctx)
	}
}

// bearer returns the token of an "Authorization: Bearer <token>" header;
// the scheme is case-insensitive.
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	return tok, ok && strings.EqualFold(scheme, "Bearer") && tok != ""
}

// quotable keeps the characters RFC 6750 allows in error_description
// (printable ASCII but " and \), replacing the others with '.
func quotable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '\''
		}
		return r
	}, s)
}
