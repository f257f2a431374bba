// The playground UI: a route explorer over GET api/routes and a request
// builder that calls the app on the same origin, with environments and
// their {{variables}}, authentication (auth.js), pre-request and
// post-response scripts run in a sandboxed worker (sandbox.js) and a
// WebSocket tester (ws.js). Under gati dev, the saved requests and
// environments of .gati/playground/ come from its file API (files.js),
// and a request can be saved there and exported; every request sent is
// kept in the browser's history (history.js). Plain ES modules, no build.

import { authEditor, applyAuth } from "./auth.js";
import { files, loadIndex, secrets, saveRequest, deleteRequest, saveEnvironment, exportRequests, slug } from "./files.js";
import * as history from "./history.js";
import { runScript } from "./sandbox.js";
import { wsPanel } from "./ws.js";

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids.flat()) if (k != null) e.append(k);
  return e;
}

function showMessage(text) {
  const m = $("#message");
  m.textContent = text;
  m.hidden = !text;
}

let doc = { routes: [] };
const state = { selected: null, items: [] };

// Environments: from gati dev's file API (.gati/playground/environments/)
// when the app runs under gati dev, else a "local" one kept in this tab.
// Only the active environment's values are ever handed to a script.
const envs = { list: [], active: "", values: {}, defs: {} };

// loadFiles reads the file API's index (null without one), shows the
// files it could not read and renders the saved requests.
async function loadFiles() {
  const idx = await loadIndex();
  envs.defs = Object.fromEntries((idx?.environments || []).map((e) => [e.name, e]));
  renderSaved();
  if (idx?.errors.length) showMessage("Some playground files were not loaded (see Saved): " + idx.errors.map((e) => e.text).join("; "));
  return idx;
}

async function loadEnvironments() {
  const idx = await loadFiles();
  listEnvironments(idx);
  $("#env").addEventListener("change", (ev) => activate(ev.target.value));
  $("#env-edit").addEventListener("click", editEnvironment);
  await activate(envs.list[0]);
}

function listEnvironments(idx) {
  envs.list = (idx?.environments || []).map((e) => e.name);
  if (!envs.list.length) envs.list = ["local"];
  $("#env").replaceChildren(...envs.list.map((n) => el("option", { value: n }, n)));
}

// editEnvironment opens the environment editor on the active one. Under
// gati dev it saves to the environment's file and its secrets' values to
// the git-ignored .secrets/ folder; otherwise the values live in the tab.
async function editEnvironment() {
  const dialog = $("#env-dialog");
  const status = dialog.querySelector("#env-status");
  const report = (state, text) => { status.dataset.state = state; status.textContent = text; };
  report("", "");
  const nameInput = dialog.querySelector("#env-name");
  nameInput.value = envs.active;
  nameInput.disabled = !files.available;
  dialog.querySelector("#env-where").textContent = files.available
    ? "Variables go to .gati/playground/environments/<name>.yaml, which you commit; a secret's value goes to .gati/playground/.secrets/<name>.yaml, which git ignores. A new name makes a new environment."
    : "The app runs without gati dev: these values live in this tab only.";
  let rows = Object.entries(envs.values).map(([k, v]) => [k, v, false]);
  const def = envs.defs[envs.active];
  if (files.available && def) {
    let values = {};
    try { values = await secrets(envs.active); } catch (err) { report("error", "The secrets were not loaded: " + err.message); }
    rows = [...Object.entries(def.variables || {}).map(([k, v]) => [k, v, false]), ...(def.secrets || []).map((k) => [k, values[k] ?? "", true])];
  }
  const tbody = dialog.querySelector("#env-vars tbody");
  const row = (name = "", value = "", secret = false) => {
    const valueInput = el("input", { type: secret ? "password" : "text", class: "env-var-value", value, autocomplete: "off", spellcheck: "false" });
    const tr = el("tr", { class: "env-row" },
      el("td", {}, el("input", { type: "text", class: "env-var-name", value: name, autocomplete: "off", spellcheck: "false" })),
      el("td", {}, valueInput),
      el("td", {}, el("input", { type: "checkbox", class: "env-var-secret", ...(secret ? { checked: "" } : {}), onchange: (ev) => { valueInput.type = ev.target.checked ? "password" : "text"; } })),
      el("td", {}, el("button", { type: "button", class: "small danger", title: "Remove", onclick: () => tr.remove() }, "×")));
    return tr;
  };
  tbody.replaceChildren(...rows.map((r) => row(...r)));
  dialog.querySelector("#env-add").onclick = () => tbody.append(row());
  dialog.querySelector("#env-save").onclick = async () => {
    const variables = {}, secretValues = {};
    for (const tr of tbody.querySelectorAll(".env-row")) {
      const name = tr.querySelector(".env-var-name").value.trim();
      if (!name) continue;
      if (name in variables || name in secretValues) return report("error", "Not saved: " + name + " is there twice.");
      (tr.querySelector(".env-var-secret").checked ? secretValues : variables)[name] = tr.querySelector(".env-var-value").value;
    }
    if (!files.available) {
      envs.values = { ...variables, ...secretValues };
      return report("saved", "Kept in this tab.");
    }
    const name = nameInput.value.trim();
    try {
      const saved = await saveEnvironment(name, variables, secretValues);
      listEnvironments(await loadFiles());
      await activate(name);
      report("saved", "Saved to " + saved.file + (Object.keys(secretValues).length ? ", secrets to " + saved.secrets : ""));
    } catch (err) {
      report("error", "Not saved: " + err.message);
    }
  };
  if (!dialog.open) dialog.showModal();
}

