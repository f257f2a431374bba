// Calls every route of a running examples/tasks through its generated
// client: $BASE_URL is the server, $TOKEN its API token.
import { check, done, env, equal, rejection, test, within } from "./harness.js";
import {
  API_VERSION,
  ApiError,
  TasksClient,
  type CreateInput,
  type EventStream,
  type JsonSocket,
  type ListParams,
  type Task,
  type TaskList,
  type UpdateInput,
} from "./index.js";

/** A message of GET /tasks/events, as the route's doc describes it. */
interface TaskEvent {
  seq: number;
  type: "created" | "updated" | "deleted";
  task: Task;
}

const baseUrl = env("BASE_URL");
const client = new TasksClient({ baseUrl, token: env("TOKEN") });

// typeChecks is never called: tsc checks what the client accepts and
// returns, and fails the build if an @ts-expect-error line compiles.
export function typeChecks(c: TasksClient, t: Task, l: TaskList): void {
  const title: string = t.title;
  const due: string | null | undefined = t.due;
  const count: number = l.count;
  const first: Task | undefined = l.tasks[0]; // noUncheckedIndexedAccess
  void [title, due, count, first];
  // @ts-expect-error due is optional and nullable
  const due2: string = t.due;
  // @ts-expect-error title is required
  const bad: CreateInput = {};
  // @ts-expect-error done is a boolean
  const bad2: UpdateInput = { done: "yes" };
  // @ts-expect-error limit is a number
  const bad3: ListParams = { limit: "5" };
  // @ts-expect-error done is text, as the parameter's schema says
  const bad4: ListParams = { done: true };
  // @ts-expect-error the id is a string
  void c.get(1);
  // @ts-expect-error create needs a body
  void c.create();
  // @ts-expect-error delete resolves to nothing
  void c.delete("1").then((v) => v.id);
  void [due2, bad, bad2, bad3, bad4];
}

await test("unversioned: API_VERSION is empty", async () => {
  equal(API_VERSION, "", "API_VERSION");
});

await test("list an empty store", async () => {
  const l = await client.list();
  equal(l, { tasks: [], count: 0 }, "GET /tasks");
});

let stream: EventStream<Task> | undefined;
let socket: JsonSocket<TaskEvent> | undefined;
let sockets = 0;

await test("open the Server-Sent Events stream", async () => {
  stream = await client.stream<Task>();
  check(stream.meta.status === 200, `status ${stream.meta.status}`);
});

await test("open the WebSocket with an injected constructor", async () => {
  const Base = globalThis.WebSocket;
  check(Base !== undefined, "no WebSocket in this Node.js");
  class Counting extends Base {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      sockets++;
    }
  }
  const wsClient = new TasksClient({ baseUrl, WebSocket: Counting });
  socket = await wsClient.events<TaskEvent>();
  check(sockets === 1, `the injected constructor made ${sockets} sockets`);
});

let created: Task | undefined;

await test("create a task: 201 with its metadata", async () => {
  const { data, meta } = await client.create({ title: "  Write docs  ", due: "2026-03-01T17:00:00Z" }).withMeta();
  created = data;
  equal([data.title, data.done, data.due], ["Write docs", false, "2026-03-01T17:00:00Z"], "created task");
  check(data.id !== "" && typeof data.created_at === "string", `id ${data.id}`);
  check(meta.status === 201, `status ${meta.status}`);
  const echoed = meta.headers.get("X-Request-Id");
  check(meta.requestId !== undefined && /^[0-9a-f]{32}$/.test(meta.requestId) && echoed === meta.requestId,
    `request id ${meta.requestId}, X-Request-Id ${echoed}: want the client's, echoed`);
  check(meta.deprecation === undefined, "an unversioned API is deprecated");
});

await test("the stream receives the created event", async () => {
  check(stream !== undefined && created !== undefined, "no stream or task");
  const r = await within(5000, stream.next(), "SSE event");
  check(!r.done, "the stream ended");
  equal([r.value.event, r.value.id, r.value.json().title], ["created", "1", "Write docs"], "event");
  equal(r.value.json(), created, "event data");
});

await test("the WebSocket receives the created event", async () => {
  check(socket !== undefined && created !== undefined, "no socket or task");
  const r = await within(5000, socket.next(), "WebSocket message");
  check(!r.done, "the socket closed");
  equal([r.value.seq, r.value.type, r.value.task], [1, "created", created], "message");
});

