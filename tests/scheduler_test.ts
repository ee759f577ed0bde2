// Tests of the async execution model (ADR-003, SPEC §6): parallel resolveAll, dependencies,
// the process-wide concurrency limit, per-call timeouts, batch deadlines, caller abort,
// aggregated errors, nested calls and the batching hook. No wall-clock thresholds: calls are
// held by deferred promises released by hand, and in-flight counts are observed directly.

import { withSettings } from "./_settings.ts";
import assert from "node:assert/strict";
import {
  Config,
  configure,
  configureScheduler,
  ResolveAllError,
  type ResolverCall,
  ResolverError,
  type ResolverObject,
} from "../mod.ts";
import {
  Batcher,
  type BatchSpec,
  getSchedulerSettings,
  schedulerStats,
  Semaphore,
} from "../src/scheduler.ts";
import { noHang, rejectionOf, tick, until, watchGlobalFailures } from "./_async.ts";
import { type FakeClock, installFakeClock, recordTimeouts } from "./_fake_clock.ts";

/**
 * An async resolver whose calls each wait for their own release. Tracks started, finished,
 * in flight and the peak in flight.
 */
function held() {
  const state = {
    started: [] as string[],
    finished: [] as string[],
    inFlight: 0,
    peak: 0,
    signals: [] as AbortSignal[],
    gates: new Map<string, PromiseWithResolvers<void>>(),
  };
  const gate = (key: string) => {
    let g = state.gates.get(key);
    if (!g) {
      g = Promise.withResolvers<void>();
      state.gates.set(key, g);
    }
    return g;
  };
  const fn = async (key: string, call: ResolverCall) => {
    state.started.push(key);
    state.signals.push(call.signal);
    state.inFlight++;
    state.peak = Math.max(state.peak, state.inFlight);
    try {
      await gate(key).promise;
    } finally {
      state.inFlight--;
    }
    state.finished.push(key);
    return `${key}!`;
  };
  return {
    state,
    fn,
    release: (key: string) => gate(key).resolve(),
    releaseStarted: () => {
      for (const k of state.started) gate(k).resolve();
    },
  };
}

/** A resolver that never settles on its own (it only records its signal). */
function never() {
  const signals: AbortSignal[] = [];
  const keys: string[] = [];
  const fn = (key: string, call: ResolverCall) => {
    keys.push(key);
    signals.push(call.signal);
    return new Promise<never>(() => {});
  };
  return { fn, signals, keys };
}

function yamlOf(entries: Record<string, string>): string {
  return Object.entries(entries).map(([k, v]) => `${k}: "${v}"`).join("\n") + "\n";
}

// ------------------------------------------------------------------ parallelism

Deno.test("resolveAll() starts every independent call before any finishes", async () => {
  const h = held();
  const n = 12;
  const entries: Record<string, string> = {};
  for (let i = 0; i < n; i++) entries[`k${i}`] = `\${slow:${i}}`;
  const config = Config.loads(yamlOf(entries), { resolvers: { slow: h.fn } });
  const all = config.resolveAll();
  await until(() => h.state.started.length === n);
  assert.equal(h.state.finished.length, 0);
  assert.equal(h.state.peak, n);
  h.releaseStarted();
  const out = await all;
  assert.equal(out.k0, "0!");
  assert.equal(out.k11, "11!");
});

Deno.test("a reference waits only for what it references", async () => {
  const h = held();
  const config = Config.loads("a: ${slow:a}\nb: ${slow:b}\nc: ${a}-x\nd: ${b}-y\n", {
    resolvers: { slow: h.fn },
  });
  const all = config.resolveAll();
  await until(() => h.state.started.length === 2);
  h.release("a");
  await until(() => config.isResolved("c"));
  assert.equal(config.getSync("c"), "a!-x");
  assert.equal(config.isResolved("b"), false);
  assert.equal(config.isResolved("d"), false);
  h.release("b");
  assert.deepEqual(await all, { a: "a!", b: "b!", c: "a!-x", d: "b!-y" });
});

Deno.test("resolveAll() returns the resolved plain object and getSync works afterwards", async () => {
  const config = Config.loads("a:\n  b: ${slow:1}\n  c:\n    - ${slow:2}\n    - lit\nn: 3\n", {
    resolvers: { slow: (k: string) => Promise.resolve(Number(k)) },
  });
  const out = await config.resolveAll<{ a: { b: number; c: unknown[] }; n: number }>();
  assert.deepEqual(out, { a: { b: 1, c: [2, "lit"] }, n: 3 });
  assert.equal(config.getSync("a.b"), 1);
  assert.deepEqual(config.getSync("a"), { b: 1, c: [2, "lit"] });
});

// ------------------------------------------------------------------ concurrency limits

Deno.test("configure({ maxConcurrentResolvers }) bounds the in-flight peak exactly", async () => {
  await withSettings({ maxConcurrentResolvers: 5 }, async () => {
    const h = held();
    const entries: Record<string, string> = {};
    for (let i = 0; i < 30; i++) entries[`k${i}`] = `\${slow:${i}}`;
    const config = Config.loads(yamlOf(entries), { resolvers: { slow: h.fn } });
    const all = config.resolveAll();
    while (h.state.finished.length < 30) {
      await until(() => h.state.inFlight === Math.min(5, 30 - h.state.finished.length));
      assert.ok(h.state.inFlight <= 5);
      h.releaseStarted();
      await tick();
    }
    await all;
    assert.equal(h.state.peak, 5);
    assert.equal(h.state.started.length, 30);
  });
});

Deno.test("resolveAll({ maxConcurrency }) narrows the process-wide limit", async () => {
  await withSettings({ maxConcurrentResolvers: 50 }, async () => {
    const h = held();
    const entries: Record<string, string> = {};
    for (let i = 0; i < 10; i++) entries[`k${i}`] = `\${slow:${i}}`;
    const config = Config.loads(yamlOf(entries), { resolvers: { slow: h.fn } });
    const all = config.resolveAll({ maxConcurrency: 3 });
    while (h.state.finished.length < 10) {
      await until(() => h.state.inFlight === Math.min(3, 10 - h.state.finished.length));
      h.releaseStarted();
      await tick();
    }
    await all;
    assert.equal(h.state.peak, 3);
  });
});

