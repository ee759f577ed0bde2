/**
 * The built-in resolvers for the command line, loaded for what the config uses.
 *
 * The library (`mod.ts`) imports every resolver module when it loads: edge runtimes grant no
 * file access, so the modules must be static imports there. The command line always has read
 * access, so it registers the built-ins itself: `env` (small, and in nearly every config) is a
 * static import; the other modules a config names (`${ssm:...}` loads the AWS resolvers) are
 * imported through a computed specifier before resolution starts, and their resolvers are
 * registered as they are. The scan over-approximates (any `${name:` in any string of the raw
 * tree counts), and built-ins it does not find cannot be called: the engine evaluates only the
 * strings of the raw tree, never a resolver's result. The rest stay unregistered, so a later
 * `import "mod.ts"` in the same process still registers the real ones.
 *
 * @module
 */

import { globalRegistry, type ResolverRegistry } from "../registry.ts";
import type { Resolver } from "../resolver.ts";
import * as envModule from "../../resolvers/env.ts";

/** Each built-in resolver: its module under `resolvers/` (no extension) and export name. */
export const BUILTIN_MODULES: Readonly<Record<string, readonly [module: string, name: string]>> =
  Object.freeze({
    env: ["env", "envResolver"],
    file: ["file", "fileResolver"],
    json: ["json", "jsonResolver"],
    yaml: ["yaml", "yamlResolver"],
    split: ["split", "splitResolver"],
    csv: ["csv", "csvResolver"],
    base64: ["base64", "base64Resolver"],
    extract: ["extract", "extractResolver"],
    http: ["http", "httpResolver"],
    https: ["http", "httpsResolver"],
    ssm: ["aws/mod", "ssmResolver"],
    s3: ["aws/mod", "s3Resolver"],
    cfn: ["aws/mod", "cfnResolver"],
  });

/** `.ts`, or `.js` in the npm build: modules imported by computed URL take this file's own. */
export const EXT = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

/**
 * The URL of a built-in resolver module (for `import()` and for `deno compile --include`).
 *
 * @param module A module name from {@linkcode BUILTIN_MODULES}, e.g. `aws/mod`.
 * @returns Its URL.
 *
 * @example
 * ```ts
 * import { builtinModuleUrl } from "./_builtins.ts";
 * import assert from "node:assert/strict";
 * assert.match(builtinModuleUrl("aws/mod").href, /\/resolvers\/aws\/mod\.(ts|js)$/);
 * ```
 */
export function builtinModuleUrl(module: string): URL {
  return new URL(`../../resolvers/${module}${EXT}`, import.meta.url);
}

const CALL_REGEXP = /\$\{\s*([\p{L}\p{N}_-]+)\s*:/gu;

/**
 * Names every resolver a raw config might call: each `${name:` in its strings, nested
 * interpolations included. Over-approximates (quoted and escaped text count too).
 *
 * @param raw The unresolved config as plain data.
 * @returns Resolver names.
 *
 * @example
 * ```ts
 * import { resolverNamesIn } from "./_builtins.ts";
 * import assert from "node:assert/strict";
 * const raw = { db: { password: "${ssm:/${env:STAGE}/db}", host: "${app.host}" } };
 * assert.deepEqual([...resolverNamesIn(raw)].sort(), ["env", "ssm"]);
 * ```
 */
export function resolverNamesIn(raw: unknown): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      if (!value.includes("${")) return;
      for (const m of value.matchAll(CALL_REGEXP)) names.add(m[1] as string);
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
      Object.values(value).forEach(visit);
    }
  };
  visit(raw);
  return names;
}

type ModuleLoader = (module: string) => Promise<Record<string, unknown>>;

// A dynamic import costs about 1.5 ms of start-up even for a small module; `env` is static.
const STATIC_MODULES: Readonly<Record<string, Record<string, unknown>>> = { env: envModule };

const importModule: ModuleLoader = (module) => import(builtinModuleUrl(module).href);

function exported(mod: Record<string, unknown>, module: string, name: string): Resolver {
  const resolver = mod[name];
  if (typeof resolver !== "function" && (typeof resolver !== "object" || resolver === null)) {
    throw new Error(`resolvers/${module} does not export ${name}`);
  }
  return resolver as Resolver;
}

/**
 * Registers the built-in resolvers `raw` uses that are not registered yet, importing their
 * modules first.
 *
 * @param raw The unresolved config as plain data.
 * @param registry Where to register. @default {globalRegistry()}
 * @param load Imports a module by its {@linkcode BUILTIN_MODULES} name (tests count loads);
 *   not called for `env`, which the CLI imports statically.
 * @returns The names registered.
 *
 * @example
 * ```ts
 * import { registerBuiltinsFor } from "./_builtins.ts";
 * import { ResolverRegistry } from "../registry.ts";
 * import assert from "node:assert/strict";
 * const registry = new ResolverRegistry();
 * const loaded = await registerBuiltinsFor({ home: "${env:HOME}" }, registry);
 * assert.deepEqual(loaded, ["env"]);
 * assert.equal(registry.get("ssm"), undefined); // not named by the config
 * ```
 */
export async function registerBuiltinsFor(
  raw: unknown,
  registry: ResolverRegistry = globalRegistry(),
  load: ModuleLoader = importModule,
): Promise<string[]> {
  const used = resolverNamesIn(raw);
  const names = Object.keys(BUILTIN_MODULES).filter((n) => used.has(n) && !registry.get(n));
  const modules = [...new Set(names.map((name) => BUILTIN_MODULES[name]![0]))];
  const loaded = new Map(
    await Promise.all(
      modules.map(async (m) => [m, STATIC_MODULES[m] ?? await load(m)] as const),
    ),
  );
  for (const name of names) {
    const [module, exportName] = BUILTIN_MODULES[name]!;
    registry.register(name, exported(loaded.get(module)!, module, exportName));
  }
  return names;
}
