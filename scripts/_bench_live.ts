// Live config benchmarks (issue 16), through the public API, with the Config's clock (`now`)
// moved by hand so that values expire without waiting:
// - refresh_expired_1000_gets_calls: 1,000 concurrent `get`s of one expired value: resolver
//   calls they make (target 1);
// - refresh_50_ssm_requests: 50 `${ssm:...,ttl=60}` values resolved, expired, `refresh()`ed
//   once against the loopback fake AWS: GetParameters requests of that refresh (target <= 5);
// - refresh_noop_1000_values_us: `refresh()` when nothing expired, 1,000 values with a TTL
//   resolved (median, µs; target <= 200);
// - get_expired_swr_us: a stale-while-revalidate `get` of an expired value while its refresh
//   runs (mean over 10,000 reads, µs; target <= 20).
// Runnable alone: `deno run -A scripts/_bench_live.ts`.

import { Config } from "../mod.ts";
import { startFakeAws } from "../tests/fakes/fake_aws.ts";
import { configureSsm, reset } from "../resolvers/aws/mod.ts";
import { _setExtraClientConfig } from "../resolvers/aws/_clients.ts";
import { BENCH_AWS } from "./_bench_ssm.ts";
import { type Figure, median, round } from "./_bench_util.ts";

/** A clock the benchmark moves by hand. */
function clock(): { now: () => number; time: number } {
  const c = { time: 0, now: () => c.time };
  return c;
}

/** 1,000 concurrent gets of one expired value. */
async function expiredGets(): Promise<Figure> {
  const c = clock();
  let calls = 0;
  const config = Config.loads("v: ${src:v,ttl=1}\n", {
    resolvers: {
      src: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 10));
        return calls;
      },
    },
    now: c.now,
  });
  await config.get("v");
  c.time = 1_000;
  const before = calls;
  const values = await Promise.all(Array.from({ length: 1_000 }, () => config.get("v")));
  if (values.some((v) => v !== 2)) throw new Error("expired gets: a stale or mixed value");
  return { name: "refresh_expired_1000_gets_calls", value: calls - before, unit: "calls" };
}

/** One refresh of 50 expired ssm values against the fake AWS endpoint. */
async function ssmRefresh(): Promise<Figure> {
  const names = Array.from({ length: 50 }, (_, i) => `/bench/live/param-${i}`);
  const fake = await startFakeAws({
    ssm: Object.fromEntries(names.map((n, i) => [n, `value-${i}`])),
  });
  try {
    reset();
    _setExtraClientConfig({ credentials: BENCH_AWS.credentials });
    configureSsm({ endpoint: fake.url, region: BENCH_AWS.region });
    const c = clock();
    const text = names.map((n, i) => `p${i}: \${ssm:${n},ttl=60}\n`).join("");
    const config = Config.loads(text, { now: c.now });
    await config.resolveAll();
    c.time = 60_000;
    const requests = () => fake.count("GetParameters") + fake.count("GetParameter");
    const before = requests();
    const set = await config.refresh();
    if (set.failures.length > 0) throw new Error("ssm refresh: failures");
    return { name: "refresh_50_ssm_requests", value: requests() - before, unit: "requests" };
  } finally {
    reset();
    _setExtraClientConfig(undefined);
    await fake.close();
  }
}

/** refresh() with nothing expired over 1,000 resolved values with a TTL. */
async function noopRefresh(): Promise<Figure> {
  const c = clock();
  let text = "";
  for (let i = 0; i < 1_000; i++) text += `k${i}: \${src:key${i},ttl=60}\n`;
  const config = Config.loads(text, { resolvers: { src: (k: string) => k }, now: c.now });
  await config.resolveAll();
  for (let i = 0; i < 100; i++) await config.refresh(); // warm-up
  const runs: number[] = [];
  for (let i = 0; i < 1_000; i++) {
    const t0 = performance.now();
    await config.refresh();
    runs.push((performance.now() - t0) * 1000);
  }
  return { name: "refresh_noop_1000_values_us", value: round(median(runs)), unit: "us" };
}

/** Stale-while-revalidate reads of an expired value while its refresh is held. */
async function swrGets(): Promise<Figure> {
  const c = clock();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let first = true;
  const config = Config.loads("v: ${src:v,ttl=1}\n", {
    resolvers: {
      src: async () => {
        if (first) {
          first = false;
          return "old";
        }
        await held;
        return "new";
      },
    },
    now: c.now,
    staleWhileRevalidate: true,
  });
  await config.get("v");
  c.time = 1_000;
  const n = 10_000;
  for (let i = 0; i < 1_000; i++) await config.get("v"); // warm-up; starts the refresh
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    if (await config.get("v") !== "old") throw new Error("swr: not the last value");
  }
  const us = (performance.now() - t0) * 1000 / n;
  release();
  await config.refresh();
  if (await config.get("v") !== "new") throw new Error("swr: not refreshed");
  return { name: "get_expired_swr_us", value: round(us), unit: "us" };
}

/**
 * Runs the live config benchmarks.
 *
 * @returns `refresh_expired_1000_gets_calls`, `refresh_50_ssm_requests`,
 *   `refresh_noop_1000_values_us` and `get_expired_swr_us`.
 */
export async function benchLive(): Promise<Figure[]> {
  return [await expiredGets(), await ssmRefresh(), await noopRefresh(), await swrGets()];
}

if (import.meta.main) {
  for (const r of await benchLive()) console.log(`${r.name}: ${r.value} ${r.unit}`);
}
