// The client generated for version 2025-01-01 of examples/versioned-api,
// against the server's current code at $BASE_URL: it speaks the old shape
// ({"name"}), and the server translates.
import { check, done, env, equal, rejection, test } from "./harness.js";
import { API_VERSION, ApiError, VersionedApiClient, type DeprecationNotice, type User } from "./index.js";

const baseUrl = env("BASE_URL");
const notices: DeprecationNotice[] = [];
const client = new VersionedApiClient({ baseUrl, onDeprecation: (n) => notices.push(n) });

// typeChecks is never called: tsc checks the old shape.
export function typeChecks(u: User): void {
  const name: string = u.name;
  void name;
  // @ts-expect-error 2025-01-01 has no first_name
  void u.first_name;
  // @ts-expect-error 2025-01-01 creates users from a name
  void client.createUserHandler({ first_name: "Ada", last_name: "Lovelace" });
}

const sunset = new Date("2030-01-01T00:00:00Z").getTime();
let id = "";

await test("pinned to 2025-01-01", async () => {
  equal(API_VERSION, "2025-01-01", "API_VERSION");
});

await test("create a user in the old shape", async () => {
  const { data, meta } = await client.createUserHandler({ name: "Ada Lovelace" }).withMeta();
  id = data.id;
  equal(Object.keys(data).sort(), ["id", "name"], "fields");
  equal(data.name, "Ada Lovelace", "name");
  equal([meta.status, meta.apiVersion], [201, "2025-01-01"], "status and version");
  const d = meta.deprecation;
  check(d !== undefined, "no deprecation notice");
  check(d.sunset?.getTime() === sunset, `sunset ${String(d.sunset)}`);
  check(d.deprecated instanceof Date && !Number.isNaN(d.deprecated.getTime()), `deprecated ${String(d.deprecated)}`);
  check(d.link?.includes("/versions/2025-01-01") === true, `link ${d.link}`);
  equal([d.apiVersion, d.method], ["2025-01-01", "POST"], "notice");
  equal(notices.length, 1, "onDeprecation calls");
});

await test("read it back in the old shape", async () => {
  const u = await client.getUser(id);
  equal(u, { id, name: "Ada Lovelace" }, "GET /users/{id}");
  equal(notices.length, 2, "onDeprecation calls");
  check(notices[1]?.url === `${baseUrl}/users/${id}`, `notice url ${notices[1]?.url}`);
});

await test("a call can override the version: null sends none", async () => {
  const { data, meta } = await client.getUser(id, { apiVersion: null }).withMeta();
  equal(data, { id, first_name: "Ada", last_name: "Lovelace" }, "head shape");
  equal([meta.apiVersion, meta.deprecation], ["2025-06-01", undefined], "head version");
  const other = new VersionedApiClient({ baseUrl, apiVersion: "2025-06-01" });
  equal((await other.getUser(id).withMeta()).meta.apiVersion, "2025-06-01", "client-wide override");
});

await test("old-shape validation errors", async () => {
  const err = await rejection(client.createUserHandler({ name: "" }), "empty name");
  check(err instanceof ApiError, String(err));
  equal(err.status, 422, "status");
  check(err.meta.deprecation !== undefined, "errors carry the deprecation too");
  const err2 = await rejection(client.getUser("999"), "unknown user");
  check(err2 instanceof ApiError, String(err2));
  equal([err2.status, err2.code, err2.meta.apiVersion], [404, "user_not_found", "2025-01-01"], "404");
});

done();
