// Property tests of the resolution engine (SPEC §3–§6, §10) through the public Config API:
// termination and error discipline on random (possibly cyclic) configs, resolveAll/lazy
// consistency, getSync after resolveAll, redaction of every sensitive value, and
// exactly-once resolver calls (memo + single-flight shared by every consumer).

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CircularReferenceError,
  Config,
  HoloconfError,
  NotFoundError,
  ResolveAllError,
  ResolvedValue,
  type Resolver,
} from "../mod.ts";
import { HangError, noHang, tick } from "./_async.ts";

// ------------------------------------------------------------------ shapes and paths

/** Tree shape: where the leaves are. Leaf contents are generated afterwards. */
type Shape =
  | { kind: "leaf" }
  | { kind: "map"; entries: [string, Shape][] }
  | { kind: "seq"; items: Shape[] };

const KEYS = ["a", "b", "c", "d", "e"] as const;

const shapeArb = fc.letrec<{ node: Shape; map: Shape; seq: Shape }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, depthSize: "small" },
    { weight: 4, arbitrary: fc.constant<Shape>({ kind: "leaf" }) },
    { weight: 2, arbitrary: tie("map") },
    { weight: 1, arbitrary: tie("seq") },
  ),
  map: fc
    .uniqueArray(fc.tuple(fc.constantFrom(...KEYS), tie("node")), {
      minLength: 1,
      maxLength: 4,
      selector: (t) => t[0],
    })
    .map((entries): Shape => ({ kind: "map", entries })),
  seq: fc
    .array(tie("node"), { minLength: 1, maxLength: 3 })
    .map((items): Shape => ({ kind: "seq", items })),
}));

/** The root is always a mapping with 1–30 leaves. */
const rootShapeArb = fc
  .uniqueArray(fc.tuple(fc.constantFrom(...KEYS), shapeArb.node), {
    minLength: 1,
    maxLength: 5,
    selector: (t) => t[0],
  })
  .map((entries): Shape => ({ kind: "map", entries }))
  .filter((s) => {
    const n = paths(s).leaves.length;
    return n >= 1 && n <= 30;
  });

function joinPath(parent: string, seg: string | number): string {
  if (typeof seg === "number") return `${parent}[${seg}]`;
  return parent === "" ? seg : `${parent}.${seg}`;
}

/** Leaf paths (depth-first order) and inner (mapping/sequence) paths below the root. */
function paths(shape: Shape): { leaves: string[]; inner: string[] } {
  const leaves: string[] = [];
  const inner: string[] = [];
  const walk = (s: Shape, p: string) => {
    if (s.kind === "leaf") leaves.push(p);
    else {
      if (p !== "") inner.push(p);
      if (s.kind === "map") { for (const [k, v] of s.entries) walk(v, joinPath(p, k)); }
      else s.items.forEach((v, i) => walk(v, joinPath(p, i)));
    }
  };
  walk(shape, "");
  return { leaves, inner };
}

/** Builds the plain data of a shape, leaf values taken in depth-first order. */
function build(shape: Shape, values: unknown[]): Record<string, unknown> {
  let i = 0;
  const walk = (s: Shape): unknown => {
    if (s.kind === "leaf") return values[i++];
    if (s.kind === "seq") return s.items.map(walk);
    const out: Record<string, unknown> = {};
    for (const [k, v] of s.entries) out[k] = walk(v);
    return out;
  };
  return walk(shape) as Record<string, unknown>;
}

// ------------------------------------------------------------------ templates

const LITERALS = ["x", "-", "/", " pre ", "v1", ":", "."];
const MISSING = ["zz", "a.zz", "b[7]", "c.d.zz", "e[0].zz"];
/** Missing paths that do not go through any existing node (no hidden cycle in tame configs). */
const MISSING_OUTSIDE = ["zz", "zz.y", "q[0]"];
const RESOLVER_KEYS = ["k1", "k2", "k3", "miss1", "miss2"];

