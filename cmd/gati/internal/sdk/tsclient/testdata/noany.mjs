// noany.mjs TSC FILE.d.ts... reports every `any` type in the declaration
// files, parsed with the TypeScript compiler that TSC (its bin/tsc) belongs
// to, and exits 1 if there is one. Comments and strings do not count.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const [tsc, ...files] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const ts = require(path.join(path.dirname(tsc), "..", "lib", "typescript.js"));

let found = 0;
for (const file of files) {
  const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (node.kind === ts.SyntaxKind.AnyKeyword) {
      const { line } = src.getLineAndCharacterOfPosition(node.getStart(src));
      console.log(`${path.basename(file)}:${line + 1}: any in ${node.parent.getText(src)}`);
      found++;
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
}
process.exit(found > 0 ? 1 : 0);
