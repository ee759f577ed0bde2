// Tests of the dispatcher (src/dispatch.ts): the policy of one resolver call, driven directly
// with hooks that record what the engine would do. Single-flight, batch groups, what the
// resolver and its hooks receive, the hooks' order, trace events, and resolveMany results
// that do not fit the calls. No timers: calls are held by deferred promises and abort signals.

import assert from "node:assert/strict";
import {
  type CallCarry,
  type CallHooks,
  type CallLife,
  type CallScope,
  Dispatcher,
  type InFlightCalls,
  type TraceEvent,
} from "../src/dispatch.ts";
import { type LivePolicy, ResolverRegistry } from "../src/registry.ts";
import {
  type RegisterOptions,
  ResolvedValue,
  type Resolver,
  type ResolverCall,
} from "../src/resolver.ts";
import type { Resolved } from "../src/value.ts";
import { NotFoundError, ResolveAllError, ResolverError } from "../src/errors.ts";
import { Config } from "../src/config.ts";
import { makeResolverCall } from "./_call.ts";
import { assertNotShown } from "./_error_views.ts";

/** A resolver as the registry hands it to the engine (checked, defaults applied). */
function registered(resolver: Resolver, options: RegisterOptions = {}) {
  const registry = new ResolverRegistry();
  registry.register("r", resolver, options);
  return registry.get("r")!;
}

const SCOPE: CallScope = {
  sync: false,
  signal: undefined,
  batchLimit: undefined,
  nested: false,
};

/**
 * Hooks that record each step; `owner` names the call for joins, and a join waits as the
 * engine does, as one of the call's waiters, giving up when `joinSignal` aborts.
 */
function recorder(owner: string, joinSignal?: AbortSignal) {
  const steps: string[] = [];
  const starts: AbortSignal[] = [];
  /** The lifetime each settled, kept or missed call was given. */
  const lives: CallLife[] = [];
  const hooks: CallHooks<string, Resolved> = {
    join: (other, result, shared) => {
      steps.push(`join ${other}`);
      return shared ? shared.wait(result, joinSignal, () => new Error("joiner gave up")) : result;
    },
    start: (signal) => {
      steps.push("start");
      starts.push(signal);
    },
    settle: (r, life) => {
      steps.push("settle");
      lives.push(life);
      return r;
    },
    reuse: (r) => {
      steps.push("reuse");
      return r;
    },
    fallBack: (previous, error, life) => {
      steps.push(`fall back (${error.code})`);
      lives.push(life);
      return previous;
    },
    notFound: (life) => {
      steps.push("not found");
      lives.push(life);
    },
    readSecret: () => false,
    end: () => steps.push("end"),
  };
  return { owner, steps, starts, lives, hooks };
}

/** Dispatches one call of resolver `reg` with key `key`, recording its steps. */
function dispatch(
  dispatcher: Dispatcher,
  reg: ReturnType<typeof registered>,
  key: string,
  options: {
    owner?: string;
    scope?: Partial<CallScope>;
    inFlight?: InFlightCalls<string, Resolved>;
    sensitiveInput?: boolean;
    live?: LivePolicy | undefined;
    carry?: CallCarry<Resolved> | undefined;
    joinSignal?: AbortSignal;
  } = {},
) {
  const rec = recorder(options.owner ?? key, options.joinSignal);
  const { signal: _, settings, ...rest } = makeResolverCall({
    resolver: reg.name,
    args: [key],
    path: `at.${key}`,
    sensitiveInput: options.sensitiveInput,
  });
  const call = { ...rest, settingsOf: () => settings };
  const result = dispatcher.dispatch({
    resolver: reg,
    call,
    scope: { ...SCOPE, ...options.scope },
    inFlight: options.inFlight ?? new Map(),
    owner: rec.owner,
    secrets: [],
    live: options.live ?? reg.live,
    carry: options.carry,
    hooks: rec.hooks,
  });
  return { ...rec, result };
}

function newDispatcher(events: TraceEvent[] = [], now: () => number = () => 0): Dispatcher {
  return new Dispatcher({ onTrace: (e) => events.push(e), onWarning: () => {}, now });
}

