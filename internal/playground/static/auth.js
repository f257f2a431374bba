// Authentication of the playground's requests: an editor for a request's
// auth settings and the function that applies them before it is sent.
//
//   authEditor(auth, ctx) -> HTMLElement   edits auth in place
//   applyAuth(auth, request, ctx)          mutates request; throws Error
//
// auth is { type: "none" | "bearer" | "basic" | "apikey" | "oauth2", ... }:
//   bearer: { token }   basic: { username, password }
//   apikey: { name, value, in: "header" | "query" }
//   oauth2: { grant: "client_credentials" | "authorization_code", tokenUrl,
//             authUrl, clientId, clientSecret, clientAuth: "basic" | "post",
//             scope, audience, issuer }
// Field values may hold {{variables}}, resolved with ctx.substitute.
// request is { method, url, headers: {name: value}, body }; url may be
// relative to the page's origin. ctx is { substitute(str), envName,
// onChange() }.
//
// OAuth 2.0 runs in the page: client credentials and refresh are POSTs to
// the token endpoint (which must allow this origin with CORS); the
// authorization code grant with PKCE (S256) opens the authorization
// endpoint in a popup, whose redirect to CALLBACK_PATH posts the code back
// to this page. See docs/playground-oauth.md.

/** Path of the page the authorization server redirects the popup to. */
export const CALLBACK_PATH = "/_playground/oauth-callback.html";
/** Type of the messages oauth-callback.js sends. */
export const CALLBACK_MESSAGE = "gati-oauth-callback";
/** BroadcastChannel the callback also posts to, for a popup that lost its opener. */
export const CALLBACK_CHANNEL = "gati-oauth";

/** A token counts as expired this long before its expiry. */
const EXPIRY_MARGIN_MS = 30_000;
/** How long the sign-in popup may take. */
const SIGN_IN_TIMEOUT_MS = 10 * 60_000;
const STORAGE_PREFIX = "gati.playground.oauth:";

export const AUTH_TYPES = [
  ["none", "No auth"],
  ["bearer", "Bearer token"],
  ["basic", "Basic"],
  ["apikey", "API key"],
  ["oauth2", "OAuth 2.0"],
];

const FIELDS = {
  none: [],
  bearer: ["token"],
  basic: ["username", "password"],
  apikey: ["name", "value", "in"],
  oauth2: ["grant", "issuer", "tokenUrl", "authUrl", "clientId", "clientSecret", "clientAuth", "scope", "audience"],
};

// ---------------------------------------------------------------------------
// Applying auth to a request

/**
 * Sets the request's credentials as auth says, resolving {{variables}}
 * with ctx.substitute. For OAuth 2.0 it uses the cached token of ctx.envName,
 * refreshing or obtaining one when needed (the authorization code grant
 * opens a popup: call applyAuth from a click for the browser to allow it).
 */
export async function applyAuth(auth, request, ctx) {
  if (!request.headers) request.headers = {};
  switch (auth?.type ?? "none") {
    case "none":
      return;
    case "bearer": {
      const token = sub(ctx, auth.token).trim();
      if (!token) throw new Error("Bearer auth: the token is empty");
      setHeader(request, "Authorization", "Bearer " + token);
      return;
    }
    case "basic": {
      const user = sub(ctx, auth.username), pass = sub(ctx, auth.password);
      if (!user && !pass) throw new Error("Basic auth: the username and password are empty");
      if (user.includes(":")) throw new Error("Basic auth: the username cannot contain a colon");
      setHeader(request, "Authorization", "Basic " + base64(utf8(user + ":" + pass)));
      return;
    }
    case "apikey": {
      const name = sub(ctx, auth.name).trim(), value = sub(ctx, auth.value);
      if (!name) throw new Error("API key auth: the name is empty");
      if ((auth.in ?? "header") === "query") {
        request.url = setQueryParam(request.url ?? "", name, value);
      } else {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
          throw new Error(`API key auth: ${JSON.stringify(name)} is not a valid header name`);
        }
        setHeader(request, name, value);
      }
      return;
    }
    case "oauth2": {
      const t = await getToken(auth, ctx);
      setHeader(request, "Authorization", "Bearer " + t.accessToken);
      return;
    }
    default:
      throw new Error(`unknown auth type ${JSON.stringify(auth.type)}`);
  }
}

