import assert from "node:assert/strict";
import { helpText, parseCliArgs, UsageError } from "../../src/cli/_args.ts";
import { parseArgs } from "node:util";

Deno.test("parseCliArgs() takes the last positional of get as the path", () => {
  const cmd = parseCliArgs(
    ["get", "a.yaml", "b.yaml", "db.host", "-r", "-d", "x", "-s", "s.yaml"],
    parseArgs,
  );
  assert.equal(cmd.command, "get");
  if (cmd.command !== "get") return;
  assert.deepEqual(cmd.files, ["a.yaml", "b.yaml"]);
  assert.equal(cmd.path, "db.host");
  assert.equal(cmd.resolve, true);
  assert.equal(cmd.default, "x");
  assert.equal(cmd.schema, "s.yaml");
  assert.equal(cmd.format, "text");
});

Deno.test("parseCliArgs() reads the common flags, repeatable allowlist included", () => {
  const cmd = parseCliArgs([
    "dump",
    "a.yaml",
    "--ignore-missing",
    "--allow-http",
    "--http-allowlist",
    "https://a/*",
    "--http-allowlist=https://b/*",
    "--timeout",
    "1500",
    "--max-concurrency",
    "4",
    "--no-redact",
  ], parseArgs);
  assert.equal(cmd.command, "dump");
  if (cmd.command !== "dump") return;
  assert.equal(cmd.ignoreMissing, true);
  assert.equal(cmd.allowHttp, true);
  assert.deepEqual(cmd.httpAllowlist, ["https://a/*", "https://b/*"]);
  assert.equal(cmd.timeout, 1500);
  assert.equal(cmd.maxConcurrency, 4);
  assert.equal(cmd.redact, false);
  assert.equal(cmd.format, "yaml");
});

Deno.test("parseCliArgs() rejects bad usage with a UsageError naming the command", () => {
  const bad: string[][] = [
    [],
    ["frobnicate"],
    ["get", "only-one"],
    ["get", "a.yaml", "b", "--bogus"],
    ["get", "a.yaml", "b", "-f", "xml"],
    ["dump", "a.yaml", "--timeout", "soon"],
    ["dump", "a.yaml", "--max-concurrency", "1.5"],
    ["dump", "a.yaml", "--max-concurrency", "0"],
    ["validate", "a.yaml"],
    ["schema", "explode", "s.yaml"],
    ["schema", "docs"],
    ["check"],
  ];
  for (const argv of bad) {
    assert.throws(() => parseCliArgs(argv, parseArgs), UsageError, argv.join(" "));
  }
  try {
    parseCliArgs(["validate", "a.yaml"], parseArgs);
  } catch (error) {
    assert.ok(error instanceof UsageError);
    assert.equal(error.command, "validate");
    assert.match(error.message, /--schema/);
  }
});

Deno.test("parseCliArgs() recognises help and version forms", () => {
  assert.deepEqual(parseCliArgs(["--version"], parseArgs), { command: "version" });
  assert.deepEqual(parseCliArgs(["--help"], parseArgs), { command: "help", topic: undefined });
  assert.deepEqual(parseCliArgs(["help", "dump"], parseArgs), { command: "help", topic: "dump" });
  assert.deepEqual(parseCliArgs(["get", "--help"], parseArgs), { command: "help", topic: "get" });
  assert.deepEqual(parseCliArgs(["validate", "-h"], parseArgs), {
    command: "help",
    topic: "validate",
  });
});

Deno.test("parseCliArgs() keeps schema docs format as typed for the command to check", () => {
  const cmd = parseCliArgs(["schema", "docs", "s.yaml", "-f", "html"], parseArgs);
  assert.equal(cmd.command, "schema");
  if (cmd.command !== "schema") return;
  assert.equal(cmd.action, "docs");
  assert.equal(cmd.format, "html");
});

Deno.test("helpText() documents every flag of a command plus the common ones", () => {
  const text = helpText("dump");
  for (const flag of ["--resolve", "--no-redact", "--output", "--sources", "--trace"]) {
    assert.ok(text.includes(flag), flag);
  }
  assert.ok(text.includes("--max-concurrency"));
  assert.match(helpText(undefined), /plan <files\.\.\.>/);
});