/**
 * One interpolation expression (`depth` bounds nesting in args and defaults). In `tame` mode
 * (configs that usually resolve) references go only to `targets` (earlier leaves, and no
 * relative references, so the config has no cycle), missing paths and not-found keys always
 * carry a `default=`, and no resolver throws.
 */
function exprArb(targets: string[], depth: number, tame: boolean): fc.Arbitrary<string> {
  // Few keys in tame configs: identical calls from different nodes are common.
  const keys = tame ? ["k1", "k2"] : RESOLVER_KEYS;
  const nested = (): fc.Arbitrary<string> =>
    fc.constant(null).chain(() => exprArb(targets, depth - 1, tame));
  const key: fc.Arbitrary<string> = depth > 0
    ? fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...keys) },
      { weight: 1, arbitrary: nested() },
    )
    : fc.constantFrom(...keys);
  const dflt: fc.Arbitrary<string> = depth > 0
    ? fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom("d0", "fallback", "") },
      { weight: 1, arbitrary: nested() },
    )
    : fc.constantFrom("d0", "fallback", "");
  const missing = fc.constantFrom(...(tame ? MISSING_OUTSIDE : MISSING));
  const rel = fc
    .tuple(
      fc.constantFrom(".", "..", "..."),
      fc.constantFrom(...KEYS, "a.b", "b[0]", "c.d", "zz", ""),
    )
    .map(([dots, p]) => `\${${dots}${p}}`);
  const sens = fc.constantFrom("", ",sensitive=true");
  const withDefault = (d: string | undefined) => d === undefined ? "" : `,default=${d}`;
  const options: fc.WeightedArbitrary<string>[] = [
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom("s", "a"), key, fc.option(dflt, { nil: undefined }), sens)
        .map(([r, k, d, s]) => `\${${r}:${k}${withDefault(d)}${s}}`),
    },
    { weight: 2, arbitrary: key.map((k) => `\${sec:${k}}`) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(key, fc.option(dflt, { nil: undefined }))
        .map(([k, d]) => `\${pub:${k}${withDefault(d)},sensitive=true}`),
    },
    { weight: 1, arbitrary: fc.tuple(missing, dflt).map(([p, d]) => `\${${p},default=${d}}`) },
  ];
  if (tame) {
    // A not-found key with a default is fine.
    options.push({
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom("s", "a", "pub"), fc.constantFrom("miss1", "miss2"), dflt)
        .map(([r, k, d]) => `\${${r}:${k},default=${d}${r === "pub" ? ",sensitive=true" : ""}}`),
    });
  } else {
    const path = fc.constantFrom(...targets, ...MISSING);
    options.push(
      { weight: 4, arbitrary: path.map((p) => `\${${p}}`) },
      { weight: 2, arbitrary: rel },
      { weight: 2, arbitrary: fc.tuple(path, dflt).map(([p, d]) => `\${${p},default=${d}}`) },
      { weight: 1, arbitrary: path.map((p) => `\${${p},sensitive=true}`) },
      { weight: 1, arbitrary: key.map((k) => `\${boom:${k}}`) },
    );
  }
  if (tame && targets.length > 0) {
    const path = fc.constantFrom(...targets);
    options.push(
      { weight: 4, arbitrary: path.map((p) => `\${${p}}`) },
      { weight: 1, arbitrary: path.map((p) => `\${${p},sensitive=true}`) },
      { weight: 1, arbitrary: fc.tuple(path, dflt).map(([p, d]) => `\${${p},default=${d}}`) },
    );
  }
  return fc.oneof(...options);
}

/** A leaf value: mostly templates mixing literal text and interpolations. */
function leafArb(targets: string[], tame: boolean): fc.Arbitrary<unknown> {
  const template = fc
    .array(
      fc.oneof(
        { weight: 1, arbitrary: fc.constantFrom(...LITERALS) },
        { weight: 3, arbitrary: exprArb(targets, 2, tame) },
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((parts) => parts.join(""));
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom<unknown>(7, 2.5, true, null, "plain") },
    { weight: 6, arbitrary: template },
  );
}

