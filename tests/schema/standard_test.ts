import assert from "node:assert/strict";
import * as v from "valibot";
import { z } from "zod";
import {
  Config,
  isStandardSchema,
  ResolvedValue,
  Schema,
  type StandardSchemaIssue,
  type StandardSchemaV1,
  ValidationError,
  type ValidationIssue,
} from "../../mod.ts";

const APP = `name: ab
servers:
  - host: a
    port: x
`;

/** A validator that reports the given issues (or returns its input). */
function reporting(
  issues: StandardSchemaIssue[] | ((value: unknown) => StandardSchemaIssue[]),
  options: { async?: boolean } = {},
): StandardSchemaV1 {
  return {
    "~standard": {
      version: 1,
      vendor: "test",
      validate: (value) => {
        const found = typeof issues === "function" ? issues(value) : issues;
        const result = found.length === 0 ? { value } : { issues: found };
        return options.async ? Promise.resolve(result) : result;
      },
    },
  };
}

Deno.test("zod issues become schema issues with pointer, dotted path, code and source", async () => {
  const schema = z.object({
    name: z.string().min(3),
    servers: z.array(z.object({ host: z.string(), port: z.number() })),
  });
  const issues = await Config.loads(APP).validateCollect(schema);
  assert.deepEqual(
    issues,
    [
      {
        pointer: "/name",
        path: "name",
        message: "Too small: expected string to have >=3 characters",
        kind: "schema",
        code: "too_small",
        source: "<string>:1:7",
      },
      {
        pointer: "/servers/0/port",
        path: "servers[0].port",
        message: "Invalid input: expected number, received string",
        kind: "schema",
        code: "invalid_type",
        expected: "number",
        source: "<string>:4:11",
      },
    ] satisfies ValidationIssue[],
  );
});

Deno.test("valibot issues (paths of { key } objects) become the same schema issues", async () => {
  const schema = v.object({
    name: v.pipe(v.string(), v.minLength(3)),
    servers: v.array(v.object({ host: v.string(), port: v.number() })),
  });
  const issues = await Config.loads(APP).validateCollect(schema);
  assert.deepEqual(
    issues.map((i) => [i.path, i.code, i.expected, i.source]),
    [
      ["name", "min_length", ">=3", "<string>:1:7"],
      ["servers[0].port", "number", "number", "<string>:4:11"],
    ],
  );
  assert.match(issues[1]!.message, /^Invalid type: Expected number but received "x"$/);
});