async function activate(name) {
  envs.active = name;
  const def = envs.defs[name];
  const values = { ...(def?.variables || {}) };
  if (files.available && def?.secrets?.length) {
    try {
      Object.assign(values, await secrets(name));
    } catch (err) {
      showMessage("The secrets of environment " + name + " were not loaded: " + err.message);
    }
  }
  envs.values = values;
  $("#env").value = name;
  document.body.dataset.env = name;
}

// substitute replaces {{name}} with the active environment's value.
function substitute(str) {
  return String(str ?? "").replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (m, name) => (name in envs.values ? envs.values[name] : m));
}

// routeVersions lists the versions that changed a route (or that an older
// implementation of it starts at), and the deprecated or sunset versions
// before the newest of them, which still see the route's older shape.
function routeVersions(r) {
  const vs = doc.versions ? doc.versions.versions : []; // newest first
  const touched = (v) => (v.routes || []).includes(r.pattern) || (r.older || []).some((o) => o.until === v.id);
  const newest = vs.findIndex(touched);
  if (newest < 0) return [];
  return vs.filter((v, i) => touched(v) || (i > newest && v.status !== "active"));
}

function badges(vs) {
  return vs.filter((v) => v.status !== "active").map((v) => el("span", { class: "badge " + v.status, title: v.status + (v.sunset ? ", sunset " + v.sunset : "") }, v.id + " " + v.status));
}

function renderList() {
  const ul = $("#routes");
  const frag = document.createDocumentFragment();
  state.items = doc.routes.map((r, i) => {
    const vs = routeVersions(r);
    const li = el("li", { "data-index": i, "data-method": r.method || "ANY", "data-path": r.path },
      el("span", { class: "method m-" + (r.method || "ANY") }, r.method || "ANY"), " ",
      el("span", { class: "path" }, r.path), ...badges(vs),
      r.kind === "websocket" || r.kind === "sse" ? el("span", { class: "badge stream", "data-kind": r.kind }, r.kind === "sse" ? "SSE" : "WebSocket") : null,
      el("div", { class: "src" }, r.source + (r.handler ? " · " + r.handler : "")));
    frag.append(li);
    return { li, text: [r.method, r.path, r.handler, r.source, r.name, ...vs.map((v) => v.id + " " + v.status)].join(" ").toLowerCase() };
  });
  ul.replaceChildren(frag);
  ul.addEventListener("click", (ev) => {
    const li = ev.target.closest("li");
    if (li) select(Number(li.dataset.index));
  });
  $("#route-count").textContent = doc.routes.length + " routes";
  document.body.dataset.routes = String(doc.routes.length);
}

function filter(q) {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const it of state.items) {
    const match = words.every((w) => it.text.includes(w));
    it.li.hidden = !match;
    if (match) shown++;
  }
  $("#route-count").textContent = shown === state.items.length ? shown + " routes" : shown + " of " + state.items.length + " routes";
}