interface Generated {
  text: string;
  leaves: string[];
  inner: string[];
  top: string[];
  /** Seed for the async resolver's tick schedule. */
  tickSeed: number;
}

/**
 * Random configs. Wild ones reference any path (ancestors too: cycles), missing paths and
 * failing resolvers; tame ones (see `exprArb`) usually resolve.
 */
function configArbOf(tame: boolean): fc.Arbitrary<Generated> {
  return rootShapeArb.chain((shape) => {
    const { leaves, inner } = paths(shape);
    const leafValues = leaves.map((_, i) =>
      leafArb(tame ? leaves.slice(0, i) : [...leaves, ...inner], tame)
    );
    return fc.tuple(fc.tuple(...leafValues), fc.nat()).map(([values, tickSeed]) => {
      const data = build(shape, values);
      return {
        text: JSON.stringify(data, null, 2),
        leaves,
        inner,
        top: Object.keys(data),
        tickSeed,
      };
    });
  });
}

const wildConfigArb = configArbOf(false);
const tameConfigArb = configArbOf(true);
/** Both kinds, so that the success branches of the properties run often. */
const configArb = fc.oneof(wildConfigArb, tameConfigArb);

// ------------------------------------------------------------------ resolvers

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Waits a deterministic number of microtask and macrotask ticks. */
async function ticks(seed: number): Promise<void> {
  const micro = seed % 4;
  const macro = (seed >>> 2) % 3;
  for (let i = 0; i < micro; i++) await Promise.resolve();
  await tick(macro);
}

/** Fresh resolvers for one Config; `markers` collects every sensitive value produced. */
function makeResolvers(tickSeed: number, nonce: string, markers: Set<string>) {
  const resolvers: Record<string, Resolver> = {
    s: (key: string) => {
      if (key.includes("miss")) throw new NotFoundError();
      return `s-${key}`;
    },
    a: async (key: string) => {
      await ticks(hash(`${tickSeed}/${key}`));
      if (key.includes("miss")) throw new NotFoundError(`no ${key}`);
      return key === "k3" ? 3 : `a-${key}`;
    },
    boom: (key: string) => {
      throw new Error(`boom on ${key}`);
    },
    sec: async (key: string) => {
      await ticks(hash(`${tickSeed}/sec/${key}`));
      const marker = `SECRET_${key}_${nonce}`;
      markers.add(marker);
      return new ResolvedValue(marker, { sensitive: true });
    },
    // Not sensitive by itself: only ever written with `sensitive=true` in generated configs.
    pub: (key: string) => {
      if (key.includes("miss")) throw new NotFoundError();
      const marker = `SECRET_${key}_pub${nonce}`;
      markers.add(marker);
      return marker;
    },
  };
  return resolvers;
}

let runCounter = 0;
function freshNonce(): string {
  runCounter++;
  return `${runCounter}z${Math.random().toString(36).slice(2, 10)}`;
}

/** A Config of `g` with fresh resolvers; Configs sharing a `nonce` produce the same values. */
function load(g: Generated, nonce = freshNonce(), markers = new Set<string>()) {
  const resolvers = makeResolvers(g.tickSeed, nonce, markers);
  return { config: Config.loads(g.text, { resolvers }), markers };
}

// ------------------------------------------------------------------ helpers

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

async function outcome(p: Promise<unknown>, what: string): Promise<Outcome> {
  try {
    return { ok: true, value: await noHang(p, what) };
  } catch (error) {
    if (error instanceof HangError) throw error;
    return { ok: false, error };
  }
}

function assertHoloconf(error: unknown, what: string): void {
  assert.ok(
    error instanceof HoloconfError,
    `${what} failed with a non-holoconf error: ${Deno.inspect(error)}`,
  );
}

