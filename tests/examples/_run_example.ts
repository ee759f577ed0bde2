// Runs an example script of examples/ in a child Deno, as its module doc says to run it.

const ROOT = new URL("../../", import.meta.url).pathname;

/** What a run printed and how it exited. */
export interface ExampleRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `examples/<file>` with `--allow-env --allow-read=examples` and extra variables.
 *
 * @param file The example's file name.
 * @param env Variables added to the environment.
 * @returns Exit code and output.
 */
export async function runExample(file: string, env: Record<string, string>): Promise<ExampleRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-env", "--allow-read=examples", `examples/${file}`],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}
