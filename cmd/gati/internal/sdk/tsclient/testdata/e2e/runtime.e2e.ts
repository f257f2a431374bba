// The runtime's behaviour, through the synthetic API's client against the
// scripted server of synthetic_test.go at $BASE_URL.
import { check, done, env, equal, rejection, test, within } from "./harness.js";
import {
  API_VERSION,
  ApiError,
  ServerSentEvent,
  SyntheticShopClient,
  requestIdOf,
  type ApiError2,
  type DeprecationNotice,
  type EchoParams,
  type Item,
  type Kind,
  type Level,
  type Response2,
  type users_User,
} from "./index.js";

const baseUrl = env("BASE_URL");
const client = new SyntheticShopClient({ baseUrl });
const tenant: EchoParams = { "X-Tenant": "acme" };

// typeChecks is never called: tsc checks the generated types.
export function typeChecks(i: Item): void {
  const k: Kind = "music";
  const l: Level = 3;
  const owner: users_User | undefined = i.owner;
  const err: ApiError2 | undefined = i.last_error;
  const parent: Item | null | undefined = i.parent;
  const attrs: Record<string, string> | undefined = i.attrs;
  const meta: unknown = i.meta;
  const extra: string | undefined = i["x-extra"];
  const c: number | undefined = i.nested?.a;
  const cs: (string | null | undefined)[] | undefined = i.nested?.b?.map((b) => b.c);
  const r: Response2 = { ok: true };
  void [k, l, owner, err, parent, attrs, meta, extra, c, cs, r];
  // @ts-expect-error not a Kind
  const k2: Kind = "video";
  // @ts-expect-error not a Level
  const l2: Level = 4;
  // @ts-expect-error the X-Tenant header parameter is required
  void client.echo({});
  // @ts-expect-error id is a number
  void client.getItem("1");
  void [k2, l2];
}

const item: Item = { id: 1, name: "Dune", kind: "book" };

// hexId is the form of the request ids the client makes.
const hexId = /^[0-9a-f]{32}$/;

// failing returns headers that make the server fail the first fail
// attempts with key, answering status with Retry-After retryAfter.
const failing = (key: string, fail: number, retryAfter?: string, status = 503): Record<string, string> => ({
  "X-Test-Key": key,
  "X-Test-Fail": String(fail),
  "X-Test-Status": String(status),
  ...(retryAfter === undefined ? {} : { "X-Test-Retry-After": retryAfter }),
});

await test("query, header and cookie parameters", async () => {
  const e = await client.echo({ ...tenant, tag: ["a", "b c"], limit: 5, kind: "book", since: true, session: "s 1" });
  equal(e.path, "/echo?tag=a&tag=b+c&limit=5&kind=book&since=true", "path and query");
  equal([e.headers["x-tenant"], e.headers["cookie"]], ["acme", "session=s%201"], "header and cookie");
  const e2 = await client.echo({ ...tenant, limit: undefined });
  equal(e2.path, "/echo", "undefined parameters are left out");
});

await test("the pinned version, a bearer token and custom headers", async () => {
  equal(API_VERSION, "2025-01-01", "API_VERSION");
  const c = new SyntheticShopClient({ baseUrl, token: "t0k", headers: { "X-Client": "a", "X-Both": "client" } });
  const e = await c.echo(tenant, { headers: { "X-Both": "call" } });
  equal(
    [e.headers["x-api-version"], e.headers["authorization"], e.headers["x-client"], e.headers["x-both"]],
    ["2025-01-01", "Bearer t0k", "a", "call"],
    "headers",
  );
  const f = new SyntheticShopClient({ baseUrl, token: async () => "fresh", apiVersion: "2025-06-01" });
  const e2 = await f.echo(tenant);
  equal([e2.headers["x-api-version"], e2.headers["authorization"]], ["2025-06-01", "Bearer fresh"], "option overrides");
  const e3 = await f.echo(tenant, { apiVersion: null });
  equal(e3.headers["x-api-version"], undefined, "apiVersion null sends none");
  const t = new SyntheticShopClient({ baseUrl, headers: { "X-Tenant": "client" } });
  equal((await t.echo(tenant)).headers["x-tenant"], "acme", "a header parameter overrides the client's headers");
  const e4 = await t.echo(tenant, { headers: { "X-Tenant": "call" } });
  equal(e4.headers["x-tenant"], "call", "the call's headers override a header parameter");
  let fetches = 0;
  const counting = new SyntheticShopClient({
    baseUrl,
    fetch: (input, init) => {
      fetches++;
      return fetch(input, init);
    },
  });
  await counting.echo(tenant, { headers: failing("f1", 1, "0") });
  equal(fetches, 2, "the fetch option is used for every attempt");
  const none = new SyntheticShopClient({ baseUrl, token: () => undefined });
  equal((await none.echo(tenant)).headers["authorization"], undefined, "a token function may send none");
});

