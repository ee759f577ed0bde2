// Schema-driven coercion (ADR-012, SPEC §8) and schema defaults, seen through Config: a schema
// attached with setSchema() turns resolved strings into integers / numbers / booleans, and
// supplies defaults for missing paths, in get, references, exports and resolveAll.

import assert from "node:assert/strict";
import { Config, PathNotFoundError, Schema, TypeCoercionError } from "../../mod.ts";

const VAR = "HC_COERCION_TEST_V";

/** Resolves `${env:VAR}` (set to `envValue`) at path `v` under the schema `{ properties: { v } }`. */
async function coerced(
  envValue: string,
  schemaForV: Record<string, unknown>,
  options: { sensitive?: boolean } = {},
): Promise<unknown> {
  Deno.env.set(VAR, envValue);
  try {
    const suffix = options.sensitive ? ",sensitive=true" : "";
    const config = Config.loads(`v: \${env:${VAR}${suffix}}\n`);
    config.setSchema(Schema.fromObject({ type: "object", properties: { v: schemaForV } }));
    return await config.get("v");
  } finally {
    Deno.env.delete(VAR);
  }
}

/** Expects a TypeCoercionError for path `v` and returns it. */
async function coercionFailure(
  envValue: string,
  schemaForV: Record<string, unknown>,
  options: { sensitive?: boolean } = {},
): Promise<TypeCoercionError> {
  let caught: unknown;
  try {
    const v = await coerced(envValue, schemaForV, options);
    assert.fail(`expected a TypeCoercionError for ${JSON.stringify(envValue)}, got ${v}`);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof TypeCoercionError, `not a TypeCoercionError: ${caught}`);
  return caught;
}

// --- integers: strict parse --------------------------------------------------------------

Deno.test("an interpolated string becomes an integer under type: integer", async () => {
  assert.equal(await coerced("8080", { type: "integer" }), 8080);
  assert.equal(await coerced("-42", { type: "integer" }), -42);
  assert.equal(await coerced("+7", { type: "integer" }), 7);
  assert.equal(await coerced("0", { type: "integer" }), 0);
  assert.equal(await coerced("007", { type: "integer" }), 7);
});

Deno.test("integer coercion is strict: decimals, spaces, hex, exponents, junk fail", async () => {
  for (const text of ["1.5", "1.0", " 42", "42 ", "0x10", "1e3", "", "12abc", "1_000", "abc"]) {
    const e = await coercionFailure(text, { type: "integer" });
    assert.equal(e.code, "TYPE_COERCION");
    assert.equal(e.path, "v");
    assert.equal(e.expected, "integer");
    assert.match(e.message, /^Type coercion failed\n {2}Path: v\n/);
    assert.ok(e.message.includes(`Got: string (${JSON.stringify(text)})`), e.message);
    assert.ok(e.message.includes("integer"), e.message);
  }
});

Deno.test("integer coercion rejects integers beyond the safe range", async () => {
  await coercionFailure("9007199254740993", { type: "integer" });
  assert.equal(await coerced("9007199254740991", { type: "integer" }), 9007199254740991);
});

// --- numbers: floats ---------------------------------------------------------------------

Deno.test("an interpolated string becomes a float under type: number", async () => {
  assert.equal(await coerced("1.5", { type: "number" }), 1.5);
  assert.equal(await coerced("42", { type: "number" }), 42);
  assert.equal(await coerced("-0.25", { type: "number" }), -0.25);
  assert.equal(await coerced("1e3", { type: "number" }), 1000);
  assert.equal(await coerced(".5", { type: "number" }), 0.5);
});

Deno.test("number coercion rejects non-numeric text, inf and NaN", async () => {
  for (const text of ["abc", "", "inf", "NaN", "Infinity", "0x10", "1,5", " 1.5"]) {
    const e = await coercionFailure(text, { type: "number" });
    assert.equal(e.expected, "number");
    assert.equal(e.path, "v");
  }
});

Deno.test("[integer, null] coerces as integer and [integer, number] as number", async () => {
  assert.equal(await coerced("12", { type: ["integer", "null"] }), 12);
  assert.equal(await coerced("1.25", { type: ["integer", "number"] }), 1.25);
});

// --- booleans: only true / false ---------------------------------------------------------

Deno.test("an interpolated string becomes a boolean only for true/false in any case", async () => {
  assert.equal(await coerced("true", { type: "boolean" }), true);
  assert.equal(await coerced("TRUE", { type: "boolean" }), true);
  assert.equal(await coerced("False", { type: "boolean" }), false);
  assert.equal(await coerced("fAlSe", { type: "boolean" }), false);
});

Deno.test("boolean coercion rejects 1/0/yes/no/on/off and empty text", async () => {
  for (const text of ["1", "0", "yes", "no", "on", "off", "", " true", "t"]) {
    const e = await coercionFailure(text, { type: "boolean" });
    assert.equal(e.expected, "boolean");
  }
});

