import assert from "node:assert/strict";
import { Schema } from "../../src/schema/schema.ts";
import { Config } from "../../mod.ts";

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";

Deno.test("fillDefaults() adds missing properties that have a schema default", () => {
  const schema = Schema.fromYaml(`
type: object
properties:
  name: { type: string }
  port: { type: integer, default: 8080 }
  host: { type: string, default: localhost }
  extra: { type: string }
`);
  assert.deepEqual(schema.fillDefaults({ name: "app" }), {
    name: "app",
    port: 8080,
    host: "localhost",
  });
});

Deno.test("fillDefaults() keeps values that are present, falsy ones included", () => {
  const schema = Schema.fromYaml(`
properties:
  port: { type: integer, default: 8080 }
  debug: { type: boolean, default: true }
  name: { type: string, default: x }
`);
  assert.deepEqual(schema.fillDefaults({ port: 0, debug: false, name: "" }), {
    port: 0,
    debug: false,
    name: "",
  });
});

Deno.test("fillDefaults() returns a deep copy and never modifies its input", () => {
  const schema = Schema.fromYaml(`
properties:
  db:
    properties:
      port: { default: 5432 }
  list: { type: array }
`);
  const input = { db: { host: "h" }, list: [{ a: 1 }] };
  const out = schema.fillDefaults(input) as { db: Record<string, unknown>; list: unknown[] };
  assert.deepEqual(out, { db: { host: "h", port: 5432 }, list: [{ a: 1 }] });
  assert.deepEqual(input, { db: { host: "h" }, list: [{ a: 1 }] });
  assert.notEqual(out.db, input.db);
  assert.notEqual(out.list, input.list);
  assert.notEqual(out.list[0], input.list[0]);
});

Deno.test("fillDefaults() gives each use a fresh copy of an object default", () => {
  const schema = Schema.fromYaml(`
properties:
  logging:
    type: object
    default: { level: info, outputs: [stdout] }
`);
  const a = schema.fillDefaults({}) as { logging: { level: string; outputs: string[] } };
  assert.deepEqual(a, { logging: { level: "info", outputs: ["stdout"] } });
  a.logging.outputs.push("file");
  a.logging.level = "debug";
  assert.deepEqual(schema.fillDefaults({}), { logging: { level: "info", outputs: ["stdout"] } });
  assert.deepEqual(schema.defaultAt(["logging"]), {
    found: true,
    value: { level: "info", outputs: ["stdout"] },
  });
});

Deno.test("fillDefaults() replaces null with the default only where null is not allowed", () => {
  const schema = Schema.fromYaml(`
properties:
  strict: { type: string, default: fallback }
  nullable: { type: [string, "null"], default: fallback }
  union: { anyOf: [{ type: string }, { type: "null" }], default: fallback }
  no_default: { type: string }
  untyped: { default: fallback }
`);
  assert.deepEqual(
    schema.fillDefaults({
      strict: null,
      nullable: null,
      union: null,
      no_default: null,
      untyped: null,
      unknown: null,
    }),
    {
      strict: "fallback",
      nullable: null,
      union: null,
      no_default: null,
      untyped: null,
      unknown: null,
    },
  );
});

Deno.test("fillDefaults() recurses into present nested objects", () => {
  const schema = Schema.fromYaml(`
properties:
  database:
    type: object
    properties:
      host: { type: string }
      connection:
        type: object
        properties:
          timeout: { type: integer, default: 30 }
          retries: { type: integer, default: 3 }
`);
  assert.deepEqual(
    schema.fillDefaults({ database: { host: "h", connection: { retries: 5 } } }),
    { database: { host: "h", connection: { retries: 5, timeout: 30 } } },
  );
  // An object that is missing and has no default of its own is not invented.
  assert.deepEqual(schema.fillDefaults({}), {});
  assert.deepEqual(schema.fillDefaults({ database: { host: "h" } }), {
    database: { host: "h" },
  });
});

Deno.test("fillDefaults() fills inside an inserted default", () => {
  const schema = Schema.fromYaml(`
properties:
  logging:
    type: object
    default: { level: warn }
    properties:
      level: { type: string, default: info }
      format: { type: string, default: json }
`);
  assert.deepEqual(schema.fillDefaults({}), { logging: { level: "warn", format: "json" } });
  assert.deepEqual(schema.fillDefaults({ logging: null }), {
    logging: { level: "warn", format: "json" },
  });
});

Deno.test("fillDefaults() walks array items (items schema)", () => {
  const schema = Schema.fromYaml(`
properties:
  servers:
    type: array
    items:
      type: object
      properties:
        host: { type: string }
        port: { type: integer, default: 80 }
`);
  assert.deepEqual(
    schema.fillDefaults({ servers: [{ host: "a" }, { host: "b", port: 8080 }] }),
    { servers: [{ host: "a", port: 80 }, { host: "b", port: 8080 }] },
  );
});

