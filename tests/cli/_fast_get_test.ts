import assert from "node:assert/strict";
import { parseSimpleGet } from "../../src/cli/_fast_get.ts";
import { parseCliArgs } from "../../src/cli/_args.ts";
import { parseArgs } from "node:util";

const SAME = [
  ["get", "a.yaml", "db.host"],
  ["get", "a.yaml", "b.yaml", "db.host", "-r"],
  ["get", "-r", "a.yaml", "db.host"],
  ["get", "a.yaml", "db.host", "--resolve", "--format", "json"],
  ["get", "a.yaml", "db.host", "-f", "yaml", "-d", "fallback"],
  ["get", "a.yaml", "db.host", "--format=json", "--default=x=y"],
  ["get", "a.yaml", "db.host", "-s", "schema.yaml", "--trace", "--ignore-missing", "--allow-http"],
  ["get", "a.yaml", "db.host", "--schema=schema.yaml"],
  ["get", "a.yaml", "db.host", "-d", ""],
  ["get", "a.yaml", "db", "-r", "--no-redact"],
];

Deno.test("the simple get form parses exactly as the general parser does", () => {
  for (const argv of SAME) {
    assert.deepEqual(parseSimpleGet(argv), parseCliArgs(argv, parseArgs), argv.join(" "));
  }
});

Deno.test("anything beyond the simple get form is left to the general parser", () => {
  const OTHER = [
    ["dump", "a.yaml"],
    ["get", "a.yaml"],
    ["get", "a.yaml", "p", "--help"],
    ["get", "a.yaml", "p", "-f", "xml"],
    ["get", "a.yaml", "p", "-r", "-r"],
    ["get", "a.yaml", "p", "--no-redact", "--no-redact"],
    ["get", "a.yaml", "p", "--no-redact=true"],
    ["get", "a.yaml", "p", "--timeout", "5"],
    ["get", "a.yaml", "p", "--http-allowlist", "https://x/*"],
    ["get", "a.yaml", "p", "-d"],
    ["get", "a.yaml", "p", "--resolve=yes"],
    ["get", "a.yaml", "p", "-rf", "json"],
    ["get", "--", "a.yaml", "p"],
  ];
  for (const argv of OTHER) assert.equal(parseSimpleGet(argv), undefined, argv.join(" "));
});
