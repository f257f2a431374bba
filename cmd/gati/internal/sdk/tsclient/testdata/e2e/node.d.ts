// The little of Node.js the e2e scripts use, declared here because the
// tests install no @types/node: the clients need nothing of Node.js.
declare const process: {
  env: Record<string, string | undefined>;
  exit(code: number): never;
};