Deno.test("fillDefaults() walks tuple items (prefixItems, then items)", () => {
  const schema = Schema.fromYaml(`
properties:
  pair:
    type: array
    prefixItems:
      - { type: object, properties: { a: { default: 1 } } }
      - { type: object, properties: { b: { default: 2 } } }
    items: { type: object, properties: { rest: { default: true } } }
`);
  assert.deepEqual(schema.fillDefaults({ pair: [{}, {}, {}, {}] }), {
    pair: [{ a: 1 }, { b: 2 }, { rest: true }, { rest: true }],
  });
});

Deno.test("fillDefaults() walks draft-07 tuple items and additionalItems", () => {
  const schema = Schema.fromObject({
    $schema: DRAFT_07,
    properties: {
      pair: {
        items: [{ properties: { a: { default: 1 } } }],
        additionalItems: { properties: { z: { default: 26 } } },
      },
    },
  });
  assert.deepEqual(schema.fillDefaults({ pair: [{}, {}] }), { pair: [{ a: 1 }, { z: 26 }] });
});

Deno.test("fillDefaults() replaces a null array item where null is not allowed", () => {
  const schema = Schema.fromYaml(`
properties:
  ports: { type: array, items: { type: integer, default: 80 } }
  maybe: { type: array, items: { type: [integer, "null"], default: 80 } }
`);
  assert.deepEqual(schema.fillDefaults({ ports: [1, null], maybe: [null] }), {
    ports: [1, 80],
    maybe: [null],
  });
});

Deno.test("fillDefaults() follows local $ref and allOf", () => {
  const schema = Schema.fromYaml(`
$defs:
  db:
    type: object
    properties:
      port: { type: integer, default: 5432 }
  tls:
    properties:
      verify: { type: boolean, default: true }
properties:
  primary: { $ref: "#/$defs/db" }
  replica:
    allOf:
      - $ref: "#/$defs/db"
      - $ref: "#/$defs/tls"
allOf:
  - properties:
      region: { type: string, default: eu-west-1 }
`);
  assert.deepEqual(schema.fillDefaults({ primary: {}, replica: { port: 1 } }), {
    primary: { port: 5432 },
    replica: { port: 1, verify: true },
    region: "eu-west-1",
  });
});

Deno.test("fillDefaults() follows recursive $ref without looping", () => {
  const schema = Schema.fromYaml(`
$defs:
  node:
    type: object
    properties:
      name: { type: string, default: unnamed }
      children: { type: array, items: { $ref: "#/$defs/node" } }
$ref: "#/$defs/node"
`);
  assert.deepEqual(schema.fillDefaults({ children: [{ children: [{}] }] }), {
    name: "unnamed",
    children: [{ name: "unnamed", children: [{ name: "unnamed" }] }],
  });
});

Deno.test("fillDefaults() walks additionalProperties and patternProperties schemas", () => {
  const schema = Schema.fromYaml(`
properties:
  services:
    type: object
    patternProperties:
      "^db_": { properties: { port: { default: 5432 } } }
    additionalProperties:
      properties: { port: { default: 80 } }
`);
  assert.deepEqual(schema.fillDefaults({ services: { db_main: {}, web: {} } }), {
    services: { db_main: { port: 5432 }, web: { port: 80 } },
  });
});

Deno.test("fillDefaults() starts at the given path", () => {
  const schema = Schema.fromYaml(`
properties:
  database:
    properties:
      port: { type: integer, default: 5432 }
      pool:
        properties:
          size: { default: 10 }
  servers:
    items:
      properties:
        port: { default: 80 }
`);
  assert.deepEqual(schema.fillDefaults({ pool: {} }, ["database"]), {
    pool: { size: 10 },
    port: 5432,
  });
  assert.deepEqual(schema.fillDefaults({}, ["database", "pool"]), { size: 10 });
  assert.deepEqual(schema.fillDefaults({ host: "a" }, ["servers", 2]), { host: "a", port: 80 });
  assert.deepEqual(schema.fillDefaults({ x: 1 }, ["not", "described"]), { x: 1 });
});

Deno.test("fillDefaults() returns scalars, bytes and other objects as they are", () => {
  const schema = Schema.fromYaml(`
properties:
  blob: { default: x }
  when: { properties: { y: { default: 1 } } }
`);
  const bytes = new Uint8Array([1, 2, 3]);
  const out = schema.fillDefaults({ blob: bytes }) as { blob: Uint8Array };
  assert.equal(out.blob, bytes);
  assert.equal(schema.fillDefaults(bytes), bytes);
  assert.equal(schema.fillDefaults("text"), "text");
  assert.equal(schema.fillDefaults(5), 5);
  assert.equal(schema.fillDefaults(null), null);
  assert.equal(schema.fillDefaults(undefined), undefined);
  const date = new Date(0);
  assert.equal((schema.fillDefaults({ when: date }) as { when: Date }).when, date);
});

