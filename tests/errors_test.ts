// Tests of the error family as users meet it (SPEC §5.8, §11): how resolver failures are
// wrapped, the message layout, and that no error message ever carries a sensitive value.

import assert from "node:assert/strict";
import {
  CircularReferenceError,
  Config,
  type ErrorCode,
  HoloconfError,
  isErrorCode,
  NotFoundError,
  ParseError,
  PathNotFoundError,
  ResolveAllError,
  ResolvedValue,
  ResolverError,
  TypeCoercionError,
  ValidationError,
} from "../mod.ts";
import { assertNotShown } from "./_error_views.ts";
import { rejectionOf, until } from "./_async.ts";
import { installFakeClock } from "./_fake_clock.ts";

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
  const e = await rejectionOf(p);
  assert.ok(e instanceof HoloconfError, `not a HoloconfError: ${e}`);
  return e;
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

Deno.test("codes form a closed set: a code that is not an ErrorCode becomes the class's default", () => {
  assert.ok(isErrorCode("RESOLVER_TIMEOUT"));
  for (const other of ["VAULT_SEALED", "ENOENT", "", "toString", "__proto__", 42, undefined]) {
    assert.equal(isErrorCode(other), false, String(other));
  }
  // Only untyped JavaScript can pass such a code.
  const bogus = "VAULT_SEALED" as unknown as ErrorCode;
  assert.equal(new ResolverError("r", { code: bogus }).code, "RESOLVER_ERROR");
  assert.equal(new NotFoundError("n", { code: bogus }).code, "NOT_FOUND");
  assert.equal(new HoloconfError("h", { code: bogus }).code, "HOLOCONF_ERROR");
  assert.equal(new CircularReferenceError(["a", "a"], { code: bogus }).code, "CIRCULAR_REFERENCE");
  // An explicit `undefined` keeps the class's default too.
  assert.equal(new ParseError("p", { code: undefined }).code, "PARSE_ERROR");
  // A known code given on purpose is kept.
  assert.equal(new ResolverError("r", { code: "HTTP_ERROR" }).code, "HTTP_ERROR");
});

type ErrorModule = typeof import("../src/errors.ts");

/**
 * The error classes of a second copy of holoconf, loaded from another URL (typed as this copy's:
 * the compiler, too, tells the two copies' classes apart).
 */
async function secondCopy(): Promise<ErrorModule> {
  const copy = await import("../src/errors.ts?copy=2") as unknown as ErrorModule;
  assert.notEqual(copy.ResolverError, ResolverError, "a separate copy of the module");
  return copy;
}

/** One error of each class of a copy, by class name. */
function oneOfEach(m: ErrorModule): [keyof ErrorModule, HoloconfError][] {
  return [
    ["HoloconfError", new m.HoloconfError("h")],
    ["ParseError", new m.ParseError("p")],
    ["ResolverError", new m.ResolverError("r")],
    ["NotFoundError", new m.NotFoundError("n")],
    ["PathNotFoundError", new m.PathNotFoundError()],
    ["CircularReferenceError", new m.CircularReferenceError(["a", "a"])],
    ["TypeCoercionError", new m.TypeCoercionError({ expected: "integer", got: "x" })],
    ["ValidationError", new m.ValidationError([])],
    ["ResolveAllError", new m.ResolveAllError([])],
  ];
}

Deno.test("instanceof recognises errors of another copy of holoconf, class by class", async () => {
  const one = await import("../src/errors.ts");
  const two = await secondCopy();
  const directions: [ErrorModule, ErrorModule][] = [[two, one], [one, two]];
  for (const [from, to] of directions) {
    for (const [name, e] of oneOfEach(from)) {
      const own = from[name] as abstract new (...args: never[]) => unknown;
      const other = to[name] as abstract new (...args: never[]) => unknown;
      assert.ok(e instanceof own, `${name} of its own copy`);
      assert.ok(e instanceof other, `${name} of the other copy`);
      assert.ok(e instanceof to.HoloconfError && e instanceof Error, name);
    }
  }
  // Parents, not siblings or subclasses.
  const notFound = new two.NotFoundError("n");
  assert.ok(notFound instanceof ResolverError);
  assert.ok(!(notFound instanceof ParseError));
  assert.ok(!(notFound instanceof PathNotFoundError));
  assert.ok(!(new two.ResolverError("r") instanceof NotFoundError));
  assert.ok(!(new two.HoloconfError("h") instanceof ResolverError));
  // Nothing else is a holoconf error: a plain error, a look-alike, a hostile proxy.
  assert.ok(!(new Error("x") instanceof HoloconfError));
  assert.ok(!({ code: "NOT_FOUND", headline: "x" } instanceof NotFoundError));
  const hostile = new Proxy({}, {
    get() {
      throw new Error("trap");
    },
  });
  assert.ok(!(hostile instanceof ResolverError));
});