/** Runs per property; `HOLOCONF_FC_RUNS=5000` for a longer bug hunt. */
const RUNS = { numRuns: Number(Deno.env.get("HOLOCONF_FC_RUNS") ?? 250) };

// ------------------------------------------------------------------ properties

Deno.test("property: every get() settles with a value or a HoloconfError, cycles included", async () => {
  await fc.assert(
    fc.asyncProperty(configArb, async (g) => {
      // Concurrent gets of every leaf on one Config (cycles meet in the wait-for graph)...
      const { config: c1 } = load(g);
      const all = await Promise.all(
        [...g.leaves, ...g.top].map((p) => outcome(c1.get(p), `concurrent get(${p})`)),
      );
      for (const o of all) if (!o.ok) assertHoloconf(o.error, "concurrent get");
      // ...getSync then sequential gets on a fresh one...
      const { config: c2 } = load(g);
      for (const p of g.leaves) {
        try {
          c2.getSync(p);
        } catch (e) {
          assertHoloconf(e, `getSync(${p})`);
        }
      }
      for (const p of g.leaves) {
        const o = await outcome(c2.get(p), `get(${p})`);
        if (!o.ok) assertHoloconf(o.error, `get(${p})`);
      }
      // ...and resolveAll racing lazy gets and an export on a third.
      const { config: c3 } = load(g);
      const raced = await Promise.all([
        outcome(c3.resolveAll(), "resolveAll()"),
        outcome(c3.toObject({ resolve: true }), "toObject({ resolve: true })"),
        ...g.leaves.map((p) => outcome(c3.get(p), `racing get(${p})`)),
      ]);
      for (const o of raced) if (!o.ok) assertHoloconf(o.error, "racing operation");
    }),
    RUNS,
  );
});

// BUG (engine wait-for graph): a node that joins an identical resolver call already in flight
// waits on the whole node that started it, so when that node itself references the joiner a
// CircularReferenceError is raised although no cycle exists. Minimal case: with an async
// resolver `slow`, `x: "${slow:k}${y}"` and `y: "${slow:k}"`, `await config.get("x")` throws
// "Circular reference detected / Chain: x → y → x" (expected "v-kv-k"); the same under
// resolveAll() when the joiner reaches the call later (e.g. through a default=). Fails about once
// in 1,000–2,000 runs here (see the next properties for a reliable reproduction).
Deno.test({
  name: "property: resolveAll() agrees with lazy get() on a fresh Config",
  fn: async () => {
    await fc.assert(
      fc.asyncProperty(configArb, async (g) => {
        const nonce = freshNonce();
        const { config: batch } = load(g, nonce);
        const { config: lazy } = load(g, nonce);
        const all = await outcome(batch.resolveAll(), "resolveAll()");
        if (all.ok) {
          const built: Record<string, unknown> = {};
          for (const k of g.top) {
            const o = await outcome(lazy.get(k), `get(${k})`);
            assert.ok(
              o.ok,
              `resolveAll succeeded but get(${k}) failed: ${String(!o.ok && o.error)}`,
            );
            built[k] = o.value;
          }
          assert.deepEqual(all.value, built);
          return;
        }
        assert.ok(
          all.error instanceof ResolveAllError,
          `resolveAll failed with ${Deno.inspect(all.error)}`,
        );
        const listed = new Set(all.error.failures.map((f) => f.path));
        for (const f of all.error.failures) {
          assert.ok(g.leaves.includes(f.path), `listed path ${f.path} is a leaf`);
          assertHoloconf(f.error, `failure of ${f.path}`);
        }
        for (const p of g.leaves) {
          const o = await outcome(lazy.get(p), `get(${p})`);
          if (listed.has(p)) {
            assert.ok(!o.ok, `resolveAll listed ${p} but lazy get succeeded`);
            assertHoloconf(o.error, `get(${p})`);
          } else {
            assert.ok(
              o.ok,
              `resolveAll did not list ${p} but lazy get failed: ${String(!o.ok && o.error)}`,
            );
            // Values that resolved stay memoized in the batch Config.
            assert.deepEqual(batch.getSync(p), o.value, `memoized ${p} after a failed resolveAll`);
          }
        }
      }),
      RUNS,
    );
  },
});

