// The runtime of a generated Gati client: one file with no dependencies
// beyond what Node 18+, Deno and browsers provide (fetch, AbortController,
// TextDecoder, and WebSocket where sockets are used). client.ts calls it;
// applications use the types it exports.

/** Options of a client, shared by all its calls. */
export interface ClientOptions {
  /** The server's base URL, such as "https://api.example.com" or "http://localhost:8080/api". */
  baseUrl: string | URL;
  /**
   * The API version sent as X-API-Version. It defaults to the version the
   * client was generated for; null sends no version header, so the server
   * answers in its default version.
   */
  apiVersion?: string | null | undefined;
  /**
   * A bearer token sent as "Authorization: Bearer <token>": a string, or a
   * function called before every request (it may refresh the token).
   * A function that returns undefined sends no Authorization header.
   * WebSockets send none: browsers cannot add headers to them.
   */
  token?: string | (() => string | undefined | Promise<string | undefined>) | undefined;
  /**
   * Headers sent with every request; per-call headers override them. Every
   * call sends an X-Request-Id, a new random one unless these or the call's
   * headers set one; its retries send the same.
   */
  headers?: HeadersInit | undefined;
  /**
   * Milliseconds before a call is abandoned with a TimeoutError, retries
   * and their waits included; for streams and sockets, until the server
   * has answered. No timeout when unset, 0 or Infinity.
   */
  timeout?: number | undefined;
  /** How idempotent calls are retried; false never retries. */
  retry?: RetryOptions | false | undefined;
  /** The fetch function; the global fetch when unset. */
  fetch?: typeof fetch | undefined;
  /**
   * The WebSocket constructor the socket routes use; the global WebSocket
   * when unset (Node.js 22+, Deno, browsers). On Node.js 20 pass one, such
   * as the one of the ws package, or run node with --experimental-websocket.
   */
  WebSocket?: WebSocketConstructor | undefined;
  /**
   * Called for every response of a deprecated API version: the server sent
   * a Deprecation or Sunset header. Use it to log, once, that the client
   * needs regenerating before the sunset.
   */
  onDeprecation?: ((notice: DeprecationNotice) => void) | undefined;
}

/** Options of one call; they override the client's. */
export interface CallOptions {
  /** Aborts the call: it rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Milliseconds before the call is abandoned with a TimeoutError; 0 for none. */
  timeout?: number | undefined;
  /** Headers of this call, merged over the client's. */
  headers?: HeadersInit | undefined;
  /** The API version of this call; null sends none. */
  apiVersion?: string | null | undefined;
  /** How this call is retried, if it is idempotent; false never retries. */
  retry?: RetryOptions | false | undefined;
}

/** Options of a raw call: one whose request and response are not described. */
export interface RawCallOptions extends CallOptions {
  /** The request body, sent as is. */
  body?: BodyInit | null | undefined;
  /** Query parameters: arrays repeat the name; undefined and null are left out. */
  query?: Record<string, QueryValue> | undefined;
}

/** Options of a Server-Sent Events call. */
export interface StreamOptions extends CallOptions {
  /** Resumes a stream after the event with this id (sent as Last-Event-ID). */
  lastEventId?: string | undefined;
}

/**
 * Retries of idempotent calls (GET, HEAD, OPTIONS, PUT and DELETE) that
 * the server answered 429 Too Many Requests or 503 Service Unavailable.
 * The wait is the response's Retry-After when it has one, else an
 * exponential backoff with jitter. A call is never retried once aborted.
 */
export interface RetryOptions {
  /** Attempts in all, the first included; 3 when unset. 1 never retries. */
  maxAttempts?: number | undefined;
  /**
   * The longest wait before an attempt, in milliseconds; 30000 when unset.
   * A Retry-After asking for longer fails the call instead, with the
   * ApiError's retryAfter telling when to try again.
   */
  maxDelay?: number | undefined;
}

/** A scalar or repeated query or header parameter value. */
export type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

