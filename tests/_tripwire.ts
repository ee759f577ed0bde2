// Shared set-up of the tests that prove a module graph loads no AWS SDK module: a temporary
// import map in which chosen specifiers point at tripwire modules, and a child Deno process that
// runs a probe script under it and prints one JSON report.

import assert from "node:assert/strict";

/** The repository root (where deno.json is). */
export const ROOT: URL = new URL("../", import.meta.url);

/** The AWS SDK packages the resolvers load (each as `@aws-sdk/<name>`). */
export const AWS_SDK_PACKAGES: readonly string[] = [
  "client-ssm",
  "client-s3",
  "client-cloudformation",
  "client-secrets-manager",
  "client-appconfigdata",
];

/**
 * Tripwires that make every AWS SDK package the resolvers may load (the clients and
 * `@aws-sdk/credential-providers`) fail to import, as a package that is not installed does. Each,
 * if it is ever evaluated, appends its name to `globalThis.__awsSdkLoads`, prints
 * `TRIPWIRE @aws-sdk/<name>` on standard error, and throws.
 *
 * @returns The tripwires, for {@linkcode writeTripwireImportMap}.
 */
export function missingSdkTripwires(): Tripwire[] {
  return [...AWS_SDK_PACKAGES, "credential-providers"].map((pkg) => ({
    specifier: `@aws-sdk/${pkg}`,
    file: `tripwire_${pkg}.js`,
    source: () =>
      `globalThis.__awsSdkLoads = [...(globalThis.__awsSdkLoads ?? []), ${
        JSON.stringify(pkg)
      }];\n` +
      `console.error("TRIPWIRE @aws-sdk/${pkg}");\n` +
      `throw new Error("tripwire: @aws-sdk/${pkg} is not installed");\n`,
  }));
}

/** A module that replaces one import-map entry. */
export interface Tripwire {
  /** The bare specifier to replace (must be in the project's import map). */
  specifier: string;
  /** File name of the tripwire module in the temporary directory (may be shared). */
  file: string;
  /** The module's source, given the specifier's real target. */
  source: (real: string) => string;
}

/**
 * Writes `${dir}/deno.json`: the project's import map with each tripwire's specifier pointed at
 * its module, written to `${dir}/${file}`.
 *
 * @param dir Temporary directory.
 * @param tripwires The replacements.
 */
export async function writeTripwireImportMap(dir: string, tripwires: Tripwire[]): Promise<void> {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const imports: Record<string, string> = { ...denoJson.imports };
  for (const { specifier, file, source } of tripwires) {
    const real = imports[specifier];
    assert.ok(real, `deno.json maps ${specifier}`);
    await Deno.writeTextFile(`${dir}/${file}`, source(real));
    imports[specifier] = new URL(`file://${dir}/${file}`).href;
  }
  await Deno.writeTextFile(`${dir}/deno.json`, JSON.stringify({ imports }));
}

/** Options of {@linkcode runProbe}. */
export interface ProbeOptions {
  /** Permission flags of the child (e.g. `["-A"]`). */
  permissions: string[];
  /** Arguments after the script (`Deno.args` of the probe). */
  args?: string[];
  /** Extra environment of the child. */
  env?: Record<string, string>;
}

/**
 * Writes `probe` to `${dir}/probe.ts`, runs it in a child Deno process under the import map of
 * `${dir}/deno.json` (no type check, no lock file), asserts it exits 0 and returns the JSON it
 * printed.
 *
 * @param dir Temporary directory holding the import map.
 * @param probe Source of the probe script.
 * @param options Permissions, arguments and environment of the child.
 * @returns The parsed report.
 */
export async function runProbe(
  dir: string,
  probe: string,
  options: ProbeOptions,
): Promise<Record<string, unknown>> {
  await Deno.writeTextFile(`${dir}/probe.ts`, probe);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-check",
      "--no-lock",
      ...options.permissions,
      "--config",
      `${dir}/deno.json`,
      `${dir}/probe.ts`,
      ...(options.args ?? []),
    ],
    ...(options.env === undefined ? {} : { env: options.env }),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim());
}
