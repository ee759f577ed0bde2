// Tests of the Config facade (SPEC §1, §2, §9): constructors, access helpers, typed getters,
// sources, merge and schema attachment.

import assert from "node:assert/strict";
import {
  Config,
  HoloconfError,
  ParseError,
  PathNotFoundError,
  ResolverError,
  Schema,
  TypeCoercionError,
} from "../mod.ts";

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
  assert.deepEqual(issues.map((i) => i.path), ["/name"]);
  assert.match(issues[0]!.message, /must be integer/);
  // port was resolved once by get() and not again by validation.
  assert.equal(calls, 2);
  // Validation never changes what get() returns: the schema is not attached.
  assert.equal(await config.get("port"), "8001");
});
