// The history of requests sent from this browser, newest first, kept in
// the origin's localStorage so it survives a reload. An entry holds the
// request as the builder had it, before {{variables}} were substituted
// and before authentication was applied: a token that came from an
// environment's secrets or from an OAuth 2.0 sign-in is never stored, and
// a credential typed into the auth editor is kept only as a {{reference}}.

const KEY = "gati.playground.history";
const MAX = 100;
// A body larger than this is not kept; the entry says so.
const MAX_BODY = 32 * 1024;
// CREDENTIALS are the auth fields that hold a secret.
const CREDENTIALS = ["token", "password", "value", "clientSecret"];
const REFERENCE = /^\{\{\s*[^{}\s]+\s*\}\}$/;

/** entries returns the history, newest first. */
export function entries() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(list) ? list : [];
  } catch {
    return []; // unreadable: start over rather than fail the page
  }
}

/**
 * record adds a sent request: request is collection.Request's JSON (with
 * its {{variables}}), outcome is { status, ms } or { error }.
 */
export function record(request, outcome) {
  const req = { ...request };
  if (req.auth) {
    req.auth = { ...req.auth };
    for (const k of CREDENTIALS) if (req.auth[k] && !REFERENCE.test(req.auth[k])) delete req.auth[k];
  }
  let bodyDropped = false;
  if ((req.body || "").length > MAX_BODY) {
    req.body = "";
    bodyDropped = true;
  }
  const entry = { at: new Date().toISOString(), request: req, bodyDropped, ...outcome };
  const list = [entry, ...entries()].slice(0, MAX);
  try {
    localStorage.setItem(KEY, JSON.stringify(list));
  } catch {
    // Storage full or disabled: drop the oldest half and try once more.
    try { localStorage.setItem(KEY, JSON.stringify(list.slice(0, MAX / 2))); } catch { /* history off */ }
  }
  return entry;
}

export function clear() {
  localStorage.removeItem(KEY);
}
