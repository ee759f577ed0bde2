// Regression tests for engine and scheduler bugs found in review: slot leaks after the
// semaphore queue is compacted, unhandled rejections next to synchronous failures, batch hooks
// that throw, deadlines and cycles through shared in-flight calls, the concurrency limit for
// nested calls, default= precedence, exports racing clearCache(), basePath after merge(),
// unsupported resolver values, duplicate coercion issues, redaction inside Maps and deep
// nesting, and timeouts above the timer range. No wall-clock thresholds: calls are held by
// deferred promises released by hand; a generous safety timeout only turns a hang into a failure.

import { withSettings } from "./_settings.ts";
import assert from "node:assert/strict";
import {
  CircularReferenceError,
  Config,
  HoloconfError,
  ResolveAllError,
  ResolvedValue,
  type ResolverCall,
  type ResolverObject,
  Schema,
  type TraceEvent,
} from "../mod.ts";
import { schedulerStats, Semaphore } from "../src/scheduler.ts";

/** Safety net: a hang fails the test instead of blocking the run. Not a timing assertion. */
const SAFETY_MS = 20_000;

async function tick(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
}

/** Waits (in macrotask ticks, at most `max`) until `cond()` holds. */
async function until(cond: () => boolean, max = 500): Promise<void> {
  for (let i = 0; i < max && !cond(); i++) await tick();
  assert.ok(cond(), "condition not reached");
}

