// Tests of the overrides layer (src/overrides.ts): variable names to paths, --set texts, and
// setting values over a tree (case rules, indexes, unknown keys, reserved keys, literal text).

import assert from "node:assert/strict";
import { applyOverrides, envOverrides, givenOverrides, type Override } from "../src/overrides.ts";
import { fromPlain, type MapNode, toPlain, type TreeNode } from "../src/tree.ts";
import { HoloconfError, ParseError } from "../src/errors.ts";
import { assertNotShown } from "./_error_views.ts";

const tree = (value: Record<string, unknown>) => fromPlain(value) as MapNode;

function apply(
  base: Record<string, unknown>,
  overrides: Override[],
  options: Parameters<typeof applyOverrides>[2] = {},
): unknown {
  return toPlain(applyOverrides(tree(base), overrides, options));
}

Deno.test("envOverrides() reads only <prefix><separator> names, in name order", () => {
  const found = envOverrides(
    [
      ["APP__Z", "1"],
      ["APP__DB__PORT", "5433"],
      ["APPLE", "x"],
      ["APP", "x"],
      ["APP__", "x"],
      ["app__db__port", "x"],
      ["HOME", "/root"],
      ["PATH", "/bin"],
    ],
    { prefix: "APP" },
  );
  assert.deepEqual(found.map((o) => o.source.file), ["env APP__DB__PORT", "env APP__Z"]);
  assert.deepEqual(found[0]?.path, ["DB", "PORT"]);
  assert.deepEqual(found[0]?.value, { text: "5433" });
  assert.deepEqual(found[0]?.source, { file: "env APP__DB__PORT", line: 0, column: 0 });
});

Deno.test("envOverrides() takes another separator and names the .env file", () => {
  const [o] = envOverrides([["MY_DB_PORT", "1"]], { prefix: "MY", separator: "_", file: ".env" });
  assert.deepEqual(o?.path, ["DB", "PORT"]);
  assert.equal(o?.source.file, "env MY_DB_PORT (.env)");
});

Deno.test("envOverrides() refuses an empty key and a malformed prefix, never showing values", () => {
  assert.throws(
    () => envOverrides([["APP__DB____PORT", "s3cr3t-value"]], { prefix: "APP" }),
    (e: unknown) => {
      assert.ok(e instanceof HoloconfError);
      assert.equal(e.code, "INVALID_OVERRIDE");
      assert.match(e.message, /APP__DB____PORT has an empty key/);
      assertNotShown(e, ["s3cr3t-value"]);
      return true;
    },
  );
  for (const prefix of ["", "1APP", "A-B", "A B"]) {
    assert.throws(() => envOverrides([], { prefix }), RangeError, prefix);
  }
  assert.throws(() => envOverrides([], { prefix: "APP", separator: "" }), RangeError);
});

Deno.test("givenOverrides() reads path=value as YAML, with [n] paths", () => {
  const got = givenOverrides([
    "db.port=5433",
    "servers[1].host=b",
    "flag=true",
    "none=null",
    "quoted='5433'",
    "empty=",
    "list=[a, 1]",
    "eq=a=b",
  ]);
  assert.deepEqual(got.map((o) => o.path), [
    ["db", "port"],
    ["servers", 1, "host"],
    ["flag"],
    ["none"],
    ["quoted"],
    ["empty"],
    ["list"],
    ["eq"],
  ]);
  assert.deepEqual(got.map((o) => o.value), [
    { data: 5433 },
    { data: "b" },
    { data: true },
    { data: null },
    { data: "5433" },
    { data: "" },
    { data: ["a", 1] },
    { data: "a=b" },
  ]);
  assert.equal(got[1]?.source.file, "--set servers[1].host");
});

Deno.test("givenOverrides() takes a record of paths (origin 'override')", () => {
  const [o] = givenOverrides({ "db.port": 5433 });
  assert.deepEqual(o?.path, ["db", "port"]);
  assert.deepEqual(o?.value, { data: 5433 });
  assert.deepEqual(o?.source, { file: "override db.port", line: 0, column: 0 });
});

Deno.test("givenOverrides() refuses malformed texts without quoting the value", () => {
  const secret = "hunter2-s3cr3t";
  for (const arg of [secret, `=${secret}`, `pw=[${secret}`, `pw="${secret}`]) {
    assert.throws(() => givenOverrides([arg]), (e: unknown) => {
      assert.ok(e instanceof HoloconfError, String(e));
      assert.equal(e.code, "INVALID_OVERRIDE");
      assertNotShown(e, [secret]);
      return true;
    });
  }
  assert.throws(() => givenOverrides(["a[-1]=1"]), ParseError);
});