// example builds a value that matches schema s, resolving $ref in root.
function example(s, root, depth = 0) {
  if (!s || depth > 8) return null;
  if (s.$ref) return example(root.$defs?.[s.$ref.replace("#/$defs/", "")], root, depth + 1);
  if (s.examples?.length) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (s.enum?.length) return s.enum[0];
  const t = Array.isArray(s.type) ? s.type.find((x) => x !== "null") : s.type;
  switch (t) {
    case "object": {
      const o = {};
      for (const [k, v] of Object.entries(s.properties || {})) o[k] = example(v, root, depth + 1);
      return o;
    }
    case "array": return [];
    case "string":
      if (s.format === "date-time") return new Date(0).toISOString();
      if (s.format === "uuid") return "00000000-0000-0000-0000-000000000000";
      return "x".repeat(Math.max(s.minLength || 0, 1));
    case "integer": case "number": return s.minimum ?? 0;
    case "boolean": return false;
  }
  return null;
}

function pathParams(path) {
  return [...path.matchAll(/\{([A-Za-z0-9_]+)(\.\.\.)?\}/g)].map((m) => m[1]);
}

// matchRoute finds the route that answers method and path, the most
// specific one (most literal characters) when several do, with its path
// parameters' values.
function matchRoute(method, path) {
  let best = null;
  doc.routes.forEach((r, index) => {
    if (r.method && r.method !== method) return;
    r.regexp ??= new RegExp("^" + r.path.split(/(\{[A-Za-z0-9_]+(?:\.\.\.)?\})/).map((part) =>
      part.startsWith("{") ? (part.endsWith("...}") ? "(.*)" : "([^/]+)") : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("") + "$");
    const m = path.match(r.regexp);
    if (!m) return;
    const literal = r.path.replace(/\{[^}]*\}/g, "").length + (r.method ? 1 : 0);
    if (best && best.literal >= literal) return;
    const names = pathParams(r.path);
    const params = Object.fromEntries(names.map((n, i) => [n, safeDecode(m[i + 1])]));
    best = { index, params, literal };
  });
  return best;
}

function safeDecode(s) {
  try { return decodeURIComponent(s); } catch { return s; }
}

// splitURL takes a saved request's URL apart: a leading {{variable}} (the
// environment's baseUrl) or origin is dropped, as the playground sends to
// the app it is served by; the query string becomes name/value pairs.
function splitURL(url) {
  let rest = String(url || "").replace(/^\{\{[^{}]+\}\}/, "").replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "");
  const q = rest.indexOf("?");
  const query = q < 0 ? [] : [...new URLSearchParams(rest.slice(q + 1))];
  if (q >= 0) rest = rest.slice(0, q);
  return { path: rest || "/", query };
}

// openRequest fills the builder with a saved request or a history entry,
// on the route that answers it.
function openRequest(req, origin) {
  const { path, query } = splitURL(req.url);
  const match = matchRoute(req.method, path);
  if (!match) {
    showMessage((req.name ? req.name + ": " : "") + "no route of this app answers " + req.method + " " + path + ".");
    return false;
  }
  showMessage("");
  select(match.index, { ...req, origin, params: match.params, query: [...query, ...Object.entries(req.query || {})] });
  return true;
}

