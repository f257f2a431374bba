// The little of Node.js's types (@types/node) an exported TypeScript test
// uses, declared here because the suite installs no @types/node: the
// test type-checks against these as it would against the real ones.
declare const process: { env: Record<string, string | undefined> };

declare module "node:test" {
  export function test(name: string, fn: () => void | Promise<void>): Promise<void>;
}

declare module "node:assert/strict" {
  interface Assert {
    equal(actual: unknown, expected: unknown, message?: string | Error): void;
    ok(value: unknown, message?: string | Error): asserts value;
    deepStrictEqual<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T;
    fail(message?: string | Error): never;
  }
  const assert: Assert;
  export default assert;
}
