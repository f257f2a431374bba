// Package oidctest starts a real OAuth 2.0 / OpenID Connect provider on
// loopback for tests.
//
// The protocol is zitadel's OpenID Provider ([github.com/zitadel/oidc/v3/pkg/op]);
// this package supplies only its in-memory storage, one user, two clients
// and a minimal login form. [Start] serves it over plain HTTP on
// 127.0.0.1 and stops it when the test ends.
//
// # Clients
//
//   - [Provider.ClientCredentials]: a confidential client (client_secret_basic
//     or client_secret_post) allowed only the client_credentials grant.
//   - [Provider.PKCE]: a public client (no secret) for the authorization code
//     grant with PKCE (S256); it gets a refresh token when it asks for the
//     offline_access scope, and may use the refresh_token grant.
//
// # Tokens
//
// Access tokens are RS256 JWTs signed with the key published at the
// provider's jwks_uri. Their iss is [Provider.Issuer], their aud is the
// client ID (and [Options.Audience] when set), sub is the user's ID
// ([UserSubject]) for the code flow and the client ID for
// client_credentials, and jti, client_id, iat, nbf and exp are set. Scopes are not carried in the JWT; the token response lists them.
//
// A test whose app starts after the provider (its address then known)
// registers it with [Provider.AddRedirectURI] and [Provider.AllowOrigin].
//
// # Login
//
// The authorization endpoint redirects to /login, an HTML form posting
// username, password and authRequestID back to /login. A wrong password
// renders the form again with status 401.
package oidctest
