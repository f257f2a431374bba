// The playground's script sandbox: one dedicated worker runs one pre- or
// post-request script, then sandbox.js terminates it. The app serves this
// file with its own Content-Security-Policy (default-src 'none';
// script-src 'unsafe-eval'), so the browser refuses every network and
// script load from here; the code below also removes the APIs that reach
// the network, storage or other contexts before the user's script runs,
// as a second line. See docs/design/playground-sandbox.md.
"use strict";

(() => {
  // What the sandbox itself uses, taken before the user's code can change
  // a prototype or a global.
  const post = self.postMessage.bind(self);
  const on = self.addEventListener.bind(self);
  const { stringify, parse } = JSON;
  const {
    create, defineProperty, freeze, getOwnPropertyNames, getPrototypeOf, keys: objectKeys, entries: objectEntries,
    getOwnPropertyDescriptor, is: objectIs, prototype: ObjectPrototype,
  } = Object;
  const hasOwn = Object.hasOwn;
  const isArray = Array.isArray;
  const uncurry = (f) => Function.prototype.call.bind(f);
  const strSlice = uncurry(String.prototype.slice);
  const strLower = uncurry(String.prototype.toLowerCase);
  const strIncludes = uncurry(String.prototype.includes);
  const strSplit = uncurry(String.prototype.split);
  const strMatch = uncurry(String.prototype.match);
  const arrJoin = uncurry(Array.prototype.join);
  const arrIncludes = uncurry(Array.prototype.includes);
  const regexpTest = uncurry(RegExp.prototype.test);
  const errorToString = uncurry(Error.prototype.toString);
  const PromiseCtor = Promise;
  const promiseThen = uncurry(Promise.prototype.then);
  const StringCtor = String;
  const TypeErrorCtor = TypeError;
  const RangeErrorCtor = RangeError;
  const SyntaxErrorCtor = SyntaxError;
  const ErrorCtor = Error;
  const RegExpCtor = RegExp;
  const MapCtor = Map;
  const SetCtor = Set;
  const mapGet = uncurry(Map.prototype.get);
  const mapSet = uncurry(Map.prototype.set);
  const mapHas = uncurry(Map.prototype.has);
  const setAdd = uncurry(Set.prototype.add);
  const setHas = uncurry(Set.prototype.has);
  const dateNow = Date.now;
  const mathMin = Math.min;

  // Limits on what crosses back to the page (sizes in UTF-16 code units).
  const LIMITS = freeze({
    logs: 1000, // console lines
    logChars: 10000, // per line, longer ones are cut
    logTotal: 1 << 20,
    variables: 1000,
    variableName: 256,
    variableChars: 256 << 10, // per value
    variableTotal: 1 << 20,
    tests: 1000,
    testName: 500,
    message: 2000, // an error's message
    headers: 200,
    headerChars: 16 << 10,
    bodyChars: 8 << 20, // the request body a pre script sets
    result: 16 << 20, // the whole answer, as JSON
  });

  // Remove from the global object and its prototype chain every API
  // through which a script could reach the network, storage, or another
  // context of the app's origin. The CSP already refuses the loads; this
  // makes the names undefined, so a script fails early and plainly.
  const blocked = [
    "fetch", "fetchLater", "XMLHttpRequest", "XMLHttpRequestEventTarget", "XMLHttpRequestUpload",
    "WebSocket", "WebSocketStream", "WebSocketError", "WebTransport", "WebTransportError", "EventSource",
    "importScripts", "Worker", "SharedWorker", "ServiceWorker", "ServiceWorkerContainer", "ServiceWorkerRegistration",
    "BroadcastChannel", "MessageChannel", "MessagePort",
    "indexedDB", "IDBFactory", "IDBDatabase", "IDBObjectStore", "IDBTransaction", "IDBRequest", "IDBOpenDBRequest",
    "IDBCursor", "IDBCursorWithValue", "IDBIndex", "IDBKeyRange", "IDBVersionChangeEvent",
    "caches", "CacheStorage", "Cache", "cookieStore", "CookieStore", "CookieStoreManager",
    "localStorage", "sessionStorage", "Storage", "StorageManager", "LockManager", "Lock",
    "FileSystemHandle", "FileSystemFileHandle", "FileSystemDirectoryHandle", "FileSystemSyncAccessHandle",
    "FileSystemWritableFileStream", "webkitRequestFileSystem", "webkitRequestFileSystemSync",
    "webkitResolveLocalFileSystemURL", "webkitResolveLocalFileSystemSyncURL",
    "navigator", "WorkerNavigator", "Navigator", "Notification", "PushManager", "PushSubscription",
    "BackgroundFetchManager", "SyncManager", "PeriodicSyncManager", "ContentIndex", "Serial", "HID", "USB",
    "NavigatorUAData", "NetworkInformation", "WebSocketStream", "RTCDataChannel", "RTCPeerConnection",
    "RTCRtpScriptTransformer", "GPU", "ML", "FontFace", "FontFaceSet", "fonts", "postMessage", "close", "onmessage",
    "onmessageerror",
  ];
  const removed = [];
  for (let o = self; o !== null && o !== ObjectPrototype; o = getPrototypeOf(o)) {
    for (const name of blocked) {
      if (hasOwn(o, name)) {
        if (!delete o[name]) {
          defineProperty(o, name, { value: undefined, writable: false, configurable: false });
        }
        removed[removed.length] = name;
      }
    }
  }
  // Fail closed: a blocked name still reachable means this browser keeps
  // it somewhere the loop above does not look.
  for (const name of blocked) {
    if (self[name] !== undefined) {
      throw new ErrorCtor("sandbox: cannot remove " + name);
    }
  }
  // A stand-in navigator with the harmless facts some libraries read.
  defineProperty(self, "navigator", {
    value: freeze({ userAgent: "gati-playground-sandbox", language: "en", languages: freeze(["en"]), onLine: false }),
    configurable: false, writable: false,
  });

  // send posts one message to the page; only this code can.
  const send = (msg) => post(msg);

  // ---- formatting ----

  const clip = (s, n) => (s.length > n ? strSlice(s, 0, n) + "… (" + (s.length - n) + " more characters)" : s);

  function show(v, depth = 0) {
    try {
      if (typeof v === "string") return depth === 0 ? v : stringify(v);
      if (v === undefined) return "undefined";
      if (typeof v === "function") return "[function " + (v.name || "anonymous") + "]";
      if (typeof v === "bigint") return StringCtor(v) + "n";
      if (typeof v === "symbol") return v.toString();
      if (v instanceof ErrorCtor) return errorToString(v);
      if (v instanceof RegExpCtor || typeof v !== "object" || v === null) return StringCtor(v);
      const seen = new SetCtor();
      const s = stringify(v, (k, x) => {
        if (typeof x === "bigint") return StringCtor(x) + "n";
        if (typeof x === "function") return "[function]";
        if (x === undefined) return "[undefined]";
        if (typeof x === "object" && x !== null) {
          if (setHas(seen, x)) return "[circular]";
          setAdd(seen, x);
        }
        return x;
      });
      return s === undefined ? StringCtor(v) : s;
    } catch (e) {
      return "[unprintable: " + (e && e.message) + "]";
    }
  }

  // ---- logs ----

  let logCount = 0;
  let logChars = 0;
  let logsCut = false;
  function log(level, args) {
    if (logsCut) return;
    const parts = [];
    for (let i = 0; i < args.length; i++) parts[i] = show(args[i]);
    let line = arrJoin(parts, " ");
    if (level !== "log") line = level + ": " + line;
    line = clip(line, LIMITS.logChars);
    if (logCount >= LIMITS.logs || logChars + line.length > LIMITS.logTotal) {
      logsCut = true;
      send({ t: "log", line: "… more output cut: a script keeps at most " + LIMITS.logs + " lines, " + (LIMITS.logTotal >> 10) + " KiB" });
      return;
    }
    logCount++;
    logChars += line.length;
    send({ t: "log", line }); // sent at once, so a script stopped at its time limit still shows what it printed
  }
  const console = freeze({
    log: (...a) => log("log", a), info: (...a) => log("info", a), debug: (...a) => log("debug", a),
    warn: (...a) => log("warn", a), error: (...a) => log("error", a),
  });

  // ---- variables ----

  function makeVariables(initial) {
    const vars = new MapCtor();
    for (const [k, v] of objectEntries(initial || {})) mapSet(vars, StringCtor(k), StringCtor(v));
    const toValue = (value) => {
      if (typeof value === "string") return value;
      if (value === undefined) throw new TypeErrorCtor("gati.variables.set: the value is undefined; use gati.variables.unset to remove a variable");
      if (typeof value === "object" && value !== null) return stringify(value);
      return StringCtor(value);
    };
    const total = () => {
      let n = 0;
      for (const [k, v] of vars) n += k.length + v.length;
      return n;
    };
    const api = freeze({
      get: (name) => {
        name = StringCtor(name);
        return mapHas(vars, name) ? mapGet(vars, name) : undefined;
      },
      has: (name) => mapHas(vars, StringCtor(name)),
      set: (name, value) => {
        name = StringCtor(name);
        if (name === "" || name.length > LIMITS.variableName) {
          throw new RangeErrorCtor("gati.variables.set: a variable's name has 1 to " + LIMITS.variableName + " characters");
        }
        const v = toValue(value);
        if (v.length > LIMITS.variableChars) {
          throw new RangeErrorCtor("gati.variables.set(" + stringify(name) + "): the value has " + v.length + " characters, more than " + LIMITS.variableChars);
        }
        if (!mapHas(vars, name) && vars.size >= LIMITS.variables) {
          throw new RangeErrorCtor("gati.variables.set: at most " + LIMITS.variables + " variables");
        }
        const old = mapHas(vars, name) ? name.length + mapGet(vars, name).length : 0;
        if (total() - old + name.length + v.length > LIMITS.variableTotal) {
          throw new RangeErrorCtor("gati.variables.set(" + stringify(name) + "): the variables would exceed " + (LIMITS.variableTotal >> 10) + " KiB in all");
        }
        mapSet(vars, name, v);
      },
      unset: (name) => {
        vars.delete(StringCtor(name));
      },
      toObject: () => {
        const o = {};
        for (const [k, v] of vars) o[k] = v;
        return o;
      },
    });
    return { api, vars };
  }

  // ---- headers ----

  // A header map that keeps the first spelling of each name and looks
  // names up without regard to case.
  function makeHeaders(initial, writable, what) {
    const byLower = new MapCtor(); // lower-case name -> [name, value]
    for (const [k, v] of objectEntries(initial || {})) mapSet(byLower, strLower(StringCtor(k)), [StringCtor(k), StringCtor(v)]);
    const readOnly = () => {
      throw new TypeErrorCtor(what + " is read-only here");
    };
    const api = freeze({
      get: (name) => {
        const e = mapGet(byLower, strLower(StringCtor(name)));
        return e === undefined ? undefined : e[1];
      },
      has: (name) => mapHas(byLower, strLower(StringCtor(name))),
      set: writable
        ? (name, value) => {
            name = StringCtor(name);
            if (!regexpTest(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, name)) throw new TypeErrorCtor("headers.set: " + stringify(name) + " is not a valid header name");
            value = StringCtor(value);
            if (regexpTest(/[\r\n\0]/, value)) throw new TypeErrorCtor("headers.set(" + stringify(name) + "): a header value cannot contain CR, LF or NUL");
            if (value.length > LIMITS.headerChars) throw new RangeErrorCtor("headers.set(" + stringify(name) + "): the value is longer than " + LIMITS.headerChars + " characters");
            const key = strLower(name);
            if (!mapHas(byLower, key) && byLower.size >= LIMITS.headers) throw new RangeErrorCtor("headers.set: at most " + LIMITS.headers + " headers");
            const old = mapGet(byLower, key);
            mapSet(byLower, key, [old ? old[0] : name, value]);
          }
        : readOnly,
      delete: writable ? (name) => void byLower.delete(strLower(StringCtor(name))) : readOnly,
      toObject: () => {
        const o = {};
        for (const [, [k, v]] of byLower) o[k] = v;
        return o;
      },
    });
    return api;
  }

  // ---- request and response ----

  function makeRequest(req, writable) {
    const state = { method: StringCtor(req.method || "GET"), url: StringCtor(req.url || ""), body: req.body == null ? "" : StringCtor(req.body) };
    const headers = makeHeaders(req.headers, writable, "gati.request.headers (a post-response script sees the request as it was sent)");
    const setter = (field, check) => (v) => {
      if (!writable) throw new TypeErrorCtor("gati.request." + field + " is read-only in a post-response script");
      v = check(v);
      state[field] = v;
    };
    const api = create(null);
    defineProperty(api, "method", {
      get: () => state.method,
      set: setter("method", (v) => {
        v = StringCtor(v);
        if (!regexpTest(/^[A-Za-z]{1,20}$/, v)) throw new TypeErrorCtor("gati.request.method: " + stringify(v) + " is not an HTTP method");
        return v.toUpperCase();
      }),
      enumerable: true,
    });
    defineProperty(api, "url", {
      get: () => state.url,
      set: setter("url", (v) => {
        v = StringCtor(v);
        if (v.length > 64 << 10) throw new RangeErrorCtor("gati.request.url: longer than 64 KiB");
        return v;
      }),
      enumerable: true,
    });
    defineProperty(api, "body", {
      get: () => state.body,
      set: setter("body", (v) => {
        v = typeof v === "string" ? v : v == null ? "" : stringify(v);
        if (v.length > LIMITS.bodyChars) throw new RangeErrorCtor("gati.request.body: longer than " + (LIMITS.bodyChars >> 20) + " MiB");
        return v;
      }),
      enumerable: true,
    });
    defineProperty(api, "headers", { value: headers, enumerable: true });
    defineProperty(api, "json", {
      value: () => {
        try {
          return parse(state.body);
        } catch (e) {
          throw new SyntaxErrorCtor("gati.request.json(): the body is not JSON: " + e.message);
        }
      },
    });
    freeze(api);
    return { api, state, headers };
  }

  function makeResponse(res) {
    const body = res.body == null ? "" : StringCtor(res.body);
    return freeze({
      __proto__: null,
      status: Number(res.status) || 0,
      statusText: StringCtor(res.statusText || ""),
      timeMs: Number(res.timeMs) || 0,
      headers: makeHeaders(res.headers, false, "gati.response.headers"),
      text: () => body,
      json: () => {
        try {
          return parse(body);
        } catch (e) {
          throw new SyntaxErrorCtor("gati.response.json(): the body is not JSON: " + e.message);
        }
      },
    });
  }

  // ---- expect ----

  function equal(a, b, seen = new MapCtor()) {
    if (objectIs(a, b)) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    if (getPrototypeOf(a) !== getPrototypeOf(b)) return false;
    if (mapHas(seen, a)) return mapGet(seen, a) === b;
    mapSet(seen, a, b);
    if (a instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof RegExpCtor) return StringCtor(a) === StringCtor(b);
    if (isArray(a)) {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i], seen)) return false;
      return true;
    }
    const ka = objectKeys(a);
    const kb = objectKeys(b);
    if (ka.length !== kb.length) return false;
    for (const k of ka) if (!hasOwn(b, k) || !equal(a[k], b[k], seen)) return false;
    return true;
  }

  function pathOf(p) {
    if (isArray(p)) return p;
    const out = [];
    for (const part of strSplit(StringCtor(p), ".")) {
      const m = strMatch(part, /^([^[\]]*)((?:\[\d+\])*)$/);
      if (!m) {
        out[out.length] = part;
        continue;
      }
      if (m[1] !== "") out[out.length] = m[1];
      for (const idx of strMatch(m[2], /\d+/g) || []) out[out.length] = idx;
    }
    return out;
  }

  function expect(actual) {
    const make = (negated) => {
      const check = (pass, says) => {
        if (pass === negated) {
          throw new ErrorCtor("expected " + show(actual, 1) + (negated ? " not " : " ") + says);
        }
      };
      const m = {
        toBe: (want) => check(objectIs(actual, want), "to be " + show(want, 1)),
        toEqual: (want) => check(equal(actual, want), "to equal " + show(want, 1)),
        toBeTruthy: () => check(!!actual, "to be truthy"),
        toBeFalsy: () => check(!actual, "to be falsy"),
        toBeNull: () => check(actual === null, "to be null"),
        toBeUndefined: () => check(actual === undefined, "to be undefined"),
        toBeDefined: () => check(actual !== undefined, "to be defined"),
        toBeGreaterThan: (n) => check(actual > n, "to be greater than " + show(n, 1)),
        toBeGreaterThanOrEqual: (n) => check(actual >= n, "to be greater than or equal to " + show(n, 1)),
        toBeLessThan: (n) => check(actual < n, "to be less than " + show(n, 1)),
        toBeLessThanOrEqual: (n) => check(actual <= n, "to be less than or equal to " + show(n, 1)),
        toBeOneOf: (list) => check(isArray(list) && arrIncludes(list, actual), "to be one of " + show(list, 1)),
        toBeTypeOf: (type) => check(typeof actual === type, "to be of type " + show(type, 1)),
        toContain: (item) => {
          let pass = false;
          if (typeof actual === "string") pass = strIncludes(actual, StringCtor(item));
          else if (isArray(actual)) {
            for (let i = 0; i < actual.length && !pass; i++) pass = objectIs(actual[i], item) || equal(actual[i], item);
          } else {
            throw new TypeErrorCtor("toContain: expected a string or an array, got " + show(actual, 1));
          }
          check(pass, "to contain " + show(item, 1));
        },
        toHaveLength: (n) => check(actual != null && actual.length === n, "to have length " + n + (actual != null && typeof actual.length === "number" ? " (it has " + actual.length + ")" : "")),
        toHaveProperty: (path, ...want) => {
          let v = actual;
          let pass = true;
          for (const k of pathOf(path)) {
            if (v === null || v === undefined || !(typeof v === "object" || typeof v === "function") || !(k in v)) {
              pass = false;
              break;
            }
            v = v[k];
          }
          if (pass && want.length > 0) pass = equal(v, want[0]);
          check(pass, "to have property " + show(StringCtor(path), 1) + (want.length > 0 ? " equal to " + show(want[0], 1) : ""));
        },
        toMatch: (re) => {
          if (typeof actual !== "string") throw new TypeErrorCtor("toMatch: expected a string, got " + show(actual, 1));
          const pass = re instanceof RegExpCtor ? regexpTest(new RegExpCtor(re.source, re.flags.replace(/[gy]/g, "")), actual) : strIncludes(actual, StringCtor(re));
          check(pass, "to match " + show(re instanceof RegExpCtor ? StringCtor(re) : re, 1));
        },
        toThrow: (want) => {
          if (typeof actual !== "function") throw new TypeErrorCtor("toThrow: expected a function");
          let threw = false;
          let err;
          try {
            actual();
          } catch (e) {
            threw = true;
            err = e;
          }
          let pass = threw;
          if (threw && want !== undefined) {
            const msg = err && err.message !== undefined ? StringCtor(err.message) : StringCtor(err);
            pass = want instanceof RegExpCtor ? regexpTest(want, msg) : strIncludes(msg, StringCtor(want));
          }
          check(pass, "to throw" + (want !== undefined ? " " + show(want, 1) : ""));
        },
      };
      return m;
    };
    const m = make(false);
    m.not = freeze(make(true));
    return freeze(m);
  }

  // ---- tests ----

  function makeTests() {
    const list = []; // {name, promise}
    const test = (name, fn) => {
      name = clip(StringCtor(name), LIMITS.testName);
      if (list.length >= LIMITS.tests) throw new RangeErrorCtor("test: at most " + LIMITS.tests + " tests");
      if (typeof fn !== "function") throw new TypeErrorCtor("test(" + stringify(name) + ", fn): fn is not a function");
      let p;
      try {
        const r = fn();
        p = r && typeof r.then === "function" ? new PromiseCtor((ok, bad) => promiseThen(PromiseCtor.resolve(r), ok, bad)) : PromiseCtor.resolve();
      } catch (e) {
        p = PromiseCtor.reject(e);
      }
      list[list.length] = { name, promise: p };
    };
    const settle = async () => {
      const out = [];
      for (let i = 0; i < list.length; i++) {
        const t = list[i];
        try {
          await t.promise;
          out[i] = { name: t.name, passed: true };
        } catch (e) {
          out[i] = { name: t.name, passed: false, error: clip(errorMessage(e), LIMITS.message), ...whereInScript(e) };
        }
      }
      return out;
    };
    return { test: freeze(test), settle };
  }

  function errorMessage(e) {
    try {
      if (e instanceof ErrorCtor) return (e.name && e.name !== "Error" ? e.name + ": " : "") + StringCtor(e.message);
      return "uncaught " + show(e, 1);
    } catch {
      return "an error that cannot be printed";
    }
  }

  // The user's code is compiled as the body of an async function with
  // the Function constructor, which parses the body on its own (a script
  // cannot close the function early), and named SCRIPT_URL in stacks.
  // LINE_OFFSET is how many lines the constructor puts before the body:
  // measured, not assumed.
  const SCRIPT_URL = "gati-playground-script.js";
  const AsyncFunction = (async () => {}).constructor;
  const compile = (code) => new AsyncFunction("gati", "test", "expect", "console", code + "\n//# sourceURL=" + SCRIPT_URL);
  let LINE_OFFSET = 0;
  {
    const m = strMatch(StringCtor(new Function("return new Error().stack\n//# sourceURL=" + SCRIPT_URL)()), /gati-playground-script\.js:(\d+):/);
    LINE_OFFSET = m ? Number(m[1]) - 1 : 2;
  }

  // whereInScript finds the user's line and column in an error's stack.
  function whereInScript(e) {
    let stack;
    try {
      stack = e && typeof e === "object" ? StringCtor(e.stack) : "";
    } catch {
      return {};
    }
    const m = strMatch(stack, /gati-playground-script\.js:(\d+):(\d+)/);
    if (!m) return {};
    const line = Number(m[1]) - LINE_OFFSET;
    return line >= 1 ? { line, column: Number(m[2]) } : {};
  }

  // ---- one run ----

  let phase = "compile";
  let compileError = null;
  let codeLines = 0;

  // A syntax error thrown by eval carries its position only in the error
  // event of an uncaught exception: compile uncaught, and read it here.
  on("error", (ev) => {
    if (phase === "compile") {
      ev.preventDefault();
      const line = ev.lineno - LINE_OFFSET;
      compileError = { message: clip(ev.error instanceof ErrorCtor ? errorMessage(ev.error) : StringCtor(ev.message), LIMITS.message) };
      if (line >= 1 && line <= codeLines) {
        compileError.line = line;
        compileError.column = ev.colno;
      }
      finish({ ok: false, error: compileError, tests: [] }, null);
    } else if (phase === "run") {
      // Thrown from a callback the script scheduled (setTimeout, say).
      ev.preventDefault();
      const at = whereInScript(ev.error);
      log("error", ["uncaught " + errorMessage(ev.error) + (at.line ? " (line " + at.line + ")" : "")]);
    }
  });

  function finish(result, ctx) {
    phase = "done";
    if (ctx) {
      result.request = { method: ctx.request.state.method, url: ctx.request.state.url, headers: ctx.request.headers.toObject(), body: ctx.request.state.body };
      result.variables = ctx.variables.api.toObject();
    }
    let json;
    try {
      json = stringify(result);
    } catch (e) {
      json = stringify({ ok: false, error: { message: "the script's result cannot be sent: " + e.message }, tests: [] });
    }
    if (json.length > LIMITS.result) {
      json = stringify({ ok: false, error: { message: "the script's result is too large (" + json.length + " characters, at most " + LIMITS.result + ")" }, tests: [] });
    }
    send({ t: "done", json });
  }

  on("message", (ev) => {
    const input = ev.data;
    if (phase !== "compile" || typeof input !== "object" || input === null) return;
    const variables = makeVariables(input.variables);
    const request = makeRequest(input.request || {}, input.phase === "pre");
    const gati = create(null);
    defineProperty(gati, "phase", { value: input.phase === "post" ? "post" : "pre", enumerable: true });
    defineProperty(gati, "variables", { value: variables.api, enumerable: true });
    defineProperty(gati, "request", { value: request.api, enumerable: true });
    defineProperty(gati, "response", { value: input.phase === "post" && input.response ? makeResponse(input.response) : undefined, enumerable: true });
    freeze(gati);
    const tests = makeTests();
    const ctx = { request, variables };
    send({ t: "start" });
    // Compiling throws uncaught on a syntax error: the error listener
    // above reports it, with its position, and ends the run.
    const code = StringCtor(input.code);
    codeLines = strSplit(code, "\n").length;
    const fn = compile(code);
    phase = "run";
    let p;
    try {
      p = fn(gati, tests.test, expect, console);
    } catch (e) {
      p = PromiseCtor.reject(e);
    }
    promiseThen(
      PromiseCtor.resolve(p),
      async () => finish({ ok: true, tests: await tests.settle() }, ctx),
      async (e) => finish({ ok: false, error: { message: clip(errorMessage(e), LIMITS.message), ...whereInScript(e) }, tests: await tests.settle() }, null),
    );
  });
  send({ t: "ready", removed: removed.length });
})();