// --- what is never coerced ---------------------------------------------------------------

Deno.test("strings are never coerced to arrays or objects", async () => {
  assert.equal(await coerced("[1, 2]", { type: "array" }), "[1, 2]");
  assert.equal(await coerced('{"a": 1}', { type: "object" }), '{"a": 1}');
  assert.equal(await coerced("a,b", { type: "array", items: { type: "string" } }), "a,b");
});

Deno.test("type: string never coerces, also for numeric-looking text", async () => {
  assert.equal(await coerced("8080", { type: "string" }), "8080");
  assert.equal(await coerced("true", { type: "string" }), "true");
  assert.equal(await coerced("8080", { type: ["string", "integer"] }), "8080");
  assert.equal(await coerced("8080", {}), "8080");
});

Deno.test("a resolved non-string value is not converted by type: string", async () => {
  const config = Config.loads("port: 8080\nref: ${port}\njson: ${json:[1]}\n");
  config.setSchema(Schema.fromYaml(`
properties:
  ref: { type: string }
  json: { type: string }
`));
  assert.equal(await config.get("ref"), 8080);
  assert.deepEqual(await config.get("json"), [1]);
});

Deno.test("literal YAML values are not coerced", async () => {
  const config = Config.loads('port: "8080"\nflag: "true"\nratio: "1.5"\nn: 1\n');
  config.setSchema(Schema.fromYaml(`
properties:
  port: { type: integer }
  flag: { type: boolean }
  ratio: { type: number }
  n: { type: boolean }
`));
  assert.equal(await config.get("port"), "8080");
  assert.equal(await config.get("flag"), "true");
  assert.equal(await config.get("ratio"), "1.5");
  assert.equal(await config.get("n"), 1);
  // ...so validation reports them.
  const issues = await config.validateCollect();
  assert.deepEqual(issues.map((i) => i.pointer).sort(), ["/flag", "/n", "/port", "/ratio"]);
});

Deno.test("coercion applies to interpolated values in nested objects and array items", async () => {
  Deno.env.set(VAR, "5");
  try {
    const config = Config.loads(
      `db:\n  port: \${env:${VAR}}\n  url: "h:\${env:${VAR}}"\nids: ["\${env:${VAR}}", "\${env:${VAR}}"]\n`,
    );
    config.setSchema(Schema.fromYaml(`
properties:
  db:
    properties:
      port: { type: integer }
      url: { type: string }
  ids: { type: array, items: { type: number } }
`));
    assert.equal(await config.get("db.port"), 5);
    assert.equal(await config.get("db.url"), "h:5");
    assert.deepEqual(await config.get("ids"), [5, 5]);
    assert.deepEqual(await config.get("db"), { port: 5, url: "h:5" });
    assert.deepEqual(await config.toObject({ resolve: true }), {
      db: { port: 5, url: "h:5" },
      ids: [5, 5],
    });
    assert.deepEqual(await config.resolveAll(), { db: { port: 5, url: "h:5" }, ids: [5, 5] });
  } finally {
    Deno.env.delete(VAR);
  }
});

Deno.test("a concatenation and a default value are coerced like any resolved string", async () => {
  const config = Config.loads(
    "a: 4\nb: ${a}2\nport: ${env:HC_COERCION_TEST_UNSET,default=8080}\n" +
      "on: ${env:HC_COERCION_TEST_UNSET,default=TRUE}\n",
  );
  config.setSchema(Schema.fromYaml(`
properties:
  b: { type: integer }
  port: { type: integer }
  "on": { type: boolean }
`));
  assert.equal(await config.get("b"), 42);
  assert.equal(await config.get("port"), 8080);
  assert.equal(await config.get("on"), true);
});

// --- failures ----------------------------------------------------------------------------

Deno.test("a coercion failure of a sensitive value is redacted", async () => {
  const e = await coercionFailure("hunter2", { type: "integer" }, { sensitive: true });
  assert.equal(e.path, "v");
  assert.equal(e.expected, "integer");
  assert.ok(!e.message.includes("hunter2"), e.message);
  assert.match(e.message, /Got: string \("?\[REDACTED\]"?\)/);
});

Deno.test("a coercion failure names the full nested path", async () => {
  Deno.env.set(VAR, "many");
  try {
    const config = Config.loads(`pool:\n  sizes: [1, "\${env:${VAR}}"]\n`);
    config.setSchema(Schema.fromYaml(`
properties:
  pool: { properties: { sizes: { items: { type: integer } } } }
`));
    await assert.rejects(config.get("pool"), (e: unknown) => {
      assert.ok(e instanceof TypeCoercionError);
      assert.equal(e.path, "pool.sizes[1]");
      assert.ok(e.message.includes('Got: string ("many")'));
      return true;
    });
  } finally {
    Deno.env.delete(VAR);
  }
});

