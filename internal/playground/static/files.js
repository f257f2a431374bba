// The playground's files, through the API gati dev serves at
// /_playground/api/files/ (cmd/gati/internal/playground/filesapi): the
// saved requests and environments under .gati/playground/, saving and
// deleting requests, and exporting them. An app run on its own has no
// file API: available() is then false and the UI says how to get one.

const BASE = "api/files/";
// A page of another origin cannot send this header without a CORS
// preflight the file API never grants.
const HEADERS = { "X-Gati-Playground": "1" };

export const files = { available: false, index: null };

// problemText is the detail of a problem+json answer, else its status.
async function problemText(res) {
  const text = await res.text();
  try {
    const p = JSON.parse(text);
    return p.detail || p.title || res.status + " " + res.statusText;
  } catch {
    return res.status + " " + res.statusText + (text ? ": " + text.slice(0, 300) : "");
  }
}

async function call(method, path, body) {
  const init = { method, headers: { ...HEADERS } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const res = await fetch(BASE + path, init);
  if (!res.ok) throw new Error(await problemText(res));
  return res;
}

/**
 * Loads the index: collections with their requests, environments (names of
 * secrets only) and the files that could not be read, each with its line.
 * Resolves to null when there is no file API.
 */
export async function loadIndex() {
  let res;
  try {
    res = await fetch(BASE, { headers: HEADERS });
  } catch {
    res = null;
  }
  if (!res?.ok || !(res.headers.get("Content-Type") || "").includes("json")) {
    files.available = false;
    files.index = null;
    return null;
  }
  files.available = true;
  files.index = await res.json();
  return files.index;
}

/** The secret values of environment name, from its git-ignored file. */
export async function secrets(name) {
  const res = await call("GET", "secrets/" + encodeURIComponent(name));
  return (await res.json()).values || {};
}

/** Saves request (collection.Request's JSON) to <collection>/<slug>.yaml; resolves to that file. */
export async function saveRequest(request) {
  const res = await call("PUT", "requests/" + encodeURIComponent(request.collection) + "/" + encodeURIComponent(request.slug), request);
  return (await res.json()).file;
}

export async function deleteRequest(collection, slug) {
  await call("DELETE", "requests/" + encodeURIComponent(collection) + "/" + encodeURIComponent(slug));
}

/**
 * Saves environment name: its variables to environments/<name>.yaml with
 * the secrets' names, the secrets' values to the git-ignored .secrets/.
 */
export async function saveEnvironment(name, variables, secretValues) {
  const res = await call("PUT", "environments/" + encodeURIComponent(name), { variables, secrets: secretValues });
  return res.json();
}

/** Exports requests to format (curl, go, ts, js) with environment's values; resolves to the text. */
export async function exportRequests(format, environment, requests) {
  const res = await call("POST", "export", { format, environment, requests });
  return res.text();
}

/** slug turns a request's name into a file name: lower case, a-z, 0-9 and dashes. */
export function slug(name) {
  return String(name).toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80) || "request";
}