async function rejection(p: unknown): Promise<unknown> {
  return await Promise.resolve(p).then(() => assert.fail("expected a rejection"), (e) => e);
}

// ------------------------------------------------------------------ single-flight

Deno.test("an identical call in flight is joined through the caller's join hook, not started again", async () => {
  const gate = Promise.withResolvers<string>();
  let runs = 0;
  const reg = registered(() => {
    runs++;
    return gate.promise;
  });
  const d = newDispatcher();
  const inFlight: InFlightCalls<string, Resolved> = new Map();
  const first = dispatch(d, reg, "k", { owner: "first", inFlight });
  const second = dispatch(d, reg, "k", { owner: "second", inFlight });
  assert.equal(runs, 1);
  assert.deepEqual(second.steps, ["join first"]);
  assert.equal(second.result, first.result, "the joiner gets the running call's outcome");
  gate.resolve("v");
  assert.deepEqual(await first.result, { value: "v", sensitive: false });
  assert.deepEqual(first.steps, ["start", "settle", "end"]);
  assert.equal(inFlight.size, 0, "forgotten once settled");
  // Settled calls are not shared: the next identical call runs again.
  const third = dispatch(d, reg, "k", { inFlight });
  assert.equal(runs, 2);
  assert.deepEqual(third.steps, ["start"]);
});

Deno.test("a joined call is aborted only once its starter and every joiner gave up", async () => {
  const signals: AbortSignal[] = [];
  const reg = registered((_key: string, call: ResolverCall) => {
    signals.push(call.signal);
    return new Promise(() => {});
  });
  const d = newDispatcher();
  const inFlight: InFlightCalls<string, Resolved> = new Map();
  const starter = new AbortController();
  const joiner = new AbortController();
  const first = dispatch(d, reg, "k", {
    owner: "first",
    inFlight,
    scope: { signal: starter.signal },
  });
  const second = dispatch(d, reg, "k", { owner: "second", inFlight, joinSignal: joiner.signal });
  assert.deepEqual(second.steps, ["join first"]);
  starter.abort();
  const stopped = await rejection(first.result);
  assert.ok(
    stopped instanceof ResolverError && stopped.code === "RESOLVER_ABORTED",
    String(stopped),
  );
  assert.equal(signals[0]!.aborted, false, "the joiner still waits");
  joiner.abort();
  assert.equal(signals[0]!.aborted, true, "nobody waits any more");
  // An identical call made now starts again rather than join the ending one.
  const later = new AbortController();
  const third = dispatch(d, reg, "k", { inFlight, scope: { signal: later.signal } });
  assert.equal(signals.length, 2);
  const ended = await rejection(second.result);
  assert.ok(ended instanceof ResolverError && ended.code === "RESOLVER_ABORTED", String(ended));
  later.abort(); // frees its slot
  await rejection(third.result);
});

Deno.test("calls differing in arguments or in the resolver's identity are not joined", () => {
  let runs = 0;
  const reg = registered({
    resolve: () => {
      runs++;
      return new Promise(() => {});
    },
    identity: (_key, call) => call.path,
  });
  const d = newDispatcher();
  const inFlight: InFlightCalls<string, Resolved> = new Map();
  dispatch(d, reg, "a", { inFlight });
  dispatch(d, reg, "b", { inFlight });
  assert.equal(runs, 2);
  assert.equal(inFlight.size, 2);
});

Deno.test("calls differing in their lifetime policy (ttl=...) are not joined", () => {
  let runs = 0;
  const reg = registered(() => {
    runs++;
    return new Promise(() => {});
  });
  const d = newDispatcher();
  const inFlight: InFlightCalls<string, Resolved> = new Map();
  dispatch(d, reg, "k", { inFlight, owner: "no ttl" });
  const withTtl = dispatch(d, reg, "k", { inFlight, owner: "ttl", live: { ttl: 10_000 } });
  const again = dispatch(d, reg, "k", { inFlight, owner: "ttl again", live: { ttl: 10_000 } });
  assert.equal(runs, 2);
  assert.deepEqual(withTtl.steps, ["start"]);
  assert.deepEqual(again.steps, ["join ttl"]);
});

