// Tests of the Config facade (SPEC §1, §2, §9): constructors, access helpers, typed getters,
// sources, merge, schema attachment and the Config's resolver settings.

import assert from "node:assert/strict";
import {
  Config,
  HoloconfError,
  type LoadOptions,
  NotFoundError,
  ParseError,
  PathNotFoundError,
  registerResolver,
  ResolveAllError,
  ResolvedValue,
  ResolverError,
  Schema,
  TypeCoercionError,
  unregisterResolver,
  ValidationError,
} from "../mod.ts";
import { httpResolver, httpsResolver } from "../resolvers/http.ts";
import { CAN_MAKE_FIFO, makeFifo, makeSparseFile } from "./_special_files.ts";
import { assertNotShown } from "./_error_views.ts";

Deno.test("Config.loads, fromJson and fromObject build the same config", async () => {
  const expected = { a: { b: [1, "x"] }, c: 1 };
  for (
    const config of [
      Config.loads("a:\n  b: [1, x]\nc: ${a.b[0]}\n"),
      Config.fromJson('{"a": {"b": [1, "x"]}, "c": "${a.b[0]}"}'),
      Config.fromObject({ a: { b: [1, "x"] }, c: "${a.b[0]}" }),
    ]
  ) {
    assert.deepEqual(await config.toObject({ resolve: true }), expected);
  }
});

Deno.test("sourceName names a text config in errors and source locations, for loads and fromJson", async () => {
  const yaml = assertThrowsParse(() => Config.loads("a: [1\n", { sourceName: "<stdin>" }));
  assert.equal(yaml.source, "<stdin>:2:1");
  assert.match(yaml.message, /Source: <stdin>:2:1/);
  assert.ok(!yaml.message.includes("<string>"));
  const json = assertThrowsParse(() => Config.fromJson('{"a": 1,}', { sourceName: "app.json" }));
  assert.match(json.source ?? "", /^app\.json:1:\d+$/);
  // Without it: `<string>` and `<json>`.
  assert.match(assertThrowsParse(() => Config.loads("a: [1\n")).source ?? "", /^<string>:/);
  assert.match(assertThrowsParse(() => Config.fromJson("{,}")).source ?? "", /^<json>:/);
  const config = Config.loads("a: ${nope:x}\n", { sourceName: "<stdin>" });
  assert.equal(config.dumpSources()["a"]?.file, "<stdin>");
  await assert.rejects(config.get("a"), (e: unknown) => {
    assert.ok(e instanceof ResolverError);
    assert.equal(e.source, "<stdin>:1:4");
    return true;
  });
});

Deno.test("a text config named by sourceName reads relative files from that name's directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "holoconf_source_name_" });
  try {
    await Deno.mkdir(`${dir}/conf`);
    await Deno.writeTextFile(`${dir}/conf/note.txt`, "beside the named file");
    const text = "note: ${file:note.txt}\n";
    const named = Config.loads(text, { sourceName: `${dir}/conf/app.yaml`, fileRoots: [dir] });
    assert.equal(await named.get("note"), "beside the named file");
    // basePath wins over the name.
    const based = Config.loads(text, { sourceName: `${dir}/conf/app.yaml`, basePath: dir });
    await assert.rejects(based.get("note"), NotFoundError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function assertThrowsParse(f: () => unknown): ParseError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ParseError, String(e));
    return e;
  }
  throw new Error("no ParseError");
}