await test("JSON bodies", async () => {
  const e = await client.echoPost(item);
  equal([e.method, e.body, e.headers["content-type"]], ["POST", item, "application/json"], "POST");
  const { meta } = await client.echoPost(item).withMeta();
  equal([meta.status, meta.apiVersion], [201, "2025-01-01"], "meta");
  check(meta.requestId !== undefined && hexId.test(meta.requestId), `request id ${meta.requestId}`);
});

await test("path parameters are encoded", async () => {
  const res = await client.getFile("a b/c%d/ü.txt");
  equal([res.status, await res.text()], [200, "/files/a%20b/c%25d/%C3%BC.txt"], "raw response");
  const err = await rejection(client.getFile("missing"), "missing file");
  check(err instanceof ApiError && err.code === "file_not_found", String(err));
  const q = await client.getFile("x", { query: { v: [1, 2] } });
  equal(await q.text(), "/files/x?v=1&v=2", "raw query");
});

await test("a nullable response is null on 204; a 204 route resolves undefined", async () => {
  equal(await client.getItem(0), null, "204");
  const i = await client.getItem(12);
  equal([i?.id, i?.attrs, i?.parent], [12, { lang: "en" }, null], "item");
  equal(await client.deleteItem(12), undefined, "DELETE");
});

await test("ApiError carries the problem", async () => {
  const err = await rejection(client.getItem(404), "404");
  check(err instanceof ApiError && err instanceof Error, String(err));
  equal(
    [err.name, err.status, err.code, err.detail, err.errors, err.requestId],
    ["ApiError", 404, "item_not_found", "no item 404", [{ pointer: "/path/id", detail: "is unknown" }], err.meta.requestId],
    "error",
  );
  equal([err.problem?.title, err.problem?.type], ["Not Found", "https://gati.dev/problems/x"], "problem");
  check(err.body.includes("item_not_found"), err.body);
});

await test("a body that is not a problem", async () => {
  const err = await rejection(client.echo(tenant, { headers: { "X-Test-HTML": "502" } }), "502");
  check(err instanceof ApiError, String(err));
  equal([err.status, err.code, err.problem, err.detail, err.errors], [502, "http_502", undefined, undefined, []], "error");
  equal(err.body, "<h1>Bad gateway</h1>", "body");
});

await test("idempotent calls retry 503 and 429, honouring Retry-After", async () => {
  const e = await client.echo(tenant, { headers: failing("r1", 2, "0") });
  equal(e.attempt, 3, "attempts after two 503s");
  const t0 = Date.now();
  const e2 = await client.echoPut(item, { headers: failing("r2", 1, "1", 429) });
  equal(e2.attempt, 2, "attempts after a 429");
  check(Date.now() - t0 >= 900, `waited ${Date.now() - t0} ms for Retry-After: 1`);
  const soon = new Date(Date.now() + 1500).toUTCString(); // an HTTP-date, in whole seconds
  const e3 = await client.echo(tenant, { headers: failing("r3", 1, soon) });
  equal(e3.attempt, 2, "attempts after a Retry-After date");
  const e4 = await client.echo(tenant, { headers: failing("r4", 1) }); // no Retry-After: backoff
  equal(e4.attempt, 2, "attempts with backoff");
});

await test("retries are bounded", async () => {
  const err = await rejection(client.echo(tenant, { headers: failing("b1", 9, "0") }), "always 503");
  check(err instanceof ApiError, String(err));
  equal([err.status, err.problem?.["attempt"]], [503, 3], "gave up after 3 attempts");
  const c = new SyntheticShopClient({ baseUrl, retry: { maxAttempts: 5 } });
  const err2 = await rejection(c.echo(tenant, { headers: failing("b2", 9, "0") }), "always 503");
  check(err2 instanceof ApiError, String(err2));
  equal(err2.problem?.["attempt"], 5, "maxAttempts 5");
  const err3 = await rejection(client.echo(tenant, { headers: failing("b3", 9, "3600"), retry: { maxDelay: 1000 } }), "long");
  check(err3 instanceof ApiError, String(err3));
  equal([err3.problem?.["attempt"], err3.retryAfter], [1, 3_600_000], "a Retry-After beyond maxDelay fails at once");
  const err4 = await rejection(client.echo(tenant, { headers: failing("b4", 1, "0"), retry: false }), "retry false");
  equal(err4 instanceof ApiError && err4.problem?.["attempt"], 1, "retry: false");
});

