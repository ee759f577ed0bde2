// Typed configs: `Config<T>` accepts only the paths of T and returns the type at each. Most of
// this file is checked by the compiler (`deno task check`): each `@ts-expect-error` line must
// be an error, and each `Equal` assertion must hold; the tests also run the calls.

import assert from "node:assert/strict";
import { z } from "zod";
import {
  Config,
  type ConfigPath,
  type ConfigValue,
  type Redacted,
  ResolvedValue,
  Schema,
  type StandardSchemaV1,
} from "../mod.ts";
import type { Config as ObjectsConfig } from "./schema/typescript/objects_required.ts";
import type { Config as TuplesConfig } from "./schema/typescript/tuples_2020.ts";

/** True when A and B are the same type (not merely assignable). */
type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends (<G>() => G extends B ? 1 : 2) ? true
  : false;

/** Compiles only when `value` is `true`: `expectType<Equal<A, B>>(true)`. */
function expectType<T extends true>(value: T): T {
  return value;
}

interface App {
  name: string;
  db: { host: string; port: number; replica?: { host: string } };
  servers: { host: string; tags: string[] }[];
  pair: [string, number];
  labels: { [key: string]: string };
  mode: "dev" | "prod";
  timeout: number | null;
  "odd.key"?: boolean;
}

const APP_YAML = `
name: shop
db: { host: localhost, port: 5432 }
servers:
  - { host: a, tags: [x, y] }
pair: [p, 2]
labels: { team: core }
mode: dev
timeout: null
`;

Deno.test("a typed config's get() takes the paths of T and returns the type at each", async () => {
  const config = Config.loads<App>(APP_YAML);
  const port = await config.get("db.port");
  expectType<Equal<typeof port, number>>(true);
  assert.equal(port, 5432);
  const host = await config.get("servers[0].host");
  expectType<Equal<typeof host, string>>(true);
  assert.equal(host, "a");
  const tag = await config.get("servers[0].tags[1]");
  expectType<Equal<typeof tag, string>>(true);
  assert.equal(tag, "y");
  const second = await config.get("pair[1]");
  expectType<Equal<typeof second, number>>(true);
  assert.equal(second, 2);
  const team = await config.get("labels.team");
  expectType<Equal<typeof team, string>>(true);
  assert.equal(team, "core");
  const mode = await config.get("mode");
  expectType<Equal<typeof mode, "dev" | "prod">>(true);
  const timeout = await config.get("timeout");
  expectType<Equal<typeof timeout, number | null>>(true);
  assert.equal(timeout, null);
  // An optional key has its type when it is there (a missing path throws, as always).
  const replica = config.get("db.replica.host");
  expectType<Equal<typeof replica, Promise<string>>>(true);
  await assert.rejects(replica, /Path not found/);
  const db = config.getSync("db");
  expectType<Equal<typeof db, App["db"]>>(true);
  assert.deepEqual(db, { host: "localhost", port: 5432 });
  const whole = await config.get("");
  expectType<Equal<typeof whole, App>>(true);
});

Deno.test("get(path, { redact: true }) is typed as possibly [REDACTED], not as the plain type", async () => {
  type Secrets = { db: { port: number; hosts: string[] } };
  const config = Config.loads<Secrets>(
    "db:\n  port: ${vault:port}\n  hosts: ${vault:hosts}\n",
    {
      resolvers: {
        vault: (k: string) => new ResolvedValue(k === "port" ? 5432 : ["a"], { sensitive: true }),
      },
    },
  );
  // @ts-expect-error: a redacted port is "[REDACTED]" at run time, not a number
  const port: number = await config.get("db.port", { redact: true });
  assert.equal(port, "[REDACTED]");
  // @ts-expect-error: a redacted list may be "[REDACTED]" as a whole
  const hosts: string[] = await config.get("db.hosts", { redact: true });
  assert.equal(hosts, "[REDACTED]");
  const db = await config.get("db", { redact: true });
  expectType<Equal<typeof db, Redacted<Secrets["db"]>>>(true);
  expectType<
    Equal<typeof db, { port: number | "[REDACTED]"; hosts: string[] | "[REDACTED]" } | "[REDACTED]">
  >(true);
  assert.deepEqual(db, { port: "[REDACTED]", hosts: "[REDACTED]" });
  // Without redact (or with redact: false) the type at the path is unchanged.
  const plain = await config.get("db.port", { redact: false });
  expectType<Equal<typeof plain, number>>(true);
  assert.equal(plain, 5432);
  // A flag known only at run time gives the possibly redacted type.
  const flag: boolean = Math.random() < 2;
  const either = await config.get("db.port", { redact: flag });
  expectType<Equal<typeof either, number | "[REDACTED]">>(true);
  // A config without a type stays unknown.
  const untyped = await Config.loads("a: 1\n").get("a", { redact: true });
  expectType<Equal<typeof untyped, unknown>>(true);
});

Deno.test("a typed config rejects wrong paths and wrong uses at compile time", async () => {
  const config = Config.loads<App>(APP_YAML);
  // @ts-expect-error: no such key
  await assert.rejects(config.get("db.prot"), /Path not found/);
  // @ts-expect-error: an index into a mapping
  await assert.rejects(config.get("db[0]"));
  // @ts-expect-error: a key of a sequence
  await assert.rejects(config.get("servers.host"));
  // @ts-expect-error: below a scalar
  await assert.rejects(config.get("name.first"));
  // @ts-expect-error: a key with a dot is reached through its parent only
  assert.throws(() => config.getSync("odd.key"));
  // @ts-expect-error: any string is not a path of App
  await assert.rejects(config.get(String("db.prot")));
  // @ts-expect-error: a number is not a string
  const host: string = await config.get("db.port");
  assert.equal(host, 5432);
  // @ts-expect-error: a string is not a number
  const port: number = config.getSync("name");
  assert.equal(port, "shop");
});

