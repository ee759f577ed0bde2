// Tests of live config (src/live.ts) through the public Config API: TTLs (per call, per
// resolver, settings defaults, a resolver's own suggestion), reads of expired values
// (single-flight, stale-while-revalidate, getSync), refresh() (storms, stale-if-error,
// maxStale, deadlines), change events (redacted, throwing and re-entrant listeners) and the
// automatic refresh. Time is a clock the test moves (the `now` option) and, where timers are
// involved, the fake clock; resolvers are loopback fakes held by deferred promises.

import assert from "node:assert/strict";
import {
  type ChangeSet,
  Config,
  configureResolver,
  type LoadOptions,
  NotFoundError,
  registerResolver,
  resetResolverSettings,
  ResolvedValue,
  type ResolverCall,
  type ResolverObject,
  unregisterResolver,
} from "../mod.ts";
import { type FakeClock, installFakeClock } from "./_fake_clock.ts";
import { noHang, rejectionOf, tick, until, watchGlobalFailures } from "./_async.ts";
import { assertNotShown } from "./_error_views.ts";

/** A clock the test sets by hand (the Config's `now`). */
function manualClock(): { now: () => number; time: number } {
  const clock = { time: 0, now: () => clock.time };
  return clock;
}

/**
 * A loopback source: `${src:key}` is `key@version`; calls are counted per key; `fail` makes
 * calls throw; `hold` keeps new calls pending until `release()`.
 */
function source() {
  const s = {
    version: 1,
    calls: [] as string[],
    fail: undefined as Error | undefined,
    held: [] as (() => void)[],
    hold: false,
    release() {
      for (const r of s.held.splice(0)) r();
    },
    fn: async (key: string): Promise<string> => {
      s.calls.push(key);
      const version = s.version;
      const fail = s.fail;
      if (s.hold) await new Promise<void>((r) => s.held.push(r));
      if (fail) throw fail;
      return `${key}@${version}`;
    },
  };
  return s;
}

/** A Config over `text` with `${src:...}` from a fresh {@linkcode source} and a manual clock. */
function sourced(text: string, options: LoadOptions = {}) {
  const clock = manualClock();
  const src = source();
  const config = Config.loads(text, { resolvers: { src: src.fn }, now: clock.now, ...options });
  return { clock, src, config };
}

// ------------------------------------------------------------------ TTL

Deno.test("a config without TTLs never reads its clock: get, getSync, resolveAll, exports", async () => {
  let reads = 0;
  const config = Config.loads(
    "a: ${src:a}\nb: ${env:HOLOCONF_LIVE_TEST_UNSET,default=x}\nc: ${a}\n",
    {
      resolvers: { src: source().fn },
      now: () => {
        reads++;
        return 0;
      },
    },
  );
  await config.resolveAll();
  assert.equal(await config.get("c"), "a@1");
  assert.equal(config.getSync("b"), "x");
  await config.toYaml();
  assert.equal(reads, 0);
});

Deno.test("ttl= (seconds) makes a value expire; without a TTL it is resolved once", async () => {
  const { clock, src, config } = sourced("a: ${src:a,ttl=10}\nb: ${src:b}\n");
  assert.deepEqual([await config.get("a"), await config.get("b")], ["a@1", "b@1"]);
  src.version = 2;
  clock.time = 9_999;
  assert.deepEqual([await config.get("a"), await config.get("b")], ["a@1", "b@1"]);
  clock.time = 10_000;
  assert.deepEqual([await config.get("a"), await config.get("b")], ["a@2", "b@1"]);
  assert.deepEqual(src.calls, ["a", "b", "a"]);
});

