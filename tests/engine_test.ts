// Tests of the resolution engine (SPEC §3–§5) through the public Config API: laziness,
// memoization, single-flight, getSync, references, cycles, default=/sensitive=,
// concatenation typing and value handling.

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
  type ResolverCall,
  ResolverError,
  type ResolverObject,
  Schema,
  type TraceEvent,
} from "../mod.ts";
import { assertNotShown } from "./_error_views.ts";
import { rejectionOf, SAFETY_MS, tick, until, watchGlobalFailures } from "./_async.ts";
import { withSettings } from "./_settings.ts";

/** A resolver that counts its calls and returns `<key>!`. */
function counter(): { fn: (key: string) => string; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fn: (key: string) => {
      calls.push(key);
      return `${key}!`;
    },
  };
}

/** An async resolver whose calls stay pending until released by hand; records their signals. */
function gated(): {
  fn: (key: string, call: ResolverCall) => Promise<string>;
  calls: string[];
  signals: AbortSignal[];
  release: () => void;
} {
  const calls: string[] = [];
  const signals: AbortSignal[] = [];
  const gate = Promise.withResolvers<void>();
  return {
    calls,
    signals,
    release: () => gate.resolve(),
    fn: async (key: string, call: ResolverCall) => {
      calls.push(key);
      signals.push(call.signal);
      await gate.promise;
      return `${key}!`;
    },
  };
}

// ------------------------------------------------------------------ laziness and memo

Deno.test("nothing resolves at load, merge or getRaw", () => {
  const c = counter();
  const config = Config.loads("a: ${count:a}\nb: ${count:b}\n", { resolvers: { count: c.fn } });
  config.merge(Config.loads("c: ${count:c}\n"));
  assert.equal(config.getRaw("a"), "${count:a}");
  assert.equal(config.has("c"), true);
  assert.deepEqual(c.calls, []);
});

Deno.test("get() resolves only what the path needs", async () => {
  const c = counter();
  const config = Config.loads(
    "a: ${count:a}\nb: ${count:b}\nc: x-${a}\nd:\n  e: ${count:e}\n",
    { resolvers: { count: c.fn } },
  );
  assert.equal(await config.get("c"), "x-a!");
  assert.deepEqual(c.calls, ["a"]);
  assert.deepEqual(await config.get("d"), { e: "e!" });
  assert.deepEqual(c.calls, ["a", "e"]);
});

Deno.test("a resolver referenced from three places runs once across get, refs, resolveAll and export", async () => {
  const c = counter();
  const config = Config.loads(
    "src: ${count:k}\nr1: ${src}\nr2: pre-${src}\nr3:\n  deep: ${ref:src}\n",
    { resolvers: { count: c.fn } },
  );
  assert.equal(await config.get("r1"), "k!");
  assert.equal(await config.get("r2"), "pre-k!");
  assert.deepEqual(await config.get("r3"), { deep: "k!" });
  assert.equal(await config.get("src"), "k!");
  assert.equal(config.getSync("src"), "k!");
  await config.resolveAll();
  await config.toObject({ resolve: true });
  await config.toYaml({ redact: true });
  assert.deepEqual(c.calls, ["k"]);
});

Deno.test("an async resolver referenced from several nodes runs once under resolveAll", async () => {
  const g = gated();
  const config = Config.loads(
    "src: ${slow:k}\nr1: ${src}\nr2: ${src}-x\nr3: ${.src}\n",
    { resolvers: { slow: g.fn } },
  );
  const all = config.resolveAll();
  await tick();
  g.release();
  assert.deepEqual(await all, { src: "k!", r1: "k!", r2: "k!-x", r3: "k!" });
  assert.deepEqual(g.calls, ["k"]);
});

Deno.test("failures are not memoized: a later get retries", async () => {
  let n = 0;
  const flaky = () => {
    n++;
    if (n === 1) throw new Error("transient");
    return "ok";
  };
  const config = Config.loads("v: ${flaky:x}\nw: ${v}\n", { resolvers: { flaky } });
  await assert.rejects(config.get("w"), ResolverError);
  assert.equal(config.isResolved("v"), false);
  assert.equal(await config.get("w"), "ok");
  assert.equal(await config.get("v"), "ok");
  assert.equal(n, 2);
});

Deno.test("a failed async call is not memoized either", async () => {
  let n = 0;
  const flaky = () => {
    n++;
    return n === 1 ? Promise.reject(new Error("transient")) : Promise.resolve("ok");
  };
  const config = Config.loads("v: ${flaky:x}\n", { resolvers: { flaky } });
  await assert.rejects(config.get("v"), /transient/);
  assert.equal(await config.get("v"), "ok");
  assert.equal(n, 2);
});

Deno.test("clearCache() forgets memoized values", async () => {
  const c = counter();
  const config = Config.loads("v: ${count:x}\n", { resolvers: { count: c.fn } });
  await config.get("v");
  assert.equal(config.isResolved("v"), true);
  config.clearCache();
  assert.equal(config.isResolved("v"), false);
  await config.get("v");
  assert.equal(c.calls.length, 2);
});

Deno.test("merge() clears the memo and an overridden interpolation is never resolved", async () => {
  const c = counter();
  const config = Config.loads("v: ${count:x}\nw: ${count:old}\n", { resolvers: { count: c.fn } });
  assert.equal(await config.get("v"), "x!");
  config.merge(Config.loads("w: ${count:new}\n"));
  assert.equal(config.isResolved("v"), false);
  assert.deepEqual(await config.toObject({ resolve: true }), { v: "x!", w: "new!" });
  assert.deepEqual(c.calls, ["x", "x", "new"]);
});

Deno.test("setSchema() clears the memo", async () => {
  const c = counter();
  const config = Config.loads("v: ${count:x}\n", { resolvers: { count: c.fn } });
  await config.get("v");
  config.setSchema(Schema.fromObject({ type: "object" }));
  assert.equal(config.isResolved("v"), false);
  await config.get("v");
  assert.equal(c.calls.length, 2);
});

// ------------------------------------------------------------------ single-flight

Deno.test("1,000 concurrent get() of one node make exactly one resolver call", async () => {
  const g = gated();
  const config = Config.loads("v: ${slow:k}\n", { resolvers: { slow: g.fn } });
  const gets = Array.from({ length: 1000 }, () => config.get("v"));
  await tick();
  assert.deepEqual(g.calls, ["k"]);
  g.release();
  const values = await Promise.all(gets);
  assert.ok(values.every((v) => v === "k!"));
  assert.deepEqual(g.calls, ["k"]);
});

Deno.test("identical calls from different nodes share one in-flight call", async () => {
  const g = gated();
  const config = Config.loads(
    "a: ${slow:k,opt=1}\nb: ${slow:k,opt=1}\nc: x-${slow:k,opt=1}\nd: ${slow:k,opt=2}\n",
    { resolvers: { slow: g.fn } },
  );
  const gets = [config.get("a"), config.get("b"), config.get("c"), config.get("d")];
  await tick();
  assert.equal(g.calls.length, 2, "same args+kwargs share, different kwargs do not");
  g.release();
  assert.deepEqual(await Promise.all(gets), ["k!", "k!", "x-k!", "k!"]);
  assert.equal(g.calls.length, 2);
});

Deno.test("identical calls whose arguments come from different nested values are shared", async () => {
  const g = gated();
  const config = Config.loads(
    "p: k\nq: k\na: ${slow:${p}}\nb: ${slow:${q}}\n",
    { resolvers: { slow: g.fn } },
  );
  const all = config.resolveAll();
  await tick();
  g.release();
  assert.deepEqual(await all, { p: "k", q: "k", a: "k!", b: "k!" });
  assert.deepEqual(g.calls, ["k"]);
});

Deno.test("a call shared by two values goes on for the value a lazy get joined", async () => {
  const w = gated();
  const config = Config.loads("a: ${slow:k}\nb: ${slow:k}\n", { resolvers: { slow: w.fn } });
  const caller = new AbortController();
  const all = rejectionOf(config.resolveAll({ signal: caller.signal }), "the aborted resolveAll");
  await until(() => w.signals.length === 1); // a started the call, b joined it
  const lazy = config.get("b");
  lazy.catch(() => {}); // inspected below
  await tick();
  caller.abort();
  const err = await all;
  assert.ok(err instanceof ResolveAllError, String(err));
  assert.deepEqual(err.failures.map((f) => f.path).sort(), ["a", "b"]);
  assert.equal(w.signals[0]!.aborted, false, "b still needs the call a started");
  w.release();
  assert.equal(await lazy, "k!");
  assert.equal(w.signals.length, 1);
});

Deno.test("shared work is aborted once every request waiting for it gave up", async () => {
  const w = gated();
  const config = Config.loads("a: ${slow:k}\nb: x-${a}\n", { resolvers: { slow: w.fn } });
  const first = new AbortController();
  const second = new AbortController();
  const one = rejectionOf(config.resolveAll({ signal: first.signal }), "the first resolveAll");
  await until(() => w.signals.length === 1);
  const two = rejectionOf(config.resolveAll({ signal: second.signal }), "the second resolveAll");
  await tick();
  first.abort();
  assert.ok((await one) instanceof ResolveAllError);
  assert.equal(w.signals[0]!.aborted, false, "the second request still waits");
  second.abort();
  assert.ok((await two) instanceof ResolveAllError);
  assert.equal(w.signals[0]!.aborted, true, "nobody waits any more");
  // The next request starts the value again rather than join the aborted one.
  const next = config.get("b");
  await until(() => w.signals.length === 2);
  w.release();
  assert.equal(await next, "x-k!");
});

// ------------------------------------------------------------------ getSync

Deno.test("getSync() resolves literals, references, env and sync custom resolvers", () => {
  Deno.env.set("HOLOCONF_ENGINE_SYNC", "from-env");
  try {
    const config = Config.loads(
      "lit: 5\nref: ${lit}\nrel: ${.lit}\nenv: ${env:HOLOCONF_ENGINE_SYNC}\n" +
        "custom: ${up:abc}\nmix: ${custom}-${env}-${lit}\nmap:\n  x: ${lit}\n",
      { resolvers: { up: (k: string) => k.toUpperCase() } },
    );
    assert.equal(config.getSync("lit"), 5);
    assert.equal(config.getSync("ref"), 5);
    assert.equal(config.getSync("rel"), 5);
    assert.equal(config.getSync("env"), "from-env");
    assert.equal(config.getSync("custom"), "ABC");
    assert.equal(config.getSync("mix"), "ABC-from-env-5");
    assert.deepEqual(config.getSync("map"), { x: 5 });
  } finally {
    Deno.env.delete("HOLOCONF_ENGINE_SYNC");
  }
});

Deno.test("getSync() of an async resolver throws ASYNC_RESOLUTION_REQUIRED and await get() reuses the started call", async () => {
  let calls = 0;
  const slow = (k: string) => {
    calls++;
    return Promise.resolve(k + "!");
  };
  const config = Config.loads("v: ${slow:k}\nw: x-${v}\n", { resolvers: { slow } });
  assert.throws(
    () => config.getSync("w"),
    (e: unknown) => {
      assert.ok(e instanceof ResolverError);
      assert.equal(e.code, "ASYNC_RESOLUTION_REQUIRED");
      assert.match(e.help ?? "", /await config\.get\(\)/);
      return true;
    },
  );
  assert.equal(calls, 1, "getSync starts the call");
  assert.equal(await config.get("w"), "x-k!");
  assert.equal(await config.get("v"), "k!");
  assert.equal(calls, 1);
  assert.equal(config.getSync("w"), "x-k!");
});