Deno.test("resolveAll() of a typed config returns T; validate() returns the type too", async () => {
  const config = Config.loads<App>(APP_YAML);
  const all = await config.resolveAll();
  expectType<Equal<typeof all, App>>(true);
  assert.equal(all.db.port, 5432);
  const schema = Schema.fromObject({
    properties: { db: { properties: { port: { default: 1 } } } },
  });
  const valid = await config.validate(schema);
  expectType<Equal<typeof valid, App>>(true);
  assert.equal(valid.servers[0]?.host, "a");
});

Deno.test("a config without a type takes any path and gives unknown, as before", async () => {
  const config = Config.loads(APP_YAML);
  const path: string = "db.port";
  const v = await config.get(path);
  expectType<Equal<typeof v, unknown>>(true);
  assert.equal(v, 5432);
  const w = config.getSync(["db", "host"].join("."));
  expectType<Equal<typeof w, unknown>>(true);
  assert.equal(w, "localhost");
  const all = await config.resolveAll();
  expectType<Equal<typeof all, Record<string, unknown>>>(true);
  const cast = await config.resolveAll<{ name: string }>();
  assert.equal(cast.name, "shop");
  const valid = await config.validate(Schema.fromObject({ type: "object" }));
  expectType<Equal<typeof valid, Record<string, unknown>>>(true);
});

Deno.test("a typed config can be used where a Config is expected, and merged", async () => {
  const typed = Config.loads<App>(APP_YAML);
  const plain: Config = typed;
  const keys = (c: Config) => Object.keys(c.getSync("") as object);
  assert.deepEqual(keys(plain), ["name", "db", "servers", "pair", "labels", "mode", "timeout"]);
  const other = Config.loads<{ extra: number }>("extra: 1\n");
  typed.merge(other);
  assert.equal(await plain.get("extra"), 1);
});

Deno.test("generated types type a config: required keys, tuples, optional elements", async () => {
  const config = Config.loads<ObjectsConfig>("name: app\ndatabase: { host: db }\n");
  const host = await config.get("database.host");
  expectType<Equal<typeof host, string>>(true);
  const size = config.get("database.pool.size");
  expectType<Equal<typeof size, Promise<number>>>(true);
  await assert.rejects(size, /Path not found/);
  // @ts-expect-error: database is required in the generated type
  const partial: ObjectsConfig = { name: "app" };
  assert.equal(partial.name, "app");
  // @ts-expect-error: pool is an object, not a string
  const wrong: ObjectsConfig = { name: "a", database: { host: "h", pool: "p" } };
  assert.equal(wrong.name, "a");
  const tuples = Config.loads<TuplesConfig>("pair: [a, 1]\n");
  const second = tuples.getSync("pair[1]");
  expectType<Equal<typeof second, number>>(true);
  assert.equal(second, 1);
  // @ts-expect-error: a tuple of two has no index 2
  assert.throws(() => tuples.getSync("pair[2]"));
});

Deno.test("paths of deep and recursive types stay bounded", async () => {
  interface Node {
    name: string;
    children: Node[];
  }
  const config = Config.fromObject<{ tree: Node }>({
    tree: { name: "r", children: [{ name: "c", children: [] }] },
  });
  const name = await config.get("tree.children[0].name");
  expectType<Equal<typeof name, string>>(true);
  assert.equal(name, "c");
  // Past PathDepth steps any continuation is accepted; its type is still followed.
  const deep = "tree.children[0].children[0].children[0].children[0].children[0].name";
  const path: ConfigPath<{ tree: Node }> = deep;
  const deepValue: ConfigValue<{ tree: Node }, typeof deep> = "x";
  expectType<Equal<typeof deepValue, string>>(true);
  await assert.rejects(config.get(path), /Path not found/);
});

Deno.test("a Standard Schema validator types the config: its input for get, its output for validate", async () => {
  const schema = z.object({
    host: z.string(),
    port: z.number().default(8080),
    tags: z.array(z.string()).optional(),
  });
  const config = Config.loads("host: h\ntags: [a]\n", { schema });
  const host = await config.get("host");
  expectType<Equal<typeof host, string>>(true);
  const port = config.get("port");
  expectType<Equal<typeof port, Promise<number>>>(true);
  await assert.rejects(port, /Path not found/); // zod's default applies in validate()
  // @ts-expect-error: not a key of the schema
  await assert.rejects(config.get("hots"));
  const out = await config.validate();
  expectType<Equal<typeof out, { host: string; port: number; tags?: string[] | undefined }>>(
    true,
  );
  assert.deepEqual(out, { host: "h", port: 8080, tags: ["a"] });
  // A validator given to validate() types its result, whatever the config's type.
  const other = await Config.loads<App>(APP_YAML).validate(z.object({ name: z.string() }));
  expectType<Equal<typeof other, { name: string }>>(true);
  assert.deepEqual(other, { name: "shop" });
});

Deno.test("a Standard Schema validator and an explicit type must agree", () => {
  const schema: StandardSchemaV1<{ a: string }> = z.object({ a: z.string() });
  const ok = Config.loads<{ a: string }>("a: x\n", { schema });
  assert.equal(ok.getSync("a"), "x");
  // @ts-expect-error: the validator accepts { a: string }, not { a: number }
  const bad = Config.loads<{ a: number }>("a: x\n", { schema });
  assert.equal(bad.getSync("a"), "x");
});