Deno.test("a subclass declared outside holoconf is checked the ordinary way", async () => {
  const two = await secondCopy();
  class VaultError extends ResolverError {}
  assert.ok(new VaultError("v") instanceof VaultError);
  assert.ok(new VaultError("v") instanceof ResolverError);
  assert.ok(new VaultError("v") instanceof two.ResolverError);
  assert.ok(!(new ResolverError("r") instanceof VaultError));
  assert.ok(!(new two.ResolverError("r") instanceof VaultError));
});

Deno.test("a NotFoundError from another copy of holoconf lets default= apply", async () => {
  const two = await secondCopy();
  const config = Config.loads("a: ${vault:x,default=fallback}\nb: ${vault:y}\n", {
    resolvers: {
      vault: () => {
        throw new two.NotFoundError("no such entry");
      },
    },
  });
  assert.equal(await config.get("a"), "fallback");
  const e = await caught(config.get("b"));
  assert.ok(e instanceof NotFoundError);
  assert.equal(e.code, "NOT_FOUND");
  assert.equal(e.headline, "Resource not found: y");
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
  const thrown = new ResolverError("Vault sealed", { code: "HTTP_ERROR" });
  const config = Config.loads("a:\n  b: ${vault:x}\n", {
    resolvers: {
      vault: () => {
        throw thrown;
      },
    },
  });
  const e = await caught(config.get("a.b"));
  assert.equal(e, thrown);
  assert.equal(e.code, "HTTP_ERROR");
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
  assert.match(e.message, /^Resolver 'echo' error: Error \(message hidden: /);
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
  using clock = installFakeClock();
  const failed = caught(config.get("v"));
  await until(() => clock.pending().includes(5)); // the call started, its timer is armed
  await clock.advance(5);
  const e = await failed;
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

// ------------------------------------------- errors crossing the resolver boundary (issue 12)

/** A secret whose URL encoding differs from it; set as HOLOCONF_ERR_TOK for these tests. */
const TOK = "Tok en/s3cr3t?x=1";
const TOK_VAR = "HOLOCONF_ERR_TOK";

/** `v: ${<name>:${env:TOK,sensitive=true}}` with `resolver` registered as `<name>`. */
async function sensitiveFailure(
  resolver: (key: string) => unknown,
  extra = "",
): Promise<{ config: Config; error: HoloconfError }> {
  Deno.env.set(TOK_VAR, TOK);
  try {
    const config = Config.loads(`v: \${vault:\${env:${TOK_VAR},sensitive=true}${extra}}\n`, {
      resolvers: { vault: resolver },
    });
    return { config, error: await caught(config.get("v")) };
  } finally {
    Deno.env.delete(TOK_VAR);
  }
}

Deno.test("with a sensitive input, a foreign error's text is dropped whatever its shape; its name stays", async () => {
  const cases: [string, (key: string) => unknown, string][] = [
    ["a thrown string", (k) => {
      throw `no ${k}`;
    }, "Error"],
    ["a plain object", (k) => {
      throw { key: k, message: `no ${k}` };
    }, "Error"],
    ["a cause chain", (k) => {
      throw new Error("outer", { cause: new TypeError(`inner ${k}`, { cause: k }) });
    }, "Error"],
    ["an AggregateError", (k) => {
      throw new AggregateError([new Error(k), k], `all of ${k}`);
    }, "AggregateError"],
    ["an extra own field", (k) => {
      throw Object.assign(new RangeError("bad key"), { key: k });
    }, "RangeError"],
    ["an upper-cased key", (k) => {
      throw new Error(`no ${k.toUpperCase()}`);
    }, "Error"],
    [
      "a URL-encoded key",
      (k) => Promise.reject(new Error(`GET /v1/${encodeURIComponent(k)}`)),
      "Error",
    ],
    ["a code", (k) => {
      throw Object.assign(new Error(`open ${k}`), { code: "ENOENT" });
    }, "ENOENT"],
  ];
  for (const [what, resolver, name] of cases) {
    const { error } = await sensitiveFailure(resolver);
    assert.ok(error instanceof ResolverError, what);
    assert.equal(error.code, "RESOLVER_FAILED", what);
    assert.equal(
      error.headline,
      `Resolver 'vault' error: ${name} (message hidden: an input of the call was sensitive)`,
      what,
    );
    assert.ok(error.cause instanceof Error && error.cause.name === name, what);
    assertNotShown(error, [TOK], what);
  }
});

Deno.test("with a sensitive input, a cause chain becomes name-only stand-ins", async () => {
  const { error } = await sensitiveFailure((k) => {
    throw new Error(`outer ${k}`, { cause: new TypeError(`inner ${k}`) });
  });
  const names: string[] = [];
  for (let c: unknown = error.cause; c instanceof Error; c = c.cause) names.push(c.name);
  assert.deepEqual(names, ["Error", "TypeError"]);
  assertNotShown(error, [TOK]);
});

Deno.test("with a sensitive input, a resolver's HoloconfError is rebuilt: same class and code, redacted text, nothing else", async () => {
  class VaultError extends ResolverError {
    key: string;
    constructor(key: string) {
      super(`vault entry ${key} (${key.toUpperCase()}, ${encodeURIComponent(key)}) is sealed`, {
        code: "HTTP_ERROR",
        help: `unseal ${key}`,
        detail: [`asked for ${key}`],
        cause: new Error(`sealed at ${key}`),
      });
      this.key = key;
    }
  }
  let thrown: VaultError | undefined;
  const { error } = await sensitiveFailure((k) => {
    thrown = new VaultError(k);
    void thrown.stack; // a stack read early keeps the text of that moment
    throw thrown;
  });
  assert.ok(error instanceof VaultError);
  assert.notEqual(error, thrown);
  assert.equal(error.name, "VaultError");
  assert.equal(error.code, "HTTP_ERROR");
  assert.equal(
    error.headline,
    "vault entry [REDACTED] ([REDACTED], [REDACTED]) is sealed",
  );
  assert.deepEqual(error.detail, ["asked for [REDACTED]"]);
  assert.equal(error.help, "unseal [REDACTED]");
  assert.equal(error.path, "v");
  assert.equal(error.resolver, "vault");
  assert.ok(!Object.hasOwn(error, "key"), "no own field the class did not declare");
  assert.ok(error.cause instanceof Error && error.cause.name === "Error");
  assertNotShown(error, [TOK]);
});

Deno.test("with a sensitive input, every holoconf error class keeps its class and code and shows no secret", async () => {
  const k = TOK;
  const classes: [string, () => HoloconfError][] = [
    [
      "HoloconfError",
      () => new HoloconfError(`h ${k}`, { code: "SCHEMA_NOT_READY", path: k, help: k }),
    ],
    ["ResolverError", () => new ResolverError(`r ${k}`, { resolver: k, source: k })],
    ["NotFoundError", () => new NotFoundError(`n ${k}`, { resource: k, detail: k })],
    ["ParseError", () => new ParseError(`p ${k}`, { path: k, line: 1, column: 2 })],
    ["PathNotFoundError", () => new PathNotFoundError(`x ${k}`, { path: k })],
    ["CircularReferenceError", () => new CircularReferenceError([k, "a", k])],
    ["TypeCoercionError", () => new TypeCoercionError({ path: k, expected: k, got: k })],
    [
      "ValidationError",
      () =>
        new ValidationError([{ pointer: `/${k}`, path: k, message: k, kind: "schema", code: k }]),
    ],
    [
      "ResolveAllError",
      () => new ResolveAllError([{ path: k, error: new ResolverError(k, { path: k }) }]),
    ],
  ];
  for (const [name, make] of classes) {
    const original = make();
    const { error } = await sensitiveFailure(() => {
      throw make();
    });
    assert.equal(error.constructor, original.constructor, name);
    assert.equal(error.name, name);
    assert.equal(error.code, original.code, name);
    assertNotShown(error, [TOK], name);
  }
});

Deno.test("with a sensitive input, a NotFoundError stays one: default= applies and the key stays hidden", async () => {
  const missing = (k: string) => {
    throw new NotFoundError(`no row for ${k.toUpperCase()}`);
  };
  const { error } = await sensitiveFailure(missing);
  assert.ok(error instanceof NotFoundError);
  assert.equal(error.code, "NOT_FOUND");
  assert.equal(error.headline, "Resource not found: [REDACTED]");
  assert.equal(error.resource, "[REDACTED]");
  assert.deepEqual(error.detail, ["no row for [REDACTED]"]);
  assertNotShown(error, [TOK]);
  Deno.env.set(TOK_VAR, TOK);
  try {
    const config = Config.loads(
      `v: \${vault:\${env:${TOK_VAR},sensitive=true},default=fallback}\n`,
      { resolvers: { vault: missing } },
    );
    assert.equal(await config.get("v"), "fallback");
  } finally {
    Deno.env.delete(TOK_VAR);
  }
});

Deno.test("a resolver throwing a value that cannot be read or printed gives a ResolverError, with or without a sensitive input", async () => {
  const unreadable: [string, () => unknown][] = [
    ["Object.create(null)", () => Object.create(null)],
    ["a revoked Proxy", () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    }],
    ["throwing getters", () => ({
      get message(): string {
        throw new Error("message getter");
      },
      get name(): string {
        throw new Error("name getter");
      },
      get toString(): () => string {
        throw new Error("toString getter");
      },
    })],
  ];
  for (const [what, make] of unreadable) {
    for (const sensitive of [false, true]) {
      Deno.env.set(TOK_VAR, TOK);
      try {
        const arg = sensitive ? `\${env:${TOK_VAR},sensitive=true}` : "key";
        const config = Config.loads(`v: \${bad:${arg}}\n`, {
          resolvers: {
            bad: () => {
              throw make();
            },
          },
        });
        const e = await caught(config.get("v"));
        assert.ok(e instanceof ResolverError, `${what}, sensitive=${sensitive}`);
        assert.equal(e.code, "RESOLVER_FAILED");
        assert.match(e.headline, /^Resolver 'bad' error: /);
        // Printing it works (a revoked proxy kept as `cause` would make inspect throw).
        assertNotShown(e, [TOK], what);
        await assert.rejects(config.resolveAll(), ResolveAllError);
      } finally {
        Deno.env.delete(TOK_VAR);
      }
    }
  }
});
