/**
 * A typed config checked by a valibot schema (a Standard Schema validator):
 *
 * ```sh
 * APP_ENV=staging PORT=9090 deno run --allow-env --allow-read examples/valibot.ts
 * ```
 *
 * As examples/zod.ts: the schema types `get()` and `validate()`; valibot's transforms and
 * defaults apply in `validate()`. With `APP_ENV=qa` it prints the issue and exits 1.
 *
 * @module
 */

// In your project: import { Config } from "jsr:@holoconf/holoconf"; and valibot from npm:valibot.
import * as v from "valibot";
import { Config, ValidationError } from "../mod.ts";

const Port = v.pipe(
  v.union([v.number(), v.string()]),
  v.transform(Number),
  v.integer(),
  v.minValue(1),
  v.maxValue(65535),
);

const Service = v.object({
  service: v.object({
    name: v.string(),
    env: v.picklist(["dev", "staging", "prod"]),
    port: Port,
    replicas: v.optional(v.number(), 2),
  }),
  database: v.object({
    host: v.string(),
    pool: v.object({ min: v.number(), max: v.number() }),
  }),
  allowed_origins: v.array(v.pipe(v.string(), v.url())),
});

const config = Config.load(`${import.meta.dirname}/service.yaml`, { schema: Service });

// Typed access: `config.get("database.hots")` would not compile.
const host: string = await config.get("database.host");
const origins: string[] = await config.get("allowed_origins");
console.log(`database.host = ${host}`);
console.log(`allowed_origins[0] = ${origins[0]}`);

try {
  // valibot's output: port transformed to a number, replicas defaulted.
  const settings = await config.validate();
  const port: number = settings.service.port;
  console.log(`service.port + 1 = ${port + 1}`);
  console.log(`service.replicas = ${settings.service.replicas}`);
} catch (error) {
  if (!(error instanceof ValidationError)) throw error;
  for (const issue of error.issues) {
    console.log(`invalid ${issue.path}: ${issue.message} (at ${issue.source})`);
  }
  Deno.exitCode = 1;
}