Deno.test("property: after a successful resolveAll(), getSync() works everywhere and equals get()", async () => {
  await fc.assert(
    fc.asyncProperty(configArb, async (g) => {
      const { config } = load(g);
      const all = await outcome(config.resolveAll(), "resolveAll()");
      if (!all.ok) return;
      for (const p of [...g.leaves, ...g.inner, ...g.top]) {
        const sync = config.getSync(p);
        assert.deepEqual(sync, await noHang(config.get(p), `get(${p})`), p);
      }
    }),
    RUNS,
  );
});

Deno.test("property: sensitive values never appear in redacted exports, summaries or errors", async () => {
  await fc.assert(
    fc.asyncProperty(configArb, async (g) => {
      const { config, markers } = load(g);
      const texts: [string, string][] = [];
      const errors: unknown[] = [];
      const record = async (what: string, p: Promise<unknown>) => {
        const o = await outcome(p, what);
        if (o.ok) {
          if (typeof o.value === "string") texts.push([what, o.value]);
        } else errors.push(o.error);
      };
      await record("resolveAll()", config.resolveAll());
      for (const p of g.leaves) await record(`get(${p})`, config.get(p).then(() => undefined));
      await record("toYaml", config.toYaml({ redact: true }));
      await record("toJson", config.toJson({ redact: true }));
      texts.push(["JSON.stringify", JSON.stringify(config)]);
      texts.push(["Deno.inspect", Deno.inspect(config)]);
      for (const e of errors) {
        assertHoloconf(e, "an operation");
        texts.push(["error message", (e as Error).message]);
        texts.push(["Deno.inspect(error)", Deno.inspect(e, { depth: 10 })]);
        if (e instanceof ResolveAllError) {
          for (const f of e.failures) {
            texts.push([`failure ${f.path}`, f.error.message]);
            texts.push([`inspect failure ${f.path}`, Deno.inspect(f.error, { depth: 10 })]);
          }
        }
      }
      for (const m of markers) {
        for (const [where, text] of texts) {
          assert.ok(!text.includes(m), `${where} leaks ${m}:\n${text}`);
        }
      }
    }),
    RUNS,
  );
});
Deno.test({
  name: "property: a config without reference cycles never reports a circular reference",
  fn: async () => {
    await fc.assert(
      fc.asyncProperty(tameConfigArb, async (g) => {
        const cycles = (e: unknown): boolean =>
          e instanceof CircularReferenceError ||
          (e instanceof ResolveAllError && e.failures.some((f) => cycles(f.error)));
        const check = (o: Outcome, what: string) => {
          if (!o.ok) assert.ok(!cycles(o.error), `${what}: ${(o.error as Error).message}`);
        };
        const { config: batch } = load(g);
        check(await outcome(batch.resolveAll(), "resolveAll()"), "resolveAll()");
        // Later leaves first: references go backwards, so nothing is memoized ahead of its use.
        const { config: lazy } = load(g);
        for (const p of g.leaves.toReversed()) {
          check(await outcome(lazy.get(p), `get(${p})`), `get(${p})`);
        }
      }),
      RUNS,
    );
  },
});
Deno.test({
  name: "joining an identical in-flight call of a node that references the joiner is not a cycle",
  fn: async () => {
    const gate = Promise.withResolvers<void>();
    let calls = 0;
    const slow = async (key: string) => {
      calls++;
      await gate.promise;
      return `v-${key}`;
    };
    const config = Config.loads('x: "${slow:k}${y}"\ny: "${slow:k}"\n', { resolvers: { slow } });
    const x = config.get("x");
    gate.resolve();
    assert.equal(await x, "v-kv-k");
    assert.equal(calls, 1);
  },
});