await test("get the task", async () => {
  check(created !== undefined, "no task");
  equal(await client.get(created.id), created, "GET /tasks/{id}");
});

await test("update the task", async () => {
  check(created !== undefined, "no task");
  const t = await client.update(created.id, { done: true });
  equal([t.id, t.title, t.done], [created.id, "Write docs", true], "PATCH done");
  const t2 = await client.update(created.id, { title: "Docs" });
  equal([t2.title, t2.done], ["Docs", true], "PATCH title");
});

await test("list with query parameters", async () => {
  await client.create({ title: "Second" });
  const ids = async (p: ListParams): Promise<string[]> => (await client.list(p)).tasks.map((t) => t.id);
  equal(await ids({ done: "true" }), ["1"], "done=true");
  equal(await ids({ done: "false" }), ["2"], "done=false");
  equal(await ids({ limit: 1 }), ["1"], "limit=1");
  equal(await ids({ done: "false", limit: 5 }), ["2"], "done=false&limit=5");
});

await test("delete the task: 204, then 404", async () => {
  check(created !== undefined, "no task");
  const { data, meta } = await client.delete(created.id).withMeta();
  equal([data, meta.status], [undefined, 204], "DELETE");
  const err = await rejection(client.get(created.id), "GET after DELETE");
  check(err instanceof ApiError, `not an ApiError: ${String(err)}`);
  equal([err.name, err.status, err.code, err.detail], ["ApiError", 404, "task_not_found", `there is no task with id "1"`], "404");
  equal(err.problem?.instance, "/tasks/1", "instance");
  check(err.requestId !== undefined && err.requestId === err.meta.requestId, `request id ${err.requestId}`);
  check(err instanceof Error && err.message.includes("task_not_found"), err.message);
});

await test("422 with JSON pointers", async () => {
  const err = await rejection(client.create({ title: "" }), "blank title");
  check(err instanceof ApiError, String(err));
  equal([err.status, err.code, err.errors], [422, "validation_failed", [{ pointer: "/title", detail: "is required" }]], "422");
  const err2 = await rejection(client.list({ limit: 5000 }), "limit 5000");
  check(err2 instanceof ApiError, String(err2));
  equal([err2.status, err2.errors.map((e) => e.pointer)], [422, ["/query/limit"]], "limit out of range");
  const err3 = await rejection(client.update("2", {}), "empty update");
  check(err3 instanceof ApiError, String(err3));
  equal(err3.errors, [{ pointer: "", detail: "send title, done or both" }], "empty PATCH");
});

await test("401 without the token", async () => {
  const anon = new TasksClient({ baseUrl });
  const err = await rejection(anon.create({ title: "x" }), "create without a token");
  check(err instanceof ApiError, String(err));
  equal([err.status, err.code, err.meta.headers.get("WWW-Authenticate")], [401, "unauthenticated", 'Bearer realm="tasks"'], "401");
  const fn = new TasksClient({ baseUrl, token: async () => env("TOKEN") });
  check((await fn.create({ title: "by function" })).title === "by function", "token function");
});

await test("an aborted call rejects with an AbortError", async () => {
  const ctl = new AbortController();
  const p = client.list({}, { signal: ctl.signal });
  ctl.abort();
  const err = await rejection(p, "aborted list");
  check(err instanceof DOMException && err.name === "AbortError", `got ${String(err)}`);
  const err2 = await rejection(client.get("2", { signal: AbortSignal.abort() }), "pre-aborted get");
  check(err2 instanceof DOMException && err2.name === "AbortError", `got ${String(err2)}`);
});

await test("aborting a stream ends its iteration with an AbortError", async () => {
  const ctl = new AbortController();
  const s = await client.stream({ signal: ctl.signal });
  const next = s.next();
  ctl.abort();
  const err = await within(5000, rejection(next, "aborted stream"), "abort");
  check(err instanceof DOMException && err.name === "AbortError", `got ${String(err)}`);
});

await test("close the stream and the socket", async () => {
  check(stream !== undefined && socket !== undefined, "no stream or socket");
  await stream.close();
  equal(await stream.next(), { done: true }, "closed stream");
  socket.close();
  const c = await within(5000, socket.closed, "socket close");
  equal(c.code, 1000, "close code");
  equal(await socket.next(), { done: true }, "closed socket");
});

done();
