// The playground's script sandbox. runScript runs one pre-request or
// post-response script in a fresh dedicated worker (sandbox-worker.js,
// which the app serves under a Content-Security-Policy that refuses every
// network and script load), terminates it when it is done or when its
// time is up, and checks everything the worker sends back. The script
// sees only what input carries: pass the active environment's variables,
// never another's. The API a script sees is in docs/playground-scripts.md;
// why a worker, in docs/design/playground-sandbox.md.

// The worker's script, next to this module: /_playground/sandbox-worker.js.
const WORKER_URL = new URL("sandbox-worker.js", import.meta.url);

// Limits on what crosses between the page and a script (sizes in UTF-16
// code units). The worker enforces the same ones and says so to the
// script; these are checked again here, since nothing the worker sends
// is trusted.
export const limits = Object.freeze({
  timeoutMs: 1000, // the default time a script may run
  // The most a caller may ask for. The time limit is also what bounds a
  // script's memory: Chromium has no heap limit for one worker, and a
  // worker that fills its V8 heap (about 4 GiB) crashes the page's whole
  // renderer process. See docs/design/playground-sandbox.md.
  maxTimeoutMs: 2000,
  startMs: 10000, // for the browser to load and start the worker
  logs: 1000,
  logChars: 10000,
  logTotal: 1 << 20,
  variables: 1000,
  variableName: 256,
  variableChars: 256 << 10,
  variableTotal: 1 << 20,
  tests: 1000,
  testName: 500,
  message: 2000,
  headers: 200,
  headerChars: 16 << 10,
  bodyChars: 8 << 20,
  result: 16 << 20,
});

const str = (v) => (v == null ? "" : String(v));
const clip = (s, n) => (s.length > n ? s.slice(0, n) + "… (" + (s.length - n) + " more characters)" : s);
const isObj = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

function copyHeaders(h) {
  const out = {};
  if (isObj(h)) for (const [k, v] of Object.entries(h)) out[str(k)] = str(v);
  return out;
}

function copyRequest(r) {
  r = isObj(r) ? r : {};
  return { method: str(r.method || "GET"), url: str(r.url), headers: copyHeaders(r.headers), body: str(r.body) };
}

function copyVariables(v) {
  const out = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) out[str(k)] = str(x);
  return out;
}

// Checked copies of what the worker sent: the right types, within limits,
// or nothing.
function checkedRequest(r) {
  if (!isObj(r) || !isObj(r.headers)) return null;
  if (typeof r.method !== "string" || !/^[A-Z]{1,20}$/.test(r.method)) return null;
  if (typeof r.url !== "string" || r.url.length > 64 << 10) return null;
  if (typeof r.body !== "string" || r.body.length > limits.bodyChars) return null;
  const hs = Object.entries(r.headers);
  if (hs.length > limits.headers) return null;
  const headers = {};
  for (const [k, v] of hs) {
    if (typeof v !== "string" || v.length > limits.headerChars || /[\r\n\0]/.test(v) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) return null;
    headers[k] = v;
  }
  return { method: r.method, url: r.url, headers, body: r.body };
}

function checkedVariables(v) {
  if (!isObj(v)) return null;
  const es = Object.entries(v);
  if (es.length > limits.variables) return null;
  const out = {};
  let total = 0;
  for (const [k, x] of es) {
    if (typeof x !== "string" || k.length === 0 || k.length > limits.variableName || x.length > limits.variableChars) return null;
    total += k.length + x.length;
    out[k] = x;
  }
  return total <= limits.variableTotal ? out : null;
}

function checkedError(e) {
  const out = { message: clip(isObj(e) ? str(e.message) : "the script failed", limits.message) || "the script failed" };
  if (isObj(e) && Number.isSafeInteger(e.line) && e.line > 0) {
    out.line = e.line;
    if (Number.isSafeInteger(e.column) && e.column > 0) out.column = e.column;
  }
  return out;
}

function checkedTests(ts) {
  if (!Array.isArray(ts)) return [];
  return ts.slice(0, limits.tests).filter(isObj).map((t) => {
    const out = { name: clip(str(t.name), limits.testName), passed: t.passed === true };
    if (!out.passed) {
      out.error = clip(str(t.error) || "failed", limits.message);
      if (Number.isSafeInteger(t.line) && t.line > 0) out.line = t.line;
    }
    return out;
  });
}