Deno.test("through a Config, the same call with and without ttl= is two calls, each with its lifetime, in any order", async () => {
  for (
    const [text, path, before, after] of [
      ["b: ${src:k}\na: ${src:k,ttl=10}\n", "", { a: "k@1", b: "k@1" }, { a: "k@2", b: "k@1" }],
      ["a: ${src:k,ttl=10}\nb: ${src:k}\n", "", { a: "k@1", b: "k@1" }, { a: "k@2", b: "k@1" }],
      ["x: ${src:k}-${src:k,ttl=10}\n", "x", "k@1-k@1", "k@1-k@2"],
    ] as const
  ) {
    let time = 0;
    let version = 1;
    const calls: string[] = [];
    const src = (key: string) => {
      calls.push(key);
      return Promise.resolve(`${key}@${version}`);
    };
    const config = Config.loads(text, { resolvers: { src }, now: () => time });
    await config.resolveAll();
    assert.deepEqual(await config.get(path), before, text);
    assert.equal(calls.length, 2, `${text}: not joined, whatever their order`);
    version = 2;
    time = 10_000;
    await config.refresh();
    assert.deepEqual(await config.get(path), after, text);
    assert.equal(calls.length, 3, `${text}: only the call with a TTL is made again`);
  }
});

Deno.test("a synchronous resolver's calls are never recorded for joining", () => {
  const reg = registered({ resolve: (k: string) => `${k}!`, synchronous: true });
  const d = newDispatcher();
  const inFlight: InFlightCalls<string, Resolved> = new Map();
  const one = dispatch(d, reg, "k", { inFlight });
  assert.deepEqual(one.result, { value: "k!", sensitive: false });
  assert.deepEqual([...one.steps].sort(), ["end", "settle", "start"], "each step once");
  assert.equal(inFlight.size, 0);
});

// ------------------------------------------------------------------ the call a resolver gets

Deno.test("the resolver gets a call with its own signal; its hooks see one that never aborts", async () => {
  const seen: { hook: string; call: ResolverCall }[] = [];
  const reg = registered({
    resolve: (_k, call) => {
      seen.push({ hook: "resolve", call });
      return new Promise((_, reject) => call.signal.addEventListener("abort", reject));
    },
    identity: (_k, call) => {
      seen.push({ hook: "identity", call });
      return "";
    },
  });
  const caller = new AbortController();
  const c = dispatch(newDispatcher(), reg, "k", { scope: { signal: caller.signal } });
  assert.deepEqual(seen.map((s) => s.hook), ["identity", "resolve"]);
  const [identity, resolve] = seen.map((s) => s.call);
  assert.notEqual(identity!.signal, resolve!.signal);
  assert.equal(c.starts[0], resolve!.signal, "the start hook sees the signal the call runs with");
  caller.abort();
  const e = await rejection(c.result);
  assert.ok(e instanceof ResolverError && e.code === "RESOLVER_ABORTED", String(e));
  assert.ok(resolve!.signal.aborted, "the running call's signal aborts");
  assert.ok(!identity!.signal.aborted, "the one the hooks saw never does");
});

Deno.test("a call's deadline is its timeout from its start, or the request's end if sooner", async () => {
  const seen: (number | undefined)[] = [];
  const reg = registered({
    resolve: (_k, call) => {
      seen.push(call.deadline);
      return Promise.resolve("v");
    },
  }, { timeout: 5_000 });
  const d = newDispatcher();
  let before = Date.now();
  await dispatch(d, reg, "own").result;
  let after = Date.now();
  assert.ok(seen[0]! >= before + 5_000 && seen[0]! <= after + 5_000, String(seen[0]));
  // A request ending before the timeout would: its end.
  const endsAt = Date.now() + 1_000;
  await dispatch(d, reg, "sooner", { scope: { endsAt } }).result;
  assert.equal(seen[1], endsAt);
  // A request ending later: the timeout still.
  before = Date.now();
  await dispatch(d, reg, "later", { scope: { endsAt: before + 60_000 } }).result;
  after = Date.now();
  assert.ok(seen[2]! >= before + 5_000 && seen[2]! <= after + 5_000, String(seen[2]));
  // No timeout (0) and no request deadline: none.
  const unlimited = registered({ resolve: (_k, call) => (seen.push(call.deadline), "v") }, {
    timeout: 0,
  });
  await dispatch(d, unlimited, "none").result;
  assert.equal(seen[3], undefined);
});