Deno.test("the limit is shared by lazy get() and by several configs", async () => {
  await withSettings({ maxConcurrentResolvers: 2 }, async () => {
    const h = held();
    const c1 = Config.loads("a: ${slow:a}\nb: ${slow:b}\n", { resolvers: { slow: h.fn } });
    const c2 = Config.loads("c: ${slow:c}\nd: ${slow:d}\n", { resolvers: { slow: h.fn } });
    const gets = [c1.get("a"), c1.get("b"), c2.get("c"), c2.get("d")];
    await until(() => h.state.started.length === 2);
    await tick(3);
    assert.equal(h.state.inFlight, 2);
    h.releaseStarted();
    await until(() => h.state.started.length === 4);
    h.releaseStarted();
    assert.deepEqual(await Promise.all(gets), ["a!", "b!", "c!", "d!"]);
    assert.equal(h.state.peak, 2);
  });
});

Deno.test("configure() rejects bad limits with RangeError", () => {
  const before = getSchedulerSettings();
  try {
    assert.throws(() => configure({ maxConcurrentResolvers: 0 }), RangeError);
    assert.throws(() => configure({ maxConcurrentResolvers: 1.5 }), RangeError);
    assert.throws(() => configure({ defaultTimeout: -1 }), RangeError);
    assert.deepEqual(getSchedulerSettings(), before);
  } finally {
    configure(before);
  }
});

Deno.test("a resolver calling back into its config does not deadlock under maxConcurrentResolvers: 1", async () => {
  await withSettings({ maxConcurrentResolvers: 1 }, async () => {
    const outer = async (_k: string, call: ResolverCall) =>
      `outer(${await call.config.get("inner")})`;
    const resolvers = { outer, slow: (k: string) => Promise.resolve(k) };
    const config = Config.loads("a: ${outer:x}\ninner: ${slow:y}\nb: ${slow:z}\n", { resolvers });
    // a safety deadline turns a deadlock into a failure instead of a hang
    const out = await config.resolveAll({ timeout: 10_000 });
    assert.deepEqual(out, { a: "outer(y)", inner: "y", b: "z" });
    const lazy = Config.loads("a: ${outer:x}\ninner: ${slow:y}\n", { resolvers });
    assert.equal(await lazy.get("a"), "outer(y)");
  });
});

Deno.test({
  name: "a nested get of a node queued behind its caller's slot does not deadlock",
  fn: async () => {
    await withSettings({ maxConcurrentResolvers: 1 }, async () => {
      const outer = async (_k: string, call: ResolverCall) => {
        await tick(); // `inner` gets queued for the slot meanwhile
        return `outer(${await call.config.get("inner")})`;
      };
      const resolvers = { outer, slow: (k: string) => Promise.resolve(k) };
      const config = Config.loads("a: ${outer:x}\ninner: ${slow:y}\n", { resolvers });
      assert.deepEqual(await config.resolveAll({ timeout: 2_000 }), { a: "outer(y)", inner: "y" });
      const lazy = Config.loads("a: ${outer:x}\ninner: ${slow:y}\n");
      lazy.registerResolver("outer", outer, { timeout: 2_000 });
      lazy.registerResolver("slow", resolvers.slow);
      assert.deepEqual(await Promise.all([lazy.get("a"), lazy.get("inner")]), ["outer(y)", "y"]);
    });
  },
});

Deno.test("call.config.getSync() reads sync values from inside a resolver", async () => {
  const config = Config.loads("a: ${peek:x}\nb: 7\nc: ${b}\n", {
    resolvers: { peek: (_k: string, call: ResolverCall) => `${call.config.getSync("c")}` },
  });
  assert.equal(await config.get("a"), "7");
});

// ------------------------------------------------------------------ timeouts and abort

/** Advances `clock` to 1 ms before `ms` (the call's signal must still be live), then to `ms`. */
async function expireExactly(clock: FakeClock, ms: number, signal: AbortSignal): Promise<void> {
  await clock.advance(ms - 1);
  assert.equal(signal.aborted, false, `aborted before its ${ms} ms`);
  await clock.advance(1);
}

Deno.test("a per-call timeout fails with RESOLVER_TIMEOUT naming path, resolver, key and limit, and aborts call.signal", async () => {
  using clock = installFakeClock();
  const nv = never();
  const config = Config.loads("db:\n  pw: ${never:the-key}\n");
  config.registerResolver("never", nv.fn, { timeout: 20 });
  const got = noHang(config.get("db.pw"), "get db.pw");
  got.catch(() => {}); // inspected below
  await until(() => nv.signals.length === 1);
  await expireExactly(clock, 20, nv.signals[0]!);
  await assert.rejects(got, (e: unknown) => {
    assert.ok(e instanceof ResolverError);
    assert.equal(e.code, "RESOLVER_TIMEOUT");
    assert.equal(e.path, "db.pw");
    assert.equal(e.resolver, "never");
    assert.ok(e.message.includes("never"), e.message);
    assert.ok(e.message.includes("the-key"), e.message);
    assert.ok(e.message.includes("20"), e.message);
    assert.ok(e.message.includes("db.pw"), e.message);
    return true;
  });
  assert.equal(nv.signals.length, 1);
  assert.equal(nv.signals[0]!.aborted, true);
});

Deno.test("configure({ defaultTimeout }) applies to resolvers without their own timeout", async () => {
  using clock = installFakeClock();
  await withSettings({ defaultTimeout: 15 }, async () => {
    const nv = never();
    const config = Config.loads("v: ${never:k}\n", { resolvers: { never: nv.fn } });
    const got = noHang(config.get("v"), "get v");
    got.catch(() => {}); // inspected below
    await until(() => nv.signals.length === 1);
    await expireExactly(clock, 15, nv.signals[0]!);
    await assert.rejects(got, (e: unknown) => {
      assert.ok(e instanceof ResolverError);
      assert.equal(e.code, "RESOLVER_TIMEOUT");
      return true;
    });
    assert.equal(nv.signals[0]!.aborted, true);
  });
});