await test("non-idempotent calls and other statuses are not retried", async () => {
  const err = await rejection(client.echoPost(item, { headers: failing("n1", 1, "0") }), "POST 503");
  equal(err instanceof ApiError && [err.status, err.problem?.["attempt"]], [503, 1], "POST");
  const err2 = await rejection(client.echo(tenant, { headers: failing("n2", 1, "0", 500) }), "GET 500");
  equal(err2 instanceof ApiError && [err2.status, err2.problem?.["attempt"]], [500, 1], "500");
});

await test("aborting a retry's wait rejects at once", async () => {
  const ctl = new AbortController();
  const p = client.echo(tenant, { signal: ctl.signal, headers: failing("a1", 1, "20") });
  setTimeout(() => ctl.abort(), 200);
  const t0 = Date.now();
  const err = await within(5000, rejection(p, "aborted wait"), "abort");
  check(err instanceof DOMException && err.name === "AbortError", String(err));
  check(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  const again = await client.echo(tenant, { headers: { "X-Test-Key": "a1" } });
  equal(again.attempt, 2, "no attempt after the abort");
});

await test("timeouts: per call and client-wide", async () => {
  const slow = { headers: { "X-Test-Sleep": "3000" } };
  const t0 = Date.now();
  const err = await rejection(client.echo(tenant, { ...slow, timeout: 100 }), "per-call timeout");
  check(err instanceof DOMException && err.name === "TimeoutError", String(err));
  check(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  const c = new SyntheticShopClient({ baseUrl, timeout: 100 });
  const err2 = await rejection(c.echo(tenant, slow), "client timeout");
  check(err2 instanceof DOMException && err2.name === "TimeoutError", String(err2));
  const e = await c.echo(tenant, { headers: { "X-Test-Sleep": "300" }, timeout: 5000 });
  equal(e.method, "GET", "a per-call timeout overrides the client's");
  const e2 = await c.echo(tenant, { headers: { "X-Test-Sleep": "300" }, timeout: 0 });
  equal(e2.method, "GET", "timeout 0 is none");
  const err3 = await rejection(c.echo(tenant, { headers: failing("t1", 9, "1") }), "timeout while waiting to retry");
  check(err3 instanceof DOMException && err3.name === "TimeoutError", String(err3));
});

await test("every call sends a request id, the same on its retries", async () => {
  const { data: e, meta } = await client.echo(tenant, { headers: failing("id1", 2, "0") }).withMeta();
  const sent = e.headers["x-request-id"] ?? "";
  check(hexId.test(sent), `sent ${sent}`);
  equal([e.attempt, meta.headers.get("X-Test-Ids"), meta.requestId], [3, `${sent},${sent},${sent}`, sent], "three attempts, one id");
  const next = (await client.echo(tenant)).headers["x-request-id"] ?? "";
  check(hexId.test(next) && next !== sent, `the next call sent ${next}, the first ${sent}`);
  const c = new SyntheticShopClient({ baseUrl, headers: { "X-Request-Id": "client-wide" } });
  equal((await c.echo(tenant)).headers["x-request-id"], "client-wide", "the client's headers set it");
  const { meta: m2 } = await c.echo(tenant, { headers: { "X-Request-Id": "per-call" } }).withMeta();
  equal(m2.requestId, "per-call", "the call's headers set it");
  const { data: e3, meta: m3 } = await client.echo(tenant, { headers: { "X-Test-No-Echo": "1" } }).withMeta();
  equal([m3.headers.get("X-Request-Id"), m3.requestId], [null, e3.headers["x-request-id"]], "not echoed: meta has the id sent");
});

await test("a failed call names its request id", async () => {
  const slow = { "X-Test-Sleep": "3000", "X-Test-Key": "id2" };
  const err = await rejection(client.echo(tenant, { headers: slow, timeout: 100 }), "timeout");
  check(err instanceof DOMException && err.name === "TimeoutError", String(err));
  const { meta } = await client.echo(tenant, { headers: { "X-Test-Key": "id2" } }).withMeta();
  const sent = meta.headers.get("X-Test-Ids")?.split(",")[0];
  check(sent !== undefined && hexId.test(sent) && requestIdOf(err) === sent, `timeout: requestIdOf ${requestIdOf(err)}, sent ${sent}`);
  const down = new SyntheticShopClient({ baseUrl: "http://127.0.0.1:1", headers: { "X-Request-Id": "to-nowhere" } });
  const err2 = await rejection(down.echo(tenant), "refused");
  check(err2 instanceof TypeError && requestIdOf(err2) === "to-nowhere", `network failure: ${String(err2)}, ${requestIdOf(err2)}`);
  const err3 = await rejection(client.echo(tenant, { headers: { ...failing("id3", 1, "0", 500), "X-Test-No-Echo": "1" } }), "500");
  check(err3 instanceof ApiError && hexId.test(err3.requestId ?? "") && requestIdOf(err3) === err3.requestId, `ApiError ${requestIdOf(err3)}`);
  const ctl = new AbortController();
  const p = client.echo(tenant, { headers: { "X-Test-Sleep": "3000" }, signal: ctl.signal });
  setTimeout(() => ctl.abort(), 50);
  const err4 = await rejection(p, "aborted");
  equal([requestIdOf(err4), requestIdOf(new Error("x")), requestIdOf("x")], [undefined, undefined, undefined], "no id for the caller's abort or other errors");
});

await test("deprecation headers: onDeprecation and meta", async () => {
  const notices: DeprecationNotice[] = [];
  const c = new SyntheticShopClient({ baseUrl, onDeprecation: (n) => notices.push(n) });
  const { meta } = await c.echo(tenant, { headers: { "X-Test-Deprecated": "1" } }).withMeta();
  const d = meta.deprecation;
  check(d !== undefined, "no notice");
  equal(
    [d.deprecated?.toISOString(), d.sunset?.toISOString(), d.apiVersion, d.method, d.url],
    ["2025-01-01T00:00:00.000Z", "2030-01-01T00:00:00.000Z", "2025-01-01", "GET", `${baseUrl}/echo`],
    "notice",
  );
  equal(notices, [d], "onDeprecation");
  await c.echo(tenant);
  equal(notices.length, 1, "no notice without the headers");
});

await test("Server-Sent Events are parsed per the standard", async () => {
  const s = await client.feed({ headers: { "X-Test-Feed": "end" }, lastEventId: "41" });
  const got: [string, string, string, number | undefined][] = [];
  for await (const ev of s) {
    check(ev instanceof ServerSentEvent, "not a ServerSentEvent");
    got.push([ev.event, ev.data, ev.id, ev.retry]);
  }
  equal(
    got,
    [
      ["greeting", "hello", "7", 1500],
      ["message", "multi\nline", "7", 1500],
      ["message", "split-across", "7", 1500],
      ["message", '{"n":1}', "", 1500],
      ["message", "last-event-id=41", "", 1500],
    ],
    "events",
  );
  equal([s.lastEventId, s.retry], ["", 1500], "stream state");
});

await test("a stream: json(), break, and abort", async () => {
  const s = await client.feed<{ n: number }>();
  for await (const ev of s) {
    if (ev.data.startsWith("{")) {
      equal(ev.json().n, 1, "json");
      break; // closes the stream
    }
  }
  equal(await s.next(), { done: true }, "after break");
  const ctl = new AbortController();
  const s2 = await client.feed({ signal: ctl.signal });
  let n = 0;
  const err = await rejection(
    (async () => {
      for await (const _ of s2) {
        if (++n === 5) {
          ctl.abort();
        }
      }
    })(),
    "aborted stream",
  );
  check(err instanceof DOMException && err.name === "AbortError" && n === 5, `${String(err)} after ${n} events`);
  const err2 = await rejection(client.feed({ headers: failing("s1", 9, "0", 500) }), "stream 500");
  equal(err2 instanceof ApiError && err2.status, 500, "a failed stream rejects with an ApiError");
});

await test("sockets need a WebSocket", async () => {
  const g = globalThis as { WebSocket?: unknown };
  const saved = g.WebSocket;
  g.WebSocket = undefined;
  try {
    const err = await rejection(client.socket("r"), "no WebSocket");
    check(err instanceof TypeError && err.message.includes("WebSocket option"), String(err));
  } finally {
    g.WebSocket = saved;
  }
});

done();