Deno.test("the calls of a batch request get its deadline; resolveAll's timeout ends a request", async () => {
  const b = batching(10);
  const d = newDispatcher();
  const endsAt = Date.now() + 2_000;
  await Promise.all(["a1", "a2"].map((k) => dispatch(d, b.reg, k, { scope: { endsAt } }).result));
  assert.deepEqual(b.requests[0]!.calls.map((c) => c.deadline), [endsAt, endsAt]);
  // Through a Config: resolveAll({ timeout }) sets the request's end.
  const seen: (number | undefined)[] = [];
  const config = Config.loads("a: ${probe:x}\n", {
    resolvers: { probe: (_key: string, call: ResolverCall) => (seen.push(call.deadline), "v") },
  });
  const before = Date.now();
  await config.resolveAll({ timeout: 1_500 });
  const after = Date.now();
  assert.ok(seen[0]! >= before + 1_500 && seen[0]! <= after + 1_500, String(seen[0]));
});

// ------------------------------------------------------------------ batches

/** A batching resolver that records its requests and answers `key!` (or what `answer` says). */
function batching(size: number, answer?: (keys: string[]) => unknown) {
  const requests: { keys: string[]; calls: ResolverCall[] }[] = [];
  const reg = registered({
    resolve: () => assert.fail("batched calls go through resolveMany"),
    resolveMany: (keys, calls) => {
      requests.push({ keys, calls });
      return Promise.resolve(answer ? answer(keys) : keys.map((k) => `${k}!`)) as Promise<
        unknown[]
      >;
    },
    batchGroup: (key) => key.slice(0, 1),
    batchSize: size,
  });
  return { reg, requests };
}

Deno.test("calls of one batch group and one request share resolveMany requests of at most batchSize", async () => {
  const b = batching(2);
  const d = newDispatcher();
  const calls = ["a1", "a2", "a3", "b1"].map((k) => dispatch(d, b.reg, k));
  const values = await Promise.all(calls.map((c) => c.result));
  assert.deepEqual(values.map((v) => v.value), ["a1!", "a2!", "a3!", "b1!"]);
  assert.deepEqual(b.requests.map((r) => r.keys).sort(), [["a1", "a2"], ["a3"], ["b1"]]);
  // Every call of a request runs with the request's signal, and starts with it.
  for (const r of b.requests) {
    assert.ok(r.calls.every((c) => c.signal === r.calls[0]!.signal));
  }
  assert.equal(calls[0]!.starts[0], b.requests.find((r) => r.keys[0] === "a1")!.calls[0]!.signal);
  for (const c of calls) assert.deepEqual(c.steps, ["start", "settle", "end"]);
});

Deno.test("calls of different requests, nesting or secrecy never share a batch request", async () => {
  const b = batching(10);
  const d = newDispatcher();
  const abort = new AbortController();
  const calls = [
    dispatch(d, b.reg, "a1"),
    dispatch(d, b.reg, "a2", { scope: { signal: abort.signal } }),
    dispatch(d, b.reg, "a3", { scope: { nested: true } }),
    dispatch(d, b.reg, "a4", { sensitiveInput: true }),
    dispatch(d, b.reg, "a5"),
  ];
  await Promise.all(calls.map((c) => c.result));
  assert.deepEqual(
    b.requests.map((r) => r.keys.join(",")).sort(),
    ["a1,a5", "a2", "a3", "a4"],
  );
});

Deno.test("getSync's calls of a batching resolver go to resolve(), never to a batch", () => {
  let many = 0;
  const reg = registered({
    resolve: (k: string) => `${k}?`,
    resolveMany: () => {
      many++;
      return Promise.resolve([]);
    },
  });
  const c = dispatch(newDispatcher(), reg, "k", { scope: { sync: true } });
  assert.deepEqual(c.result, { value: "k?", sensitive: false });
  assert.equal(many, 0);
});