function select(i, preset = null) {
  const r = doc.routes[i];
  state.selected = r;
  state.loaded = preset;
  for (const it of state.items) it.li.classList.toggle("selected", it.li.dataset.index === String(i));
  const vs = routeVersions(r);
  const info = el("dl", {},
    el("dt", {}, "source"), el("dd", {}, r.source),
    el("dt", {}, "handler"), el("dd", {}, r.handler || "—"),
    el("dt", {}, "kind"), el("dd", {}, r.kind),
    el("dt", {}, "status"), el("dd", {}, String(r.status)),
    r.timeout ? [el("dt", {}, "timeout"), el("dd", {}, r.timeout)] : null,
    r.middleware?.length ? [el("dt", {}, "middleware"), el("dd", {}, r.middleware.join(", "))] : null,
    r.params?.length ? [el("dt", {}, "parameters"), el("dd", {}, r.params.map((p) => p.in + ":" + p.name + (p.required ? "*" : "")).join(", "))] : null,
    vs.length ? [el("dt", {}, "versions"), el("dd", {}, vs.map((v) => v.id + " (" + v.status + ")").join(", "))] : null,
    r.older?.length ? [el("dt", {}, "older"), el("dd", {}, r.older.map((o) => "until " + o.until + " at " + o.source).join(", "))] : null);
  const schemas = [["request schema", r.request], ["response schema", r.response]].filter(([, s]) => s)
    .map(([name, s]) => el("details", {}, el("summary", {}, name), el("pre", {}, JSON.stringify(s, null, 2))));
  $("#detail").replaceChildren(...[
    el("h2", {}, el("span", { class: "method m-" + (r.method || "ANY") }, r.method || "ANY"), " ", el("span", { class: "path" }, r.path), ...badges(vs)),
    preset ? loadedNote(preset) : null,
    info, ...schemas, builder(r, preset || {})].filter(Boolean));
}

function loadedNote(p) {
  const where = p.origin === "saved" ? "Saved request " + p.collection + "/" + p.slug + ".yaml" : "From the history, sent " + new Date(p.at).toLocaleString();
  return el("p", { id: "loaded", class: "muted", "data-origin": p.origin }, where + (p.name ? " — " + p.name : ""),
    p.expect ? " · expects " + describeExpect(p.expect) : "");
}

function describeExpect(x) {
  const parts = [];
  if (x.status) parts.push("status " + x.status);
  const n = Object.keys(x.json || {}).length + Object.keys(x.headers || {}).length;
  if (n) parts.push(n + " value" + (n > 1 ? "s" : ""));
  return parts.join(" and ");
}

const lines = (pairs, sep) => pairs.map(([k, v]) => k + sep + v).join("\n");

function builder(r, p) {
  const method = r.method || p.method || "GET";
  state.auth = p.auth ? { ...p.auth } : { type: "none" };
  const params = pathParams(r.path).map((name) => el("label", {}, name + " ",
    el("input", { "data-param": name, value: p.params?.[name] ?? (name === "id" ? "1" : "") })));
  const versions = doc.versions?.versions || [];
  const versionPicker = versions.length ? el("label", {}, "X-API-Version ",
    el("select", { id: "version" }, el("option", { value: "" }, "(default: " + doc.versions.default + ")"),
      versions.map((v) => el("option", { value: v.id }, v.id + (v.status !== "active" ? " — " + v.status : ""))))) : null;
  if (versionPicker && p.version) versionPicker.querySelector("select").value = p.version;
  const hasBody = !["GET", "HEAD", "DELETE"].includes(method);
  const body = p.body ?? (r.request ? JSON.stringify(example(r.request, r.request), null, 2) : "{}");
  const collections = files.index?.collections.map((c) => c.name) || [];
  const noFiles = files.available ? {} : { disabled: "", title: "Run the app with gati dev to save to and export from .gati/playground/" };
  const form = el("form", { id: "builder", onsubmit: (ev) => { ev.preventDefault(); send(r, form); } },
    el("fieldset", {}, el("legend", {}, "Request"),
      el("label", {}, el("span", { class: "method m-" + method }, method), " ", el("span", { class: "path" }, r.path)),
      params, versionPicker,
      el("label", {}, "query (name=value, one a line)", el("textarea", { id: "query", rows: "2" }, lines(p.query || [], "="))),
      el("label", {}, "headers (Name: value, one a line)", el("textarea", { id: "headers", rows: "2" }, lines(Object.entries(p.headers || {}), ": "))),
      hasBody ? el("label", {}, "body", el("textarea", { id: "body", rows: "8" }, body)) : null,
      el("details", { id: "auth-section", ...(state.auth.type !== "none" ? { open: "" } : {}) }, el("summary", {}, "Authentication"), authEditor(state.auth, ctx)),
      el("details", { id: "scripts", ...(p.scripts ? { open: "" } : {}) }, el("summary", {}, "Scripts"),
        el("label", {}, "pre-request script", el("textarea", { id: "pre-script", rows: "4", spellcheck: "false" }, p.scripts?.pre || "")),
        el("label", {}, "post-response script", el("textarea", { id: "post-script", rows: "4", spellcheck: "false" }, p.scripts?.post || ""))),
      el("button", { id: "send", type: "submit" }, "Send"),
      method === "GET" && doc.wsRelay ? el("button", { id: "open-ws", type: "button", onclick: () => openWS(r, form) }, "WebSocket…") : null,
      el("button", { id: "export", type: "button", class: "secondary", ...noFiles, onclick: () => exportDialog([currentRequest(r, form)], "this request") }, "Export…")),
    el("fieldset", { id: "save-section" }, el("legend", {}, "Save to .gati/playground/"),
      el("label", { class: "inline" }, "collection ", el("input", { id: "save-collection", list: "collection-names", value: p.collection || collections[0] || "requests", ...noFiles })),
      el("datalist", { id: "collection-names" }, collections.map((c) => el("option", { value: c }))),
      el("label", { class: "inline" }, "name ", el("input", { id: "save-name", value: p.name || method + " " + r.path, ...noFiles })),
      el("button", { id: "save", type: "button", class: "secondary", ...noFiles, onclick: () => save(r, form) }, "Save"),
      el("span", { id: "save-status", class: "muted" }, files.available ? "" : noFiles.title)),
    el("section", { id: "script-results" }),
    el("section", { id: "response" }),
    el("section", { id: "ws" }));
  return form;
}