Deno.test("a resolver's TTL: registration, below its settings group, below ttl=", async () => {
  const clock = manualClock();
  const src = source();
  const spec = [{ key: "src", fields: {} }];
  const resolver: ResolverObject = { settingsSpec: spec, resolve: src.fn };
  const config = Config.loads("reg: ${src:reg}\nset: ${src2:set}\narg: ${src2:arg,ttl=5}\n", {
    now: clock.now,
    resolvers: { src2: resolver }, // declares the settings group `src`
    resolverSettings: { src: { ttl: 20_000 } },
  });
  config.registerResolver("src", src.fn, { ttl: 10_000 });
  config.registerResolver("src2", resolver, { ttl: 10_000, force: true });
  await config.resolveAll();
  src.version = 2;
  clock.time = 5_000; // ttl=5 (s) wins over both
  assert.deepEqual(await config.resolveAll(), { reg: "reg@1", set: "set@1", arg: "arg@2" });
  clock.time = 10_000; // the registration's 10 s
  assert.deepEqual(await config.resolveAll(), { reg: "reg@2", set: "set@1", arg: "arg@2" });
  clock.time = 20_000; // the Config's settings over the registration
  assert.deepEqual(await config.resolveAll(), { reg: "reg@2", set: "set@2", arg: "arg@2" });
});

Deno.test("a process-wide settings default gives a built-in resolver a TTL", async () => {
  const clock = manualClock();
  const name = `TTL_TEST_${crypto.randomUUID().replaceAll("-", "_")}`;
  Deno.env.set(name, "one");
  configureResolver("http", { ttl: 1_000 });
  try {
    // env declares no settings: its TTL comes from ttl= only; http's group accepts `ttl`.
    const config = Config.loads(`v: \${env:${name},ttl=1}\n`, { now: clock.now });
    assert.equal(await config.get("v"), "one");
    Deno.env.set(name, "two");
    clock.time = 1_000;
    assert.equal(await config.get("v"), "two");
    assert.throws(() => configureResolver("http", { ttl: 0 }), { code: "INVALID_SETTING" });
  } finally {
    resetResolverSettings("http");
    Deno.env.delete(name);
  }
});

Deno.test("a resolver's suggested TTL (ResolvedValue ttl) applies when the program gives none", async () => {
  const clock = manualClock();
  let version = 1;
  const poll = () => new ResolvedValue(`v${version}`, { ttl: 45_000 });
  const config = Config.loads("auto: ${poll:x}\nmine: ${poll:y,ttl=100}\n", {
    resolvers: { poll },
    now: clock.now,
  });
  await config.resolveAll();
  version = 2;
  clock.time = 45_000;
  assert.deepEqual(await config.resolveAll(), { auto: "v2", mine: "v1" });
  assert.throws(() => new ResolvedValue("x", { ttl: 0 }), RangeError);
});

Deno.test("registerResolver checks ttl and maxStale", () => {
  assert.throws(() => registerResolver("live-bad", () => 1, { ttl: 0 }), RangeError);
  assert.throws(() => registerResolver("live-bad", () => 1, { maxStale: -1 }), RangeError);
  registerResolver("live-ok", () => 1, { ttl: 1, maxStale: 0, force: true });
  unregisterResolver("live-ok");
  assert.throws(() => Config.loads("a: 1\n", { maxStale: -1 }), RangeError);
});

// ------------------------------------------------------------------ reading an expired value

Deno.test("1,000 concurrent gets of an expired value make one call", async () => {
  const { clock, src, config } = sourced("v: ${src:v,ttl=1}\n");
  await config.get("v");
  src.version = 2;
  clock.time = 1_000;
  const values = await Promise.all(Array.from({ length: 1_000 }, () => config.get("v")));
  assert.ok(values.every((v) => v === "v@2"));
  assert.deepEqual(src.calls, ["v", "v"]);
});

Deno.test("staleWhileRevalidate: an expired value is returned at once and refreshed behind", async () => {
  const { clock, src, config } = sourced("v: ${src:v,ttl=1}\n", {
    staleWhileRevalidate: true,
  });
  await config.get("v");
  src.version = 2;
  src.hold = true;
  clock.time = 1_000;
  assert.equal(await config.get("v"), "v@1"); // at once, while the refresh is held
  assert.equal(await config.get("v"), "v@1");
  assert.deepEqual(src.calls, ["v", "v"]);
  src.release();
  await config.refresh(); // joins the background refresh
  assert.equal(await config.get("v"), "v@2");
});