/** One invalid part of a request, from a problem's errors. */
export interface FieldError {
  /** The RFC 6901 JSON pointer to the invalid value: "/title", "/query/limit". */
  pointer: string;
  /** What is wrong with it: "is required". */
  detail: string;
}

/** An RFC 9457 problem document, as a Gati server writes it for every error. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** A stable, machine-readable code: "task_not_found", "validation_failed". */
  code: string;
  request_id?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** The life cycle of a deprecated API version, from a response's headers. */
export interface DeprecationNotice {
  /** The version the server answered in (X-API-Version). */
  apiVersion: string | undefined;
  /** When the version was deprecated (Deprecation); undefined when the header has no date. */
  deprecated: Date | undefined;
  /** When the version stops being served (Sunset). */
  sunset: Date | undefined;
  /** The Link header, pointing at the version's documentation. */
  link: string | undefined;
  /** The call that got the notice. */
  method: string;
  url: string;
}

/** What a response said besides its body. */
export interface ResponseMeta {
  status: number;
  headers: Headers;
  /** The version the server answered in (X-API-Version). */
  apiVersion: string | undefined;
  /**
   * The request id, to find the call in the server's logs: the X-Request-Id
   * the server echoed, else the one the client sent.
   */
  requestId: string | undefined;
  /** Set when the answering version is deprecated or has a sunset. */
  deprecation: DeprecationNotice | undefined;
}

/** A result and what its response said. */
export interface WithMeta<T> {
  data: T;
  meta: ResponseMeta;
}

/**
 * An error response (any status outside 200–299), with its problem
 * document when the body is one. Network failures reject with fetch's own
 * TypeError instead; aborted calls with the signal's reason (an
 * AbortError) and timed-out ones with a TimeoutError DOMException.
 * requestIdOf gives the request id of a call that failed in any of these
 * ways, except by the caller's own abort.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  /** The HTTP status. */
  readonly status: number;
  /** The problem's code; "http_<status>" when the body is not a problem. */
  readonly code: string;
  /** The problem's detail, when it has one. */
  readonly detail: string | undefined;
  /** The invalid parts of the request, each with its JSON pointer; empty when none. */
  readonly errors: readonly FieldError[];
  /** The request id: the problem's request_id, else the response's (see ResponseMeta.requestId). */
  readonly requestId: string | undefined;
  /** The problem document; undefined when the body is not one. */
  readonly problem: Problem | undefined;
  /** The response body as text. */
  readonly body: string;
  /** What the response said besides its body. */
  readonly meta: ResponseMeta;
  /** Milliseconds the server asked to wait before retrying (Retry-After), if it did. */
  readonly retryAfter: number | undefined;

  constructor(meta: ResponseMeta, body: string, problem: Problem | undefined, message?: string) {
    const code = problem?.code ?? `http_${meta.status}`;
    super(message ?? `${meta.status} ${code}${problem?.detail ? `: ${problem.detail}` : ""}`);
    this.status = meta.status;
    this.code = code;
    this.detail = problem?.detail;
    this.errors = problem?.errors ?? [];
    this.requestId = problem?.request_id ?? meta.requestId;
    this.problem = problem;
    this.body = body;
    this.meta = meta;
    this.retryAfter = parseRetryAfter(meta.headers.get("Retry-After"));
  }
}

/**
 * The promise of a call's result. Await it for the data, or call
 * withMeta() for the data and the response's status, headers, version and
 * deprecation.
 */
export class ApiPromise<T> implements Promise<T> {
  readonly #result: Promise<WithMeta<T>>;
  #data: Promise<T> | undefined;

  constructor(result: Promise<WithMeta<T>>) {
    this.#result = result;
  }

  /** The result with what its response said. */
  withMeta(): Promise<WithMeta<T>> {
    return this.#result;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#value().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#value().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#value().finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return "ApiPromise";
  }

  #value(): Promise<T> {
    this.#data ??= this.#result.then((r) => r.data);
    return this.#data;
  }
}

