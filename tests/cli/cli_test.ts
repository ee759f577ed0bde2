import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import {
  configure,
  registerResolver,
  ResolvedValue,
  ResolverError,
  unregisterResolver,
} from "../../mod.ts";
import { getSchedulerSettings } from "../../src/scheduler.ts";
import { MAX_CONFIG_FILE_BYTES } from "../../src/loader.ts";
import { CAN_MAKE_FIFO, HAS_DEV_ZERO, makeFifo, makeSparseFile } from "../_special_files.ts";
import { run, tempFiles } from "./_io.ts";
import { load as parseYaml } from "js-yaml";
import { noHang, until } from "../_async.ts";
import { installFakeClock } from "../_fake_clock.ts";
import { CATALOGUE } from "../../resolvers/catalogue.ts";

const APP = `database:
  host: localhost
  port: 5432
  url: "postgres://\${database.host}:\${database.port}"
cache:
  enabled: true
  ttl: null
servers: [a, b]
`;

const SCHEMA = `type: object
properties:
  name: { type: string }
  port: { type: integer }
required: [name]
`;

// --- get ---------------------------------------------------------------------------------

Deno.test("get prints strings raw and numbers, booleans and null as YAML scalars", async () => {
  await using t = await tempFiles({ "app.yaml": APP });
  const cases: [string, string][] = [
    ["database.host", "localhost\n"],
    ["database.port", "5432\n"],
    ["cache.enabled", "true\n"],
    ["cache.ttl", "null\n"],
    ["servers[1]", "b\n"],
    ["servers", "- a\n- b\n"],
  ];
  for (const [path, expected] of cases) {
    const r = await run(["get", t.path("app.yaml"), path]);
    assert.deepEqual(r, { code: 0, stdout: expected, stderr: "" }, path);
  }
});

Deno.test("get without -r keeps placeholders; with -r resolves them", async () => {
  await using t = await tempFiles({ "app.yaml": APP });
  const raw = await run(["get", t.path("app.yaml"), "database.url"]);
  assert.equal(raw.stdout, "postgres://${database.host}:${database.port}\n");
  const resolved = await run(["get", t.path("app.yaml"), "database.url", "-r"]);
  assert.equal(resolved.stdout, "postgres://localhost:5432\n");
  assert.equal(resolved.code, 0);
});

Deno.test("get of a mapping prints YAML, or JSON/YAML with --format", async () => {
  await using t = await tempFiles({ "app.yaml": APP });
  const text = await run(["get", t.path("app.yaml"), "database", "-r"]);
  assert.equal(
    text.stdout,
    "host: localhost\nport: 5432\nurl: postgres://localhost:5432\n",
  );
  const json = await run(["get", t.path("app.yaml"), "database", "-r", "--format", "json"]);
  assert.deepEqual(JSON.parse(json.stdout), {
    host: "localhost",
    port: 5432,
    url: "postgres://localhost:5432",
  });
  const yaml = await run(["get", t.path("app.yaml"), "database.host", "-f", "yaml"]);
  assert.equal(yaml.stdout, "localhost\n");
});