Deno.test("a resolver's staleWhileRevalidate applies to its values only", async () => {
  const clock = manualClock();
  const swr = source();
  const plain = source();
  const config = Config.loads("s: ${swr:s}\np: ${plain:p}\n", { now: clock.now });
  config.registerResolver("swr", swr.fn, { ttl: 1_000, staleWhileRevalidate: true });
  config.registerResolver("plain", plain.fn, { ttl: 1_000 });
  await config.resolveAll();
  swr.version = plain.version = 2;
  clock.time = 1_000;
  assert.equal(await config.get("s"), "s@1");
  assert.equal(await config.get("p"), "p@2");
});

Deno.test("getSync of an expired value returns the last value and starts the refresh", async () => {
  const { clock, src, config } = sourced("v: ${src:v,ttl=1}\n");
  await config.get("v");
  src.version = 2;
  clock.time = 1_000;
  assert.equal(config.getSync("v"), "v@1");
  assert.deepEqual(src.calls, ["v", "v"]);
  await config.refresh();
  assert.equal(config.getSync("v"), "v@2");
});

// ------------------------------------------------------------------ refresh()

Deno.test("refresh() with nothing expired makes no call and tells no listener", async () => {
  const { src, config } = sourced("v: ${src:v,ttl=10}\nw: ${src:w}\n");
  await config.resolveAll();
  const seen: ChangeSet[] = [];
  config.onChange((s) => void seen.push(s));
  assert.deepEqual(await config.refresh(), { changes: [], failures: [] });
  assert.deepEqual(src.calls, ["v", "w"]);
  assert.deepEqual(seen, []);
});

Deno.test("refresh({ force }) fetches every value again, refresh({ paths }) only those", async () => {
  const src = source();
  const config = Config.loads("a: ${src:a}\nb: ${src:b}\nc: x-${a}\n", {
    resolvers: { src: src.fn },
  });
  await config.resolveAll();
  src.version = 2;
  const some = await config.refresh({ force: true, paths: ["c"] });
  assert.deepEqual(some.changes.map((c) => c.path), ["a", "c"]);
  assert.deepEqual(await config.resolveAll(), { a: "a@2", b: "b@1", c: "x-a@2" });
  src.version = 3;
  await config.refresh({ force: true });
  assert.deepEqual(await config.resolveAll(), { a: "a@3", b: "b@3", c: "x-a@3" });
  assert.deepEqual(src.calls.sort(), ["a", "a", "a", "b", "b"]);
});

Deno.test("concurrent refresh() calls share one refresh; a force asked meanwhile runs after it", async () => {
  const { clock, src, config } = sourced("a: ${src:a,ttl=1}\nb: ${src:b}\n");
  await config.resolveAll();
  clock.time = 1_000;
  src.hold = true;
  const storm = Array.from({ length: 100 }, () => config.refresh());
  const forced = config.refresh({ force: true });
  await until(() => src.held.length === 1);
  assert.deepEqual(src.calls, ["a", "b", "a"]);
  src.hold = false;
  src.release();
  const sets = await Promise.all(storm);
  // One refresh (one call of `a` above): the same change set for all (each its own copy).
  for (const set of sets) assert.deepEqual(set, sets[0]);
  await forced;
  // The forced refresh ran once, after: both values again.
  assert.deepEqual(src.calls.sort(), ["a", "a", "a", "b", "b"]);
});

Deno.test("a failed refresh keeps the last value and reports the failure (stale-if-error)", async () => {
  const { clock, src, config } = sourced("v: ${src:v,ttl=60}\nw: got ${v}\n");
  await config.resolveAll();
  src.fail = new Error("throttled");
  clock.time = 60_000;
  const set = await config.refresh();
  assert.deepEqual(set.changes, []);
  assert.deepEqual(set.failures.map((f) => f.path), ["v"]);
  assert.equal(set.failures[0]!.error.code, "RESOLVER_FAILED");
  assert.match(set.failures[0]!.error.message, /throttled/);
  assert.deepEqual(await config.resolveAll(), { v: "v@1", w: "got v@1" });
  // Tried again after min(TTL, 10 s), not on every read meanwhile.
  assert.equal(await config.get("v"), "v@1");
  assert.deepEqual(src.calls, ["v", "v"]);
  clock.time = 70_000;
  src.fail = undefined;
  src.version = 2;
  assert.equal(await config.get("w"), "got v@2");
});