Deno.test("a timed-out call is not memoized: a later get retries", async () => {
  let n = 0;
  const flaky = (_k: string) => {
    n++;
    return n === 1 ? new Promise(() => {}) : Promise.resolve("late");
  };
  using clock = installFakeClock();
  const config = Config.loads("v: ${flaky:k}\n");
  config.registerResolver("flaky", flaky, { timeout: 10 });
  const first = noHang(config.get("v"), "first get");
  first.catch(() => {}); // inspected below
  await until(() => n === 1);
  await clock.advance(10);
  await assert.rejects(first, /timed out|RESOLVER_TIMEOUT/);
  assert.equal(await noHang(config.get("v"), "second get"), "late");
});

Deno.test("resolveAll({ timeout }) fails every pending call with RESOLVER_TIMEOUT and aborts their signals", async () => {
  const nv = never();
  const config = Config.loads("a: ${never:1}\nb: ${never:2}\nc: ${never:3}\nok: ${fast:x}\n", {
    resolvers: { never: nv.fn, fast: (k: string) => Promise.resolve(k) },
  });
  using clock = installFakeClock();
  const all = rejectionOf(config.resolveAll({ timeout: 20 }), "resolveAll past its deadline");
  await until(() => nv.signals.length === 3 && config.isResolved("ok"));
  await clock.advance(20);
  const e = await all;
  assert.ok(e instanceof ResolveAllError, String(e));
  assert.deepEqual(e.failures.map((f) => f.path).sort(), ["a", "b", "c"]);
  for (const f of e.failures) {
    assert.equal(f.error.code, "RESOLVER_TIMEOUT", f.error.message);
  }
  assert.equal(nv.signals.length, 3);
  assert.ok(nv.signals.every((s) => s.aborted));
  assert.equal(config.getSync("ok"), "x", "what finished in time stays memoized");
});

Deno.test("a caller signal aborts resolveAll and every call's signal", async () => {
  const nv = never();
  const config = Config.loads("a: ${never:1}\nb: ${never:2}\n", { resolvers: { never: nv.fn } });
  const controller = new AbortController();
  const p = config.resolveAll({ signal: controller.signal });
  await until(() => nv.signals.length === 2);
  controller.abort();
  const e = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(e instanceof ResolveAllError);
  assert.equal(e.failures.length, 2);
  assert.ok(nv.signals.every((s) => s.aborted));
});

Deno.test("an already aborted signal starts no resolver call", async () => {
  const nv = never();
  const config = Config.loads("a: ${never:1}\n", { resolvers: { never: nv.fn } });
  await assert.rejects(config.resolveAll({ signal: AbortSignal.abort() }));
  assert.equal(nv.keys.length, 0);
});

Deno.test("resolveAll() rejects a non-positive timeout", async () => {
  await assert.rejects(Config.loads("a: 1\n").resolveAll({ timeout: 0 }), RangeError);
});

// ------------------------------------------------------------------ aggregated errors

Deno.test("ResolveAllError lists every failed path after the others settled and were memoized", async () => {
  const h = held();
  const config = Config.loads(
    "a: ${bad:1}\nb: ${slow:b}\nc: ${bad:2}\nd: ${a}-ref\ne: literal\n",
    {
      resolvers: {
        slow: h.fn,
        bad: (k: string) => Promise.reject(new Error(`bad ${k}`)),
      },
    },
  );
  let settled = false;
  const p = config.resolveAll().finally(() => (settled = true));
  await until(() => h.state.started.length === 1);
  await tick(3);
  assert.equal(settled, false, "resolveAll waits for the values still in flight");
  h.release("b");
  const e = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(e instanceof ResolveAllError);
  assert.equal(e.code, "RESOLVE_ALL_FAILED");
  assert.deepEqual(e.failures.map((f) => f.path).sort(), ["a", "c", "d"]);
  for (const p of ["a", "c", "d"]) assert.ok(e.message.includes(`${p}: `), e.message);
  assert.ok(e.errors.length >= 2);
  assert.equal(config.getSync("b"), "b!");
  assert.equal(config.getSync("e"), "literal");
  assert.deepEqual(h.state.started, ["b"]);
});

Deno.test("after a failed resolveAll a later get retries the failed node", async () => {
  let n = 0;
  const config = Config.loads("a: ${flaky:x}\n", {
    resolvers: { flaky: () => (++n === 1 ? Promise.reject(new Error("once")) : "fine") },
  });
  await assert.rejects(config.resolveAll(), ResolveAllError);
  assert.equal(await config.get("a"), "fine");
});

// ------------------------------------------------------------------ batching hook

function batchingResolver(options: {
  failKey?: string;
  group?: (key: string, call: ResolverCall) => string;
}) {
  const batches: string[][] = [];
  const signals: AbortSignal[] = [];
  const single: string[] = [];
  const obj: ResolverObject = {
    batchSize: 10,
    resolve: (key: string) => {
      single.push(key);
      return `one-${key}`;
    },
    resolveMany: (keys: string[], calls: ResolverCall[]) => {
      batches.push([...keys]);
      for (const c of calls) signals.push(c.signal);
      return Promise.resolve(
        keys.map((k) => (k === options.failKey ? new Error(`no ${k}`) : `many-${k}`)),
      );
    },
    ...(options.group ? { batchGroup: options.group } : {}),
  };
  return { obj, batches, signals, single };
}

Deno.test("resolveMany receives concurrent keys in groups of batchSize (10/10/5)", async () => {
  const b = batchingResolver({});
  const entries: Record<string, string> = {};
  for (let i = 0; i < 25; i++) entries[`k${i}`] = `\${many:key${i}}`;
  const config = Config.loads(yamlOf(entries), { resolvers: { many: b.obj } });
  const out = await config.resolveAll();
  assert.deepEqual(b.batches.map((x) => x.length).sort((x, y) => y - x), [10, 10, 5]);
  assert.equal(new Set(b.batches.flat()).size, 25);
  assert.equal(out.k7, "many-key7");
  assert.equal(b.single.length, 0);
  assert.ok(b.signals.every((s) => s instanceof AbortSignal));
});

Deno.test("resolveAll with a signal batches the calls of its values together", async () => {
  const b = batchingResolver({});
  const config = Config.loads("a: ${many:1}\nb: ${many:2}\nc: x-${many:3}\n", {
    resolvers: { many: b.obj },
  });
  const caller = new AbortController();
  const out = await config.resolveAll({ signal: caller.signal });
  assert.deepEqual(out, { a: "many-1", b: "many-2", c: "x-many-3" });
  assert.deepEqual(b.batches.map((x) => [...x].sort()), [["1", "2", "3"]]);
});