Deno.test("getSync() works everywhere after resolveAll()", async () => {
  const config = Config.loads("a: ${slow:1}\nb:\n  - ${slow:2}\n", {
    resolvers: { slow: (k: string) => Promise.resolve(Number(k)) },
  });
  await config.resolveAll();
  assert.equal(config.getSync("a"), 1);
  assert.deepEqual(config.getSync("b"), [2]);
  assert.deepEqual(config.getSync(""), { a: 1, b: [2] });
});

// ------------------------------------------------------------------ references

Deno.test("absolute, ref: and relative references resolve", async () => {
  const config = Config.loads(
    [
      "x: root-x",
      "db:",
      "  host: h",
      "  port: 5432",
      "  abs: ${db.host}",
      "  viaref: ${ref:db.port}",
      "  sib: ${.host}",
      "  conn:",
      "    url: ${..host}:${..port}",
      "    up: ${...x}",
      "    clamp: ${........x}",
    ].join("\n"),
  );
  assert.equal(await config.get("db.abs"), "h");
  assert.equal(await config.get("db.viaref"), 5432);
  assert.equal(await config.get("db.sib"), "h");
  assert.equal(await config.get("db.conn.url"), "h:5432");
  assert.equal(await config.get("db.conn.up"), "root-x");
  assert.equal(await config.get("db.conn.clamp"), "root-x", "above the root clamps at the root");
});

Deno.test("relative references inside sequences", async () => {
  const config = Config.loads(
    [
      "x: root-x",
      "servers:",
      "  - host: a",
      "    url: http://${.host}/",
      "    up: ${..x}",
      "  - host: b",
      "    url: http://${.host}/",
      "hosts:",
      "  - one",
      "  - ${.x}",
      "first: ${servers[0].host}",
    ].join("\n"),
  );
  assert.equal(await config.get("servers[0].url"), "http://a/");
  assert.equal(await config.get("servers[1].url"), "http://b/");
  assert.equal(await config.get("servers[0].up"), "root-x");
  assert.equal(await config.get("hosts[1]"), "root-x", "at hosts[1], ${.x} reads root x");
  assert.equal(await config.get("first"), "a");
});

Deno.test("a reference to a mapping returns it deeply resolved, relative refs resolved at their own location", async () => {
  const config = Config.loads(
    [
      "base:",
      "  host: h",
      "  url: http://${.host}/",
      "  list:",
      "    - ${.host}",
      "    - ${..host}",
      "copy: ${base}",
      "items: ${base.list}",
      "host: other",
    ].join("\n"),
  );
  // at base.list[0] the indexed segment is one level: `.host` is base.host, `..host` root host
  const expected = { host: "h", url: "http://h/", list: ["h", "other"] };
  assert.deepEqual(await config.get("copy"), expected);
  assert.deepEqual(await config.get("items"), ["h", "other"]);
  assert.deepEqual(await config.get("base"), expected);
  assert.equal(
    await config.get("copy.url"),
    "http://h/",
    "get navigates into the referenced value",
  );
});

Deno.test("get() returns a fresh copy that callers may mutate", async () => {
  const config = Config.loads("m:\n  a: 1\nr: ${m}\n");
  const m = (await config.get("m")) as Record<string, unknown>;
  m.a = 99;
  assert.deepEqual(await config.get("m"), { a: 1 });
  assert.deepEqual(await config.get("r"), { a: 1 });
});

Deno.test("a mapping that contains a reference to itself is a cycle", async () => {
  const config = Config.loads("a:\n  x: ${a}\n");
  await assert.rejects(config.get("a"), CircularReferenceError);
  await assert.rejects(config.get("a.x"), CircularReferenceError);
});

Deno.test("a → b → a is a circular reference whose chain starts at the accessed key", async () => {
  const config = Config.loads("a: ${b}\nb: ${a}\nc: ${c}\n");
  for (const [key, chain] of [["a", "a → b → a"], ["b", "b → a → b"], ["c", "c → c"]]) {
    const cfg = Config.loads("a: ${b}\nb: ${a}\nc: ${c}\n");
    await assert.rejects(cfg.get(key!), (e: unknown) => {
      assert.ok(e instanceof CircularReferenceError);
      assert.equal(e.code, "CIRCULAR_REFERENCE");
      assert.match(e.message, /^Circular reference detected/);
      assert.ok(e.message.includes(`Chain: ${chain}`), e.message);
      assert.match(e.message, /circular/);
      return true;
    });
  }
  assert.throws(() => config.getSync("a"), CircularReferenceError);
});

Deno.test("a cycle through async resolver arguments is detected, not hung", async () => {
  const config = Config.loads("a: ${slow:${b}}\nb: ${slow:${a}}\n", {
    resolvers: { slow: (k: string) => Promise.resolve(k) },
  });
  await assert.rejects(config.get("a"), CircularReferenceError);
  const r = await config.resolveAll().then(() => undefined, (e: unknown) => e);
  assert.ok(r instanceof Error);
  assert.match(r.message, /circular/i);
});

Deno.test("a conditional default edge is not a cycle when the value exists", async () => {
  const config = Config.loads("a: ${b,default=${c}}\nb: 1\nc: ${a}\n");
  assert.equal(await config.get("a"), 1);
  assert.equal(await config.get("c"), 1);
});

Deno.test("reference chains deeper than 100 fail with the depth limit", async () => {
  const chain = (n: number) =>
    "v: ${a0}\n" +
    Array.from({ length: n }, (_, i) => `a${i}: \${a${i + 1}}`).join("\n") + `\na${n}: end\n`;
  assert.equal(await Config.loads(chain(60)).get("v"), "end");
  await assert.rejects(Config.loads(chain(150)).get("v"), (e: unknown) => {
    // A limit of resolution, not a syntax error.
    assert.ok(e instanceof ResolverError && !(e instanceof ParseError), String(e));
    assert.equal(e.code, "MAX_DEPTH_EXCEEDED");
    assert.match(e.message, /Maximum interpolation depth \(100\) exceeded/);
    return true;
  });
});

/** `c0: end` and `c<i>: ${c<i-1>}` up to `c<n>`, written bottom-up (each link after its target). */
function bottomUpChain(n: number): string {
  return ["c0: end", ...Array.from({ length: n }, (_, i) => `c${i + 1}: \${c${i}}`)].join("\n");
}

function isDepthError(e: unknown): boolean {
  return e instanceof HoloconfError && e.code === "MAX_DEPTH_EXCEEDED";
}

Deno.test("the depth limit is one rule for get() and resolveAll(), whatever was resolved before", async () => {
  // c101 is 100 references above the last interpolated link (c1): allowed; c102 is one more.
  const text = bottomUpChain(150);
  assert.equal(await Config.loads(text).get("c101"), "end");
  await assert.rejects(Config.loads(text).get("c102"), isDepthError);
  // resolveAll meets each link with the one below already memoized: same answer.
  const all = Config.loads(text);
  const e = await all.resolveAll().then(() => undefined, (e: unknown) => e);
  assert.ok(e instanceof ResolveAllError, String(e));
  assert.deepEqual(
    e.failures.map((f) => f.path),
    Array.from({ length: 49 }, (_, i) => `c${i + 102}`),
  );
  assert.ok(e.failures.every((f) => isDepthError(f.error)));
  assert.equal(all.getSync("c101"), "end");
  // a lazy get after its lower links are memoized fails the same way
  const lazy = Config.loads(text);
  assert.equal(await lazy.get("c100"), "end");
  await assert.rejects(lazy.get("c150"), isDepthError);
  assert.equal(lazy.getSync("c101"), "end");
});

Deno.test("a 5,000-link chain fails both ways with the depth error, without overflowing the stack", async () => {
  const text = bottomUpChain(5_000);
  await assert.rejects(Config.loads(text).get("c5000"), isDepthError);
  const e = await Config.loads(text).resolveAll().then(() => undefined, (e: unknown) => e);
  assert.ok(e instanceof ResolveAllError, String(e));
  assert.equal(e.failures.length, 5_000 - 101);
  assert.ok(e.failures.every((f) => isDepthError(f.error)));
});

Deno.test("references read through call.config count toward the depth limit", async () => {
  // `${via:x}` reads x through the resolver's handle: one reference, like `${x}`.
  // (declared synchronous: 100 nested synchronous calls need not hold 100 slots)
  const via = {
    resolve: (k: string, call: ResolverCall) => call.config.getSync(k),
    synchronous: true,
  };
  const viaAsync = (k: string, call: ResolverCall) => call.config.get(k);
  for (const resolver of [via, viaAsync]) {
    const lines = ["c0: end"];
    for (let i = 1; i <= 150; i++) lines.push(`c${i}: \${via:c${i - 1}}`);
    const config = Config.loads(lines.join("\n"), { resolvers: { via: resolver } });
    assert.equal(await config.get("c101"), "end");
    const e = await config.get("c102").then(() => undefined, (e: unknown) => e);
    assert.ok(isDepthError(e), String(e));
  }
});

Deno.test("a relative reference to a missing path is a ResolverError naming the full path", async () => {
  const config = Config.loads("db:\n  conn:\n    url: ${..missing.x}\n");
  await assert.rejects(config.get("db.conn.url"), (e: unknown) => {
    assert.ok(e instanceof ResolverError);
    assert.match(e.message, /^Referenced path not found: db\.missing\.x/);
    assert.equal(e.path, "db.conn.url");
    return true;
  });
});

Deno.test("an absolute reference to a missing path is a PathNotFoundError naming the referenced path", async () => {
  for (const text of ["v: ${nope.deep}\n", "v: ${ref:nope.deep}\n", "v: pre-${nope.deep}\n"]) {
    await assert.rejects(Config.loads(text).get("v"), (e: unknown) => {
      assert.ok(e instanceof PathNotFoundError);
      assert.equal(e.code, "PATH_NOT_FOUND");
      assert.match(e.message, /^Path not found/);
      assert.ok(e.message.includes("nope.deep"), e.message);
      assert.equal(e.help, "Check that 'nope.deep' exists in the configuration");
      return true;
    });
  }
});

Deno.test("get() of a missing path or out-of-range index is PathNotFoundError", async () => {
  const config = Config.loads("a:\n  - 1\n");
  await assert.rejects(config.get("b"), PathNotFoundError);
  await assert.rejects(config.get("a[3]"), PathNotFoundError);
  assert.throws(() => config.getSync("a.b"), PathNotFoundError);
});

Deno.test("get() navigates into values produced by resolvers", async () => {
  const config = Config.loads("data: ${obj:x}\n", {
    resolvers: { obj: () => ({ name: "n", list: [{ id: 7 }] }) },
  });
  assert.equal(await config.get("data.name"), "n");
  assert.equal(await config.get("data.list[0].id"), 7);
  await assert.rejects(config.get("data.missing"), PathNotFoundError);
});

// ------------------------------------------------------------------ default=

Deno.test("default= is lazy: its resolver is not called when the value exists", async () => {
  const c = counter();
  Deno.env.set("HOLOCONF_ENGINE_DEF", "present");
  try {
    const config = Config.loads(
      "v: ${env:HOLOCONF_ENGINE_DEF,default=${count:d}}\nx: 1\nr: ${x,default=${count:r}}\n",
      { resolvers: { count: c.fn } },
    );
    assert.equal(await config.get("v"), "present");
    assert.equal(await config.get("r"), 1);
    assert.deepEqual(c.calls, []);
  } finally {
    Deno.env.delete("HOLOCONF_ENGINE_DEF");
  }
});

