// Tests of the error family as users meet it (SPEC §5.8, §11): how resolver failures are
// wrapped, the message layout, and that no error message ever carries a sensitive value.

import assert from "node:assert/strict";
import {
  CircularReferenceError,
  Config,
  HoloconfError,
  NotFoundError,
  ParseError,
  PathNotFoundError,
  ResolveAllError,
  ResolvedValue,
  ResolverError,
  TypeCoercionError,
  ValidationError,
} from "../mod.ts";

const SECRET = "hunter2-s3cr3t";

/** Resolvers shared by the tests: a sensitive source and resolvers that echo their key. */
function resolvers() {
  return {
    secret: () => new ResolvedValue(SECRET, { sensitive: true }),
    // echoes the key (and a part of it) in a plain Error
    echo: (key: string) => {
      throw new Error(`cannot use key '${key}' (tail: ${key.slice(-SECRET.length)})`);
    },
    // echoes the key in a HoloconfError of its own
    echoHolo: (key: string) => {
      throw new ResolverError(`rejected ${key}`, { help: `try another than ${key}` });
    },
    // bare not-found
    missing: () => {
      throw new NotFoundError();
    },
    never: (_k: string, call: { signal: AbortSignal }) =>
      new Promise((_r, reject) =>
        call.signal.addEventListener("abort", () => reject(call.signal.reason))
      ),
  };
}

async function caught(p: Promise<unknown>): Promise<HoloconfError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof HoloconfError, `not a HoloconfError: ${e}`);
    return e;
  }
  assert.fail("expected a rejection");
}

Deno.test("every error class extends HoloconfError with its code", () => {
  const cases: [HoloconfError, string][] = [
    [new ParseError("p"), "PARSE_ERROR"],
    [new ResolverError("r"), "RESOLVER_ERROR"],
    [new NotFoundError("n"), "NOT_FOUND"],
    [new PathNotFoundError(), "PATH_NOT_FOUND"],
    [new CircularReferenceError(["a", "a"]), "CIRCULAR_REFERENCE"],
    [new TypeCoercionError({ expected: "integer", got: "string" }), "TYPE_COERCION"],
    [new ValidationError([]), "VALIDATION_ERROR"],
    [new ResolveAllError([]), "RESOLVE_ALL_FAILED"],
  ];
  for (const [e, code] of cases) {
    assert.ok(e instanceof HoloconfError && e instanceof Error);
    assert.equal(e.code, code);
  }
  assert.ok(new NotFoundError() instanceof ResolverError);
});

Deno.test("the message layout is headline, Path, Source, detail, Help", async () => {
  const config = Config.loads("db:\n  password: ${nope:x}\n");
  const e = await caught(config.get("db.password"));
  assert.ok(e instanceof ResolverError);
  assert.equal(e.resolver, "nope");
  assert.equal(e.path, "db.password");
  assert.equal(e.source, "<string>:2:13");
  const lines = e.message.split("\n");
  assert.equal(lines[0], "Unknown resolver: nope");
  assert.equal(lines[1], "  Path: db.password");
  assert.equal(lines[2], "  Source: <string>:2:13");
  assert.match(lines.at(-1)!, /^ {2}Help: /);
});

Deno.test("a cycle error shows its chain as a detail line between Path and Help", async () => {
  const e = await caught(Config.loads("a: ${b}\nb: ${a}\n").get("a"));
  const lines = e.message.split("\n");
  assert.equal(lines[0], "Circular reference detected");
  assert.equal(lines[1], "  Path: a");
  assert.ok(lines.includes("  Chain: a → b → a"), e.message);
  assert.match(lines.at(-1)!, /^ {2}Help: .*circular/);
});

Deno.test("a HoloconfError thrown by a resolver passes through, gaining path, resolver and source", async () => {
  const thrown = new ResolverError("Vault sealed", { code: "VAULT_SEALED" });
  const config = Config.loads("a:\n  b: ${vault:x}\n", {
    resolvers: {
      vault: () => {
        throw thrown;
      },
    },
  });
  const e = await caught(config.get("a.b"));
  assert.equal(e, thrown);
  assert.equal(e.code, "VAULT_SEALED");
  assert.equal(e.path, "a.b");
  assert.equal(e.resolver, "vault");
  assert.equal(e.source, "<string>:2:6");
  assert.match(e.message, /^Vault sealed\n {2}Path: a\.b\n {2}Source: <string>:2:6/);
});

