// Tests of resolver registration (SPEC §1, §7): the process-wide registry, per-config
// resolvers and their precedence, force, reserved names, object form and options.

import assert from "node:assert/strict";
import {
  Config,
  registerResolver,
  ResolvedValue,
  ResolverError,
  unregisterResolver,
} from "../mod.ts";
import { globalRegistry, ResolverRegistry } from "../src/registry.ts";

/** Registers a global resolver for the duration of `fn`. */
async function withGlobal(
  name: string,
  resolver: Parameters<typeof registerResolver>[1],
  fn: () => Promise<void> | void,
  options: Parameters<typeof registerResolver>[2] = {},
): Promise<void> {
  registerResolver(name, resolver, options);
  try {
    await fn();
  } finally {
    unregisterResolver(name);
  }
}

Deno.test("a globally registered resolver is used by every config", async () => {
  await withGlobal("regtest_up", (k: string) => k.toUpperCase(), async () => {
    assert.equal(await Config.loads("v: ${regtest_up:abc}\n").get("v"), "ABC");
    assert.equal(await Config.loads("w: x-${regtest_up:d}\n").get("w"), "x-D");
  });
});

Deno.test("unregisterResolver() removes a global resolver", async () => {
  registerResolver("regtest_gone", () => 1);
  unregisterResolver("regtest_gone");
  await assert.rejects(
    Config.loads("v: ${regtest_gone:x}\n").get("v"),
    /Unknown resolver: regtest_gone/,
  );
  unregisterResolver("regtest_gone"); // removing a missing name is harmless
});

Deno.test("registering a taken global name throws 'already registered' unless force", async () => {
  await withGlobal("regtest_dup", () => "first", async () => {
    assert.throws(
      () => registerResolver("regtest_dup", () => "second"),
      (e: unknown) => {
        assert.ok(e instanceof ResolverError);
        assert.match(e.message, /already registered/);
        return true;
      },
    );
    assert.equal(await Config.loads("v: ${regtest_dup:x}\n").get("v"), "first");
    registerResolver("regtest_dup", () => "second", { force: true });
    assert.equal(await Config.loads("v: ${regtest_dup:x}\n").get("v"), "second");
  });
});

Deno.test("built-in names are taken: registering env without force throws", () => {
  assert.throws(() => registerResolver("env", () => "x"), /already registered/);
  assert.ok(globalRegistry().get("env"));
});

Deno.test("ref cannot be overridden, globally, per config or with force", () => {
  assert.throws(() => registerResolver("ref", () => "x"), ResolverError);
  assert.throws(() => registerResolver("ref", () => "x", { force: true }), ResolverError);
  const config = Config.loads("a: 1\nv: ${ref:a}\n");
  assert.throws(() => config.registerResolver("ref", () => "x"), ResolverError);
  assert.throws(() => Config.loads("a: 1\n", { resolvers: { ref: () => "x" } }), ResolverError);
  assert.equal(config.getSync("v"), 1);
});

Deno.test("LoadOptions.resolvers override a global resolver of the same name", async () => {
  await withGlobal("regtest_prec", () => "global", async () => {
    const local = Config.loads("v: ${regtest_prec:x}\n", {
      resolvers: { regtest_prec: () => "local" },
    });
    const other = Config.loads("v: ${regtest_prec:x}\n");
    assert.equal(await local.get("v"), "local");
    assert.equal(await other.get("v"), "global", "per-config resolvers do not leak");
  });
});

Deno.test("config.registerResolver overrides a global one without force, only for that config", async () => {
  await withGlobal("regtest_cfg", () => "global", async () => {
    const config = Config.loads("v: ${regtest_cfg:x}\n");
    config.registerResolver("regtest_cfg", () => "mine");
    assert.equal(await config.get("v"), "mine");
    assert.equal(await Config.loads("v: ${regtest_cfg:x}\n").get("v"), "global");
  });
});

