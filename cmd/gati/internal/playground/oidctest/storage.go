package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// UserSubject is the sub claim of tokens issued to [Provider.User].
const UserSubject = "user-1"

var errNotFound = errors.New("oidctest: not found")

// storage keeps clients, the user, requests and tokens in memory; it
// implements [op.Storage] and [op.ClientCredentialsStorage].
type storage struct {
	clients       map[string]*client
	username      string
	password      string
	tokenLifetime time.Duration
	apiAudience   string // added to every token's aud when set
	key           signingKey

	mu            sync.Mutex
	authRequests  map[string]*authRequest
	codes         map[string]string // code -> auth request ID
	accessTokens  map[string]accessToken
	refreshTokens map[string]*refreshToken
}

type accessToken struct {
	subject    string
	clientID   string
	scopes     []string
	expiration time.Time
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.ClientCredentialsStorage  = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
)

func newStorage(clients []*client, username, password string, lifetime time.Duration, audience string) (*storage, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	s := &storage{
		clients:       make(map[string]*client),
		username:      username,
		password:      password,
		tokenLifetime: lifetime,
		apiAudience:   audience,
		key:           signingKey{id: rand.Text(), key: key},
		authRequests:  make(map[string]*authRequest),
		codes:         make(map[string]string),
		accessTokens:  make(map[string]accessToken),
		refreshTokens: make(map[string]*refreshToken),
	}
	for _, c := range clients {
		s.clients[c.id] = c
	}
	return s, nil
}

// audience is the aud of the tokens of clientID.
func (s *storage) audience(clientID string) []string {
	if s.apiAudience == "" || s.apiAudience == clientID {
		return []string{clientID}
	}
	return []string{clientID, s.apiAudience}
}

// login completes the auth request id when the credentials are the user's.
func (s *storage) login(id, username, password string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.authRequests[id]
	if !ok {
		return errNotFound
	}
	if username != s.username || password != s.password {
		return errors.New("oidctest: wrong username or password")
	}
	req.subject = UserSubject
	req.authTime = time.Now()
	return nil
}

func (s *storage) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if len(r.Prompt) == 1 && r.Prompt[0] == oidc.PromptNone {
		return nil, oidc.ErrLoginRequired()
	}
	req := newAuthRequest(rand.Text(), r)
	req.audience = s.audience(r.ClientID)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authRequests[req.id] = req
	return req, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.authRequests[id]
	if !ok {
		return nil, errNotFound
	}
	return req, nil
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	s.mu.Unlock()
	if !ok {
		return nil, errNotFound
	}
	return s.AuthRequestByID(ctx, id)
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.authRequests, id)
	for code, reqID := range s.codes {
		if reqID == id {
			delete(s.codes, code)
		}
	}
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, r op.TokenRequest) (string, time.Time, error) {
	id, exp := s.newAccessToken(r)
	return id, exp, nil
}

func (s *storage) newAccessToken(r op.TokenRequest) (string, time.Time) {
	t := accessToken{
		subject:    r.GetSubject(),
		scopes:     r.GetScopes(),
		expiration: time.Now().Add(s.tokenLifetime),
	}
	switch c := r.(type) {
	case interface{ GetClientID() string }:
		t.clientID = c.GetClientID()
	case *oidc.JWTTokenRequest: // client_credentials: the client is the subject
		t.clientID = c.Subject
	}
	id := rand.Text()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accessTokens[id] = t
	return id, t.expiration
}

func (s *storage) CreateAccessAndRefreshTokens(_ context.Context, r op.TokenRequest, current string) (string, string, time.Time, error) {
	rt := &refreshToken{token: rand.Text(), subject: r.GetSubject(), scopes: r.GetScopes(), audience: r.GetAudience()}
	switch req := r.(type) {
	case *authRequest:
		rt.clientID, rt.authTime, rt.amr = req.clientID, req.authTime, req.GetAMR()
	case *refreshToken:
		rt.clientID, rt.authTime, rt.amr = req.clientID, req.authTime, req.amr
	default:
		return "", "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	id, exp := s.newAccessToken(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if current != "" {
		if _, ok := s.refreshTokens[current]; !ok {
			return "", "", time.Time{}, op.ErrInvalidRefreshToken
		}
		delete(s.refreshTokens, current) // rotation: each refresh token is used once
	}
	s.refreshTokens[rt.token] = rt
	return id, rt.token, exp, nil
}

