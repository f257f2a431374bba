// The playground UI: a route explorer over GET api/routes and a request
// builder that calls the app on the same origin, with environments and
// their {{variables}}, authentication (auth.js), pre-request and
// post-response scripts run in a sandboxed worker (sandbox.js) and a
// WebSocket tester (ws.js). Plain ES modules, no build.

import { authEditor, applyAuth } from "./auth.js";
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
const envs = { list: [], active: "", values: {}, files: false };
const FILES = "api/files/";
const filesHeaders = { "X-Gati-Playground": "1" };

async function loadEnvironments() {
  try {
    const res = await fetch(FILES, { headers: filesHeaders });
    if (!res.ok) throw new Error(String(res.status));
    const idx = await res.json();
    envs.files = true;
    envs.list = idx.environments.map((e) => e.name);
    envs.defs = Object.fromEntries(idx.environments.map((e) => [e.name, e]));
    if (idx.errors.length) showMessage("Some playground files were not loaded: " + idx.errors.map((e) => e.text).join("; "));
  } catch {
    envs.files = false; // the app runs on its own: no file API
  }
  if (!envs.list.length) envs.list = ["local"];
  const picker = $("#env");
  picker.replaceChildren(...envs.list.map((n) => el("option", { value: n }, n)));
  picker.addEventListener("change", () => activate(picker.value));
  await activate(envs.list[0]);
}

async function activate(name) {
  envs.active = name;
  const def = envs.defs?.[name];
  const values = { ...(def?.variables || {}) };
  if (envs.files && def?.secrets?.length) {
    const res = await fetch(FILES + "secrets/" + encodeURIComponent(name), { headers: filesHeaders });
    if (res.ok) Object.assign(values, (await res.json()).values);
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

function select(i) {
  const r = doc.routes[i];
  state.selected = r;
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
  $("#detail").replaceChildren(
    el("h2", {}, el("span", { class: "method m-" + (r.method || "ANY") }, r.method || "ANY"), " ", el("span", { class: "path" }, r.path), ...badges(vs)),
    info, ...schemas, builder(r));
}

function builder(r) {
  const method = r.method || "GET";
  state.auth = { type: "none" };
  const params = pathParams(r.path).map((name) => el("label", {}, name + " ", el("input", { "data-param": name, value: name === "id" ? "1" : "" })));
  const versions = doc.versions?.versions || [];
  const versionPicker = versions.length ? el("label", {}, "X-API-Version ",
    el("select", { id: "version" }, el("option", { value: "" }, "(default: " + doc.versions.default + ")"),
      versions.map((v) => el("option", { value: v.id }, v.id + (v.status !== "active" ? " — " + v.status : ""))))) : null;
  const hasBody = !["GET", "HEAD", "DELETE"].includes(method);
  const body = r.request ? JSON.stringify(example(r.request, r.request), null, 2) : "{}";
  const form = el("form", { id: "builder", onsubmit: (ev) => { ev.preventDefault(); send(r, form); } },
    el("fieldset", {}, el("legend", {}, "Request"),
      el("label", {}, el("span", { class: "method m-" + method }, method), " ", el("span", { class: "path" }, r.path)),
      params, versionPicker,
      el("label", {}, "query (name=value, one a line)", el("textarea", { id: "query", rows: "2" })),
      el("label", {}, "headers (Name: value, one a line)", el("textarea", { id: "headers", rows: "2" })),
      hasBody ? el("label", {}, "body", el("textarea", { id: "body", rows: "8" }, body)) : null,
      el("details", { id: "auth-section" }, el("summary", {}, "Authentication"), authEditor(state.auth, ctx)),
      el("details", { id: "scripts" }, el("summary", {}, "Scripts"),
        el("label", {}, "pre-request script", el("textarea", { id: "pre-script", rows: "4", spellcheck: "false" })),
        el("label", {}, "post-response script", el("textarea", { id: "post-script", rows: "4", spellcheck: "false" }))),
      el("button", { id: "send", type: "submit" }, "Send"),
      method === "GET" ? el("button", { id: "open-ws", type: "button", onclick: () => openWS(r, form) }, "WebSocket…") : null),
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

function fillPath(r, form) {
  return r.path.replace(/\{([A-Za-z0-9_]+)(\.\.\.)?\}/g, (_, name, rest) => {
    const v = form.querySelector(`[data-param="${name}"]`).value;
    return rest ? v.split("/").map(encodeURIComponent).join("/") : encodeURIComponent(v);
  });
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

async function send(r, form) {
  let path = fillPath(r, form);
  const q = new URLSearchParams();
  for (const line of form.querySelector("#query").value.split("\n")) {
    const [k, ...v] = line.split("=");
    if (k.trim()) q.append(k.trim(), v.join("=").trim());
  }
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
    return;
  }
  const ms = performance.now() - start;
  out.replaceChildren(...responseView(res, text, ms));
  if (post.trim()) {
    const response = { status: res.status, statusText: res.statusText, headers: Object.fromEntries(res.headers), body: text, timeMs: ms };
    const result = await runScript(post, { phase: "post", request: req, response, variables: envs.values }, { name: "post-response script" });
    showScript(results, "post-response script", result);
    if (result.ok) envs.values = result.variables;
  }
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
  document.body.dataset.state = "ready";
}

main();
