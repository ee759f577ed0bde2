// Benchmarks of schema validation through Config: `config.validate(schema)` on a config of
// 10,000 keys, against one plain `@cfworker/json-schema` validator call on the same resolved
// object, measured side by side in one run.

import { Validator } from "@cfworker/json-schema";
import { Config, Schema } from "../mod.ts";
import { type Figure, median, round } from "./_bench_util.ts";

const OBJECTS = 100;
const PROPERTIES = 100;
const RUNS = 5;
const ENV_INT = "HC_BENCH_SCHEMA_INT";
const ENV_TEXT = "HC_BENCH_SCHEMA_TEXT";
const ENV_FLAG = "HC_BENCH_SCHEMA_FLAG";

/** The config text (100 objects x 100 properties) and the schema describing it. */
function fixture(): { yaml: string; schema: Record<string, unknown> } {
  const lines: string[] = [];
  const objects: Record<string, unknown> = {};
  for (let o = 0; o < OBJECTS; o++) {
    lines.push(`group${o}:`);
    const properties: Record<string, unknown> = {};
    for (let p = 0; p < PROPERTIES; p++) {
      const key = `key${p}`;
      switch (p % 6) {
        case 0: // a literal string
          lines.push(`  ${key}: value-${o}-${p}`);
          properties[key] = { type: "string", minLength: 1 };
          break;
        case 1: // a literal integer
          lines.push(`  ${key}: ${o * PROPERTIES + p}`);
          properties[key] = { type: "integer", minimum: 0 };
          break;
        case 2: // an env string, coerced to an integer by the schema
          lines.push(`  ${key}: \${env:${ENV_INT}}`);
          properties[key] = { type: "integer", minimum: 1, maximum: 65535 };
          break;
        case 3: // an env string kept as a string
          lines.push(`  ${key}: \${env:${ENV_TEXT}}`);
          properties[key] = { type: "string", pattern: "^[a-z.]+$" };
          break;
        case 4: // a concatenation with an env value
          lines.push(`  ${key}: "http://\${env:${ENV_TEXT}}:${p}/"`);
          properties[key] = { type: "string", format: "uri" };
          break;
        default: // an env string coerced to a boolean
          lines.push(`  ${key}: \${env:${ENV_FLAG}}`);
          properties[key] = { type: "boolean" };
      }
    }
    objects[`group${o}`] = {
      type: "object",
      properties,
      required: Object.keys(properties).slice(0, 10),
      additionalProperties: false,
    };
  }
  return {
    yaml: lines.join("\n") + "\n",
    schema: { type: "object", properties: objects, required: ["group0"] },
  };
}

async function timeIt(f: () => unknown): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

/** Runs the schema benchmarks. */
export async function benchSchema(): Promise<Figure[]> {
  const saved = [ENV_INT, ENV_TEXT, ENV_FLAG].map((k) => [k, Deno.env.get(k)] as const);
  Deno.env.set(ENV_INT, "8080");
  Deno.env.set(ENV_TEXT, "example.org");
  Deno.env.set(ENV_FLAG, "true");
  try {
    const { yaml, schema: schemaObject } = fixture();
    const schema = Schema.fromObject(schemaObject);
    await schema.ready();

    // Cold: a fresh Config each time, so resolution (10,000 keys, 6,700 env lookups) counts.
    const cold: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const fresh = Config.loads(yaml);
      cold.push(await timeIt(() => fresh.validate(schema)));
    }

    // Warm: the schema attached to the Config, whose values are memoized (SPEC §5.2) after a
    // first validate(). (A schema that is not attached gets a scratch engine: no memo.)
    const config = Config.loads(yaml, { schema });
    await config.validate(schema);
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) warm.push(await timeIt(() => config.validate(schema)));

    // Baseline: one plain validator call (compile + validate) on the same resolved object.
    const resolved = await config.resolveAll();
    const check = new Validator(schemaObject, "2020-12").validate(resolved);
    if (!check.valid) throw new Error("benchmark fixture does not validate");
    const plain: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      plain.push(await timeIt(() => new Validator(schemaObject, "2020-12").validate(resolved)));
    }

    const warmMs = median(warm);
    const plainMs = median(plain);
    return [
      { name: "validate_10k_keys_ms", value: round(warmMs), unit: "ms" },
      {
        name: "validate_10k_keys_ratio",
        value: round(warmMs / plainMs),
        unit: "x plain validator",
      },
      { name: "validate_10k_keys_cold_ms", value: round(median(cold)), unit: "ms" },
      { name: "validate_10k_keys_plain_ms", value: round(plainMs), unit: "ms" },
    ];
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  }
}
