// AWS benchmarks through the public API, against the loopback fake AWS endpoint with 100 ms
// latency per request:
// - ssm_resolve_all_50_ratio: 50 distinct ${ssm:...} references in a Config.loads config,
//   resolveAll() wall time / 100 ms (target <= 1.5);
// - ssm_requests_50: GetParameters requests the fake counted for that resolveAll (target <= 5);
// - ssm_vs_powertools_50_ratio: the same 50 names fetched by AWS Lambda Powertools'
//   getParametersByName (SSMProvider pointed at the same fake, same process) / holoconf's time
//   (target >= 3);
// - aws_import_ms: first-use cost of `await import("@aws-sdk/client-ssm")` in a fresh Deno
//   process (median of 5).
// Medians over interleaved runs after a warm-up. Runnable alone: `deno run -A scripts/_bench_aws.ts`.

import { Config } from "../mod.ts";
import { startFakeAws } from "../tests/fakes/fake_aws.ts";
import { configureSsm, reset } from "../resolvers/aws/mod.ts";
import { _setExtraClientConfig } from "../resolvers/aws/_clients.ts";
import { BENCH_AWS, timePowertools } from "./_bench_ssm.ts";
import { type Figure, median, round } from "./_bench_util.ts";

const COUNT = 50;
const LATENCY_MS = 100;
const RUNS = 5;
const IMPORT_RUNS = 5;
const ROOT = new URL("../", import.meta.url);

/** resolveAll of 50 ssm references vs Powertools, on one fake endpoint. */
async function benchResolveAll(): Promise<Figure[]> {
  const names = Array.from({ length: COUNT }, (_, i) => `/bench/aws/param-${i}`);
  const fake = await startFakeAws({
    ssm: Object.fromEntries(names.map((n, i) => [n, `value-${i}`])),
  });
  const text = names.map((n, i) => `p${i}: \${ssm:${n}}\n`).join("");
  try {
    reset();
    _setExtraClientConfig({ credentials: BENCH_AWS.credentials });
    configureSsm({ endpoint: fake.url, region: BENCH_AWS.region });

    const holoconfOnce = async (): Promise<{ ms: number; requests: number }> => {
      const config = Config.loads(text);
      const before = fake.count("GetParameters") + fake.count("GetParameter");
      const start = performance.now();
      const values = await config.resolveAll<Record<string, unknown>>();
      const ms = performance.now() - start;
      if (values[`p${COUNT - 1}`] !== `value-${COUNT - 1}`) throw new Error("holoconf: bad values");
      return { ms, requests: fake.count("GetParameters") + fake.count("GetParameter") - before };
    };

    // Warm-up without latency: SDK loading, client creation, connections.
    fake.setFaults({ latencyMs: 0 });
    await timePowertools(fake.url, names);
    await holoconfOnce();
    fake.setFaults({ latencyMs: LATENCY_MS });

    const holoconf: number[] = [];
    const requests: number[] = [];
    const powertools: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const h = await holoconfOnce();
      holoconf.push(h.ms);
      requests.push(h.requests);
      powertools.push(await timePowertools(fake.url, names));
    }
    const h = median(holoconf);
    const p = median(powertools);
    return [
      { name: "ssm_resolve_all_50_ratio", value: round(h / LATENCY_MS), unit: "x" },
      { name: "ssm_requests_50", value: Math.max(...requests), unit: "requests" },
      { name: "ssm_vs_powertools_50_ratio", value: round(p / h), unit: "x" },
      { name: "ssm_resolve_all_50_ms", value: round(h), unit: "ms" },
      { name: "ssm_powertools_50_ms", value: round(p), unit: "ms" },
    ];
  } finally {
    reset();
    _setExtraClientConfig(undefined);
    await fake.close();
  }
}

/** First-use import cost of the SSM client, each in a fresh process. */
async function benchImport(): Promise<Figure[]> {
  const dir = await Deno.makeTempDir({ prefix: "holoconf_bench_import_" });
  try {
    const script = `${dir}/import_ssm.ts`;
    await Deno.writeTextFile(
      script,
      `const start = performance.now();
await import("@aws-sdk/client-ssm");
console.log(performance.now() - start);
`,
    );
    const once = async (): Promise<number> => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", new URL("deno.json", ROOT).pathname, script],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
      return Number(new TextDecoder().decode(out.stdout).trim());
    };
    await once(); // warm Deno's module cache
    const runs: number[] = [];
    for (let i = 0; i < IMPORT_RUNS; i++) runs.push(await once());
    return [{ name: "aws_import_ms", value: round(median(runs)), unit: "ms" }];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs the AWS benchmarks.
 *
 * @returns The figures: `ssm_resolve_all_50_ratio`, `ssm_requests_50`,
 *   `ssm_vs_powertools_50_ratio` (with the two underlying times in ms) and `aws_import_ms`.
 */
export async function benchAws(): Promise<Figure[]> {
  return [...await benchResolveAll(), ...await benchImport()];
}

if (import.meta.main) {
  for (const r of await benchAws()) console.log(`${r.name}: ${r.value} ${r.unit}`);
}