/** One Server-Sent Event. */
export class ServerSentEvent<T = unknown> {
  /** The event's type: its event field, "message" when it has none. */
  readonly event: string;
  /** The data lines, joined with "\n". */
  readonly data: string;
  /** The last event id the stream has set, this event's or an earlier one's; "" when none. */
  readonly id: string;
  /** The reconnection time the server last asked for, in milliseconds. */
  readonly retry: number | undefined;

  constructor(event: string, data: string, id: string, retry: number | undefined) {
    this.event = event;
    this.data = data;
    this.id = id;
    this.retry = retry;
  }

  /** The data parsed as JSON. T is not checked: it is what the caller expects. */
  json(): T {
    return JSON.parse(this.data) as T;
  }
}

/**
 * A stream of Server-Sent Events: iterate it with for await. Breaking out
 * of the loop, close() and the call's signal end it. It does not
 * reconnect; to resume, call again with lastEventId.
 */
export class EventStream<T = unknown> implements AsyncIterableIterator<ServerSentEvent<T>> {
  /** What the response said besides its body. */
  readonly meta: ResponseMeta;
  /** The id of the last event received; "" when none. */
  lastEventId = "";
  /** The reconnection time the server last asked for, in milliseconds. */
  retry: number | undefined;

  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #signal: AbortSignal;
  readonly #done: () => void;
  readonly #decoder = new TextDecoder();
  readonly #pending: ServerSentEvent<T>[] = [];
  #buffer = "";
  #event = "";
  #data: string[] = [];
  #ended = false;

  constructor(meta: ResponseMeta, body: ReadableStream<Uint8Array>, signal: AbortSignal, done: () => void) {
    this.meta = meta;
    this.#reader = body.getReader();
    this.#signal = signal;
    this.#done = done;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<ServerSentEvent<T>, undefined>> {
    for (;;) {
      const ev = this.#pending.shift();
      if (ev !== undefined) {
        return { done: false, value: ev };
      }
      if (this.#ended) {
        return { done: true, value: undefined };
      }
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await this.#reader.read();
      } catch (err) {
        this.#finish();
        throw this.#signal.aborted ? this.#signal.reason : err;
      }
      if (chunk.done) {
        this.#parse(this.#decoder.decode(), true);
        this.#finish();
      } else {
        this.#parse(this.#decoder.decode(chunk.value, { stream: true }), false);
      }
    }
  }

  async return(): Promise<IteratorResult<ServerSentEvent<T>, undefined>> {
    await this.close();
    return { done: true, value: undefined };
  }

  /** Ends the stream and releases the connection. */
  async close(): Promise<void> {
    if (this.#ended) {
      return;
    }
    this.#finish();
    this.#pending.length = 0;
    await this.#reader.cancel().catch(() => undefined);
  }

  #finish(): void {
    this.#ended = true;
    this.#done();
  }

  // #parse feeds text to the parser of the HTML standard's "event stream
  // interpretation": lines end with CRLF, LF or CR; a blank line
  // dispatches the event; lines starting with a colon are comments.
  #parse(text: string, end: boolean): void {
    const buf = this.#buffer + text; // TextDecoder has dropped a leading BOM
    let start = 0;
    for (;;) {
      const cr = buf.indexOf("\r", start);
      const lf = buf.indexOf("\n", start);
      const eol = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
      if (eol < 0) {
        break;
      }
      if (eol === cr && eol === buf.length - 1 && !end) {
        break; // the LF of a CRLF may be in the next chunk
      }
      this.#line(buf.slice(start, eol));
      start = eol + (eol === cr && buf[eol + 1] === "\n" ? 2 : 1);
    }
    this.#buffer = buf.slice(start);
    if (end) {
      this.#buffer = ""; // an unterminated last event is discarded
    }
  }

  #line(line: string): void {
    if (line === "") {
      this.#dispatch();
      return;
    }
    if (line.startsWith(":")) {
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) {
      value = value.slice(1);
    }
    switch (field) {
      case "event":
        this.#event = value;
        break;
      case "data":
        this.#data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) {
          this.lastEventId = value;
        }
        break;
      case "retry":
        if (/^[0-9]+$/.test(value)) {
          this.retry = Number(value);
        }
        break;
    }
  }

  #dispatch(): void {
    const data = this.#data;
    const event = this.#event || "message";
    this.#data = [];
    this.#event = "";
    if (data.length > 0) {
      this.#pending.push(new ServerSentEvent<T>(event, data.join("\n"), this.lastEventId, this.retry));
    }
  }
}

