/**
 * The built-in resolvers, listed once: each name, the module under `resolvers/` that holds it
 * and that module's export. The main entry (`mod.ts`) registers them from this table, the command
 * line gets them through it, and a test checks that `deno compile` embeds every module it names.
 *
 * Resolvers that `getSync` must be able to run (`env`, `file`, `json`, `yaml`, `split`,
 * `base64`) are imported with the library. The others load on first use, through a literal
 * `import("./x.ts")`: Deno without read permission (edge runtimes) can import a literal
 * specifier but not a computed one, `deno compile` embeds literal targets by itself, and the
 * npm build rewrites them to `.js`. Their first call is therefore asynchronous: `getSync`
 * before the module has loaded fails with `ASYNC_RESOLUTION_REQUIRED`, as it does for calls that
 * load a parser on first use. What they declare that matters before they run (`settingsSpec`,
 * `network`, `sensitive`) is written here too, so that settings are checked and an offline
 * Config refuses a network one (`OFFLINE`, `getSync` too) without loading it. (Deno prepares literal `import()` targets when the program starts,
 * unless it runs with the `lazy-dynamic-imports` unstable setting, which deno.json turns on.)
 *
 * Adding a built-in is one module and one entry here.
 *
 * @module
 */

import type { Resolver, ResolverSettingsSpec } from "../src/resolver.ts";
import type { ResolverRegistry } from "../src/registry.ts";
import { envResolver } from "./env.ts";
import { fileResolver } from "./file.ts";
import { jsonResolver } from "./json.ts";
import { yamlResolver } from "./yaml.ts";
import { splitResolver } from "./split.ts";
import { base64Resolver } from "./base64.ts";
import { HTTP_SETTINGS } from "./_http_settings.ts";
import { awsSettingsSpec } from "./aws/_settings.ts";

/** One built-in resolver. */
export interface CatalogueEntry {
  /** The name configs call it by: `${name:...}`. */
  readonly name: string;
  /** Its module, relative to `resolvers/` (e.g. `aws/ssm.ts`). */
  readonly module: string;
  /** The export of that module that holds it. */
  readonly export: string;
  /** The resolver, for one imported with the library (it must stay synchronous). */
  readonly resolver?: Resolver;
  /** Imports its module, for one loaded on first use (a literal `import()`). */
  readonly load?: () => Promise<Record<string, unknown>>;
  /**
   * The settings groups the resolver declares, for one loaded on first use: settings can then be
   * given before it loads (the loaded resolver must declare the same; a test checks it).
   */
  readonly settingsSpec?: readonly ResolverSettingsSpec[];
  /**
   * For one loaded on first use: it reaches the network, as its module declares (a test checks
   * it). Known before it loads, an offline Config refuses it without loading it.
   */
  readonly network?: boolean;
  /** For one loaded on first use: every value it returns is sensitive, as its module declares. */
  readonly sensitive?: boolean;
}

/** Every built-in resolver, in registration order. */
export const CATALOGUE: readonly CatalogueEntry[] = Object.freeze([
  { name: "env", module: "env.ts", export: "envResolver", resolver: envResolver },
  { name: "file", module: "file.ts", export: "fileResolver", resolver: fileResolver },
  { name: "json", module: "json.ts", export: "jsonResolver", resolver: jsonResolver },
  { name: "yaml", module: "yaml.ts", export: "yamlResolver", resolver: yamlResolver },
  { name: "split", module: "split.ts", export: "splitResolver", resolver: splitResolver },
  { name: "base64", module: "base64.ts", export: "base64Resolver", resolver: base64Resolver },
  { name: "csv", module: "csv.ts", export: "csvResolver", load: () => import("./csv.ts") },
  {
    name: "extract",
    module: "extract.ts",
    export: "extractResolver",
    load: () => import("./extract.ts"),
  },
  {
    name: "ssm",
    module: "aws/ssm.ts",
    export: "ssmResolver",
    load: () => import("./aws/ssm.ts"),
    settingsSpec: awsSettingsSpec("ssm"),
    network: true,
  },
  {
    name: "s3",
    module: "aws/s3.ts",
    export: "s3Resolver",
    load: () => import("./aws/s3.ts"),
    settingsSpec: awsSettingsSpec("s3"),
    network: true,
  },
  {
    name: "cfn",
    module: "aws/cfn.ts",
    export: "cfnResolver",
    load: () => import("./aws/cfn.ts"),
    settingsSpec: awsSettingsSpec("cfn"),
    network: true,
  },
  {
    name: "secretsmanager",
    module: "aws/secretsmanager.ts",
    export: "secretsmanagerResolver",
    load: () => import("./aws/secretsmanager.ts"),
    settingsSpec: awsSettingsSpec("secretsmanager"),
    network: true,
    sensitive: true,
  },
  {
    name: "appconfig",
    module: "aws/appconfig.ts",
    export: "appconfigResolver",
    load: () => import("./aws/appconfig.ts"),
    settingsSpec: awsSettingsSpec("appconfig"),
    network: true,
  },
  {
    name: "http",
    module: "http.ts",
    export: "httpResolver",
    load: () => import("./http.ts"),
    settingsSpec: [HTTP_SETTINGS],
    network: true,
  },
  {
    name: "https",
    module: "http.ts",
    export: "httpsResolver",
    load: () => import("./http.ts"),
    settingsSpec: [HTTP_SETTINGS],
    network: true,
  },
].map((entry) => Object.freeze(entry)));

/**
 * The resolver of an entry, importing its module if it loads on first use.
 *
 * @param entry A catalogue entry.
 * @returns Its resolver: the module's export named by the entry (checked when registered).
 *
 * @example
 * ```ts
 * import { CATALOGUE, loadEntry } from "./catalogue.ts";
 * import { csvResolver } from "./csv.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await loadEntry(CATALOGUE.find((e) => e.name === "csv")!), csvResolver);
 * ```
 */
export async function loadEntry(entry: CatalogueEntry): Promise<Resolver> {
  if (entry.resolver !== undefined) return entry.resolver;
  return (await entry.load!())[entry.export] as Resolver;
}

/**
 * Registers every built-in resolver whose name is free: the synchronous ones as they are, the
 * others to load on first use. Names already taken (a resolver registered earlier, or the
 * built-ins of another copy of the library in the process) are left as they are.
 *
 * @param registry Where to register (`mod.ts` passes the process-wide registry).
 *
 * @example
 * ```ts
 * import { registerBuiltins } from "./catalogue.ts";
 * import { ResolverRegistry } from "../src/registry.ts";
 * import assert from "node:assert/strict";
 * const registry = new ResolverRegistry();
 * registerBuiltins(registry);
 * assert.ok(registry.get("env")); // loaded with the library
 * assert.equal(registry.get("ssm"), undefined); // registered, loaded on first use
 * assert.ok(registry.has("ssm"));
 * assert.deepEqual(registry.declared("ssm"), { network: true, sensitive: false }); // before it loads
 * assert.equal(typeof (await registry.lookup("ssm"))?.batchSize, "number");
 * ```
 */
export function registerBuiltins(registry: ResolverRegistry): void {
  for (const entry of CATALOGUE) {
    if (registry.has(entry.name)) continue;
    if (entry.resolver !== undefined) registry.register(entry.name, entry.resolver);
    else {
      registry.registerLazy(entry.name, () => loadEntry(entry), {
        settingsSpec: entry.settingsSpec ?? [],
        declares: { network: entry.network ?? false, sensitive: entry.sensitive ?? false },
      });
    }
  }
}