Deno.test("an Error in resolveMany's result fails only that path", async () => {
  const b = batchingResolver({ failKey: "key3" });
  const entries: Record<string, string> = {};
  for (let i = 0; i < 6; i++) entries[`k${i}`] = `\${many:key${i}}`;
  const config = Config.loads(yamlOf(entries), { resolvers: { many: b.obj } });
  const e = await config.resolveAll().then(() => undefined, (e: unknown) => e);
  assert.ok(e instanceof ResolveAllError);
  assert.deepEqual(e.failures.map((f) => f.path), ["k3"]);
  assert.match(e.failures[0]!.error.message, /no key3/);
  assert.equal(config.getSync("k2"), "many-key2");
  assert.equal(config.getSync("k4"), "many-key4");
});

Deno.test("batchGroup keeps different groups in separate requests", async () => {
  const b = batchingResolver({ group: (_k, call) => call.kwargs.region ?? "" });
  const config = Config.loads(
    "a: ${many:1,region=eu}\nb: ${many:2,region=us}\nc: ${many:3,region=eu}\nd: ${many:4,region=us}\n",
    { resolvers: { many: b.obj } },
  );
  await config.resolveAll();
  const sorted = b.batches.map((x) => [...x].sort()).sort((x, y) => x[0]!.localeCompare(y[0]!));
  assert.deepEqual(sorted, [["1", "3"], ["2", "4"]]);
});

Deno.test("lazy concurrent gets of a batching resolver are batched too", async () => {
  const b = batchingResolver({});
  const config = Config.loads("a: ${many:1}\nb: ${many:2}\nc: ${many:3}\n", {
    resolvers: { many: b.obj },
  });
  const values = await Promise.all([config.get("a"), config.get("b"), config.get("c")]);
  assert.deepEqual(values, ["many-1", "many-2", "many-3"]);
  assert.deepEqual(b.batches, [["1", "2", "3"]]);
});

Deno.test("getSync of a batching resolver uses resolve()", () => {
  const b = batchingResolver({});
  const config = Config.loads("a: ${many:1}\n", { resolvers: { many: b.obj } });
  assert.equal(config.getSync("a"), "one-1");
  assert.deepEqual(b.batches, []);
});

// ------------------------------------------------------------------ Semaphore

Deno.test("Semaphore hands slots out in FIFO order and honours abort while waiting", async () => {
  const s = new Semaphore(1);
  assert.equal(s.tryAcquire(), true);
  const order: string[] = [];
  const controller = new AbortController();
  const a = s.acquire().then(() => order.push("a"));
  const aborted = s.acquire(controller.signal).then(() => order.push("aborted"), () => "rejected");
  const c = s.acquire().then(() => order.push("c"));
  controller.abort(new Error("stop"));
  assert.equal(await aborted, "rejected");
  s.release();
  await a;
  s.release();
  await c;
  assert.deepEqual(order, ["a", "c"]);
  assert.equal(s.peak, 1);
  assert.throws(() => new Semaphore(0), RangeError);
});

// ------------------------------------------------------------------ more timeouts and batches

Deno.test("a resolveAll deadline error names the path, resolver, key and limit", async () => {
  const nv = never();
  const config = Config.loads("a: ${never:the-key}\n", { resolvers: { never: nv.fn } });
  using clock = installFakeClock();
  const all = rejectionOf(config.resolveAll({ timeout: 20 }), "resolveAll past its deadline");
  await until(() => nv.signals.length === 1);
  await clock.advance(20);
  const e = await all;
  assert.ok(e instanceof ResolveAllError);
  const err = e.failures[0]!.error;
  assert.equal(err.path, "a");
  assert.equal(err.resolver, "never");
  assert.equal(err.code, "RESOLVER_TIMEOUT");
  for (const part of ["the-key", "never", "20 ms"]) {
    assert.ok(err.message.includes(part), `${part} missing in: ${err.message}`);
  }
});

Deno.test("a deadline also fails calls still queued for a slot", async () => {
  using clock = installFakeClock();
  await withSettings({ maxConcurrentResolvers: 1 }, async () => {
    const nv = never();
    const config = Config.loads("a: ${never:1}\nb: ${never:2}\nc: ${never:3}\n", {
      resolvers: { never: nv.fn },
    });
    const all = rejectionOf(config.resolveAll({ timeout: 20 }), "resolveAll past its deadline");
    await until(() => nv.signals.length === 1);
    await clock.advance(20);
    const e = await all;
    assert.ok(e instanceof ResolveAllError);
    assert.equal(e.failures.length, 3);
    assert.ok(e.failures.every((f) => f.error.code === "RESOLVER_TIMEOUT"));
    assert.ok(nv.signals.every((s) => s.aborted));
    // the slot is free again afterwards
    const ok = Config.loads("v: ${fast:x}\n", {
      resolvers: { fast: (k: string) => Promise.resolve(k) },
    });
    assert.equal(await ok.get("v"), "x");
  });
});

Deno.test({
  name: "no queued call starts after the resolveAll deadline",
  fn: async () => {
    using clock = installFakeClock();
    await withSettings({ maxConcurrentResolvers: 1 }, async () => {
      const nv = never();
      const config = Config.loads("a: ${never:1}\nb: ${never:2}\nc: ${never:3}\n", {
        resolvers: { never: nv.fn },
      });
      const all = noHang(config.resolveAll({ timeout: 20 }), "resolveAll past its deadline");
      all.catch(() => {}); // inspected below
      await until(() => nv.keys.length === 1);
      await clock.advance(20);
      await assert.rejects(all, ResolveAllError);
      await tick(2);
      assert.deepEqual(nv.keys, ["1"]);
    });
  },
});

