// Benchmarks of the async execution model (ADR-003): parallel resolveAll vs lazy access,
// the concurrency limit, single-flight, timeouts and scheduler overhead.

import { Config, configure, ResolveAllError } from "../mod.ts";
import { getSchedulerSettings } from "../src/scheduler.ts";
import { type Figure, median, round } from "./_bench_util.ts";

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function refsConfig(n: number, resolver: string): string {
  let text = "";
  for (let i = 0; i < n; i++) text += `k${i}: \${${resolver}:key${i}}\n`;
  return text;
}

/** A resolver sleeping `ms`, counting concurrent calls. */
function sleeper(ms: number) {
  const stats = { active: 0, peak: 0, calls: 0 };
  const fn = async (key: string) => {
    stats.calls++;
    stats.active++;
    if (stats.active > stats.peak) stats.peak = stats.active;
    await sleep(ms);
    stats.active--;
    return key;
  };
  return { fn, stats };
}

async function timeIt(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

/** Runs the async-model benchmarks. */
export async function benchAsync(): Promise<Figure[]> {
  const out: Figure[] = [];
  const saved = getSchedulerSettings();
  try {
    configure({ maxConcurrentResolvers: 50 });

    // 50 x 100 ms: resolveAll vs lazy sequential get, in one run.
    {
      const s = sleeper(100);
      const all = Config.loads(refsConfig(50, "sleep"), { resolvers: { sleep: s.fn } });
      const tAll = await timeIt(() => all.resolveAll());
      const l = sleeper(100);
      const lazy = Config.loads(refsConfig(50, "sleep"), { resolvers: { sleep: l.fn } });
      const tLazy = await timeIt(async () => {
        for (let i = 0; i < 50; i++) await lazy.get(`k${i}`);
      });
      out.push({ name: "resolve_all_50x100ms_ratio", value: round(tAll / 100), unit: "x" });
      out.push({ name: "lazy_50x100ms_ratio", value: round(tLazy / 100), unit: "x" });
    }

    // 500 x 100 ms under limit 50.
    {
      const s = sleeper(100);
      const c = Config.loads(refsConfig(500, "sleep"), { resolvers: { sleep: s.fn } });
      const t = await timeIt(() => c.resolveAll());
      out.push({ name: "max_in_flight_500_limit_50", value: s.stats.peak, unit: "calls" });
      out.push({ name: "resolve_all_500x100ms_ratio", value: round(t / 100), unit: "x" });
    }

    // Single-flight: 1,000 concurrent gets of one node.
    {
      const s = sleeper(10);
      const c = Config.loads("v: ${sleep:x}\n", { resolvers: { sleep: s.fn } });
      await Promise.all(Array.from({ length: 1000 }, () => c.get("v")));
      out.push({ name: "single_flight_calls_1000", value: s.stats.calls, unit: "calls" });
    }

    // A resolver that never settles, per-call timeout 200 ms.
    {
      const never = () => new Promise(() => {});
      const c = Config.loads("v: ${never:x}\n", { resolvers: { never } });
      c.registerResolver("never", never, { timeout: 200, force: true });
      let code = "";
      const t = await timeIt(() => c.get("v").catch((e) => (code = e.code)));
      out.push({ name: "timeout_error_ms", value: round(t), unit: "ms" });
      out.push({
        name: "timeout_error_is_resolver_timeout",
        value: code === "RESOLVER_TIMEOUT" ? 1 : 0,
        unit: "bool",
      });
    }

    // Batch deadline 300 ms over 10 never-settling calls.
    {
      const signals: AbortSignal[] = [];
      const never = (_k: string, call: { signal: AbortSignal }) => {
        signals.push(call.signal);
        return new Promise(() => {});
      };
      const c = Config.loads(refsConfig(10, "never"), { resolvers: { never } });
      let ok = false;
      const t = await timeIt(() =>
        c.resolveAll({ timeout: 300 }).catch((e) => {
          ok = e instanceof ResolveAllError && e.failures.length === 10;
        })
      );
      out.push({ name: "batch_timeout_error_ms", value: round(t), unit: "ms" });
      out.push({ name: "batch_timeout_resolve_all_error", value: ok ? 1 : 0, unit: "bool" });
      out.push({
        name: "batch_timeout_signals_aborted",
        value: signals.filter((s) => s.aborted).length,
        unit: "of 10",
      });
    }

    // Scheduler overhead: resolveAll over 10,000 references to a synchronous resolver vs a
    // plain loop calling the same function 10,000 times.
    {
      const n = 10_000;
      const fn = (key: string) => key.length;
      const text = refsConfig(n, "plain");
      const runs: number[] = [];
      for (let rep = 0; rep < 5; rep++) {
        const c = Config.loads(text, { resolvers: { plain: fn } });
        const tAll = await timeIt(() => c.resolveAll());
        const t0 = performance.now();
        let acc = 0;
        for (let i = 0; i < n; i++) acc += fn(`key${i}`);
        const tLoop = performance.now() - t0;
        if (acc < 0) throw new Error("unreachable");
        runs.push(((tAll - tLoop) * 1000) / n);
      }
      out.push({ name: "scheduler_overhead_us_per_call", value: round(median(runs)), unit: "us" });
    }
  } finally {
    configure(saved);
  }
  return out;
}