/** The WebSocket constructor a client uses: the standard one's shape. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

/** Options of a WebSocket call. */
export interface SocketOptions {
  /** Aborting it closes the socket, or fails the connection attempt. */
  signal?: AbortSignal | undefined;
  /** Milliseconds the connection may take to open; 0 for no limit. */
  timeout?: number | undefined;
  /** The API version, sent as the api-version query parameter; null sends none. */
  apiVersion?: string | null | undefined;
  /** Subprotocols to offer. */
  protocols?: string | string[] | undefined;
}

/** How a WebSocket closed. */
export interface SocketClose {
  code: number;
  reason: string;
  wasClean: boolean;
}

/**
 * A WebSocket that exchanges JSON text messages: iterate it with for
 * await to receive (each text message parsed as In; binary messages are
 * left to raw), send() to send an Out. The iteration ends when the socket
 * closes, and fails with a SyntaxError on a text message that is not JSON;
 * closed tells how the socket closed. In and Out are not checked: the
 * route's messages are not described, so they are what the caller expects.
 */
export class JsonSocket<In = unknown, Out = unknown> implements AsyncIterableIterator<In> {
  /** The underlying WebSocket. */
  readonly raw: WebSocket;
  /** Settles when the socket has closed. */
  readonly closed: Promise<SocketClose>;

  readonly #queue: In[] = [];
  #waiters: { resolve: (r: IteratorResult<In, undefined>) => void; reject: (err: unknown) => void }[] = [];
  #failure: { error: unknown } | undefined;
  #ended = false;