Deno.test("default= applies on not-found only, and its value is a string", async () => {
  const config = Config.loads(
    [
      "port: ${env:HOLOCONF_ENGINE_NOPE,default=8080}",
      "nf: ${nf:k,default=fallback}",
      "boom: ${boom:k,default=fallback}",
      "nested: ${env:HOLOCONF_ENGINE_NOPE,default=${env:HOLOCONF_ENGINE_NOPE2,default=z}}",
      "flag: ${env:HOLOCONF_ENGINE_NOPE,default=true}",
    ].join("\n"),
    {
      resolvers: {
        nf: () => {
          throw new NotFoundError("gone");
        },
        boom: () => {
          throw new Error("exploded");
        },
      },
    },
  );
  assert.equal(await config.get("port"), "8080");
  assert.equal(await config.get("nf"), "fallback");
  assert.equal(await config.get("nested"), "z");
  assert.equal(await config.get("flag"), "true");
  await assert.rejects(config.get("boom"), /Resolver 'boom' error: exploded/);
});

Deno.test("default= applies to a reference whose target is missing or null", async () => {
  const config = Config.loads(
    "n: null\nz: 0\nm: ${missing,default=d1}\nnl: ${n,default=d2}\nzero: ${z,default=d3}\n" +
      "viaref: ${ref:missing,default=d4}\nnoDefault: ${n}\n",
  );
  assert.equal(await config.get("m"), "d1");
  assert.equal(await config.get("nl"), "d2");
  assert.equal(await config.get("zero"), 0);
  assert.equal(await config.get("viaref"), "d4");
  assert.equal(await config.get("n"), null, "get of a literal null returns null");
  // only a reference to a null target falls back; without default= it is not found
  await assert.rejects(config.get("noDefault"), PathNotFoundError);
});

Deno.test("default= can reference other values", async () => {
  const config = Config.loads("fallback: fb\nv: ${missing,default=${fallback}}\n");
  assert.equal(await config.get("v"), "fb");
});

// ------------------------------------------------------------------ sensitive=

async function redacted(config: Config): Promise<Record<string, unknown>> {
  return await config.toObject({ redact: true });
}

Deno.test("sensitive=true marks a value, case-insensitively, and marks a default", async () => {
  Deno.env.set("HOLOCONF_ENGINE_SENS", "plain");
  try {
    const config = Config.loads(
      [
        "a: ${env:HOLOCONF_ENGINE_SENS,sensitive=true}",
        "b: ${env:HOLOCONF_ENGINE_SENS,sensitive=TRUE}",
        "c: ${env:HOLOCONF_ENGINE_SENS,sensitive=false}",
        "d: ${env:HOLOCONF_ENGINE_SENS_NO,default=dflt,sensitive=true}",
        "e: ${env:HOLOCONF_ENGINE_SENS}",
        "lit: literal",
      ].join("\n"),
    );
    assert.equal(await config.get("a"), "plain");
    assert.equal(await config.get("d"), "dflt");
    assert.deepEqual(await redacted(config), {
      a: "[REDACTED]",
      b: "[REDACTED]",
      c: "plain",
      d: "[REDACTED]",
      e: "plain",
      lit: "literal",
    });
  } finally {
    Deno.env.delete("HOLOCONF_ENGINE_SENS");
  }
});

Deno.test("sensitive=false cannot remove inherited sensitivity", async () => {
  const config = Config.loads(
    [
      "secret: ${vault:k}",
      "ref: ${secret,sensitive=false}",
      "plainref: ${secret}",
      "concat: user:${secret}",
      "nested: ${echo:${secret},sensitive=false}",
      "kwnested: ${echo:x,opt=${secret},sensitive=false}",
      "overridden: ${vault:k,sensitive=false}",
    ].join("\n"),
    {
      resolvers: {
        vault: (k: string) => new ResolvedValue(`s3cr3t-${k}`, { sensitive: true }),
        echo: (k: string) => `echo-${k}`,
      },
    },
  );
  const out = await redacted(config);
  assert.deepEqual(out, {
    secret: "[REDACTED]",
    ref: "[REDACTED]",
    plainref: "[REDACTED]",
    concat: "[REDACTED]",
    nested: "[REDACTED]",
    kwnested: "[REDACTED]",
    overridden: "s3cr3t-k",
  });
});

Deno.test("a resolver registered with sensitive: true marks all its values", async () => {
  const config = Config.loads("a: ${sec:x}\nb: ${sec:x,sensitive=false}\n");
  config.registerResolver("sec", (k: string) => `v-${k}`, { sensitive: true });
  assert.equal(await config.get("a"), "v-x");
  const out = await redacted(config);
  assert.equal(out.a, "[REDACTED]");
  // Registered as sensitive as a whole: sensitive=false cannot remove it (only a value's hint).
  assert.equal(out.b, "[REDACTED]", "sensitive=false does not un-mark a sensitive resolver");
});

Deno.test("a value a resolver built from a secret it read through call.config is sensitive", async () => {
  Deno.env.set("HOLOCONF_ENGINE_TOK", "S3cr3t-tok");
  try {
    const dsn = async (k: string, call: ResolverCall) => `pg://app:${await call.config.get(k)}@db`;
    const dsnSync = (k: string, call: ResolverCall) => `pg://app:${call.config.getSync(k)}@db`;
    const keys = (k: string, call: ResolverCall) =>
      Object.keys(call.config.getSync(k) as object).join("+");
    const yaml = [
      "pw: ${env:HOLOCONF_ENGINE_TOK,sensitive=true}",
      "db:",
      "  user: app",
      "  password: ${pw}",
      "user: app",
      "dsn: ${dsn:pw}",
      "sync: ${dsnSync:pw}",
      "whole: ${dsn:db}",
      "forced: ${dsn:pw,sensitive=false}",
      "plain: ${dsn:user}",
      "names: ${keys:db}",
    ].join("\n");
    const config = Config.loads(yaml, { resolvers: { dsn, dsnSync, keys } });
    assert.equal(await config.get("dsn"), "pg://app:S3cr3t-tok@db");
    const expected = {
      dsn: "[REDACTED]",
      sync: "[REDACTED]",
      whole: "[REDACTED]",
      forced: "[REDACTED]",
      plain: "pg://app:app@db",
      // what the resolver read was a secret, whatever it kept of it
      names: "[REDACTED]",
    };
    for (const fresh of [config, Config.loads(yaml, { resolvers: { dsn, dsnSync, keys } })]) {
      const out = await fresh.toObject({ redact: true });
      for (const [k, v] of Object.entries(expected)) assert.equal(out[k], v, k);
      assert.ok(!(await fresh.toYaml({ redact: true })).includes("S3cr3t-tok"));
    }
    const lazy = Config.loads(yaml, { resolvers: { dsn, dsnSync, keys } });
    await lazy.resolveAll();
    assert.ok(!(await lazy.toYaml({ redact: true })).includes("S3cr3t-tok"));
  } finally {
    Deno.env.delete("HOLOCONF_ENGINE_TOK");
  }
});

Deno.test("a resolver's error that echoes a secret it read through call.config is redacted", async () => {
  Deno.env.set("HOLOCONF_ENGINE_TOK", "S3cr3t-tok");
  try {
    const config = Config.loads(
      "pw: ${env:HOLOCONF_ENGINE_TOK,sensitive=true}\nm:\n  k: ${pw}\n" +
        "a: ${leak:pw}\nb: ${leak:m}\nc: ${leakSync:pw}\nd: ${leakPlain:pw}\n",
      {
        resolvers: {
          leak: async (k: string, call: ResolverCall) => {
            const v = await call.config.get(k);
            throw new ResolverError(`cannot connect with ${JSON.stringify(v)}`);
          },
          leakSync: (k: string, call: ResolverCall) => {
            throw new ResolverError(`cannot connect with ${call.config.getSync(k)}`);
          },
          leakPlain: async (k: string, call: ResolverCall) => {
            throw new Error(`cannot connect with ${await call.config.get(k)}`);
          },
        },
      },
    );
    for (const path of ["a", "b", "c", "d"]) {
      const e = await config.get(path).then(() => undefined, (e: unknown) => e);
      assert.ok(e instanceof ResolverError, `${path}: ${e}`);
      assert.ok(!e.message.includes("S3cr3t-tok"), `${path}: ${e.message}`);
      // (a foreign error's text may be dropped as a whole rather than redacted)
      if (path !== "d") assert.match(e.message, /cannot connect with .*\[REDACTED\]/, path);
    }
  } finally {
    Deno.env.delete("HOLOCONF_ENGINE_TOK");
  }
});

/** Runs `fn` with `HOLOCONF_ENGINE_PW` set to a secret. */
async function withSecretEnv(fn: (secret: string) => Promise<void>): Promise<void> {
  const secret = "S3cr3t-pw-7f3a";
  Deno.env.set("HOLOCONF_ENGINE_PW", secret);
  try {
    await fn(secret);
  } finally {
    Deno.env.delete("HOLOCONF_ENGINE_PW");
  }
}

/** Every redacted export of a fresh config and of one resolved by resolveAll() first. */
async function redactedTexts(make: () => Config): Promise<string[]> {
  const texts: string[] = [];
  const warm = make();
  await warm.resolveAll();
  for (const config of [make(), warm]) {
    texts.push(await config.toYaml({ redact: true }), await config.toJson({ redact: true }));
    texts.push(JSON.stringify(await config.toObject({ redact: true })));
  }
  return texts;
}

Deno.test("a reference to a mapping with a sensitive leaf is sensitive as a whole in every export", async () => {
  await withSecretEnv(async (secret) => {
    const yaml = "db:\n  user: app\n  password: ${env:HOLOCONF_ENGINE_PW,sensitive=true}\n" +
      "copy: ${db}\nrel:\n  inner: ${..db}\ndeep:\n  m:\n    pw: ${db.password}\ndcopy: ${deep}\n";
    const make = () => Config.loads(yaml);
    assert.deepEqual(await make().get("copy"), { user: "app", password: secret });
    for (const text of await redactedTexts(make)) {
      assert.ok(!text.includes(secret), text);
    }
    const out = await make().toObject({ redact: true });
    assert.deepEqual(out.db, { user: "app", password: "[REDACTED]" });
    assert.equal(out.copy, "[REDACTED]");
    assert.deepEqual(out.rel, { inner: "[REDACTED]" });
    assert.equal(out.dcopy, "[REDACTED]");
  });
});

Deno.test("a reference to a sequence with a sensitive item is sensitive as a whole in every export", async () => {
  await withSecretEnv(async (secret) => {
    const yaml = "list:\n  - public\n  - ${env:HOLOCONF_ENGINE_PW,sensitive=true}\n" +
      "lcopy: ${list}\nnested:\n  - - x\n    - ${list[1]}\nncopy: ${nested}\nitem: ${list[1]}\n";
    const make = () => Config.loads(yaml);
    assert.deepEqual(await make().get("lcopy"), ["public", secret]);
    for (const text of await redactedTexts(make)) {
      assert.ok(!text.includes(secret), text);
    }
    const out = await make().toObject({ redact: true });
    assert.deepEqual(out.list, ["public", "[REDACTED]"]);
    assert.equal(out.lcopy, "[REDACTED]");
    assert.equal(out.ncopy, "[REDACTED]");
    assert.equal(out.item, "[REDACTED]");
  });
});