const ctx = { substitute, get envName() { return envs.active; }, onChange() {} };

function openWS(r, form) {
  const wctx = {
    path: () => substitute(fillPath(r, form)),
    version: () => form.querySelector("#version")?.value || "",
    headers: () => headerLines(form).map(([k, v]) => [k, substitute(v)]),
    substitute,
  };
  form.querySelector("#ws").replaceChildren(wsPanel(r, wctx));
}

function headerLines(form) {
  const out = [];
  for (const line of form.querySelector("#headers").value.split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) out.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
  }
  return out;
}

function queryLines(form) {
  const out = [];
  for (const line of form.querySelector("#query").value.split("\n")) {
    const [k, ...v] = line.split("=");
    if (k.trim()) out.push([k.trim(), v.join("=").trim()]);
  }
  return out;
}

// fillPath puts the path parameters' values in r's pattern, escaped, but
// for {{variables}}, left for substitute.
function fillPath(r, form) {
  const escape = (v) => v.split(/(\{\{[^{}]+\}\})/).map((part, i) => (i % 2 ? part : encodeURIComponent(part))).join("");
  return r.path.replace(/\{([A-Za-z0-9_]+)(\.\.\.)?\}/g, (_, name, rest) => {
    const v = form.querySelector(`[data-param="${name}"]`).value;
    return rest ? v.split("/").map(escape).join("/") : escape(v);
  });
}

// AUTH_KEYS are the fields a saved request's auth may hold
// (collection.Auth's JSON).
const AUTH_KEYS = ["token", "username", "password", "name", "value", "in", "grant", "issuer", "tokenUrl", "authUrl",
  "clientId", "clientSecret", "clientAuth", "scope", "audience"];

// currentRequest is the builder's request as a saved request
// (collection.Request's JSON), {{variables}} unresolved, sent to
// {{baseUrl}}.
function currentRequest(r, form) {
  const method = r.method || "GET";
  const pre = form.querySelector("#pre-script").value, post = form.querySelector("#post-script").value;
  const req = {
    name: form.querySelector("#save-name").value.trim() || method + " " + r.path,
    method, url: "{{baseUrl}}" + fillPath(r, form),
    headers: Object.fromEntries(headerLines(form)), query: Object.fromEntries(queryLines(form)),
    body: form.querySelector("#body")?.value || "",
    collection: state.loaded?.collection || "", slug: state.loaded?.slug || "",
  };
  const version = form.querySelector("#version")?.value;
  if (version) req.version = version;
  if (state.auth.type !== "none") req.auth = Object.fromEntries([["type", state.auth.type], ...AUTH_KEYS.filter((k) => state.auth[k]).map((k) => [k, state.auth[k]])]);
  if (pre.trim() || post.trim()) req.scripts = { pre: pre.trim() ? pre : undefined, post: post.trim() ? post : undefined };
  if (state.loaded?.expect) req.expect = state.loaded.expect;
  return req;
}

