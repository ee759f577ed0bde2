// Start-up benchmark: `deno run` of a script that imports mod.ts and resolves a local-only
// config (env vars and references, no AWS or HTTP), against `deno run` of an empty script, with
// the same permission flags and config. Runs alternate in one loop; medians of 15 each after one
// warm-up of each. Runnable alone: `deno run -A scripts/_bench_startup.ts`.

import { type Figure, median, round } from "./_bench_util.ts";

const RUNS = 15;
const ROOT = new URL("../", import.meta.url);

const LOCAL_CONFIG = `
app:
  name: billing
  env: \${env:HOLOCONF_BENCH_ENV,default=dev}
  port: \${env:HOLOCONF_BENCH_PORT,default=8080}
database:
  host: db.\${app.env}.internal
  port: 5432
  url: postgres://\${.host}:\${.port}/\${app.name}
cache:
  hosts: [cache-a, cache-b]
  primary: \${cache.hosts[0]}
`;

/**
 * Runs the start-up benchmark.
 *
 * @returns `cold_start_local_config_ratio` (median wall time of the holoconf script / median of
 *   the empty script) and both medians in ms.
 */
export async function benchStartup(): Promise<Figure[]> {
  const dir = await Deno.makeTempDir({ prefix: "holoconf_bench_startup_" });
  try {
    const empty = `${dir}/empty.ts`;
    const local = `${dir}/local_config.ts`;
    await Deno.writeTextFile(empty, "");
    await Deno.writeTextFile(
      local,
      `import { Config } from ${JSON.stringify(new URL("mod.ts", ROOT).href)};
const config = Config.loads(${JSON.stringify(LOCAL_CONFIG)});
const all = await config.resolveAll();
if ((all as { database: { url: string } }).database.url !== "postgres://db.prod.internal:5432/billing") {
  throw new Error("unexpected value: " + JSON.stringify(all));
}
`,
    );
    const time = async (script: string): Promise<number> => {
      const start = performance.now();
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-env",
          "--allow-read",
          "--config",
          new URL("deno.json", ROOT).pathname,
          script,
        ],
        env: { HOLOCONF_BENCH_ENV: "prod" },
        stdout: "null",
        stderr: "piped",
      }).output();
      const elapsed = performance.now() - start;
      if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
      return elapsed;
    };
    // Warm-up: Deno's module and transpile caches.
    await time(empty);
    await time(local);
    const emptyRuns: number[] = [];
    const localRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      emptyRuns.push(await time(empty));
      localRuns.push(await time(local));
    }
    const e = median(emptyRuns);
    const l = median(localRuns);
    return [
      { name: "cold_start_local_config_ratio", value: round(l / e), unit: "x" },
      { name: "cold_start_local_config_ms", value: round(l), unit: "ms" },
      { name: "cold_start_empty_ms", value: round(e), unit: "ms" },
    ];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  for (const r of await benchStartup()) console.log(`${r.name}: ${r.value} ${r.unit}`);
}
