// Tests of scripts/build_npm.ts: what it takes for the package's dependencies.

import assert from "node:assert/strict";
import {
  bareImports,
  LAMBDA_BUNDLE_ARGS,
  OPTIONAL_PEERS,
  parseNpmSpecifier,
} from "../../scripts/build_npm.ts";

Deno.test("bareImports finds static, side-effect, re-export and import() specifiers, bare ones only", () => {
  const code = [
    'import { dump } from "js-yaml";',
    "import type {",
    "  SSMClient,",
    '} from "@aws-sdk/client-ssm";',
    'export * from "./core.ts";',
    'export { x } from "undici";',
    'import "side-effect-pkg";',
    'const { parse } = await import("csv-parse/sync");',
    'import { parseArgs } from "node:util";',
    'import { local } from "../src/errors.ts";',
  ].join("\n");
  assert.deepEqual([...bareImports(code)].sort(), [
    "@aws-sdk/client-ssm",
    "csv-parse/sync",
    "js-yaml",
    "side-effect-pkg",
    "undici",
  ]);
});

Deno.test("bareImports takes no word 'from' or 'import' inside code or strings for an import", () => {
  const code = [
    "const why = roots.length === 0",
    '  ? "no file roots to read it from"',
    '  : "cannot read it";',
    'const hint = "import the module first";',
    "const from = 1; const n = from + 1;",
  ].join("\n");
  assert.deepEqual([...bareImports(code)], []);
});

Deno.test("parseNpmSpecifier reads the package and range of an npm: specifier", () => {
  assert.deepEqual(parseNpmSpecifier("npm:csv-parse@^7.0.3/sync"), {
    name: "csv-parse",
    range: "^7.0.3",
  });
  assert.deepEqual(parseNpmSpecifier("npm:@aws-sdk/client-ssm@^3.1"), {
    name: "@aws-sdk/client-ssm",
    range: "^3.1",
  });
});

Deno.test("the Lambda bundle recipe leaves the AWS SDK and every optional peer external", () => {
  const externals = LAMBDA_BUNDLE_ARGS.filter((a) => a.startsWith("--external:"))
    .map((a) => a.slice("--external:".length));
  for (const peer of Object.keys(OPTIONAL_PEERS)) {
    assert.ok(
      externals.some((e) => e === peer || (e.endsWith("/*") && peer.startsWith(e.slice(0, -1)))),
      `${peer} is bundled by the recipe`,
    );
  }
  assert.ok(externals.includes("@aws-sdk/*"));
});

Deno.test("every optional peer of the npm package comes from deno.json's import map", async () => {
  const imports = (JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  ) as { imports: Record<string, string> }).imports;
  const packages = new Set(
    Object.values(imports).filter((s) => s.startsWith("npm:")).map((s) =>
      parseNpmSpecifier(s).name
    ),
  );
  for (const peer of Object.keys(OPTIONAL_PEERS)) assert.ok(packages.has(peer), peer);
});
