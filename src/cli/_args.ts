/**
 * Command-line parsing for `holoconf` (SPEC §12), on top of `node:util` `parseArgs`, which the
 * CLI's entry (`main.ts`, the only CLI file that touches the runtime) loads on first use and
 * hands over: this module imports nothing of the runtime.
 *
 * Import cost, measured with Deno 2.9.6 (median of 7 `deno run`s): an empty script ≈ 19 ms,
 * the same script importing `parseArgs` from `node:util` ≈ 24 ms, so ≈ 5 ms. (By contrast
 * `node:fs` + `node:process` add ≈ 24 ms, which is why `main.ts` uses `Deno.*` on Deno.)
 *
 * @module
 */

/** A command line that cannot be understood: exit code 2 with the message and a hint. */
export class UsageError extends Error {
  /** Command whose help the hint points at, if known. */
  command: string | undefined;

  /**
   * Creates a usage error.
   *
   * @param message What is wrong.
   * @param command Command whose help is relevant.
   */
  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

/** Flags every command accepts. */
export interface CommonFlags {
  /** Skip missing config files instead of failing. */
  ignoreMissing: boolean;
  /** Enable the http/https resolvers. */
  allowHttp: boolean;
  /** URL patterns allowed for http/https (repeatable flag). */
  httpAllowlist: string[];
  /** Resolution deadline in ms (per call, and for the whole batch of `resolveAll`). */
  timeout: number | undefined;
  /** Largest number of resolver calls in flight. */
  maxConcurrency: number | undefined;
  /** `--set path=value` overrides, in order (commands that load a config). */
  set: string[];
  /** `--env-file FILE`: `.env` files, in order (commands that load a config). */
  envFiles: string[];
  /** `--env-prefix P`: variables `P__KEY__...` override values. */
  envPrefix: string | undefined;
  /** `--env-separator S` (default `__`). */
  envSeparator: string | undefined;
  /** `--allow-new`: overrides may add keys. */
  allowNew: boolean;
  /** `--offline`: refuse network resolvers. */
  offline: boolean;
}

/** `holoconf get`. */
export interface GetCommand extends CommonFlags {
  /** Discriminant. */
  command: "get";
  /** Config files, merged in order. */
  files: string[];
  /** Access path. */
  path: string;
  /** Resolve interpolations. */
  resolve: boolean;
  /** Output format. */
  format: "text" | "json" | "yaml";
  /** Printed instead of an error. */
  default: string | undefined;
  /** Redact sensitive values inside a resolved mapping or list (not a scalar asked for itself). */
  redact: boolean;
  /** Schema file to attach. */
  schema: string | undefined;
  /** Print a resolver timing waterfall to stderr. */
  trace: boolean;
}

/** `holoconf dump`. */
export interface DumpCommand extends CommonFlags {
  /** Discriminant. */
  command: "dump";
  /** Config files, merged in order. */
  files: string[];
  /** Resolve interpolations. */
  resolve: boolean;
  /** Redact sensitive values (resolved dumps only). */
  redact: boolean;
  /** Output format. */
  format: "yaml" | "json";
  /** Write to this file instead of stdout. */
  output: string | undefined;
  /** Print where each value comes from instead of the values. */
  sources: boolean;
  /** Schema file to attach. */
  schema: string | undefined;
  /** Print a resolver timing waterfall to stderr. */
  trace: boolean;
}

/** `holoconf check`. */
export interface CheckCommand extends CommonFlags {
  /** Discriminant. */
  command: "check";
  /** Files to check (`-`: standard input). */
  files: string[];
  /** Output format. */
  format: "text" | "json";
}

/** `holoconf validate`. */
export interface ValidateCommand extends CommonFlags {
  /** Discriminant. */
  command: "validate";
  /** Config files, merged in order. */
  files: string[];
  /** Schema file. */
  schema: string;
  /** Resolve before validating. */
  resolve: boolean;
  /** Output format. */
  format: "text" | "json";
  /** Print nothing on success. */
  quiet: boolean;
  /** Print a resolver timing waterfall to stderr. */
  trace: boolean;
}

/** `holoconf schema validate|template|docs|types`. */
export interface SchemaCommand extends CommonFlags {
  /** Discriminant. */
  command: "schema";
  /** Sub-command. */
  action: "validate" | "template" | "docs" | "types";
  /** Schema file. */
  file: string;
  /** `docs` format as typed (checked by the command: upstream exits 1 on a bad one). */
  format: string;
  /** `template -o`: write to this file. */
  output: string | undefined;
  /** `types --name`: the config's type name. */
  name: string | undefined;
  /** `types --check`: compare with the `-o` file instead of writing it. */
  check: boolean;
}

/** `holoconf plan`. */
export interface PlanCommand extends CommonFlags {
  /** Discriminant. */
  command: "plan";
  /** Config files, merged in order. */
  files: string[];
  /** Output format. */
  format: "text" | "json";
}

/** `--help`, `help [command]`, `<command> --help`. */
export interface HelpCommand {
  /** Discriminant. */
  command: "help";
  /** Command to describe, or undefined for the overview. */
  topic: string | undefined;
}

/** `--version`. */
export interface VersionCommand {
  /** Discriminant. */
  command: "version";
}

/** Any parsed command line. */
export type ParsedCommand =
  | GetCommand
  | DumpCommand
  | CheckCommand
  | ValidateCommand
  | SchemaCommand
  | PlanCommand
  | HelpCommand
  | VersionCommand;

/** Names of the commands, in help order. */
export const COMMANDS: readonly string[] = ["get", "dump", "check", "validate", "schema", "plan"];

type OptionSpec = {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
};

/** What the CLI uses of `node:util`'s `parseArgs` (strict, with positionals). */
export type ParseArgs = (config: {
  args: string[];
  options: Record<string, OptionSpec>;
  strict: true;
  allowPositionals: true;
}) => { values: object; positionals: string[] };

const COMMON_OPTIONS: Record<string, OptionSpec> = {
  "help": { type: "boolean", short: "h" },
  "ignore-missing": { type: "boolean" },
  "allow-http": { type: "boolean" },
  "http-allowlist": { type: "string", multiple: true },
  "timeout": { type: "string" },
  "max-concurrency": { type: "string" },
};

/** Options of the commands that load a config (get, dump, validate, plan): overrides. */
const LOAD_OPTIONS: Record<string, OptionSpec> = {
  set: { type: "string", multiple: true },
  "env-file": { type: "string", multiple: true },
  "env-prefix": { type: "string" },
  "env-separator": { type: "string" },
  "allow-new": { type: "boolean" },
  offline: { type: "boolean" },
};

const COMMAND_OPTIONS: Record<string, Record<string, OptionSpec>> = {
  get: {
    ...LOAD_OPTIONS,
    resolve: { type: "boolean", short: "r" },
    "no-redact": { type: "boolean" },
    format: { type: "string", short: "f" },
    default: { type: "string", short: "d" },
    schema: { type: "string", short: "s" },
    trace: { type: "boolean" },
  },
  dump: {
    ...LOAD_OPTIONS,
    resolve: { type: "boolean", short: "r" },
    "no-redact": { type: "boolean" },
    format: { type: "string", short: "f" },
    output: { type: "string", short: "o" },
    sources: { type: "boolean" },
    schema: { type: "string", short: "s" },
    trace: { type: "boolean" },
  },
  check: {
    format: { type: "string", short: "f" },
  },
  validate: {
    ...LOAD_OPTIONS,
    schema: { type: "string", short: "s" },
    resolve: { type: "boolean", short: "r" },
    format: { type: "string", short: "f" },
    quiet: { type: "boolean", short: "q" },
    trace: { type: "boolean" },
  },
  schema: {
    format: { type: "string", short: "f" },
    output: { type: "string", short: "o" },
    name: { type: "string" },
    check: { type: "boolean" },
  },
  plan: {
    ...LOAD_OPTIONS,
    format: { type: "string", short: "f" },
  },
};

type Values = Record<string, string | boolean | string[] | undefined>;

function choice<T extends string>(
  values: Values,
  allowed: readonly T[],
  fallback: T,
  command: string,
): T {
  const v = values["format"];
  if (v === undefined) return fallback;
  if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
  throw new UsageError(
    `Invalid value for --format: '${String(v)}' (expected ${allowed.join(", ")})`,
    command,
  );
}

function positiveNumber(
  values: Values,
  name: string,
  command: string,
  integer: boolean,
): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (
    typeof v !== "string" || v.trim() === "" || !Number.isFinite(n) || n <= 0 ||
    (integer && !Number.isInteger(n))
  ) {
    throw new UsageError(
      `Invalid value for --${name}: '${String(v)}' (expected a positive ${
        integer ? "integer" : "number"
      })`,
      command,
    );
  }
  return n;
}