Deno.test("trace events and call errors never show a key that came from a sensitive value", async () => {
  await withSecretEnv(async (secret) => {
    const events: TraceEvent[] = [];
    const seen: string[] = [];
    const config = Config.loads(
      [
        "pw: ${env:HOLOCONF_ENGINE_PW,sensitive=true}",
        "direct: ${echo:${env:HOLOCONF_ENGINE_PW,sensitive=true}}",
        "viaref: ${echo:${pw}}",
        "concat: ${echo:user-${pw}}",
        "kwarg: ${echo:k,opt=${pw}}",
        "fails: ${boom:${pw}}",
        "public: ${echo:visible}",
      ].join("\n"),
      {
        resolvers: {
          echo: (k: string) => (seen.push(k), `echo-${k}`),
          boom: (k: string) => {
            throw new Error(`no such key ${k}`);
          },
        },
        onTrace: (e) => events.push(e),
      },
    );
    const e = await config.resolveAll().then(() => undefined, (e: unknown) => e);
    assert.ok(e instanceof ResolveAllError, String(e));
    assert.deepEqual(e.failures.map((f) => f.path), ["fails"]);
    assert.ok(!e.message.includes(secret), e.message);
    assert.ok(seen.includes(secret), "the resolvers did get the secret");
    const byPath = new Map(events.map((ev) => [ev.path, ev]));
    for (const path of ["direct", "viaref", "concat", "kwarg", "fails"]) {
      assert.equal(byPath.get(path)?.key, "[REDACTED]", path);
    }
    assert.equal(byPath.get("public")?.key, "visible");
    assert.equal(byPath.get("fails")?.outcome, "error");
    assert.ok(!JSON.stringify(events).includes(secret));
    const out = await config.toObject({ redact: true }).catch(() => undefined);
    assert.equal(out, undefined, "export fails like resolveAll (fails cannot resolve)");
  });
});

Deno.test("references, defaults and flags inherit sensitivity from every input", async () => {
  const env = {
    HOLOCONF_ENGINE_FLAG: "false",
    HOLOCONF_ENGINE_TARGET: "public",
    HOLOCONF_ENGINE_VISIBLE: "visible-env",
    HOLOCONF_ENGINE_DATA: '{"token": "S3cr3t-data-5d2", "n": 1}',
  };
  for (const [k, v] of Object.entries(env)) Deno.env.set(k, v);
  try {
    await withSecretEnv(async () => {
      const config = Config.loads(
        [
          "public: visible",
          "pw: ${env:HOLOCONF_ENGINE_PW,sensitive=true}",
          "flag: ${env:HOLOCONF_ENGINE_FLAG,sensitive=true}",
          // a sensitive= value computed from a secret, on a call and on a reference
          "callFlag: ${env:HOLOCONF_ENGINE_VISIBLE,sensitive=${flag}}",
          "refFlag: ${ref:public,sensitive=${flag}}",
          // sensitive=true on a reference
          "refOn: ${ref:public,sensitive=true}",
          // a reference whose path came from a secret
          "refPath: ${ref:${env:HOLOCONF_ENGINE_TARGET,sensitive=true}}",
          // default= computed from a secret
          "dflt: ${env:HOLOCONF_ENGINE_UNSET_XYZ,default=${pw}}",
          "plainDefault: ${env:HOLOCONF_ENGINE_UNSET_XYZ,default=${public}}",
          // a part of a value a resolver made from a secret
          "data: ${json:${env:HOLOCONF_ENGINE_DATA,sensitive=true}}",
          "navigated: ${data.token}",
        ].join("\n"),
      );
      const out = await config.toObject({ redact: true });
      assert.deepEqual(out, {
        public: "visible",
        pw: "[REDACTED]",
        flag: "[REDACTED]",
        callFlag: "[REDACTED]",
        refFlag: "[REDACTED]",
        refOn: "[REDACTED]",
        refPath: "[REDACTED]",
        dflt: "[REDACTED]",
        plainDefault: "visible",
        data: "[REDACTED]",
        navigated: "[REDACTED]",
      });
    });
  } finally {
    for (const k of Object.keys(env)) Deno.env.delete(k);
  }
});

Deno.test("schema coercion and schema defaults keep a value's sensitivity", async () => {
  Deno.env.set("HOLOCONF_ENGINE_PORT", "54321");
  Deno.env.set("HOLOCONF_ENGINE_JSON", '{"token": "S3cr3t-json-91b"}');
  try {
    const schema = Schema.fromObject({
      properties: {
        port: { type: "integer" },
        db: { properties: { extra: { default: "x" } } },
        missing: { default: "fallback" },
      },
    });
    const config = Config.loads(
      [
        "port: ${env:HOLOCONF_ENGINE_PORT,sensitive=true}",
        "db: ${json:${env:HOLOCONF_ENGINE_JSON,sensitive=true}}",
        "copy: ${db}",
        "viaDefault: ${ref:missing,sensitive=true}",
      ].join("\n"),
      { schema },
    );
    assert.equal(await config.get("port"), 54321);
    assert.deepEqual(await config.get("copy"), { token: "S3cr3t-json-91b", extra: "x" });
    const out = await config.toObject({ redact: true });
    assert.equal(out.port, "[REDACTED]");
    assert.equal(out.copy, "[REDACTED]");
    assert.equal(out.viaDefault, "[REDACTED]");
    const text = await config.toYaml({ redact: true });
    assert.ok(!text.includes("54321") && !text.includes("S3cr3t-json-91b"), text);
  } finally {
    Deno.env.delete("HOLOCONF_ENGINE_PORT");
    Deno.env.delete("HOLOCONF_ENGINE_JSON");
  }
});

Deno.test("a secret inside a larger argument stays out of a resolver's error, however it got there", async () => {
  await withSecretEnv(async (secret) => {
    // echoes only the secret part of its key, as a resolver that parses its key would
    const part = (key: string, call: ResolverCall) => {
      const inputs = [key, ...Object.values(call.kwargs)].join(" ");
      throw new ResolverError(`cannot use ${inputs.includes(secret) ? secret : "nothing"}`);
    };
    const reader = async (k: string, call: ResolverCall) => `x-${await call.config.get(k)}`;
    const config = Config.loads(
      [
        "pw: ${env:HOLOCONF_ENGINE_PW,sensitive=true}",
        "db:",
        "  user: app",
        "  sub:",
        "    pw: ${pw}",
        "copy: ${db}",
        "concat: ${part:user-${pw}}", // a concatenation's secret piece
        "kwarg: ${part:k,opt=user-${pw}}", // a keyword argument's
        "mapping: ${part:${copy}}", // a reference to a mapping with a secret leaf
        "navigated: ${part:${copy.sub}}", // a part of a resolved value
        "built: ${part:${reader:pw}}", // a value a resolver built from a secret it read
      ].join("\n"),
      { resolvers: { part, reader } },
    );
    for (const path of ["concat", "kwarg", "mapping", "navigated", "built"]) {
      const e = await config.get(path).then(() => undefined, (e: unknown) => e);
      assert.ok(e instanceof ResolverError, `${path}: ${e}`);
      assert.match(e.message, /cannot use \[REDACTED\]/, path);
      assert.ok(!e.message.includes(secret), `${path}: ${e.message}`);
    }
  });
});

Deno.test("a reference whose path came from a secret keeps the path out of its error", async () => {
  await withSecretEnv(async (secret) => {
    Deno.env.set("HOLOCONF_ENGINE_REFPATH", `missing.${secret}`);
    try {
      const config = Config.loads("v: ${ref:${env:HOLOCONF_ENGINE_REFPATH,sensitive=true}}\n");
      const e = await config.get("v").then(() => undefined, (e: unknown) => e);
      assert.ok(e instanceof PathNotFoundError, String(e));
      assert.ok(!e.message.includes(secret), e.message);
      assert.ok(!String(e.path).includes(secret), String(e.path));
    } finally {
      Deno.env.delete("HOLOCONF_ENGINE_REFPATH");
    }
  });
});

Deno.test("a resolver is told when an input came from a sensitive value", async () => {
  await withSecretEnv(async () => {
    const config = Config.loads(
      "pw: ${env:HOLOCONF_ENGINE_PW,sensitive=true}\nsecretArg: ${probe:${pw}}\n" +
        "secretKwarg: ${probe:k,opt=${pw}}\nplain: ${probe:k}\n",
      { resolvers: { probe: (_k: string, call: ResolverCall) => String(call.sensitiveInput) } },
    );
    assert.equal(await config.get("secretArg"), "true");
    assert.equal(await config.get("secretKwarg"), "true");
    assert.equal(await config.get("plain"), "false");
  });
});

Deno.test("sensitive= other than true or false is an error that never shows the value", async () => {
  Deno.env.set("HOLOCONF_ENGINE_SENS_FLAG", "hunter2");
  try {
    const config = Config.loads(
      [
        "a: ${env:HOLOCONF_ENGINE_SENS_FLAG,sensitive=yes}",
        "b: ${env:HOLOCONF_ENGINE_SENS_FLAG,sensitive=${env:HOLOCONF_ENGINE_SENS_FLAG}}",
        "r: ${a,sensitive=1}",
      ].join("\n"),
    );
    for (const path of ["a", "b", "r"]) {
      await assert.rejects(config.get(path), (e: unknown) => {
        assert.ok(e instanceof ParseError, path);
        assert.equal(e.code, "INVALID_KEYWORD_VALUE");
        assert.equal(e.headline, "Invalid value for keyword 'sensitive'");
        assert.equal(e.path, path);
        assert.match(e.source ?? "", /^<string>:\d+:\d+$/);
        assert.match(e.message, /sensitive= takes true or false/);
        assert.ok(!e.message.includes("hunter2"), e.message);
        return true;
      });
    }
    // A blank flag counts as absent: it does not un-mark a sensitive resolver's value.
    Deno.env.set("HOLOCONF_ENGINE_SENS_EMPTY", "");
    const blank = Config.loads(
      "a: ${sec:x,sensitive=}\nb: ${sec:x,sensitive=${env:HOLOCONF_ENGINE_SENS_EMPTY}}\n",
    );
    blank.registerResolver("sec", (k: string) => `v-${k}`, { sensitive: true });
    assert.equal(await blank.get("a"), "v-x");
    assert.deepEqual(await redacted(blank), { a: "[REDACTED]", b: "[REDACTED]" });
  } finally {
    Deno.env.delete("HOLOCONF_ENGINE_SENS_FLAG");
    Deno.env.delete("HOLOCONF_ENGINE_SENS_EMPTY");
  }
});

// ------------------------------------------------------------------ argument checks

/** The error `get(path)` rejects with. */
async function failure(config: Config, path: string): Promise<ParseError> {
  try {
    await config.get(path);
  } catch (e) {
    assert.ok(e instanceof ParseError, String(e));
    return e;
  }
  throw new Error(`get(${path}) succeeded`);
}

Deno.test("extra positional arguments are an error with the quoting hint, not dropped", async () => {
  const config = Config.loads("x: 1\ntags: ${split:a,b,c}\n");
  const e = await failure(config, "tags");
  assert.equal(e.code, "TOO_MANY_ARGUMENTS");
  assert.equal(
    e.headline,
    "Too many arguments for resolver 'split': 3 positional, takes at most 1",
  );
  assert.equal(e.path, "tags");
  assert.equal(e.resolver, "split");
  assert.equal(e.source, "<string>:2:7");
  assert.deepEqual(e.detail, [
    "Accepted keywords: delim, trim, skip_empty, limit, default, sensitive, ttl",
  ]);
  assert.match(e.message, /A ',' or '=' inside a value must be quoted: \$\{split:'a,b,c'\}/);
  // The quoted form is one argument.
  assert.deepEqual(await Config.loads("tags: ${split:'a,b,c'}\n").get("tags"), ["a", "b", "c"]);
});