Deno.test("config.files lists the files loaded, merged configs' too; none for text", async () => {
  const dir = await Deno.makeTempDir({ prefix: "holoconf_files_" });
  try {
    await Deno.writeTextFile(`${dir}/a.yaml`, "a: 1\n");
    await Deno.writeTextFile(`${dir}/b.yaml`, "b: 2\n");
    const config = Config.load([`${dir}/a.yaml`, { path: `${dir}/gone.yaml`, optional: true }]);
    assert.deepEqual(config.files, [`${dir}/a.yaml`]);
    config.merge(Config.loads("c: 3\n"));
    config.merge(Config.load(`${dir}/b.yaml`));
    assert.deepEqual(config.files, [`${dir}/a.yaml`, `${dir}/b.yaml`]);
    config.files.push("/tampered"); // a copy
    assert.equal(config.files.length, 2);
    assert.deepEqual(Config.optional(`${dir}/gone.yaml`).files, []);
    assert.deepEqual(Config.fromObject({ a: 1 }).files, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Config.fromObject refuses deep, cyclic and exploding input with a HoloconfError", () => {
  const refused = (value: Record<string, unknown>, code: string, path?: string) =>
    assert.throws(() => Config.fromObject(value), (e: unknown) => {
      assert.ok(e instanceof HoloconfError, `expected a HoloconfError, got ${e}`);
      assert.equal(e.code, code);
      if (path !== undefined) assert.equal(e.path, path);
      return true;
    });
  let deep: Record<string, unknown> = { end: 1 };
  for (let i = 0; i < 100_000; i++) deep = { a: deep };
  refused(deep, "MAX_NESTING_EXCEEDED");
  let deepList: unknown = 1;
  for (let i = 0; i < 100_000; i++) deepList = [deepList];
  refused({ l: deepList }, "MAX_NESTING_EXCEEDED");
  const cyclic: Record<string, unknown> = { x: 1, m: { k: [1] } };
  (cyclic.m as { k: unknown[] }).k.push(cyclic);
  refused(cyclic, "CYCLIC_VALUE", "m.k[1]");
  const list: unknown[] = [];
  list.push({ back: list });
  refused({ list }, "CYCLIC_VALUE", "list[0].back");
  // shared objects are copied at every place: 2^20 leaves from 20 small objects
  let wide: Record<string, unknown> = { v: 1 };
  for (let i = 0; i < 20; i++) wide = { a: wide, b: wide };
  refused(wide, "EXPANSION_LIMIT_EXCEEDED");
});

Deno.test("Config.fromObject copies an object used at several places to each of them", async () => {
  const shared = { host: "h", url: "http://${.host}/" };
  const config = Config.fromObject({ a: shared, b: { ...shared, host: "other" }, c: shared });
  assert.deepEqual(await config.toObject({ resolve: true }), {
    a: { host: "h", url: "http://h/" },
    b: { host: "other", url: "http://other/" },
    c: { host: "h", url: "http://h/" },
  });
});

Deno.test("Config.fromJson is strict JSON", () => {
  assert.throws(() => Config.fromJson('{"a": 1,}'), ParseError);
  assert.throws(() => Config.fromJson("a: 1"), ParseError);
});

Deno.test("a root that is not a mapping is a ParseError; an empty document is an empty config", async () => {
  assert.throws(() => Config.loads("- 1\n- 2\n"), ParseError);
  assert.throws(() => Config.loads("just a string\n"), ParseError);
  assert.deepEqual(await Config.loads("# only a comment\n").toObject(), {});
});

Deno.test("Config.load reads a file and errors carry its file:line:column", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/app.yaml`;
    await Deno.writeTextFile(file, "db:\n  host: h\n  url: x-${nope:k}\n");
    const config = Config.load(file);
    assert.equal(await config.get("db.host"), "h");
    assert.deepEqual(config.getSource("db.url"), { file, line: 3, column: 8 });
    await assert.rejects(config.get("db.url"), (e: unknown) => {
      assert.ok(e instanceof ResolverError);
      assert.equal(e.source, `${file}:3:8`);
      assert.ok(e.message.includes(`  Source: ${file}:3:8`), e.message);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Config.optional of a missing file is an empty config", async () => {
  assert.deepEqual(await Config.optional("/nonexistent-holoconf/x.yaml").toObject(), {});
});

Deno.test("getSource and dumpSources of a string config use <string>:line:column", () => {
  const config = Config.loads("a:\n  b: 1\n  c: [x, y]\n");
  assert.deepEqual(config.getSource("a.b"), { file: "<string>", line: 2, column: 6 });
  assert.equal(config.getSource("missing"), undefined);
  const sources = config.dumpSources();
  assert.deepEqual(Object.keys(sources), ["a.b", "a.c[0]", "a.c[1]"]);
  assert.equal(sources["a.b"]!.line, 2);
});

Deno.test("dumpSources() keeps literal keys with dots or brackets apart from nested paths", () => {
  const config = Config.loads(
    '"a.b": 1\na:\n  b: 2\n"x[0]": 3\nx:\n  - 4\nm:\n  "k.j": 5\n"": 6\n"q\\"": 7\n__proto__: 8\n',
  );
  const sources = config.dumpSources();
  assert.deepEqual(Object.keys(sources), [
    '["a.b"]',
    "a.b",
    '["x[0]"]',
    "x[0]",
    'm["k.j"]',
    '[""]',
    'q"',
    "__proto__",
  ]);
  assert.equal(sources['["a.b"]']!.line, 1);
  assert.equal(sources["a.b"]!.line, 3);
  assert.equal(Object.getPrototypeOf(sources), Object.prototype, "a __proto__ key is an own key");
  assert.equal(sources["__proto__"]!.line, 11);
});

Deno.test("getRaw returns the unresolved value with ${...} kept", () => {
  const config = Config.loads("a:\n  b: ${env:HOME}\n  c: 1\n");
  assert.deepEqual(config.getRaw("a"), { b: "${env:HOME}", c: 1 });
  assert.equal(config.getRaw("a.b"), "${env:HOME}");
  assert.throws(() => config.getRaw("zz"), PathNotFoundError);
});

Deno.test("has() checks the raw tree without resolving", () => {
  let calls = 0;
  const config = Config.loads("a:\n  b: ${c:x}\nl: [1]\n", { resolvers: { c: () => ++calls } });
  assert.equal(config.has("a.b"), true);
  assert.equal(config.has("l[0]"), true);
  assert.equal(config.has("l[1]"), false);
  assert.equal(config.has("a.zz"), false);
  assert.equal(config.has("a[-1]"), false);
  assert.equal(calls, 0);
});

Deno.test("has(), getRaw() and get() agree on schema defaults", async () => {
  const config = Config.loads("host: null\ndb:\n  name: app\nurl: ${env:HOLOCONF_UNSET_X}\n");
  config.setSchema(Schema.fromYaml(`
properties:
  host: { type: string, default: localhost }
  port: { type: integer, default: 8080 }
  db: { properties: { pool: { type: integer, default: 10 } } }
`));
  for (const path of ["host", "port", "db.pool", "db"]) {
    assert.equal(config.has(path), true, path);
    assert.deepEqual(config.getRaw(path), await config.get(path), path);
  }
  assert.deepEqual(config.getRaw("db"), { name: "app", pool: 10 });
  // Raw still means unresolved: a placeholder is kept as written.
  assert.equal(config.getRaw("url"), "${env:HOLOCONF_UNSET_X}");
  // No default, not written: absent everywhere.
  assert.equal(config.has("db.user"), false);
  assert.throws(() => config.getRaw("db.user"), PathNotFoundError);
  await assert.rejects(config.get("db.user"), PathNotFoundError);
});

Deno.test("isResolved() is true for literals and memoized values only", async () => {
  const config = Config.loads("lit: 1\nm:\n  x: 1\n  y: ${lit}\nr: ${lit}\n");
  assert.equal(config.isResolved("lit"), true);
  assert.equal(config.isResolved("r"), false);
  assert.equal(config.isResolved("m"), false);
  assert.equal(config.isResolved("nope"), false);
  await config.get("m.y");
  assert.equal(config.isResolved("m"), true);
  assert.equal(config.isResolved("r"), false);
});

Deno.test("get('') returns the whole config resolved", async () => {
  const config = Config.loads("a: 1\nb: ${a}\n");
  assert.deepEqual(await config.get(""), { a: 1, b: 1 });
});

Deno.test("an invalid access path is an error", async () => {
  const config = Config.loads("a: [1]\n");
  await assert.rejects(config.get("a[-1]"), HoloconfError);
  await assert.rejects(config.get("a[x]"), /Invalid array index in path/);
});

Deno.test("merge() overlays another config: other wins, null deletes, sources survive", async () => {
  const base = Config.loads("a: 1\nb:\n  c: 2\n  d: 3\nkeep: k\n");
  base.merge(Config.loads("b:\n  c: 20\n  d: null\nnew: ${a}\n"));
  assert.deepEqual(await base.toObject({ resolve: true }), {
    a: 1,
    b: { c: 20 },
    keep: "k",
    new: 1,
  });
  assert.equal(base.getSource("b.c")?.line, 2);
});

Deno.test("setSchema/getSchema attach a schema without validating", async () => {
  const config = Config.loads("port: abc\n");
  assert.equal(config.getSchema(), undefined);
  const schema = Schema.fromObject({
    type: "object",
    properties: { port: { type: "integer" }, extra: { type: "string", default: "dflt" } },
  });
  config.setSchema(schema);
  assert.equal(config.getSchema(), schema);
  assert.equal(await config.get("port"), "abc", "a literal is never coerced");
  assert.equal(await config.get("extra"), "dflt", "a missing path gets its schema default");
});

// ------------------------------------------------------------------ typed getters

const typed = () =>
  Config.loads(
    [
      "s: text",
      "i: 42",
      "f: 1.5",
      "t: true",
      "n: null",
      'si: "8080"',
      'sneg: "-7"',
      'sf: "2.5"',
      'sexp: "1e3"',
      'sb: "FALSE"',
      'sbad: "abc"',
      'sdec: "8080.0"',
      'syes: "yes"',
      "l: [1]",
      "m: {k: v}",
      "env: ${env:HOLOCONF_CONFIG_TEST_INT,default=9000}",
      "b: ${bytes:x}",
    ].join("\n"),
    { resolvers: { bytes: () => new Uint8Array([1]) } },
  );

Deno.test("getString returns strings, numbers and booleans as text, null as 'null'", async () => {
  const c = typed();
  assert.equal(await c.getString("s"), "text");
  assert.equal(await c.getString("i"), "42");
  assert.equal(await c.getString("f"), "1.5");
  assert.equal(await c.getString("t"), "true");
  assert.equal(await c.getString("n"), "null");
  for (const p of ["l", "m", "b"]) await assert.rejects(c.getString(p), TypeCoercionError);
});

Deno.test("getInt accepts integers and strictly integer strings", async () => {
  const c = typed();
  assert.equal(await c.getInt("i"), 42);
  assert.equal(await c.getInt("si"), 8080);
  assert.equal(await c.getInt("sneg"), -7);
  assert.equal(await c.getInt("env"), 9000, "a default (a string) becomes an integer");
  for (const p of ["f", "sdec", "sexp", "sbad", "t", "n", "l"]) {
    await assert.rejects(c.getInt(p), TypeCoercionError, p);
  }
});

Deno.test("getFloat accepts numbers and numeric strings", async () => {
  const c = typed();
  assert.equal(await c.getFloat("f"), 1.5);
  assert.equal(await c.getFloat("i"), 42);
  assert.equal(await c.getFloat("sf"), 2.5);
  assert.equal(await c.getFloat("sexp"), 1000);
  for (const p of ["sbad", "t", "m"]) await assert.rejects(c.getFloat(p), TypeCoercionError, p);
});

Deno.test("getFloat reads inf and NaN as upstream does, and no surrounding blanks", async () => {
  const c = Config.loads('a: "inf"\nb: "-Infinity"\nc: "NaN"\nd: " 1.5 "\ne: ".5"\n');
  assert.equal(await c.getFloat("a"), Infinity);
  assert.equal(await c.getFloat("b"), -Infinity);
  assert.ok(Number.isNaN(await c.getFloat("c")));
  await assert.rejects(c.getFloat("d"), TypeCoercionError);
  assert.equal(await c.getFloat("e"), 0.5);
});

Deno.test("getBool accepts booleans and 'true'/'false' in any case", async () => {
  const c = typed();
  assert.equal(await c.getBool("t"), true);
  assert.equal(await c.getBool("sb"), false);
  for (const p of ["syes", "i", "s", "n"]) await assert.rejects(c.getBool(p), TypeCoercionError, p);
});

Deno.test("a typed getter failure is 'Type coercion failed' with Path and Got lines", async () => {
  await assert.rejects(typed().getInt("sbad"), (e: unknown) => {
    assert.ok(e instanceof TypeCoercionError);
    assert.equal(e.code, "TYPE_COERCION");
    assert.equal(e.path, "sbad");
    const lines = e.message.split("\n");
    assert.equal(lines[0], "Type coercion failed");
    assert.ok(lines.includes("  Path: sbad"), e.message);
    assert.ok(lines.includes('  Got: string ("abc")'), e.message);
    return true;
  });
});

Deno.test("typed getters of a missing path are PathNotFoundError", async () => {
  await assert.rejects(typed().getString("missing"), PathNotFoundError);
});

Deno.test("validate() with a schema that is not attached coerces by it and reuses the memo", async () => {
  let calls = 0;
  const config = Config.loads("port: ${count:x}\nname: ${count:y}\n", {
    resolvers: { count: (key: string) => key === "x" ? String(8000 + ++calls) : `n${++calls}` },
  });
  await config.get("port");
  const schema = Schema.fromObject({
    type: "object",
    properties: { port: { type: "integer", maximum: 9000 }, name: { type: "integer" } },
  });
  const issues = await config.validateCollect(schema);
  // port "8001" coerces to an integer and passes; name "n2" cannot be coerced: one issue.
  assert.deepEqual(issues.map((i) => i.pointer), ["/name"]);
  assert.match(issues[0]!.message, /must be integer/);
  // port was resolved once by get() and not again by validation.
  assert.equal(calls, 2);
  // Validation never changes what get() returns: the schema is not attached.
  assert.equal(await config.get("port"), "8001");
});

Deno.test("get(path, { redact: true }) redacts like a redacted export, resolving only the path", async () => {
  const calls: string[] = [];
  const config = Config.loads(
    "db:\n  user: app\n  pw: ${vault:pw}\n  hosts: [a, '${vault:host}']\n  port: 5432\n" +
      "copy: ${db}\nother: ${vault:other}\n",
    {
      resolvers: {
        vault: (key: string) => {
          calls.push(key);
          return new ResolvedValue(`s3cr3t-${key}`, { sensitive: true });
        },
      },
      schema: Schema.fromObject({
        type: "object",
        properties: {
          db: { type: "object", properties: { timeout: { type: "integer", default: 5 } } },
        },
      }),
    },
  );
  assert.deepEqual(await config.get("db", { redact: true }), {
    user: "app",
    pw: "[REDACTED]",
    hosts: ["a", "[REDACTED]"],
    port: 5432,
    timeout: 5,
  });
  assert.deepEqual(await config.get("db.hosts", { redact: true }), ["a", "[REDACTED]"]);
  assert.equal(await config.get("db.pw", { redact: true }), "[REDACTED]");
  assert.equal(await config.get("db.user", { redact: true }), "app");
  // A reference to a mapping with a secret is sensitive as a whole, as in toYaml({redact:true}).
  assert.equal(await config.get("copy", { redact: true }), "[REDACTED]");
  assert.equal(await config.get("copy.hosts", { redact: true }), "[REDACTED]");
  // Only what the paths needed was resolved; without redact the values come back in clear.
  assert.deepEqual(calls.sort(), ["host", "pw"]);
  assert.equal(await config.get("db.pw"), "s3cr3t-pw");
  assert.deepEqual((await config.get("db") as { hosts: string[] }).hosts, ["a", "s3cr3t-host"]);
});

// --- validation: every issue, as data ----------------------------------------------------

/** `${v:<key>}` returns the key; `${v:missing}` is not found. */
function keyResolver(): { v: (key: string) => string } {
  return {
    v: (key: string) => {
      if (key === "missing") throw new NotFoundError();
      return key;
    },
  };
}

const EVERY_KIND_SCHEMA = `
type: object
required: [host]
properties:
  port: { type: integer }
  debug: { type: boolean }
  token: { type: string }
  name: { type: string }
`;

Deno.test("validate() lists resolution, coercion and schema issues in one ValidationError", async () => {
  const config = Config.loads(
    "port: ${v:abc}\ndebug: ${v:yes}\ntoken: ${v:missing}\nname: 5\n",
    { resolvers: keyResolver() },
  );
  const schema = Schema.fromYaml(EVERY_KIND_SCHEMA);
  const err = await config.validate(schema).then(() => undefined, (e) => e);
  assert.ok(err instanceof ValidationError, String(err));
  assert.deepEqual(err.issues, [
    {
      pointer: "/port",
      path: "port",
      message: 'must be integer (digits with an optional sign, e.g. 8080), got string ("abc")',
      kind: "coercion",
      code: "TYPE_COERCION",
      expected: "integer",
      source: "<string>:1:7",
    },
    {
      pointer: "/debug",
      path: "debug",
      message: 'must be boolean (true or false, in any case), got string ("yes")',
      kind: "coercion",
      code: "TYPE_COERCION",
      expected: "boolean",
      source: "<string>:2:8",
    },
    {
      pointer: "/token",
      path: "token",
      message: "Resource not found: missing",
      kind: "resolution",
      code: "NOT_FOUND",
      expected: "string",
      source: "<string>:3:8",
    },
    {
      pointer: "",
      path: "",
      message: "must have required property 'host'",
      kind: "schema",
      code: "required",
      expected: "object",
      source: "<string>:1:1",
    },
    {
      pointer: "/name",
      path: "name",
      message: "must be string",
      kind: "schema",
      code: "type",
      expected: "string",
      source: "<string>:4:7",
    },
  ]);
  assert.match(err.message, /\n {2}\/token: Resource not found: missing \(at <string>:3:8\)\n/);
  // The same list without throwing, with the schema attached or not.
  assert.deepEqual(await config.validateCollect(schema), err.issues);
  config.setSchema(schema);
  assert.deepEqual(await config.validateCollect(), err.issues);
});

Deno.test("validate() reports a value that fails because another one failed only once", async () => {
  const config = Config.loads(
    "a: ${v:missing}\nb: ${a}\nc: x-${a}\nport: ${v:abc}\nalias: ${port}\n",
    { resolvers: keyResolver() },
  );
  const schema = Schema.fromObject({
    properties: {
      b: { type: "integer" },
      c: { type: "integer" },
      port: { type: "integer" },
      alias: { type: "string" },
    },
  });
  config.setSchema(schema);
  const issues = await config.validateCollect();
  assert.deepEqual(
    issues.map((i) => `${i.kind} ${i.pointer}`),
    ["resolution /a", "coercion /port"],
  );
});

Deno.test("validate(other) coerces by the schema validated against, not the attached one", async () => {
  const config = Config.loads("port: ${v:abc}\n", { resolvers: keyResolver() });
  config.setSchema(Schema.fromObject({ properties: { port: { type: "integer" } } }));
  await assert.rejects(config.get("port"), TypeCoercionError);
  const text = Schema.fromObject({ properties: { port: { type: "string", minLength: 2 } } });
  assert.deepEqual(await config.validateCollect(text), []);
});

Deno.test("validate() returns the config it validated: coerced and default-filled, a copy", async () => {
  const config = Config.loads("port: ${v:8080}\nobj: ${o:x}\n", {
    resolvers: { ...keyResolver(), o: () => ({ list: [1] }) },
  });
  const schema = Schema.fromObject({
    properties: { port: { type: "integer" }, host: { default: "localhost" } },
  });
  const valid = await config.validate(schema) as { obj: { list: number[] } };
  assert.deepEqual(valid, { port: 8080, obj: { list: [1] }, host: "localhost" });
  // The caller's own copy, as from resolveAll().
  valid.obj.list.push(2);
  assert.deepEqual(await config.get("obj"), { list: [1] });
  assert.deepEqual(await config.validate(schema), {
    port: 8080,
    obj: { list: [1] },
    host: "localhost",
  });
});

Deno.test("validate() takes resolveAll's batch options: an aborted batch is a resolution issue", async () => {
  const config = Config.loads("a: ${slow:x}\nb: 1\n", {
    resolvers: { slow: () => new Promise<string>(() => {}) },
  });
  const controller = new AbortController();
  controller.abort();
  const schema = Schema.fromObject({ properties: { b: { type: "string" } } });
  const issues = await config.validateCollect(schema, { signal: controller.signal });
  assert.deepEqual(issues.map((i) => `${i.kind} ${i.code} ${i.pointer}`), [
    "resolution RESOLVER_ABORTED /a",
    "schema type /b",
  ]);
});

Deno.test("getBool's error names what a boolean is", async () => {
  const config = Config.loads("debug: ${v:yes}\n", { resolvers: keyResolver() });
  await assert.rejects(config.getBool("debug"), (e: unknown) => {
    assert.ok(e instanceof TypeCoercionError);
    assert.match(e.message, /Help: Write boolean values as true or false, in any case/);
    return true;
  });
});

Deno.test("resolveAll() failures name where each failed value is written", async () => {
  const config = Config.loads("a: 1\nb:\n  c: ${v:missing}\n", { resolvers: keyResolver() });
  const err = await config.resolveAll().then(() => undefined, (e) => e);
  assert.ok(err instanceof ResolveAllError, String(err));
  assert.equal(err.failures[0]!.source, "<string>:3:6");
  assert.match(err.message, /\n {2}b\.c: Resource not found: missing \(at <string>:3:6\)\n/);
});

Deno.test("validateRaw() issues carry the source of the value", async () => {
  const schema = Schema.fromObject({
    type: "object",
    required: ["name"],
    properties: { db: { properties: { port: { type: "integer" } } } },
  });
  await schema.ready();
  const config = Config.loads("db:\n  port: eighty\nurl: ${env:X}\n");
  const err = (() => {
    try {
      config.validateRaw(schema);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof ValidationError, String(err));
  assert.deepEqual(err.issues.map((i) => `${i.path} ${i.code} ${i.source}`), [
    " required <string>:1:1",
    "db.port type <string>:2:9",
  ]);
});

Deno.test("a resolution issue never shows the secret its failing call was given", async () => {
  const config = Config.loads("a: ${boom:${secret:}}\nb: ${missing:${secret:}}\n", {
    resolvers: {
      secret: () => new ResolvedValue("hunter2-zz", { sensitive: true }),
      boom: (key: string) => {
        throw new Error(`cannot open ${key}`);
      },
      missing: () => {
        throw new NotFoundError();
      },
    },
  });
  const issues = await config.validateCollect(Schema.fromObject({}));
  assert.deepEqual(issues.map((i) => `${i.kind} ${i.code} ${i.pointer}`), [
    "resolution RESOLVER_FAILED /a",
    "resolution NOT_FOUND /b",
  ]);
  const text = JSON.stringify(issues);
  assert.ok(!text.includes("hunter2"), text);
  assert.ok(text.includes("[REDACTED]"), text);
  const err = await config.validate(Schema.fromObject({})).then(() => undefined, (e) => e);
  assert.ok(err instanceof ValidationError && !Deno.inspect(err).includes("hunter2"));
});

// ------------------------------------------------------------------ basePath through merge(), coercion issues once

Deno.test("after merge(), an overlay parsed with its own basePath resolves ${file:} against it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/A`);
    await Deno.mkdir(`${dir}/B`);
    await Deno.writeTextFile(`${dir}/A/x.txt`, "from-A");
    await Deno.writeTextFile(`${dir}/B/x.txt`, "from-B");
    const base = Config.loads("a: 1\n", { basePath: `${dir}/A` });
    base.merge(Config.loads("f: ${file:x.txt}\n", { basePath: `${dir}/B` }));
    assert.equal(await base.get("f"), "from-B");
    assert.equal(await base.get("a"), 1);

    const noBase = Config.loads("a: 1\n");
    noBase.merge(Config.loads("f: ${file:x.txt}\n", { basePath: `${dir}/B` }));
    assert.equal(await noBase.get("f"), "from-B");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("validateCollect reports a coercion failure once even when another value references it", async () => {
  const env = "HOLOCONF_CONFIG_TEST_PORT_ABC";
  Deno.env.set(env, "abc");
  try {
    const schema = Schema.fromObject({
      type: "object",
      properties: { port: { type: "integer" }, alias: { type: "string" } },
    });
    await schema.ready();
    const yaml = `port: \${env:${env}}\nalias: \${port}\n`;
    const attached = await Config.loads(yaml, { schema }).validateCollect();
    assert.deepEqual(attached.map((i) => i.pointer), ["/port"], JSON.stringify(attached));
    const passed = await Config.loads(yaml).validateCollect(schema);
    assert.deepEqual(passed.map((i) => i.pointer), ["/port"], JSON.stringify(passed));
  } finally {
    Deno.env.delete(env);
  }
});

// --- resolver settings of a Config (LoadOptions.resolverSettings and the http aliases) ---------

/** Resolves `${http:...}` of a URL outside the allowlist: no request is sent either way. */
async function httpOutcome(options: LoadOptions): Promise<string> {
  const config = Config.loads("a: ${http:blocked.invalid/x}\n", options);
  const e = await config.get("a").catch((e: unknown) => e);
  assert.ok(e instanceof ResolverError, String(e));
  return e.code;
}

Deno.test("the http load options are aliases of resolverSettings.http", async () => {
  const allowlist = ["http://allowed.invalid/*"];
  assert.equal(await httpOutcome({}), "HTTP_DISABLED");
  assert.equal(
    await httpOutcome({ allowHttp: true, httpAllowlist: allowlist }),
    "HTTP_NOT_ALLOWED",
  );
  assert.equal(
    await httpOutcome({ resolverSettings: { http: { allow: true, allowlist } } }),
    "HTTP_NOT_ALLOWED",
  );
  // Both spellings together, for different fields.
  assert.equal(
    await httpOutcome({ allowHttp: true, resolverSettings: { http: { allowlist } } }),
    "HTTP_NOT_ALLOWED",
  );
});

Deno.test("one http setting given as an alias and in resolverSettings is refused", () => {
  assert.throws(
    () => Config.loads("a: 1\n", { allowHttp: true, resolverSettings: { http: { allow: true } } }),
    (e: unknown) => {
      assert.ok(e instanceof ResolverError);
      assert.equal(e.code, "INVALID_SETTING");
      assert.equal(e.headline, "Setting 'http.allow' is given twice");
      assert.equal(e.help, "Pass either allowHttp or resolverSettings.http.allow, not both");
      return true;
    },
  );
});

Deno.test("the http aliases work when the http resolvers are registered after loading", async () => {
  // The command line loads the config first, then registers the resolvers it names.
  unregisterResolver("http");
  unregisterResolver("https");
  try {
    const config = Config.loads("a: ${http:blocked.invalid/x}\n", {
      allowHttp: true,
      httpAllowlist: ["http://allowed.invalid/*"],
    });
    registerResolver("http", httpResolver);
    await assert.rejects(
      config.get("a"),
      (e: unknown) => e instanceof ResolverError && e.code === "HTTP_NOT_ALLOWED",
    );
  } finally {
    registerResolver("http", httpResolver, { force: true });
    registerResolver("https", httpsResolver, { force: true });
  }
});

Deno.test("merge() keeps the base's resolver settings: the other's are dropped", async () => {
  const base = Config.loads("a: ${http:blocked.invalid/x}\n");
  base.merge(Config.loads("b: 1\n", { allowHttp: true }));
  await assert.rejects(
    base.get("a"),
    (e: unknown) => e instanceof ResolverError && e.code === "HTTP_DISABLED",
  );
});

Deno.test("call.context holds only the Config's own business, no resolver's options", async () => {
  let keys: string[] = [];
  const config = Config.loads("a: ${probe:x}\n", {
    allowHttp: true,
    resolvers: { probe: (_key, call) => (keys = Object.keys(call.context).sort(), 1) },
  });
  await config.get("a");
  assert.deepEqual(keys, ["baseDir", "env", "fileRoots", "onWarning"]);
});

Deno.test("the Config's summary, inspect and dumps never show a resolver setting", async () => {
  const secrets = ["pw-s3cr3t", "KEY-s3cr3t", "proxy-s3cr3t", "eu-s3cr3t-1"];
  const config = Config.loads("a: 1\n", {
    httpClientKeyPassword: secrets[0]!,
    httpClientKey: secrets[1]!,
    resolverSettings: {
      http: { proxy: `http://user:${secrets[2]}@proxy.invalid:1` },
      aws: { region: secrets[3]! },
    },
  });
  const shown = [
    JSON.stringify(config),
    Deno.inspect(config),
    await config.toYaml({ resolve: true }),
    JSON.stringify(config.dumpSources()),
  ].join("\n");
  for (const s of secrets) assert.ok(!shown.includes(s), `${s} in ${shown}`);
});

// ---------------------------------------------------------------- overrides and .env files

/** A temp directory with files; removed by `using`. */
function tempDir(files: Record<string, string>): { dir: string } & Disposable {
  const dir = Deno.makeTempDirSync({ prefix: "holoconf_overrides_" });
  for (const [name, text] of Object.entries(files)) Deno.writeTextFileSync(`${dir}/${name}`, text);
  return { dir, [Symbol.dispose]: () => Deno.removeSync(dir, { recursive: true }) };
}

/** Sets process environment variables for the duration of `fn`. */
async function withProcessEnv(vars: Record<string, string>, fn: () => Promise<void>) {
  for (const [k, v] of Object.entries(vars)) Deno.env.set(k, v);
  try {
    await fn();
  } finally {
    for (const k of Object.keys(vars)) Deno.env.delete(k);
  }
}

Deno.test("precedence: files < .env files < environment < overrides, each with its source", async () => {
  using t = tempDir({
    "app.yaml": "a: file\nb: file\nc: file\nd: file\n",
    ".env": "HC18P__B=dotenv\nHC18P__C=dotenv\nHC18P__D=dotenv\n",
  });
  await withProcessEnv({ HC18P__C: "env", HC18P__D: "env" }, async () => {
    const config = Config.load(`${t.dir}/app.yaml`, {
      envFiles: [`${t.dir}/.env`],
      envPrefix: "HC18P",
      overrides: { d: "api" },
    });
    await config.ready();
    assert.deepEqual(await config.toObject(), { a: "file", b: "dotenv", c: "env", d: "api" });
    assert.deepEqual(config.dumpSources(), {
      a: { file: `${t.dir}/app.yaml`, line: 1, column: 4 },
      b: { file: `env HC18P__B (${t.dir}/.env)`, line: 0, column: 0 },
      c: { file: "env HC18P__C", line: 0, column: 0 },
      d: { file: "override d", line: 0, column: 0 },
    });
    assert.deepEqual(config.getSource("c"), { file: "env HC18P__C", line: 0, column: 0 });
    // The --set form is the top layer too, with its own origin.
    const set = Config.load(`${t.dir}/app.yaml`, { envPrefix: "HC18P", overrides: ["d=set"] });
    assert.equal(await set.get("d"), "set");
    assert.equal(set.getSource("d")?.file, "--set d");
  });
});

Deno.test("a value from the environment is redacted like a secret, its source still shown", async () => {
  const secret = "env-s3cr3t-18";
  using t = tempDir({ ".env": `HC18Z__DB__HOST=dotenv-host-18\n` });
  await withProcessEnv({ HC18Z__DB__PASSWORD: secret, HC18Z_PW: "file-pw" }, async () => {
    const text = "db:\n  host: h\n  password: ${env:HC18Z_PW,sensitive=true}\n" +
      "  port: 1\n  dsn: pg://app:${db.password}@${db.host}/x\n";
    const config = Config.loads(text, {
      envFiles: [`${t.dir}/.env`],
      envPrefix: "HC18Z",
      schema: Schema.fromObject({ properties: { db: { properties: { port: { enum: [1] } } } } }),
    });
    await config.ready();
    const redacted = {
      host: "[REDACTED]",
      password: "[REDACTED]",
      port: 1,
      dsn: "[REDACTED]",
    };
    assert.deepEqual(await config.toObject({ redact: true }), { db: redacted });
    assert.deepEqual(await config.get("db", { redact: true }), redacted);
    assert.equal(await config.get("db.password", { redact: true }), "[REDACTED]");
    // Raw exports redact the sensitive overrides too (placeholders stay as written).
    assert.deepEqual(await config.toObject({ resolve: false, redact: true }), {
      db: { ...redacted, dsn: "pg://app:${db.password}@${db.host}/x" },
    });
    assert.equal(config.getRaw("db.password", { redact: true }), "[REDACTED]");
    // The data itself is there for the program, and the source names the variable.
    assert.equal(await config.get("db.dsn"), `pg://app:${secret}@dotenv-host-18/x`);
    assert.equal(config.getSource("db.password")?.file, "env HC18Z__DB__PASSWORD");
    assert.equal(config.getSource("db.host")?.file, `env HC18Z__DB__HOST (${t.dir}/.env)`);
    // A schema issue at an overridden value does not quote it.
    const issues = await config.validateCollect();
    assert.ok(!JSON.stringify(issues).includes(secret));
  });
});

Deno.test("a --set or API override is sensitive where it replaces a non-literal", async () => {
  const text = "a: ${env:HC18Y_NOPE,default=x}\nb: plain\nc: ???\n";
  const config = Config.loads(text, { overrides: ["a=set-a", "b=set-b", "c=set-c"] });
  assert.deepEqual(await config.toObject({ redact: true }), {
    a: "[REDACTED]",
    b: "set-b",
    c: "[REDACTED]",
  });
  // With interpolateOverrides, the value given is sensitive whatever it resolves to.
  const opted = Config.loads("a: ${env:HC18Y_NOPE,default=x}\nb: plain\n", {
    overrides: { a: "${b}-x" },
    interpolateOverrides: true,
  });
  assert.deepEqual(await opted.toObject({ redact: true }), { a: "[REDACTED]", b: "plain" });
  assert.equal(await opted.get("a"), "plain-x");
});

Deno.test("overrides stay on top of configs merged in later", async () => {
  const config = Config.loads("a: 1\nb: 1\n", { overrides: { a: 2 } });
  config.merge(Config.loads("a: 3\nb: 3\n"));
  assert.deepEqual(await config.toObject(), { a: 2, b: 3 });
});

Deno.test("merge() carries the other config's .env layer whole: its overrides and its variables", async () => {
  using t = tempDir({
    "base.env": "HC18M_SHARED=base\nHC18M_BASE=base-only\n",
    "other.env": "HC18M_SHARED=other\nHC18M_OTHER=other-only\nHC18M__C=3\n",
  });
  await withProcessEnv({ HC18M_PROCESS: "process" }, async () => {
    const other = Config.loads(
      "b: ${env:HC18M_OTHER}\nc: 1\nshared: ${env:HC18M_SHARED}\np: ${env:HC18M_PROCESS}\n",
      { envFiles: [`${t.dir}/other.env`], envPrefix: "HC18M" },
    );
    await other.ready();
    const base = Config.loads("a: ${env:HC18M_BASE}\nmine: ${env:HC18M_SHARED}\n", {
      envFiles: [`${t.dir}/base.env`],
    });
    await base.ready();
    base.merge(other);
    assert.deepEqual(await base.resolveAll(), {
      a: "base-only", // this config's .env files still count
      mine: "other", // the other's over this config's (the other wins, as in merge)
      b: "other-only", // its values read its variables
      c: "3", // its prefixed overrides stay
      shared: "other",
      p: "process", // the process environment over every .env file
    });
  });
});

Deno.test("environment overrides are coerced by the JSON Schema, strings without one", async () => {
  await withProcessEnv({ HC18C__PORT: "5433", HC18C__DEBUG: "true" }, async () => {
    const text = "port: 1\ndebug: false\n";
    const schema = Schema.fromObject({
      properties: { port: { type: "integer" }, debug: { type: "boolean" } },
    });
    const untyped = Config.loads(text, { envPrefix: "HC18C" });
    assert.deepEqual(await untyped.toObject(), { port: "5433", debug: "true" });
    const typed = Config.loads(text, { envPrefix: "HC18C", schema });
    assert.deepEqual(await typed.validate(), { port: 5433, debug: true });
    // Attached later: the overrides are coerced then.
    untyped.setSchema(schema);
    assert.equal(untyped.getSync("port"), 5433);
  });
});

Deno.test("an override of a key the config does not have fails at load, unless allowNew", async () => {
  await withProcessEnv({ HC18U__DB__PROT: "1" }, async () => {
    assert.throws(() => Config.loads("db:\n  port: 1\n", { envPrefix: "HC18U" }), (e: unknown) => {
      assert.ok(e instanceof HoloconfError);
      assert.equal(e.code, "UNKNOWN_OVERRIDE_KEY");
      assert.equal(e.source, "env HC18U__DB__PROT");
      assert.match(e.message, /Did you mean 'db\.port'\?/);
      return true;
    });
    const config = Config.loads("db:\n  port: 1\n", { envPrefix: "HC18U", allowNew: true });
    assert.deepEqual(await config.toObject(), { db: { port: 1, prot: "1" } });
  });
  assert.throws(() => Config.loads("a: 1\n", { overrides: ["b=2"] }), {
    code: "UNKNOWN_OVERRIDE_KEY",
  });
});

Deno.test("override text is literal: ${env:SECRET} in it is never resolved", async () => {
  await withProcessEnv({ HC18S_SECRET: "s3cr3t-18", HC18S__A: "${env:HC18S_SECRET}" }, async () => {
    const config = Config.loads("a: 0\nb: 0\n", {
      envPrefix: "HC18S",
      overrides: ["b=x-${env:HC18S_SECRET}"],
    });
    assert.deepEqual(await config.resolveAll(), {
      a: "${env:HC18S_SECRET}",
      b: "x-${env:HC18S_SECRET}",
    });
    assert.ok(!(await config.toYaml({ resolve: true })).includes("s3cr3t-18"));
    const opted = Config.loads("a: 0\nb: 0\n", {
      envPrefix: "HC18S",
      overrides: ["b=x-${env:HC18S_SECRET}"],
      interpolateOverrides: true,
    });
    assert.deepEqual(await opted.resolveAll(), { a: "s3cr3t-18", b: "x-s3cr3t-18" });
  });
});

Deno.test(".env files feed ${env:} for that Config only; real variables win; later files win", async () => {
  using t = tempDir({
    ".env": "HC18E_A=from-env-file\nHC18E_B=first\nHC18E_C=file\n",
    ".env.local": "HC18E_B=second\n",
  });
  await withProcessEnv({ HC18E_C: "process" }, async () => {
    const text = "a: ${env:HC18E_A}\nb: ${env:HC18E_B}\nc: ${env:HC18E_C}\n";
    const config = Config.loads(text, {
      envFiles: [`${t.dir}/.env`, { path: `${t.dir}/.env.local`, optional: true }],
    });
    assert.deepEqual(await config.resolveAll(), { a: "from-env-file", b: "second", c: "process" });
    assert.equal(Deno.env.get("HC18E_A"), undefined); // the process environment is untouched
    await assert.rejects(Config.loads(text).get("a"), NotFoundError); // another Config
  });
});

Deno.test("a Config with .env files refuses synchronous reads until ready() (fresh process)", async () => {
  using t = tempDir({ ".env": "HC18R=v\n", "bad.env": "HC18R__NOPE=1\n" });
  // The parser loads once per process: a process of its own sees the first load.
  const script = `
    import { Config } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
    const out = [];
    const config = Config.loads("a: \${env:HC18R}\\n", { envFiles: [${
    JSON.stringify(`${t.dir}/.env`)
  }] });
    // Its override cannot apply: known only once the file is parsed.
    const bad = Config.loads("a: 1\\n", { envPrefix: "HC18R", envFiles: [${
    JSON.stringify(`${t.dir}/bad.env`)
  }] });
    try { config.getSync("a"); } catch (e) { out.push(e.code); }
    try { config.has("a"); } catch (e) { out.push(e.code); }
    await config.ready();
    out.push(config.getSync("a"));
    await bad.ready().catch((e) => out.push(e.code));
    await bad.get("a").catch((e) => out.push(e.code));
    // Once the parser is loaded, the next Config applies its .env file at load.
    try { Config.loads("a: 1\\n", { envPrefix: "HC18R", envFiles: [${
    JSON.stringify(`${t.dir}/bad.env`)
  }] }); } catch (e) { out.push(e.code); }
    console.log(JSON.stringify(out));
  `;
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(run.stderr);
  assert.equal(run.code, 0, stderr);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(run.stdout)), [
    "ASYNC_RESOLUTION_REQUIRED",
    "ASYNC_RESOLUTION_REQUIRED",
    "v",
    "UNKNOWN_OVERRIDE_KEY",
    "UNKNOWN_OVERRIDE_KEY",
    "UNKNOWN_OVERRIDE_KEY",
  ]);
});

