import assert from "node:assert/strict";
import { bareImports } from "../../scripts/build_npm.ts";

Deno.test("bareImports finds static, dynamic and side-effect imports of packages only", () => {
  const code = [
    'import { load } from "js-yaml";',
    'import "fast-check";',
    'const m = await import("csv-parse/sync");',
    'import { x } from "./local.ts";',
    'import fs from "node:fs";',
    'export { y } from "@scope/pkg/sub";',
  ].join("\n");
  assert.deepEqual([...bareImports(code)].sort(), [
    "@scope/pkg/sub",
    "csv-parse/sync",
    "fast-check",
    "js-yaml",
  ]);
});

Deno.test("bareImports ignores a string that ends in the word 'from' before another string", () => {
  const code = 'const why = cond\n  ? "no file roots to read it from"\n  : "outside the roots";\n';
  assert.deepEqual([...bareImports(code)], []);
});