Deno.test("config.registerResolver needs force to replace its own resolver", async () => {
  const config = Config.loads("v: ${mine:x}\n", { resolvers: { mine: () => "one" } });
  assert.throws(() => config.registerResolver("mine", () => "two"), /already registered/);
  config.registerResolver("mine", () => "two", { force: true });
  assert.equal(await config.get("v"), "two");
});

Deno.test("a per-config resolver can override a built-in", async () => {
  const config = Config.loads("v: ${env:ANYTHING}\n", {
    resolvers: { env: (k: string) => `fake-${k}` },
  });
  assert.equal(await config.get("v"), "fake-ANYTHING");
});

Deno.test("the object form { resolve } works globally and per config", async () => {
  const obj = {
    prefix: "p-",
    resolve(this: { prefix: string }, key: string) {
      return this.prefix + key;
    },
  };
  await withGlobal("regtest_obj", obj, async () => {
    assert.equal(await Config.loads("v: ${regtest_obj:k}\n").get("v"), "p-k");
  });
  const config = Config.loads("v: ${o:k}\n", { resolvers: { o: obj } });
  assert.equal(await config.get("v"), "p-k", "resolve() keeps its this");
});

Deno.test("registerResolver(..., { sensitive: true }) marks every value sensitive", async () => {
  await withGlobal("regtest_secret", (k: string) => `s-${k}`, async () => {
    const config = Config.loads("v: ${regtest_secret:k}\nlit: plain\n");
    assert.equal(await config.get("v"), "s-k");
    assert.deepEqual(await config.toObject({ redact: true }), { v: "[REDACTED]", lit: "plain" });
  }, { sensitive: true });
});

Deno.test("a ResolvedValue's own sensitivity marks the value", async () => {
  const config = Config.loads("v: ${r:k}\nw: ${r:public}\n", {
    resolvers: { r: (k: string) => new ResolvedValue(k, { sensitive: k !== "public" }) },
  });
  assert.deepEqual(await config.toObject({ redact: true }), { v: "[REDACTED]", w: "public" });
});

Deno.test("registration rejects invalid names, resolvers and timeouts", () => {
  assert.throws(() => registerResolver("bad name", () => 1), ResolverError);
  assert.throws(() => registerResolver("bad:name", () => 1), ResolverError);
  assert.throws(
    () => registerResolver("regtest_bad", {} as unknown as Parameters<typeof registerResolver>[1]),
    ResolverError,
  );
  assert.throws(() => registerResolver("regtest_bad", () => 1, { timeout: -1 }), RangeError);
  assert.equal(globalRegistry().get("regtest_bad"), undefined);
});

Deno.test("a batchSize that is not a positive integer is refused at registration, naming it", () => {
  const resolveMany = (keys: string[]) => Promise.resolve(keys);
  for (const bad of [NaN, 0, -1, 2.5, Infinity, "10" as unknown as number]) {
    const obj = { resolve: (k: string) => k, resolveMany, batchSize: bad };
    assert.throws(
      () => registerResolver("regtest_batch", obj),
      (e: unknown) => e instanceof RangeError && e.message.includes(String(bad)),
      `global: ${bad}`,
    );
    assert.throws(
      () => Config.loads("a: 1\n", { resolvers: { many: obj } }),
      (e: unknown) => e instanceof RangeError && e.message.includes("batchSize"),
      `per config: ${bad}`,
    );
    assert.throws(() => Config.loads("a: 1\n").registerResolver("many", obj), RangeError);
  }
  assert.equal(globalRegistry().get("regtest_batch"), undefined);
  assert.throws(
    () =>
      registerResolver("regtest_batch", {
        resolve: (k: string) => k,
        resolveMany: "yes" as unknown as typeof resolveMany,
      }),
    ResolverError,
  );
  const r = new ResolverRegistry();
  r.register("a", { resolve: (k: string) => k, resolveMany, batchSize: 3 });
  r.register("b", { resolve: (k: string) => k, resolveMany });
  assert.equal(r.get("a")?.batchSize, 3);
  assert.equal(r.get("b")?.batchSize, 10, "the default group size");
});