Deno.test("get of a missing path exits 1 with Error: Path '<p>' not found", async () => {
  await using t = await tempFiles({ "app.yaml": APP });
  const r = await run(["get", t.path("app.yaml"), "nonexistent"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "Error: Path 'nonexistent' not found\n");
  const resolved = await run(["get", t.path("app.yaml"), "database.nope", "-r"]);
  assert.equal(resolved.code, 1);
  assert.match(resolved.stderr, /Path 'database\.nope' not found/);
});

Deno.test("get --default replaces any error after loading, exit 0", async () => {
  await using t = await tempFiles({
    "app.yaml": "a: ${env:HOLOCONF_CLI_TEST_UNSET_VAR}\n",
  });
  const missing = await run(["get", t.path("app.yaml"), "nonexistent", "--default", "fallback"]);
  assert.deepEqual(missing, { code: 0, stdout: "fallback\n", stderr: "" });
  const failing = await run(["get", t.path("app.yaml"), "a", "-r", "-d", "x"]);
  assert.deepEqual(failing, { code: 0, stdout: "x\n", stderr: "" });
});

Deno.test("get -r of a failing resolver exits 1 with the error", async () => {
  await using t = await tempFiles({ "app.yaml": "a: ${env:HOLOCONF_CLI_TEST_UNSET_VAR}\n" });
  const r = await run(["get", t.path("app.yaml"), "a", "-r"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: Environment variable not found: HOLOCONF_CLI_TEST_UNSET_VAR/);
});

Deno.test("get of a file that cannot be loaded exits 2, even with --default", async () => {
  await using t = await tempFiles({ "bad.yaml": "a: [unclosed\n" });
  const missing = await run(["get", t.path("nope.yaml"), "a", "-d", "x"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /File not found/);
  const bad = await run(["get", t.path("bad.yaml"), "a"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^Error: /);
});

Deno.test("get merges files left to right; --ignore-missing skips missing ones", async () => {
  await using t = await tempFiles({ "base.yaml": "a: 1\nb: 1\n", "over.yaml": "b: 2\n" });
  const merged = await run(["get", t.path("base.yaml"), t.path("over.yaml"), "b"]);
  assert.equal(merged.stdout, "2\n");
  const skipped = await run([
    "get",
    t.path("base.yaml"),
    t.path("absent.yaml"),
    "a",
    "--ignore-missing",
  ]);
  assert.deepEqual(skipped, { code: 0, stdout: "1\n", stderr: "" });
});

Deno.test("get -s attaches the schema: raw get and get -r both give its defaults", async () => {
  await using t = await tempFiles({
    "app.yaml": "name: x\n",
    "schema.yaml": "type: object\nproperties:\n  port: { type: integer, default: 8080 }\n",
  });
  const resolved = await run([
    "get",
    t.path("app.yaml"),
    "port",
    "-r",
    "-s",
    t.path("schema.yaml"),
  ]);
  assert.deepEqual(resolved, { code: 0, stdout: "8080\n", stderr: "" });
  // Raw get, has() and get -r agree: a schema default counts as written (README).
  const raw = await run(["get", t.path("app.yaml"), "port", "-s", t.path("schema.yaml")]);
  assert.deepEqual(raw, { code: 0, stdout: "8080\n", stderr: "" });
  const whole = await run(["get", t.path("app.yaml"), "", "-s", t.path("schema.yaml")]);
  assert.deepEqual(whole, { code: 0, stdout: "name: x\nport: 8080\n", stderr: "" });
  const missing = await run(["get", t.path("app.yaml"), "host", "-s", t.path("schema.yaml")]);
  assert.equal(missing.code, 1);
  const noSchema = await run(["get", t.path("app.yaml"), "port", "-s", t.path("none.yaml")]);
  assert.equal(noSchema.code, 2);
});

Deno.test("relative file arguments resolve against io.cwd", async () => {
  await using t = await tempFiles({ "app.yaml": APP });
  const r = await run(["get", "app.yaml", "database.host"], { cwd: t.dir });
  assert.deepEqual(r, { code: 0, stdout: "localhost\n", stderr: "" });
});

// --- dump --------------------------------------------------------------------------------

Deno.test("dump prints the raw merged config as YAML or JSON", async () => {
  await using t = await tempFiles({ "app.yaml": APP });
  const yaml = await run(["dump", t.path("app.yaml")]);
  assert.equal(yaml.code, 0);
  assert.match(yaml.stdout, /^database:\n {2}host: localhost\n/);
  assert.ok(yaml.stdout.includes("url: postgres://${database.host}:${database.port}"));
  const json = await run(["dump", t.path("app.yaml"), "--format", "json"]);
  assert.equal(
    JSON.parse(json.stdout).database.url,
    "postgres://${database.host}:${database.port}",
  );
});

Deno.test("dump -r redacts sensitive values unless --no-redact", async () => {
  registerResolver("cli_test_secret", () => new ResolvedValue("s3cr3t", { sensitive: true }), {
    force: true,
  });
  try {
    await using t = await tempFiles({ "app.yaml": "pw: ${cli_test_secret:x}\nname: n\n" });
    const redacted = await run(["dump", t.path("app.yaml"), "-r"]);
    assert.equal(redacted.code, 0);
    assert.ok(redacted.stdout.includes("[REDACTED]"));
    assert.ok(!redacted.stdout.includes("s3cr3t"));
    const clear = await run(["dump", t.path("app.yaml"), "-r", "--no-redact", "-f", "json"]);
    assert.equal(JSON.parse(clear.stdout).pw, "s3cr3t");
  } finally {
    unregisterResolver("cli_test_secret");
  }
});

Deno.test("dump -o writes the file and reports on stderr", async () => {
  await using t = await tempFiles({ "app.yaml": "key: value\n" });
  const out = t.path("out.json");
  const r = await run(["dump", t.path("app.yaml"), "-f", "json", "-o", out]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, `✓ Wrote to ${out}\n`);
  assert.deepEqual(JSON.parse(await Deno.readTextFile(out)), { key: "value" });
  const unwritable = await run(["dump", t.path("app.yaml"), "-o", t.path("no/such/dir.yaml")]);
  assert.equal(unwritable.code, 2);
});

Deno.test("dump --sources lists file:line:column per path, sorted", async () => {
  await using t = await tempFiles({ "app.yaml": "b: 1\na:\n  c: x\n" });
  const f = t.path("app.yaml");
  const text = await run(["dump", f, "--sources"]);
  assert.equal(text.stdout, `a.c: ${f}:3:6\nb: ${f}:1:4\n`);
  const json = await run(["dump", f, "--sources", "-f", "json"]);
  assert.deepEqual(JSON.parse(json.stdout), { "a.c": `${f}:3:6`, b: `${f}:1:4` });
});

Deno.test("dump exits 2 for an unloadable file and 1 for a resolution failure", async () => {
  await using t = await tempFiles({
    "app.yaml": "a: ${env:HOLOCONF_CLI_TEST_UNSET_VAR}\nb: ${env:HOLOCONF_CLI_TEST_UNSET_2}\n",
  });
  const missing = await run(["dump", "/nonexistent/path.yaml"]);
  assert.equal(missing.code, 2);
  const failing = await run(["dump", t.path("app.yaml"), "-r"]);
  assert.equal(failing.code, 1);
  assert.match(failing.stderr, /^Error: /);
  // resolveAll reports every failed path, not only the first.
  assert.match(failing.stderr, /\ba: /);
  assert.match(failing.stderr, /\bb: /);
});

Deno.test("dump -r failure names where each failed value is written, without library hints", async () => {
  await using t = await tempFiles({
    "app.yaml": "ok: 1\na: ${env:HOLOCONF_CLI_TEST_UNSET_VAR}\n",
  });
  const r = await run(["dump", t.path("app.yaml"), "-r"]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    "Error: Failed to resolve 1 value\n" +
      `  a: Environment variable not found: HOLOCONF_CLI_TEST_UNSET_VAR (at ${
        t.path("app.yaml")
      }:2:4)\n`,
  );
});

Deno.test("a timeout's help names --timeout, not the library's registerResolver/configure", async () => {
  // What the engine throws when a call runs out of time (its help is written for the library).
  registerResolver("cli_test_timeout", () => {
    throw new ResolverError("Resolver 'cli_test_timeout' timed out after 20 ms", {
      code: "RESOLVER_TIMEOUT",
      help: 'Raise the limit with registerResolver("cli_test_timeout", r, { timeout }) or ' +
        "configure({ defaultTimeout })",
    });
  }, { force: true });
  try {
    await using t = await tempFiles({ "app.yaml": "a: ${cli_test_timeout:x}\n" });
    const r = await run(["get", t.path("app.yaml"), "a", "-r"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\n {2}Help: Raise the limit with --timeout MS\n$/);
    assert.ok(!/registerResolver|configure\(/.test(r.stderr), r.stderr);
  } finally {
    unregisterResolver("cli_test_timeout");
  }
});

Deno.test("dump -r --timeout aborts a resolver that never answers", async () => {
  let calls = 0;
  registerResolver("cli_test_hang", (_key, call) =>
    new Promise((_resolve, reject) => {
      calls++;
      call.signal.addEventListener("abort", () => reject(call.signal.reason), { once: true });
    }), { force: true });
  try {
    await using t = await tempFiles({ "app.yaml": "a: ${cli_test_hang:x}\n" });
    using clock = installFakeClock();
    const running = noHang(run(["dump", t.path("app.yaml"), "-r", "--timeout", "20"]), "dump");
    await until(() => calls === 1);
    await clock.advance(20);
    const r = await running;
    assert.equal(r.code, 1);
    assert.match(r.stderr, /a: .*(deadline|timed? ?out)/i);
  } finally {
    unregisterResolver("cli_test_hang");
  }
});

Deno.test("--timeout and --max-concurrency leave an in-process caller's settings as they were", async () => {
  const before = getSchedulerSettings();
  configure({ defaultTimeout: 5000, maxConcurrentResolvers: 8 });
  try {
    await using t = await tempFiles({ "app.yaml": "a: 1\n" });
    const r = await run([
      "get",
      t.path("app.yaml"),
      "a",
      "-r",
      "--timeout",
      "100",
      "--max-concurrency",
      "3",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(getSchedulerSettings(), { defaultTimeout: 5000, maxConcurrentResolvers: 8 });
  } finally {
    configure(before);
  }
});

// --- check -------------------------------------------------------------------------------

Deno.test("check reports each file as valid YAML or JSON on stdout", async () => {
  await using t = await tempFiles({ "a.yaml": "first: file\n", "b.json": '{"second": "file"}' });
  const r = await run(["check", t.path("a.yaml"), t.path("b.json")]);
  assert.deepEqual(r, {
    code: 0,
    stdout: `✓ ${t.path("a.yaml")}: valid YAML\n✓ ${t.path("b.json")}: valid JSON\n`,
    stderr: "",
  });
});

Deno.test("check exits 1 with a ✗ line on stderr for invalid or missing files", async () => {
  await using t = await tempFiles({
    "ok.yaml": "a: 1\n",
    "bad.yaml": "invalid: [unclosed",
    "bad.json": '{"a": 1,}',
  });
  const r = await run([
    "check",
    t.path("ok.yaml"),
    t.path("bad.yaml"),
    t.path("bad.json"),
    t.path("gone.yaml"),
  ]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, `✓ ${t.path("ok.yaml")}: valid YAML\n`);
  assert.ok(r.stderr.includes(`✗ ${t.path("bad.yaml")}: `));
  assert.ok(r.stderr.includes(`✗ ${t.path("bad.json")}: `));
  assert.ok(r.stderr.includes(`✗ ${t.path("gone.yaml")}: File not found\n`));
});

Deno.test("check --ignore-missing skips missing files; exit 2 when none exist", async () => {
  await using t = await tempFiles({ "ok.yaml": "a: 1\n" });
  const some = await run(["check", t.path("ok.yaml"), t.path("gone.yaml"), "--ignore-missing"]);
  assert.equal(some.code, 0);
  const none = await run(["check", t.path("gone.yaml"), "--ignore-missing"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /No configuration files could be loaded \(all files missing\)/);
});

// --- validate ----------------------------------------------------------------------------

Deno.test('validate prints ✓ <files> is valid, {"valid": true}, or nothing with -q', async () => {
  await using t = await tempFiles({ "app.yaml": "name: test\nport: 8080\n", "s.yaml": SCHEMA });
  const args = ["validate", t.path("app.yaml"), "--schema", t.path("s.yaml")];
  assert.deepEqual(await run(args), {
    code: 0,
    stdout: `✓ ${t.path("app.yaml")} is valid\n`,
    stderr: "",
  });
  const json = await run([...args, "--format", "json"]);
  assert.deepEqual(JSON.parse(json.stdout), { valid: true });
  assert.deepEqual(await run([...args, "-q"]), { code: 0, stdout: "", stderr: "" });
});

Deno.test("validate failure: text to stderr with every issue, JSON to stdout, exit 1", async () => {
  await using t = await tempFiles({ "app.yaml": "port: abc\n", "s.yaml": SCHEMA });
  const args = ["validate", t.path("app.yaml"), "-s", t.path("s.yaml")];
  const text = await run(args);
  assert.equal(text.code, 1);
  assert.equal(text.stdout, "");
  assert.match(text.stderr, /^✗ Validation failed\n\nErrors:\n/);
  assert.match(text.stderr, /must have required property 'name'/);
  assert.match(text.stderr, / {2}- \/port: must be integer/);
  const json = await run([...args, "-f", "json", "-q"]);
  assert.equal(json.code, 1);
  const body = JSON.parse(json.stdout);
  assert.equal(body.valid, false);
  assert.ok(body.errors.some((e: { pointer: string }) => e.pointer === "/port"));
});

Deno.test("validate without -r treats placeholders as wildcards; -r resolves and coerces", async () => {
  Deno.env.set("HOLOCONF_CLI_TEST_PORT", "8080");
  Deno.env.set("HOLOCONF_CLI_TEST_BAD_PORT", "eighty");
  try {
    await using t = await tempFiles({
      "good.yaml": "name: n\nport: ${env:HOLOCONF_CLI_TEST_PORT}\n",
      "bad.yaml": "name: n\nport: ${env:HOLOCONF_CLI_TEST_BAD_PORT}\n",
      "s.yaml": SCHEMA,
    });
    const s = t.path("s.yaml");
    assert.equal((await run(["validate", t.path("bad.yaml"), "-s", s])).code, 0);
    assert.equal((await run(["validate", t.path("good.yaml"), "-s", s, "-r"])).code, 0);
    const bad = await run(["validate", t.path("bad.yaml"), "-s", s, "-r", "-f", "json"]);
    assert.equal(bad.code, 1);
    assert.equal(JSON.parse(bad.stdout).valid, false);
  } finally {
    Deno.env.delete("HOLOCONF_CLI_TEST_PORT");
    Deno.env.delete("HOLOCONF_CLI_TEST_BAD_PORT");
  }
});

Deno.test("validate exits 2 when the config or the schema cannot be loaded", async () => {
  await using t = await tempFiles({ "app.yaml": "name: x\n", "s.yaml": SCHEMA, "bad.yaml": "[" });
  assert.equal((await run(["validate", t.path("gone.yaml"), "-s", t.path("s.yaml")])).code, 2);
  assert.equal((await run(["validate", t.path("app.yaml"), "-s", t.path("gone.yaml")])).code, 2);
  assert.equal((await run(["validate", t.path("app.yaml"), "-s", t.path("bad.yaml")])).code, 2);
});

Deno.test("validate -r lists unresolved values, coercion failures and schema issues together", async () => {
  Deno.env.set("HOLOCONF_CLI_TEST_DEBUG", "yes");
  try {
    await using t = await tempFiles({
      "app.yaml": "name: 5\nport: ${env:HOLOCONF_CLI_TEST_UNSET_PORT}\n" +
        "debug: ${env:HOLOCONF_CLI_TEST_DEBUG}\n",
      "s.yaml": SCHEMA.replace("properties:\n", "properties:\n  debug: { type: boolean }\n"),
    });
    const args = ["validate", t.path("app.yaml"), "-s", t.path("s.yaml"), "-r"];
    const text = await run(args);
    assert.equal(text.code, 1);
    const file = t.path("app.yaml");
    assert.equal(
      text.stderr,
      "✗ Validation failed\n\nErrors:\n" +
        `  - /port: Environment variable not found: HOLOCONF_CLI_TEST_UNSET_PORT (at ${file}:2:7)\n` +
        '  - /debug: must be boolean (true or false, in any case), got string ("yes") ' +
        `(at ${file}:3:8)\n` +
        `  - /name: must be string (at ${file}:1:7)\n`,
    );
    const json = await run([...args, "-f", "json"]);
    assert.equal(json.code, 1);
    const body = JSON.parse(json.stdout);
    assert.equal(body.valid, false);
    assert.deepEqual(
      body.errors.map((e: Record<string, string>) => [e.kind, e.code, e.pointer, e.path]),
      [
        ["resolution", "NOT_FOUND", "/port", "port"],
        ["coercion", "TYPE_COERCION", "/debug", "debug"],
        ["schema", "type", "/name", "name"],
      ],
    );
    assert.deepEqual(body.errors[0], {
      pointer: "/port",
      path: "port",
      message: "Environment variable not found: HOLOCONF_CLI_TEST_UNSET_PORT",
      kind: "resolution",
      code: "NOT_FOUND",
      expected: "integer",
      source: `${file}:2:7`,
    });
  } finally {
    Deno.env.delete("HOLOCONF_CLI_TEST_DEBUG");
  }
});

Deno.test("validate -r never prints a sensitive value that fails coercion", async () => {
  Deno.env.set("HOLOCONF_CLI_TEST_SECRET_PORT", "hunter2-port");
  try {
    await using t = await tempFiles({
      "app.yaml": "name: n\nport: ${env:HOLOCONF_CLI_TEST_SECRET_PORT,sensitive=true}\n",
      "s.yaml": SCHEMA,
    });
    const args = ["validate", t.path("app.yaml"), "-s", t.path("s.yaml"), "-r"];
    for (const format of ["text", "json"]) {
      const r = await run([...args, "-f", format]);
      assert.equal(r.code, 1);
      const out = r.stdout + r.stderr;
      assert.ok(out.includes("[REDACTED]"), out);
      assert.ok(!out.includes("hunter2"), out);
    }
  } finally {
    Deno.env.delete("HOLOCONF_CLI_TEST_SECRET_PORT");
  }
});

// --- schema ------------------------------------------------------------------------------

Deno.test("schema validate accepts a schema and rejects a broken one", async () => {
  await using t = await tempFiles({
    "s.yaml": SCHEMA,
    "broken.yaml": "type: object\nproperties:\n  a: { type: nonsense }\n",
  });
  assert.deepEqual(await run(["schema", "validate", t.path("s.yaml")]), {
    code: 0,
    stdout: `✓ ${t.path("s.yaml")}: valid JSON Schema\n`,
    stderr: "",
  });
  const broken = await run(["schema", "validate", t.path("broken.yaml")]);
  assert.equal(broken.code, 1);
  assert.ok(broken.stderr.startsWith(`✗ ${t.path("broken.yaml")}: `));
  assert.equal((await run(["schema", "validate", t.path("gone.yaml")])).code, 1);
});

Deno.test("schema template prints the skeleton or writes it with -o", async () => {
  await using t = await tempFiles({ "s.yaml": SCHEMA });
  const r = await run(["schema", "template", t.path("s.yaml")]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /name: ""/);
  const out = t.path("template.yaml");
  const written = await run(["schema", "template", t.path("s.yaml"), "-o", out]);
  assert.equal(written.stderr, `✓ Wrote template to ${out}\n`);
  assert.equal(await Deno.readTextFile(out), r.stdout);
  assert.equal((await run(["schema", "template", t.path("gone.yaml")])).code, 2);
});

Deno.test("schema docs prints yaml (default), json or markdown; other formats exit 1", async () => {
  await using t = await tempFiles({ "s.yaml": SCHEMA });
  const s = t.path("s.yaml");
  const yaml = await run(["schema", "docs", s]);
  assert.match(yaml.stdout, /^type: object\n/);
  const json = await run(["schema", "docs", s, "-f", "json"]);
  assert.deepEqual(JSON.parse(json.stdout).required, ["name"]);
  const md = await run(["schema", "docs", s, "--format", "markdown"]);
  assert.match(md.stdout, /^# /);
  assert.match(md.stdout, /\| port \| integer/);
  const bad = await run(["schema", "docs", s, "-f", "html"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Unsupported format: html\. Use yaml, json, or markdown\./);
  assert.equal((await run(["schema", "docs", t.path("gone.yaml")])).code, 2);
});

Deno.test("schema types prints the declarations, or writes them with -o and --name", async () => {
  await using t = await tempFiles({ "s.yaml": SCHEMA });
  const printed = await run(["schema", "types", t.path("s.yaml")]);
  assert.deepEqual(printed, {
    code: 0,
    stdout: "// Generated by holoconf schema types from s.yaml. Do not edit.\n\n" +
      "export interface Config {\n  name: string;\n  port?: number;\n}\n",
    stderr: "",
  });
  const out = t.path("config_types.ts");
  const written = await run(["schema", "types", t.path("s.yaml"), "-o", out, "--name", "App"]);
  assert.deepEqual(written, { code: 0, stdout: "", stderr: `✓ Wrote types to ${out}\n` });
  assert.equal(
    await Deno.readTextFile(out),
    printed.stdout.replace("interface Config", "interface App"),
  );
  const badName = await run(["schema", "types", t.path("s.yaml"), "--name", "my-config"]);
  assert.equal(badName.code, 2);
  assert.match(badName.stderr, /Type name "my-config" is not usable/);
  assert.equal((await run(["schema", "types", t.path("gone.yaml")])).code, 2);
});

Deno.test("schema types --check fails when the -o file is missing or stale, not when reformatted", async () => {
  await using t = await tempFiles({ "s.yaml": SCHEMA });
  const out = t.path("types.ts");
  const check = () => run(["schema", "types", t.path("s.yaml"), "-o", out, "--check"]);
  const missing = await check();
  assert.equal(missing.code, 1);
  assert.equal(
    missing.stderr,
    `✗ ${out} is missing: run holoconf schema types ${t.path("s.yaml")} -o ${out}\n`,
  );
  assert.equal((await run(["schema", "types", t.path("s.yaml"), "-o", out])).code, 0);
  assert.deepEqual(await check(), { code: 0, stdout: "", stderr: `✓ ${out} is up to date\n` });
  // Laid out again by a formatter (other indentation and line breaks): still up to date.
  const text = await Deno.readTextFile(out);
  await Deno.writeTextFile(out, text.replaceAll("  ", "    ").replace("{\n", "{\n\n"));
  assert.equal((await check()).code, 0);
  // The schema changed: the file is stale, and is left as it was.
  await Deno.writeTextFile(t.path("s.yaml"), SCHEMA.replace("port: { type: integer }", "port: {}"));
  const stale = await check();
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /is stale: run holoconf schema types .* -o /);
  assert.ok((await Deno.readTextFile(out)).includes("port?: number;"));
  // --check needs the file to compare with; --name and --check belong to types.
  assert.equal((await run(["schema", "types", t.path("s.yaml"), "--check"])).code, 2);
  assert.equal((await run(["schema", "docs", t.path("s.yaml"), "--name", "X"])).code, 2);
});

// --- help, version, usage ----------------------------------------------------------------

Deno.test("--version prints holoconf <version>; --help and <command> --help print usage", async () => {
  const version = await run(["--version"]);
  assert.match(version.stdout, /^holoconf \d+\.\d+\.\d+\n$/);
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  for (const c of ["get", "dump", "check", "validate", "schema", "plan"]) {
    assert.ok(help.stdout.includes(`  ${c} `), c);
  }
  const getHelp = await run(["get", "--help"]);
  assert.match(getHelp.stdout, /Usage: holoconf get/);
});

Deno.test("usage errors exit 2 with a hint on stderr", async () => {
  for (const argv of [[], ["nope"], ["get", "a.yaml"], ["dump", "a.yaml", "--bogus"]]) {
    const r = await run(argv);
    assert.equal(r.code, 2, argv.join(" "));
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^Error: .*\nRun 'holoconf .*--help' for usage\.\n$/s);
  }
});

// --- colours -----------------------------------------------------------------------------

Deno.test("colours only on a TTY without NO_COLOR (or TERM=dumb)", async () => {
  await using t = await tempFiles({ "a.yaml": "a: 1\n", "bad.yaml": "[" });
  const argv = ["check", t.path("a.yaml"), t.path("bad.yaml")];
  const plain = [
    await run(argv, { isTty: false, noColor: false }),
    await run(argv, { isTty: true, noColor: true }),
    await run(argv, {
      isTty: true,
      noColor: false,
      env: (n) => (n === "TERM" ? "dumb" : undefined),
    }),
  ];
  for (const r of plain) {
    assert.ok(!r.stdout.includes("\x1b") && !r.stderr.includes("\x1b"));
    assert.ok(r.stdout.includes("✓") && r.stderr.includes("✗"));
  }
  const coloured = await run(argv, { isTty: true, noColor: false });
  assert.ok(coloured.stdout.includes("\x1b[32m✓\x1b[39m"));
  assert.ok(coloured.stderr.includes("\x1b[31m✗\x1b[39m"));
});

// --- trace and progress ------------------------------------------------------------------

Deno.test("--trace names every resolver call and never shows a value", async () => {
  const secretEnv = "env-secret-7f3a9c";
  const secretCustom = "vault-secret-b81d2e";
  const secretJson = "json-secret-55c0aa";
  Deno.env.set("HOLOCONF_CLI_TEST_SECRET", secretEnv);
  Deno.env.set("HOLOCONF_CLI_TEST_JSON", `{"pw": "${secretJson}"}`);
  registerResolver("cli_test_vault", (key) => `${secretCustom}-${key.length}`, { force: true });
  try {
    await using t = await tempFiles({
      "app.yaml": [
        "token: ${env:HOLOCONF_CLI_TEST_SECRET}",
        "db: ${cli_test_vault:db/password}",
        "api: ${cli_test_vault:api/key}",
        "blob: ${json:${env:HOLOCONF_CLI_TEST_JSON}}",
        "greeting: hello",
        "",
      ].join("\n"),
    });
    const r = await run(["dump", t.path("app.yaml"), "-r", "--no-redact", "--trace"]);
    assert.equal(r.code, 0);
    // The values were resolved (stdout shows them: --no-redact)...
    assert.ok(r.stdout.includes(secretEnv) && r.stdout.includes(secretCustom));
    assert.ok(r.stdout.includes(secretJson));
    // ...and the waterfall names each call but shows none of them.
    assert.match(r.stderr, /trace: 5 resolver calls over /);
    assert.match(r.stderr, /│ env HOLOCONF_CLI_TEST_SECRET \(token\)/);
    assert.match(r.stderr, /│ cli_test_vault db\/password \(db\)/);
    assert.match(r.stderr, /│ cli_test_vault api\/key \(api\)/);
    assert.match(r.stderr, /│ env HOLOCONF_CLI_TEST_JSON \(blob\)/);
    // The json resolver's key is data (the env value): shown as computed, not as text.
    assert.match(r.stderr, /│ json ‹computed› \(blob\)/);
    for (const secret of [secretEnv, secretCustom, secretJson]) {
      assert.ok(!r.stderr.includes(secret), secret);
    }

    const get = await run(["get", t.path("app.yaml"), "db", "-r", "--trace"]);
    assert.equal(get.stdout, `${secretCustom}-11\n`);
    assert.match(get.stderr, /trace: 1 resolver call over /);
    assert.ok(!get.stderr.includes(secretCustom));
  } finally {
    Deno.env.delete("HOLOCONF_CLI_TEST_SECRET");
    Deno.env.delete("HOLOCONF_CLI_TEST_JSON");
    unregisterResolver("cli_test_vault");
  }
});

Deno.test("a progress line appears on a TTY while resolveAll is slow, and is cleared", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let called!: () => void;
  const started = new Promise<void>((r) => (called = r));
  registerResolver("cli_test_slow", async () => {
    called();
    await gate;
    return "v";
  }, { force: true });
  const timers: (() => void)[] = [];
  const clock = {
    now: () => 0,
    setTimeout: (fn: () => void) => timers.push(fn),
    clearTimeout: () => {},
    setInterval: () => 0,
    clearInterval: () => {},
  };
  try {
    await using t = await tempFiles({ "app.yaml": "a: ${cli_test_slow:x}\n" });
    let stderr = "";
    const written = (): string => stderr;
    const { runCli } = await import("../../src/cli/cli.ts");
    const done = runCli(["dump", t.path("app.yaml"), "-r"], {
      stdout: () => {},
      stderr: (text) => (stderr += text),
      isTty: true,
      noColor: true,
      readFile: (p) => Deno.readTextFileSync(p),
      writeFile: () => {},
      cwd: ".",
      env: () => undefined,
      clock,
      argParser: () => Promise.resolve(parseArgs),
    });
    await started;
    assert.equal(written(), "");
    for (const fire of timers) fire(); // "one second later"
    assert.equal(written(), "\r\x1b[2K⋯ resolving: 0 calls done, 0.0 s");
    release();
    assert.equal(await done, 0);
    assert.ok(written().endsWith("\r\x1b[2K"));
  } finally {
    unregisterResolver("cli_test_slow");
  }
});

Deno.test("no progress line when stderr is not a TTY", async () => {
  const timers: (() => void)[] = [];
  await using t = await tempFiles({ "app.yaml": "a: ${env:HOME,default=x}\n" });
  const r = await run(["dump", t.path("app.yaml"), "-r"], {
    isTty: false,
    clock: {
      now: () => 0,
      setTimeout: (fn) => timers.push(fn),
      clearTimeout: () => {},
      setInterval: () => 0,
      clearInterval: () => {},
    },
  });
  assert.equal(r.code, 0);
  assert.equal(timers.length, 0);
  assert.equal(r.stderr, "");
});

Deno.test("--trace shows a key computed from other values as ‹computed›, never its text", async () => {
  await using t = await tempFiles({
    "leak.yaml":
      "name: ${env:${env:HOLOCONF_CLI_TRACE_INNER}}\nplain: ${env:HOLOCONF_CLI_TRACE_INNER}\n",
  });
  Deno.env.set("HOLOCONF_CLI_TRACE_INNER", "HOLOCONF_CLI_TRACE_OUTER");
  Deno.env.set("HOLOCONF_CLI_TRACE_OUTER", "resolved-value-xyz");
  try {
    const r = await run(["dump", t.path("leak.yaml"), "-r", "--trace"]);
    assert.equal(r.code, 0, r.stderr);
    const trace = r.stderr;
    // The literal key is shown; the key built from HOLOCONF_CLI_TRACE_INNER's value is not.
    assert.match(trace, /env HOLOCONF_CLI_TRACE_INNER \(plain\)/);
    assert.match(trace, /env ‹computed› \(name\)/);
    assert.ok(!trace.includes("HOLOCONF_CLI_TRACE_OUTER"), trace);
    assert.ok(!trace.includes("resolved-value-xyz"), trace);
  } finally {
    Deno.env.delete("HOLOCONF_CLI_TRACE_INNER");
    Deno.env.delete("HOLOCONF_CLI_TRACE_OUTER");
  }
});

Deno.test("validate --ignore-missing with every file missing exits 2, like check", async () => {
  await using t = await tempFiles({ "schema.yaml": "type: object\n" });
  const r = await run([
    "validate",
    "--ignore-missing",
    t.path("nosuch1.yaml"),
    "-s",
    t.path("schema.yaml"),
  ]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /all files missing/);
});

Deno.test("plan lists IAM resources for fully dynamic references and drops ssm selectors", async () => {
  await using t = await tempFiles({
    "p.yaml": "a: ${ssm:${env:P}}\nb: ${s3:${env:O}}\nc: ${cfn:${env:S}}\nd: ${ssm:/x/y:3}\n",
  });
  const r = await run(["plan", t.path("p.yaml"), "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { iam: { action: string; resources: string[] }[] };
  const resources = (action: string) => plan.iam.find((p) => p.action === action)?.resources;
  assert.deepEqual(resources("ssm:GetParameters"), [
    "arn:aws:ssm:*:*:parameter/*",
    "arn:aws:ssm:*:*:parameter/x/y",
  ]);
  assert.deepEqual(resources("s3:GetObject"), ["arn:aws:s3:::*/*"]);
  assert.deepEqual(resources("cloudformation:DescribeStacks"), [
    "arn:aws:cloudformation:*:*:stack/*/*",
  ]);
});

Deno.test("get --default with a value that looks like an option behaves the same on every path", async () => {
  await using t = await tempFiles({ "app.yaml": "a: 1\n" });
  const simple = await run(["get", t.path("app.yaml"), "nope", "--default", "-1"]);
  const general = await run([
    "get",
    t.path("app.yaml"),
    "nope",
    "--default",
    "-1",
    "--timeout",
    "5",
  ]);
  assert.equal(simple.code, general.code);
  assert.equal(simple.code, 2);
  const explicit = await run(["get", t.path("app.yaml"), "nope", "--default=-1"]);
  assert.deepEqual([explicit.code, explicit.stdout], [0, "-1\n"]);
});

Deno.test("a reference path computed from a sensitive value is [REDACTED] on get -r's stderr and in validate -r -f json", async () => {
  const secret = "S3cr3tCliSegment";
  await using t = await tempFiles({
    "app.yaml": "name: n\nitems: [1]\nv: ${ref:${env:HOLOCONF_CLI_TEST_REF_PATH,sensitive=true}}\n",
    "s.yaml": SCHEMA,
  });
  try {
    for (const target of [`items[${secret}]`, `.${secret}`, `items[0].${secret}`]) {
      Deno.env.set("HOLOCONF_CLI_TEST_REF_PATH", target);
      const get = await run(["get", t.path("app.yaml"), "v", "-r"]);
      assert.equal(get.code, 1, target);
      assert.match(get.stderr, /\[REDACTED\]/, target);
      const args = ["validate", t.path("app.yaml"), "-s", t.path("s.yaml"), "-r", "-f", "json"];
      const validate = await run(args);
      assert.equal(validate.code, 1, target);
      assert.equal(JSON.parse(validate.stdout).valid, false, target);
      for (const r of [get, validate]) {
        const all = (r.stdout + r.stderr).toLowerCase();
        assert.ok(!all.includes(secret.toLowerCase()), `${target}: ${r.stdout}${r.stderr}`);
      }
    }
  } finally {
    Deno.env.delete("HOLOCONF_CLI_TEST_REF_PATH");
  }
});

Deno.test("get -r redacts sensitive values inside a mapping or list unless --no-redact", async () => {
  registerResolver(
    "cli_test_secret",
    (key) => new ResolvedValue(`s3cr3t-${key}`, { sensitive: true }),
    {
      force: true,
    },
  );
  try {
    await using t = await tempFiles({
      "app.yaml": "db:\n  user: app\n  pw: ${cli_test_secret:x}\n" +
        "  hosts: [a, '${cli_test_secret:y}']\ncopy: ${db}\n",
    });
    const app = t.path("app.yaml");
    const text = await run(["get", app, "db", "-r"]);
    assert.deepEqual(text, {
      code: 0,
      stdout: "user: app\npw: '[REDACTED]'\nhosts:\n  - a\n  - '[REDACTED]'\n",
      stderr: "",
    });
    const json = await run(["get", app, "db", "-r", "-f", "json"]);
    assert.deepEqual(JSON.parse(json.stdout), {
      user: "app",
      pw: "[REDACTED]",
      hosts: ["a", "[REDACTED]"],
    });
    for (const args of [["db.hosts"], ["db", "-f", "yaml"], ["copy"], ["", "-f", "json"]]) {
      const r = await run(["get", app, ...args, "-r"]);
      assert.equal(r.code, 0, args.join(" "));
      assert.ok(r.stdout.includes("[REDACTED]"), args.join(" "));
      assert.ok(!r.stdout.includes("s3cr3t"), `${args.join(" ")}: ${r.stdout}`);
    }
    // --no-redact shows them, on the simple and on the general argument parser alike.
    for (const extra of [[], ["--timeout", "5000"]]) {
      const clear = await run(["get", app, "db", "-r", "--no-redact", "-f", "json", ...extra]);
      assert.deepEqual(JSON.parse(clear.stdout).hosts, ["a", "s3cr3t-y"]);
    }
    // A sensitive scalar asked for by its own path is printed: that is what scripts use get for.
    assert.deepEqual(await run(["get", app, "db.pw", "-r"]), {
      code: 0,
      stdout: "s3cr3t-x\n",
      stderr: "",
    });
  } finally {
    unregisterResolver("cli_test_secret");
  }
});

Deno.test("- reads a config from standard input, merged in its place among the files", async () => {
  await using t = await tempFiles({
    "base.yaml": "db:\n  host: base\n  port: 1\n",
    "over.yaml": "db:\n  port: 3\n",
    "note.txt": "from-cwd",
  });
  const stdin =
    "db:\n  host: piped\n  port: 2\n  url: x-${.host}:${.port}\nnote: ${file:note.txt}\n";
  const readStdin = () => Promise.resolve(stdin);
  const alone = await run(["get", "-", "db.url", "-r"], { readStdin });
  assert.deepEqual(alone, { code: 0, stdout: "x-piped:2\n", stderr: "" });
  // Later arguments win: stdin overrides base.yaml and is overridden by over.yaml.
  const merged = await run(["get", t.path("base.yaml"), "-", t.path("over.yaml"), "db.url", "-r"], {
    readStdin,
  });
  assert.deepEqual(merged, { code: 0, stdout: "x-piped:3\n", stderr: "" });
  // Relative ${file:} paths of the piped config resolve against the working directory.
  const note = await run(["get", "-", "note", "-r"], { readStdin, cwd: t.dir });
  assert.deepEqual(note, { code: 0, stdout: "from-cwd\n", stderr: "" });
  const sources = await run(["dump", "-", "--sources", "-f", "json"], { readStdin });
  assert.equal(JSON.parse(sources.stdout)["db.host"], "<stdin>:2:9");
});

Deno.test("- that cannot be parsed, read twice or read without a stdin exits 2 naming <stdin>", async () => {
  const broken = await run(["dump", "-"], { readStdin: () => Promise.resolve("a: [1\n") });
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /^Error: Invalid YAML at line 2, column 1/);
  assert.match(broken.stderr, /Source: <stdin>:2:1/);
  const twice = await run(["dump", "-", "-"], { readStdin: () => Promise.resolve("a: 1\n") });
  assert.deepEqual(twice, {
    code: 2,
    stdout: "",
    stderr: "Error: Standard input ('-') can be read only once\n",
  });
  const none = await run(["get", "-", "a"]);
  assert.deepEqual(none, {
    code: 2,
    stdout: "",
    stderr: "Error: Standard input is not available\n",
  });
});

Deno.test("check -f json prints one result per file on stdout; check - reads stdin", async () => {
  await using t = await tempFiles({ "ok.json": '{"a": 1}', "bad.yaml": "a: [1\n" });
  const readStdin = () => Promise.resolve("a: 1\n");
  const r = await run(
    ["check", "-", t.path("ok.json"), t.path("bad.yaml"), t.path("gone.yaml"), "-f", "json"],
    { readStdin },
  );
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "");
  assert.deepEqual(JSON.parse(r.stdout), {
    valid: false,
    files: [
      { file: "<stdin>", valid: true, format: "yaml" },
      { file: t.path("ok.json"), valid: true, format: "json" },
      {
        file: t.path("bad.yaml"),
        valid: false,
        code: "PARSE_ERROR",
        message: "Invalid YAML at line 2, column 1: deficient indentation",
        source: `${t.path("bad.yaml")}:2:1`,
      },
      {
        file: t.path("gone.yaml"),
        valid: false,
        code: "FILE_NOT_FOUND",
        message: "File not found",
      },
    ],
  });
  const ok = await run(["check", "-", "-f", "json"], { readStdin });
  assert.deepEqual(JSON.parse(ok.stdout), {
    valid: true,
    files: [{ file: "<stdin>", valid: true, format: "yaml" }],
  });
  assert.equal(ok.code, 0);
  const text = await run(["check", "-"], { readStdin });
  assert.deepEqual(text, { code: 0, stdout: "✓ <stdin>: valid YAML\n", stderr: "" });
});

// --- files that are not regular or too large ---------------------------------------------

Deno.test({
  name: "get and dump of /dev/zero exit 2 naming the file; check prints ✗ and exits 1",
  ignore: !HAS_DEV_ZERO,
  async fn() {
    const reason = "Failed to read file '/dev/zero': not a regular file " +
      "(a directory, FIFO, socket or device)";
    for (const argv of [["get", "/dev/zero", "a"], ["dump", "/dev/zero"]]) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(" "));
      assert.equal(r.stdout, "");
      assert.ok(r.stderr.startsWith(`Error: ${reason}\n`), r.stderr);
    }
    const check = await run(["check", "/dev/zero"]);
    assert.equal(check.code, 1);
    assert.equal(check.stdout, "");
    assert.ok(check.stderr.startsWith(`✗ /dev/zero: ${reason}\n`), check.stderr);
  },
});

Deno.test({
  name: "get and check of a FIFO fail at once instead of waiting for a writer",
  ignore: !CAN_MAKE_FIFO,
  async fn() {
    await using t = await tempFiles({});
    const fifo = t.path("app.yaml");
    assert.ok(makeFifo(fifo));
    const get = await run(["get", fifo, "a", "-d", "x"]);
    assert.equal(get.code, 2);
    assert.match(get.stderr, /^Error: Failed to read file '.*app\.yaml': not a regular file/);
    const check = await run(["check", fifo, "--ignore-missing"]);
    assert.equal(check.code, 1);
    assert.match(check.stderr, /^✗ .*app\.yaml: Failed to read file '.*': not a regular file/);
  },
});

Deno.test("get and check of a config file over 16 MiB exit with 'too large' without parsing it", async () => {
  await using t = await tempFiles({});
  const big = t.path("big.yaml");
  makeSparseFile(big, MAX_CONFIG_FILE_BYTES + 1, "a: 1\n#");
  const reason = `Failed to read file '${big}': too large (${
    MAX_CONFIG_FILE_BYTES + 1
  } bytes > ${MAX_CONFIG_FILE_BYTES} bytes limit)`;
  const get = await run(["get", big, "a"]);
  assert.equal(get.code, 2);
  assert.ok(get.stderr.startsWith(`Error: ${reason}\n`), get.stderr);
  const check = await run(["check", big]);
  assert.equal(check.code, 1);
  assert.ok(check.stderr.startsWith(`✗ ${big}: ${reason}\n`), check.stderr);
});

Deno.test("dump and get -r of a file holding 3.5 MB scalars print them whole", async () => {
  // js-yaml's plain-scalar check used to recurse per character: a large string overflowed the
  // stack when dumped (issue 12, item 10).
  const plain = "x".repeat(3_500_000);
  const lines = Array.from({ length: 70_000 }, (_, i) => `line ${i} ${"y".repeat(40)}`);
  await using t = await tempFiles({
    "big.yaml": `plain: ${plain}\nquoted: "a: ${plain}"\nliteral: |\n${
      lines.map((l) => `  ${l}`).join("\n")
    }\n`,
  });
  const dump = await run(["dump", "big.yaml"], { cwd: t.dir });
  assert.equal(dump.code, 0, dump.stderr.slice(0, 500));
  assert.equal(dump.stderr, "");
  const parsed = parseYaml(dump.stdout) as Record<string, string>;
  assert.equal(parsed.plain, plain);
  assert.equal(parsed.quoted, `a: ${plain}`);
  assert.equal(parsed.literal, lines.join("\n") + "\n");
  const get = await run(["get", "big.yaml", "quoted", "-r"], { cwd: t.dir });
  assert.deepEqual(get, { code: 0, stdout: `a: ${plain}\n`, stderr: "" });
});

// --- what the CLI may use ----------------------------------------------------------------

const ROOT = new URL("../../", import.meta.url);
const CLI_DIR = new URL("src/cli/", ROOT).href;

/** Each file of src/cli with its text without comments. */
function cliSources(): { file: string; code: string }[] {
  return [...Deno.readDirSync(new URL(CLI_DIR))]
    .filter((e) => e.isFile && e.name.endsWith(".ts"))
    .map((e) => e.name)
    .sort()
    .map((file) => ({
      file,
      code: Deno.readTextFileSync(new URL(file, CLI_DIR))
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, ""),
    }));
}

Deno.test("src/cli imports nothing of the project but the deno.json exports and its own files", async () => {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as {
    exports: Record<string, string>;
  };
  const entries = new Set(Object.values(denoJson.exports).map((p) => new URL(p, ROOT).href));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "src/cli/main.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  type Target = { specifier: string } | undefined;
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: {
      specifier: string;
      dependencies?: { specifier: string; code?: Target; type?: Target }[];
    }[];
  };
  const cli = graph.modules.filter((m) => m.specifier.startsWith(CLI_DIR));
  // The graph (static and literal dynamic imports) reaches every file of src/cli.
  assert.deepEqual(
    cli.map((m) => m.specifier.slice(CLI_DIR.length)).sort(),
    cliSources().map((s) => s.file),
  );
  const outside: string[] = [];
  for (const m of cli) {
    for (const dep of m.dependencies ?? []) {
      for (const target of [dep.code?.specifier, dep.type?.specifier]) {
        if (target === undefined || target.startsWith(CLI_DIR) || entries.has(target)) continue;
        if (/^(node|npm):/.test(target)) continue; // not the project's
        outside.push(`${m.specifier.slice(CLI_DIR.length)} imports ${dep.specifier}`);
      }
    }
  }
  assert.deepEqual(outside, []);
  // A computed specifier escapes the graph: the only one loads Node's built-ins in main.ts.
  const computed = cliSources().flatMap(({ file, code }) =>
    [...code.matchAll(/\bimport\s*\(\s*([^"'\s][^)]*)\)/g)].map((m) => `${file}: ${m[1]}`)
  );
  assert.deepEqual(computed, ["main.ts: `node:${name}`"]);
});

Deno.test("only main.ts of src/cli touches the runtime: no other file imports a node: module", () => {
  const found = cliSources().filter(({ file }) => file !== "main.ts").flatMap(({ file, code }) =>
    [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'`](node:[^"'`]+)/g)].map((m) =>
      `${file}: ${m[1]}`
    )
  );
  assert.deepEqual(found, []);
  // Nor Deno.* or process: those go through CliIo, which main.ts fills.
  const globals = cliSources().filter(({ file }) => file !== "main.ts").flatMap(({ file, code }) =>
    [...code.matchAll(/\b(Deno|process)\.[a-zA-Z]+/g)].map((m) => `${file}: ${m[0]}`)
  );
  assert.deepEqual(globals, []);
});

Deno.test("src/cli names no built-in resolver: what plan knows of one comes from the resolver", () => {
  // `json` and `yaml` are also output formats (`-f json`), which the CLI does name.
  const FORMATS = new Set(["json", "yaml"]);
  const found: string[] = [];
  for (const { file, code } of cliSources()) {
    for (const { name } of CATALOGUE) {
      if (FORMATS.has(name)) continue;
      if (new RegExp(`(["'\`])${name}\\1`).test(code)) found.push(`${file}: "${name}"`);
    }
  }
  assert.deepEqual(found, []);
});

// ---------------------------------------------------------------- overrides, .env, ???, offline

const OVERRIDABLE = "db:\n  host: localhost\n  port: 5432\nservers:\n  - host: a\n";

Deno.test("--set overrides values (YAML scalars, [n] paths) on get, dump and validate", async () => {
  await using t = await tempFiles({
    "app.yaml": OVERRIDABLE,
    "schema.yaml": "properties:\n  db:\n    properties:\n      port: { type: integer }\n",
  });
  const app = t.path("app.yaml");
  const get = await run(["get", app, "db.port", "-r", "-f", "json", "--set", "db.port=5433"]);
  assert.deepEqual(get, { code: 0, stdout: "5433\n", stderr: "" });
  const dump = await run([
    "dump",
    app,
    "-f",
    "json",
    "--set",
    "db.host=db.internal",
    "--set",
    "servers[0].host=b",
  ]);
  assert.equal(dump.code, 0, dump.stderr);
  assert.deepEqual(JSON.parse(dump.stdout), {
    db: { host: "db.internal", port: 5432 },
    servers: [{ host: "b" }],
  });
  const bad = await run(["validate", app, "-s", t.path("schema.yaml"), "-r", "--set", "db.port=x"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /\/db\/port: must be integer \(at --set db\.port\)/);
});

Deno.test("--set of a key the files do not have fails with a did-you-mean, unless --allow-new", async () => {
  await using t = await tempFiles({ "app.yaml": OVERRIDABLE });
  const r = await run(["get", t.path("app.yaml"), "db.prot", "--set", "db.prot=1"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Override of a key the config does not have: db\.prot/);
  assert.match(r.stderr, /Did you mean 'db\.port'\?/);
  const ok = await run(["get", t.path("app.yaml"), "db.prot", "--set", "db.prot=1", "--allow-new"]);
  assert.deepEqual(ok, { code: 0, stdout: "1\n", stderr: "" });
});

Deno.test("dump --sources shows where each override came from", async () => {
  await using t = await tempFiles({ "app.yaml": OVERRIDABLE });
  Deno.env.set("HC18CLI__DB__HOST", "h");
  try {
    const r = await run([
      "dump",
      t.path("app.yaml"),
      "--sources",
      "--env-prefix",
      "HC18CLI",
      "--set",
      "db.port=1",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `db.host: env HC18CLI__DB__HOST\ndb.port: --set db.port\nservers[0].host: ${
        t.path("app.yaml")
      }:5:11\n`,
    );
  } finally {
    Deno.env.delete("HC18CLI__DB__HOST");
  }
});

Deno.test("--env-file feeds ${env:} and, with --env-prefix, overrides", async () => {
  await using t = await tempFiles({
    "app.yaml": "db:\n  host: localhost\n  password: ${env:HC18F_PW}\n",
    ".env": "HC18F_PW='from file'\nHC18F__DB__HOST=dotenv-host\n",
  });
  const r = await run(
    ["dump", "app.yaml", "-r", "--no-redact", "--env-file", ".env", "--env-prefix", "HC18F"],
    { cwd: t.dir },
  );
  assert.deepEqual(r, {
    code: 0,
    stdout: "db:\n  host: dotenv-host\n  password: from file\n",
    stderr: "",
  });
  const missing = await run(["get", "app.yaml", "db.host", "--env-file", "nope.env"], {
    cwd: t.dir,
  });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /File not found: .*nope\.env/);
});

Deno.test("--env-file given twice: both files feed ${env:}, the later one wins", async () => {
  await using t = await tempFiles({
    "app.yaml": "a: ${env:HC18E_A}\nb: ${env:HC18E_B}\nc: ${env:HC18E_C}\n",
    "base.env": "HC18E_A=base-a\nHC18E_B=base-b\n",
    "local.env": "HC18E_B=local-b\nHC18E_C=local-c\n",
  });
  const r = await run(
    ["dump", "app.yaml", "-r", "--env-file", "base.env", "--env-file", "local.env"],
    { cwd: t.dir },
  );
  assert.deepEqual(r, { code: 0, stdout: "a: base-a\nb: local-b\nc: local-c\n", stderr: "" });
  const swapped = await run(
    ["get", "app.yaml", "b", "-r", "--env-file", "local.env", "--env-file", "base.env"],
    { cwd: t.dir },
  );
  assert.deepEqual(swapped, { code: 0, stdout: "base-b\n", stderr: "" });
});

Deno.test("dump and get redact the environment's values and --set over a placeholder", async () => {
  await using t = await tempFiles({
    "app.yaml": "db:\n  host: h\n  password: ${env:HC18R_PW,sensitive=true}\n  port: 1\n",
    ".env": "HC18R__DB__PASSWORD=dotenv-s3cr3t\n",
  });
  const common = ["--env-file", ".env", "--env-prefix", "HC18R"];
  const expected = "db:\n  host: h\n  password: '[REDACTED]'\n  port: 1\n";
  for (const resolve of [["-r"], []]) {
    const dump = await run(["dump", "app.yaml", ...resolve, ...common], { cwd: t.dir });
    assert.deepEqual(dump, { code: 0, stdout: expected, stderr: "" });
    const get = await run(["get", "app.yaml", "db", ...resolve, ...common], { cwd: t.dir });
    assert.deepEqual(get, {
      code: 0,
      stdout: expected.replaceAll(/^db:\n|^ {2}/gm, ""),
      stderr: "",
    });
  }
  // A --set over the placeholder is sensitive as well; over a literal it is not.
  const set = await run([
    "dump",
    "app.yaml",
    "-r",
    "--set",
    "db.password=set-s3cr3t",
    "--set",
    "db.port=2",
  ], {
    cwd: t.dir,
  });
  assert.deepEqual(set, {
    code: 0,
    stdout: "db:\n  host: h\n  password: '[REDACTED]'\n  port: 2\n",
    stderr: "",
  });
  // Asked for by its own path, or with --no-redact, the value is printed; its source is shown.
  const own = await run(["get", "app.yaml", "db.password", "-r", ...common], { cwd: t.dir });
  assert.deepEqual(own, { code: 0, stdout: "dotenv-s3cr3t\n", stderr: "" });
  const shown = await run(["dump", "app.yaml", "--no-redact", ...common], { cwd: t.dir });
  assert.match(shown.stdout, /password: dotenv-s3cr3t/);
  const sources = await run(["dump", "app.yaml", "--sources", ...common], { cwd: t.dir });
  assert.match(sources.stdout, /db\.password: env HC18R__DB__PASSWORD \(.*\.env\)/);
});

Deno.test("check lists the ??? values of each file; get -r of one fails with its file:line", async () => {
  await using t = await tempFiles({ "base.yaml": "db:\n  host: h\n  password: ???\n" });
  const check = await run(["check", "base.yaml"], { cwd: t.dir });
  assert.deepEqual(check, {
    code: 0,
    stdout: "✓ base.yaml: valid YAML, 1 mandatory value (???) to supply in a later layer:\n" +
      "  db.password (at base.yaml:3:13)\n",
    stderr: "",
  });
  const json = await run(["check", "base.yaml", "-f", "json"], { cwd: t.dir });
  assert.deepEqual(JSON.parse(json.stdout).files[0].mandatory, [
    { path: "db.password", source: "base.yaml:3:13" },
  ]);
  const get = await run(["get", "base.yaml", "db.password", "-r"], { cwd: t.dir });
  assert.equal(get.code, 1);
  assert.match(
    get.stderr,
    /^Error: Missing mandatory value\n {2}Path: db\.password\n {2}Source: .*base\.yaml:3:13/,
  );
  const supplied = await run(["get", "base.yaml", "db.password", "-r", "--set", "db.password=x"], {
    cwd: t.dir,
  });
  assert.deepEqual(supplied, { code: 0, stdout: "x\n", stderr: "" });
});

Deno.test("HOLOCONF_OFFLINE in the CLI's environment turns offline on, as --offline does", async () => {
  await using t = await tempFiles({ "app.yaml": "a: ${ssm:/app/a}\n" });
  const env = (value: string) => (name: string) => name === "HOLOCONF_OFFLINE" ? value : undefined;
  for (const value of ["1", "true", " On "]) {
    const r = await run(["get", t.path("app.yaml"), "a", "-r"], { env: env(value) });
    assert.equal(r.code, 1, value);
    assert.match(r.stderr, /Resolver 'ssm' uses the network, and this Config is offline/, value);
  }
});

Deno.test("--offline refuses network resolvers with the path", async () => {
  await using t = await tempFiles({ "app.yaml": "a: ${ssm:/app/a}\n" });
  const r = await run(["get", t.path("app.yaml"), "a", "-r", "--offline"]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /Resolver 'ssm' uses the network, and this Config is offline\n {2}Path: a/,
  );
});