  constructor(raw: WebSocket) {
    this.raw = raw;
    raw.binaryType = "arraybuffer";
    this.closed = new Promise((resolve) => {
      raw.addEventListener("close", (ev) => {
        this.#end();
        resolve({ code: ev.code, reason: ev.reason, wasClean: ev.wasClean });
      });
    });
    raw.addEventListener("message", (ev) => {
      if (typeof ev.data !== "string" || this.#failure !== undefined || this.#ended) {
        return;
      }
      let msg: In;
      try {
        msg = JSON.parse(ev.data) as In;
      } catch (error) {
        this.#failure = { error };
        for (const w of this.#waiters.splice(0)) {
          w.reject(error);
        }
        if (raw.readyState < 2) {
          raw.close(1000, "a message is not JSON"); // browsers allow no 1003
        }
        return;
      }
      const w = this.#waiters.shift();
      if (w !== undefined) {
        w.resolve({ done: false, value: msg });
      } else {
        this.#queue.push(msg);
      }
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<In, undefined>> {
    if (this.#queue.length > 0) {
      return Promise.resolve({ done: false, value: this.#queue.shift() as In });
    }
    if (this.#failure !== undefined) {
      return Promise.reject(this.#failure.error);
    }
    if (this.#ended) {
      return Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
    });
  }

  async return(): Promise<IteratorResult<In, undefined>> {
    this.close();
    return { done: true, value: undefined };
  }

  /** Sends message as a JSON text message. */
  send(message: Out): void {
    this.raw.send(JSON.stringify(message));
  }

  /**
   * Closes the socket, normally (1000) unless told otherwise (browsers
   * accept 1000 and 3000–4999). The iteration ends at once: messages not
   * yet read are dropped.
   */
  close(code = 1000, reason = ""): void {
    this.#queue.length = 0;
    this.#end();
    if (this.raw.readyState < 2) { // CONNECTING or OPEN
      this.raw.close(code, reason);
    }
  }

  #end(): void {
    this.#ended = true;
    for (const w of this.#waiters.splice(0)) {
      w.resolve({ done: true, value: undefined });
    }
  }
}

/** A described request, as client.ts makes it. */
export interface Call {
  method: string;
  /** The path with its parameters filled in and encoded. */
  path: string;
  query?: Record<string, QueryValue> | undefined;
  headers?: Record<string, QueryValue> | undefined;
  cookies?: Record<string, QueryValue> | undefined;
  /** The JSON body. */
  body?: unknown;
  /** What a response without a body (204) returns: undefined unless told. */
  noContent?: null | undefined;
}

/**
 * The transport under a generated client: it sends requests and turns
 * responses into results or ApiErrors. Generated code calls it; it is not
 * meant to be used directly.
 */
export class Transport {
  readonly #options: ClientOptions;
  readonly #apiVersion: string | null;
  readonly #base: string;

  constructor(options: ClientOptions, apiVersion: string) {
    this.#options = options;
    this.#apiVersion = options.apiVersion !== undefined ? options.apiVersion : apiVersion || null;
    this.#base = String(options.baseUrl).replace(/\/+$/, "");
  }

  /** Sends req with a JSON body (if any) and parses the JSON response. */
  json<T>(req: Call, options: CallOptions = {}): ApiPromise<T> {
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, QueryValue> = { ...req.headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    headers["Accept"] = "application/json, application/problem+json";
    return new ApiPromise(
      this.#call(req.method, this.#url(req.path, req.query), headers, req.cookies, body, options, false, async (res, meta) => {
        const text = await res.text();
        if (res.status === 204 || text === "") {
          return { data: req.noContent as T, meta };
        }
        try {
          return { data: JSON.parse(text) as T, meta };
        } catch {
          throw new ApiError(meta, text, undefined, `${meta.status}: the response is not JSON`);
        }
      }),
    );
  }

  /**
   * Sends a raw request and returns the response, whose body is unread.
   * The call's signal stays tied to the body, so aborting it stops the
   * caller reading; the timeout stops once the response has arrived.
   */
  raw(req: Call, options: RawCallOptions = {}): Promise<Response> {
    const url = this.#url(req.path, { ...req.query, ...options.query });
    return this.#call(req.method, url, req.headers, req.cookies, options.body ?? undefined, options, true, async (res) => res);
  }

  /** Opens a Server-Sent Events stream; it resolves once the server has answered. */
  stream<T>(req: Call, options: StreamOptions = {}): Promise<EventStream<T>> {
    const headers: Record<string, QueryValue> = { ...req.headers, Accept: "text/event-stream" };
    if (options.lastEventId !== undefined) {
      headers["Last-Event-ID"] = options.lastEventId;
    }
    const url = this.#url(req.path, req.query);
    return this.#call(req.method, url, headers, req.cookies, undefined, options, true, async (res, meta, signal, done) => {
      if (res.body === null) {
        throw new ApiError(meta, "", undefined, `${meta.status}: the event stream has no body`);
      }
      return new EventStream<T>(meta, res.body, signal, done);
    });
  }

  /** Opens a WebSocket; it resolves once the socket is open. */
  socket<In, Out>(req: Call, options: SocketOptions = {}): Promise<JsonSocket<In, Out>> {
    const Ctor: WebSocketConstructor | undefined = this.#options.WebSocket ?? globalThis.WebSocket;
    if (Ctor === undefined) {
      return Promise.reject(new TypeError("no WebSocket: pass the WebSocket option (Node.js before 22 has no global WebSocket)"));
    }
    const { signal } = options;
    if (signal?.aborted) {
      return Promise.reject(signal.reason);
    }
    // Browsers cannot send headers with a WebSocket: the version goes in the query.
    const version = options.apiVersion !== undefined ? options.apiVersion : this.#apiVersion;
    const query = version === null ? req.query : { ...req.query, "api-version": version };
    const url = this.#url(req.path, query).replace(/^http/, "ws");
    let socket: JsonSocket<In, Out>;
    try {
      socket = new JsonSocket<In, Out>(new Ctor(url, options.protocols));
    } catch (err) {
      return Promise.reject(err); // a URL or protocol the constructor refuses
    }
    const onAbort = (): void => socket.close();
    signal?.addEventListener("abort", onAbort, { once: true });
    void socket.closed.then(() => signal?.removeEventListener("abort", onAbort));
    const timeout = options.timeout ?? this.#options.timeout;
    return new Promise((resolve, reject) => {
      const timer = after(timeout, () => {
        reject(new DOMException(`the WebSocket did not open within ${timeout} ms`, "TimeoutError"));
        socket.close();
      });
      socket.raw.addEventListener("open", () => {
        clearTimeout(timer);
        resolve(socket);
      }, { once: true });
      // Once open, the promise is settled and this does nothing.
      void socket.closed.then((c) => {
        clearTimeout(timer);
        reject(signal?.aborted ? signal.reason : new Error(`the WebSocket ${url} closed before it opened (${c.code})`));
      });
    });
  }

  #url(path: string, query: Record<string, QueryValue> | undefined): string {
    const q = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      for (const v of values(value)) {
        q.append(name, v);
      }
    }
    const qs = q.toString();
    return this.#base + path + (qs === "" ? "" : `?${qs}`);
  }

  async #headers(
    headers: Record<string, QueryValue> | undefined,
    cookies: Record<string, QueryValue> | undefined,
    options: CallOptions,
  ): Promise<Headers> {
    const h = new Headers();
    const version = options.apiVersion !== undefined ? options.apiVersion : this.#apiVersion;
    if (version !== null) {
      h.set("X-API-Version", version);
    }
    const token = this.#options.token;
    const bearer = typeof token === "function" ? await token() : token;
    if (bearer !== undefined) {
      h.set("Authorization", `Bearer ${bearer}`);
    }
    // The more specific wins: the client's headers, the call's parameters,
    // the call's headers.
    new Headers(this.#options.headers).forEach((value, name) => h.set(name, value));
    for (const [name, value] of Object.entries(headers ?? {})) {
      const vs = values(value);
      if (vs.length > 0) {
        h.set(name, vs.join(", "));
      }
    }
    const cookie = Object.entries(cookies ?? {}).flatMap(([name, value]) =>
      values(value).map((v) => `${name}=${encodeURIComponent(v)}`),
    );
    if (cookie.length > 0) {
      h.set("Cookie", cookie.join("; "));
    }
    new Headers(options.headers).forEach((value, name) => h.set(name, value));
    return h;
  }

  // #call sends a request, retrying it as allowed, and hands a 2xx
  // response to read. The call's signal and timeout cover the whole call
  // for JSON; for streams (streaming true) the timeout stops once read has
  // returned, and done must be called when the body has been consumed.
  async #call<R>(
    method: string,
    url: string,
    headers: Record<string, QueryValue> | undefined,
    cookies: Record<string, QueryValue> | undefined,
    body: BodyInit | undefined,
    options: CallOptions,
    streaming: boolean,
    read: (res: Response, meta: ResponseMeta, signal: AbortSignal, done: () => void) => Promise<R>,
  ): Promise<R> {
    const ctl = new Deadline(options.signal, options.timeout ?? this.#options.timeout);
    let handedOver = false;
    let requestId: string | undefined; // set once the headers are ready
    try {
      const retry = retryOptions(method, body, options.retry !== undefined ? options.retry : this.#options.retry);
      // Called as a plain function: browsers refuse fetch with another this.
      const doFetch = this.#options.fetch ?? globalThis.fetch;
      const h = await ctl.race(this.#headers(headers, cookies, options));
      requestId = h.get("X-Request-Id") ?? newRequestId();
      h.set("X-Request-Id", requestId);
      for (let attempt = 1; ; attempt++) {
        let res: Response;
        try {
          res = await doFetch(url, { method, headers: h, body: body ?? null, signal: ctl.signal });
        } catch (err) {
          throw ctl.signal.aborted ? ctl.signal.reason : err;
        }
        const meta = this.#meta(res, method, url, requestId);
        if (res.ok) {
          try {
            const result = await read(res, meta, ctl.signal, () => ctl.release());
            handedOver = streaming;
            if (streaming) {
              ctl.stopTimer();
            }
            return result;
          } catch (err) {
            throw ctl.signal.aborted ? ctl.signal.reason : err;
          }
        }
        const error = await this.#error(res, meta, ctl);
        const wait = retryDelay(error, attempt, retry);
        if (wait === undefined) {
          throw error;
        }
        await ctl.sleep(wait);
      }
    } catch (err) {
      // The caller's abort reason may be shared by other calls: it gets no id.
      const ours = !ctl.signal.aborted || ctl.timedOut;
      if (requestId !== undefined && ours && typeof err === "object" && err !== null && !(err instanceof ApiError)) {
        failedCalls.set(err, requestId);
      }
      throw err;
    } finally {
      if (!handedOver) {
        ctl.release();
      }
    }
  }

  #meta(res: Response, method: string, url: string, requestId: string): ResponseMeta {
    const h = res.headers;
    const apiVersion = h.get("X-API-Version") ?? undefined;
    const dep = h.get("Deprecation");
    const sunset = h.get("Sunset");
    let deprecation: DeprecationNotice | undefined;
    if (dep !== null || sunset !== null) {
      deprecation = {
        apiVersion,
        deprecated: parseDeprecation(dep),
        sunset: parseDate(sunset),
        link: h.get("Link") ?? undefined,
        method,
        url,
      };
      this.#options.onDeprecation?.(deprecation);
    }
    return { status: res.status, headers: h, apiVersion, requestId: h.get("X-Request-Id") ?? requestId, deprecation };
  }

  async #error(res: Response, meta: ResponseMeta, ctl: Deadline): Promise<ApiError> {
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw ctl.signal.aborted ? ctl.signal.reason : err;
    }
    return new ApiError(meta, text, parseProblem(text, res.headers.get("Content-Type")));
  }
}

