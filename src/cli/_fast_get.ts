// The common `holoconf get <files...> <path> [-r] [--no-redact] [-f F] [-d V] [-s S]` form, read
// without the general argument parser so that loading `node:util` (≈ 6 ms of start-up under Deno)
// stays off the path of a plain `get`. Anything else (help, unknown or repeated flags, other
// commands) returns `undefined` and goes through `parseCliArgs`, which also produces the usage
// errors.

import type { GetCommand } from "./_args.ts";

const VALUE_FLAGS: Record<string, "format" | "default" | "schema"> = {
  "-f": "format",
  "--format": "format",
  "-d": "default",
  "--default": "default",
  "-s": "schema",
  "--schema": "schema",
};

/** Boolean flags: the field each sets, and the value it sets it to. */
const BOOLEAN_FLAGS: Record<
  string,
  ["resolve" | "redact" | "trace" | "ignoreMissing" | "allowHttp", boolean]
> = {
  "-r": ["resolve", true],
  "--resolve": ["resolve", true],
  "--no-redact": ["redact", false],
  "--trace": ["trace", true],
  "--ignore-missing": ["ignoreMissing", true],
  "--allow-http": ["allowHttp", true],
};

/**
 * Reads a simple `get` command line.
 *
 * @param argv Arguments after the program name.
 * @returns The command, or `undefined` when the general parser must handle it.
 */
export function parseSimpleGet(argv: readonly string[]): GetCommand | undefined {
  if (argv[0] !== "get") return undefined;
  const cmd: GetCommand = {
    command: "get",
    files: [],
    path: "",
    resolve: false,
    format: "text",
    default: undefined,
    redact: true,
    schema: undefined,
    trace: false,
    ignoreMissing: false,
    allowHttp: false,
    httpAllowlist: [],
    timeout: undefined,
    maxConcurrency: undefined,
    set: [],
    envFiles: [],
    envPrefix: undefined,
    envSeparator: undefined,
    allowNew: false,
    offline: false,
  };
  const seen = new Set<string>();
  const positionals: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return undefined;
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const flag = BOOLEAN_FLAGS[name];
    const key = VALUE_FLAGS[name] ?? flag?.[0];
    if (key === undefined || seen.has(key)) return undefined;
    seen.add(key);
    if (flag !== undefined) {
      if (eq > 0) return undefined;
      cmd[flag[0]] = flag[1];
      continue;
    }
    const value = eq > 0 && name !== arg ? arg.slice(eq + 1) : argv[++i];
    // A value that looks like an option is left to the general parser (which refuses it).
    if (value === undefined || (value.startsWith("-") && !(eq > 0 && name !== arg))) {
      return undefined;
    }
    const field = VALUE_FLAGS[name]!;
    if (field === "format") {
      if (value !== "text" && value !== "json" && value !== "yaml") return undefined;
      cmd.format = value;
    } else cmd[field] = value;
  }
  if (positionals.length < 2) return undefined;
  cmd.path = positionals.pop()!;
  cmd.files = positionals;
  return cmd;
}