Deno.test("validateCollect reports a coercion failure as a validation issue", async () => {
  Deno.env.set(VAR, "abc");
  try {
    const config = Config.loads(`port: \${env:${VAR}}\n`);
    config.setSchema(Schema.fromYaml("properties:\n  port: { type: integer }\n"));
    const issues = await config.validateCollect();
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.pointer, "/port");
    assert.match(issues[0]!.message, /integer/);
    assert.ok(issues[0]!.message.includes('"abc"'), issues[0]!.message);
  } finally {
    Deno.env.delete(VAR);
  }
});

Deno.test({
  name: "validateCollect lists a coercion failure alongside the other issues",
  fn: async () => {
    Deno.env.set(VAR, "abc");
    try {
      const config = Config.loads(
        `port: \${env:${VAR}}\nflag: \${env:${VAR}}\nname: 5\n`,
      );
      config.setSchema(Schema.fromYaml(`
type: object
required: [host]
properties:
  port: { type: integer }
  flag: { type: boolean }
  name: { type: string }
`));
      const issues = await config.validateCollect();
      const paths = issues.map((i) => i.pointer).sort();
      assert.deepEqual(paths, ["", "/flag", "/name", "/port"]);
    } finally {
      Deno.env.delete(VAR);
    }
  },
});

// --- schema defaults ---------------------------------------------------------------------

const DEFAULTS_SCHEMA = `
type: object
properties:
  port: { type: integer, default: 8080 }
  host: { type: string, default: localhost }
  database:
    type: object
    properties:
      name: { type: string }
      pool: { type: integer, default: 10 }
  logging:
    type: object
    default: { level: info }
`;

function defaultsConfig(yaml: string): Config {
  const config = Config.loads(yaml);
  config.setSchema(Schema.fromYaml(DEFAULTS_SCHEMA));
  return config;
}

Deno.test("get() of a missing path returns the schema default", async () => {
  const config = defaultsConfig("database:\n  name: app\n");
  assert.equal(await config.get("port"), 8080);
  assert.equal(await config.get("database.pool"), 10);
  assert.deepEqual(await config.get("logging"), { level: "info" });
  await assert.rejects(config.get("database.user"), PathNotFoundError);
});

Deno.test("get() of a null value where null is not allowed returns the default", async () => {
  const config = defaultsConfig("host: null\nport: 1\n");
  assert.equal(await config.get("host"), "localhost");
  assert.equal(await config.get("port"), 1);
});

Deno.test("a reference to a missing path falls back to the schema default", async () => {
  const config = defaultsConfig("url: http://${host}:${port}/\npool: ${database.pool}\n");
  assert.equal(await config.get("url"), "http://localhost:8080/");
  assert.equal(await config.get("pool"), 10);
});

Deno.test({
  name: "get() of a mapping fills its missing children with schema defaults",
  fn: async () => {
    const config = defaultsConfig("database:\n  name: app\n");
    assert.deepEqual(await config.get("database"), { name: "app", pool: 10 });
    assert.deepEqual(await config.get(""), {
      database: { name: "app", pool: 10 },
      port: 8080,
      host: "localhost",
      logging: { level: "info" },
    });
  },
});

Deno.test({
  name: "toObject({ resolve: true }), toYaml and toJson include schema defaults",
  fn: async () => {
    const config = defaultsConfig("host: null\ndatabase:\n  name: app\n");
    const expected = {
      host: "localhost",
      database: { name: "app", pool: 10 },
      port: 8080,
      logging: { level: "info" },
    };
    assert.deepEqual(await config.toObject({ resolve: true }), expected);
    assert.deepEqual(JSON.parse(await config.toJson({ resolve: true })), expected);
    assert.ok((await config.toYaml({ resolve: true })).includes("pool: 10"));
    // The raw export stays raw.
    assert.deepEqual(await config.toObject(), { host: null, database: { name: "app" } });
  },
});

Deno.test({
  name: "resolveAll() returns the config with schema defaults",
  fn: async () => {
    const config = defaultsConfig("database:\n  name: app\n");
    assert.deepEqual(await config.resolveAll(), {
      database: { name: "app", pool: 10 },
      port: 8080,
      host: "localhost",
      logging: { level: "info" },
    });
  },
});

Deno.test({
  name: "validate() sees schema defaults for missing required properties",
  fn: async () => {
    const config = Config.loads("name: app\n");
    const schema = Schema.fromYaml(`
type: object
required: [name, port]
properties:
  name: { type: string }
  port: { type: integer, default: 8080 }
`);
    assert.deepEqual(await config.validateCollect(schema), []);
    await config.validate(schema);
  },
});