Deno.test(".env files are read like config files: missing, FIFO, too large", () => {
  using t = tempDir({});
  assert.throws(() => Config.loads("a: 1\n", { envFiles: [`${t.dir}/.env`] }), {
    code: "FILE_NOT_FOUND",
  });
  Config.loads("a: 1\n", { envFiles: [{ path: `${t.dir}/.env`, optional: true }] });
  if (CAN_MAKE_FIFO && makeFifo(`${t.dir}/fifo.env`)) {
    assert.throws(() => Config.loads("a: 1\n", { envFiles: [`${t.dir}/fifo.env`] }), {
      code: "FILE_NOT_REGULAR",
    });
  }
  makeSparseFile(`${t.dir}/big.env`, 17 * 1024 * 1024, "A=1\n");
  assert.throws(() => Config.loads("a: 1\n", { envFiles: [`${t.dir}/big.env`] }), {
    code: "FILE_TOO_LARGE",
  });
});

Deno.test("a secret from a .env file stays out of errors and redacted dumps", async () => {
  const secret = "dotenv-s3cr3t-18";
  using t = tempDir({ ".env": `HC18X_PW=${secret}\n` });
  const config = Config.loads(
    "pw: ${env:HC18X_PW,sensitive=true}\nport: ${env:HC18X_PW,sensitive=true}\n",
    {
      envFiles: [`${t.dir}/.env`],
      schema: Schema.fromObject({ properties: { port: { type: "integer" } } }),
    },
  );
  assert.equal(await config.get("pw", { redact: true }), "[REDACTED]");
  assert.equal(await config.get("pw"), secret); // data like any env value
  const error = await config.get("port").then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TypeCoercionError, String(error));
  assertNotShown(error, [secret]);
  const issues = await config.validateCollect();
  assert.deepEqual(issues.map((i) => i.path), ["port"]);
  assert.ok(!JSON.stringify(issues).includes(secret));
  assert.ok(!JSON.stringify(config).includes(secret) && !Deno.inspect(config).includes(secret));
});

