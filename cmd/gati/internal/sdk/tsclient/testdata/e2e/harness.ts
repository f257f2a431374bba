// A minimal test harness for the e2e scripts: they run as plain Node.js
// programs and set a non-zero exit code when a test fails.

const failures: string[] = [];

/** Runs one test, recording a failure instead of stopping; it fails after 20 s. */
export async function test(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await within(20_000, fn(), name);
    console.log(`ok   ${name}`);
  } catch (err) {
    failures.push(name);
    console.log(`FAIL ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}

/** Reports the failures, if any, through the exit code. */
export function done(): void {
  if (failures.length > 0) {
    console.log(`${failures.length} failed: ${failures.join(", ")}`);
    process.exit(1); // a failed test may have left a call hanging
  }
}

export function check(cond: boolean, msg: string): asserts cond {
  if (!cond) {
    throw new Error(msg);
  }
}

/** Compares JSON forms, object keys sorted: got must equal want. */
export function equal(got: unknown, want: unknown, what: string): void {
  const g = canonical(got);
  const w = canonical(want);
  if (g !== w) {
    throw new Error(`${what}: got ${g}, want ${w}`);
  }
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_, x: unknown) =>
    typeof x === "object" && x !== null && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/** Returns what p rejects with, failing if it resolves. */
export async function rejection(p: PromiseLike<unknown>, what: string): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error(`${what}: resolved, want a rejection`);
}

export function env(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === "") {
    throw new Error(`$${name} is not set`);
  }
  return v;
}

/** Rejects after ms: bounds a wait that should end sooner. */
export function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
