// `deno task bench [--json] [--only GROUP]`: holoconf's benchmarks. Each figure is measured in
// one run side by side with its baseline. `--json` prints one JSON object per line:
// {"name": ..., "value": ..., "unit": ...}.

import { benchAsync } from "./_bench_async.ts";
import type { Figure } from "./_bench_util.ts";
import { benchSchema } from "./_bench_schema.ts";
import { benchCli } from "./_bench_cli.ts";
import { benchAws } from "./_bench_aws.ts";
import { benchStartup } from "./_bench_startup.ts";
import { benchSecrets } from "./_bench_secrets.ts";

const GROUPS: Record<string, () => Promise<Figure[]>> = {
  async: benchAsync,
  schema: benchSchema,
  cli: benchCli,
  aws: benchAws,
  secrets: benchSecrets,
  startup: benchStartup,
};

const args = Deno.args;
const json = args.includes("--json");
const onlyIndex = args.indexOf("--only");
const only = onlyIndex >= 0 ? args[onlyIndex + 1] : undefined;

for (const [name, run] of Object.entries(GROUPS)) {
  if (only !== undefined && only !== name) continue;
  const figures = await run();
  for (const f of figures) {
    if (json) console.log(JSON.stringify(f));
    else console.log(`${f.name.padEnd(40)} ${String(f.value).padStart(10)} ${f.unit}`);
  }
}