/**
 * Reads a response to a request sent with auth: when it is a 401 whose
 * WWW-Authenticate says the Bearer token is invalid or expired
 * (error="invalid_token"), marks the cached OAuth access token expired and
 * returns true, so the caller may send the request once more (applyAuth
 * then refreshes it, or signs in again). response is a fetch Response or
 * { status, headers } with headers a Headers or a plain object.
 */
export function onUnauthorized(auth, response, ctx) {
  if (auth?.type !== "oauth2" || response?.status !== 401) return false;
  const h = response.headers;
  const www = (typeof h?.get === "function" ? h.get("WWW-Authenticate")
    : Object.entries(h ?? {}).find(([k]) => k.toLowerCase() === "www-authenticate")?.[1]) ?? "";
  if (!/\berror\s*=\s*"?invalid_token/i.test(www)) return false;
  return expireToken(auth, ctx);
}

// ---------------------------------------------------------------------------
// OAuth 2.0 tokens
//
// Tokens are cached per environment and OAuth settings (resolved), so
// switching environment switches token. The cache is this page's memory;
// the access token and its expiry (never the refresh token) are also kept
// in sessionStorage, so reloading the playground keeps a token for the
// rest of its lifetime. sessionStorage is per tab and is emptied when the
// tab closes, so a token outlives neither; localStorage would keep it on
// disk with no end and share it with every tab, and it is not used. The
// refresh token, which can mint tokens long after the access token
// expires, stays in memory only: after a reload, the next expiry means
// signing in again (quick while the provider's session lasts).

const cache = new Map(); // key -> token
const inflight = new Map(); // key -> Promise<token>

/**
 * A token: { accessToken, tokenType, refreshToken, scope, expiresAt (ms
 * since the epoch, or null when unknown), obtainedAt }.
 */

/** Returns a valid token for auth in ctx.envName, obtaining one if needed. */
export async function getToken(auth, ctx, { force = false } = {}) {
  const cfg = oauthConfig(auth, ctx);
  const key = cacheKey(cfg, ctx);
  const current = force ? null : cachedToken(key);
  if (current && !isExpired(current)) return current;
  if (inflight.has(key)) return inflight.get(key);
  const p = (async () => {
    let t = null;
    const old = cachedToken(key);
    if (!force && old?.refreshToken) {
      try {
        t = await refresh(cfg, old);
      } catch (e) {
        if (cfg.grant !== "client_credentials" && !(e instanceof OAuthError && e.code === "invalid_grant")) throw e;
        // an expired or revoked refresh token: start over
      }
    }
    if (!t) t = cfg.grant === "client_credentials" ? await clientCredentials(cfg) : await authorizationCode(cfg);
    storeToken(key, t);
    return t;
  })();
  inflight.set(key, p);
  try {
    return await p;
  } finally {
    inflight.delete(key);
  }
}

/** Returns the cached token of auth in ctx.envName, valid or not, or null. */
export function tokenInfo(auth, ctx) {
  try {
    return cachedToken(cacheKey(oauthConfig(auth, ctx), ctx));
  } catch {
    return null;
  }
}

/** Forgets the cached token of auth in ctx.envName (and its refresh token). */
export function clearToken(auth, ctx) {
  let key;
  try {
    key = cacheKey(oauthConfig(auth, ctx), ctx);
  } catch {
    return;
  }
  cache.delete(key);
  try {
    sessionStorage.removeItem(STORAGE_PREFIX + key);
  } catch { /* storage unavailable */ }
}

/**
 * Marks the cached access token expired, keeping the refresh token, as when
 * the API says the token is no longer valid; returns whether there was one.
 */
export function expireToken(auth, ctx) {
  let key;
  try {
    key = cacheKey(oauthConfig(auth, ctx), ctx);
  } catch {
    return false;
  }
  const t = cachedToken(key);
  if (!t) return false;
  storeToken(key, { ...t, expiresAt: Date.now() - EXPIRY_MARGIN_MS - 1 });
  return true;
}

function isExpired(t) {
  return t.expiresAt != null && Date.now() >= t.expiresAt - EXPIRY_MARGIN_MS;
}

function cacheKey(cfg, ctx) {
  return JSON.stringify([ctx?.envName ?? "", cfg.grant, cfg.tokenUrl, cfg.clientId, cfg.scope, cfg.audience]);
}

function cachedToken(key) {
  if (cache.has(key)) return cache.get(key);
  try {
    const s = sessionStorage.getItem(STORAGE_PREFIX + key);
    if (s) {
      const t = JSON.parse(s);
      if (typeof t?.accessToken === "string") {
        cache.set(key, t);
        return t;
      }
    }
  } catch { /* storage unavailable or damaged */ }
  return null;
}

function storeToken(key, t) {
  cache.set(key, t);
  try {
    const { refreshToken, ...kept } = t; // the refresh token stays in memory
    sessionStorage.setItem(STORAGE_PREFIX + key, JSON.stringify(kept));
  } catch { /* storage unavailable or full: memory is enough */ }
}

/** The resolved, checked OAuth settings of auth. */
function oauthConfig(auth, ctx) {
  const grant = auth.grant || "client_credentials";
  if (grant !== "client_credentials" && grant !== "authorization_code") {
    throw new Error(`OAuth 2.0: unknown grant ${JSON.stringify(grant)}`);
  }
  const cfg = {
    grant,
    tokenUrl: sub(ctx, auth.tokenUrl).trim(),
    authUrl: sub(ctx, auth.authUrl).trim(),
    clientId: sub(ctx, auth.clientId).trim(),
    clientSecret: sub(ctx, auth.clientSecret),
    clientAuth: auth.clientAuth === "post" ? "post" : "basic",
    scope: sub(ctx, auth.scope).trim().split(/\s+/).filter(Boolean).join(" "),
    audience: sub(ctx, auth.audience).trim(),
  };
  if (!cfg.tokenUrl) throw new Error("OAuth 2.0: the token URL is empty");
  cfg.tokenUrl = httpURL(cfg.tokenUrl, "token URL");
  if (!cfg.clientId) throw new Error("OAuth 2.0: the client ID is empty");
  if (grant === "client_credentials" && !cfg.clientSecret) {
    throw new Error("OAuth 2.0: client credentials need a client secret (put it in a {{variable}})");
  }
  if (grant === "authorization_code") {
    if (!cfg.authUrl) throw new Error("OAuth 2.0: the authorization URL is empty");
    cfg.authUrl = httpURL(cfg.authUrl, "authorization URL");
  }
  return cfg;
}

function httpURL(s, what) {
  let u;
  try {
    u = new URL(s, location.href);
  } catch {
    throw new Error(`OAuth 2.0: the ${what} ${JSON.stringify(s)} is not a URL`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new Error(`OAuth 2.0: the ${what} ${JSON.stringify(s)} is not http:// or https://`);
  }
  return u.href;
}

/** An error response of the token or authorization endpoint (RFC 6749 5.2). */
export class OAuthError extends Error {
  constructor(message, code, description) {
    super(message);
    this.name = "OAuthError";
    this.code = code;
    this.description = description;
  }
}

function clientCredentials(cfg) {
  const params = { grant_type: "client_credentials" };
  if (cfg.scope) params.scope = cfg.scope;
  if (cfg.audience) params.audience = cfg.audience;
  return tokenRequest(cfg, params);
}

async function refresh(cfg, old) {
  const t = await tokenRequest(cfg, { grant_type: "refresh_token", refresh_token: old.refreshToken });
  if (!t.refreshToken) t.refreshToken = old.refreshToken; // the server kept it
  return t;
}

/** POSTs params to the token endpoint with the client's credentials. */
async function tokenRequest(cfg, params) {
  const body = new URLSearchParams(params);
  const headers = { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" };
  if (!cfg.clientSecret) {
    body.set("client_id", cfg.clientId); // a public client
  } else if (cfg.clientAuth === "post") {
    body.set("client_id", cfg.clientId);
    body.set("client_secret", cfg.clientSecret);
  } else { // client_secret_basic: each part form-encoded first (RFC 6749 2.3.1)
    headers.Authorization = "Basic " + base64(utf8(formEncode(cfg.clientId) + ":" + formEncode(cfg.clientSecret)));
  }
  let res;
  try {
    res = await fetch(cfg.tokenUrl, { method: "POST", headers, body, credentials: "omit", cache: "no-store" });
  } catch (e) {
    throw await unreachable(cfg.tokenUrl, e);
  }
  const text = await res.text();
  let data = null;
  try {
    data = JSON.parse(text);
  } catch { /* not JSON */ }
  if (data && typeof data.error === "string") {
    const desc = typeof data.error_description === "string" ? data.error_description : "";
    throw new OAuthError(`the token endpoint refused (HTTP ${res.status}): ${data.error}${desc ? ": " + desc : ""}`, data.error, desc);
  }
  if (!res.ok) {
    throw new Error(`the token endpoint answered HTTP ${res.status}${text ? ": " + text.slice(0, 300) : ""}`);
  }
  if (!data || typeof data.access_token !== "string" || !data.access_token) {
    throw new Error("the token endpoint's answer has no access_token" + (data ? "" : ` (not JSON: ${text.slice(0, 120)})`));
  }
  const type = data.token_type ?? "Bearer";
  if (String(type).toLowerCase() !== "bearer") {
    throw new Error(`the token endpoint issued a ${type} token; the playground sends Bearer tokens only`);
  }
  const now = Date.now();
  let expiresAt = null;
  const expiresIn = Number(data.expires_in);
  if (data.expires_in != null && Number.isFinite(expiresIn)) expiresAt = now + expiresIn * 1000;
  else expiresAt = jwtExpiry(data.access_token);
  return {
    accessToken: data.access_token,
    tokenType: "Bearer",
    refreshToken: typeof data.refresh_token === "string" ? data.refresh_token : "",
    scope: typeof data.scope === "string" ? data.scope : "",
    expiresAt,
    obtainedAt: now,
  };
}

/**
 * The error of a fetch that got no response: the browser does not say why,
 * so a no-cors request (whose answer the page cannot read, and which CORS
 * does not block) tells a server that answers but does not allow this
 * origin from one that cannot be reached.
 */
async function unreachable(url, err) {
  let answers = false;
  try {
    await fetch(url, { mode: "no-cors", credentials: "omit", cache: "no-store" });
    answers = true;
  } catch { /* unreachable too */ }
  if (answers) {
    return new Error(`the token endpoint does not allow this origin: ${location.origin} ` +
      `(CORS: ${url} must answer with Access-Control-Allow-Origin: ${location.origin}; ` +
      "register the origin with the authorization server)");
  }
  return new Error(`cannot reach the token endpoint ${url} (${err.message}): is it running, ` +
    "and does the page's Content-Security-Policy allow connecting to it?");
}

/** The exp of a JWT access token, in ms, or null. */
function jwtExpiry(token) {
  try {
    const payload = token.split(".")[1];
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const exp = JSON.parse(json).exp;
    return Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}

// The authorization code grant with PKCE (RFC 7636).

async function authorizationCode(cfg) {
  if (!globalThis.crypto?.subtle) {
    throw new Error("the authorization code grant needs the browser's Web Crypto (for PKCE), which it only offers " +
      "on secure pages: open the playground at http://localhost or http://127.0.0.1, or over https://");
  }
  const verifier = randomString(32);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  const state = randomString(16);
  const redirectURI = location.origin + CALLBACK_PATH;
  const u = new URL(cfg.authUrl);
  u.searchParams.set("response_type", "code");
  u.searchParams.set("client_id", cfg.clientId);
  u.searchParams.set("redirect_uri", redirectURI);
  if (cfg.scope) u.searchParams.set("scope", cfg.scope);
  if (cfg.audience) u.searchParams.set("audience", cfg.audience);
  u.searchParams.set("state", state);
  u.searchParams.set("code_challenge", challenge);
  u.searchParams.set("code_challenge_method", "S256");

  const popup = window.open(u.href, "gati-oauth-" + state, "popup,width=520,height=700");
  if (!popup) {
    throw new Error("the sign-in popup was blocked: allow popups for this page, then click Get token again");
  }
  const code = await waitForCode(popup, state);
  return tokenRequest(cfg, { grant_type: "authorization_code", code, redirect_uri: redirectURI, code_verifier: verifier });
}

/**
 * Waits for oauth-callback.js, in popup, to send back the code for state:
 * by postMessage from this origin (checked) through window.opener, else by
 * a BroadcastChannel of this origin.
 */
function waitForCode(popup, state) {
  return new Promise((resolve, reject) => {
    const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CALLBACK_CHANNEL) : null;
    let closedSince = 0;
    const finish = (err, code) => {
      window.removeEventListener("message", onMessage);
      channel?.close();
      clearInterval(poll);
      clearTimeout(timeout);
      if (err) {
        try {
          popup.close();
        } catch { /* gone */ }
        reject(err);
      } else {
        resolve(code);
      }
    };
    const deliver = (data) => {
      if (data.state !== state) {
        finish(new Error("state mismatch: the sign-in answer does not belong to this sign-in (a stale or forged " +
          "redirect, or another sign-in started meanwhile); click Get token again"));
      } else if (data.error) {
        const desc = data.error_description ? ": " + data.error_description : "";
        finish(new OAuthError(`the authorization server refused: ${data.error}${desc}`, data.error, data.error_description));
      } else if (!data.code) {
        finish(new Error("the authorization server redirected back without a code"));
      } else {
        finish(null, data.code);
      }
    };
    function onMessage(ev) {
      // Only the callback page, served from this origin, speaks for the popup.
      if (ev.origin !== location.origin || ev.data?.type !== CALLBACK_MESSAGE) return;
      if (ev.source !== popup) return; // another window's sign-in
      deliver(ev.data);
    }
    window.addEventListener("message", onMessage);
    if (channel) {
      channel.onmessage = (ev) => {
        // Other tabs' sign-ins use the channel too: only ours is an answer.
        if (ev.data?.type === CALLBACK_MESSAGE && ev.data.state === state) deliver(ev.data);
      };
    }
    const poll = setInterval(() => {
      if (!popup.closed) return;
      // The callback posts, then closes: give its message time to arrive.
      if (!closedSince) closedSince = Date.now();
      else if (Date.now() - closedSince > 1000) finish(new Error("the sign-in window was closed before signing in finished"));
    }, 250);
    const timeout = setTimeout(() => finish(new Error("signing in took too long (10 minutes); click Get token again")),
      SIGN_IN_TIMEOUT_MS);
  });
}

// ---------------------------------------------------------------------------
// The editor

/**
 * Returns a form editing auth in place; it calls ctx.onChange after each
 * change. Switching type keeps the other types' fields in the editor's
 * memory only, so the saved auth holds just the current type's fields.
 */
export function authEditor(auth, ctx) {
  const root = el("div", { class: "auth-editor", "data-auth": "editor" });
  const stash = {}; // fields of the types switched away from
  const changed = () => ctx?.onChange?.();

  const typeSelect = el("select", { "data-auth": "type", "aria-label": "Authentication type" },
    AUTH_TYPES.map(([v, label]) => el("option", { value: v }, label)));
  typeSelect.value = FIELDS[auth.type] ? auth.type : "none";
  const body = el("div", { class: "auth-fields" });
  root.append(el("label", { class: "auth-type" }, "Auth ", typeSelect), body);

  typeSelect.addEventListener("change", () => {
    const from = auth.type ?? "none", to = typeSelect.value;
    stash[from] = Object.fromEntries((FIELDS[from] ?? []).filter((f) => f in auth).map((f) => [f, auth[f]]));
    for (const k of Object.keys(auth)) if (k !== "type") delete auth[k];
    auth.type = to;
    Object.assign(auth, stash[to] ?? defaults(to));
    render();
    changed();
  });

  let stopTicker = null;
  function render() {
    stopTicker?.();
    stopTicker = null;
    body.replaceChildren();
    const type = auth.type ?? "none";
    if (!auth.type) auth.type = "none";
    switch (type) {
      case "none":
        body.append(el("p", { class: "auth-hint" }, "The request is sent without credentials."));
        break;
      case "bearer":
        body.append(field(auth, "token", "Token", { secret: true, placeholder: "{{token}}" }, changed));
        break;
      case "basic":
        body.append(field(auth, "username", "Username", {}, changed),
          field(auth, "password", "Password", { secret: true, placeholder: "{{password}}" }, changed));
        break;
      case "apikey":
        if (!auth.in) auth.in = "header";
        body.append(field(auth, "name", "Name", { placeholder: "X-API-Key" }, changed),
          field(auth, "value", "Value", { secret: true, placeholder: "{{api_key}}" }, changed),
          choice(auth, "in", "Send in", [["header", "Header"], ["query", "Query parameter"]], changed));
        break;
      case "oauth2":
        stopTicker = oauthFields(body, auth, ctx, changed, render);
        break;
    }
  }
  render();
  return root;
}

function defaults(type) {
  if (type === "apikey") return { in: "header" };
  if (type === "oauth2") return { grant: "client_credentials", clientAuth: "basic" };
  return {};
}

function oauthFields(body, auth, ctx, changed, rerender) {
  if (!auth.grant) auth.grant = "client_credentials";
  const code = auth.grant === "authorization_code";
  const discoverBtn = el("button", { type: "button", "data-auth": "discover" }, "Discover");
  const issuer = field(auth, "issuer", "Issuer", { placeholder: "https://login.example.com" }, changed);
  issuer.append(discoverBtn);
  body.append(
    choice(auth, "grant", "Grant", [["client_credentials", "Client credentials"], ["authorization_code", "Authorization code (PKCE)"]],
      () => { changed(); rerender(); }),
    issuer,
    code ? field(auth, "authUrl", "Authorization URL", { placeholder: "https://login.example.com/authorize" }, changed) : "",
    field(auth, "tokenUrl", "Token URL", { placeholder: "https://login.example.com/oauth/token" }, changed),
    field(auth, "clientId", "Client ID", {}, changed),
    field(auth, "clientSecret", code ? "Client secret (none for a public client)" : "Client secret",
      { secret: true, placeholder: "{{client_secret}}" }, changed),
    choice(auth, "clientAuth", "Send the secret", [["basic", "HTTP Basic (client_secret_basic)"], ["post", "In the body (client_secret_post)"]], changed),
    field(auth, "scope", "Scope", { placeholder: code ? "openid offline_access" : "" }, changed),
    field(auth, "audience", "Audience (optional)", {}, changed),
  );
  if (code) {
    body.append(el("p", { class: "auth-hint" }, "Redirect URI to register with the authorization server: ",
      el("code", { "data-auth": "redirect-uri" }, location.origin + CALLBACK_PATH)));
  }

  const status = el("span", { class: "auth-token-status", "data-auth": "token-status", "aria-live": "polite" });
  const error = el("p", { class: "auth-error", "data-auth": "error", role: "alert", hidden: "" });
  const getBtn = el("button", { type: "button", "data-auth": "get-token" }, "Get token");
  const clearBtn = el("button", { type: "button", "data-auth": "clear-token" }, "Clear token");
  body.append(el("div", { class: "auth-token" }, getBtn, clearBtn, status), error);

  const showError = (e) => {
    error.textContent = e ? e.message : "";
    error.hidden = !e;
  };
  const update = () => {
    const t = tokenInfo(auth, ctx);
    const env = ctx?.envName ? ` for ${ctx.envName}` : "";
    if (!t) {
      status.textContent = "No token" + env;
      status.dataset.state = "none";
      return;
    }
    const tail = "…" + t.accessToken.slice(-6);
    if (t.expiresAt == null) {
      status.textContent = `Token ${tail}${env}, expiry unknown`;
      status.dataset.state = "valid";
    } else if (isExpired(t)) {
      status.textContent = `Token ${tail}${env} expired${t.refreshToken ? " (will be refreshed)" : ""}`;
      status.dataset.state = "expired";
    } else {
      status.textContent = `Token ${tail}${env} expires in ${duration(t.expiresAt - Date.now())} (${new Date(t.expiresAt).toLocaleTimeString()})`;
      status.dataset.state = "valid";
    }
  };
  getBtn.addEventListener("click", async () => {
    showError(null);
    getBtn.disabled = true;
    status.textContent = auth.grant === "authorization_code" ? "Signing in…" : "Getting a token…";
    try {
      await getToken(auth, ctx, { force: true });
    } catch (e) {
      showError(e);
    } finally {
      getBtn.disabled = false;
      update();
    }
  });
  clearBtn.addEventListener("click", () => {
    clearToken(auth, ctx);
    showError(null);
    update();
  });
  discoverBtn.addEventListener("click", async () => {
    showError(null);
    try {
      await discover(auth, ctx);
      changed();
      rerender();
    } catch (e) {
      showError(e);
    }
  });

  update();
  // Keep the expiry current while the editor is on the page.
  let seen = false;
  const ticker = setInterval(() => {
    if (body.isConnected) {
      seen = true;
      update();
    } else if (seen) {
      clearInterval(ticker);
    }
  }, 1000);
  return () => clearInterval(ticker);
}

/** Fills authUrl and tokenUrl from the issuer's discovery document. */
async function discover(auth, ctx) {
  const issuer = sub(ctx, auth.issuer).trim().replace(/\/+$/, "");
  if (!issuer) throw new Error("Discover: enter the issuer URL first");
  const url = httpURL(issuer, "issuer").replace(/\/+$/, "") + "/.well-known/openid-configuration";
  let res;
  try {
    res = await fetch(url, { credentials: "omit", headers: { Accept: "application/json" } });
  } catch (e) {
    const err = await unreachable(url, e);
    throw new Error("Discover: " + err.message.replace("the token endpoint", "the issuer"));
  }
  if (!res.ok) throw new Error(`Discover: ${url} answered HTTP ${res.status}`);
  const doc = await res.json().catch(() => null);
  if (!doc?.token_endpoint) throw new Error(`Discover: ${url} names no token_endpoint`);
  auth.tokenUrl = doc.token_endpoint;
  if (doc.authorization_endpoint) auth.authUrl = doc.authorization_endpoint;
}

function field(auth, name, label, { secret = false, placeholder = "" } = {}, changed) {
  const input = el("input", {
    "data-auth-field": name, type: secret ? "password" : "text", placeholder,
    autocomplete: "off", spellcheck: "false",
  });
  input.value = auth[name] ?? "";
  const wrap = el("label", { class: "auth-field" }, el("span", {}, label), input);
  let hint = null;
  if (secret) {
    hint = el("span", { class: "auth-hint", "data-auth-hint": name, hidden: "" },
      "Saved with the request: put secrets in a {{variable}} of the environment.");
    wrap.append(hint);
  }
  const sync = () => {
    if (hint) hint.hidden = !input.value || input.value.includes("{{");
  };
  input.addEventListener("input", () => {
    auth[name] = input.value;
    sync();
    changed();
  });
  sync();
  return wrap;
}

function choice(auth, name, label, options, changed) {
  const select = el("select", { "data-auth-field": name }, options.map(([v, l]) => el("option", { value: v }, l)));
  select.value = auth[name] ?? options[0][0];
  auth[name] = select.value;
  select.addEventListener("change", () => {
    auth[name] = select.value;
    changed();
  });
  return el("label", { class: "auth-field" }, el("span", {}, label), select);
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children.flat()) if (c !== "" && c != null) e.append(c);
  return e;
}

function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

// ---------------------------------------------------------------------------
// Helpers

function sub(ctx, v) {
  const s = v == null ? "" : String(v);
  return ctx?.substitute ? String(ctx.substitute(s) ?? "") : s;
}

function setHeader(request, name, value) {
  for (const k of Object.keys(request.headers)) {
    if (k.toLowerCase() === name.toLowerCase()) delete request.headers[k];
  }
  request.headers[name] = value;
}

/** Sets name=value in url's query, replacing any value of name, leaving the rest of url as written. */
function setQueryParam(url, name, value) {
  const hashAt = url.indexOf("#");
  const hash = hashAt >= 0 ? url.slice(hashAt) : "";
  const rest = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const qAt = rest.indexOf("?");
  const path = qAt >= 0 ? rest.slice(0, qAt) : rest;
  const pairs = qAt >= 0 ? rest.slice(qAt + 1).split("&").filter(Boolean) : [];
  const kept = pairs.filter((p) => {
    const k = p.split("=")[0];
    let decoded = k;
    try {
      decoded = decodeURIComponent(k.replace(/\+/g, " "));
    } catch { /* keep as written */ }
    return decoded !== name;
  });
  kept.push(encodeURIComponent(name) + "=" + encodeURIComponent(value));
  return path + "?" + kept.join("&") + hash;
}

function formEncode(s) {
  return encodeURIComponent(s).replace(/%20/g, "+");
}

function utf8(s) {
  return new TextEncoder().encode(s);
}

function base64(bytes) {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function base64url(bytes) {
  return base64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(n) {
  return base64url(crypto.getRandomValues(new Uint8Array(n)));
}