// save writes the builder's request to <collection>/<slug>.yaml: the file
// it was opened from when its collection and name are unchanged, else a
// new one, never over another request's file.
async function save(r, form) {
  const status = form.querySelector("#save-status");
  const report = (state, text) => { status.dataset.state = state; status.textContent = text; };
  const req = currentRequest(r, form);
  req.collection = form.querySelector("#save-collection").value.trim();
  if (!req.collection) return report("error", "Not saved: name the collection.");
  const same = state.loaded?.origin === "saved" && state.loaded.collection === req.collection && state.loaded.name === req.name;
  req.slug = same ? state.loaded.slug : slug(req.name);
  const taken = files.index?.collections.find((c) => c.name === req.collection)?.requests.find((x) => x.slug === req.slug);
  if (taken && !same) return report("error", `Not saved: ${req.collection}/${req.slug}.yaml holds "${taken.name}". Open it from Saved to change it, or choose another name.`);
  try {
    const file = await saveRequest(req);
    state.loaded = { ...req, origin: "saved" };
    report("saved", "Saved to " + file);
    await loadFiles();
  } catch (err) {
    report("error", "Not saved: " + err.message);
  }
}

// exportDialog shows requests exported to the format picked in the dialog.
async function exportDialog(requests, what) {
  const dialog = $("#export-dialog");
  const picker = dialog.querySelector("#export-format");
  const out = dialog.querySelector("#export-output");
  dialog.querySelector("#export-what").textContent = what;
  const run = async () => {
    out.textContent = "Exporting…";
    out.dataset.state = "busy";
    try {
      out.textContent = await exportRequests(picker.value, envs.defs[envs.active] ? envs.active : "", requests);
      out.dataset.state = "done";
    } catch (err) {
      out.textContent = "Not exported: " + err.message;
      out.dataset.state = "error";
    }
  };
  picker.onchange = run;
  dialog.querySelector("#export-copy").onclick = () => navigator.clipboard?.writeText(out.textContent);
  if (!dialog.open) dialog.showModal();
  await run();
}

// showScript lists a script run's outcome: its error with the line, its
// tests and its log. Everything from the script is text, never HTML.
function showScript(out, label, result) {
  const items = [];
  if (result.error) {
    const at = result.error.line ? " (line " + result.error.line + (result.error.column ? ":" + result.error.column : "") + ")" : "";
    items.push(el("li", { class: "script-error", "data-phase": label }, label + ": " + (result.timedOut ? "stopped: " : "") + result.error.message + at));
  }
  for (const t of result.tests || []) {
    items.push(el("li", { class: "test " + (t.passed ? "pass" : "fail"), "data-passed": String(t.passed) },
      (t.passed ? "✓ " : "✗ ") + t.name + (t.error ? ": " + t.error : "")));
  }
  for (const l of result.logs || []) items.push(el("li", { class: "log muted" }, l));
  if (items.length) out.append(el("h3", {}, label), el("ul", {}, items));
}

// checkExpect runs a saved request's declarative expectations (as the
// exported tests do) on the response.
function checkExpect(x, res, text) {
  const tests = [];
  const t = (name, passed, error) => tests.push({ name, passed, error: passed ? "" : error });
  if (x.status) t("status is " + x.status, res.status === x.status, "got " + res.status);
  for (const [name, want] of Object.entries(x.headers || {})) {
    const got = res.headers.get(name) ?? "";
    t(name + " is " + want, got === want || got.startsWith(want + ";"), got ? "got " + got : "absent");
  }
  const pointers = Object.entries(x.json || {});
  if (pointers.length) {
    let body;
    try { body = JSON.parse(text); } catch { body = undefined; }
    for (const [ptr, want] of pointers) {
      const got = pointer(body, ptr);
      t(ptr + " is " + JSON.stringify(want), sameJSON(got, want), got === undefined ? "absent" : "got " + JSON.stringify(got));
    }
  }
  return { tests };
}

// pointer resolves a JSON pointer (RFC 6901) in v; undefined when absent.
function pointer(v, ptr) {
  for (const raw of ptr.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (v === null || typeof v !== "object" || !(key in v)) return undefined;
    v = v[key];
  }
  return v;
}