Deno.test("with maxStale, a value that still fails past it is dropped and its error surfaces", async () => {
  const { clock, src, config } = sourced("v: ${src:v,ttl=10}\n", {
    maxStale: 15_000,
  });
  await config.get("v");
  src.fail = new Error("down");
  clock.time = 10_000;
  assert.equal(await config.get("v"), "v@1"); // within maxStale: kept
  clock.time = 25_000; // expired 15 s ago
  assert.equal(config.isResolved("v"), true);
  assert.throws(() => config.getSync("v"), { code: "ASYNC_RESOLUTION_REQUIRED" });
  const e = await rejectionOf(config.get("v"));
  assert.match(String(e), /down/);
  assert.equal(config.isResolved("v"), false);
});

/**
 * A config of `text` whose `slow` resolver answers `<key>@<version>` until `hang` is set, then
 * never settles (ignoring its signal: only the engine can end a refresh); read once, then
 * `hang` set and the clock moved 1 s (every `ttl=1` value has expired). `signals` holds the
 * signal of each call.
 */
async function expiredThenHanging(clock: FakeClock, text: string) {
  const state = { version: 1, hang: false, signals: [] as AbortSignal[] };
  const slow = (key: string, call: ResolverCall) => {
    state.signals.push(call.signal);
    return state.hang ? new Promise<string>(() => {}) : `${key}@${state.version}`;
  };
  const config = Config.loads(text, { resolvers: { slow }, now: () => clock.now });
  await config.resolveAll();
  state.hang = true;
  await clock.advance(1_000);
  return { config, state };
}

Deno.test("a resolver that never settles during a refresh: the deadline applies, old values kept", async () => {
  using clock = installFakeClock();
  const { config } = await expiredThenHanging(clock, "v: ${slow:v,ttl=1}\nw: ${slow:w,ttl=1}\n");
  const refreshing = config.refresh({ timeout: 200 });
  await clock.advance(200);
  const set = await noHang(refreshing, "refresh");
  assert.deepEqual(set.failures.map((f) => [f.path, f.error.code]), [
    ["v", "RESOLVER_TIMEOUT"],
    ["w", "RESOLVER_TIMEOUT"],
  ]);
  assert.deepEqual(await config.resolveAll(), { v: "v@1", w: "w@1" });
});

Deno.test("refresh({ signal }) aborted while its calls never settle resolves at once with RESOLVER_ABORTED failures, aborts call.signal, keeps the old values", async () => {
  using clock = installFakeClock();
  const { config, state } = await expiredThenHanging(
    clock,
    "v: ${slow:v,ttl=1}\nw: ${slow:w,ttl=1}\n",
  );
  state.version = 2;
  const { signals } = state;
  const controller = new AbortController();
  const refreshing = config.refresh({ signal: controller.signal });
  await until(() => signals.length === 4);
  const calls = signals.slice(2);
  assert.ok(calls.every((s) => !s.aborted));
  const at = clock.now;
  controller.abort();
  // It resolves (a change set, not a rejection) with no fake time passing: the abort ended it,
  // not a timeout.
  const set = await noHang(refreshing, "refresh");
  assert.equal(clock.now, at);
  assert.deepEqual(set.changes, []);
  assert.deepEqual(set.failures.map((f) => [f.path, f.error.code]), [
    ["v", "RESOLVER_ABORTED"],
    ["w", "RESOLVER_ABORTED"],
  ]);
  assert.ok(calls.every((s) => s.aborted), "each call.signal of the refresh is aborted");
  // Stale-if-error: the previous values, with no call (tried again after min(TTL, 10 s)).
  assert.equal(await noHang(config.get("v"), "get v"), "v@1");
  assert.equal(await noHang(config.get("w"), "get w"), "w@1");
  assert.equal(signals.length, 4);
  // The aborted refresh is over: the next one runs and gets the new values.
  state.hang = false;
  await clock.advance(1_000);
  const next = await noHang(config.refresh(), "next refresh");
  assert.deepEqual(next.changes.map((c) => [c.path, c.before, c.after]), [
    ["v", "v@1", "v@2"],
    ["w", "w@1", "w@2"],
  ]);
});

