/**
 * holoconf: hierarchical configuration for TypeScript. YAML files are deep-merged; values
 * interpolate `${env:X}`, `${a.b}`, `${ssm:/p}`, `${s3:b/k}`, `${cfn:stack/Out}`,
 * `${https:...}` and custom resolvers; resolution is lazy and memoized, or parallel with
 * `resolveAll()` under a concurrency limit and deadlines; secrets never leak into dumps.
 *
 * This entry is `@holoconf/holoconf/core` (the public API) with the built-in resolvers
 * registered for every Config when it is imported, its one side effect. The built-ins that read
 * the network or an archive load on first use.
 *
 * @example Lazy access, a custom async resolver, and a redacted dump
 * ```ts
 * import { Config, ResolvedValue } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 *
 * const vault = (key: string) => Promise.resolve(new ResolvedValue(`s3cr3t-${key}`, { sensitive: true }));
 * const config = Config.loads(
 *   "db:\n  host: localhost\n  password: ${vault:db}\n  url: postgres://${db.host}/app\n",
 *   { resolvers: { vault } },
 * );
 * assert.equal(await config.get("db.url"), "postgres://localhost/app");
 * const dump = await config.toYaml({ redact: true });
 * assert.ok(dump.includes("[REDACTED]") && !dump.includes("s3cr3t"));
 * ```
 *
 * @module
 */

import { globalRegistry } from "./src/registry.ts";
import { registerBuiltins } from "./resolvers/catalogue.ts";

export * from "./core.ts";

registerBuiltins(globalRegistry());
