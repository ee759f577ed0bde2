/**
 * The `env` resolver: `${env:NAME}` reads an environment variable (SPEC §7.1).
 *
 * @module
 */

import { NotFoundError, ParseError } from "../src/errors.ts";
import type { ResolverCall, ResolverObject } from "../src/resolver.ts";
import { getEnv } from "../src/runtime.ts";
import { shown } from "./_args.ts";

/**
 * Reads environment variables: the Config's environment (`call.context.env`: the process
 * environment over the Config's `.env` files), else the process environment; a missing one is
 * "not found" (so `default=` applies). The process environment is never changed.
 *
 * @example
 * ```ts
 * import { envResolver } from "./env.ts";
 * import assert from "node:assert/strict";
 * Deno.env.set("HOLOCONF_DOC_EXAMPLE", "42");
 * const call = { args: ["HOLOCONF_DOC_EXAMPLE"] } as unknown as Parameters<typeof envResolver.resolve>[1];
 * assert.equal(envResolver.resolve("HOLOCONF_DOC_EXAMPLE", call), "42");
 * ```
 */
export const envResolver: ResolverObject = {
  synchronous: true,
  params: { positional: 1, keywords: [] },
  resolve(name: string, call: ResolverCall): string {
    if (call.args.length === 0 || name.trim() === "") {
      throw new ParseError("env resolver requires a variable name");
    }
    const value = (call.context?.env ?? getEnv)(name);
    if (value === undefined) {
      // A name that came from a sensitive value is named nowhere, not even in `resource`.
      const shownName = shown(name, call);
      throw new NotFoundError(`Environment variable not found: ${shownName}`, {
        resource: shownName,
        help: `Set the ${shownName} environment variable or provide a default: ` +
          `\${env:${shownName},default=value}`,
      });
    }
    return value;
  },
};