/** Settles like `p`, or rejects with a "hang" error if `p` is still pending after SAFETY_MS. */
async function noHang<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} still pending`)), SAFETY_MS);
  });
  try {
    return await Promise.race([p, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Settles to the rejection reason of `p` (fails if `p` fulfils). */
async function rejectionOf(p: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await noHang(p, what);
  } catch (e) {
    return e;
  }
  assert.fail(`${what} should have rejected`);
}

/** Records global "unhandledrejection" and "error" events (and keeps them from killing Deno). */
function watchGlobalFailures() {
  const unhandled: unknown[] = [];
  const uncaught: unknown[] = [];
  const onRejection = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    unhandled.push(e.reason);
  };
  const onError = (e: ErrorEvent) => {
    e.preventDefault();
    uncaught.push(e.error ?? e.message);
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  globalThis.addEventListener("error", onError);
  return {
    unhandled,
    uncaught,
    dispose: () => {
      globalThis.removeEventListener("unhandledrejection", onRejection);
      globalThis.removeEventListener("error", onError);
    },
  };
}

/** A name for an environment variable that is certainly unset. */
function unsetEnvName(): string {
  const name = `HOLOCONF_REVIEW_UNSET_${crypto.randomUUID().replaceAll("-", "_")}`;
  Deno.env.delete(name);
  return name;
}

// ------------------------------------------------------------------ 1. semaphore

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

// ------------------------------------------------------------------ 2. unhandled rejections

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
    const watch = watchGlobalFailures();
    try {
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
    } finally {
      watch.dispose();
    }
  });
}

// ------------------------------------------------------------------ 3. resolveMany throwing

Deno.test("a resolveMany that throws synchronously fails only its own group's paths", async () => {
  const watch = watchGlobalFailures();
  try {
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
  } finally {
    watch.dispose();
  }
});

// ------------------------------------------------------------------ 4. shared calls

Deno.test("a call shared with another request stops at this resolveAll's deadline while the other request continues", async () => {
  const release = Promise.withResolvers<void>();
  const signals: AbortSignal[] = [];
  const slow = async (k: string, call: ResolverCall) => {
    signals.push(call.signal);
    await release.promise;
    return k;
  };
  const config = Config.loads("a: ${slow:k}\nb: ${slow:k}\n", { resolvers: { slow } });
  const lazy = config.get("a"); // starts the call; resolveAll's b shares it
  lazy.catch(() => {}); // inspected below
  await until(() => signals.length === 1);
  const err = await rejectionOf(config.resolveAll({ timeout: 20 }), "resolveAll past deadline");
  assert.ok(err instanceof ResolveAllError, String(err));
  assert.deepEqual(err.failures.map((f) => f.path).sort(), ["a", "b"]);
  for (const f of err.failures) assert.equal(f.error.code, "RESOLVER_TIMEOUT", f.path);
  // The lazy get's call keeps running, untouched by the other request's deadline.
  assert.equal(signals.length, 1, "the identical call was shared, not repeated");
  assert.equal(signals[0]!.aborted, false);
  release.resolve();
  assert.equal(await noHang(lazy, "the lazy get"), "k");
});

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

// ------------------------------------------------------------------ 5. nested calls

/** A resolver held by gates, counting its calls in flight and their peak. */
function gated() {
  const state = { inFlight: 0, peak: 0, calls: 0, gates: [] as (() => void)[] };
  const fn = async (k: string) => {
    state.calls++;
    state.inFlight++;
    state.peak = Math.max(state.peak, state.inFlight);
    await new Promise<void>((r) => state.gates.push(r));
    state.inFlight--;
    return k;
  };
  return { state, fn };
}

/** Releases gated calls as they start until `p` settles. */
async function drive<T>(p: Promise<T>, state: { gates: (() => void)[] }): Promise<T> {
  let settled = false;
  const watched = p.finally(() => {
    settled = true;
  });
  const pump = (async () => {
    while (!settled) {
      await tick();
      for (const g of state.gates.splice(0)) g();
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
      const slow = gated();
      const fan = async (k: string, call: ResolverCall) => {
        await null;
        return JSON.stringify(await call.config.get(k));
      };
      const sub = Array.from({ length: 10 }, (_, i) => `  s${i}: \${slow:${i}}`).join("\n");
      const config = Config.loads(`sub:\n${sub}\nf: \${fan:sub}\n`, {
        resolvers: { slow: slow.fn, fan },
      });
      const out = await drive(config.get("f"), slow.state);
      assert.deepEqual(JSON.parse(String(out)), {
        s0: "0",
        s1: "1",
        s2: "2",
        s3: "3",
        s4: "4",
        s5: "5",
        s6: "6",
        s7: "7",
        s8: "8",
        s9: "9",
      });
      assert.equal(slow.state.calls, 10);
      assert.ok(
        slow.state.peak <= limit,
        `peak ${slow.state.peak} nested calls in flight exceeds the limit ${limit}`,
      );
      assert.equal(schedulerStats().active, 0, "every slot is given back");
    });
  });
}

// ------------------------------------------------------------------ 6. default=

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

// ------------------------------------------------------------------ 7. clearCache() during export

for (const method of ["toYaml", "toObject"] as const) {
  Deno.test(`clearCache() during an in-flight ${method}({ redact: true }) still returns the full redacted result`, async () => {
    const release = Promise.withResolvers<void>();
    let started = 0;
    const vault = async (k: string) => {
      started++;
      await release.promise;
      return new ResolvedValue(`hunter2-${k}`, { sensitive: true });
    };
    const config = Config.loads("pw: ${vault:x}\nhost: h\nport: 5432\nurl: u-${vault:y}\n", {
      resolvers: { vault },
    });
    const exported = config[method]({ redact: true });
    await until(() => started >= 2);
    config.clearCache();
    release.resolve();
    const out = await noHang(exported as Promise<unknown>, method);
    const expected = { pw: "[REDACTED]", host: "h", port: 5432, url: "[REDACTED]" };
    if (method === "toYaml") {
      assert.equal(typeof out, "string");
      assert.ok(!String(out).includes("hunter2"), String(out));
      assert.deepEqual(await Config.loads(String(out)).toObject(), expected);
    } else {
      assert.deepEqual(out, expected);
    }
  });
}

// ------------------------------------------------------------------ 8. basePath after merge()

Deno.test("after merge(), an overlay parsed with its own basePath resolves ${file:} against it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/A`);
    await Deno.mkdir(`${dir}/B`);
    await Deno.writeTextFile(`${dir}/A/x.txt`, "from-A");
    await Deno.writeTextFile(`${dir}/B/x.txt`, "from-B");
    const base = Config.loads("a: 1\n", { basePath: `${dir}/A` });
    base.merge(Config.loads("f: ${file:x.txt}\n", { basePath: `${dir}/B` }));
    assert.equal(await base.get("f"), "from-B");
    assert.equal(await base.get("a"), 1);

    const noBase = Config.loads("a: 1\n");
    noBase.merge(Config.loads("f: ${file:x.txt}\n", { basePath: `${dir}/B` }));
    assert.equal(await noBase.get("f"), "from-B");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ------------------------------------------------------------------ 9. unsupported values

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

