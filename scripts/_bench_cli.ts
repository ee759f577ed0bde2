// CLI start-up: `holoconf get -r` on a local-only config vs `deno run` of an empty script, with
// the same permission flags (those of the `cli` task), alternating runs, median of 15. Also the
// floor any YAML-reading command pays here: a script that imports js-yaml, parses the same file
// and prints one raw value.

import { type Figure, median, round } from "./_bench_util.ts";
import { denoRunFlags } from "./_conformance_lib.ts";

const ROOT = new URL("../", import.meta.url);

function cliFlags(): string[] {
  return denoRunFlags(JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))).tasks.cli);
}

async function run(args: string[], env: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    env,
  }).output();
  const t = performance.now() - t0;
  if (!out.success) {
    throw new Error(`command failed: ${args.join(" ")}\n${new TextDecoder().decode(out.stderr)}`);
  }
  return t;
}

/** Runs the CLI start-up benchmark. */
export async function benchCli(): Promise<Figure[]> {
  const dir = await Deno.makeTempDir({ prefix: "holoconf-bench-cli-" });
  try {
    const cfg = `${dir}/app.yaml`;
    await Deno.writeTextFile(
      cfg,
      "app:\n  name: demo\n  env: ${env:BENCH_ENV,default=dev}\n" +
        "db:\n  host: db.${app.env}.internal\n  url: postgres://${.host}/${app.name}\n",
    );
    const empty = `${dir}/empty.ts`;
    await Deno.writeTextFile(empty, "");
    const floor = `${dir}/yaml_only.ts`;
    await Deno.writeTextFile(
      floor,
      'import { load } from "js-yaml";\n' +
        "const doc = load(Deno.readTextFileSync(Deno.args[0])) as { db: { url: string } };\n" +
        "console.log(doc.db.url);\n",
    );
    const flags = cliFlags();
    const config = new URL("deno.json", ROOT).pathname;
    const main = new URL("src/cli/main.ts", ROOT).pathname;
    const cliArgs = ["run", ...flags, `--config=${config}`, main, "get", cfg, "db.url", "-r"];
    const emptyArgs = ["run", ...flags, `--config=${config}`, empty];
    const floorArgs = ["run", ...flags, `--config=${config}`, floor, cfg];
    for (const args of [cliArgs, emptyArgs, floorArgs]) await run(args); // warm the caches
    const cli: number[] = [];
    const base: number[] = [];
    const yamlOnly: number[] = [];
    for (let i = 0; i < 15; i++) {
      base.push(await run(emptyArgs));
      cli.push(await run(cliArgs));
      yamlOnly.push(await run(floorArgs));
    }
    const c = median(cli);
    const b = median(base);
    const y = median(yamlOnly);
    const ms = (v: number) => round(v, 1);
    const ratio = (v: number) => round(v / b);
    return [
      { name: "cli_get_local_ms", value: ms(c), unit: "ms" },
      { name: "empty_deno_run_ms", value: ms(b), unit: "ms" },
      { name: "cli_get_local_ratio", value: ratio(c), unit: "x" },
      { name: "yaml_parse_only_ms", value: ms(y), unit: "ms" },
      { name: "yaml_parse_only_ratio", value: ratio(y), unit: "x" },
    ];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