Deno.test("fillDefaults() copies bytes in inserted defaults, each time", () => {
  const schema = Schema.fromObject({
    properties: {
      blob: { default: new Uint8Array([1, 2]) },
      nested: {
        type: "object",
        default: { inner: new Uint8Array([3]), list: [new Uint8Array([4])] },
      },
      never: { type: "string", default: new Uint8Array([5]) },
    },
  });
  const first = schema.fillDefaults({ never: null }) as Record<string, unknown>;
  const second = schema.fillDefaults({ never: null }) as Record<string, unknown>;
  const expected = {
    never: new Uint8Array([5]),
    blob: new Uint8Array([1, 2]),
    nested: { inner: new Uint8Array([3]), list: [new Uint8Array([4])] },
  };
  assert.deepEqual(first, expected);
  assert.deepEqual(second, expected);
  assert.notEqual(first.blob, second.blob);
  assert.notEqual(first.never, second.never);
  const n1 = first.nested as { inner: Uint8Array; list: Uint8Array[] };
  const n2 = second.nested as { inner: Uint8Array; list: Uint8Array[] };
  assert.notEqual(n1.inner, n2.inner);
  assert.notEqual(n1.list[0], n2.list[0]);
  (first.blob as Uint8Array)[0] = 9;
  n1.list[0]![0] = 9;
  assert.deepEqual(schema.fillDefaults({}), {
    blob: new Uint8Array([1, 2]),
    nested: { inner: new Uint8Array([3]), list: [new Uint8Array([4])] },
    never: new Uint8Array([5]),
  });
  assert.deepEqual(schema.defaultAt(["blob"]), { found: true, value: new Uint8Array([1, 2]) });
});

Deno.test("fillDefaults() keeps __proto__ keys as plain data", () => {
  const schema = Schema.fromJson(
    '{"properties": {"__proto__": {"properties": {"polluted": {"default": true}}},' +
      ' "safe": {"default": {"__proto__": {"x": 1}}}}}',
  );
  const input = JSON.parse('{"__proto__": {"a": 1}}');
  const out = schema.fillDefaults(input) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ["__proto__", "safe"]);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(out, "__proto__")?.value, {
    a: 1,
    polluted: true,
  });
  const safe = out.safe as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(safe), Object.prototype);
  assert.deepEqual(Object.keys(safe), ["__proto__"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  // An object without a prototype is a plain object too.
  const bare = Object.create(null) as Record<string, unknown>;
  bare.a = 1;
  const filled = schema.fillDefaults(bare) as Record<string, unknown>;
  assert.notEqual(filled, bare);
  assert.equal(filled.a, 1);
  assert.deepEqual(Object.keys(filled), ["a", "safe"]);
});

Deno.test("fillDefaults() without any schema information copies the value unchanged", () => {
  const schema = Schema.fromObject({});
  const input = { a: [1, { b: null }], c: "${env:X}" };
  const out = schema.fillDefaults(input);
  assert.deepEqual(out, input);
  assert.notEqual(out, input);
  assert.deepEqual(Schema.fromObject(true).fillDefaults({ a: 1 }), { a: 1 });
});

// ------------------------------------------------------------------ copies and depth limits

Deno.test("with a schema, resolveAll and get hand out copies of bytes, not the memo's own", async () => {
  const config = Config.loads("a: 1\nb: ${bytes:k}\n", {
    resolvers: { bytes: () => new Uint8Array([7, 8]) },
  });
  config.setSchema(Schema.fromObject({ properties: { a: { type: "integer" } } }));
  const all = await config.resolveAll() as { b: Uint8Array };
  all.b[0] = 0;
  const got = await config.get("b") as Uint8Array;
  assert.deepEqual([...got], [7, 8]);
  got[1] = 0;
  assert.deepEqual([...(await config.get("b") as Uint8Array)], [7, 8]);
  const obj = await config.toObject({ resolve: true }) as { b: Uint8Array };
  assert.deepEqual([...obj.b], [7, 8]);
});

Deno.test("fillDefaults() of a value nested too deeply fails with the depth error before the stack overflows", () => {
  let deep: unknown = 1;
  for (let i = 0; i < 5000; i++) deep = [deep];
  const schema = Schema.fromObject({ properties: { a: { default: 1 } } });
  assert.throws(() => schema.fillDefaults({ b: deep }), /nested too deeply to fill defaults/);
});
