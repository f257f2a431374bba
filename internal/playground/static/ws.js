// The playground's WebSocket tester. A browser's WebSocket cannot set
// request headers, so the panel talks to the app's route through the
// relay at api/ws (playgroundws.go), which connects to this app only,
// with the headers and version given. Plain ES module, no build.
//
//   import { wsPanel } from "./ws.js";
//   detail.append(wsPanel(route, { path, version, headers, substitute }));
//
// route is the explorer's route; ctx.path() is the path to open, its
// parameters filled in; ctx.version() the X-API-Version ("" = default);
// ctx.headers() [[name, value]]; ctx.substitute(str) fills variables.

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat()) if (k != null) e.append(k);
  return e;
}

// relayURL is the relay's address, beside this module.
function relayURL() {
  const u = new URL("api/ws", import.meta.url);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return u.href;
}

const enc = new TextEncoder();

function clock(d) {
  const p = (n, w = 2) => String(n).padStart(w, "0");
  return p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds()) + "." + p(d.getMilliseconds(), 3);
}

function pretty(text) {
  try {
    const v = JSON.parse(text);
    if (v !== null && typeof v === "object") return { text: JSON.stringify(v, null, 2), json: true };
  } catch { /* not JSON */ }
  return { text, json: false };
}

function hex(b64) {
  const bin = atob(b64);
  const shown = [...bin.slice(0, 64)].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join(" ");
  return shown + (bin.length > 64 ? " …" : "");
}

const closeNames = { 1000: "normal closure", 1001: "going away", 1002: "protocol error", 1003: "unsupported data",
  1005: "no status", 1006: "abnormal closure", 1007: "invalid data", 1008: "policy violation", 1009: "message too big",
  1010: "extension required", 1011: "internal error", 1012: "service restart", 1013: "try again later" };