Deno.test("a misspelled keyword is an error naming the accepted ones and the closest", async () => {
  Deno.env.set("HOLOCONF_ENGINE_ARGS", "present");
  try {
    const config = Config.loads(
      [
        "parts: ${split:a;b;c,delim=;,limt=1}",
        "port: ${env:HOLOCONF_ENGINE_ARGS,defualt=8080}",
        "missing: ${env:HOLOCONF_ENGINE_ARGS_NO,defualt=8080}",
        "odd: ${split:x,colour=red}",
      ].join("\n"),
    );
    const parts = await failure(config, "parts");
    assert.equal(parts.code, "UNKNOWN_KEYWORD");
    assert.equal(parts.headline, "Unknown keyword argument 'limt' for resolver 'split'");
    assert.equal(parts.source, "<string>:1:8");
    assert.match(
      parts.message,
      /Accepted keywords: delim, trim, skip_empty, limit, default, sensitive/,
    );
    assert.match(
      parts.message,
      /Help: Did you mean 'limit'\? If the text is part of a value, quote it: \$\{split:'a;b;c,limt=1'\}$/,
    );
    // Refused whether or not the value exists: a typo in default= never waits for a miss.
    for (const path of ["port", "missing"]) {
      const e = await failure(config, path);
      assert.equal(e.code, "UNKNOWN_KEYWORD", path);
      assert.match(e.message, /Accepted keywords: default, sensitive/);
      assert.match(e.message, /Did you mean 'default'\?/);
    }
    const odd = await failure(config, "odd");
    assert.ok(!odd.message.includes("Did you mean"), odd.message);
  } finally {
    Deno.env.delete("HOLOCONF_ENGINE_ARGS");
  }
});

Deno.test("references take one path and only default= and sensitive=", async () => {
  const config = Config.loads(
    "a: 1\nr1: ${a,defualt=2}\nr2: ${ref:a,b}\nr3: ${ref:a,default=2,sensitive=true}\n",
  );
  const r1 = await failure(config, "r1");
  assert.equal(r1.code, "UNKNOWN_KEYWORD");
  assert.equal(r1.resolver, "ref");
  assert.match(r1.message, /Did you mean 'default'\?/);
  assert.ok(!r1.message.includes("must be quoted"), "no quoting hint for a path");
  assert.equal((await failure(config, "r2")).code, "TOO_MANY_ARGUMENTS");
  assert.equal(await config.get("r3"), 1);
});

Deno.test("arguments are checked before anything is evaluated or the resolver runs", async () => {
  const c = counter();
  const seen: string[] = [];
  const config = Config.loads("v: ${strict:${count:nested},extra,lvl=${count:kw}}\n", {
    resolvers: {
      count: c.fn,
      strict: { params: { keywords: ["level"] }, resolve: (k: string) => seen.push(k) },
    },
  });
  const e = await failure(config, "v");
  assert.equal(e.code, "TOO_MANY_ARGUMENTS");
  // Arguments holding interpolations are never repeated: a generic example instead.
  assert.match(e.message, /must be quoted: \$\{strict:'a,b'\}/);
  assert.deepEqual(c.calls, []);
  assert.deepEqual(seen, []);
});

Deno.test("a resolver without params accepts any arguments; params via registration options", async () => {
  const config = Config.loads(
    "any: ${loose:a,b,c,whatever=1}\nfn: ${fn:a,b,c,z=1}\nok: ${fn:a,b,y=2}\n",
  );
  config.registerResolver("loose", (_k, call) => call.args.length + call.kwargsAll.length);
  config.registerResolver("fn", (_k, call) => call.args.join("+"), {
    params: { positional: 2, keywords: ["y"] },
  });
  assert.equal(await config.get("any"), 4);
  const dup = Config.loads("v: ${dup:a,b}\n");
  dup.registerResolver("dup", () => 1, { params: { keywords: ["default", "x"] } });
  assert.deepEqual((await failure(dup, "v")).detail, [
    "Accepted keywords: default, x, sensitive, ttl",
  ]);
  const e = await failure(config, "fn");
  assert.equal(e.code, "TOO_MANY_ARGUMENTS");
  assert.match(e.headline, /3 positional, takes at most 2/);
  assert.equal(await config.get("ok"), "a+b");
});

Deno.test("argument errors never repeat the text of a call marked sensitive", async () => {
  const config = Config.loads(
    [
      "a: ${split:pwone,pwtwo,sensitive=true}",
      "b: ${split:pwtwo=x,sensitive=true}",
      "c: ${split:pwone,limt=pwtwo,sensitive=true}",
    ].join("\n"),
  );
  for (const path of ["a", "b", "c"]) {
    const e = await failure(config, path);
    assert.ok(!/pwone|pwtwo/.test(e.message), e.message);
    assert.match(e.message, /\$\{split:'a,b'\}/);
  }
  // A name close to an accepted keyword is a typo, not data: it is named.
  assert.match((await failure(config, "c")).headline, /'limt'/);
  assert.equal(
    (await failure(config, "b")).headline,
    "Unknown keyword argument for resolver 'split'",
  );
});

Deno.test("an empty key in a reference path is an error; relative references still work", async () => {
  const config = Config.loads(
    "a:\n  b: 1\n  c: ${..top}\n  d: ${.b}\ntop: t\nbad: ${a..b}\nbad2: ${ref:.top}\n",
  );
  assert.equal(await config.get("a.c"), "t");
  assert.equal(await config.get("a.d"), 1);
  for (const path of ["bad", "bad2"]) {
    await assert.rejects(config.get(path), (e: unknown) => {
      assert.ok(e instanceof ParseError, path);
      assert.equal(e.headline, "Empty key in path");
      return true;
    });
  }
  await assert.rejects(config.get("a..b"), /Empty key in path/);
});

// ------------------------------------------------------------------ typing and stringification

Deno.test("a whole interpolation keeps the resolved type", async () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const config = Config.loads(
    "n: ${v:n}\nf: ${v:f}\nb: ${v:b}\nz: ${v:z}\nl: ${v:l}\nm: ${v:m}\nby: ${v:by}\nu: ${v:u}\n",
    {
      resolvers: {
        v: (k: string) =>
          ({
            n: 42,
            f: 1.5,
            b: false,
            z: null,
            l: [1, "two"],
            m: { k: "v" },
            by: bytes,
            u: undefined,
          } as Record<string, unknown>)[k],
      },
    },
  );
  assert.equal(await config.get("n"), 42);
  assert.equal(await config.get("f"), 1.5);
  assert.equal(await config.get("b"), false);
  assert.equal(await config.get("z"), null);
  assert.deepEqual(await config.get("l"), [1, "two"]);
  assert.deepEqual(await config.get("m"), { k: "v" });
  assert.deepEqual(await config.get("by"), bytes);
  assert.equal(await config.get("u"), null, "undefined becomes null");
});

Deno.test("concatenation stringifies numbers, booleans, null, lists, maps and bytes", async () => {
  const config = Config.loads(
    [
      "three: 3.0",
      "half: 0.5",
      "t: true",
      "list: [a, 1, [b]]",
      "map: {k: v, n: 2}",
      "s: |-",
      "  n=${three} h=${half} t=${t} nul=${nul:x} l=${list} m=${map} b=${bytes:x}",
    ].join("\n"),
    { resolvers: { bytes: () => new Uint8Array([0xff, 0xfe, 0x00]), nul: () => null } },
  );
  assert.equal(
    await config.get("s"),
    "n=3 h=0.5 t=true nul=null l=[a, 1, [b]] m={k: v, n: 2} b=<bytes: 3 bytes>",
  );
});

Deno.test("values returned by resolvers are never parsed again", async () => {
  Deno.env.set("HOLOCONF_ENGINE_LIT", "${env:HOME} and ${a}");
  try {
    const config = Config.loads(
      "a: 1\ne: ${env:HOLOCONF_ENGINE_LIT}\nc: x-${env:HOLOCONF_ENGINE_LIT}\nr: ${raw:x}\ncopy: ${e}\n",
      { resolvers: { raw: () => "${a}" } },
    );
    assert.equal(await config.get("e"), "${env:HOME} and ${a}");
    assert.equal(await config.get("c"), "x-${env:HOME} and ${a}");
    assert.equal(await config.get("r"), "${a}");
    assert.equal(await config.get("copy"), "${env:HOME} and ${a}");
  } finally {
    Deno.env.delete("HOLOCONF_ENGINE_LIT");
  }
});

Deno.test("an escaped \\${ stays literal", async () => {
  const config = Config.loads('v: "\\\\${a} ${b}"\nb: 2\n');
  assert.equal(await config.get("v"), "${a} 2");
});

Deno.test("resolver arguments, kwargs and kwargsAll reach the resolver after interpolation", async () => {
  let seen: unknown;
  const config = Config.loads(
    "e: E\nv: ${spy:/${e}/k,second,h=1,h=2,x=${e},default=d,sensitive=false}\n",
    {
      resolvers: {
        spy: (key: string, call) => {
          seen = {
            key,
            args: call.args,
            kwargs: { ...call.kwargs },
            kwargsAll: call.kwargsAll,
            path: call.path,
          };
          return "ok";
        },
      },
    },
  );
  assert.equal(await config.get("v"), "ok");
  assert.deepEqual(seen, {
    key: "/E/k",
    args: ["/E/k", "second"],
    kwargs: { h: "2", x: "E" },
    kwargsAll: [["h", "1"], ["h", "2"], ["x", "E"]],
    path: "v",
  });
});

Deno.test("a whole-argument nested bytes value reaches the resolver as bytes", async () => {
  let seen: unknown;
  const config = Config.loads("v: ${len:${bytes:x}}\n", {
    resolvers: {
      bytes: () => new Uint8Array([0xff, 0x00]),
      len: (_k: string, call) => {
        seen = call.args[0];
        return (call.args[0] as Uint8Array).length;
      },
    },
  });
  assert.equal(await config.get("v"), 2);
  assert.ok(seen instanceof Uint8Array);
});

Deno.test("a resolver returning an unsupported value is a ResolverError", async () => {
  const config = Config.loads("v: ${fn:x}\n", { resolvers: { fn: () => () => 1 } });
  await assert.rejects(config.get("v"), ResolverError);
});

Deno.test("a getSync-started async call that fails leaves no unhandled rejection and is retried", async () => {
  let n = 0;
  const config = Config.loads("v: ${bad:x}\n", {
    resolvers: {
      bad: () => (++n === 1 ? Promise.reject(new Error("first")) : Promise.resolve("second")),
    },
  });
  assert.throws(
    () => config.getSync("v"),
    (e: unknown) => (e as ResolverError).code === "ASYNC_RESOLUTION_REQUIRED",
  );
  await tick();
  await tick();
  assert.equal(config.isResolved("v"), false);
  assert.equal(await config.get("v"), "second");
});