Deno.test("an aborted refresh reports each failed path once, at the value that failed", async () => {
  using clock = installFakeClock();
  const { config, state } = await expiredThenHanging(clock, "v: ${slow:v,ttl=1}\nw: x-${v}\n");
  const controller = new AbortController();
  const refreshing = config.refresh({ signal: controller.signal });
  // Aborted while the refresh's call of v is in flight.
  await until(() => state.signals.length === 2);
  controller.abort();
  const set = await noHang(refreshing, "refresh");
  // The call's own failure, once: not again as the "stopped waiting" of the value that made it,
  // nor at w, which is built from v.
  assert.deepEqual(set.failures.map((f) => f.path), ["v"]);
  assert.equal(set.failures[0]!.error.code, "RESOLVER_ABORTED");
  assert.equal(await noHang(config.get("w"), "get w"), "x-v@1");
});

Deno.test("refresh({ signal }) with a signal already aborted makes no resolver call: RESOLVER_ABORTED failures, old values kept", async () => {
  const { clock, src, config } = sourced("v: ${src:v,ttl=1}\nw: ${src:w,ttl=1}\n");
  await config.resolveAll();
  src.version = 2;
  clock.time = 1_000; // both expired: a refresh is due
  const set = await noHang(config.refresh({ signal: AbortSignal.abort() }), "refresh");
  assert.deepEqual(src.calls, ["v", "w"]);
  assert.deepEqual(set.changes, []);
  assert.deepEqual(set.failures.map((f) => [f.path, f.error.code]), [
    ["v", "RESOLVER_ABORTED"],
    ["w", "RESOLVER_ABORTED"],
  ]);
  assert.equal(await config.get("v"), "v@1");
  assert.equal(await config.get("w"), "w@1");
  assert.deepEqual(src.calls, ["v", "w"]);
  // Without the signal, the same refresh fetches both again.
  clock.time = 2_000;
  await config.refresh();
  assert.deepEqual(src.calls, ["v", "w", "v", "w"]);
  assert.equal(await config.get("v"), "v@2");
});

// ------------------------------------------------------------------ events

Deno.test("a secret that changes shows in the event by path and sensitive: true only", async () => {
  const clock = manualClock();
  let secret = "hunter2-old";
  const vault = () => new ResolvedValue(secret, { sensitive: true });
  const config = Config.loads("pw: ${vault:x,ttl=1}\ndsn: db://u:${pw}@h\n", {
    resolvers: { vault },
    now: clock.now,
  });
  await config.resolveAll();
  const seen: ChangeSet[] = [];
  config.onChange((s) => void seen.push(s));
  secret = "hunter2-new";
  clock.time = 1_000;
  const set = await config.refresh();
  assert.deepEqual(set.changes, [
    { path: "pw", sensitive: true },
    { path: "dsn", sensitive: true },
  ]);
  assert.deepEqual(seen, [set]);
  assertNotShown(set, ["hunter2-old", "hunter2-new"], "change set");
  assert.equal(await config.get("dsn"), "db://u:hunter2-new@h");
});

Deno.test("the failure of a secret's refresh is reported without the secret", async () => {
  const clock = manualClock();
  const secret = "s3cr3t-value";
  let fail = false;
  const vault = () => {
    if (fail) throw new Error(`cannot rotate ${secret}`);
    return new ResolvedValue(secret, { sensitive: true });
  };
  const config = Config.loads("pw: ${vault:x,ttl=1}\n", { resolvers: { vault }, now: clock.now });
  await config.get("pw");
  fail = true;
  clock.time = 1_000;
  const set = await config.refresh();
  assert.deepEqual(set.failures.map((f) => f.path), ["pw"]);
  assertNotShown(set, [secret], "change set");
  assert.equal(await config.get("pw"), secret);
});