// ------------------------------------------------------------------ 10. validateCollect

Deno.test("validateCollect reports a coercion failure once even when another value references it", async () => {
  const env = unsetEnvName();
  Deno.env.set(env, "abc");
  try {
    const schema = Schema.fromObject({
      type: "object",
      properties: { port: { type: "integer" }, alias: { type: "string" } },
    });
    await schema.ready();
    const yaml = `port: \${env:${env}}\nalias: \${port}\n`;
    const attached = await Config.loads(yaml, { schema }).validateCollect();
    assert.deepEqual(attached.map((i) => i.pointer), ["/port"], JSON.stringify(attached));
    const passed = await Config.loads(yaml).validateCollect(schema);
    assert.deepEqual(passed.map((i) => i.pointer), ["/port"], JSON.stringify(passed));
  } finally {
    Deno.env.delete(env);
  }
});

// ------------------------------------------------------------------ 11. redaction

Deno.test("a sensitive value inside a Map or nested deeper than 100 levels is redacted by toJson", async () => {
  const secret = new ResolvedValue("hunter2", { sensitive: true });
  let deep: unknown = secret;
  for (let i = 0; i < 120; i++) deep = [deep];
  const config = Config.loads("m: ${asMap:}\no: ${asObj:}\nd: ${nested:}\nok: 1\n", {
    resolvers: {
      asMap: () => new Map([["pw", secret]]),
      asObj: () => ({ pw: secret }),
      nested: () => deep,
    },
  });
  const out = await config.toJson({ redact: true });
  assert.ok(!out.includes("hunter2"), out);
  const parsed = JSON.parse(out);
  assert.equal(parsed.o, "[REDACTED]");
  assert.equal(parsed.m, "[REDACTED]");
  assert.equal(parsed.d, "[REDACTED]");
  assert.equal(parsed.ok, 1);
});

// ------------------------------------------------------------------ 12. huge timeouts

Deno.test("a timeout above 2^31-1 ms does not fire early", async () => {
  await withSettings({ defaultTimeout: 3e9 }, async () => {
    const release = Promise.withResolvers<void>();
    const signals: AbortSignal[] = [];
    const r = async (k: string, call: ResolverCall) => {
      signals.push(call.signal);
      await release.promise;
      return k;
    };
    const config = Config.loads("a: ${r:x}\n", { resolvers: { r } });
    const p = config.get("a");
    p.catch(() => {}); // inspected below
    await until(() => signals.length === 1);
    // Several macrotask turns (nested timers are clamped, so well past 1 ms): an overflowed
    // timer would have fired by now.
    await tick(20);
    assert.equal(signals[0]!.aborted, false, "the call was aborted early");
    release.resolve();
    assert.equal(await noHang(p, "get a"), "x");
  });
});