function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

function bool(values: Values, name: string): boolean {
  return values[name] === true;
}

function list(values: Values, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : [];
}

function common(values: Values, command: string): CommonFlags {
  return {
    ignoreMissing: bool(values, "ignore-missing"),
    allowHttp: bool(values, "allow-http"),
    httpAllowlist: list(values, "http-allowlist"),
    timeout: positiveNumber(values, "timeout", command, false),
    maxConcurrency: positiveNumber(values, "max-concurrency", command, true),
    set: list(values, "set"),
    envFiles: list(values, "env-file"),
    envPrefix: str(values, "env-prefix"),
    envSeparator: str(values, "env-separator"),
    allowNew: bool(values, "allow-new"),
    offline: bool(values, "offline"),
  };
}

/**
 * Parses `holoconf` arguments (without the program name).
 *
 * @param argv Arguments, e.g. `["get", "app.yaml", "db.host", "-r"]`.
 * @param parseArgs `node:util`'s `parseArgs` (handed over by the CLI's entry).
 * @returns The command and its flags.
 * @throws {UsageError} Unknown command or option, missing argument, bad flag value.
 *
 * @example Parse a get command
 * ```ts
 * import { parseCliArgs } from "./_args.ts";
 * import assert from "node:assert/strict";
 * import { parseArgs } from "node:util";
 * const cmd = parseCliArgs(["get", "a.yaml", "b.yaml", "db.port", "-r", "-f", "json"], parseArgs);
 * assert.equal(cmd.command, "get");
 * if (cmd.command === "get") {
 *   assert.deepEqual(cmd.files, ["a.yaml", "b.yaml"]);
 *   assert.equal(cmd.path, "db.port");
 *   assert.equal(cmd.format, "json");
 * }
 * ```
 */