Deno.test("work in flight during clearCache() finishes but is not memoized", async () => {
  const g = gated();
  const config = Config.loads("v: ${slow:k}\n", { resolvers: { slow: g.fn } });
  const p = config.get("v");
  await tick();
  config.clearCache();
  g.release();
  assert.equal(await p, "k!");
  assert.equal(config.isResolved("v"), false);
  assert.equal(await config.get("v"), "k!");
  assert.equal(g.calls.length, 2);
});

Deno.test("merge() during resolveAll() never memoizes a value of the old tree under the new one", async () => {
  const g = gated();
  const config = Config.loads("a: ${slow:x}\nc: ${a}\nd: ${c}-d\n", { resolvers: { slow: g.fn } });
  const all = config.resolveAll();
  await tick();
  config.merge(Config.loads("a: new\n"));
  g.release();
  // The batch finishes on the tree it started with: one consistent snapshot.
  assert.deepEqual(await all, { a: "x!", c: "x!", d: "x!-d" });
  assert.equal(await config.get("a"), "new");
  assert.equal(await config.get("c"), "new");
  assert.equal(config.getSync("d"), "new-d");
  assert.deepEqual(await config.toObject({ resolve: true }), { a: "new", c: "new", d: "new-d" });
});

Deno.test("a lazy get() that reaches a shared node after merge() does not memoize it from the old tree", async () => {
  const gate = Promise.withResolvers<void>();
  const later = async (key: string) => {
    await gate.promise;
    return key;
  };
  // `b` is the same node in both trees; only what it references changes.
  const config = Config.loads("a: old\nb: ${a}\nx: ${ref:${later:b}}\n", {
    resolvers: { later },
  });
  const old = config.get("x");
  await tick();
  config.merge(Config.loads("a: new\n"));
  gate.resolve();
  assert.equal(await old, "old", "a request started on the old tree reads the old tree");
  assert.equal(config.isResolved("b"), false);
  assert.equal(await config.get("b"), "new");
});

Deno.test("a reference to a mapping with a sensitive leaf is redacted as a whole", async () => {
  const config = Config.loads("m:\n  user: u\n  pw: ${vault:k}\ncopy: ${m}\n", {
    resolvers: { vault: () => new ResolvedValue("s3cr3t", { sensitive: true }) },
  });
  assert.deepEqual(await config.get("copy"), { user: "u", pw: "s3cr3t" });
  const out = await config.toObject({ redact: true });
  assert.deepEqual(out.m, { user: "u", pw: "[REDACTED]" });
  assert.equal(out.copy, "[REDACTED]");
});

Deno.test("a cycle between two concurrent lazy requests is detected through the wait-for graph", async () => {
  const config = Config.loads("a: ${ref:${slow:b}}\nb: ${ref:${slow:a}}\n", {
    resolvers: { slow: (k: string) => Promise.resolve(k) },
  });
  const results: unknown[] = [];
  config.get("a").then((v) => results.push(v), (e) => results.push(e));
  config.get("b").then((v) => results.push(v), (e) => results.push(e));
  await until(() => results.length >= 2, 100); // both requests settle (no hang)
  assert.equal(results.length, 2);
  assert.ok(results.some((r) => r instanceof CircularReferenceError), String(results));
});

Deno.test("a resolver's identity() takes part in single-flight de-duplication", async () => {
  const g = gated();
  const config = Config.loads("a: ${obj:k}\nb: ${obj:k}\nc: ${obj:k}\n", {
    resolvers: {
      obj: {
        resolve: (k: string, call: ResolverCall) => g.fn(k, call),
        // same arguments, but the call made for `c` means something else (like a relative
        // file path defined in another directory)
        identity: (_k: string, call) => (call.path === "c" ? "other" : "same"),
      },
    },
  });
  const gets = [config.get("a"), config.get("b"), config.get("c")];
  await tick();
  assert.equal(g.calls.length, 2);
  g.release();
  assert.deepEqual(await Promise.all(gets), ["k!", "k!", "k!"]);
  assert.equal(g.calls.length, 2);
});

Deno.test("keys containing dots never share a memo entry with the nested path they print as", async () => {
  const config = Config.loads(
    '"a.b": ${v:dotted}\na:\n  b: ${v:nested}\n"x[0]": ${v:bracket}\nx:\n  - ${v:item}\n',
    { resolvers: { v: (key: string) => key } },
  );
  await config.resolveAll();
  assert.deepEqual(await config.toObject({ resolve: true }), {
    "a.b": "dotted",
    a: { b: "nested" },
    "x[0]": "bracket",
    x: ["item"],
  });
  assert.equal(await config.get("a.b"), "nested");
});

// ------------------------------------------------------------------ trace listener failures

Deno.test("an onTrace listener that throws changes no outcome, and is reported once", async () => {
  const warnings: string[] = [];
  let calls = 0;
  const config = Config.loads(
    "ok: ${sync:x}\nasync: ${later:y}\nbad: ${fails:z}\nnf: ${env:HOLOCONF_ENGINE_UNSET_VAR}\n",
    {
      resolvers: {
        sync: (k: string) => `${k}!`,
        later: (k: string) => Promise.resolve(`${k}?`),
        fails: () => Promise.reject(new ResolverError("backend down", { code: "HTTP_ERROR" })),
      },
      onTrace: () => {
        calls++;
        throw new Error("listener bug");
      },
      onWarning: (m) => warnings.push(m),
    },
  );
  assert.equal(config.getSync("ok"), "x!");
  assert.equal(await config.get("async"), "y?");
  await assert.rejects(config.get("bad"), (e: unknown) => {
    assert.ok(e instanceof ResolverError);
    assert.equal(e.code, "HTTP_ERROR");
    return true;
  });
  await assert.rejects(config.get("nf"), NotFoundError);
  assert.equal(calls, 4, "the listener still saw every call");
  assert.deepEqual(warnings, ["The onTrace listener threw; its errors are ignored"]);
});

// ------------------------------------------------------------------ secret reference paths

/** Secrets for reference paths; every test sets HOLOCONF_ENGINE_P itself. */
const PATH_SECRET = "S3cr3tSegment";
const PATH_VAR = "HOLOCONF_ENGINE_P";

/**
 * The error of `get("v")` with HOLOCONF_ENGINE_P set to `target`; also checks the lines of
 * resolveAll unless the secret is a key of the config itself (then resolveAll names it).
 */
async function refFailure(
  text: string,
  target: string,
  options: { secretIsAKey?: boolean } = {},
): Promise<HoloconfError> {
  Deno.env.set(PATH_VAR, target);
  try {
    const config = Config.loads(text, {
      resolvers: {
        boom: () => {
          throw new Error("backend down");
        },
      },
    });
    const e = await rejectionOf(config.get("v"));
    assert.ok(e instanceof HoloconfError, String(e));
    if (!options.secretIsAKey) {
      const all = await rejectionOf(config.resolveAll());
      assertNotShown(all, [PATH_SECRET], `resolveAll with ${target}`);
    }
    return e;
  } finally {
    Deno.env.delete(PATH_VAR);
  }
}

Deno.test("a reference path computed from a sensitive value is [REDACTED] in every message and field", async () => {
  const text = `items: [1]\nfeedQ9z: \${boom:x}\nv: \${ref:\${env:${PATH_VAR},sensitive=true}}\n`;
  const cases: [string, typeof HoloconfError, string][] = [
    // a piece of the path inside a parse error
    [`items[${PATH_SECRET}]`, ParseError, `Invalid reference path: [REDACTED]`],
    [`items[${PATH_SECRET}`, ParseError, `Invalid reference path: [REDACTED]`],
    // an empty key (a leading dot) inside a parse error
    [`.${PATH_SECRET}`, ParseError, `Invalid reference path: [REDACTED]`],
    // the normalised path (index rewritten): the target's error, by its code only
    [
      `items[0].${PATH_SECRET}`,
      PathNotFoundError,
      "The value at [REDACTED] failed (PATH_NOT_FOUND)",
    ],
    [
      `items[00001].${PATH_SECRET}`,
      PathNotFoundError,
      "The value at [REDACTED] failed (PATH_NOT_FOUND)",
    ],
    // a failure on the way names a prefix of the path
    [`feedQ9z.${PATH_SECRET}`, ResolverError, "The value at [REDACTED] failed (RESOLVER_FAILED)"],
  ];
  for (const [target, cls, headline] of cases) {
    const e = await refFailure(text, target);
    assert.ok(e instanceof cls, `${target}: ${e}`);
    assert.equal(e.headline, headline, target);
    // Where the referencing value is written; a path of a parse error is the referencing one.
    assert.equal(e.path, cls === ParseError ? "v" : "[REDACTED]", target);
    assert.equal(e.source, "<string>:3:4", target);
    assertNotShown(e, [PATH_SECRET, target], target);
    assertNotShown(e, target.startsWith("feedQ9z") ? ["feedQ9z"] : [], target);
  }
});

Deno.test("a target reached through a secret path is not identified by its error's text or source", async () => {
  // The target's own headline (the variable it reads) and its place would say which one it is.
  const text = `billing:\n  api_url: x\n  stripe_key: \${env:HOLOCONF_ENGINE_UNSET_Q7}\n` +
    `  other: ???\nv: \${ref:\${env:${PATH_VAR},sensitive=true}}\n`;
  for (
    const [target, code] of [
      ["billing.stripe_key", "NOT_FOUND"],
      ["billing.other", "MISSING_MANDATORY_VALUE"],
    ]
  ) {
    const e = await refFailure(text, target!);
    assert.equal(e.code, code, target);
    assert.equal(e.headline, `The value at [REDACTED] failed (${code})`, target);
    assert.deepEqual([e.path, e.source], ["[REDACTED]", "<string>:5:4"], target);
    assertNotShown(e, ["HOLOCONF_ENGINE_UNSET_Q7", "stripe_key", "other", ":3:", ":4:"], target);
  }
});

Deno.test("a secret reference path stays hidden in a cycle, a concatenated path and a default's error", async () => {
  const cycle = await refFailure(
    `v: \${ref:\${env:${PATH_VAR},sensitive=true}}\n${PATH_SECRET}: \${v}\n`,
    PATH_SECRET,
    { secretIsAKey: true },
  );
  assert.ok(cycle instanceof CircularReferenceError);
  assert.deepEqual(cycle.chain, ["v", "[REDACTED]", "v"]);
  assertNotShown(cycle, [PATH_SECRET]);

  const concat = await refFailure(
    `v: \${ref:items.\${env:${PATH_VAR},sensitive=true}}\nitems: {}\n`,
    PATH_SECRET,
  );
  assert.ok(concat instanceof PathNotFoundError);
  assert.equal(concat.headline, "The value at [REDACTED] failed (PATH_NOT_FOUND)");
  assertNotShown(concat, [PATH_SECRET]);

  // The default's own failure is about the referencing path: that path stays readable.
  const viaDefault = await refFailure(
    `v: \${ref:\${env:${PATH_VAR},sensitive=true},default=\${env:HOLOCONF_ENGINE_UNSET_VAR}}\n`,
    PATH_SECRET,
  );
  assert.ok(viaDefault instanceof NotFoundError);
  assert.equal(viaDefault.path, "v");
  assertNotShown(viaDefault, [PATH_SECRET]);
});