Deno.test("a request started before merge() reads the tree it started with", async () => {
  let release: (v: string) => void = () => {};
  const slow = () => new Promise<string>((r) => release = r);
  const config = Config.loads("a: ${ref:${slow:x}}\nb: old\n", { resolvers: { slow } });
  const pending = config.get("a");
  await new Promise((r) => setTimeout(r, 0));
  config.merge(Config.loads("b: new\n"));
  release("b");
  // The reference is read after the resolver's await, but against the tree get() started on.
  assert.equal(await pending, "old");
  // A request started after the merge sees the new tree.
  const after = config.get("a");
  await new Promise((r) => setTimeout(r, 0));
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
  Deno.env.set("HOLOCONF_REG_SECRET_KEY", "hunter2");
  try {
    const config = Config.loads(
      "a: ${many:/app/${env:HOLOCONF_REG_SECRET_KEY,sensitive=true}}\n" +
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
    Deno.env.delete("HOLOCONF_REG_SECRET_KEY");
  }
});

Deno.test("an out-of-range bigint from a sensitive resolver is refused without showing it", async () => {
  const config = Config.loads("a: ${big:k}\nb: ${bigger:k}\n", {
    resolvers: {
      big: () => new ResolvedValue(98765432109876543210n, { sensitive: true }),
      bigger: () => 12345678901234567890n,
    },
  });
  for (const path of ["a", "b"]) {
    const err = await config.get(path).then(() => undefined, (e) => e);
    assert.ok(err instanceof HoloconfError, path);
    assert.equal(err.code, "RESOLVER_BAD_VALUE");
    assert.match(err.message, /integer of 20 digits does not fit a safe JavaScript number/);
    assert.ok(!/9876543210|1234567890/.test(err.message), err.message);
  }
});

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

Deno.test("depth limits fire before the stack overflows: fromObject, resolver values, fillDefaults", async () => {
  let deep: unknown = 1;
  for (let i = 0; i < 5000; i++) deep = [deep];
  assert.throws(() => Config.fromObject({ a: deep }), /Value nested too deeply/);
  const config = Config.loads("a: ${deep:x}\n", { resolvers: { deep: () => deep } });
  await assert.rejects(config.get("a"), /Resolved value nested too deeply/);
  const schema = Schema.fromObject({ properties: { a: { default: 1 } } });
  assert.throws(() => schema.fillDefaults({ b: deep }), /nested too deeply to fill defaults/);
});

Deno.test("validation issues never show the keys of a sensitive mapping", async () => {
  Deno.env.set("HOLOCONF_REG_SECRET_MAP", "hunter2-key: 1\nnested:\n  x: 2\n");
  try {
    const config = Config.loads(
      "a: ${yaml:${env:HOLOCONF_REG_SECRET_MAP,sensitive=true}}\nb: {}\n",
    );
    for (
      const schema of [
        {
          properties: {
            a: { type: "object", additionalProperties: false },
            b: { additionalProperties: false },
          },
        },
        {
          properties: {
            a: { additionalProperties: { type: "string" }, propertyNames: { maxLength: 3 } },
          },
        },
      ]
    ) {
      const issues = await config.validateCollect(Schema.fromObject(schema));
      assert.ok(issues.length > 0);
      const text = JSON.stringify(issues);
      assert.ok(!text.includes("hunter2") && !text.includes("nested"), text);
      for (const issue of issues) assert.equal(issue.pointer, "/a", text);
      const err = await config.validate(Schema.fromObject(schema)).then(() => undefined, (e) => e);
      assert.ok(err instanceof HoloconfError && !err.message.includes("hunter2"));
    }
    // An ordinary mapping's keys are config text and are shown.
    const plain = await Config.loads("b:\n  extra: 1\n").validateCollect(
      Schema.fromObject({ properties: { b: { additionalProperties: false } } }),
    );
    assert.deepEqual(plain.map(({ pointer, message }) => ({ pointer, message })), [{
      pointer: "/b",
      message: "must NOT have additional properties ('extra')",
    }]);
  } finally {
    Deno.env.delete("HOLOCONF_REG_SECRET_MAP");
  }
});