export function parseCliArgs(argv: readonly string[], parseArgs: ParseArgs): ParsedCommand {
  const first = argv[0];
  if (first === undefined) throw new UsageError("No command given");
  if (first === "--version" || first === "-V") return { command: "version" };
  if (first === "--help" || first === "-h") return { command: "help", topic: undefined };
  if (first === "help") {
    const topic = argv[1];
    if (topic !== undefined && !COMMANDS.includes(topic)) {
      throw new UsageError(`Unknown command: ${topic}`);
    }
    return { command: "help", topic };
  }
  if (first.startsWith("-")) throw new UsageError(`Unknown option: ${first}`);
  const options = COMMAND_OPTIONS[first];
  if (options === undefined) throw new UsageError(`Unknown command: ${first}`);
  const command = first;

  let values: Values;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: argv.slice(1) as string[],
      options: { ...COMMON_OPTIONS, ...options },
      strict: true,
      allowPositionals: true,
    });
    values = parsed.values as Values;
    positionals = parsed.positionals;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), command);
  }
  if (bool(values, "help")) return { command: "help", topic: command };

  switch (command) {
    case "get": {
      if (positionals.length < 2) {
        throw new UsageError("get needs at least one file and a path", command);
      }
      return {
        command,
        ...common(values, command),
        files: positionals.slice(0, -1),
        path: positionals[positionals.length - 1] as string,
        resolve: bool(values, "resolve"),
        format: choice(values, ["text", "json", "yaml"], "text", command),
        default: str(values, "default"),
        redact: !bool(values, "no-redact"),
        schema: str(values, "schema"),
        trace: bool(values, "trace"),
      };
    }
    case "dump":
      if (positionals.length < 1) throw new UsageError("dump needs at least one file", command);
      return {
        command,
        ...common(values, command),
        files: positionals,
        resolve: bool(values, "resolve"),
        redact: !bool(values, "no-redact"),
        format: choice(values, ["yaml", "json"], "yaml", command),
        output: str(values, "output"),
        sources: bool(values, "sources"),
        schema: str(values, "schema"),
        trace: bool(values, "trace"),
      };
    case "check":
      if (positionals.length < 1) throw new UsageError("check needs at least one file", command);
      return {
        command,
        ...common(values, command),
        files: positionals,
        format: choice(values, ["text", "json"], "text", command),
      };
    case "validate": {
      if (positionals.length < 1) {
        throw new UsageError("validate needs at least one file", command);
      }
      const schema = str(values, "schema");
      if (schema === undefined) throw new UsageError("validate needs --schema <file>", command);
      return {
        command,
        ...common(values, command),
        files: positionals,
        schema,
        resolve: bool(values, "resolve"),
        format: choice(values, ["text", "json"], "text", command),
        quiet: bool(values, "quiet"),
        trace: bool(values, "trace"),
      };
    }
    case "schema": {
      const [action, file, ...rest] = positionals;
      if (
        action !== "validate" && action !== "template" && action !== "docs" && action !== "types"
      ) {
        throw new UsageError(
          action === undefined
            ? "schema needs a sub-command: validate, template, docs or types"
            : `Unknown schema sub-command: ${action}`,
          command,
        );
      }
      if (file === undefined || rest.length > 0) {
        throw new UsageError(`schema ${action} needs exactly one schema file`, command);
      }
      const check = bool(values, "check");
      if (action !== "types" && (check || str(values, "name") !== undefined)) {
        throw new UsageError("--name and --check are options of schema types", command);
      }
      if (check && str(values, "output") === undefined) {
        throw new UsageError("schema types --check needs -o <FILE> (the file to check)", command);
      }
      return {
        command,
        ...common(values, command),
        action,
        file,
        format: str(values, "format") ?? "yaml",
        output: str(values, "output"),
        name: str(values, "name"),
        check,
      };
    }
    default:
      if (positionals.length < 1) throw new UsageError("plan needs at least one file", command);
      return {
        command: "plan",
        ...common(values, command),
        files: positionals,
        format: choice(values, ["text", "json"], "text", command),
      };
  }
}