Deno.test("a batched request that never settles times out every call of the group", async () => {
  const signals: AbortSignal[] = [];
  const obj: ResolverObject = {
    resolve: () => "single",
    resolveMany: (_keys: string[], calls: ResolverCall[]) => {
      for (const c of calls) signals.push(c.signal);
      return new Promise(() => {});
    },
  };
  const config = Config.loads("a: ${many:1}\nb: ${many:2}\n");
  config.registerResolver("many", obj, { timeout: 20 });
  using clock = installFakeClock();
  const all = rejectionOf(config.resolveAll(), "resolveAll of a batch that never settles");
  await until(() => signals.length === 2);
  await clock.advance(20);
  const e = await all;
  assert.ok(e instanceof ResolveAllError);
  assert.deepEqual(e.failures.map((f) => [f.path, f.error.code]), [
    ["a", "RESOLVER_TIMEOUT"],
    ["b", "RESOLVER_TIMEOUT"],
  ]);
  assert.equal(signals.length, 2);
  assert.ok(signals.every((s) => s.aborted));
});

/** A batch spec whose requests never settle; records each request's keys and signal. */
function heldBatches(size: number) {
  const requests: { keys: string[]; signal: AbortSignal }[] = [];
  const spec = (signal: AbortSignal | undefined): BatchSpec<string> => ({
    size,
    runMany: (keys, _calls, requestSignal) => {
      requests.push({ keys, signal: requestSignal });
      return new Promise(() => {});
    },
    task: { timeout: 0, signal, timeoutError: (kind) => new Error(`gave up (${kind})`) },
  });
  return { requests, spec };
}

Deno.test("a batch request is aborted only once every call in it gave up; each stops waiting at once", async () => {
  const b = heldBatches(2);
  const batcher = new Batcher<string>();
  const first = new AbortController();
  const second = new AbortController();
  const one = batcher.enqueue("g", "a", "a", b.spec(first.signal));
  const two = batcher.enqueue("g", "b", "b", b.spec(second.signal)); // full: sent at once
  assert.deepEqual(b.requests.map((r) => r.keys), [["a", "b"]]);
  const request = b.requests[0]!.signal;
  first.abort();
  await assert.rejects(one, /gave up \(deadline\)/);
  assert.equal(request.aborted, false, "the second call still waits");
  second.abort();
  assert.equal(request.aborted, true);
  await assert.rejects(two, /gave up \(deadline\)/);
});

Deno.test("a call that gives up while queued for its batch is left out of the request", async () => {
  const b = heldBatches(10);
  const batcher = new Batcher<string>();
  const quitter = new AbortController();
  const stayer = new AbortController();
  const gone = batcher.enqueue("g", "a", "a", b.spec(quitter.signal));
  const kept = batcher.enqueue("g", "b", "b", b.spec(stayer.signal));
  quitter.abort();
  await assert.rejects(gone, /gave up \(deadline\)/);
  await until(() => b.requests.length === 1);
  assert.deepEqual(b.requests[0]!.keys, ["b"]);
  assert.equal(b.requests[0]!.signal.aborted, false);
  stayer.abort(); // frees the request's slot
  await assert.rejects(kept, /gave up \(deadline\)/);
});

Deno.test("a group that is not full goes out on the next macrotask, without a timer", async () => {
  const requests: string[][] = [];
  const batcher = new Batcher<string>();
  const spec: BatchSpec<string> = {
    size: 10,
    runMany: (keys) => {
      requests.push(keys);
      return Promise.resolve(keys.map((k) => ({ value: k })));
    },
    task: { timeout: 0, signal: undefined, timeoutError: () => new Error("timeout") },
  };
  let calls: Promise<unknown>[];
  let timeouts: unknown[];
  {
    using recorded = recordTimeouts();
    timeouts = recorded.delays;
    calls = [batcher.enqueue("g", "a", "a", spec), batcher.enqueue("g", "b", "b", spec)];
  }
  assert.deepEqual(requests, [], "queued until the macrotask");
  // Calls queued by promise reactions before the macrotask still join the group.
  await Promise.resolve();
  calls.push(batcher.enqueue("g", "c", "c", spec));
  assert.deepEqual(await Promise.all(calls), ["a", "b", "c"]);
  assert.deepEqual(requests, [["a", "b", "c"]]);
  assert.deepEqual(timeouts, [], "no zero-delay timer: it waits ≥ 1 ms on Node, ≈ 2.5 ms on Deno");
});

Deno.test("calls with one request key count once towards the batch size", async () => {
  const requests: string[][] = [];
  const batcher = new Batcher<string>();
  const spec = (requestKey: string): BatchSpec<string> & { requestKey: string } => ({
    size: 2,
    requestKey,
    runMany: (keys) => {
      requests.push(keys);
      return Promise.resolve(keys.map((k) => ({ value: k })));
    },
    task: { timeout: 0, signal: undefined, timeoutError: () => new Error("timeout") },
  });
  const calls = [
    batcher.enqueue("g", "a.user", "c1", spec("a")),
    batcher.enqueue("g", "a.password", "c2", spec("a")),
    batcher.enqueue("g", "b.user", "c3", spec("b")),
    batcher.enqueue("g", "a.host", "c4", spec("a")), // still fits: "a" is asked already
  ];
  assert.deepEqual(requests, [], "a full group waits for more calls of what it asks");
  calls.push(batcher.enqueue("g", "c.user", "c5", spec("c"))); // a third request: next group
  assert.deepEqual(requests, [["a.user", "a.password", "b.user", "a.host"]]);
  assert.deepEqual(await Promise.all(calls), [
    "a.user",
    "a.password",
    "b.user",
    "a.host",
    "c.user",
  ]);
  assert.deepEqual(requests, [["a.user", "a.password", "b.user", "a.host"], ["c.user"]]);
});

Deno.test("a rejected resolveMany fails every path of its group only", async () => {
  const obj: ResolverObject = {
    resolve: () => "single",
    batchGroup: (k: string) => k.startsWith("bad") ? "bad" : "good",
    resolveMany: (keys: string[]) =>
      keys[0]!.startsWith("bad")
        ? Promise.reject(new Error("service down"))
        : Promise.resolve(keys),
  };
  const config = Config.loads("a: ${many:bad1}\nb: ${many:bad2}\nc: ${many:ok}\n", {
    resolvers: { many: obj },
  });
  const e = await config.resolveAll().then(() => undefined, (e: unknown) => e);
  assert.ok(e instanceof ResolveAllError);
  assert.deepEqual(e.failures.map((f) => f.path), ["a", "b"]);
  assert.match(e.failures[0]!.error.message, /service down/);
  assert.equal(config.getSync("c"), "ok");
});