Deno.test("a HoloconfError that already names a path keeps it", async () => {
  const config = Config.loads("v: ${own:x}\n", {
    resolvers: {
      own: () => Promise.reject(new ParseError("bad input", { path: "elsewhere" })),
    },
  });
  const e = await caught(config.get("v"));
  assert.ok(e instanceof ParseError);
  assert.equal(e.path, "elsewhere");
  assert.equal(e.resolver, "own");
});

Deno.test("a bare NotFoundError becomes NOT_FOUND 'Resource not found: <key>'", async () => {
  const config = Config.loads("v: ${missing:the-key}\nw: ${nf:k2}\n", {
    resolvers: {
      ...resolvers(),
      nf: () => {
        throw new NotFoundError("no row in table");
      },
    },
  });
  const e = await caught(config.get("v"));
  assert.ok(e instanceof NotFoundError);
  assert.equal(e.code, "NOT_FOUND");
  assert.match(e.message, /^Resource not found: the-key\n/);
  assert.equal(e.path, "v");
  const w = await caught(config.get("w"));
  assert.match(w.message, /^Resource not found: k2/);
  assert.ok(w.message.includes("no row in table"), "its own text follows the headline");
});

Deno.test("any other thrown value becomes \"Resolver '<name>' error: <text>\" with the cause", async () => {
  const original = new TypeError("boom happened");
  const config = Config.loads("a: ${t:x}\nb: ${s:x}\nc: ${r:x}\n", {
    resolvers: {
      t: () => {
        throw original;
      },
      s: () => {
        throw "a plain string";
      },
      r: () => Promise.reject(new Error("rejected later")),
    },
  });
  const a = await caught(config.get("a"));
  assert.ok(a instanceof ResolverError);
  assert.match(a.message, /^Resolver 't' error: boom happened\n/);
  assert.equal(a.cause, original);
  assert.equal(a.resolver, "t");
  assert.equal(a.path, "a");
  const b = await caught(config.get("b"));
  assert.match(b.message, /^Resolver 's' error: a plain string/);
  assert.equal(b.cause, "a plain string");
  const c = await caught(config.get("c"));
  assert.match(c.message, /^Resolver 'r' error: rejected later/);
});

Deno.test("an unknown resolver is 'Unknown resolver: <name>' (names are case-sensitive)", async () => {
  const e = await caught(Config.loads("v: ${ENV:HOME}\n").get("v"));
  assert.ok(e instanceof ResolverError);
  assert.match(e.message, /^Unknown resolver: ENV\n/);
});

Deno.test("a malformed interpolation fails on access, not on load", async () => {
  const config = Config.loads("ok: 1\nbad: ${}\nopen: ${unclosed\n");
  assert.equal(await config.get("ok"), 1);
  const e = await caught(config.get("bad"));
  assert.ok(e instanceof ParseError);
  assert.match(e.message, /Empty interpolation expression/);
  assert.equal(e.path, "bad");
  const f = await caught(config.get("open"));
  assert.match(f.message, /Unexpected end of input in interpolation/);
});

// ------------------------------------------------------------------ no secret in messages

function assertNoSecret(e: Error): void {
  const texts = [e.message, String(e)];
  if (e instanceof HoloconfError) texts.push(e.headline, e.help ?? "", ...e.detail);
  for (const t of texts) assert.ok(!t.includes(SECRET), `secret leaked in: ${t}`);
  assert.ok(!e.message.includes("s3cr3t"), e.message);
}

Deno.test("a sensitive argument never appears in a wrapped plain Error message", async () => {
  const config = Config.loads("v: ${echo:${secret:}}\n", { resolvers: resolvers() });
  const e = await caught(config.get("v"));
  assert.match(e.message, /^Resolver 'echo' error: /);
  assert.ok(e.message.includes("[REDACTED]"));
  assertNoSecret(e);
});

Deno.test("a sensitive argument never appears in a resolver's own HoloconfError", async () => {
  const config = Config.loads("v: ${echoHolo:${secret:}}\n", { resolvers: resolvers() });
  const e = await caught(config.get("v"));
  assert.match(e.message, /^rejected \[REDACTED\]/);
  assertNoSecret(e);
});

Deno.test("a sensitive key never appears in 'Resource not found' or built-in not-found messages", async () => {
  const config = Config.loads("v: ${missing:${secret:}}\nw: ${env:${secret:}}\n", {
    resolvers: resolvers(),
  });
  const v = await caught(config.get("v"));
  assert.match(v.message, /^Resource not found: \[REDACTED\]/);
  assertNoSecret(v);
  const w = await caught(config.get("w"));
  assert.match(w.message, /^Environment variable not found: \[REDACTED\]/);
  assertNoSecret(w);
});

