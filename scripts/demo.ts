// `deno task demo`: holoconf on an embedded example. Loads a config with env variables,
// references and a custom async resolver, prints lazy gets (and which resolver calls each one
// needed), then resolveAll and a redacted dump.

import { Config, ResolvedValue } from "../mod.ts";

const EXAMPLE = `
app:
  name: billing
  env: \${env:DEMO_ENV,default=dev}
  port: \${env:DEMO_PORT,default=8080}
database:
  host: db.\${app.env}.internal
  port: 5432
  user: \${vault:db/user}
  password: \${vault:db/password}
  url: postgres://\${.user}:\${.password}@\${.host}:\${.port}/\${app.name}
cache:
  hosts: [cache-a, cache-b]
  primary: \${cache.hosts[0]}
features:
  banner: "Welcome to \${app.name} (\${app.env})"
  escaped: 'literal \\\${not.interpolated}'
`;

// A custom async resolver standing in for a secrets manager: 50 ms per lookup,
// secrets marked sensitive so they never appear in dumps.
const calls: string[] = [];
const SECRETS: Record<string, string> = { "db/user": "billing_app", "db/password": "s3cr3t-pa55" };
async function vault(key: string) {
  calls.push(key);
  await new Promise((r) => setTimeout(r, 50));
  if (!(key in SECRETS)) throw new Error(`no secret at ${key}`);
  return new ResolvedValue(SECRETS[key], { sensitive: key.endsWith("password") });
}

Deno.env.set("DEMO_ENV", "staging");
const config = Config.loads(EXAMPLE, { resolvers: { vault } });

console.log("holoconf demo: an embedded config with env, references and an async resolver\n");
console.log("--- raw (nothing resolved at load) ---");
console.log(`database.url raw: ${config.getRaw("database.url")}`);
console.log(`isResolved("database.url"): ${config.isResolved("database.url")}\n`);

console.log("--- lazy get(): resolves only what each path needs, memoized ---");
for (
  const path of [
    "app.env",
    "app.port",
    "database.host",
    "cache.primary",
    "features.banner",
    "features.escaped",
    "database.url",
  ]
) {
  const before = calls.length;
  const t0 = performance.now();
  const value = await config.get(path);
  const ms = (performance.now() - t0).toFixed(1);
  const used = calls.slice(before);
  const shown = path === "database.url"
    ? String(value).replace(SECRETS["db/password"]!, "****")
    : value;
  console.log(
    `${path.padEnd(18)} = ${JSON.stringify(shown)}  (${ms} ms${
      used.length ? `, vault: ${used.join(", ")}` : ""
    })`,
  );
}
console.log(
  `get("database.url") again: ${
    config.isResolved("database.url") ? "memoized" : "not memoized"
  }, vault calls so far: ${calls.length}\n`,
);

console.log("--- resolveAll() on a fresh Config: every lookup in parallel ---");
calls.length = 0;
const fresh = Config.loads(EXAMPLE, { resolvers: { vault } });
const t0 = performance.now();
await fresh.resolveAll({ timeout: 5_000 });
console.log(
  `resolveAll: ${
    (performance.now() - t0).toFixed(1)
  } ms for ${calls.length} vault calls of 50 ms each`,
);
console.log(`getSync("database.user") afterwards: ${fresh.getSync("database.user")}\n`);

console.log(
  "--- toYaml({ redact: true }): sensitive values and everything built from them redacted ---",
);
console.log(await fresh.toYaml({ redact: true }));
console.log("--- console.log(config) never shows a secret ---");
console.log(fresh);

console.log("\n=== part 2: AWS SSM against a local fake endpoint ===\n");
await (await import("./_demo_aws.ts")).runAwsDemo();