Deno.test("missingMandatory() lists the ??? values; has() is false for them", () => {
  const config = Config.loads("a: ???\nb:\n  - 1\n  - ???\nc: 1\n");
  assert.deepEqual(config.missingMandatory(), [
    { path: "a", source: { file: "<string>", line: 1, column: 4 } },
    { path: "b[1]", source: { file: "<string>", line: 4, column: 5 } },
  ]);
  assert.equal(config.has("a"), false);
  assert.equal(config.has("b[1]"), false);
  assert.equal(config.has("c"), true);
  const supplied = Config.loads("a: ???\n", { overrides: ["a=1"] });
  assert.deepEqual(supplied.missingMandatory(), []);
  assert.equal(supplied.has("a"), true);
});

Deno.test("offline: HOLOCONF_OFFLINE=1 refuses the network built-ins; a per-Config mock runs", async () => {
  const text = "url: ${https:example.invalid/x}\nparam: ${ssm:/app/db}\n";
  await withProcessEnv({ HOLOCONF_OFFLINE: "1" }, async () => {
    const config = Config.loads(text, { allowHttp: true });
    for (const path of ["url", "param"]) {
      await assert.rejects(config.get(path), { code: "OFFLINE", path });
    }
    // The testing recipe: a mock named like the network resolver, for this Config only.
    const mocked = Config.loads(text, { resolvers: { ssm: (key) => `mock:${key}` } });
    assert.equal(await mocked.get("param"), "mock:/app/db");
    // `offline: false` does not turn the environment's setting off.
    await assert.rejects(Config.loads(text, { offline: false }).get("param"), { code: "OFFLINE" });
  });
  await withProcessEnv({ HOLOCONF_OFFLINE: "0" }, async () => {
    await assert.rejects(Config.loads(text, { offline: true }).get("param"), { code: "OFFLINE" });
  });
});