// Deadline is a call's cancellation: the caller's signal, and a timer
// when the call has a timeout, as one AbortSignal.
class Deadline {
  readonly #ctl = new AbortController();
  readonly #parent: AbortSignal | undefined;
  readonly #onAbort = (): void => this.#ctl.abort(this.#parent?.reason);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;

  constructor(parent: AbortSignal | undefined, timeout: number | undefined) {
    this.#parent = parent;
    if (parent?.aborted) {
      this.#ctl.abort(parent.reason);
    } else {
      parent?.addEventListener("abort", this.#onAbort, { once: true });
    }
    if (!this.#ctl.signal.aborted) {
      this.#timer = after(timeout, () => {
        this.#timedOut = true;
        this.#ctl.abort(new DOMException(`the call timed out after ${timeout} ms`, "TimeoutError"));
      });
    }
  }

  get signal(): AbortSignal {
    return this.#ctl.signal;
  }

  /** Whether the call was aborted by its timeout, not by the caller. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  stopTimer(): void {
    clearTimeout(this.#timer);
  }

  release(): void {
    this.stopTimer();
    this.#parent?.removeEventListener("abort", this.#onAbort);
  }

  // race settles with p, or rejects when the call is aborted first.
  race<T>(p: Promise<T>): Promise<T> {
    const signal = this.#ctl.signal;
    if (signal.aborted) {
      return Promise.reject(signal.reason);
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }

  // sleep waits ms, or rejects when the call is aborted first; the timer
  // does not outlive the call.
  sleep(ms: number): Promise<void> {
    const signal = this.#ctl.signal;
    if (signal.aborted) {
      return Promise.reject(signal.reason);
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, Math.min(ms, maxTimer));
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}

// failedCalls maps the errors of calls that got no error response (a
// network failure, a timeout) to the request id they sent.
const failedCalls = new WeakMap<object, string>();

/**
 * The request id of the call that failed with err, to find it in the
 * server's logs: an ApiError's requestId, else the X-Request-Id the call
 * sent before it failed without a response (a network failure, a
 * timeout). Undefined for other errors, and for a call aborted by its
 * signal: the signal's reason may be shared by other calls.
 */
