package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"os"
	"strings"

	"gati.dev/gati"
)

// TokenEnv names the environment variable that overrides
// modules.auth.token, so production keeps the secret out of gati.yaml.
const TokenEnv = "TASKS_TOKEN"

// tokenAuth is the "auth" module: it holds the bearer token that
// RequireToken checks. The token comes from $TASKS_TOKEN, else from
// modules.auth.token in gati.yaml; the app refuses to start without one.
//
// It also holds the verifier of JWT access tokens that RequireJWT uses,
// configured by modules.auth.oidc (see jwt.go); nil when that is off.
type tokenAuth struct {
	token []byte
	jwt   *jwtVerifier
}

func (*tokenAuth) ModuleInfo() gati.ModuleInfo { return gati.ModuleInfo{Name: "auth"} }

func (a *tokenAuth) Init(_ context.Context, mc *gati.ModuleContext) error {
	var cfg struct {
		Token string     `yaml:"token"`
		OIDC  oidcConfig `yaml:"oidc"`
	}
	if err := mc.DecodeConfig(&cfg); err != nil {
		return err
	}
	if env := os.Getenv(TokenEnv); env != "" {
		cfg.Token = env
	}
	if cfg.Token == "" {
		return errors.New("no API token: set $" + TokenEnv + " or modules.auth.token in gati.yaml")
	}
	a.token = []byte(cfg.Token)
	v, err := newJWTVerifier(cfg.OIDC)
	if err != nil {
		return err
	}
	if v != nil {
		mc.Logger().Info("JWT authentication on", "issuer", v.issuer, "audience", v.audience)
	}
	a.jwt = v
	return nil
}

// RequireToken rejects requests without "Authorization: Bearer <token>"
// with a 401 problem. Routes opt in with use=RequireToken.
//
//gati:middleware
func RequireToken(next gati.HandlerFunc) gati.HandlerFunc {
	return func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
		want := gati.ModuleOf[*tokenAuth](gctx).token
		got, ok := strings.CutPrefix(req.Header("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			res.Header().Set("WWW-Authenticate", `Bearer realm="tasks"`)
			return gati.NewError(http.StatusUnauthorized, "unauthenticated", "send the API token as Authorization: Bearer <token>")
		}
		return next(req, res, gctx, lctx)
	}
}