Deno.test("a sensitive kwarg value never appears in an error message", async () => {
  const config = Config.loads("v: ${kw:x,token=${secret:}}\n", {
    resolvers: {
      ...resolvers(),
      kw: (_k: string, call: { kwargs: Record<string, string> }) => {
        throw new Error(`token ${call.kwargs.token} refused`);
      },
    },
  });
  assertNoSecret(await caught(config.get("v")));
});

Deno.test("sensitive=true on an argument's source hides it from error messages", async () => {
  Deno.env.set("HOLOCONF_ERR_SECRET", SECRET);
  try {
    const config = Config.loads("v: ${echo:${env:HOLOCONF_ERR_SECRET,sensitive=true}}\n", {
      resolvers: resolvers(),
    });
    assertNoSecret(await caught(config.get("v")));
  } finally {
    Deno.env.delete("HOLOCONF_ERR_SECRET");
  }
});

Deno.test("a sensitive key never appears in a timeout message", async () => {
  const config = Config.loads("v: ${never:${secret:}}\n");
  config.registerResolver("secret", resolvers().secret);
  config.registerResolver("never", resolvers().never, { timeout: 5 });
  const e = await caught(config.get("v"));
  assert.equal(e.code, "RESOLVER_TIMEOUT");
  assertNoSecret(e);
});

Deno.test({
  name: "a sensitive part of a concatenated argument never appears in an error message",
  fn: async () => {
    const config = Config.loads("v: ${echo:user-${secret:}}\n", { resolvers: resolvers() });
    assertNoSecret(await caught(config.get("v")));
  },
});

Deno.test("the redacted argument text is still redacted when the resolver echoes it whole", async () => {
  const config = Config.loads("v: ${echoHolo:user-${secret:}}\n", { resolvers: resolvers() });
  const e = await caught(config.get("v"));
  assert.match(e.message, /^rejected \[REDACTED\]/);
  assertNoSecret(e);
});

Deno.test({
  name: "a not-found error from a sensitive key does not serialize the key",
  fn: async () => {
    const config = Config.loads("v: ${missing:${secret:}}\n", { resolvers: resolvers() });
    const e = await caught(config.get("v"));
    assert.ok(!JSON.stringify(e).includes(SECRET), JSON.stringify(e));
  },
});

Deno.test("ValidationError and ResolveAllError lines end with the value's file:line:column", () => {
  const issue = {
    pointer: "/db/port",
    path: "db.port",
    message: "must be integer",
    kind: "schema" as const,
    code: "type",
  };
  const v = new ValidationError([
    { ...issue, source: "app.yaml:3:9" },
    { ...issue, pointer: "", path: "", message: "must have required property 'a'" },
  ]);
  assert.deepEqual(v.detail, [
    "/db/port: must be integer (at app.yaml:3:9)",
    "must have required property 'a'",
  ]);
  const error = new ResolverError("Environment variable not found: X", { path: "db.port" });
  const r = new ResolveAllError([
    { path: "db.port", error, source: "app.yaml:3:9" },
    { path: "db.host", error },
  ]);
  assert.deepEqual(r.detail, [
    "db.port: Environment variable not found: X (at app.yaml:3:9)",
    "db.host: Environment variable not found: X",
  ]);
});

Deno.test("ResolveAllError lists failures without secrets", async () => {
  const config = Config.loads("a: ${echo:${secret:}}\nb: ok\n", { resolvers: resolvers() });
  const e = await caught(config.resolveAll());
  assert.ok(e instanceof ResolveAllError);
  assertNoSecret(e);
  for (const f of e.failures) assertNoSecret(f.error);
});

Deno.test("a typed getter never shows a sensitive value", async () => {
  const config = Config.loads("v: ${secret:}\n", { resolvers: resolvers() });
  const e = await caught(config.getInt("v"));
  assert.ok(e instanceof TypeCoercionError);
  assert.match(e.message, /Got: string \(\[REDACTED\]\)/);
  assertNoSecret(e);
});

Deno.test({
  name: "a reference whose target comes from a sensitive value never shows it",
  fn: async () => {
    const config = Config.loads("v: ${ref:${secret:}}\n", { resolvers: resolvers() });
    assertNoSecret(await caught(config.get("v")));
  },
});