Deno.test("the failure of a refresh of a value built from a secret read through call.config shows neither", async () => {
  // The resolver read the password through its handle the first time: its value is sensitive,
  // and so are the texts it was built from. Its refresh fails before reading anything, with an
  // error that echoes what it returned before: only the earlier value's secrets can redact it.
  const clock = manualClock();
  const secret = "pa55-7f3a";
  let last = "";
  const dsn = async (_key: string, call: ResolverCall) => {
    if (last !== "") throw new Error(`cannot refresh ${last} (password ${secret})`);
    last = `pg://app:${await call.config.get("pw")}@db`;
    return last;
  };
  const vault = () => new ResolvedValue(secret, { sensitive: true });
  const config = Config.loads("pw: ${vault:pw}\ndsn: ${dsn:x,ttl=1}\n", {
    resolvers: { vault, dsn },
    now: clock.now,
  });
  assert.equal(await config.get("dsn"), `pg://app:${secret}@db`);
  clock.time = 1_000;
  const set = await config.refresh();
  assert.deepEqual(set.failures.map((f) => f.path), ["dsn"]);
  assertNotShown(set, [secret], "change set");
  assert.equal(await config.get("dsn"), `pg://app:${secret}@db`); // stale-if-error
  assert.match(await config.toYaml({ redact: true }), /dsn: '\[REDACTED\]'/);
});

Deno.test("a change set's path of a key with '.' reads back with get() and refresh({ paths })", async () => {
  const clock = manualClock();
  let version = 1;
  const config = Config.loads('m:\n  "a.b": ${src:x,ttl=1}\n  "c.d": ${src:y,ttl=1}\n', {
    resolvers: { src: (k: string) => `${k}${version}` },
    now: clock.now,
  });
  await config.resolveAll();
  version = 2;
  clock.time = 1_000;
  const set = await config.refresh({ paths: ['m["a.b"]'] });
  assert.deepEqual(set.changes.map((c) => c.path), ['m["a.b"]']);
  assert.equal(await config.get(set.changes[0]!.path), "x2");
  assert.equal(await config.get('m["c.d"]'), "y2", "expired: fetched again when read");
});

Deno.test("a throwing listener is reported once and breaks neither the refresh nor the others", async () => {
  const src = source();
  const warnings: string[] = [];
  const config = Config.loads("v: ${src:v}\n", {
    resolvers: { src: src.fn },
    onWarning: (m) => warnings.push(m),
  });
  await config.get("v");
  const seen: number[] = [];
  config.onChange(() => {
    throw new Error("listener bug");
  });
  config.onChange(() => Promise.reject(new Error("async listener bug")));
  config.onChange((s) => void seen.push(s.changes.length));
  using failures = watchGlobalFailures();
  for (const version of [2, 3]) {
    src.version = version;
    await config.refresh({ force: true });
  }
  await tick(2);
  assert.deepEqual(seen, [1, 1]);
  assert.equal(await config.get("v"), "v@3");
  assert.deepEqual(warnings, [
    "An onChange listener threw; its errors are ignored",
    "An onChange listener threw; its errors are ignored",
  ]);
  assert.deepEqual(failures.unhandled, []);
});

