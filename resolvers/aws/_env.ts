/**
 * What the light AWS transport reads of its surroundings: AWS environment variables (trimmed, an
 * empty one counts as unset), the home directory, and whether the shared config/credentials files
 * exist (an unreadable file counts as absent: the SDK could not read it either).
 *
 * @module
 */

import { cwd, getEnv, statSync } from "../../src/runtime.ts";

/**
 * An environment variable, trimmed; `undefined` when unset, empty or not readable.
 *
 * @param name Variable name.
 * @returns Its value.
 *
 * @example
 * ```ts
 * import { awsEnv } from "./_env.ts";
 * import assert from "node:assert/strict";
 * assert.equal(awsEnv("HOLOCONF_SURELY_UNSET_VARIABLE"), undefined);
 * ```
 */
export function awsEnv(name: string): string | undefined {
  const v = getEnv(name)?.trim();
  return v === undefined || v === "" ? undefined : v;
}

/**
 * Whether a variable is `true` (in any letter case), as the SDK reads its flags.
 *
 * @param name Variable name.
 * @returns Whether it is set to true.
 *
 * @example
 * ```ts
 * import { awsFlag } from "./_env.ts";
 * import assert from "node:assert/strict";
 * assert.equal(awsFlag("HOLOCONF_SURELY_UNSET_VARIABLE"), false);
 * ```
 */
export function awsFlag(name: string): boolean {
  return awsEnv(name)?.toLowerCase() === "true";
}

/**
 * The home directory from `HOME`, `USERPROFILE` or `HOMEPATH`.
 *
 * @returns It, or `undefined` (Deno Deploy, a cleared environment).
 *
 * @example
 * ```ts
 * import { homeDirectory } from "./_env.ts";
 * import assert from "node:assert/strict";
 * assert.equal(homeDirectory(), Deno.env.get("HOME") || undefined);
 * ```
 */
export function homeDirectory(): string | undefined {
  return awsEnv("HOME") ?? awsEnv("USERPROFILE") ?? awsEnv("HOMEPATH");
}

/**
 * The shared config and credentials files the SDK would read (`AWS_CONFIG_FILE`,
 * `AWS_SHARED_CREDENTIALS_FILE`, else under `~/.aws/`), whether or not they exist.
 *
 * @returns Their paths (none without a home directory or variables).
 *
 * @example
 * ```ts
 * import { sharedFiles } from "./_env.ts";
 * import assert from "node:assert/strict";
 * const before = Deno.env.get("AWS_CONFIG_FILE");
 * Deno.env.set("AWS_CONFIG_FILE", "/tmp/aws-config");
 * try {
 *   assert.equal(sharedFiles()[0], "/tmp/aws-config");
 * } finally {
 *   if (before === undefined) Deno.env.delete("AWS_CONFIG_FILE");
 *   else Deno.env.set("AWS_CONFIG_FILE", before);
 * }
 * ```
 */
export function sharedFiles(): string[] {
  const home = homeDirectory();
  return [
    awsEnv("AWS_CONFIG_FILE") ?? (home === undefined ? undefined : `${home}/.aws/config`),
    awsEnv("AWS_SHARED_CREDENTIALS_FILE") ??
      (home === undefined ? undefined : `${home}/.aws/credentials`),
  ].filter((f): f is string => f !== undefined);
}

/**
 * Whether a regular file exists; unreadable counts as absent.
 *
 * @param path The path (relative to the working directory when not absolute).
 * @returns Whether it is there.
 *
 * @example
 * ```ts
 * import { fileExists } from "./_env.ts";
 * import assert from "node:assert/strict";
 * assert.equal(fileExists("deno.json"), true);
 * assert.equal(fileExists("no/such/file"), false);
 * ```
 */
export function fileExists(path: string): boolean {
  try {
    return statSync(path.startsWith("/") ? path : `${cwd()}/${path}`)?.isFile === true;
  } catch {
    return false;
  }
}