export function requestIdOf(err: unknown): string | undefined {
  if (err instanceof ApiError) {
    return err.requestId;
  }
  return typeof err === "object" && err !== null ? failedCalls.get(err) : undefined;
}

// newRequestId returns 128 random bits in hex. Web Crypto is global in
// browsers, Deno and Node.js 19+; where it is missing (Node.js 18 without
// --experimental-global-webcrypto), Math.random stands in: the id names
// a request, it guards nothing.
function newRequestId(): string {
  const b = new Uint8Array(16);
  const webCrypto: Crypto | undefined = globalThis.crypto;
  if (webCrypto !== undefined) {
    webCrypto.getRandomValues(b);
  } else {
    for (let i = 0; i < b.length; i++) {
      b[i] = Math.floor(Math.random() * 256);
    }
  }
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

// maxTimer is the longest delay setTimeout takes; it runs longer ones at once.
const maxTimer = 2 ** 31 - 1;

// after calls fn after ms, unless ms is undefined, 0 or too long for a
// timer (Infinity): then there is no timeout.
function after(ms: number | undefined, fn: () => void): ReturnType<typeof setTimeout> | undefined {
  if (ms === undefined || !(ms > 0) || ms > maxTimer) {
    return undefined;
  }
  return setTimeout(fn, ms);
}

const retryStatuses = new Set([429, 503]);
const idempotent = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

interface RetryPlan {
  maxAttempts: number;
  maxDelay: number;
}

function retryOptions(method: string, body: BodyInit | undefined, opts: RetryOptions | false | undefined): RetryPlan | undefined {
  // A stream body cannot be sent twice.
  if (opts === false || !idempotent.has(method) || body instanceof ReadableStream) {
    return undefined;
  }
  return { maxAttempts: opts?.maxAttempts ?? 3, maxDelay: opts?.maxDelay ?? 30_000 };
}

// retryDelay returns how long to wait before the next attempt after
// error, or undefined when the call must fail with it.
function retryDelay(error: ApiError, attempt: number, plan: RetryPlan | undefined): number | undefined {
  if (plan === undefined || attempt >= plan.maxAttempts || !retryStatuses.has(error.status)) {
    return undefined;
  }
  if (error.retryAfter !== undefined) {
    return error.retryAfter <= plan.maxDelay ? error.retryAfter : undefined;
  }
  const backoff = Math.min(plan.maxDelay, 500 * 2 ** (attempt - 1));
  return backoff / 2 + Math.random() * (backoff / 2);
}

// parseRetryAfter reads Retry-After: delay-seconds or an HTTP-date
// (RFC 9110 §10.2.3), as milliseconds from now.
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) {
    return undefined;
  }
  if (/^\s*[0-9]+\s*$/.test(value)) {
    return Number(value) * 1000;
  }
  const at = parseDate(value);
  return at === undefined ? undefined : Math.max(0, at.getTime() - Date.now());
}

