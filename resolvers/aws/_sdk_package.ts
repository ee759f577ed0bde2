/**
 * The AWS SDK as an option: its packages (`@aws-sdk/client-*`, `@aws-sdk/credential-providers`,
 * `@smithy/core`) are imported only where needed, and a package that cannot be loaded (not
 * installed: they are optional peer dependencies of the npm package) is an error that names it
 * and says how to install it.
 *
 * @module
 */

import { ResolverError } from "../../src/errors.ts";

/** What to say when an optional package cannot be loaded. */
export interface MissingPackage {
  /** The npm package, e.g. `@aws-sdk/client-ssm`. */
  pkg: string;
  /** What needs it, e.g. `The sdk transport of the ssm resolver`. */
  neededBy: string;
  /** Another way out, appended to the install hint (e.g. `or set AWS_REGION`). */
  otherwise?: string | undefined;
  /** Builds the error (default: a `ResolverError` named `SdkPackageMissing`, code `AWS_ERROR`). */
  error?: ((headline: string, options: { help: string; cause: unknown }) => Error) | undefined;
}

/**
 * Imports an optional package: `load` must be a literal `import()` of it (so that bundlers and
 * `deno compile` see it).
 *
 * @param load Imports the package.
 * @param missing What to say when it fails.
 * @returns The module.
 * @throws {ResolverError} `AWS_ERROR` named `SdkPackageMissing` (or what `missing.error` builds)
 *   when the import fails: the package, what needs it and `npm install <package>`; the import's
 *   own error is its `cause`.
 *
 * @example A package that cannot be loaded is named
 * ```ts
 * import { importOptional } from "./_sdk_package.ts";
 * import assert from "node:assert/strict";
 * await assert.rejects(
 *   importOptional(() => Promise.reject(new TypeError("Cannot find module")), {
 *     pkg: "@aws-sdk/client-ssm",
 *     neededBy: "The sdk transport of the ssm resolver",
 *   }),
 *   /needs the npm package @aws-sdk\/client-ssm[\s\S]*npm install @aws-sdk\/client-ssm/,
 * );
 * ```
 */
export async function importOptional<T>(
  load: () => Promise<T>,
  missing: MissingPackage,
): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    const headline = `${missing.neededBy} needs the npm package ${missing.pkg}, which could ` +
      "not be loaded";
    const help = `Install it (npm install ${missing.pkg})` +
      (missing.otherwise === undefined ? "" : `, ${missing.otherwise}`);
    if (missing.error !== undefined) throw missing.error(headline, { help, cause });
    const error = new ResolverError(headline, { code: "AWS_ERROR", help, cause });
    error.name = "SdkPackageMissing";
    throw error;
  }
}