Deno.test("a resolveMany returning fewer results fails the calls it gave no answer, with RESOLVER_BAD_VALUE", async () => {
  const b = batching(10, (keys) => keys.slice(0, 1).map((k) => `${k}!`));
  const d = newDispatcher();
  const calls = ["a1", "a2", "a3"].map((k) => dispatch(d, b.reg, k));
  assert.deepEqual(await calls[0]!.result, { value: "a1!", sensitive: false });
  for (const c of calls.slice(1)) {
    const e = await rejection(c.result);
    assert.ok(e instanceof ResolverError, String(e));
    assert.equal(e.code, "RESOLVER_BAD_VALUE");
    assert.equal(e.headline, "Resolver 'r' returned 1 results for 3 calls");
    assert.equal(e.path, `at.${c.owner}`, "each call's error names its own path");
  }
});

Deno.test("a resolveMany returning no list fails every call of the group with RESOLVER_BAD_VALUE", async () => {
  // A list whose length cannot be read (it is not a thenable: it can be a promise's value).
  const unreadable = new Proxy([1, 2], {
    get(target, key) {
      if (key === "then") return undefined;
      if (key === "length") throw new Error("trap");
      return Reflect.get(target, key);
    },
  });
  for (const answer of [() => "nope", () => undefined, () => unreadable]) {
    const b = batching(10, answer);
    const d = newDispatcher();
    for (const c of ["a1", "a2"].map((k) => dispatch(d, b.reg, k))) {
      const e = await rejection(c.result);
      assert.ok(e instanceof ResolverError && e.code === "RESOLVER_BAD_VALUE", String(e));
    }
  }
});

Deno.test("an Error entry of resolveMany fails its call alone; an entry that cannot be read too", async () => {
  const { proxy: unreadable, revoke } = Proxy.revocable({}, {});
  revoke();
  const b = batching(10, () => [new NotFoundError("no a1"), unreadable, "fine"]);
  const d = newDispatcher();
  const [a1, a2, a3] = ["a1", "a2", "a3"].map((k) => dispatch(d, b.reg, k));
  assert.ok(await rejection(a1!.result) instanceof NotFoundError);
  const e = await rejection(a2!.result);
  assert.ok(e instanceof ResolverError && e.code === "RESOLVER_BAD_VALUE", String(e));
  assert.deepEqual(await a3!.result, { value: "fine", sensitive: false });
});

// ------------------------------------------------------------------ hooks and trace

Deno.test("a call aborted while queued for its batch never starts, and ends once", async () => {
  const b = batching(10);
  const abort = new AbortController();
  abort.abort();
  const c = dispatch(newDispatcher(), b.reg, "a1", { scope: { signal: abort.signal } });
  const e = await rejection(c.result);
  assert.ok(e instanceof ResolverError && e.code === "RESOLVER_ABORTED", String(e));
  assert.deepEqual(c.steps, ["end"]);
  assert.equal(b.requests.length, 0);
});

Deno.test("every settled call is traced with its outcome, a secret key as [REDACTED]", async () => {
  const events: TraceEvent[] = [];
  const d = newDispatcher(events);
  const reg = registered((k: string) => {
    if (k === "missing") return Promise.reject(new NotFoundError());
    if (k === "bad") return Promise.reject(new Error("boom"));
    return Promise.resolve(k);
  });
  await dispatch(d, reg, "fine").result;
  await rejection(dispatch(d, reg, "missing").result);
  await rejection(dispatch(d, reg, "bad").result);
  await dispatch(d, reg, "s3cr3t", { sensitiveInput: true }).result;
  assert.deepEqual(
    events.map((e) => [e.resolver, e.key, e.path, e.outcome]),
    [
      ["r", "fine", "at.fine", "ok"],
      ["r", "missing", "at.missing", "not_found"],
      ["r", "bad", "at.bad", "error"],
      ["r", "[REDACTED]", "at.s3cr3t", "ok"],
    ],
  );
  assert.ok(events.every((e) => e.end >= e.start));
});