Deno.test("sync resolvers run under resolveAll and are memoized", async () => {
  let calls = 0;
  const config = Config.loads("a: ${s:1}\nb: ${a}\nc: ${s:1}-x\n", {
    resolvers: { s: (k: string) => (calls++, `v${k}`) },
  });
  assert.deepEqual(await config.resolveAll(), { a: "v1", b: "v1", c: "v1-x" });
  const before = calls;
  await config.resolveAll();
  assert.equal(calls, before, "a second resolveAll calls nothing");
});

Deno.test({
  name: "async calls started by getSync() respect maxConcurrentResolvers",
  fn: async () => {
    await withSettings({ maxConcurrentResolvers: 2 }, async () => {
      const h = held();
      const config = Config.loads(
        "a: ${slow:a}\nb: ${slow:b}\nc: ${slow:c}\nd: ${slow:d}\ne: ${slow:e}\n",
        {
          resolvers: { slow: h.fn },
        },
      );
      for (const p of ["a", "b", "c", "d", "e"]) {
        assert.throws(() => config.getSync(p), ResolverError);
      }
      await tick(3);
      assert.ok(h.state.inFlight <= 2, `in flight: ${h.state.inFlight}`);
      while (h.state.finished.length < 5) {
        h.releaseStarted();
        await tick();
      }
      assert.equal(h.state.peak, 2);
    });
  },
});

Deno.test("getSync() of a node whose async call is in flight does not call again", async () => {
  const h = held();
  const config = Config.loads("a: ${slow:a}\n", { resolvers: { slow: h.fn } });
  const p = config.get("a");
  await tick();
  assert.throws(
    () => config.getSync("a"),
    (e: unknown) => (e as ResolverError).code === "ASYNC_RESOLUTION_REQUIRED",
  );
  h.release("a");
  assert.equal(await p, "a!");
  assert.equal(config.getSync("a"), "a!");
  assert.deepEqual(h.state.started, ["a"]);
});

// ------------------------------------------------------------------ hostile results and leaked slots

/** A revoked Proxy: reading any property (its `then` too) throws a TypeError. */
function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** An object whose `then` getter throws (like a draft used after its producer finished). */
function throwingThen(): object {
  return {
    get then(): never {
      throw new Error("then getter");
    },
  };
}

Deno.test("a resolver returning an object whose `then` cannot be read fails with ResolverError and frees its slot", async () => {
  const before = schedulerStats().active;
  const hostile = Config.loads("r: ${h:revoked}\nt: ${h:then}\n", {
    resolvers: { h: (k: string) => (k === "revoked" ? revoked() : throwingThen()) },
  });
  for (const path of ["r", "t"]) {
    const e = await rejectionOf(hostile.get(path));
    assert.ok(e instanceof ResolverError, `${path}: ${e}`);
    assert.equal(e.path, path);
    assert.equal(e.resolver, "h");
    assert.equal(schedulerStats().active, before, "the slot is given back");
  }
  // More such calls than there are slots: an unrelated async resolver still gets one.
  const gets: Promise<unknown>[] = [];
  for (let i = 0; i < 60; i++) {
    const c = Config.loads(`v: \${h:${i}}\n`, {
      resolvers: { h: () => (i % 2 === 0 ? revoked() : throwingThen()) },
    });
    gets.push(rejectionOf(c.get("v")));
  }
  for (const e of await Promise.all(gets)) assert.ok(e instanceof ResolverError, String(e));
  assert.equal(schedulerStats().active, before);
  const ok = Config.loads("v: ${fast:x}\n", {
    resolvers: { fast: (k: string) => Promise.resolve(`${k}!`) },
  });
  assert.equal(await ok.get("v"), "x!");
});

Deno.test("a resolveMany that returns unreadable results fails its group with ResolverError and frees its slot", async () => {
  const before = schedulerStats().active;
  const shapes: Record<string, () => unknown> = {
    // the request itself is an unreadable thenable
    request: () => revoked(),
    // the request settles with an unreadable list
    list: () => Promise.resolve(revoked()),
    // one entry of the list is unreadable: only that path fails
    entry: () => Promise.resolve([revoked(), "fine"]),
    // the request's `then` getter throws
    getter: () => throwingThen(),
  };
  for (const [shape, make] of Object.entries(shapes)) {
    const obj: ResolverObject = {
      resolve: () => "single",
      resolveMany: () => make() as Promise<unknown[]>,
    };
    const config = Config.loads("a: ${many:1}\nb: ${many:2}\n", { resolvers: { many: obj } });
    const e = await rejectionOf(config.resolveAll());
    assert.ok(e instanceof ResolveAllError, `${shape}: ${e}`);
    const failed = e.failures.map((f) => f.path);
    assert.deepEqual(failed, shape === "entry" ? ["a"] : ["a", "b"], shape);
    for (const f of e.failures) assert.ok(f.error instanceof ResolverError, `${shape}: ${f.error}`);
    if (shape === "entry") assert.equal(config.getSync("b"), "fine");
    assert.equal(schedulerStats().active, before, `${shape}: the slot is given back`);
  }
});

Deno.test("a caller's abort fails a call still queued for a slot, and it never starts", async () => {
  await withSettings({ maxConcurrentResolvers: 1 }, async () => {
    const h = held();
    const holder = Config.loads("x: ${slow:holder}\n", { resolvers: { slow: h.fn } });
    const holding = holder.get("x");
    await until(() => h.state.started.length === 1);
    const queued = Config.loads("q: ${slow:queued}\n", { resolvers: { slow: h.fn } });
    const controller = new AbortController();
    const all = rejectionOf(queued.resolveAll({ signal: controller.signal }));
    await tick();
    assert.equal(schedulerStats().waiting, 1);
    controller.abort(new Error("caller gave up"));
    const e = await all;
    assert.ok(e instanceof ResolveAllError, String(e));
    assert.equal(e.failures[0]!.error.code, "RESOLVER_ABORTED");
    assert.equal(schedulerStats().waiting, 0, "the aborted call left the queue");
    h.release("holder");
    assert.equal(await holding, "holder!");
    assert.deepEqual(h.state.started, ["holder"]);
  });
});