Deno.test("a batchSize changed after registration does not change the group size", async () => {
  const batches: string[][] = [];
  const obj = {
    resolve: (k: string) => k,
    resolveMany: (keys: string[]) => {
      batches.push(keys);
      return Promise.resolve(keys);
    },
    batchSize: 2,
  };
  const config = Config.loads("a: ${many:1}\nb: ${many:2}\nc: ${many:3}\n", {
    resolvers: { many: obj },
  });
  obj.batchSize = NaN;
  assert.deepEqual(await config.resolveAll(), { a: "1", b: "2", c: "3" });
  assert.deepEqual(batches.map((b) => b.length).sort(), [1, 2]);
});

Deno.test("names with letters, digits, '_' and '-' (any script) are valid", async () => {
  const config = Config.loads("a: ${my-res_2:x}\nb: ${résolveur:y}\n", {
    resolvers: { "my-res_2": (k: string) => `1${k}`, "résolveur": (k: string) => `2${k}` },
  });
  assert.deepEqual(await config.toObject({ resolve: true }), { a: "1x", b: "2y" });
});

Deno.test("ResolverRegistry keeps registration options", () => {
  const r = new ResolverRegistry();
  const fn = () => 1;
  r.register("a", fn, { timeout: 50, sensitive: true, ttl: 1000, maxStale: 0 });
  r.register("b", { resolve: fn });
  assert.deepEqual(r.names(), ["a", "b"]);
  assert.deepEqual(r.get("a"), {
    name: "a",
    resolver: fn,
    timeout: 50,
    live: { ttl: 1000, maxStale: 0 },
    sensitive: true,
    network: false,
    batchSize: undefined,
    params: undefined,
    settingsSpec: [],
  });
  assert.equal(r.get("b")?.sensitive, false);
  assert.equal(r.unregister("a"), true);
  assert.equal(r.unregister("a"), false);
});

Deno.test("params are taken from the options, else from the object, with defaults applied", () => {
  const r = new ResolverRegistry();
  const fn = () => 1;
  r.register("fn", fn, { params: { keywords: ["x"] } });
  r.register("obj", { resolve: fn, params: { positional: 0 } });
  r.register("both", { resolve: fn, params: { keywords: ["a"] } }, {
    params: { positional: Infinity, keywords: ["b"] },
  });
  r.register("none", { resolve: fn });
  assert.deepEqual(r.get("fn")?.params, { positional: 1, keywords: ["x"] });
  assert.deepEqual(r.get("obj")?.params, { positional: 0, keywords: [] });
  assert.deepEqual(r.get("both")?.params, { positional: Infinity, keywords: ["b"] });
  assert.equal(r.get("none")?.params, undefined);
});

Deno.test("params are copied at registration: a later change to the declaration has no effect", () => {
  const r = new ResolverRegistry();
  const keywords = ["x"];
  r.register("fn", () => 1, { params: { keywords } });
  keywords.push("y");
  assert.deepEqual(r.get("fn")?.params?.keywords, ["x"]);
});

Deno.test("bad params are refused at registration", () => {
  const r = new ResolverRegistry();
  for (const positional of [-1, 1.5, NaN]) {
    assert.throws(() => r.register("p", () => 1, { params: { positional } }), RangeError);
  }
  for (const keywords of [["a b"], ["x="], [""], [5]] as unknown as string[][]) {
    assert.throws(
      () => r.register("k", { resolve: () => 1, params: { keywords } }),
      (e: unknown) => e instanceof ResolverError && e.code === "RESOLVER_INVALID",
    );
  }
  assert.deepEqual(r.names(), []);
});