function sameJSON(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => k in b && sameJSON(a[k], b[k]));
}

async function send(r, form) {
  const saved = currentRequest(r, form);
  let path = fillPath(r, form);
  const q = new URLSearchParams(queryLines(form));
  if ([...q].length) path += "?" + q;
  const request = { method: r.method || "GET", url: path, headers: Object.fromEntries(headerLines(form)), body: form.querySelector("#body")?.value || "" };
  const version = form.querySelector("#version")?.value;
  if (version) request.headers["X-API-Version"] = version;
  const out = form.querySelector("#response");
  const results = form.querySelector("#script-results");
  results.replaceChildren();
  const pre = form.querySelector("#pre-script").value, post = form.querySelector("#post-script").value;
  let req = request;
  if (pre.trim()) {
    const res = await runScript(pre, { phase: "pre", request, variables: envs.values }, { name: "pre-request script" });
    showScript(results, "pre-request script", res);
    if (!res.ok) {
      out.replaceChildren(el("div", { class: "problem", id: "not-sent" }, "Not sent: the pre-request script failed."));
      return;
    }
    envs.values = res.variables;
    req = res.request;
  }
  req = { ...req, url: substitute(req.url), body: substitute(req.body),
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [substitute(k), substitute(v)])) };
  out.replaceChildren(el("p", { class: "muted" }, "Sending…"));
  try {
    await applyAuth(state.auth, req, ctx);
  } catch (err) {
    out.replaceChildren(el("div", { class: "problem", id: "auth-error" }, "Authentication: " + err.message));
    return;
  }
  const headers = new Headers(req.headers);
  const init = { method: req.method, headers };
  if (req.body.trim() && !["GET", "HEAD"].includes(req.method)) {
    init.body = req.body;
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  const start = performance.now();
  let res, text;
  try {
    res = await fetch(req.url, init);
    text = await res.text();
  } catch (err) {
    out.replaceChildren(el("div", { class: "problem" }, "The request failed: " + err.message + ". Is the app running?"));
    remember(saved, { error: err.message });
    return;
  }
  const ms = performance.now() - start;
  out.replaceChildren(...responseView(res, text, ms));
  remember(saved, { status: res.status, ms: Math.round(ms * 10) / 10 });
  if (state.loaded?.expect) showScript(results, "expectations", checkExpect(state.loaded.expect, res, text));
  if (post.trim()) {
    const response = { status: res.status, statusText: res.statusText, headers: Object.fromEntries(res.headers), body: text, timeMs: ms };
    const result = await runScript(post, { phase: "post", request: req, response, variables: envs.values }, { name: "post-response script" });
    showScript(results, "post-response script", result);
    if (result.ok) envs.values = result.variables;
  }
}

function remember(req, outcome) {
  history.record(req, outcome);
  renderHistory();
}

// renderSaved lists the saved requests by collection, and the files that
// could not be read, each with its line.
function renderSaved() {
  const panel = $("#panel-saved");
  if (!files.available) {
    panel.replaceChildren(el("p", { class: "hint", id: "saved-unavailable" },
      "Saved requests live in .gati/playground/ beside the app's code. Run the app with gati dev to open, save and export them here."));
    return;
  }
  const idx = files.index;
  const errors = idx.errors.length ? el("ul", { id: "file-errors", class: "problem" }, idx.errors.map((e) => el("li", { "data-file": e.file || "" }, e.text))) : null;
  const colls = idx.collections.map((c) => el("section", { class: "collection", "data-collection": c.name },
    el("h3", {}, c.name, " ", el("button", { type: "button", class: "small secondary", "data-export": c.name, onclick: () => exportDialog(c.requests, "collection " + c.name) }, "Export…")),
    el("ul", { class: "saved" }, c.requests.map((rq) => el("li", { "data-collection": c.name, "data-slug": rq.slug },
      el("span", { class: "open", onclick: () => openRequest(rq, "saved") },
        el("span", { class: "method m-" + rq.method }, rq.method), " ", rq.name || rq.slug,
        el("div", { class: "src" }, idx.dir + "/" + c.name + "/" + rq.slug + ".yaml")),
      el("button", { type: "button", class: "small danger", title: "Delete " + c.name + "/" + rq.slug + ".yaml", onclick: () => removeSaved(c.name, rq) }, "×"))))));
  panel.replaceChildren(...[errors, ...colls].filter(Boolean));
  if (!colls.length) panel.append(el("p", { class: "hint" }, "No saved requests yet: build one on a route and Save it."));
}