Deno.test("offline: HOLOCONF_OFFLINE is not seen without permission to read it; offline: true is", async () => {
  // A process allowed to read HOME only: the variable is set, but the Config cannot see it.
  const script = `
    import { Config } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
    const text = "a: \${ssm:/app/a}\\n";
    const mock = { ssm: { resolve: () => "reached", network: true } };
    const online = await Config.loads(text, { resolvers: mock }).get("a");
    const offline = await Config.loads(text, { resolvers: mock, offline: true }).get("a")
      .catch((e) => e.code);
    console.log(JSON.stringify([online, offline]));
  `;
  using t = tempDir({ "probe.ts": script });
  const run = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      "--allow-env=HOME",
      "--config",
      new URL("../deno.json", import.meta.url).pathname,
      `${t.dir}/probe.ts`,
    ],
    env: { HOLOCONF_OFFLINE: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(run.stderr);
  assert.equal(run.code, 0, stderr);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(run.stdout)), ["reached", "OFFLINE"]);
});

Deno.test("testing recipe: a unit test overrides ssm with a mock (README example)", async () => {
  // The config as it is deployed: two SSM parameters, one of them a secret.
  const yaml = "db:\n  host: ${ssm:/app/db/host}\n  password: ${ssm:/app/db/password}\n";
  const parameters: Record<string, string> = {
    "/app/db/host": "db.test",
    "/app/db/password": "test-password",
  };
  const config = Config.loads(yaml, {
    offline: true, // anything else that would reach the network fails the test
    resolvers: {
      ssm: (name) => {
        if (!(name in parameters)) throw new NotFoundError(`no parameter ${name}`);
        const value = parameters[name]!;
        return name.endsWith("password") ? new ResolvedValue(value, { sensitive: true }) : value;
      },
    },
  });
  assert.deepEqual(await config.get("db"), { host: "db.test", password: "test-password" });
  assert.equal(
    await config.toYaml({ redact: true }),
    "db:\n  host: db.test\n  password: '[REDACTED]'\n",
  );
});