Deno.test("keywords and settings group keys may use letters and digits of any script", () => {
  const r = new ResolverRegistry();
  r.register("k", {
    resolve: () => 1,
    params: { keywords: ["délai", "x_2", "名前"] },
    settingsSpec: [{ key: "réglages-٣", fields: { x: { type: "string" } } }],
  });
  assert.deepEqual(r.get("k")?.params?.keywords, ["délai", "x_2", "名前"]);
  assert.deepEqual(r.settingsSpecOf("k").map((g) => g.key), ["réglages-٣"]);
  // Outside letters, digits, "_" (and "-" in names) of any script: refused.
  for (const keywords of [["a·b"], ["é-x"], ["x\u00a0"]]) {
    assert.throws(
      () => r.register("bad", { resolve: () => 1, params: { keywords } }),
      { code: "RESOLVER_INVALID" },
      keywords[0],
    );
  }
  assert.throws(() => r.register("a·b", () => 1), { code: "RESOLVER_INVALID" });
});

Deno.test("batching hooks that are not functions are refused at registration", () => {
  const r = new ResolverRegistry();
  for (const hook of ["resolveMany", "batchGroup", "identity", "requestKey"]) {
    assert.throws(
      () =>
        r.register("h", { resolve: () => 1, resolveMany: () => Promise.resolve([]), [hook]: "x" }),
      (e: unknown) =>
        e instanceof ResolverError && e.code === "RESOLVER_INVALID" &&
        e.message.includes(`${hook} must be a function`),
      hook,
    );
  }
  assert.deepEqual(r.names(), []);
});

Deno.test("settingsSpec is checked and copied at registration, frozen", () => {
  const r = new ResolverRegistry();
  const fields: Record<string, { type: "string" | "boolean"; secret?: boolean }> = {
    token: { type: "string", secret: true },
  };
  r.register("v", { resolve: () => 1, settingsSpec: [{ key: "vault", fields }] });
  fields.extra = { type: "boolean" };
  const spec = r.get("v")!.settingsSpec;
  assert.deepEqual(spec.map((g) => ({ key: g.key, fields: { ...g.fields } })), [
    { key: "vault", fields: { token: { type: "string", secret: true } } },
  ]);
  assert.ok(Object.isFrozen(spec) && Object.isFrozen(spec[0]) && Object.isFrozen(spec[0]!.fields));
  // Function resolvers and objects without a declaration read no settings.
  r.register("f", () => 1);
  assert.deepEqual(r.get("f")!.settingsSpec, []);
});

Deno.test("bad settingsSpec declarations are refused at registration", () => {
  const r = new ResolverRegistry();
  const bad: unknown[] = [
    { key: "g" },
    [{ key: "a b", fields: {} }],
    [{ key: "g" }],
    [{ key: "g", fields: { "bad name": { type: "string" } } }],
    [{ key: "g", fields: { toJSON: { type: "string" } } }],
    // The lifetime fields every group takes are the framework's.
    [{ key: "g", fields: { ttl: { type: "string" } } }],
    [{ key: "g", fields: { maxStale: { type: "string" } } }],
    [{ key: "g", fields: { x: { type: "number" } } }],
    [{ key: "g", fields: { x: {} } }],
    [{ key: "g", fields: { x: { type: "string", secret: "yes" } } }],
  ];
  for (const settingsSpec of bad) {
    assert.throws(
      () => r.register("s", { resolve: () => 1, settingsSpec } as never),
      (e: unknown) => e instanceof ResolverError && e.code === "RESOLVER_INVALID",
      JSON.stringify(settingsSpec),
    );
  }
  assert.deepEqual(r.names(), []);
});

Deno.test("the global registry is one per process", () => {
  assert.equal(globalRegistry(), globalRegistry());
  const key = Symbol.for("holoconf.registry");
  assert.equal((globalThis as unknown as Record<symbol, unknown>)[key], globalRegistry());
});