export function wsPanel(route, ctx) {
  let sock = null;     // the WebSocket to the relay
  let closeLogged = false;

  const state = el("span", { id: "ws-state", "data-state": "closed" }, "disconnected");
  const target = el("code", { id: "ws-target" });
  const protocols = el("input", { id: "ws-protocols", placeholder: "subprotocols, comma-separated", size: "24" });
  const connect = el("button", { id: "ws-connect", type: "button", onclick: () => open() }, "Connect");
  const disconnect = el("button", { id: "ws-disconnect", type: "button", disabled: true, onclick: () => close() }, "Disconnect");
  const code = el("input", { id: "ws-close-code", type: "number", value: "1000", min: "1000", max: "4999", title: "close code: 1000 or 3000–4999", style: "width:6em" });
  const reason = el("input", { id: "ws-close-reason", placeholder: "close reason", size: "16" });
  const mode = el("select", { id: "ws-mode" }, el("option", { value: "json" }, "JSON"), el("option", { value: "text" }, "text"));
  const message = el("textarea", { id: "ws-message", rows: "4", spellcheck: "false" }, "{}");
  const send = el("button", { id: "ws-send", type: "button", disabled: true, onclick: () => sendMessage() }, "Send");
  const error = el("div", { id: "ws-error", class: "problem", hidden: true, role: "alert" });
  const log = el("ol", { id: "ws-log", reversed: false });
  const clear = el("button", { id: "ws-clear", type: "button", onclick: () => log.replaceChildren() }, "Clear log");

  const panel = el("section", { id: "ws-panel", class: "ws-panel", "data-path": route.path },
    el("fieldset", {}, el("legend", {}, "WebSocket"),
      el("p", {}, el("span", { class: "method m-GET" }, "WS"), " ", target, " ", state),
      el("label", {}, "subprotocols ", protocols),
      el("div", { class: "ws-actions" }, connect, " ", disconnect, " ", el("label", {}, "close code ", code), " ", reason),
      el("label", {}, "message ", mode),
      message,
      el("div", { class: "ws-actions" }, send, " ", clear),
      error),
    el("h3", {}, "Frames"),
    log);

  const path = () => (ctx.path ? ctx.path() : route.path);
  target.textContent = path();

  function showError(text) {
    error.textContent = text || "";
    error.hidden = !text;
  }

  function setState(s, label) {
    state.dataset.state = s;
    state.textContent = label;
    connect.disabled = s !== "closed";
    disconnect.disabled = s === "closed";
    send.disabled = s !== "open";
  }

  // entry appends a frame to the log: dir is sent, received or control.
  // A body in a collapsed <details> when fold is set (handshake headers).
  function entry(dir, type, at, summary, body, extra = {}, fold = false) {
    const when = at ? new Date(at) : new Date();
    const li = el("li", { "data-dir": dir, "data-type": type, class: "ws-" + dir, ...extra },
      el("time", { datetime: when.toISOString(), title: when.toISOString() }, clock(when)), " ",
      el("span", { class: "ws-dir" }, dir === "sent" ? "↑ sent" : dir === "received" ? "↓ received" : "• " + type), " ",
      summary != null ? el("span", { class: "ws-summary" }, summary) : null,
      body == null || body === "" ? null
        : fold ? el("details", {}, el("summary", {}, "headers"), el("pre", { class: "ws-body" }, body))
        : el("pre", { class: "ws-body" }, body));
    log.append(li);
    li.scrollIntoView?.({ block: "nearest" });
    return li;
  }

  function headersText(h) {
    return Object.entries(h || {}).map(([k, vs]) => vs.map((v) => k + ": " + v).join("\n")).join("\n");
  }

  function open() {
    showError("");
    closeLogged = false;
    const p = path();
    target.textContent = p;
    const headers = (ctx.headers ? ctx.headers() : []).filter(([k]) => k && k.trim());
    const version = ctx.version ? ctx.version() : "";
    if (version && !headers.some(([k]) => k.toLowerCase() === "x-api-version")) headers.push(["X-API-Version", version]);
    const protos = protocols.value.split(",").map((s) => s.trim()).filter(Boolean);
    setState("connecting", "connecting…");
    entry("control", "connect", null, "to " + p + (headers.length ? " with " + headers.map(([k]) => k).join(", ") : ""), null);
    const s = new WebSocket(relayURL());
    sock = s;
    s.onopen = () => s.send(JSON.stringify({ type: "connect", path: p, headers, protocols: protos }));
    s.onmessage = (ev) => onRelay(JSON.parse(ev.data));
    s.onerror = () => showError("The playground's WebSocket relay could not be reached. Is the app running?");
    s.onclose = (ev) => {
      if (sock !== s) return;
      sock = null;
      if (!closeLogged) {
        entry("control", "close", null, String(ev.code) + (closeNames[ev.code] ? " (" + closeNames[ev.code] + ")" : "") + (ev.reason ? ": " + ev.reason : ""), null,
          { "data-code": String(ev.code), "data-by": "relay" });
      }
      setState("closed", "disconnected");
    };
  }

  function onRelay(m) {
    switch (m.type) {
      case "open":
        setState("open", "connected");
        entry("control", "open", m.at, m.status + " Switching Protocols" + (m.protocol ? " · " + m.protocol : "") +
          (m.dropped?.length ? " · not forwarded: " + m.dropped.join(", ") : ""), headersText(m.headers), { "data-status": String(m.status) }, true);
        break;
      case "refused": {
        closeLogged = true;
        const body = pretty(m.body || "");
        entry("control", "refused", m.at, (m.status ? m.status + " — the route refused the handshake" : "the app could not be reached") + (m.error ? ": " + m.error : ""),
          [headersText(m.headers), body.text].filter(Boolean).join("\n\n"), { "data-status": String(m.status || 0) });
        showError(m.status ? "The route answered " + m.status + " instead of switching protocols." : m.error);
        break;
      }
      case "message": {
        if (m.text != null) {
          const p = pretty(m.text);
          entry("received", p.json ? "json" : "text", m.at, m.size + " B" + (p.json ? " · JSON" : " · text"), p.text, { "data-size": String(m.size) });
        } else {
          entry("received", "binary", m.at, (m.size || 0) + " B · binary", hex(m.binary || ""), { "data-size": String(m.size || 0) });
        }
        break;
      }
      case "close":
        closeLogged = true;
        entry("control", "close", m.at, String(m.code) + (closeNames[m.code] ? " (" + closeNames[m.code] + ")" : "") +
          (m.reason ? ": " + m.reason : "") + " · by the " + ({ server: "app", client: "playground", relay: "relay" }[m.by] || m.by), null,
          { "data-code": String(m.code), "data-by": m.by, "data-reason": m.reason || "" });
        break;
      case "error":
        entry("control", "error", m.at, m.error, null);
        showError(m.error);
        break;
    }
  }

  function sendMessage() {
    showError("");
    if (!sock || sock.readyState !== WebSocket.OPEN) return;
    let text = message.value;
    if (ctx.substitute) text = ctx.substitute(text);
    let shown = text;
    if (mode.value === "json") {
      try {
        shown = JSON.stringify(JSON.parse(text), null, 2);
      } catch (err) {
        showError("Not valid JSON, not sent: " + err.message + ". Choose “text” to send it as it is.");
        return;
      }
    }
    sock.send(JSON.stringify({ type: "send", text }));
    const size = enc.encode(text).length;
    entry("sent", mode.value, null, size + " B · " + (mode.value === "json" ? "JSON" : "text"), shown, { "data-size": String(size) });
  }

  function close() {
    if (!sock) return;
    const c = Number(code.value) || 1000;
    if (sock.readyState === WebSocket.OPEN && (c === 1000 || (c >= 3000 && c <= 4999))) {
      setState("closing", "closing…");
      sock.send(JSON.stringify({ type: "close", code: c, reason: reason.value }));
    } else if (sock.readyState === WebSocket.OPEN) {
      showError("A close code is 1000 or 3000–4999.");
    } else {
      sock.close();
    }
  }

  // Disconnect when the panel leaves the page (another route selected).
  let shown = false;
  const watch = new MutationObserver(() => {
    if (panel.isConnected) shown = true;
    else if (shown) {
      watch.disconnect();
      if (sock) sock.close();
    }
  });
  watch.observe(document.documentElement, { childList: true, subtree: true });

  return panel;
}