Deno.test("what the settle hook returns is what callers and joiners get", async () => {
  const reg = registered(() => Promise.resolve("v"));
  const d = newDispatcher();
  const inFlight: InFlightCalls<string, Resolved> = new Map();
  const rec = recorder("first");
  const { signal: _, settings, ...rest } = makeResolverCall({ resolver: "r", args: ["k"] });
  const call = { ...rest, settingsOf: () => settings };
  const first = d.dispatch({
    resolver: reg,
    call,
    scope: SCOPE,
    inFlight,
    owner: "first",
    secrets: [],
    live: reg.live,
    hooks: { ...rec.hooks, settle: (r) => ({ ...r, sensitive: true }) },
  });
  const joined = dispatch(d, reg, "k", { inFlight }).result;
  assert.deepEqual(await first, { value: "v", sensitive: true });
  assert.deepEqual(await joined, { value: "v", sensitive: true });
});

Deno.test("through a Config, a short resolveMany result fails the unanswered paths with RESOLVER_BAD_VALUE", async () => {
  const config = Config.loads("a: ${many:1}\nb: ${many:2}\n", {
    resolvers: {
      many: { resolve: () => "single", resolveMany: () => Promise.resolve(["first"]) },
    },
  });
  const e = await rejection(config.resolveAll());
  assert.ok(e instanceof ResolveAllError, String(e));
  assert.deepEqual(e.failures.map((f) => f.path), ["b"]);
  const failure = e.failures[0]!.error;
  assert.equal(failure.code, "RESOLVER_BAD_VALUE");
  assert.equal(failure.headline, "Resolver 'many' returned 1 results for 2 calls");
  assert.equal(failure.resolver, "many");
  assert.equal(config.getSync("a"), "first");
});

Deno.test("RESOLVER_BAD_VALUE never quotes what a getter or a Proxy trap of the value threw", async () => {
  const secret = "tok-s3cr3t-value";
  const encoded = btoa(secret);
  const values: [string, (k: string) => unknown][] = [
    ["getter", (k) => ({
      get a() {
        throw new Error(`getter ${btoa(k)}`);
      },
    })],
    ["proxy trap", (k) =>
      new Proxy({}, {
        ownKeys() {
          throw new Error(`trap ${btoa(k)}`);
        },
      })],
    ["then getter", (k) => ({
      get then() {
        throw new Error(`then ${btoa(k)}`);
      },
    })],
  ];
  for (const [name, value] of values) {
    // With a sensitive input, and from a resolver whose every value is sensitive.
    const config = Config.loads(`a: \${src:\${tok:x}}\nb: \${secretive:${secret}}\n`, {
      resolvers: {
        tok: { resolve: () => secret, sensitive: true },
        src: value,
        secretive: { resolve: value, sensitive: true },
      },
    });
    for (const path of ["a", "b"]) {
      const e = await rejection(config.get(path));
      assert.ok(e instanceof ResolverError, `${name} ${path}: ${e}`);
      assert.equal(e.code, "RESOLVER_BAD_VALUE", `${name} ${path}`);
      assertNotShown(e, [encoded]);
    }
  }
  // holoconf's own refusal still says what is wrong.
  const own = await rejection(
    Config.loads("a: ${f:x}\n", { resolvers: { f: () => () => 1 } })
      .get("a"),
  );
  assert.match(String((own as ResolverError).message), /Unsupported value of type function/);
});

// ------------------------------------------------------------------ lifetimes (TTL bookkeeping)

Deno.test("a call without a TTL settles, fails or misses without reading the clock", async () => {
  let reads = 0;
  const d = newDispatcher([], () => {
    reads++;
    return 100;
  });
  await dispatch(d, registered(() => "v"), "ok").result;
  await rejection(dispatch(d, registered(() => Promise.reject(new Error("no"))), "fails").result);
  await rejection(
    dispatch(d, registered(() => Promise.reject(new NotFoundError("x"))), "miss").result,
  );
  assert.equal(reads, 0);
  await dispatch(d, registered(() => "v", { ttl: 1_000 }), "ttl").result;
  assert.equal(reads, 1, "a value with a TTL reads it once");
});