// --- lazy registration (built-ins loaded on first use) ------------------------------------

Deno.test("a lazily registered resolver loads on first use; getSync needs it loaded", async () => {
  let loads = 0;
  const gate = Promise.withResolvers<void>();
  globalRegistry().registerLazy("regtest_lazy", async () => {
    loads++;
    await gate.promise;
    return { resolve: (key: string) => `lazy-${key}`, synchronous: true };
  });
  try {
    assert.equal(loads, 0, "registering loads nothing");
    assert.equal(globalRegistry().get("regtest_lazy"), undefined);
    assert.ok(globalRegistry().has("regtest_lazy"));
    const config = Config.loads("v: ${regtest_lazy:a}\nw: ${regtest_lazy:b}\n");
    assert.throws(() => config.getSync("v"), { code: "ASYNC_RESOLUTION_REQUIRED" });
    const both = Promise.all([config.get("v"), config.get("w")]);
    gate.resolve();
    assert.deepEqual(await both, ["lazy-a", "lazy-b"]);
    assert.equal(loads, 1, "one load for every caller");
    assert.equal(Config.loads("x: ${regtest_lazy:c}\n").getSync("x"), "lazy-c");
    assert.equal(loads, 1);
  } finally {
    unregisterResolver("regtest_lazy");
  }
});

Deno.test("a lazily registered resolver's declared traits are known before it loads: offline refuses it unloaded", async () => {
  let loads = 0;
  const load = () => {
    loads++;
    return Promise.resolve({ network: true, resolve: () => "remote" });
  };
  const r = new ResolverRegistry();
  r.registerLazy("net", load, { declares: { network: true, sensitive: true } });
  r.registerLazy("plain", load);
  r.registerLazy("forced", load, { declares: { network: true, sensitive: true }, network: false });
  assert.deepEqual(r.declared("net"), { network: true, sensitive: true });
  assert.deepEqual(r.declared("plain"), { network: false, sensitive: false });
  assert.deepEqual(r.declared("forced"), { network: false, sensitive: true }, "options win");
  assert.equal(r.declared("none"), undefined);
  globalRegistry().registerLazy("regtest_lazy_net", load, {
    declares: { network: true, sensitive: false },
  });
  try {
    const config = Config.loads("v: ${regtest_lazy_net:a}\n", { offline: true });
    assert.throws(() => config.getSync("v"), { code: "OFFLINE", path: "v" });
    await assert.rejects(config.get("v"), { code: "OFFLINE", path: "v" });
    assert.equal(loads, 0, "refused without loading its module");
    assert.equal(await Config.loads("v: ${regtest_lazy_net:a}\n").get("v"), "remote");
    assert.deepEqual(globalRegistry().declared("regtest_lazy_net"), {
      network: true,
      sensitive: false,
    });
  } finally {
    unregisterResolver("regtest_lazy_net");
  }
});

Deno.test("a failed load is a ResolverError with its cause, per caller, and the next use loads again", async () => {
  let loads = 0;
  const cause = new Error("module missing");
  globalRegistry().registerLazy("regtest_lazy_fail", () => {
    loads++;
    return loads === 1 ? Promise.reject(cause) : Promise.resolve((key: string) => key);
  });
  try {
    const config = Config.loads("v: ${regtest_lazy_fail:a}\nw: ${regtest_lazy_fail:b}\n");
    const failed = (path: string) => config.get(path).then(() => undefined, (e: unknown) => e);
    const [v, w] = await Promise.all([failed("v"), failed("w")]);
    assert.equal(loads, 1);
    for (const [error, path] of [[v, "v"], [w, "w"]] as const) {
      assert.ok(error instanceof ResolverError, String(error));
      assert.equal(error.resolver, "regtest_lazy_fail");
      assert.match(error.message, /Resolver 'regtest_lazy_fail' could not be loaded/);
      assert.equal(error.cause, cause);
      assert.equal(error.path, path);
      assert.match(error.source ?? "", /^<string>:\d+:\d+$/);
    }
    assert.equal(await config.get("v"), "a");
    assert.equal(loads, 2);
  } finally {
    unregisterResolver("regtest_lazy_fail");
  }
});