Deno.test("a failing value reached through a secret reference path leaves the plain error of that value alone", async () => {
  Deno.env.set(PATH_VAR, "feedQ9z");
  try {
    const config = Config.loads(
      `feedQ9z: \${gate:x}\nv: \${ref:\${env:${PATH_VAR},sensitive=true}}\n`,
      {
        resolvers: {
          gate: () => Promise.reject(new ResolverError("backend down")),
        },
      },
    );
    // Both requests share the failing call: hiding the path for `v` must not edit the other error.
    const [v, feed] = await Promise.all([
      rejectionOf(config.get("v")),
      rejectionOf(config.get("feedQ9z")),
    ]);
    assert.ok(v instanceof ResolverError && feed instanceof ResolverError);
    assert.equal(v.path, "[REDACTED]");
    assert.equal(feed.path, "feedQ9z");
    assert.equal(feed.headline, "backend down");
    assertNotShown(v, ["feedQ9z"]);
  } finally {
    Deno.env.delete(PATH_VAR);
  }
});

// ------------------------------------------------------------------ failing siblings, shared calls, default=, unsupported values, generations, secret batches

/** A name for an environment variable that is certainly unset. */
function unsetEnvName(): string {
  const name = `HOLOCONF_ENGINE_UNSET_${crypto.randomUUID().replaceAll("-", "_")}`;
  Deno.env.delete(name);
  return name;
}

for (
  const [label, yamlFor, target] of [
    [
      "a map",
      (env: string) => `db:\n  password: \${vault:pw}\n  port: \${env:${env}}\n`,
      "db",
    ],
    ["a sequence", (env: string) => `l:\n  - \${vault:pw}\n  - \${env:${env}}\n`, "l"],
    ["a concatenation", (env: string) => `url: "\${vault:pw}@\${env:${env}}"\n`, "url"],
    ["an argument list", (env: string) => `a: "\${two:\${vault:pw},\${env:${env}}}"\n`, "a"],
  ] as const
) {
  Deno.test(`a synchronous failure in ${label} while a sibling call is pending never leaves an unhandled rejection`, async () => {
    using watch = watchGlobalFailures();
    for (const via of ["get", "resolveAll"] as const) {
      const pending = Promise.withResolvers<never>();
      let vaultCalls = 0;
      const config = Config.loads(yamlFor(unsetEnvName()), {
        resolvers: {
          vault: () => {
            vaultCalls++;
            return pending.promise;
          },
          two: (k: string, call: ResolverCall) => [k, ...call.args.slice(1)].join(","),
        },
      });
      let settled = false;
      const p = (via === "get" ? config.get(target) : config.resolveAll()).finally(() => {
        settled = true;
      });
      p.catch(() => {}); // inspected below
      await until(() => vaultCalls === 1);
      await tick(2);
      // get() fails as soon as the synchronous part does (resolveAll() may wait for every
      // leaf); the async sibling then fails later: nobody may have dropped its promise.
      if (via === "get") assert.ok(settled, "get() rejected before the async sibling settled");
      pending.reject(new Error("denied"));
      const err = await rejectionOf(p, `${via} with a failing sibling`);
      assert.ok(err instanceof HoloconfError, String(err));
      assert.match(
        err.message,
        /Environment variable not found/,
        `${via}: the synchronous failure is reported`,
      );
      assert.equal(vaultCalls, 1, `${via}: the async sibling was called once`);
      await tick(3);
    }
    assert.deepEqual(watch.unhandled.map(String), []);
    assert.deepEqual(watch.uncaught.map(String), []);
  });
}

Deno.test("a cycle through a shared in-flight call raises CircularReferenceError, not a timeout", async () => {
  // The safety timeout turns the old behaviour (waiting for the per-call timeout) into a
  // RESOLVER_TIMEOUT error, which fails the instanceof check.
  await withSettings({ defaultTimeout: SAFETY_MS }, async () => {
    const gate = Promise.withResolvers<void>();
    const calls: string[] = [];
    const lookup = async (k: string, call: ResolverCall) => {
      calls.push(call.path);
      await gate.promise;
      return await call.config.get(k);
    };
    // p's call reads q, q is p2, and p2 is the identical call p started: p waits on itself.
    const config = Config.loads("p: ${lookup:q}\nq: ${p2}\np2: ${lookup:q}\n", {
      resolvers: { lookup },
    });
    const viaP = config.get("p");
    viaP.catch(() => {}); // inspected below
    await until(() => calls.length === 1);
    const viaP2 = config.get("p2"); // shares p's call, still held by the gate
    viaP2.catch(() => {});
    await tick();
    assert.deepEqual(calls, ["p"], "p2 shares the call p started");
    gate.resolve();
    for (const [what, p] of [["get p", viaP], ["get p2", viaP2]] as const) {
      const err = await rejectionOf(p, what);
      assert.ok(err instanceof CircularReferenceError, `${what}: ${err}`);
      assert.equal(err.code, "CIRCULAR_REFERENCE");
    }
  });
});

Deno.test("a reference's default= applies before the schema default", async () => {
  const schema = Schema.fromObject({
    type: "object",
    properties: {
      a: { type: "object", properties: { b: { type: "string", default: "from-schema" } } },
    },
  });
  await schema.ready();
  const config = Config.loads("a: {}\nx: ${a.b,default=from-kwarg}\ny: ${a.c,default=kw}\n", {
    schema,
  });
  assert.equal(await config.get("x"), "from-kwarg");
  assert.equal(await config.get("y"), "kw");
  assert.equal(await config.get("a.b"), "from-schema");
});

Deno.test("default= applies to a missing path inside a resolver-produced value", async () => {
  const config = Config.loads('data: ${json:{"a":1}}\nz: ${data.b,default=5}\nw: ${data.a}\n');
  assert.equal(await config.get("z"), "5"); // SPEC §4: a default is a string
  assert.equal(await config.get("w"), 1);
});

Deno.test("a resolver returning an unsupported value fails with Path and Source, traced as error", async () => {
  const events: TraceEvent[] = [];
  const config = Config.loads("v: ${bad:x}\nw: ${abad:x}\n", {
    resolvers: {
      bad: () => () => 1,
      abad: () => Promise.resolve(Symbol("s")),
    },
    onTrace: (e) => events.push(e),
  });
  for (
    const [path, name, line, type] of [["v", "bad", 1, "function"], ["w", "abad", 2, "symbol"]]
  ) {
    const err = await rejectionOf(config.get(String(path)), `get ${path}`);
    assert.ok(err instanceof HoloconfError, String(err));
    assert.match(err.message, new RegExp(`Resolver '${name}' returned an unsupported value`));
    assert.match(err.message, new RegExp(`\\n\\s*Path: ${path}\\n`));
    assert.match(err.message, new RegExp(`\\n\\s*Source: \\S+:${line}:\\d+`));
    assert.match(err.message, new RegExp(type as string));
  }
  assert.deepEqual(
    events.map((e) => `${e.path}:${e.resolver}:${e.outcome}`).sort(),
    ["v:bad:error", "w:abad:error"],
  );
});

Deno.test("a request started before merge() reads the tree it started with", async () => {
  let release: (v: string) => void = () => {};
  const slow = () => new Promise<string>((r) => release = r);
  const config = Config.loads("a: ${ref:${slow:x}}\nb: old\n", { resolvers: { slow } });
  const pending = config.get("a");
  await tick();
  config.merge(Config.loads("b: new\n"));
  release("b");
  // The reference is read after the resolver's await, but against the tree get() started on.
  assert.equal(await pending, "old");
  // A request started after the merge sees the new tree.
  const after = config.get("a");
  await tick();
  release("b");
  assert.equal(await after, "new");
});

Deno.test("a call with a secret argument never shares a batch with ordinary calls", async () => {
  const batches: string[][] = [];
  const resolver: ResolverObject = {
    resolve: () => {
      throw new Error("unbatched");
    },
    resolveMany: (keys) => {
      batches.push([...keys]);
      // A failed request names every key it carried, as AWS's AccessDenied does.
      return Promise.resolve(keys.map(() => new Error(`denied: ${keys.join(", ")}`)));
    },
  };
  Deno.env.set("HOLOCONF_ENGINE_SECRET_KEY", "hunter2");
  try {
    const config = Config.loads(
      "a: ${many:/app/${env:HOLOCONF_ENGINE_SECRET_KEY,sensitive=true}}\n" +
        "b: ${many:/app/public}\nc: ${many:/app/other}\n",
      { resolvers: { many: resolver } },
    );
    const err = await config.resolveAll().then(() => undefined, (e) => e);
    assert.ok(err instanceof ResolveAllError);
    assert.deepEqual(batches.map((b) => b.length).sort(), [1, 2]);
    const plain = err.failures.filter((f) => f.path !== "a");
    assert.equal(plain.length, 2);
    for (const f of plain) assert.ok(!f.error.message.includes("hunter2"), f.error.message);
  } finally {
    Deno.env.delete("HOLOCONF_ENGINE_SECRET_KEY");
  }
});

// ---------------------------------------------------------------- ??? (mandatory values)

/** The code, path and source of a MISSING_MANDATORY_VALUE error. */
function isMissingMandatory(path: string, source: string) {
  return (e: unknown) => {
    assert.ok(e instanceof HoloconfError, String(e));
    assert.equal(e.code, "MISSING_MANDATORY_VALUE");
    assert.equal(e.path, path);
    assert.equal(e.source, source);
    return true;
  };
}

const MANDATORY_YAML = "db:\n  host: h\n  password: ???\nurl: pg://${db.password}@${db.host}\n";

Deno.test("get() and getSync() of a ??? value fail naming the path and where it was declared", async () => {
  const config = Config.loads(MANDATORY_YAML, { sourceName: "app.yaml" });
  await assert.rejects(
    config.get("db.password"),
    isMissingMandatory("db.password", "app.yaml:3:13"),
  );
  assert.throws(
    () => config.getSync("db.password"),
    isMissingMandatory("db.password", "app.yaml:3:13"),
  );
  // Through a reference and a mapping too, and a quoted '???' is the marker as well.
  await assert.rejects(config.get("url"), isMissingMandatory("db.password", "app.yaml:3:13"));
  await assert.rejects(config.get("db"), isMissingMandatory("db.password", "app.yaml:3:13"));
  await assert.rejects(Config.loads("a: '???'\n").get("a"), { code: "MISSING_MANDATORY_VALUE" });
  assert.equal(config.isResolved("db.password"), false);
  assert.equal(config.getRaw("db.password"), "???"); // raw is raw
  assert.equal(await config.get("db.host"), "h"); // the rest reads as usual
});

Deno.test("resolveAll() lists every ??? value with its file:line among the failures", async () => {
  const config = Config.loads(MANDATORY_YAML + "token: ???\n", { sourceName: "app.yaml" });
  const e = await rejectionOf(config.resolveAll());
  assert.ok(e instanceof ResolveAllError, String(e));
  const byPath = Object.fromEntries(e.failures.map((f) => [f.path, [f.error.code, f.source]]));
  assert.deepEqual(byPath["db.password"], ["MISSING_MANDATORY_VALUE", "app.yaml:3:13"]);
  assert.deepEqual(byPath["token"], ["MISSING_MANDATORY_VALUE", "app.yaml:5:8"]);
});

Deno.test("a resolved export of a config with a ??? value fails; the raw export shows it", async () => {
  const config = Config.loads("a: 1\nb: ???\n");
  await assert.rejects(config.toYaml({ resolve: true }), { code: "MISSING_MANDATORY_VALUE" });
  await assert.rejects(config.toObject({ redact: true }), { code: "MISSING_MANDATORY_VALUE" });
  assert.deepEqual(await config.toObject(), { a: 1, b: "???" });
});

