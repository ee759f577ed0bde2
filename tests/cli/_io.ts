/** Test helpers for the CLI: a fake {@linkcode CliIo} and temp files. */

import type { CliIo } from "../../src/cli/cli.ts";
import { parseArgs } from "node:util";
import { runCli } from "../../src/cli/cli.ts";

/** What a CLI run produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@linkcode run}. */
export type FakeIoOptions = Partial<Omit<CliIo, "stdout" | "stderr">>;

/**
 * Runs the CLI in-process with captured output.
 *
 * @param argv Arguments.
 * @param options Overrides of the fake io (non-TTY, no NO_COLOR, real files by default).
 * @returns Exit code and output.
 */
export async function run(argv: string[], options: FakeIoOptions = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    isTty: false,
    noColor: false,
    readFile: (p) => Deno.readTextFileSync(p),
    writeFile: (p, t) => Deno.writeTextFileSync(p, t),
    cwd: ".",
    env: () => undefined,
    argParser: () => Promise.resolve(parseArgs),
    ...options,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/**
 * Writes files into a new temp directory.
 *
 * @param files Relative name → content.
 * @returns The directory, a function giving absolute paths; `await using` removes it.
 */
export async function tempFiles(
  files: Record<string, string>,
): Promise<{ dir: string; path: (name: string) => string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "holoconf_cli_" });
  for (const [name, content] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, content);
  }
  return {
    dir,
    path: (name) => `${dir}/${name}`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}