Deno.test("a call that ends while taking its slot back after a nested get leaves the queue", async () => {
  await withSettings({ maxConcurrentResolvers: 1 }, async () => {
    const h = held();
    const go = Promise.withResolvers<void>();
    const outer = async (_k: string, call: ResolverCall) => {
      await go.promise;
      // lends the slot: the queued `hold` call takes it; getting it back has to wait
      return `outer(${await call.config.get("inner")})`;
    };
    const config = Config.loads("a: ${outer:x}\ninner: literal\n", { resolvers: { outer } });
    const controller = new AbortController();
    const all = rejectionOf(config.resolveAll({ signal: controller.signal }));
    await tick();
    const other = Config.loads("h: ${hold:h}\n", { resolvers: { hold: h.fn } });
    const holding = other.get("h");
    await tick();
    assert.equal(schedulerStats().waiting, 1, "hold waits for outer's slot");
    go.resolve();
    await until(() => h.state.started.length === 1);
    await tick();
    assert.equal(schedulerStats().waiting, 1, "outer waits to take its slot back");
    controller.abort(new Error("caller gave up"));
    const e = await all;
    assert.ok(e instanceof ResolveAllError, String(e));
    assert.equal(e.failures[0]!.error.code, "RESOLVER_ABORTED");
    await tick();
    assert.equal(schedulerStats().waiting, 0, "the ended call no longer waits for a slot");
    h.release("h");
    assert.equal(await holding, "h!");
    assert.equal(schedulerStats().active, 0);
  });
});

Deno.test("a nested get stops waiting for a slot when its caller's call ends, and never starts", async () => {
  using clock = installFakeClock();
  await withSettings({ maxConcurrentResolvers: 1 }, async () => {
    const h = held();
    const outer = (_k: string, call: ResolverCall) => call.config.get("inner");
    const config = Config.loads("a: ${outer:x}\ninner: ${slow:inner}\n");
    config.registerResolver("outer", outer, { timeout: 7777 });
    config.registerResolver("slow", h.fn);
    const other = Config.loads("f: ${hold:first}\ns: ${hold:second}\n", {
      resolvers: { hold: h.fn },
    });
    const first = other.get("f");
    await until(() => h.state.started.length === 1);
    const a = rejectionOf(config.get("a"));
    const second = other.get("s");
    await tick();
    assert.equal(schedulerStats().waiting, 2);
    // outer gets the slot and lends it at once: `second` takes it, the nested call queues
    h.release("first");
    await until(() => h.state.started.includes("second"));
    assert.equal(schedulerStats().waiting, 1, "the nested call waits for a slot");
    await clock.advance(7777); // outer's per-call timeout
    const e = await a;
    assert.ok(e instanceof ResolverError, String(e));
    assert.equal(e.code, "RESOLVER_TIMEOUT");
    await tick();
    assert.equal(schedulerStats().waiting, 0, "the nested call left the queue");
    h.release("second");
    assert.deepEqual(await Promise.all([first, second]), ["first!", "second!"]);
    await tick();
    assert.deepEqual(h.state.started, ["first", "second"], "the nested call never started");
  });
});

// ------------------------------------------------------------------ leaked slots, batch failures, shared deadlines, nested limits, huge timeouts

Deno.test("an aborted waiter never takes a slot after the semaphore queue is compacted", async () => {
  const sem = new Semaphore(1);
  assert.ok(sem.tryAcquire());
  const n = 3000;
  const handedOver = 1600; // more than 1024 entries consumed: the queue gets compacted
  const controllers = Array.from({ length: n }, () => new AbortController());
  const granted = new Array<boolean>(n).fill(false);
  const waits = controllers.map((ac, i) =>
    sem.acquire(ac.signal).then(
      () => {
        granted[i] = true;
      },
      () => {},
    )
  );
  // Hand the single slot from waiter to waiter, one at a time.
  for (let i = 0; i < handedOver; i++) {
    sem.release();
    await waits[i];
    assert.ok(granted[i], `waiter ${i} should hold the slot`);
  }
  for (let i = handedOver; i < n; i++) controllers[i]!.abort(new Error("cancelled"));
  await Promise.all(waits);
  sem.release(); // the last waiter that was granted gives its slot back
  assert.equal(sem.active, 0, "no aborted waiter may hold a slot");
  assert.deepEqual(
    granted.slice(handedOver).filter((g) => g),
    [],
    "aborted waiters were granted",
  );
  assert.ok(sem.tryAcquire(), "a later tryAcquire finds the slot free");
  sem.release();
  await noHang(sem.acquire(), "later acquire");
  assert.equal(sem.active, 1);
  sem.release();
  assert.equal(sem.active, 0);
});

Deno.test("aborting resolveAll with thousands of queued calls leaves no resolver slot held", async () => {
  await withSettings({ maxConcurrentResolvers: 1 }, async () => {
    const gates: (() => void)[] = [];
    const gate = () => new Promise<string>((r) => gates.push(() => r("x")));
    const n = 3000;
    const yaml = Array.from({ length: n }, (_, i) => `k${i}: \${gate:${i}}`).join("\n");
    const config = Config.loads(yaml, { resolvers: { gate } });
    const ac = new AbortController();
    const all = config.resolveAll({ signal: ac.signal });
    for (let i = 0; i < 1600; i++) {
      for (let j = 0; j < 100 && gates.length === 0; j++) await null; // usually enough
      await until(() => gates.length > 0);
      gates.shift()!();
    }
    await tick();
    ac.abort();
    const err = await rejectionOf(all, "aborted resolveAll");
    assert.ok(err instanceof ResolveAllError);
    for (const g of gates) g(); // let the call that held the slot finish
    await until(() => schedulerStats().active === 0);
    const later = Config.loads("v: ${ok:1}\n", { resolvers: { ok: () => Promise.resolve(1) } });
    assert.equal(await noHang(later.get("v"), "later get"), 1);
  });
});

