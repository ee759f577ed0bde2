/**
 * A Deno script with its config in a YAML file next to it:
 *
 * ```sh
 * APP_ENV=staging deno run --allow-env --allow-read examples/deno_script.ts
 * ```
 *
 * Lazy gets (each resolves only what its path needs), then `resolveAll()` (everything, in
 * parallel) and a redacted dump. `secrets` stands in for a secrets manager: an async custom
 * resolver whose passwords are marked sensitive.
 *
 * @module
 */

// In your project: import { Config, ResolvedValue } from "jsr:@holoconf/holoconf";
import { Config, ResolvedValue } from "../mod.ts";

const SECRETS: Record<string, string> = { "db/user": "shop_app", "db/password": "s3cr3t-pa55" };
const lookups: string[] = [];

async function secrets(key: string): Promise<ResolvedValue> {
  lookups.push(key);
  await new Promise((resolve) => setTimeout(resolve, 10)); // a network round trip
  const value = SECRETS[key];
  if (value === undefined) throw new Error(`no secret at ${key}`);
  return new ResolvedValue(value, { sensitive: key.endsWith("password") });
}

const config = Config.load(`${import.meta.dirname}/config.yaml`, { resolvers: { secrets } });

console.log(`app.env = ${await config.get("app.env")}`);
console.log(`database.host = ${await config.get("database.host")}`);
console.log(`cache.primary = ${await config.get("cache.primary")}`);
console.log(`secrets looked up so far: ${lookups.length}`);

await config.resolveAll({ timeout: 5_000 });
console.log(`secrets looked up after resolveAll: ${lookups.length}`);
console.log(`database.port = ${config.getSync("database.port")}`);
console.log("");
console.log(await config.toYaml({ redact: true }));