const COMMON_HELP = `
Options for every command:
      --ignore-missing         Skip config files that do not exist
      --allow-http             Enable the http and https resolvers
      --http-allowlist <P>     Allowed URL pattern for http/https (repeatable)
      --timeout <MS>           Resolution deadline in milliseconds
      --max-concurrency <N>    Most resolver calls in flight at once
  -h, --help                   Show help`;

const LOAD_HELP = `
Overrides (lowest first: files < --env-file variables < environment < --set):
      --set <PATH=VALUE>       Set a value (repeatable; the value is read as YAML, e.g.
                               --set db.port=5433 --set 'servers[0].host=a'); literal text
      --env-file <FILE>        Read a .env file: its variables feed \${env:...} (repeatable)
      --env-prefix <P>         Variables P__KEY__... override values (P__DB__PORT: db.port)
      --env-separator <S>      Between the prefix and each key (default: __)
      --allow-new              Let overrides add keys the files do not have
      --offline                Refuse network resolvers (also HOLOCONF_OFFLINE=1)`;

const HELP: Record<string, string> = {
  "": `holoconf: hierarchical configuration with lazy, parallel resolution

Usage: holoconf <command> [options]

Commands:
  get <files...> <path>     Print one value
  dump <files...>           Print the whole (merged) configuration
  check <files...>          Check that files are valid YAML or JSON
  validate <files...>       Validate a configuration against a JSON Schema
  schema <action> <schema>  validate | template | docs | types for a schema file
  plan <files...>           List remote lookups, requests and IAM actions, without calling them

Options:
  -h, --help       Show help (also: holoconf <command> --help)
  -V, --version    Show the version

A file named - is read from standard input (once): cat app.yaml | holoconf get - db.host

Exit codes: 0 ok; 1 not found, invalid or resolution failure; 2 unreadable file or usage error.`,
  get: `Usage: holoconf get <files...> <path> [options]

Print the value at <path> (e.g. database.host, servers[0].url) of the merged files. A mapping
or list is printed with its sensitive values redacted (raw: the sensitive overrides, such as
--env-prefix variables); a sensitive value asked for by its own path is printed.

Options:
  -r, --resolve            Resolve interpolations (default: print the raw value)
      --no-redact          Show sensitive values inside a mapping or list
  -f, --format <F>         text (default), json or yaml
  -d, --default <V>        Print V instead of failing (exit 0)
  -s, --schema <S>         Attach a schema (defaults and coercion)
      --trace              Print a timing waterfall of resolver calls to stderr`,
  dump: `Usage: holoconf dump <files...> [options]

Print the merged configuration (raw by default).

Options:
  -r, --resolve            Resolve interpolations (sensitive values redacted)
      --no-redact          Show sensitive values (raw: the sensitive overrides)
  -f, --format <F>         yaml (default) or json
  -o, --output <FILE>      Write to FILE instead of stdout
      --sources            Print where each value comes from (file:line:column)
  -s, --schema <S>         Attach a schema (defaults and coercion)
      --trace              Print a timing waterfall of resolver calls to stderr`,
  check: `Usage: holoconf check <files...> [options]

Check the syntax of each file (.json files as JSON, others as YAML). Nothing is resolved.

Options:
  -f, --format <F>         text (default) or json (one result per file, on stdout)`,
  validate: `Usage: holoconf validate <files...> --schema <S> [options]

Validate the merged configuration against a JSON Schema.

Options:
  -s, --schema <S>         Schema file (required)
  -r, --resolve            Resolve first (default: structural check, \${...} matches any type)
  -f, --format <F>         text (default) or json
  -q, --quiet              Print nothing on success
      --trace              Print a timing waterfall of resolver calls to stderr`,
  schema: `Usage: holoconf schema <validate|template|docs|types> <schema> [options]

  validate <schema>        Check that the file is a valid JSON Schema
  template <schema>        Print a commented YAML skeleton (-o FILE to write it)
  docs <schema>            Print the schema: -f yaml (default), json or markdown
  types <schema>           Print TypeScript declarations of the resolved config (-o FILE)

Options:
  -f, --format <F>         docs format: yaml, json or markdown
  -o, --output <FILE>      template, types: write to FILE
      --name <TYPE>        types: name of the config's type (default: Config)
      --check              types: exit 1 when FILE (-o) is not what would be written`,
  plan: `Usage: holoconf plan <files...> [options]

List the remote references (ssm, s3, cfn, secretsmanager, appconfig, http, https), the
requests resolving them would make, and the IAM actions needed. Nothing is called. Exit 1 when
it lists invalid references.

Options:
  -f, --format <F>         text (default) or json`,
};

/**
 * Help text for the overview or one command.
 *
 * @param topic Command name, or undefined for the overview.
 * @returns The help text (no trailing newline).
 *
 * @example Show help for get
 * ```ts
 * import { helpText } from "./_args.ts";
 * import assert from "node:assert/strict";
 * assert.match(helpText("get"), /--default/);
 * ```
 */
export function helpText(topic: string | undefined): string {
  const body = HELP[topic ?? ""] ?? HELP[""] as string;
  if (topic === undefined) return body;
  const load = COMMAND_OPTIONS[topic]?.["set"] === undefined ? "" : "\n" + LOAD_HELP;
  return body + load + "\n" + COMMON_HELP;
}
