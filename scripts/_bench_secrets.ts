// Secrets Manager benchmark against the loopback fake AWS endpoint (100 ms latency per request),
// through the public API:
// - secrets50_requests: requests the fake counted for one resolveAll() of 50 distinct
//   ${secretsmanager:...} references (BatchGetSecretValue of 20 ids: target <= 3);
// - secrets50_resolve_all_ratio: that resolveAll's wall time / one round trip (100 ms; target
//   <= 1.5: the three batch requests go out in parallel);
// - secrets50_vs_powertools: AWS Lambda Powertools' getSecret (which has no batch API) for the
//   same 50 secrets, awaited one after another as a handler reads them, / holoconf's time
//   (target >= 5); secrets50_powertools_parallel_ms is the same 50 getSecret calls started at once
//   (Promise.all), for comparison.
// Powertools' getSecret uses its default SecretsProvider, whose SDK client takes the endpoint,
// region and credentials from the environment (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_REGION,
// AWS_ACCESS_KEY_ID...): they are set for the run, as is holoconf's light transport's. Every
// getSecret passes forceFetch so that its cache serves no value; a fresh Config per holoconf run.
// Medians after a warm-up. Runnable alone: `deno run -A scripts/_bench_secrets.ts`.

import { Config } from "../mod.ts";
import { startFakeAws } from "../tests/fakes/fake_aws.ts";
import { configureSecretsManager, reset } from "../resolvers/aws/mod.ts";
import { BENCH_AWS } from "./_bench_ssm.ts";
import { type Figure, median, round } from "./_bench_util.ts";

const COUNT = 50;
const LATENCY_MS = 100;
const RUNS = 5;
const POWERTOOLS_RUNS = 3;

/** The environment the run sets (restored afterwards). */
function benchEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: BENCH_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: BENCH_AWS.credentials.secretAccessKey,
    AWS_REGION: BENCH_AWS.region,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/**
 * Runs the Secrets Manager benchmark.
 *
 * @returns `secrets50_requests`, `secrets50_resolve_all_ratio`, `secrets50_vs_powertools` and
 *   the underlying times in ms.
 */
export async function benchSecrets(): Promise<Figure[]> {
  const ids = Array.from({ length: COUNT }, (_, i) => `bench/secret-${i}`);
  const fake = await startFakeAws({
    secrets: Object.fromEntries(ids.map((id, i) => [id, `value-${i}`])),
  });
  const env = benchEnv(fake.url);
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, Deno.env.get(k)]));
  const text = ids.map((id, i) => `s${i}: \${secretsmanager:${id}}\n`).join("");
  try {
    for (const [k, v] of Object.entries(env)) Deno.env.set(k, v);
    reset();
    configureSecretsManager({ endpoint: fake.url, region: BENCH_AWS.region });
    const { getSecret } = await import("@aws-lambda-powertools/parameters/secrets");

    const requests = () => fake.count("BatchGetSecretValue") + fake.count("GetSecretValue");
    const holoconfOnce = async (): Promise<{ ms: number; requests: number }> => {
      const config = Config.loads(text);
      const before = requests();
      const start = performance.now();
      const values = await config.resolveAll<Record<string, unknown>>();
      const ms = performance.now() - start;
      if (values[`s${COUNT - 1}`] !== `value-${COUNT - 1}`) throw new Error("holoconf: bad values");
      return { ms, requests: requests() - before };
    };
    const powertoolsOnce = async (): Promise<number> => {
      const start = performance.now();
      for (const id of ids) {
        if (typeof await getSecret(id, { forceFetch: true }) !== "string") {
          throw new Error("powertools: bad value");
        }
      }
      return performance.now() - start;
    };
    const powertoolsParallelOnce = async (): Promise<number> => {
      const start = performance.now();
      const values = await Promise.all(ids.map((id) => getSecret(id, { forceFetch: true })));
      if (values.some((v) => typeof v !== "string")) throw new Error("powertools: bad value");
      return performance.now() - start;
    };

    // Warm-up without latency: SDK loading, client creation, connections.
    fake.setFaults({ latencyMs: 0 });
    await holoconfOnce();
    await powertoolsOnce();
    fake.setFaults({ latencyMs: LATENCY_MS });

    const holoconf: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const h = await holoconfOnce();
      holoconf.push(h.ms);
      counts.push(h.requests);
    }
    const powertools: number[] = [];
    const parallel: number[] = [];
    for (let i = 0; i < POWERTOOLS_RUNS; i++) {
      powertools.push(await powertoolsOnce());
      parallel.push(await powertoolsParallelOnce());
    }
    const h = median(holoconf);
    const p = median(powertools);
    return [
      { name: "secrets50_requests", value: Math.max(...counts), unit: "requests" },
      { name: "secrets50_resolve_all_ratio", value: round(h / LATENCY_MS), unit: "x" },
      { name: "secrets50_vs_powertools", value: round(p / h, 1), unit: "x" },
      { name: "secrets50_resolve_all_ms", value: round(h), unit: "ms" },
      { name: "secrets50_powertools_ms", value: round(p), unit: "ms" },
      {
        name: "secrets50_powertools_parallel_ms",
        value: round(median(parallel)),
        unit: "ms",
      },
    ];
  } finally {
    reset();
    await fake.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  }
}

if (import.meta.main) {
  for (const r of await benchSecrets()) console.log(`${r.name}: ${r.value} ${r.unit}`);
}