async function removeSaved(coll, rq) {
  if (!confirm("Delete " + coll + "/" + rq.slug + ".yaml (" + (rq.name || rq.slug) + ")?")) return;
  try {
    await deleteRequest(coll, rq.slug);
    await loadFiles();
  } catch (err) {
    showMessage("Not deleted: " + err.message);
  }
}

function renderHistory() {
  const list = history.entries();
  const items = list.map((h, i) => {
    const { path } = splitURL(h.request.url);
    const outcome = h.error ? el("span", { class: "status-err" }, "failed") : el("span", { class: h.status < 400 ? "status-ok" : "status-err" }, String(h.status));
    return el("li", { "data-index": i, "data-status": String(h.status ?? ""), onclick: () => openRequest({ ...h.request, at: h.at }, "history") },
      outcome, " ", el("span", { class: "method m-" + h.request.method }, h.request.method), " ", el("span", { class: "path" }, path),
      el("div", { class: "src" }, new Date(h.at).toLocaleTimeString() + (h.ms != null ? " · " + h.ms + " ms" : "") + (h.request.version ? " · " + h.request.version : "") + (h.error ? " · " + h.error : "")));
  });
  $("#panel-history").replaceChildren(
    el("p", {}, el("button", { type: "button", id: "clear-history", class: "small secondary", onclick: () => { history.clear(); renderHistory(); } }, "Clear history"),
      " ", el("span", { class: "muted" }, list.length + " in this browser")),
    el("ul", { id: "history" }, items));
}

function showTab(name) {
  for (const b of document.querySelectorAll("#tabs [data-tab]")) b.setAttribute("aria-selected", String(b.dataset.tab === name));
  for (const p of document.querySelectorAll("#explorer .panel")) p.hidden = p.id !== "panel-" + name;
}

function responseView(res, text, ms) {
  const type = res.headers.get("Content-Type") || "";
  let body = text, parsed = null;
  if (type.includes("json")) {
    try { parsed = JSON.parse(text); body = JSON.stringify(parsed, null, 2); } catch { /* shown as text */ }
  }
  const hdrs = [...res.headers].map(([k, v]) => k + ": " + v).join("\n");
  const view = [
    el("p", {}, el("strong", { id: "status", class: res.ok ? "status-ok" : "status-err" }, res.status + " " + res.statusText), " ", el("span", { id: "timing", class: "muted" }, ms.toFixed(1) + " ms")),
    el("details", { open: "" }, el("summary", {}, "headers"), el("pre", { id: "resp-headers" }, hdrs)),
  ];
  if (type.includes("problem+json") && parsed) {
    view.push(el("div", { class: "problem", id: "problem" },
      el("strong", {}, parsed.title || "error"), parsed.code ? " (" + parsed.code + ")" : "", el("div", {}, parsed.detail || ""),
      parsed.errors?.length ? el("ul", {}, parsed.errors.map((e) => el("li", {}, el("code", {}, e.pointer || ""), " " + (e.detail || e.code || "")))) : null));
  }
  view.push(el("pre", { id: "resp-body" }, body));
  return view;
}

async function main() {
  const environmentsLoaded = loadEnvironments(); // beside the route list
  try {
    const res = await fetch("api/routes", { headers: { Accept: "application/json" } });
    if (!res.ok) throw new Error("GET api/routes answered " + res.status + " " + (await res.text()).slice(0, 300));
    doc = await res.json();
  } catch (err) {
    showMessage("The playground cannot reach the app's route list: " + err.message);
    document.body.dataset.state = "error";
    return;
  }
  $("#app-name").textContent = [doc.app, doc.env].filter(Boolean).join(" · ");
  renderList();
  await environmentsLoaded;
  $("#filter").addEventListener("input", (ev) => filter(ev.target.value));
  for (const b of document.querySelectorAll("#tabs [data-tab]")) b.addEventListener("click", () => showTab(b.dataset.tab));
  renderHistory();
  document.body.dataset.state = "ready";
}

main();
