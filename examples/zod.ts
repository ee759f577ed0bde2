/**
 * A typed config checked by a zod schema (any Standard Schema validator works the same way):
 *
 * ```sh
 * APP_ENV=staging PORT=9090 deno run --allow-env --allow-read examples/zod.ts
 * ```
 *
 * The schema types the config: `get()` takes only its paths (a typo does not compile) and
 * returns the type there, and `validate()` returns zod's output, with zod's coercion and
 * defaults applied (`service.port` is a number even though `${env:PORT}` is a string). With
 * `APP_ENV=qa` it prints the issue with the file, line and column of the value, and exits 1.
 *
 * @module
 */

// In your project: import { Config } from "jsr:@holoconf/holoconf"; and zod from npm:zod.
import { z } from "zod";
import { Config, ValidationError } from "../mod.ts";

const Service = z.object({
  service: z.object({
    name: z.string(),
    env: z.enum(["dev", "staging", "prod"]),
    port: z.coerce.number().int().min(1).max(65535),
    replicas: z.number().int().default(2),
  }),
  database: z.object({
    host: z.string(),
    pool: z.object({ min: z.number(), max: z.number() }),
  }),
  allowed_origins: z.array(z.url()),
});

const config = Config.load(`${import.meta.dirname}/service.yaml`, { schema: Service });

// Typed access: a string, a number; `config.get("database.hots")` would not compile.
const host: string = await config.get("database.host");
const poolMax: number = await config.get("database.pool.max");
console.log(`database.host = ${host}`);
console.log(`database.pool.max = ${poolMax}`);

try {
  // zod's output: port coerced to a number, replicas defaulted.
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