Deno.test("a call's lifetime: the program's ttl, else the value's own; maxStale and SWR bound its use", async () => {
  const d = newDispatcher([], () => 100);
  const plain = registered(() => "v");
  const suggests = registered(() => new ResolvedValue("v", { ttl: 50 }));
  let n = 0;
  const lifeOf = async (reg: ReturnType<typeof registered>, live?: LivePolicy) => {
    const rec = dispatch(d, reg, `k${n++}`, { live });
    await rec.result;
    const { life, ttl } = rec.lives[0]!;
    return { ...life, ttl };
  };
  assert.deepEqual(await lifeOf(plain), {
    expiresAt: Infinity,
    staleUntil: Infinity,
    swrUntil: Infinity,
    ttl: Infinity,
  });
  assert.deepEqual(await lifeOf(registered(() => "v", { ttl: 1_000 })), {
    expiresAt: 1_100,
    staleUntil: Infinity,
    swrUntil: 1_100,
    ttl: 1_000,
  });
  assert.deepEqual(
    await lifeOf(plain, { ttl: 1_000, maxStale: 500, staleWhileRevalidate: true }),
    { expiresAt: 1_100, staleUntil: 1_600, swrUntil: 1_600, ttl: 1_000 },
  );
  assert.deepEqual(await lifeOf(suggests), {
    expiresAt: 150,
    staleUntil: Infinity,
    swrUntil: 150,
    ttl: 50,
  });
  assert.equal((await lifeOf(suggests, { ttl: 1_000 })).ttl, 1_000, "the program's TTL wins");
});

Deno.test("during a refresh, a carried result that did not expire is reused without a call", async () => {
  let runs = 0;
  const reg = registered(() => {
    runs++;
    return Promise.resolve("fresh");
  });
  const events: TraceEvent[] = [];
  const d = newDispatcher(events);
  const first = dispatch(d, reg, "k");
  await first.result;
  const identity = first.lives[0]!.identity();
  const kept: Resolved = { value: "kept", sensitive: false };
  const carry: CallCarry<Resolved> = { reuse: new Map([[identity, kept]]), fallback: new Map() };
  const again = dispatch(d, reg, "k", { carry });
  assert.equal(again.result, kept);
  assert.deepEqual(again.steps, ["reuse"]);
  assert.equal(runs, 1);
  assert.equal(events.length, 1, "no trace event for a reused result");
  // Another key is called as usual.
  assert.deepEqual(await dispatch(d, reg, "other", { carry }).result, {
    value: "fresh",
    sensitive: false,
  });
});

Deno.test("a refreshed call that fails falls back on its earlier result while allowed; not found is an answer", async () => {
  let time = 200;
  let failure: Error = new Error("throttled");
  const reg = registered(() => Promise.reject(failure));
  const d = newDispatcher([], () => time);
  // The identity of a call of `r` with key `k` (the same for every resolver named `r`).
  const probe = dispatch(d, registered(() => "v"), "k");
  await probe.result;
  const identity = probe.lives[0]!.identity();
  const previous: Resolved = { value: "old", sensitive: false };
  const life = { expiresAt: 100, staleUntil: 1_000, swrUntil: 100 };
  const carry = (ttl: number): CallCarry<Resolved> => ({
    reuse: new Map(),
    fallback: new Map([[identity, { result: previous, life, ttl }]]),
  });
  const kept = dispatch(d, reg, "k", { carry: carry(50) });
  assert.equal(await kept.result, previous);
  assert.deepEqual(kept.steps, ["start", "fall back (RESOLVER_FAILED)", "end"]);
  // Tried again after min(TTL, 10 s), never past the time it may be used.
  assert.deepEqual(kept.lives[0]!.life, { expiresAt: 250, staleUntil: 1_000, swrUntil: 250 });
  const long = dispatch(d, reg, "k", { carry: carry(60_000) });
  await long.result;
  assert.equal(long.lives[0]!.life.expiresAt, 1_000);
  const noTtl = dispatch(d, reg, "k", { carry: carry(Infinity) });
  await noTtl.result;
  assert.equal(noTtl.lives[0]!.life, life, "a value without TTL keeps its lifetime");
  time = 1_000; // past staleUntil: the error surfaces
  assert.equal(
    (await rejection(dispatch(d, reg, "k", { carry: carry(50) }).result) as ResolverError).code,
    "RESOLVER_FAILED",
  );
  time = 200;
  failure = new NotFoundError("gone");
  const missing = dispatch(d, reg, "k", { carry: carry(50) });
  assert.ok(await rejection(missing.result) instanceof NotFoundError);
  assert.deepEqual(missing.steps, ["start", "not found", "end"]);
});