Deno.test("each listener and each refresh() caller gets a frozen change set of its own", async () => {
  const clock = manualClock();
  let version = 1;
  const src = () => ({ list: [version], bytes: new Uint8Array([version]) });
  const config = Config.loads("a: ${src:x,ttl=1}\nb: ${bad:y,ttl=1}\n", {
    resolvers: {
      src,
      bad: () => {
        if (version > 1) throw new Error("down");
        return "b";
      },
    },
    now: clock.now,
  });
  await config.resolveAll();
  const mutations: string[] = [];
  const seen: ChangeSet[] = [];
  config.onChange((s) => {
    // A listener that tries to change what the others get: each attempt throws.
    const attempts: [string, () => void][] = [
      ["changes", () => (s.changes as unknown[]).length = 0],
      ["failures", () => (s.failures as unknown[]).push({ path: "evil" })],
      ["path", () => ((s.changes[0] as { path: string }).path = "evil")],
      ["after", () => ((s.changes[0]!.after as { list: number[] }).list[0] = 99)],
    ];
    for (const [what, attempt] of attempts) {
      try {
        attempt();
      } catch (e) {
        if (e instanceof TypeError) mutations.push(what);
      }
    }
    (s.changes[0]!.after as { bytes: Uint8Array }).bytes[0] = 99; // its own copy
  });
  config.onChange((s) => void seen.push(s));
  version = 2;
  clock.time = 1_000;
  const [one, two] = await Promise.all([config.refresh(), config.refresh()]);
  assert.deepEqual(mutations, ["changes", "failures", "path", "after"]);
  const expected = {
    changes: [{
      path: "a",
      sensitive: false,
      before: { list: [1], bytes: new Uint8Array([1]) },
      after: { list: [2], bytes: new Uint8Array([2]) },
    }],
    failures: [{ path: "b", error: one!.failures[0]!.error }],
  };
  assert.deepEqual(seen, [expected]);
  assert.deepEqual(one, expected);
  assert.deepEqual(two, expected);
  assert.notEqual(one, two, "two callers of one refresh get two copies");
  assert.ok(
    Object.isFrozen(one) && Object.isFrozen(one!.changes) && Object.isFrozen(one!.failures),
  );
  assert.ok(Object.isFrozen((one!.changes[0]!.after as { list: number[] }).list));
  assert.equal(await config.get("a.list[0]"), 2);
});

Deno.test("a listener may call refresh() itself: no deadlock, the config stays consistent", async () => {
  const src = source();
  const config = Config.loads("v: ${src:v}\nw: ${v}!\n", { resolvers: { src: src.fn } });
  await config.resolveAll();
  const inner: Promise<ChangeSet>[] = [];
  config.onChange(() => {
    if (inner.length > 0) return;
    src.version = 3;
    inner.push(config.refresh({ force: true }));
  });
  src.version = 2;
  const outer = await noHang(config.refresh({ force: true }), "outer refresh");
  assert.deepEqual(outer.changes.map((c) => c.after), ["v@2", "v@2!"]);
  const second = await noHang(inner[0]!, "inner refresh");
  assert.deepEqual(second.changes.map((c) => c.after), ["v@3", "v@3!"]);
  assert.deepEqual(await config.resolveAll(), { v: "v@3", w: "v@3!" });
});

Deno.test("onChange returns its unsubscribe; a refresh dropped by merge() reports nothing", async () => {
  const src = source();
  const config = Config.loads("v: ${src:v}\n", { resolvers: { src: src.fn } });
  await config.get("v");
  const seen: ChangeSet[] = [];
  const off = config.onChange((s) => void seen.push(s));
  src.hold = true;
  src.version = 2;
  const refreshing = config.refresh({ force: true });
  await until(() => src.held.length === 1);
  config.merge(Config.loads("x: 1\n"));
  src.release();
  assert.deepEqual(await refreshing, { changes: [], failures: [] });
  assert.deepEqual(seen, []);
  off();
  src.hold = false;
  await config.get("v");
  await config.refresh({ force: true });
  assert.deepEqual(seen, []);
});

// ------------------------------------------------------------------ auto refresh