Deno.test("applyOverrides() replaces values and keeps the rest shared", () => {
  const base = tree({ db: { host: "h", port: 1 }, other: { x: 1 } });
  const out = applyOverrides(base, givenOverrides(["db.port=2"]), {});
  assert.deepEqual(toPlain(out), { db: { host: "h", port: 2 }, other: { x: 1 } });
  assert.equal(out.entries.get("other"), base.entries.get("other"));
  assert.deepEqual(toPlain(base), { db: { host: "h", port: 1 }, other: { x: 1 } });
});

Deno.test("applyOverrides() matches variable keys ignoring case, and indexes lists", () => {
  const env = envOverrides(
    [["APP__DB__HOST", "x"], ["APP__SERVERS__1__PORT", "9"], ["APP__camelCase", "y"]],
    { prefix: "APP" },
  );
  assert.deepEqual(
    apply({ db: { host: "h" }, servers: [{ port: 1 }, { port: 2 }], camelcase: 0 }, env),
    { db: { host: "x" }, servers: [{ port: 1 }, { port: "9" }], camelcase: "y" },
  );
});

Deno.test("applyOverrides() coerces variable text by the schema's type, else keeps a string", () => {
  const env = envOverrides([["APP__PORT", "5433"], ["APP__DEBUG", "TRUE"], ["APP__NAME", "1"]], {
    prefix: "APP",
  });
  const types: Record<string, "integer" | "boolean"> = { port: "integer", debug: "boolean" };
  const coercionTypeAt = (path: readonly (string | number)[]) => types[String(path[0])];
  assert.deepEqual(apply({ port: 1, debug: false, name: "n" }, env, { coercionTypeAt }), {
    port: 5433,
    debug: true,
    name: "1",
  });
  // Text the schema's type does not accept stays text (validation reports it).
  const bad = envOverrides([["APP__PORT", "many"]], { prefix: "APP" });
  assert.deepEqual(apply({ port: 1 }, bad, { coercionTypeAt }), { port: "many" });
});

Deno.test("applyOverrides() refuses an unknown key with a did-you-mean", () => {
  for (
    const [overrides, path, near, source] of [
      [givenOverrides(["db.prot=1"]), "db.prot", "db.port", "--set db.prot"],
      [
        envOverrides([["APP__DB__PROT", "1"]], { prefix: "APP" }),
        "db.PROT",
        "db.port",
        "env APP__DB__PROT",
      ],
      [givenOverrides({ "dc.port": 1 }), "dc", "db", "override dc.port"],
    ] as const
  ) {
    assert.throws(() => apply({ db: { port: 1 } }, [...overrides]), (e: unknown) => {
      assert.ok(e instanceof HoloconfError);
      assert.equal(e.code, "UNKNOWN_OVERRIDE_KEY");
      assert.equal(e.path, path);
      assert.equal(e.source, source);
      assert.match(e.help ?? "", new RegExp(`Did you mean '${near.replace(".", "\\.")}'\\?`));
      return true;
    });
  }
});

Deno.test("applyOverrides() adds keys with allowNew (variable keys lower-cased)", () => {
  const env = envOverrides([["APP__CACHE__TTL", "60"]], { prefix: "APP" });
  assert.deepEqual(apply({ db: {} }, env, { allowNew: true }), {
    db: {},
    cache: { ttl: "60" },
  });
  assert.deepEqual(apply({ db: null }, givenOverrides(["db.port=1"]), { allowNew: true }), {
    db: { port: 1 },
  });
  assert.deepEqual(apply({ db: "???" }, givenOverrides(["db[0]=1"]), { allowNew: true }), {
    db: [1],
  });
});

Deno.test("applyOverrides() never grows a list past its end, whatever the index", () => {
  for (const allowNew of [false, true]) {
    assert.throws(
      () => apply({ a: [1, 2] }, givenOverrides(["a[99999999]=x"]), { allowNew }),
      { code: "UNKNOWN_OVERRIDE_KEY", path: "a[99999999]" },
    );
  }
  assert.throws(() => apply({ a: [1, 2] }, givenOverrides(["a[2]=3"])), {
    code: "UNKNOWN_OVERRIDE_KEY",
  });
  assert.deepEqual(apply({ a: [1, 2] }, givenOverrides(["a[2]=3"]), { allowNew: true }), {
    a: [1, 2, 3],
  });
  const env = envOverrides([["APP__A__99999999", "x"]], { prefix: "APP" });
  assert.throws(() => apply({ a: [1] }, env, { allowNew: true }), { code: "UNKNOWN_OVERRIDE_KEY" });
});

