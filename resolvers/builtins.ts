/**
 * Registers the built-in resolvers in the process-wide registry (once, even when the library
 * is loaded twice). The synchronous ones (env, file, json, yaml, split, base64) are imported
 * here so `getSync` can use them; the others (csv, extract, http, https, ssm, s3, cfn) are
 * registered as lazy stand-ins whose module loads on first use, which keeps them (and their
 * dependencies) off the start-up path of configs that never use them.
 *
 * @module
 */

import { globalRegistry } from "../src/registry.ts";
import type { Resolver, ResolverCall, ResolverObject } from "../src/resolver.ts";
import { envResolver } from "./env.ts";
import { fileResolver } from "./file.ts";
import { jsonResolver } from "./json.ts";
import { yamlResolver } from "./yaml.ts";
import { splitResolver } from "./split.ts";
import { base64Resolver } from "./base64.ts";

// Deno prepares every module named by a literal `import("...")` as soon as the importing module
// loads (here ≈ 7 ms of start-up for these resolvers and their dependencies, measured with
// `deno run`); a computed specifier defers that work to the first call. The extension follows
// this file's own, so the npm build (compiled to .js) imports its .js siblings.
const EXT = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
function sibling<T>(name: string): Promise<T> {
  return import(new URL(`./${name}${EXT}`, import.meta.url).href) as Promise<T>;
}

/**
 * A resolver whose implementation module is imported on its first call. `extra` carries the
 * parts the engine needs before that (batching hints).
 *
 * @param load Imports the real resolver.
 * @param extra Batching hooks answered without loading.
 * @returns The stand-in.
 */
function lazy(
  load: () => Promise<ResolverObject>,
  extra: { batchSize?: number; batchGroup?: (key: string, call: ResolverCall) => string } = {},
): ResolverObject {
  let loaded: ResolverObject | undefined;
  let loading: Promise<ResolverObject> | undefined;
  const get = () => (loading ??= load().then((r) => (loaded = r)));
  const stand: ResolverObject = {
    resolve: (key, call) =>
      loaded ? loaded.resolve(key, call) : get().then((r) => r.resolve(key, call)),
  };
  if (extra.batchGroup) {
    stand.batchGroup = extra.batchGroup;
    if (extra.batchSize !== undefined) stand.batchSize = extra.batchSize;
    stand.resolveMany = async (keys, calls) => {
      const r = await get();
      return r.resolveMany
        ? r.resolveMany(keys, calls)
        : Promise.all(keys.map((k, i) => r.resolve(k, calls[i]!)));
    };
  }
  return stand;
}

/** ssm batches per client: the per-reference client settings (global ones apply to all). */
function awsClientGroup(_key: string, call: ResolverCall): string {
  const k = call.kwargs;
  return `${k.region ?? ""}|${k.profile ?? ""}|${k.endpoint ?? ""}`;
}

/** The built-in resolvers by name. */
export const BUILTIN_RESOLVERS: Readonly<Record<string, Resolver>> = Object.freeze({
  env: envResolver,
  file: fileResolver,
  json: jsonResolver,
  yaml: yamlResolver,
  split: splitResolver,
  base64: base64Resolver,
  csv: lazy(async () => (await sibling<typeof import("./csv.ts")>("csv")).csvResolver),
  extract: lazy(async () =>
    (await sibling<typeof import("./extract.ts")>("extract")).extractResolver
  ),
  http: lazy(async () => (await sibling<typeof import("./http.ts")>("http")).httpResolver),
  https: lazy(async () => (await sibling<typeof import("./http.ts")>("http")).httpsResolver),
  ssm: lazy(async () => (await sibling<typeof import("./aws/mod.ts")>("aws/mod")).ssmResolver, {
    batchSize: 10,
    batchGroup: awsClientGroup,
  }),
  s3: lazy(async () => (await sibling<typeof import("./aws/mod.ts")>("aws/mod")).s3Resolver),
  cfn: lazy(async () => (await sibling<typeof import("./aws/mod.ts")>("aws/mod")).cfnResolver),
});

/**
 * Registers every built-in resolver that is not registered yet.
 *
 * @example
 * ```ts
 * import { registerBuiltins } from "./builtins.ts";
 * import { globalRegistry } from "../src/registry.ts";
 * import assert from "node:assert/strict";
 * registerBuiltins();
 * assert.ok(globalRegistry().get("env"));
 * ```
 */
export function registerBuiltins(): void {
  const registry = globalRegistry();
  for (const [name, resolver] of Object.entries(BUILTIN_RESOLVERS)) {
    if (!registry.get(name)) registry.register(name, resolver);
  }
}
