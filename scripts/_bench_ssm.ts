// SSM fetch benchmark against the loopback fake AWS endpoint (100 ms latency per request):
// 50 distinct parameters fetched by AWS Lambda Powertools' `getParametersByName` (through an
// SSMProvider pointed at the fake; the exported helper is a thin wrapper over the same method
// on a default provider that cannot be re-pointed), and, for comparison, by holoconf's
// `resolveAll` of 50 `${ssm:...}` values (the dispatcher hands the ssm resolver's `resolveMany`
// groups of 10 and sends them in parallel).
// scripts/_bench_aws.ts (part of `deno task bench`) uses its helpers; `benchSsm` runs the
// comparison alone: `deno run -A scripts/_bench_ssm.ts`.

import { startFakeAws } from "../tests/fakes/fake_aws.ts";
import { Config } from "../mod.ts";
import { configureSsm, reset } from "../resolvers/aws/mod.ts";
import { _setExtraClientConfig } from "../resolvers/aws/_clients.ts";
import { type Figure, median, round } from "./_bench_util.ts";

const COUNT = 50;
const LATENCY_MS = 100;
const RUNS = 5;
const REGION = "us-east-1";
const CREDENTIALS = { accessKeyId: "AKIDBENCHFAKE", secretAccessKey: "fake-secret" };

/** Region and static credentials the SSM benchmarks sign their requests with. */
export const BENCH_AWS = { region: REGION, credentials: CREDENTIALS } as const;

/**
 * Times one `getParametersByName` of AWS Lambda Powertools (a fresh SSMProvider pointed at
 * `endpoint`, so its cache never serves a value) for `names`, with decryption.
 *
 * @param endpoint The SSM endpoint (the fake's URL).
 * @param names Parameter names, all of which must exist.
 * @returns Elapsed ms of the fetch alone (provider creation excluded).
 */
export async function timePowertools(endpoint: string, names: string[]): Promise<number> {
  const { SSMProvider } = await import("@aws-lambda-powertools/parameters/ssm");
  const request = Object.fromEntries(names.map((n) => [n, {}]));
  const provider = new SSMProvider({
    clientConfig: { endpoint, region: REGION, credentials: CREDENTIALS },
  });
  try {
    const start = performance.now();
    const values = await provider.getParametersByName(request, { decrypt: true });
    const elapsed = performance.now() - start;
    if (Object.keys(values).length !== names.length) {
      throw new Error("powertools: missing values");
    }
    return elapsed;
  } finally {
    provider.client.destroy();
  }
}

/**
 * Measures fetching 50 distinct SSM parameters against the fake endpoint with 100 ms latency:
 * `powertools_50_ms` (Powertools `getParametersByName`, GetParameters chunks of 10 sent one
 * after another) and `holoconf_resolve_many_50_ms` (a Config's `resolveAll`: the dispatcher
 * hands the ssm resolver's `resolveMany` groups of 10, sent in parallel). Medians of 5 runs
 * after one warm-up; a fresh provider and a fresh Config per run so no cache serves a value.
 *
 * @returns The measurements in ms.
 */
export async function benchSsm(): Promise<Figure[]> {
  const names = Array.from({ length: COUNT }, (_, i) => `/bench/param-${i}`);
  const fake = await startFakeAws({
    ssm: Object.fromEntries(names.map((n, i) => [n, `value-${i}`])),
  });
  try {
    const powertoolsOnce = () => timePowertools(fake.url, names);
    const text = names.map((n, i) => `p${i}: \${ssm:${n}}\n`).join("");

    reset();
    _setExtraClientConfig({ credentials: CREDENTIALS });
    configureSsm({ endpoint: fake.url, region: REGION });
    const holoconfOnce = async (): Promise<number> => {
      // A fresh Config per run: nothing memoized.
      const config = Config.loads(text);
      const start = performance.now();
      const values = await config.resolveAll();
      const elapsed = performance.now() - start;
      if (Object.keys(values).length !== names.length) throw new Error("holoconf: missing values");
      return elapsed;
    };

    // Warm-up: SDK loading, connection set-up.
    fake.setFaults({ latencyMs: 0 });
    await powertoolsOnce();
    await holoconfOnce();
    fake.setFaults({ latencyMs: LATENCY_MS });

    const powertools: number[] = [];
    const holoconf: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      powertools.push(await powertoolsOnce());
      holoconf.push(await holoconfOnce());
    }
    return [
      { name: "powertools_50_ms", value: round(median(powertools), 1), unit: "ms" },
      { name: "holoconf_resolve_many_50_ms", value: round(median(holoconf), 1), unit: "ms" },
    ];
  } finally {
    reset();
    _setExtraClientConfig(undefined);
    await fake.close();
  }
}

if (import.meta.main) {
  for (const r of await benchSsm()) console.log(`${r.name}: ${r.value} ${r.unit}`);
}