Deno.test("applyOverrides() refuses __proto__, constructor and prototype in paths", () => {
  const cases: Override[][] = [
    envOverrides([["APP__CONSTRUCTOR__X", "1"]], { prefix: "APP" }),
    givenOverrides(["__proto__.polluted=1"]),
    givenOverrides({ "a.prototype": 1 }),
  ];
  for (const overrides of cases) {
    for (const allowNew of [false, true]) {
      assert.throws(() => apply({ a: {}, constructor: { x: 0 } }, overrides, { allowNew }), {
        code: "INVALID_OVERRIDE",
      });
    }
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("applyOverrides() refuses a key ambiguous ignoring case, and keys under a value", () => {
  const env = envOverrides([["APP__PORT", "1"]], { prefix: "APP" });
  assert.throws(() => apply({ port: 1, Port: 2 }, env), { code: "INVALID_OVERRIDE" });
  assert.throws(() => apply({ a: 1 }, givenOverrides(["a.b=1"]), { allowNew: true }), {
    code: "INVALID_OVERRIDE",
  });
  assert.throws(() => apply({ a: 1 }, givenOverrides(["a.b=1"])), {
    code: "UNKNOWN_OVERRIDE_KEY",
  });
  assert.throws(() => apply({ a: [1] }, givenOverrides(["a.b=1"])), { code: "INVALID_OVERRIDE" });
  assert.throws(() => apply({ a: { b: 1 } }, givenOverrides(["a[0]=1"])), {
    code: "INVALID_OVERRIDE",
  });
});

Deno.test("applyOverrides() keeps ${...} in values literal unless interpolate", () => {
  const overrides = [
    ...envOverrides([["APP__A", "${env:SECRET}"]], { prefix: "APP" }),
    ...givenOverrides(["b=x-${env:SECRET}", "c='\\${kept}'"]),
  ];
  const base = { a: 0, b: 0, c: 0 };
  assert.deepEqual(apply(base, overrides), {
    a: "\\${env:SECRET}",
    b: "x-\\${env:SECRET}",
    c: "\\\\${kept}",
  });
  assert.deepEqual(apply(base, overrides, { interpolate: true }), {
    a: "${env:SECRET}",
    b: "x-${env:SECRET}",
    c: "\\${kept}",
  });
});

Deno.test("applyOverrides() gives every node of a value the override's source", () => {
  const out = applyOverrides(tree({ a: 1 }), givenOverrides({ a: { b: [1] } }), {});
  const a = out.entries.get("a");
  assert.equal(a?.kind, "map");
  const b = a?.kind === "map" ? a.entries.get("b") : undefined;
  const item = b?.kind === "seq" ? b.items[0] : undefined;
  for (const node of [a, b, item]) {
    assert.deepEqual(node?.source, { file: "override a", line: 0, column: 0 });
  }
});

/** The sensitive marks of a tree's scalars, by path. */
function sensitiveLeaves(node: TreeNode, at = ""): string[] {
  if (node.kind === "scalar") return node.sensitive ? [at] : [];
  const children: [string, TreeNode][] = node.kind === "map"
    ? [...node.entries].map(([k, v]) => [at === "" ? k : `${at}.${k}`, v])
    : node.items.map((v, i) => [`${at}[${i}]`, v]);
  return children.flatMap(([p, v]) => sensitiveLeaves(v, p));
}

Deno.test("applyOverrides() marks a value from the environment sensitive, wherever it goes", () => {
  const base = { db: { host: "h", password: "${env:PW,sensitive=true}" }, port: 1 };
  const env = envOverrides([["APP__DB__PASSWORD", "x"], ["APP__PORT", "2"]], { prefix: "APP" });
  const dotenv = envOverrides([["APP__DB__HOST", "y"]], { prefix: "APP", file: ".env" });
  const out = applyOverrides(tree(base), [...dotenv, ...env], {});
  assert.deepEqual(sensitiveLeaves(out), ["db.host", "db.password", "port"]);
  // The source still says where the value came from.
  const host = out.entries.get("db");
  assert.equal(
    host?.kind === "map" ? host.entries.get("host")?.source?.file : "",
    "env APP__DB__HOST (.env)",
  );
});

Deno.test("applyOverrides() marks a given value sensitive where it replaces a non-literal", () => {
  const base = {
    literal: "a",
    interpolated: "${env:PW}",
    mandatory: "???",
    deep: { user: "u", pw: "${vault:db}" },
    list: [1, "x-${env:X}"],
  };
  const given = givenOverrides([
    "literal=1",
    "interpolated=2",
    "mandatory=3",
    "deep={user: v, pw: w}",
    "list[0]=4",
  ]);
  const out = applyOverrides(tree(base), given, {});
  // A replaced mapping that holds an interpolation makes the whole new mapping sensitive; a list
  // item replaces the item only (here a literal).
  assert.deepEqual(sensitiveLeaves(out), ["interpolated", "mandatory", "deep.user", "deep.pw"]);
  // A value already sensitive (from the environment) stays so under a later --set; a new key
  // replaces nothing.
  const layered = applyOverrides(tree({ a: "plain" }), [
    ...envOverrides([["APP__A", "from-env"]], { prefix: "APP" }),
    ...givenOverrides({ a: "given", b: "new" }),
  ], { allowNew: true });
  assert.deepEqual(sensitiveLeaves(layered), ["a"]);
});