func (s *storage) TokenRequestByRefreshToken(_ context.Context, token string) (op.RefreshTokenRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refreshTokens[token]
	if !ok {
		return nil, op.ErrInvalidRefreshToken
	}
	cp := *rt
	return &cp, nil
}

func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, rt := range s.refreshTokens {
		if rt.subject == userID && rt.clientID == clientID {
			delete(s.refreshTokens, k)
		}
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(_ context.Context, _ string, token string) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refreshTokens[token]
	if !ok {
		return "", "", op.ErrInvalidRefreshToken
	}
	return rt.subject, rt.token, nil
}

func (s *storage) RevokeToken(_ context.Context, tokenOrID, _ string, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.accessTokens[tokenOrID]; ok && t.clientID == clientID {
		delete(s.accessTokens, tokenOrID)
	}
	if rt, ok := s.refreshTokens[tokenOrID]; ok && rt.clientID == clientID {
		delete(s.refreshTokens, tokenOrID)
	}
	return nil
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return &s.key, nil }

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{&s.key}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	c, ok := s.clients[id]
	if !ok {
		return nil, errNotFound
	}
	return c, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	_, err := s.confidential(id, secret)
	return err
}

// confidential returns the client id when it has a secret and secret is it.
func (s *storage) confidential(id, secret string) (*client, error) {
	c, ok := s.clients[id]
	if !ok || c.secret == "" || c.secret != secret {
		return nil, errors.New("oidctest: unknown client or wrong secret")
	}
	return c, nil
}

func (s *storage) ClientCredentials(_ context.Context, id, secret string) (op.Client, error) {
	return s.confidential(id, secret)
}

func (s *storage) ClientCredentialsTokenRequest(_ context.Context, id string, scopes []string) (op.TokenRequest, error) {
	return &oidc.JWTTokenRequest{Subject: id, Audience: s.audience(id), Scopes: scopes}, nil
}

// SetUserinfoFromScopes is deprecated in op.Storage; see SetUserinfoFromRequest.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, r op.IDTokenRequest, scopes []string) error {
	s.setUserinfo(info, r.GetSubject(), scopes)
	return nil
}

func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, _, _ string) error {
	s.mu.Lock()
	t, ok := s.accessTokens[tokenID]
	s.mu.Unlock()
	if !ok || time.Now().After(t.expiration) {
		return errors.New("oidctest: token invalid or expired")
	}
	s.setUserinfo(info, t.subject, t.scopes)
	return nil
}

func (s *storage) setUserinfo(info *oidc.UserInfo, subject string, scopes []string) {
	info.Subject = subject
	if subject != UserSubject {
		return
	}
	for _, scope := range scopes {
		switch scope {
		case oidc.ScopeProfile:
			info.PreferredUsername = s.username
			info.Name = s.username
		case oidc.ScopeEmail:
			info.Email = s.username + "@example.test"
			info.EmailVerified = true
		}
	}
}

func (s *storage) SetIntrospectionFromToken(_ context.Context, r *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	s.mu.Lock()
	t, ok := s.accessTokens[tokenID]
	s.mu.Unlock()
	if !ok || time.Now().After(t.expiration) {
		return errors.New("oidctest: token invalid or expired")
	}
	r.Subject = subject
	r.ClientID = t.clientID
	r.Scope = t.scopes
	r.Expiration = oidc.FromTime(t.expiration)
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID would serve private_key_jwt client authentication and
// the JWT profile grant, which the fixture does not offer.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotFound
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNotFound
}

func (s *storage) Health(context.Context) error { return nil }

// signingKey is the provider's RS256 key; it implements [op.SigningKey].
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is the public half published at the jwks_uri; it implements [op.Key].
type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.key.PublicKey }
