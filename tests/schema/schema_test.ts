import assert from "node:assert/strict";
import {
  HoloconfError,
  NotFoundError,
  ParseError,
  type ValidationIssue,
} from "../../src/errors.ts";
import { Schema } from "../../src/schema/schema.ts";
import { Config } from "../../mod.ts";
import { CAN_MAKE_FIFO, HAS_DEV_ZERO, makeFifo } from "../_special_files.ts";

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";

/** Where and what, for comparing many issues at once. */
function brief(issues: ValidationIssue[]): { pointer: string; message: string }[] {
  return issues.map(({ pointer, message }) => ({ pointer, message }));
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "holoconf_schema_" });
}

// --- loading -----------------------------------------------------------------------------

Deno.test("Schema.load() reads a YAML schema file", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/schema.yaml`;
    await Deno.writeTextFile(path, "type: object\nproperties:\n  port: { type: integer }\n");
    const schema = Schema.load(path);
    assert.deepEqual(schema.toObject(), {
      type: "object",
      properties: { port: { type: "integer" } },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Schema.load() parses .json files as strict JSON", async () => {
  const dir = await tempDir();
  try {
    const good = `${dir}/schema.json`;
    await Deno.writeTextFile(good, '{"type": "object", "required": ["a"]}');
    assert.deepEqual(Schema.load(good).toObject(), { type: "object", required: ["a"] });
    // YAML syntax in a .json file is rejected by the JSON parser.
    const yamlInJson = `${dir}/bad.json`;
    await Deno.writeTextFile(yamlInJson, "type: object\n");
    assert.throws(() => Schema.load(yamlInJson), (e: unknown) => {
      assert.ok(e instanceof ParseError);
      assert.match(e.message, /^Invalid JSON schema: /);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Schema.load() of a missing file is NotFoundError 'File not found'", () => {
  const path = "/nonexistent/holoconf/schema.yaml";
  assert.throws(() => Schema.load(path), (e: unknown) => {
    assert.ok(e instanceof NotFoundError);
    assert.equal(e.resource, path);
    assert.match(e.message, /^File not found: \/nonexistent\/holoconf\/schema\.yaml/);
    return true;
  });
});

Deno.test({
  name: "Schema.load() refuses a device or FIFO instead of reading forever",
  ignore: !HAS_DEV_ZERO || !CAN_MAKE_FIFO,
  fn() {
    assert.throws(() => Schema.load("/dev/zero"), { name: "ParseError", code: "FILE_NOT_REGULAR" });
    const dir = Deno.makeTempDirSync();
    try {
      assert.ok(makeFifo(`${dir}/schema.yaml`));
      assert.throws(() => Schema.load(`${dir}/schema.yaml`), { code: "FILE_NOT_REGULAR" });
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("Schema.fromYaml() reports YAML syntax errors as ParseError", () => {
  assert.throws(() => Schema.fromYaml("type: [object\n"), (e: unknown) => {
    assert.ok(e instanceof ParseError);
    assert.match(e.message, /^Invalid YAML schema: /);
    return true;
  });
});

Deno.test("an empty YAML document is the empty (accept-all) schema", async () => {
  const schema = Schema.fromYaml("# nothing\n");
  assert.deepEqual(schema.toObject(), {});
  assert.deepEqual(await schema.validate({ anything: [1, "x"] }), []);
});

Deno.test("invalid schemas are rejected with 'Invalid JSON Schema' naming the place", () => {
  const cases: [unknown, RegExp][] = [
    [42, /^Invalid JSON Schema: a schema must be an object or a boolean/],
    [{ type: "int" }, /^Invalid JSON Schema: \/type: "int" is not a valid type/],
    [
      { properties: { port: { type: ["integer", "whole"] } } },
      /\/properties\/port\/type: "whole" is not a valid type/,
    ],
    [{ properties: [] }, /\/properties: properties must be an object/],
    [{ required: "name" }, /\/required: required must be an array of strings/],
    [{ minLength: -1 }, /\/minLength: minLength must be a non-negative integer/],
    [{ maximum: "10" }, /\/maximum: maximum must be a number/],
    [{ pattern: "([a-z" }, /\/pattern: invalid regular expression/],
    [{ enum: "a" }, /\/enum: enum must be an array/],
    [{ anyOf: [] }, /\/anyOf: anyOf must be a non-empty array of schemas/],
    [{ items: 3 }, /\/items: a schema must be an object or a boolean/],
    [{ $ref: "#/$defs/missing" }, /\$ref '#\/\$defs\/missing' does not resolve/],
    [{ $ref: "./other.yaml" }, /points outside this document/],
  ];
  for (const [doc, pattern] of cases) {
    assert.throws(
      () => Schema.fromObject(doc as Record<string, unknown>),
      (e: unknown) => {
        assert.ok(e instanceof ParseError, JSON.stringify(doc));
        assert.match(e.message, pattern);
        return true;
      },
    );
  }
});

Deno.test("Schema.fromObject() copies its input", () => {
  const doc = { properties: { a: { type: "string", default: "x" } } };
  const schema = Schema.fromObject(doc);
  doc.properties.a.default = "changed";
  assert.deepEqual(schema.defaultAt(["a"]), { found: true, value: "x" });
  const out = schema.toObject() as { properties: { a: { default: string } } };
  out.properties.a.default = "mutated";
  assert.deepEqual(schema.defaultAt(["a"]), { found: true, value: "x" });
});

// --- validation --------------------------------------------------------------------------

Deno.test("validate() collects every issue with JSON pointers and ajv-style messages", async () => {
  const schema = Schema.fromYaml(`
type: object
required: [name, database]
additionalProperties: false
properties:
  name: { type: string, minLength: 2 }
  port: { type: integer, minimum: 1, maximum: 65535 }
  level: { enum: [debug, info] }
  version: { type: string, pattern: "^\\\\d+\\\\.\\\\d+$" }
  servers: { type: array, items: { type: string }, minItems: 1 }
  database:
    type: object
    required: [host]
    properties:
      host: { type: string }
      port: { type: integer }
`);
  const issues = await schema.validate({
    port: 70000,
    level: "trace",
    version: "v1",
    servers: ["a", 123],
    database: { port: "not-a-number" },
    extra: true,
  });
  assert.deepEqual(brief(issues), [
    { pointer: "", message: "must have required property 'name'" },
    { pointer: "/port", message: "must be <= 65535" },
    { pointer: "/level", message: 'must be equal to one of the allowed values: "debug", "info"' },
    { pointer: "/version", message: 'must match pattern "^\\d+\\.\\d+$"' },
    { pointer: "/servers/1", message: "must be string" },
    { pointer: "/database", message: "must have required property 'host'" },
    { pointer: "/database/port", message: "must be integer" },
    { pointer: "", message: "must NOT have additional properties ('extra')" },
  ]);
});

Deno.test("validate() issues are data: pointer, config path, kind, keyword and expected type", async () => {
  const schema = Schema.fromYaml(`
type: object
properties:
  servers:
    type: array
    items:
      type: object
      required: [host]
      properties: { port: { type: integer, maximum: 10 } }
  "a.b": { type: object, properties: { "0": { type: string } } }
  tags: { enum: [x] }
`);
  const issues = await schema.validate({
    servers: [{ host: "h", port: "80" }, { port: 11 }],
    "a.b": { "0": 1 },
    tags: "y",
  });
  assert.deepEqual(issues, [
    {
      pointer: "/servers/0/port",
      path: "servers[0].port",
      message: "must be integer",
      kind: "schema",
      code: "type",
      expected: "integer",
    },
    {
      pointer: "/servers/1",
      path: "servers[1]",
      message: "must have required property 'host'",
      kind: "schema",
      code: "required",
      expected: "object",
    },
    {
      pointer: "/servers/1/port",
      path: "servers[1].port",
      message: "must be <= 10",
      kind: "schema",
      code: "maximum",
      expected: "integer",
    },
    // A key that looks like an index is a key: `a.b` stays one segment of the pointer.
    {
      pointer: "/a.b/0",
      path: "a.b.0",
      message: "must be string",
      kind: "schema",
      code: "type",
      expected: "string",
    },
    // No `type` beside the failing keyword: nothing expected.
    {
      pointer: "/tags",
      path: "tags",
      message: 'must be equal to one of the allowed values: "x"',
      kind: "schema",
      code: "enum",
    },
  ]);
});

Deno.test("a boolean type issue names what a boolean is", async () => {
  const schema = Schema.fromObject({
    properties: { debug: { type: "boolean" }, maybe: { type: ["boolean", "null"] } },
  });
  assert.deepEqual(brief(await schema.validate({ debug: "yes", maybe: "on" })), [
    { pointer: "/debug", message: "must be boolean (true or false, in any case)" },
    { pointer: "/maybe", message: "must be boolean,null (true or false, in any case)" },
  ]);
});

Deno.test("validate() leaves unknown values unchecked, and combinators that contain them", async () => {
  const schema = Schema.fromObject({
    type: "object",
    required: ["a", "b"],
    properties: {
      a: { type: "integer" },
      b: { anyOf: [{ type: "object", required: ["x"] }, { type: "string" }] },
      c: { type: "object", properties: { d: { type: "integer" } } },
      e: { type: "integer" },
    },
  });
  const value = { a: null, b: { y: null }, c: { d: "no" }, e: "no" };
  assert.deepEqual(
    brief(await schema.validate(value, { unknown: ["/a", "/b/y", "/c"] })).map((i) => i.pointer),
    ["/e"],
  );
  // Without the option every one of them is reported.
  const all = (await schema.validate(value)).map((i) => i.pointer);
  for (const p of ["/a", "/b", "/c/d", "/e"]) assert.ok(all.includes(p), `${p} in ${all}`);
});

Deno.test("typesAt() follows $ref and allOf and keeps the types every schema allows", () => {
  const schema = Schema.fromYaml(`
$defs:
  port: { type: [integer, string] }
properties:
  port: { $ref: "#/$defs/port", allOf: [{ type: integer }] }
  list: { type: array, items: { type: [string, "null"] } }
`);
  assert.deepEqual(schema.typesAt(["port"]), ["integer"]);
  assert.deepEqual(schema.typesAt(["list", 3]), ["string", "null"]);
  assert.deepEqual(schema.typesAt(["nope"]), []);
});

Deno.test("validate() returns [] for a valid config and allows extra keys by default", async () => {
  const schema = Schema.fromYaml(`
type: object
properties:
  name: { type: string }
  port: { type: integer }
`);
  assert.deepEqual(await schema.validate({ name: "app", port: 8080, extra: "allowed" }), []);
});

Deno.test("validation messages for more keywords", async () => {
  const schema = Schema.fromObject({
    type: "object",
    properties: {
      a: { type: "number", exclusiveMinimum: 0 },
      b: { type: "string", maxLength: 3 },
      c: { type: ["string", "null"] },
      d: { type: "array", uniqueItems: true, maxItems: 2 },
      e: { anyOf: [{ type: "integer" }, { type: "boolean" }] },
      f: { not: { type: "string" } },
      g: { const: "x" },
      h: { type: "integer", multipleOf: 5 },
      i: { type: "object", propertyNames: { pattern: "^[a-z]+$" } },
      j: false,
    },
    dependentRequired: { user: ["password"] },
  });
  const issues = await schema.validate({
    a: 0,
    b: "long",
    c: 1,
    d: [1, 1, 2],
    e: "s",
    f: "s",
    g: "y",
    h: 7,
    i: { BAD: 1 },
    j: 1,
    user: "me",
  });
  const byPath = new Map<string, string[]>();
  for (const i of issues) byPath.set(i.pointer, [...(byPath.get(i.pointer) ?? []), i.message]);
  assert.deepEqual(byPath.get("/a"), ["must be > 0"]);
  assert.deepEqual(byPath.get("/b"), ["must NOT have more than 3 characters"]);
  assert.deepEqual(byPath.get("/c"), ["must be string,null"]);
  assert.ok(byPath.get("/d")!.includes("must NOT have more than 2 items"));
  assert.ok(byPath.get("/d")!.some((m) => m.startsWith("must NOT have duplicate items")));
  assert.ok(byPath.get("/e")!.includes("must match a schema in anyOf"));
  assert.ok(byPath.get("/e")!.includes("must be integer"));
  assert.deepEqual(byPath.get("/f"), ["must NOT be valid"]);
  assert.deepEqual(byPath.get("/g"), ['must be equal to constant "x"']);
  assert.deepEqual(byPath.get("/h"), ["must be multiple of 5"]);
  assert.deepEqual(byPath.get("/i"), ["property name 'BAD' is invalid"]);
  assert.deepEqual(byPath.get("/j"), ["boolean schema is false"]);
  assert.deepEqual(byPath.get(""), [
    "must have property 'password' when property 'user' is present",
  ]);
});

Deno.test("issue paths escape '/' and '~' in keys as JSON pointers", async () => {
  const schema = Schema.fromObject({
    properties: {
      "a/b": { type: "integer" },
      "c~d": { type: "integer" },
      "e f": { type: "integer" },
    },
  });
  const issues = await schema.validate({ "a/b": "x", "c~d": "x", "e f": "x" });
  assert.deepEqual(issues.map((i) => i.pointer), ["/a~1b", "/c~0d", "/e f"]);
});

Deno.test("2020-12 (the default) supports $defs, $ref and prefixItems", async () => {
  const schema = Schema.fromYaml(`
type: object
properties:
  db: { $ref: "#/$defs/db" }
  pair:
    type: array
    prefixItems: [{ type: string }, { type: integer }]
    items: false
$defs:
  db:
    type: object
    required: [host]
    properties:
      host: { type: string }
`);
  assert.equal(schema.draft, "2020-12");
  assert.deepEqual(await schema.validate({ db: { host: "h" }, pair: ["a", 1] }), []);
  assert.deepEqual(brief(await schema.validate({ db: {}, pair: ["a", "b", 3] })), [
    { pointer: "/db", message: "must have required property 'host'" },
    { pointer: "/pair/1", message: "must be integer" },
    { pointer: "/pair", message: "must NOT have more than 2 items" },
  ]);
});

Deno.test("draft-07 supports definitions, tuple items and additionalItems", async () => {
  const schema = Schema.fromObject({
    $schema: DRAFT_07,
    definitions: { port: { type: "integer", maximum: 65535 } },
    properties: {
      port: { $ref: "#/definitions/port" },
      pair: {
        type: "array",
        items: [{ type: "string" }, { type: "integer" }],
        additionalItems: false,
      },
    },
  });
  assert.equal(schema.draft, "draft-07");
  assert.deepEqual(await schema.validate({ port: 80, pair: ["a", 1] }), []);
  assert.deepEqual(brief(await schema.validate({ port: 70000, pair: ["a", "b", 3] })), [
    { pointer: "/port", message: "must be <= 65535" },
    { pointer: "/pair/1", message: "must be integer" },
    { pointer: "/pair", message: "must NOT have more than 2 items" },
  ]);
});

Deno.test("format is asserted in draft-07 but only an annotation in 2020-12", async () => {
  const modern = Schema.fromObject({ properties: { mail: { type: "string", format: "email" } } });
  assert.deepEqual(await modern.validate({ mail: "not-an-email" }), []);
  const old = Schema.fromObject({
    $schema: DRAFT_07,
    properties: { mail: { type: "string", format: "email" } },
  });
  assert.deepEqual(brief(await old.validate({ mail: "not-an-email" })), [
    { pointer: "/mail", message: 'must match format "email"' },
  ]);
});

Deno.test("validateSync() with isWildcard lets placeholders match any type", async () => {
  const schema = Schema.fromObject({
    type: "object",
    required: ["host"],
    properties: {
      host: { type: "string" },
      port: { type: "integer", maximum: 10 },
      mode: { enum: ["a", "b"] },
      choice: { oneOf: [{ type: "integer" }, { type: "boolean" }] },
      list: { type: "array", items: { type: "integer" } },
    },
  });
  await schema.ready();
  const isWildcard = (v: unknown) => typeof v === "string" && v.includes("${");
  const value = {
    port: "${env:PORT}",
    mode: "${env:MODE}",
    choice: "${env:C}",
    list: [1, "${env:X}", "bad"],
  };
  assert.deepEqual(brief(schema.validateSync(value, { isWildcard })), [
    { pointer: "", message: "must have required property 'host'" },
    { pointer: "/list/2", message: "must be integer" },
  ]);
  // Without the option, placeholders are just strings.
  assert.ok(schema.validateSync(value).some((i) => i.pointer === "/port"));
});

Deno.test("validate() accepts bytes (validated as base64 text) and undefined members", async () => {
  const schema = Schema.fromObject({
    properties: { blob: { type: "string" }, gone: { type: "integer" } },
  });
  assert.deepEqual(await schema.validate({ blob: new Uint8Array([1, 2]), gone: undefined }), []);
});

Deno.test("validateSync() before the validator is loaded throws SCHEMA_NOT_READY", async () => {
  // A fresh process: nothing has loaded the validator module there.
  const script = `
    import { Schema } from ${JSON.stringify(import.meta.resolve("../../src/schema/schema.ts"))};
    const schema = Schema.fromObject({ type: "integer" });
    const out = [];
    try { schema.validateSync(1); out.push("no error"); } catch (e) { out.push(e.code, e.message); }
    await schema.ready();
    out.push(JSON.stringify(schema.validateSync("x")));
    console.log(JSON.stringify(out));
  `;
  const dir = await tempDir();
  try {
    const file = `${dir}/probe.ts`;
    await Deno.writeTextFile(file, script);
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const cmd = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", "--config", config, file],
      stdout: "piped",
      stderr: "piped",
    });
    const { code, stdout, stderr } = await cmd.output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const [errCode, message, after] = JSON.parse(new TextDecoder().decode(stdout));
    assert.equal(errCode, "SCHEMA_NOT_READY");
    assert.match(message, /JSON Schema validator is not loaded yet/);
    assert.match(message, /await schema\.ready\(\)/);
    assert.deepEqual(brief(JSON.parse(after)), [{ pointer: "", message: "must be integer" }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ready() makes validateSync() available", async () => {
  const schema = Schema.fromObject({ type: "object", required: ["a"] });
  await schema.ready();
  assert.equal(schema.isReady, true);
  assert.deepEqual(brief(schema.validateSync({})), [
    { pointer: "", message: "must have required property 'a'" },
  ]);
});

// --- lookups -----------------------------------------------------------------------------

const LOOKUP_SCHEMA = Schema.fromYaml(`
type: object
properties:
  port: { type: integer, default: 8080 }
  host: { type: string, default: localhost }
  ratio: { type: [number, "null"] }
  flag: { type: boolean }
  flags: { type: [boolean, string] }
  nums: { type: [integer, number] }
  any: {}
  maybe: { anyOf: [{ type: integer }, { type: "null" }], default: 3 }
  level: { type: string, enum: [a, b] }
  logging:
    type: object
    default: { level: info, format: json }
  tags: { type: array, items: { type: integer }, default: [1, 2] }
  pair:
    type: array
    prefixItems: [{ type: string, default: x }, { type: boolean }]
    items: { type: number }
  database: { $ref: "#/$defs/db" }
  merged:
    allOf:
      - { $ref: "#/$defs/db" }
      - properties: { extra: { type: integer, default: 1 } }
  ports:
    type: object
    additionalProperties: { type: integer }
$defs:
  db:
    type: object
    properties:
      host: { type: string }
      port: { type: integer, default: 5432 }
      pool:
        type: object
        properties:
          size: { type: [integer, "null"], default: 10 }
`);

Deno.test("defaultAt() finds defaults in nested objects, arrays and through $ref/allOf", () => {
  const s = LOOKUP_SCHEMA;
  assert.deepEqual(s.defaultAt(["port"]), { found: true, value: 8080 });
  assert.deepEqual(s.defaultAt(["host"]), { found: true, value: "localhost" });
  assert.deepEqual(s.defaultAt(["logging"]), {
    found: true,
    value: { level: "info", format: "json" },
  });
  assert.deepEqual(s.defaultAt(["tags"]), { found: true, value: [1, 2] });
  assert.deepEqual(s.defaultAt(["pair", 0]), { found: true, value: "x" });
  assert.deepEqual(s.defaultAt(["database", "port"]), { found: true, value: 5432 });
  assert.deepEqual(s.defaultAt(["database", "pool", "size"]), { found: true, value: 10 });
  assert.deepEqual(s.defaultAt(["merged", "port"]), { found: true, value: 5432 });
  assert.deepEqual(s.defaultAt(["merged", "extra"]), { found: true, value: 1 });
  assert.deepEqual(s.defaultAt(["ratio"]), { found: false });
  assert.deepEqual(s.defaultAt(["nope"]), { found: false });
  assert.deepEqual(s.defaultAt(["database", "nope", "deeper"]), { found: false });
  assert.deepEqual(s.defaultAt(["port", "below"]), { found: false });
});

Deno.test("defaultAt() returns a fresh copy each time", () => {
  const first = LOOKUP_SCHEMA.defaultAt(["logging"]).value as Record<string, unknown>;
  first.level = "changed";
  assert.deepEqual(LOOKUP_SCHEMA.defaultAt(["logging"]).value, { level: "info", format: "json" });
});

Deno.test("allowsNull() follows type, unions, enums and unknown paths", () => {
  const s = LOOKUP_SCHEMA;
  assert.equal(s.allowsNull(["port"]), false);
  assert.equal(s.allowsNull(["ratio"]), true);
  assert.equal(s.allowsNull(["any"]), true);
  assert.equal(s.allowsNull(["maybe"]), true);
  assert.equal(s.allowsNull(["level"]), false);
  assert.equal(s.allowsNull(["logging"]), false);
  assert.equal(s.allowsNull(["database", "port"]), false);
  assert.equal(s.allowsNull(["database", "pool", "size"]), true);
  assert.equal(s.allowsNull(["tags", 0]), false);
  assert.equal(s.allowsNull(["not", "in", "schema"]), true);
  assert.equal(s.allowsNull([]), false);
  assert.equal(Schema.fromObject({}).allowsNull(["x"]), true);
});

Deno.test("coercionTypeAt() gives integer/number/boolean only for exact scalar types", () => {
  const s = LOOKUP_SCHEMA;
  assert.equal(s.coercionTypeAt(["port"]), "integer");
  assert.equal(s.coercionTypeAt(["ratio"]), "number");
  assert.equal(s.coercionTypeAt(["flag"]), "boolean");
  assert.equal(s.coercionTypeAt(["flags"]), undefined, "boolean or string: strings stay");
  assert.equal(s.coercionTypeAt(["nums"]), "number");
  assert.equal(s.coercionTypeAt(["host"]), undefined, "type string never coerces");
  assert.equal(s.coercionTypeAt(["any"]), undefined);
  assert.equal(s.coercionTypeAt(["maybe"]), "integer");
  assert.equal(s.coercionTypeAt(["logging"]), undefined);
  assert.equal(s.coercionTypeAt(["tags"]), undefined, "never to arrays");
  assert.equal(s.coercionTypeAt(["tags", 5]), "integer");
  assert.equal(s.coercionTypeAt(["pair", 1]), "boolean");
  assert.equal(s.coercionTypeAt(["pair", 7]), "number");
  assert.equal(s.coercionTypeAt(["pair", "1"]), "boolean", "numeric string segment");
  assert.equal(s.coercionTypeAt(["database", "port"]), "integer");
  assert.equal(s.coercionTypeAt(["database", "pool", "size"]), "integer");
  assert.equal(s.coercionTypeAt(["ports", "http"]), "integer");
  assert.equal(s.coercionTypeAt(["unknown"]), undefined);
});

Deno.test("lookups in a draft-07 tuple use items[i] then additionalItems", () => {
  const s = Schema.fromObject({
    $schema: DRAFT_07,
    properties: {
      t: {
        type: "array",
        items: [{ type: "string" }, { type: "integer" }],
        additionalItems: { type: "boolean" },
      },
    },
  });
  assert.equal(s.coercionTypeAt(["t", 0]), undefined);
  assert.equal(s.coercionTypeAt(["t", 1]), "integer");
  assert.equal(s.coercionTypeAt(["t", 2]), "boolean");
});

Deno.test("a recursive schema does not hang the lookups", () => {
  const s = Schema.fromObject({
    $defs: {
      node: {
        type: "object",
        properties: { child: { $ref: "#/$defs/node" }, n: { type: "integer", default: 0 } },
      },
    },
    $ref: "#/$defs/node",
  });
  assert.deepEqual(s.defaultAt(["child", "child", "n"]), { found: true, value: 0 });
  assert.equal(s.coercionTypeAt(["child", "n"]), "integer");
  assert.ok(s.toMarkdown().includes("| n | integer | no | 0 | - |"));
  assert.ok(s.toTemplate().includes("n: 0"));
});

Deno.test("#anchor references resolve to the first $anchor in document order", () => {
  const s = Schema.fromObject({
    $defs: {
      data: { enum: [{ $anchor: "port", type: "boolean" }], default: { $anchor: "port" } },
      first: { $anchor: "port", type: "integer", default: 8080 },
      second: { $anchor: "port", type: "boolean" },
      ratio: { $anchor: "ratio", type: ["number", "null"] },
    },
    properties: {
      port: { $ref: "#port" },
      ratio: { $ref: "#ratio" },
      either: { anyOf: [{ $ref: "#port" }, { type: "null" }] },
      svc: { patternProperties: { "^s[0-9]+$": { properties: { p: { $ref: "#port" } } } } },
    },
  });
  for (let round = 0; round < 2; round++) { // the second round is served from the caches
    assert.equal(s.coercionTypeAt(["port"]), "integer");
    assert.deepEqual(s.defaultAt(["port"]), { found: true, value: 8080 });
    assert.equal(s.allowsNull(["port"]), false);
    assert.equal(s.coercionTypeAt(["ratio"]), "number");
    assert.equal(s.allowsNull(["ratio"]), true);
    assert.equal(s.coercionTypeAt(["either"]), "integer");
    assert.equal(s.allowsNull(["either"]), true);
    for (let i = 0; i < 5000; i += 7) {
      assert.equal(s.coercionTypeAt(["svc", `s${i}`, "p"]), "integer");
    }
    assert.equal(s.coercionTypeAt(["svc", "x1", "p"]), undefined);
  }
  assert.throws(
    () => Schema.fromObject({ properties: { a: { $ref: "#nowhere" } } }),
    (e: unknown) => e instanceof ParseError && e.message.includes("'#nowhere' does not resolve"),
  );
});

Deno.test("lookups on one path share their results but never the defaults", () => {
  const s = Schema.fromObject({
    properties: {
      list: { type: "array", items: { type: "object", default: { k: [1] } } },
    },
  });
  const a = s.defaultAt(["list", 3]).value as { k: number[] };
  a.k.push(2);
  assert.deepEqual(s.defaultAt(["list", 3]).value, { k: [1] });
  assert.deepEqual(s.defaultAt(["list", "3"]).value, { k: [1] });
  assert.equal(s.allowsNull(["list", 3]), false);
  assert.equal(s.allowsNull(["list", 3, "k"]), true, "not described below the item");
  assert.equal(s.coercionTypeAt(["list", 3]), undefined);
});

Deno.test("objects that are not plain data are not schemas", () => {
  assert.throws(
    () => Schema.fromObject({ properties: { when: new Date(0) as unknown as boolean } }),
    (e: unknown) =>
      e instanceof ParseError &&
      e.headline ===
        "Invalid JSON Schema: /properties/when: a schema must be an object or a boolean",
  );
});

Deno.test("validate() words draft-04 boolean exclusiveMinimum/Maximum as strict bounds", async () => {
  const schema = Schema.fromObject({
    $schema: "http://json-schema.org/draft-04/schema#",
    properties: {
      low: { minimum: 5, exclusiveMinimum: true },
      high: { maximum: 5, exclusiveMaximum: true },
      plain: { minimum: 5 },
    },
  });
  assert.deepEqual(brief(await schema.validate({ low: 5, high: 5, plain: 4 })), [
    { pointer: "/low", message: "must be > 5" },
    { pointer: "/high", message: "must be < 5" },
    { pointer: "/plain", message: "must be >= 5" },
  ]);
});

Deno.test("validate() issue messages never quote the instance value", async () => {
  const secret = "hunter2-zz9";
  const schema = Schema.fromYaml(`
properties:
  s:
    type: string
    pattern: "^[0-9]+$"
    minLength: 50
    format: email
    enum: [a, b]
    not: { const: "${secret}" }
  n: { maximum: 10, minimum: 999999999, multipleOf: 7, exclusiveMaximum: 1, enum: [1] }
  o: { const: { k: v } }
  l: { type: array, maxItems: 1, uniqueItems: true, contains: { const: x } }
`);
  const issues = await schema.validate({
    s: secret,
    n: 987654321,
    o: { k: secret },
    l: [secret, secret],
  });
  assert.ok(issues.length >= 10, JSON.stringify(issues));
  for (const issue of issues) {
    assert.ok(!issue.message.includes("987654321"), issue.message);
    // The secret may only appear where the schema itself spells it (the `not: const`).
    if (!issue.message.startsWith("must NOT be valid")) {
      assert.ok(!issue.message.includes(secret), issue.message);
    }
  }
});

Deno.test("validate() treats undefined members as absent and converts nested values", async () => {
  const schema = Schema.fromObject({
    type: "object",
    required: ["gone"],
    properties: {
      list: { type: "array", items: { type: "string", pattern: "^[A-Za-z0-9+/=]+$" } },
      big: { type: "integer", maximum: 10 },
      map: { type: "object", required: ["k"] },
    },
  });
  const input = {
    gone: undefined,
    list: ["ok", new Uint8Array([1, 2, 3])],
    big: 5n,
    map: new Map([["k", 1]]),
  };
  assert.deepEqual(brief(await schema.validate(input)), [
    { pointer: "", message: "must have required property 'gone'" },
  ]);
  // The input itself is left alone.
  assert.ok(input.list[1] instanceof Uint8Array);
  assert.ok("gone" in input);
});

Deno.test("validate() keeps a __proto__ key as data", async () => {
  const schema = Schema.fromObject({
    type: "object",
    required: ["__proto__"],
    properties: { ["__proto__"]: { type: "object", required: ["x"] } },
  });
  assert.deepEqual(await schema.validate(JSON.parse('{"__proto__": {"x": 1}}')), []);
  const converted = JSON.parse('{"__proto__": {"y": 1}, "b": 1}');
  converted.b = new Uint8Array([1]); // forces a converted copy of the object
  assert.deepEqual(brief(await schema.validate(converted)), [
    { pointer: "/__proto__", message: "must have required property 'x'" },
  ]);
});

// ------------------------------------------------------------------ issues inside a sensitive value

Deno.test("validation issues never show the keys of a sensitive mapping", async () => {
  Deno.env.set("HOLOCONF_SCHEMA_SECRET_MAP", "hunter2-key: 1\nnested:\n  x: 2\n");
  try {
    const config = Config.loads(
      "a: ${yaml:${env:HOLOCONF_SCHEMA_SECRET_MAP,sensitive=true}}\nb: {}\n",
    );
    for (
      const schema of [
        {
          properties: {
            a: { type: "object", additionalProperties: false },
            b: { additionalProperties: false },
          },
        },
        {
          properties: {
            a: { additionalProperties: { type: "string" }, propertyNames: { maxLength: 3 } },
          },
        },
      ]
    ) {
      const issues = await config.validateCollect(Schema.fromObject(schema));
      assert.ok(issues.length > 0);
      const text = JSON.stringify(issues);
      assert.ok(!text.includes("hunter2") && !text.includes("nested"), text);
      for (const issue of issues) assert.equal(issue.pointer, "/a", text);
      const err = await config.validate(Schema.fromObject(schema)).then(() => undefined, (e) => e);
      assert.ok(err instanceof HoloconfError && !err.message.includes("hunter2"));
    }
    // An ordinary mapping's keys are config text and are shown.
    const plain = await Config.loads("b:\n  extra: 1\n").validateCollect(
      Schema.fromObject({ properties: { b: { additionalProperties: false } } }),
    );
    assert.deepEqual(brief(plain), [{
      pointer: "/b",
      message: "must NOT have additional properties ('extra')",
    }]);
  } finally {
    Deno.env.delete("HOLOCONF_SCHEMA_SECRET_MAP");
  }
});