Deno.test("a lazily registered resolver is checked once loaded: params, batch size, validity", async () => {
  const r = new ResolverRegistry();
  r.registerLazy("one", () =>
    Promise.resolve({
      resolve: () => 1,
      resolveMany: (keys: string[]) => Promise.resolve(keys),
      batchSize: 3,
      params: { keywords: ["k"] },
    }));
  const one = await r.lookup("one");
  assert.equal(one?.batchSize, 3);
  assert.deepEqual(one?.params, { positional: 1, keywords: ["k"] });
  assert.equal(r.lookup("one"), one, "once loaded, looked up synchronously");
  r.registerLazy("bad", () => Promise.resolve(42 as unknown as () => unknown));
  await assert.rejects(Promise.resolve(r.lookup("bad")), (e: unknown) => {
    assert.ok(e instanceof ResolverError);
    assert.equal((e.cause as ResolverError).code, "RESOLVER_INVALID");
    return true;
  });
});

Deno.test("registerLazy follows the registration rules; a newer registration made during the load stands", async () => {
  const r = new ResolverRegistry();
  const load = () => Promise.resolve(() => "lazy");
  assert.throws(() => r.registerLazy("ref", load), { code: "RESOLVER_RESERVED" });
  assert.throws(() => r.registerLazy("bad name", load), { code: "RESOLVER_INVALID" });
  assert.throws(() => r.registerLazy("t", load, { timeout: -1 }), RangeError);
  r.register("taken", () => "eager");
  assert.throws(() => r.registerLazy("taken", load), { code: "RESOLVER_ALREADY_REGISTERED" });
  r.registerLazy("lazy", load);
  assert.throws(() => r.register("lazy", () => 1), { code: "RESOLVER_ALREADY_REGISTERED" });
  const gate = Promise.withResolvers<() => string>();
  r.registerLazy("raced", () => gate.promise, { sensitive: true, timeout: 5 });
  const pending = r.lookup("raced");
  const replacement = () => "replacement";
  r.register("raced", replacement, { force: true });
  gate.resolve(() => "lazy");
  const loaded = await pending;
  assert.equal(loaded?.sensitive, true);
  assert.equal(loaded?.timeout, 5);
  assert.equal(r.get("raced")?.resolver, replacement);
  r.registerLazy("gone", load);
  const inFlight = r.lookup("gone");
  r.unregister("gone");
  await inFlight;
  assert.equal(r.has("gone"), false);
});

Deno.test("ResolverRegistry reads network from the object, RegisterOptions winning", () => {
  const r = new ResolverRegistry();
  r.register("a", { network: true, resolve: () => 1 });
  r.register("b", { network: true, resolve: () => 1 }, { network: false });
  r.register("c", () => 1, { network: true });
  r.register("d", () => 1);
  assert.deepEqual(["a", "b", "c", "d"].map((n) => r.get(n)?.network), [true, false, true, false]);
});

Deno.test("ttl, staleWhileRevalidate and maxStale are checked at registration, lazy ones too", () => {
  const r = new ResolverRegistry();
  for (const options of [{ ttl: 0 }, { ttl: -5 }, { ttl: NaN }, { maxStale: -1 }]) {
    assert.throws(() => r.register("a", () => 1, options), RangeError, JSON.stringify(options));
    assert.throws(() => r.registerLazy("b", () => Promise.resolve(() => 1), options), RangeError);
  }
  r.register("a", () => 1, { ttl: 0.5, maxStale: 0, staleWhileRevalidate: false });
  assert.deepEqual(r.get("a")?.live, { ttl: 0.5, maxStale: 0, staleWhileRevalidate: false });
});