/**
 * runScript runs a pre-request or post-response script in a sandbox and
 * resolves (never rejects) to its outcome.
 *
 * input = { phase: "pre" | "post",
 *           request: { method, url, headers: {name: value}, body },
 *           response?: { status, statusText, headers, body, timeMs }, // post only
 *           variables: {name: value} } // only the active environment's
 * opts  = { timeoutMs = 1000, name = "pre-request script" }
 *
 * The outcome: { ok, error?: {message, line?, column?}, timedOut?, request,
 * variables, tests: [{name, passed, error?, line?}], logs: [string],
 * timeMs }. A script that fails (ok false) changes nothing: request and
 * variables are then the input's.
 */
export async function runScript(code, input, opts = {}) {
  input = isObj(input) ? input : {};
  opts = isObj(opts) ? opts : {};
  const phase = input.phase === "post" ? "post" : "pre";
  const name = str(opts.name || (phase === "post" ? "post-response script" : "pre-request script"));
  let timeoutMs = Number(opts.timeoutMs ?? limits.timeoutMs);
  if (!(timeoutMs > 0)) timeoutMs = limits.timeoutMs;
  timeoutMs = Math.min(timeoutMs, limits.maxTimeoutMs);
  // Only these fields cross into the worker, as plain strings.
  const request = copyRequest(input.request);
  const variables = copyVariables(input.variables);
  const message = { phase, code: str(code), request, variables };
  if (phase === "post") {
    const r = isObj(input.response) ? input.response : {};
    message.response = { status: Number(r.status) || 0, statusText: str(r.statusText), headers: copyHeaders(r.headers), body: str(r.body), timeMs: Number(r.timeMs) || 0 };
  }

  return new Promise((resolve) => {
    const logs = [];
    let logChars = 0;
    let started = 0;
    let worker = null;
    let timer = 0;
    let done = false;

    const end = (outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (worker) worker.terminate();
      const out = { ok: false, request, variables, tests: [], logs, timeMs: started ? Math.round(performance.now() - started) : 0 };
      if (outcome.ok === true) {
        out.ok = true;
        out.request = phase === "pre" ? outcome.request : request;
        out.variables = outcome.variables;
      } else {
        out.error = outcome.error;
        if (outcome.timedOut) out.timedOut = true;
      }
      out.tests = outcome.tests || [];
      resolve(out);
    };
    const fail = (msg, extra = {}) => end({ ok: false, error: { message: name + ": " + msg }, ...extra });

    const onDone = (json) => {
      if (typeof json !== "string" || json.length > limits.result) return fail("the sandbox sent an answer that is not valid");
      let r;
      try {
        r = JSON.parse(json);
      } catch {
        return fail("the sandbox sent an answer that is not valid");
      }
      if (!isObj(r)) return fail("the sandbox sent an answer that is not valid");
      const tests = checkedTests(r.tests);
      if (r.ok !== true) return end({ ok: false, error: checkedError(r.error), tests });
      const req = checkedRequest(r.request);
      const vars = checkedVariables(r.variables);
      if (!req || !vars) return fail("the script's request or variables are not valid or exceed the limits", { tests });
      end({ ok: true, request: req, variables: vars, tests });
    };

    try {
      worker = new Worker(WORKER_URL, { name });
    } catch (e) {
      return fail("cannot start the sandbox: " + str(e && e.message));
    }
    timer = setTimeout(() => fail("the sandbox did not start within " + limits.startMs + " ms"), limits.startMs);
    worker.onmessage = (ev) => {
      const m = ev.data;
      if (done || !isObj(m)) return;
      switch (m.t) {
        case "start":
          started = performance.now();
          clearTimeout(timer);
          timer = setTimeout(() => {
            end({ ok: false, timedOut: true, error: { message: name + " did not finish within " + timeoutMs + " ms and was stopped (an endless loop, a promise that never settles, or memory that keeps growing?)" } });
          }, timeoutMs);
          break;
        case "log":
          if (typeof m.line === "string" && logs.length <= limits.logs && logChars + Math.min(m.line.length, limits.logChars) <= limits.logTotal + 200) {
            const line = clip(m.line, limits.logChars);
            logs.push(line);
            logChars += line.length;
          }
          break;
        case "done":
          onDone(m.json);
          break;
      }
    };
    // The worker failed to load or to start (an error it did not handle).
    worker.onerror = (ev) => {
      ev.preventDefault();
      fail("the sandbox failed: " + str(ev.message || "the worker could not be loaded"));
    };
    worker.onmessageerror = () => fail("the sandbox sent a message that cannot be read");
    worker.postMessage(message);
  });
}
