// `deno task bench [--json] [--only GROUP]`: holoconf's benchmarks (groups: async, schema, aws,
// live, secrets, cold). Each figure is measured in one run side by side with its baseline. `--json` prints one JSON object per line:
// {"name": ..., "value": ..., "unit": ...}.

import { benchAsync } from "./_bench_async.ts";
import type { Figure } from "./_bench_util.ts";
import { benchSchema } from "./_bench_schema.ts";
import { benchAws } from "./_bench_aws.ts";
import { benchLive } from "./_bench_live.ts";
import { benchCold } from "./_bench_cold.ts";
import { benchSecrets } from "./_bench_secrets.ts";
import { BENCH_AWS } from "./_bench_ssm.ts";

const GROUPS: Record<string, () => Promise<Figure[]>> = {
  async: benchAsync,
  schema: benchSchema,
  aws: benchAws,
  live: benchLive,
  secrets: benchSecrets,
  // Fresh processes on Node (the npm build) and Deno: start-up, SSM, CLI, bundled handler.
  cold: () => benchCold(),
};

// Every AWS figure talks to a loopback fake that checks signatures made with these fake keys: the
// light transport (the default) takes its credentials and region from the environment, as on
// Lambda, so the benchmarks never depend on the caller's own AWS setup.
Deno.env.set("AWS_ACCESS_KEY_ID", BENCH_AWS.credentials.accessKeyId);
Deno.env.set("AWS_SECRET_ACCESS_KEY", BENCH_AWS.credentials.secretAccessKey);
Deno.env.set("AWS_REGION", BENCH_AWS.region);
Deno.env.delete("AWS_SESSION_TOKEN");
Deno.env.delete("AWS_PROFILE");

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