// ---- memoization: acyclic configs that always resolve

/** A leaf template for the memo property; `CNT` is replaced by a unique key afterwards. */
function memoLeafArb(earlier: string[]): fc.Arbitrary<string> {
  const ref = earlier.length > 0 ? fc.constantFrom(...earlier) : undefined;
  const parts: fc.Arbitrary<string>[] = [
    fc.constantFrom("x", "-", " mid "),
    fc.constant("${cnt:CNT}"),
    fc.constant("${cnt:${cnt:CNT}}"),
    fc.constant("${zz,default=${cnt:CNT}}"),
    fc.constant("${s:k1}"),
  ];
  if (ref) {
    parts.push(ref.map((p) => `\${${p}}`));
    parts.push(ref.map((p) => `\${s:\${${p}}}`));
    parts.push(ref.map((p) => `\${zz,default=\${${p}}}`));
  }
  const template = fc.array(fc.oneof(...parts), { minLength: 1, maxLength: 3 })
    .map((ps) => ps.join(""));
  return fc.oneof(
    { weight: 4, arbitrary: template },
    // A call repeated verbatim in several leaves: identical calls share one in-flight call.
    { weight: 1, arbitrary: fc.constantFrom("${cnt:dup1}", "${cnt:dup2}") },
  );
}

interface MemoGenerated {
  text: string;
  leaves: string[];
  tickSeed: number;
  syncFirst: boolean[];
}

const memoConfigArb: fc.Arbitrary<MemoGenerated> = rootShapeArb.chain((shape) => {
  const { leaves } = paths(shape);
  return fc
    .tuple(
      fc.tuple(...leaves.map((_, i) => memoLeafArb(leaves.slice(0, i)))),
      fc.nat(),
      fc.array(fc.boolean(), { minLength: leaves.length, maxLength: leaves.length }),
    )
    .map(([templates, tickSeed, syncFirst]) => {
      let n = 0;
      const values = templates.map((t) => t.replace(/CNT/g, () => `u${n++}`));
      return {
        text: JSON.stringify(build(shape, values), null, 2),
        leaves,
        tickSeed,
        syncFirst,
      };
    });
});

Deno.test("property: each distinct resolver call runs once across resolveAll, get, getSync and export", async () => {
  await fc.assert(
    fc.asyncProperty(memoConfigArb, async (g) => {
      const calls = new Map<string, number>();
      const cnt = async (key: string) => {
        calls.set(key, (calls.get(key) ?? 0) + 1);
        // Shared keys always outlive one macrotask, so every consumer joins the in-flight call.
        const seed = hash(`${g.tickSeed}/${key}`);
        await ticks(key.startsWith("dup") ? (seed | 4) : seed);
        return `cv-${key}`;
      };
      const s = (key: string) => `s-${key}`;
      const config = Config.loads(g.text, { resolvers: { cnt, s } });
      // getSync starts async calls (and throws ASYNC_RESOLUTION_REQUIRED) before anything else.
      g.leaves.forEach((p, i) => {
        if (!g.syncFirst[i]) return;
        try {
          config.getSync(p);
        } catch (e) {
          assertHoloconf(e, `getSync(${p})`);
        }
      });
      const [all, ...lazy] = await noHang(
        Promise.all([config.resolveAll(), ...g.leaves.map((p) => config.get(p))]),
        "resolveAll() with concurrent gets",
      );
      for (const [i, p] of g.leaves.entries()) {
        assert.deepEqual(await noHang(config.get(p), `get(${p})`), lazy[i]);
        assert.deepEqual(config.getSync(p), lazy[i]);
      }
      assert.deepEqual(await noHang(config.toObject({ resolve: true }), "toObject"), all);
      for (const [key, n] of calls) assert.equal(n, 1, `cnt:${key} ran ${n} times`);
    }),
    RUNS,
  );
});