Deno.test("validate() reports a ??? value as an issue with its code and source", async () => {
  const schema = Schema.fromObject({ type: "object", properties: { b: { type: "integer" } } });
  const config = Config.loads("a: 1\nb: ???\n", { sourceName: "app.yaml" });
  const issues = await config.validateCollect(schema);
  assert.deepEqual(issues.map((i) => [i.path, i.kind, i.code, i.source]), [
    ["b", "resolution", "MISSING_MANDATORY_VALUE", "app.yaml:2:4"],
  ]);
  await assert.rejects(config.validate(schema), /b: Missing mandatory value \(at app\.yaml:2:4\)/);
  // Structurally, ??? stands for the value to come: any type.
  await schema.ready();
  config.validateRaw(schema);
});

Deno.test("a ??? supplied by a later layer reads as that value", async () => {
  const config = Config.loads("a: ???\nb: ???\n");
  config.merge(Config.loads("a: 1\n"));
  assert.equal(await config.get("a"), 1);
  await assert.rejects(config.get("b"), { code: "MISSING_MANDATORY_VALUE" });
  // A value produced by resolution is data, never the marker.
  const data = Config.loads("c: ${env:HOLOCONF_NO_SUCH_VAR_18,default=???}\n");
  assert.equal(await data.get("c"), "???");
});

// ---------------------------------------------------------------- offline

Deno.test("an offline Config refuses a resolver that declares network, naming the path", async () => {
  let calls = 0;
  const remote: ResolverObject = { network: true, resolve: () => ++calls };
  const config = Config.loads("a: x\nb: ${remote:k,default=d}\n", {
    sourceName: "app.yaml",
    resolvers: { remote },
    offline: true,
  });
  await assert.rejects(config.get("b"), (e: unknown) => {
    assert.ok(e instanceof ResolverError, String(e));
    assert.equal(e.code, "OFFLINE");
    assert.equal(e.path, "b");
    assert.equal(e.resolver, "remote");
    assert.equal(e.source, "app.yaml:2:4");
    return true;
  });
  assert.throws(() => config.getSync("b"), { code: "OFFLINE" });
  assert.equal(calls, 0);
  assert.equal(await config.get("a"), "x");
  // The same resolver online, and one registered with network: false, run.
  assert.equal(await Config.loads("b: ${remote:k}\n", { resolvers: { remote } }).get("b"), 1);
  const local = Config.loads("b: ${remote:k}\n", { offline: true });
  local.registerResolver("remote", remote, { network: false });
  assert.equal(await local.get("b"), 2);
});

// ------------------------------------------------------------------ refresh: lifetimes, dependents, generations

/** Versioned values `${v:key}` = `key@version`, each call held until `release(key)`. */
function versioned() {
  const held = new Map<string, (() => void)[]>();
  const v = {
    version: 1,
    hold: false,
    calls: [] as string[],
    release: (key: string) => {
      for (const r of held.get(key)?.splice(0) ?? []) r();
    },
    waiting: (key: string) => held.get(key)?.length ?? 0,
    fn: async (key: string): Promise<string> => {
      v.calls.push(key);
      const version = v.version;
      if (v.hold) {
        await new Promise<void>((r) => held.set(key, [...held.get(key) ?? [], r]));
      }
      return `${key}@${version}`;
    },
  };
  return v;
}

Deno.test("a refresh recomputes what was built from a changed value and nothing else", async () => {
  let time = 0;
  const v = versioned();
  const transforms: string[] = [];
  const upper = (key: string) => {
    transforms.push(key);
    return key.toUpperCase();
  };
  const config = Config.loads(
    [
      "a: ${v:a,ttl=1}",
      "b: ${v:b}",
      "ref: ${a}",
      "concat: ${a}/${b}",
      "shout: ${upper:${a}}",
      "mixed: ${upper:${b}}",
      "nested:\n  list: ['${a}', '${b}']",
    ].join("\n") + "\n",
    { resolvers: { v: v.fn, upper }, now: () => time },
  );
  await config.resolveAll();
  assert.deepEqual(v.calls.sort(), ["a", "b"]);
  assert.deepEqual(transforms.sort(), ["a@1", "b@1"]);
  v.version = 2;
  time = 1_000;
  const set = await config.refresh();
  assert.deepEqual(set.changes.map((c) => [c.path, c.after]), [
    ["a", "a@2"],
    ["ref", "a@2"],
    ["concat", "a@2/b@1"],
    ["shout", "A@2"],
    ["nested.list[0]", "a@2"],
  ]);
  // b (no TTL) was not fetched again, nor `mixed` transformed again.
  assert.deepEqual(v.calls.sort(), ["a", "a", "b"]);
  assert.deepEqual(transforms.sort(), ["a@1", "a@2", "b@1"]);
  assert.deepEqual(await config.get("nested"), { list: ["a@2", "b@1"] });
});

Deno.test("a read racing a refresh sees old or new values, never a mix of one refresh", async () => {
  let time = 0;
  const v = versioned();
  const config = Config.loads(
    "a: ${v:a,ttl=1}\nb: ${v:b,ttl=1}\nboth: ${a}+${b}\nlater: ${a}-${b}\n",
    {
      resolvers: { v: v.fn },
      now: () => time,
    },
  );
  await config.resolveAll();
  v.version = 2;
  v.hold = true;
  time = 1_000;
  const refreshing = config.refresh();
  await until(() => v.waiting("a") === 1 && v.waiting("b") === 1);
  v.release("a"); // one input of `both` is new, the other not yet
  await tick(2);
  assert.equal(config.getSync("both"), "a@1+b@1");
  assert.deepEqual([config.getSync("a"), config.getSync("b")], ["a@1", "b@1"]);
  // Reads that wait (the value expired) get the refresh's values, all of them.
  const waiting = [config.get("both"), config.get("later"), config.resolveAll()];
  await tick(2);
  v.release("b");
  await refreshing;
  assert.deepEqual(await Promise.all(waiting), [
    "a@2+b@2",
    "a@2-b@2",
    { a: "a@2", b: "b@2", both: "a@2+b@2", later: "a@2-b@2" },
  ]);
  assert.deepEqual(v.calls.sort(), ["a", "a", "b", "b"]);
});

Deno.test("a value memoized while a refresh runs is kept unless built from what it changes", async () => {
  let time = 0;
  const v = versioned();
  const config = Config.loads("a: ${v:a,ttl=1}\nfresh: ${v:f}\nuses: ${a}!\n", {
    resolvers: { v: v.fn },
    now: () => time,
  });
  await config.get("a");
  v.version = 2;
  v.hold = true;
  time = 1_000;
  const refreshing = config.refresh();
  await until(() => v.waiting("a") === 1);
  v.hold = false;
  assert.equal(await config.get("fresh"), "f@2"); // memoized on the old tree meanwhile
  v.release("a");
  await refreshing;
  assert.equal(config.isResolved("fresh"), true);
  assert.equal(await config.get("fresh"), "f@2");
  assert.equal(await config.get("uses"), "a@2!");
  assert.deepEqual(v.calls.sort(), ["a", "a", "f"]);
});

Deno.test("refresh({ force }) keeps no value memoized meanwhile: a call made before the force is made again", async () => {
  const v = versioned();
  const config = Config.loads("x: ${v:x}\ny: ${v:y}\nboth: ${x}+${y}\n", {
    resolvers: { v: v.fn },
  });
  assert.equal(await config.get("x"), "x@1");
  v.hold = true;
  const all = config.resolveAll(); // y called with version 1, held
  await until(() => v.waiting("y") === 1);
  v.version = 2;
  const forced = config.refresh({ force: true }); // x called with version 2, held
  await until(() => v.waiting("x") === 1);
  v.hold = false;
  v.release("y"); // y (version 1) memoized on the old tree while the force runs
  await all;
  v.release("x");
  await forced;
  assert.deepEqual(await config.resolveAll(), { x: "x@2", y: "y@2", both: "x@2+y@2" });
  assert.deepEqual(v.calls.sort(), ["x", "x", "y", "y"]);
});

Deno.test("a default= after not found lives as long as the call's TTL", async () => {
  let time = 0;
  let present = false;
  const maybe = (key: string) => {
    if (!present) throw new NotFoundError(`no ${key}`);
    return `${key}!`;
  };
  const config = Config.loads("v: ${maybe:k,default=none,ttl=5}\n", {
    resolvers: { maybe },
    now: () => time,
  });
  assert.equal(await config.get("v"), "none");
  present = true;
  assert.equal(await config.get("v"), "none");
  time = 5_000;
  assert.equal(await config.get("v"), "k!");
});

Deno.test("ttl= takes a positive number of seconds, is refused on references and never shown", async () => {
  const config = Config.loads(
    "a: ${env:HOME,ttl=soon}\nb: ${env:HOME,ttl=0}\nc: ${ref:a,ttl=5}\nd: ${env:HOME,ttl=}\n",
  );
  for (const path of ["a", "b"]) {
    const e = await failure(config, path);
    assert.equal(e.code, "INVALID_KEYWORD_VALUE", path);
    assert.equal(e.headline, "Invalid value for keyword 'ttl'");
    assert.ok(!e.message.includes("soon"));
  }
  const ref = await failure(config, "c");
  assert.equal(ref.code, "UNKNOWN_KEYWORD");
  assert.deepEqual(ref.detail, ["Accepted keywords: default, sensitive"]);
  assert.equal(await config.get("d"), Deno.env.get("HOME"));
});

Deno.test("a resolver never sees ttl= among its keyword arguments", async () => {
  const seen: ResolverCall[] = [];
  const config = Config.loads("v: ${spy:k,x=1,ttl=3}\n", {
    resolvers: {
      spy: (_k: string, call: ResolverCall) => {
        seen.push(call);
        return "ok";
      },
    },
  });
  await config.get("v");
  assert.deepEqual(seen[0]!.kwargsAll, [["x", "1"]]);
  assert.deepEqual({ ...seen[0]!.kwargs }, { x: "1" });
});

Deno.test("a value built from a failed and a refreshed input uses the kept one and the new one", async () => {
  let time = 0;
  let version = 1;
  const failing = new Set<string>();
  const src = (key: string) => {
    if (failing.has(key)) throw new Error(`${key} unavailable`);
    return `${key}@${version}`;
  };
  const config = Config.loads("a: ${src:a,ttl=1}\nb: ${src:b,ttl=1}\nboth: ${a}+${b}\n", {
    resolvers: { src },
    now: () => time,
  });
  await config.resolveAll();
  version = 2;
  failing.add("a");
  time = 1_000;
  const set = await config.refresh();
  assert.deepEqual(set.failures.map((f) => f.path), ["a"]);
  // Every reader agrees: a kept, b new, and `both` built from those two.
  assert.deepEqual(await config.resolveAll(), { a: "a@1", b: "b@2", both: "a@1+b@2" });
});

Deno.test("sensitive=false cannot remove a resolver's registered sensitivity, only a value's hint", async () => {
  const config = Config.loads(
    "a: ${always:x,sensitive=false}\nb: ${hinted:y,sensitive=false}\nc: ${declared:z,sensitive=false}\n",
    {
      resolvers: {
        hinted: (k: string) => new ResolvedValue(`hint-${k}`, { sensitive: true }),
        declared: { sensitive: true, resolve: (k: string) => `decl-${k}` },
      },
    },
  );
  config.registerResolver("always", (k: string) => `reg-${k}`, { sensitive: true });
  const out = await config.toObject({ redact: true });
  assert.deepEqual(out, { a: "[REDACTED]", b: "hint-y", c: "[REDACTED]" });
});