// parseDeprecation reads Deprecation: an RFC 9651 date ("@1735689600",
// RFC 9745), or an HTTP-date as earlier drafts had it.
function parseDeprecation(value: string | null): Date | undefined {
  const m = value === null ? null : /^\s*@(-?[0-9]+)\s*$/.exec(value);
  if (m?.[1] !== undefined) {
    return new Date(Number(m[1]) * 1000);
  }
  return parseDate(value);
}

function parseDate(value: string | null): Date | undefined {
  if (value === null) {
    return undefined;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

// parseProblem returns the body as a problem document if it is one: a
// JSON object with a numeric status, sent as problem+json or JSON.
function parseProblem(text: string, contentType: string | null): Problem | undefined {
  if (contentType === null || !/^application\/(problem\+)?json\b/i.test(contentType)) {
    return undefined;
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v) || typeof (v as { status?: unknown }).status !== "number") {
    return undefined;
  }
  const p = v as Problem;
  return { ...p, code: typeof p.code === "string" ? p.code : `http_${p.status}` };
}

function values(value: QueryValue): string[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (Array.isArray(value)) {
    return value.map(String);
  }
  return [String(value)];
}

/** Encodes a path parameter that spans segments ({path...}): each segment on its own. */
export function encodePathRest(value: string): string {
  return value.split("/").map(encodeURIComponent).join("/");
}