Deno.test("auto refresh runs at the earliest expiry; stop() leaves no timer", async () => {
  using clock = installFakeClock();
  const src = source();
  const config = Config.loads("a: ${src:a,ttl=10}\nb: ${src:b,ttl=30}\n", {
    resolvers: { src: src.fn },
    now: () => clock.now,
  });
  const seen: string[][] = [];
  config.onChange((s) => void seen.push(s.changes.map((c) => c.path)));
  const auto = config.startAutoRefresh();
  assert.deepEqual(clock.pending(), []); // nothing with a TTL read yet
  await config.resolveAll();
  assert.deepEqual(clock.pending(), [10_000]);
  src.version = 2;
  await clock.advance(10_000);
  await until(() => seen.length === 1);
  assert.deepEqual(seen, [["a"]]);
  assert.deepEqual(clock.pending(), [10_000]); // a again at 20 s, before b at 30 s
  src.version = 3;
  await clock.advance(20_000);
  await until(() => seen.length === 3);
  assert.deepEqual(seen, [["a"], ["a"], ["b"]]); // a was fetched at 30 s too, unchanged
  assert.deepEqual(src.calls.sort(), ["a", "a", "a", "a", "b", "b"]);
  auto.stop();
  assert.deepEqual(clock.pending(), []);
  src.version = 4;
  await clock.advance(60_000);
  assert.equal(seen.length, 3);
});

Deno.test("auto refresh with an interval refreshes what expired on each tick; stop() ends it", async () => {
  using clock = installFakeClock();
  const src = source();
  const config = Config.loads("a: ${src:a,ttl=1}\n", {
    resolvers: { src: src.fn },
    now: () => clock.now,
  });
  await config.get("a");
  const auto = config.startAutoRefresh({ interval: 5_000 });
  assert.deepEqual(clock.pending(), [5_000]);
  src.version = 2;
  await clock.advance(5_000);
  await until(() => src.calls.length === 2);
  await until(() => clock.pending().length === 1);
  assert.deepEqual(clock.pending(), [5_000]);
  auto.stop();
  auto.stop();
  assert.deepEqual(clock.pending(), []);
  assert.equal(config.getSync("a"), "a@2");
  assert.throws(() => config.startAutoRefresh({ interval: -1 }), RangeError);
});

Deno.test("a default= given because a call found nothing expires with what the call read through call.config", async () => {
  // `look` has no TTL of its own; its answer depends on `pw`, which expires after 1 s. A value
  // it answered and a default= it left to apply must both be asked again once `pw` expired.
  const clock = manualClock();
  const src = source();
  const look = async (key: string, call: ResolverCall) => {
    const pw = await call.config.get("pw");
    if (key === "y" && pw === "pw@1") throw new NotFoundError(`no ${key}`);
    return `${key}:${pw}`;
  };
  const config = Config.loads(
    "pw: ${src:pw,ttl=1}\nfound: ${look:x}\nmissing: ${look:y,default=none}\n",
    { resolvers: { src: src.fn, look }, now: clock.now },
  );
  assert.equal(await config.get("missing"), "none");
  assert.equal(await config.get("found"), "x:pw@1");
  src.version = 2;
  clock.time = 1_000;
  // Each read alone, the not-found one first: its expiry is its own, not a side effect of the
  // other's refresh.
  assert.equal(await config.get("missing"), "y:pw@2");
  assert.equal(await config.get("found"), "x:pw@2");
});

Deno.test("stale-if-error covers a refresh answered not found (no default=) until maxStale", async () => {
  const clock = manualClock();
  let present = true;
  const maybe = (key: string) => {
    if (!present) throw new NotFoundError(`no ${key}`);
    return `${key}!`;
  };
  const config = Config.loads("v: ${maybe:k,ttl=1}\nd: ${maybe:k,ttl=1,default=gone}\n", {
    resolvers: { maybe },
    now: clock.now,
    maxStale: 5_000,
  });
  await config.resolveAll();
  present = false;
  clock.time = 1_000;
  const set = await config.refresh();
  assert.deepEqual(set.changes, [{ path: "d", sensitive: false, before: "k!", after: "gone" }]);
  assert.deepEqual(set.failures.map((f) => [f.path, f.error.code]), [["v", "NOT_FOUND"]]);
  assert.equal(await config.get("v"), "k!");
  clock.time = 6_000;
  assert.equal((await rejectionOf(config.get("v")) as NotFoundError).code, "NOT_FOUND");
});
