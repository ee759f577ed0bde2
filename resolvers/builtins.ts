/**
 * Registers the built-in resolvers in the process-wide registry (once, even when the library
 * is loaded twice). Their heavy dependencies (CSV parser, archive readers, undici, the AWS SDK)
 * load with `import()` on first use only. The resolver modules themselves are imported
 * statically: Deno prepares literal dynamic-import targets at start-up anyway (so deferring
 * them saves nothing measurable), and a computed specifier would need read permission at first
 * use, which edge runtimes do not grant.
 *
 * @module
 */

import { globalRegistry } from "../src/registry.ts";
import type { Resolver } from "../src/resolver.ts";
import { envResolver } from "./env.ts";
import { fileResolver } from "./file.ts";
import { jsonResolver } from "./json.ts";
import { yamlResolver } from "./yaml.ts";
import { splitResolver } from "./split.ts";
import { csvResolver } from "./csv.ts";
import { base64Resolver } from "./base64.ts";
import { extractResolver } from "./extract.ts";
import { httpResolver, httpsResolver } from "./http.ts";
import { cfnResolver, s3Resolver, ssmResolver } from "./aws/mod.ts";

/** The built-in resolvers by name. */
export const BUILTIN_RESOLVERS: Readonly<Record<string, Resolver>> = Object.freeze({
  env: envResolver,
  file: fileResolver,
  json: jsonResolver,
  yaml: yamlResolver,
  split: splitResolver,
  csv: csvResolver,
  base64: base64Resolver,
  extract: extractResolver,
  http: httpResolver,
  https: httpsResolver,
  ssm: ssmResolver,
  s3: s3Resolver,
  cfn: cfnResolver,
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