Deno.test("validate() throws every issue in one ValidationError, file:line:col included", async () => {
  const schema = z.object({ name: z.string().min(3), servers: z.array(z.unknown()).max(0) });
  const error = await Config.loads(APP).validate(schema).then(
    () => assert.fail("validate() should throw"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ValidationError);
  assert.equal(error.issues.length, 2);
  assert.match(error.message, /\/name: Too small: .* \(at <string>:1:7\)/);
  assert.match(error.message, /\/servers: Too big: .* \(at <string>:3:3\)/);
});

Deno.test("validate() returns the validator's output: its defaults and transforms", async () => {
  const schema = z.object({
    port: z.coerce.number().default(8080),
    host: z.string().transform((h) => h.toUpperCase()),
  });
  assert.deepEqual(await Config.loads("host: db\n").validate(schema), { port: 8080, host: "DB" });
  assert.deepEqual(await Config.loads("host: db\nport: '81'\n").validate(schema), {
    port: 81,
    host: "DB",
  });
});

Deno.test("an asynchronous validator is awaited; an issue without a path is at the root", async () => {
  const schema = reporting([{ message: "nope" }], { async: true });
  assert.deepEqual(await Config.loads("a: 1\n").validateCollect(schema), [
    {
      pointer: "",
      path: "",
      message: "nope",
      kind: "schema",
      code: "invalid",
      source: "<string>:1:1",
    },
  ]);
  const ok = reporting([], { async: true });
  assert.deepEqual(await Config.loads("a: 1\n").validate(ok), { a: 1 });
});

Deno.test("a Standard Schema given as schema is what validate() checks by default", async () => {
  const schema = z.object({ port: z.number() });
  const config = Config.loads("port: x\n", { schema });
  await assert.rejects(config.validate(), /\/port: Invalid input: expected number/);
  assert.equal(config.getSchema(), undefined);
  // It checks resolved values only: validateRaw() needs a JSON Schema.
  assert.throws(() => config.validateRaw(), (e: unknown) => {
    assert.ok(e instanceof ValidationError);
    assert.match(e.message, /validateRaw\(\) checks against a JSON Schema/);
    return true;
  });
  const other = Config.loads("port: 1\n");
  other.setSchema(schema);
  assert.deepEqual(await other.validate(), { port: 1 });
  // Attaching a validator replaces an attached JSON Schema (and its defaults).
  const json = Schema.fromObject({ properties: { host: { default: "h" } } });
  const replaced = Config.loads("port: 1\n", { schema: json });
  assert.equal(await replaced.get("host"), "h");
  replaced.setSchema(schema);
  await assert.rejects(replaced.get("host"), /Path not found/);
});

Deno.test("a validator sees the config as resolveAll() does, with an attached JSON Schema's work", async () => {
  Deno.env.set("T17_STD_PORT", "8080");
  try {
    const json = Schema.fromObject({
      properties: { port: { type: "integer" }, host: { type: "string", default: "h" } },
    });
    const config = Config.loads("port: ${env:T17_STD_PORT}\n", { schema: json });
    const seen: unknown[] = [];
    const spy = reporting((value) => {
      seen.push(value);
      return [];
    });
    assert.deepEqual(await config.validate(spy), { port: 8080, host: "h" });
    assert.deepEqual(seen, [await config.resolveAll()]);
  } finally {
    Deno.env.delete("T17_STD_PORT");
  }
});

Deno.test("values that fail to resolve or coerce are reported once, not again by the validator", async () => {
  const json = Schema.fromObject({ properties: { port: { type: "integer" } } });
  const config = Config.loads(
    "port: ${nope:x}\nbad: ${fails:x}\nnested: { inner: '${fails:y}', ok: 1 }\n",
    { resolvers: { fails: () => Promise.reject(new Error("down")) } },
  );
  config.setSchema(json);
  const schema = z.object({
    port: z.number(),
    bad: z.string(),
    nested: z.object({ inner: z.string(), ok: z.string() }).refine(() => false, "whole"),
    missing: z.string(),
  });
  const issues = await config.validateCollect(schema);
  assert.deepEqual(issues.map((i) => [i.path, i.kind, i.code]), [
    ["port", "resolution", "UNKNOWN_RESOLVER"],
    ["bad", "resolution", "RESOLVER_FAILED"],
    ["nested.inner", "resolution", "RESOLVER_FAILED"],
    // The validator's own issues about values that did resolve: nested.ok and the missing key;
    // the refinement of `nested` (holding a failed value) is not judged.
    ["nested.ok", "schema", "invalid_type"],
    ["missing", "schema", "invalid_type"],
  ]);
  assert.equal(issues[0]!.expected, "integer");
});

Deno.test("a coercion failure of the attached JSON Schema is an issue with a validator too", async () => {
  const json = Schema.fromObject({ properties: { port: { type: "integer" } } });
  const config = Config.loads("port: '${env:HOME}x'\n", { schema: json });
  const issues = await config.validateCollect(z.object({ port: z.number() }));
  assert.deepEqual(issues.map((i) => [i.path, i.kind, i.code]), [
    ["port", "coercion", "TYPE_COERCION"],
  ]);
});

// ------------------------------------------------------------------ sensitive values

const SECRET = "s3cr3t-Tok3n";

function secretConfig(): Config {
  return Config.loads(
    "db:\n  user: app\n  password: ${vault:pw}\ncreds: ${vault:map}\nurl: http://x/${vault:pw}\n",
    {
      resolvers: {
        vault: (key: string) =>
          new ResolvedValue(key === "map" ? { token: SECRET, id: 7 } : SECRET, {
            sensitive: true,
          }),
      },
    },
  );
}

function assertNoSecret(what: unknown): void {
  const text = what instanceof Error
    ? `${what.message}\n${what.stack}\n${JSON.stringify(what)}\n${String(what.cause)}`
    : JSON.stringify(what);
  assert.ok(!text.includes(SECRET), text);
}

Deno.test("an issue at a sensitive value is reported there without the validator's message", async () => {
  // valibot quotes the value it got: "Expected number but received "s3cr3t-Tok3n"".
  const schema = v.object({
    db: v.object({ user: v.string(), password: v.number() }),
    creds: v.object({ token: v.number(), id: v.number() }),
    url: v.pipe(v.string(), v.maxLength(3)),
  });
  const issues = await secretConfig().validateCollect(schema);
  assertNoSecret(issues);
  assert.deepEqual(issues.map((i) => [i.pointer, i.path, i.code, i.expected, i.message]), [
    ["/db/password", "db.password", "number", undefined, withheldAt("number")],
    // Inside a sensitive mapping: reported at the mapping, its keys kept to itself.
    ["/creds", "creds", "number", undefined, withheldAt("number")],
    ["/url", "url", "max_length", undefined, withheldAt("max_length")],
  ]);
  const error = await secretConfig().validate(schema).catch((e: unknown) => e);
  assert.ok(error instanceof ValidationError);
  assertNoSecret(error);
});

/** The message of an issue at a sensitive value. */
const withheldAt = (code: string) =>
  `invalid: ${code} (the validator's message is not shown: the value is sensitive)`;
/** The message of an issue about a mapping or sequence holding a sensitive value. */
const withheldAbove = (code: string) =>
  `invalid: ${code} (the validator's message is not shown: the value holds a sensitive value)`;

Deno.test("an issue about a mapping holding a secret, the root included, is shown by its code only", async () => {
  // Quoted in a form no text search finds: upper-cased, cut, reversed.
  const altering = reporting((value) => {
    const pw = (value as { db: { password: string } }).db.password;
    return [
      { message: `bad db ${pw.toUpperCase()}`, path: ["db"] },
      { message: `db needs a port, not ${pw.slice(0, 6)}…`, path: ["db"] },
      { message: `root ${[...pw].reverse().join("")}` },
      { message: "user is short", path: ["db", "user"] },
    ];
  });
  const issues = await secretConfig().validateCollect(altering);
  assert.deepEqual(issues.map((i) => [i.path, i.message]), [
    ["db", withheldAbove("invalid")],
    ["", withheldAbove("invalid")],
    // A sibling of the secret keeps its message.
    ["db.user", "user is short"],
  ]);
  // valibot and zod the same way: a mapping-level check, a transform of the secret.
  const check = v.pipe(
    v.object({ db: v.object({ user: v.string(), password: v.string() }) }),
    v.check((o) => o.db.password.length > 100, (i) => {
      const input = i.input as { db: { password: string } };
      return `password ${input.db.password.slice(0, 8)}… too short`;
    }),
  );
  const refined = z.object({ db: z.object({ password: z.string() }) }).superRefine((o, ctx) => {
    ctx.addIssue({ code: "custom", message: `bad ${o.db.password.toUpperCase()}` });
  });
  for (const schema of [check, refined]) {
    const found = await secretConfig().validateCollect(schema);
    assert.ok(found.length > 0);
    assert.ok(!JSON.stringify(found).toLowerCase().includes(SECRET.slice(0, 6).toLowerCase()));
  }
});

Deno.test("a validator that throws fails validate(); with a secret in the config, by name only", async () => {
  const throwing = (message: (value: unknown) => string): StandardSchemaV1 => ({
    "~standard": {
      version: 1,
      vendor: "thrower",
      validate: (value) => {
        throw new SyntaxError(message(value));
      },
    },
  });
  const plain = await Config.loads("a: 1\n").validate(throwing(() => "broken rule"))
    .catch((e: unknown) => e);
  assert.ok(plain instanceof ValidationError);
  assert.match(plain.message, /The thrower validator failed: broken rule/);
  assert.ok(plain.cause instanceof Error);
  // JSON.parse of a secret says what it choked on, in its own words.
  const parsing = throwing((value) => {
    try {
      JSON.parse((value as { db: { password: string } }).db.password);
      return "parsed";
    } catch (e) {
      return (e as Error).message;
    }
  });
  // zod's transform runs JSON.parse on the secret: the validator throws its SyntaxError.
  const transform = z.object({
    db: z.object({ password: z.string().transform((t) => JSON.parse(t) as unknown) }),
  });
  for (const validator of [throwing(() => "broken rule"), parsing, transform]) {
    const e = await secretConfig().validate(validator).catch((e: unknown) => e);
    assert.ok(e instanceof ValidationError);
    assert.match(
      e.message,
      /The (thrower|zod) validator failed: SyntaxError \(its message is not shown: the config holds a sensitive value\)/,
    );
    assert.equal(e.cause, undefined);
    assertNoSecret(e);
    assert.ok(!e.message.includes(SECRET.slice(0, 5)));
  }
});

Deno.test("isStandardSchema() tells validators from other objects", () => {
  assert.equal(isStandardSchema(z.string()), true);
  assert.equal(isStandardSchema(v.string()), true);
  assert.equal(isStandardSchema(reporting([])), true);
  assert.equal(isStandardSchema(Schema.fromObject({})), false);
  assert.equal(isStandardSchema({ "~standard": { version: 2, validate: () => ({}) } }), false);
  assert.equal(isStandardSchema(null), false);
});

Deno.test("validate() refuses something that is neither a Schema nor a validator", async () => {
  const config = Config.loads("a: 1\n");
  await assert.rejects(config.validate({ type: "object" } as never), TypeError);
});