Deno.test("a resolveMany that throws synchronously fails only its own group's paths", async () => {
  using watch = watchGlobalFailures();
  const seen: string[][] = [];
  const many = {
    resolve: (k: string) => k,
    batchGroup: (k: string) => (k.startsWith("bad") ? "bad" : "good"),
    resolveMany: (keys: string[]) => {
      seen.push([...keys]);
      if (keys.some((k) => k.startsWith("bad"))) throw new Error("backend down");
      return Promise.resolve(keys.map((k) => `v-${k}`));
    },
  } as ResolverObject;
  const config = Config.loads(
    "a: ${m:bad1}\nb: ${m:bad2}\nc: ${m:good1}\nd: ${m:good2}\ne: plain\n",
    { resolvers: { m: many } },
  );
  const err = await rejectionOf(config.resolveAll(), "resolveAll with a throwing resolveMany");
  assert.ok(err instanceof ResolveAllError, String(err));
  assert.deepEqual(err.failures.map((f) => f.path).sort(), ["a", "b"]);
  assert.ok(seen.some((keys) => keys.includes("bad1")), "the failing batch was sent");
  assert.equal(await noHang(config.get("c"), "get c"), "v-good1");
  assert.equal(await noHang(config.get("d"), "get d"), "v-good2");
  assert.equal(await config.get("e"), "plain");
  // A later get of a failed path fails again instead of hanging.
  await rejectionOf(config.get("a"), "get a");
  await tick(2);
  assert.deepEqual(watch.uncaught.map(String), []);
  assert.deepEqual(watch.unhandled.map(String), []);
});

Deno.test("a call shared with another request stops at this resolveAll's deadline while the other request continues", async () => {
  using clock = installFakeClock();
  const h = held();
  const signals = h.state.signals;
  const config = Config.loads("a: ${slow:k}\nb: ${slow:k}\n", { resolvers: { slow: h.fn } });
  const lazy = config.get("a"); // starts the call; resolveAll's b shares it
  lazy.catch(() => {}); // inspected below
  await until(() => signals.length === 1);
  const all = rejectionOf(config.resolveAll({ timeout: 20 }), "resolveAll past deadline");
  await until(() => clock.pending().includes(20)); // the deadline is armed
  await clock.advance(20);
  const err = await all;
  assert.ok(err instanceof ResolveAllError, String(err));
  assert.deepEqual(err.failures.map((f) => f.path).sort(), ["a", "b"]);
  for (const f of err.failures) assert.equal(f.error.code, "RESOLVER_TIMEOUT", f.path);
  // The lazy get's call keeps running, untouched by the other request's deadline.
  assert.equal(signals.length, 1, "the identical call was shared, not repeated");
  assert.equal(signals[0]!.aborted, false);
  h.release("k");
  assert.equal(await noHang(lazy, "the lazy get"), "k!");
});

Deno.test("a lazy get that joins a call resolveAll started is not ended by resolveAll's deadline", async () => {
  using clock = installFakeClock();
  const h = held();
  const signals = h.state.signals;
  const config = Config.loads("a: ${slow:k}\n", { resolvers: { slow: h.fn } });
  const all = rejectionOf(config.resolveAll({ timeout: 50 }), "resolveAll past deadline");
  await until(() => signals.length === 1);
  const lazy = config.get("a"); // no deadline of its own: joins the call in flight
  lazy.catch(() => {}); // inspected below
  await tick();
  await clock.advance(50);
  const err = await all;
  assert.ok(err instanceof ResolveAllError, String(err));
  assert.deepEqual(err.failures.map((f) => [f.path, f.error.code]), [["a", "RESOLVER_TIMEOUT"]]);
  assert.equal(signals[0]!.aborted, false, "the call goes on for the lazy get");
  h.release("k");
  assert.equal(await noHang(lazy, "the lazy get"), "k!");
  assert.equal(signals.length, 1, "one call served both");
});

/** Releases held calls as they start until `p` settles. */
async function drive<T>(p: Promise<T>, h: ReturnType<typeof held>): Promise<T> {
  let settled = false;
  const watched = p.finally(() => {
    settled = true;
  });
  const pump = (async () => {
    while (!settled) {
      await tick();
      h.releaseStarted();
    }
  })();
  try {
    return await noHang(watched, "nested resolution");
  } finally {
    settled = true;
    await pump;
  }
}

for (const limit of [1, 2]) {
  Deno.test(`nested call.config.get() calls stay within maxConcurrentResolvers = ${limit} and finish`, async () => {
    await withSettings({ maxConcurrentResolvers: limit }, async () => {
      const slow = held();
      const fan = async (k: string, call: ResolverCall) => {
        await null;
        return JSON.stringify(await call.config.get(k));
      };
      const sub = Array.from({ length: 10 }, (_, i) => `  s${i}: \${slow:${i}}`).join("\n");
      const config = Config.loads(`sub:\n${sub}\nf: \${fan:sub}\n`, {
        resolvers: { slow: slow.fn, fan },
      });
      const out = await drive(config.get("f"), slow);
      assert.deepEqual(
        JSON.parse(String(out)),
        Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`s${i}`, `${i}!`])),
      );
      assert.equal(slow.state.started.length, 10);
      assert.ok(
        slow.state.peak <= limit,
        `peak ${slow.state.peak} nested calls in flight exceeds the limit ${limit}`,
      );
      assert.equal(schedulerStats().active, 0, "every slot is given back");
    });
  });
}

Deno.test("a timeout above 2^31-1 ms does not fire early", async () => {
  using clock = installFakeClock();
  await withSettings({ defaultTimeout: 3e9 }, async () => {
    const h = held();
    const signals = h.state.signals;
    const config = Config.loads("a: ${r:x}\n", { resolvers: { r: h.fn } });
    const p = config.get("a");
    p.catch(() => {}); // inspected below
    await until(() => signals.length === 1);
    // A delay past 2^31-1 ms given to the runtime's timer fires at once (the fake clock passes
    // it through to the real timer, so a few turns show it); a clamped one fires at 2^31-1 ms.
    await tick(3);
    await clock.advance(3e9 - 1);
    assert.equal(signals[0]!.aborted, false, "the call was aborted early");
    h.release("x");
    assert.equal(await noHang(p, "get a"), "x!");
  });
});

Deno.test("configureScheduler sets the limits; configure is its upstream name", () => {
  const before = getSchedulerSettings();
  try {
    assert.equal(configure, configureScheduler);
    configureScheduler({ maxConcurrentResolvers: 7, defaultTimeout: 1234 });
    assert.deepEqual(getSchedulerSettings(), { maxConcurrentResolvers: 7, defaultTimeout: 1234 });
  } finally {
    configureScheduler(before);
  }
});
