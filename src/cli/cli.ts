/**
 * The `holoconf` command line (SPEC §12), runnable in-process: {@linkcode runCli} takes the
 * arguments and an {@linkcode CliIo} and returns the exit code. Only `main.ts` touches the
 * real process. Uses the package's main entry like any program: the built-in resolvers a config
 * calls load when it first calls them, so `get -r` on a config of `${env:...}` and references
 * never loads the http, archive or AWS code.
 *
 * @module
 */

import {
  Config,
  configure,
  getResolver,
  getSchedulerSettings,
  HoloconfError,
  isOfflineFlag,
  type LoadOptions,
  parseTemplate,
  type PathSpec,
  readConfigText,
  type Resolver,
  resolverNames,
  Schema,
  ValidationError,
  type ValidationIssue,
} from "../../mod.ts";
import type {
  CheckCommand,
  CommonFlags,
  DumpCommand,
  GetCommand,
  ParseArgs,
  ParsedCommand,
  PlanCommand,
  SchemaCommand,
  ValidateCommand,
} from "./_args.ts";
import { parseSimpleGet } from "./_fast_get.ts";

// Modules only some commands need, imported on first use (Deno prepares them at start-up only
// without deno.json's `lazy-dynamic-imports` setting).
const argsModule = (): Promise<typeof import("./_args.ts")> => import("./_args.ts");
const planModule = (): Promise<typeof import("./plan.ts")> => import("./plan.ts");
import { VERSION } from "./_version.ts";
import { formatValue, makeStyle, type Style, toJsonText, toYamlText } from "./format.ts";
import {
  formatWaterfall,
  printableKey,
  type ProgressClock,
  type ResolverTraceEvent,
  startProgress,
} from "./trace.ts";

/** Everything the CLI needs from its environment (a fake one in tests). */
export interface CliIo {
  /** Writes data to standard output. */
  stdout(text: string): void;
  /** Writes diagnostics to standard error. */
  stderr(text: string): void;
  /** Standard output is a terminal (colours on stdout). */
  isTty: boolean;
  /** Standard error is a terminal (colours on stderr, progress line). @default {isTty} */
  stderrIsTty?: boolean;
  /** `NO_COLOR` is set to a non-empty value. */
  noColor: boolean;
  /** Reads a text file; throws (an error named `NotFound` or with code `ENOENT` if missing). */
  readFile(path: string): string;
  /** Reads all of standard input (`-` as a config file); absent where there is none. */
  readStdin?: () => Promise<string>;
  /** Writes a text file. */
  writeFile(path: string, text: string): void;
  /** Directory relative paths are resolved against; `""` or `"."` leaves them as typed. */
  cwd: string;
  /** Reads an environment variable (`TERM=dumb` disables colours). */
  env(name: string): string | undefined;
  /** Timers for the progress line. @default {SYSTEM_CLOCK} */
  clock?: ProgressClock;
  /**
   * Loads the general argument parser, `node:util`'s `parseArgs` (the entry loads it on first
   * use: the simple `get` form never needs it).
   */
  argParser(): Promise<ParseArgs>;
}

interface Context {
  io: CliIo;
  out: Style;
  err: Style;
  /** Colours on stdout / stderr. */
  outColor: boolean;
  errColor: boolean;
  events: ResolverTraceEvent[];
  describeKey?: (event: ResolverTraceEvent) => string;
}

/**
 * With `--trace`, before anything resolves, decides from the raw config how the trace shows
 * keys: a key written literally in the config is shown; a key computed from other values
 * (`${ssm:/${env:ENV}/db}`, the text `json` parses) is itself a resolved value and is shown as
 * `‹computed›`. Sensitive keys are already `[REDACTED]`.
 */
async function prepareTrace(ctx: Context, config: Config, trace: boolean): Promise<void> {
  if (!trace) return;
  const raw = await config.toObject({ resolve: false });
  const { literalCalls } = await planModule();
  const literal = literalCalls(raw, { parseTemplate });
  ctx.describeKey = (e) =>
    literal.has(`${e.path}\0${e.resolver}\0${e.key}`) ? printableKey(e.key) : "‹computed›";
}

/**
 * Help written for callers of the library, replaced for users of the command line (or dropped
 * where there is nothing to do from the shell).
 */
const CLI_HELP: Readonly<Record<string, string | undefined>> = {
  RESOLVE_ALL_FAILED: undefined,
  RESOLVER_TIMEOUT: "Raise the limit with --timeout MS",
};

function messageOf(error: unknown): string {
  if (
    error instanceof HoloconfError && error.help !== undefined &&
    Object.hasOwn(CLI_HELP, error.code)
  ) {
    error.help = CLI_HELP[error.code];
    error.refresh();
  }
  return error instanceof Error ? error.message : String(error);
}

function absPath(cwd: string, path: string): string {
  if (cwd === "" || cwd === "." || path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) {
    return path;
  }
  return `${cwd.replace(/[\\/]+$/, "")}/${path}`;
}

function line(text: string): string {
  return text.endsWith("\n") ? text : text + "\n";
}

/** `-` as a config file: standard input. */
const STDIN = "-";
/** How standard input is named in messages and source locations. */
const STDIN_NAME = "<stdin>";

function printError(ctx: Context, message: string): void {
  ctx.io.stderr(`${ctx.err.red("Error:")} ${line(message)}`);
}

function loadOptions(ctx: Context, flags: CommonFlags): LoadOptions {
  const options: LoadOptions = {
    allowHttp: flags.allowHttp,
    onTrace: (event: ResolverTraceEvent) => {
      ctx.events.push(event);
    },
  };
  if (flags.httpAllowlist.length > 0) options.httpAllowlist = flags.httpAllowlist;
  if (flags.set.length > 0) options.overrides = flags.set;
  if (flags.envFiles.length > 0) {
    options.envFiles = flags.envFiles.map((f) => absPath(ctx.io.cwd, f));
  }
  if (flags.envPrefix !== undefined) options.envPrefix = flags.envPrefix;
  if (flags.envSeparator !== undefined) options.envSeparator = flags.envSeparator;
  if (flags.allowNew) options.allowNew = true;
  // HOLOCONF_OFFLINE as the CLI's environment says (the Config also reads the process's).
  if (flags.offline || isOfflineFlag(ctx.io.env("HOLOCONF_OFFLINE"))) options.offline = true;
  return options;
}

/** All of standard input, for `-`; throws when there is none (or it is too large). */
async function readStdin(ctx: Context): Promise<string> {
  if (ctx.io.readStdin === undefined) throw new Error("Standard input is not available");
  return await ctx.io.readStdin();
}

/**
 * Loads the config (and attaches the schema); undefined after printing the error (exit 2).
 * The files load together, with the overrides over them all; `-` is read from standard input
 * and merged in its place, its relative `${file:}` paths resolved against the working
 * directory (a file root then).
 */
async function loadConfig(
  ctx: Context,
  cmd: CommonFlags & { files: string[] },
  schemaPath: string | undefined,
): Promise<Config | undefined> {
  if (cmd.files.filter((f) => f === STDIN).length > 1) {
    printError(ctx, "Standard input ('-') can be read only once");
    return undefined;
  }
  const options = loadOptions(ctx, cmd);
  let config: Config;
  try {
    const specs: PathSpec[] = [];
    for (const f of cmd.files) {
      specs.push(
        f === STDIN
          ? { path: STDIN_NAME, text: await readStdin(ctx) }
          : { path: absPath(ctx.io.cwd, f), optional: cmd.ignoreMissing },
      );
    }
    if (cmd.files.includes(STDIN)) options.basePath = ctx.io.cwd;
    config = Config.load(specs, options);
    await config.ready(); // the .env files, parsed
  } catch (error) {
    printError(ctx, messageOf(error));
    return undefined;
  }
  const loaded = config.files.length > 0 || cmd.files.includes(STDIN);
  if (cmd.ignoreMissing && !loaded) {
    printError(ctx, "No configuration files could be loaded (all files missing)");
    return undefined;
  }
  if (schemaPath !== undefined) {
    const schema = loadSchema(ctx, schemaPath);
    if (schema === undefined) return undefined;
    config.setSchema(schema);
  }
  return config;
}

function loadSchema(ctx: Context, path: string): Schema | undefined {
  try {
    return Schema.load(absPath(ctx.io.cwd, path));
  } catch (error) {
    printError(ctx, messageOf(error));
    return undefined;
  }
}

/** Runs `work` with the TTY progress line shown if it lasts more than a second. */
async function withProgress<T>(ctx: Context, work: () => Promise<T>): Promise<T> {
  if (!(ctx.io.stderrIsTty ?? ctx.io.isTty)) return await work();
  const progress = startProgress({
    write: (text) => ctx.io.stderr(text),
    settled: () => ctx.events.length,
    ...(ctx.io.clock ? { clock: ctx.io.clock } : {}),
  });
  try {
    return await work();
  } finally {
    progress.stop();
  }
}

function resolveAllOptions(flags: CommonFlags): { timeout?: number; maxConcurrency?: number } {
  const options: { timeout?: number; maxConcurrency?: number } = {};
  if (flags.timeout !== undefined) options.timeout = flags.timeout;
  if (flags.maxConcurrency !== undefined) options.maxConcurrency = flags.maxConcurrency;
  return options;
}

async function runGet(ctx: Context, cmd: GetCommand): Promise<number> {
  const config = await loadConfig(ctx, cmd, cmd.schema);
  if (config === undefined) return 2;
  let value: unknown;
  try {
    if (cmd.resolve) await prepareTrace(ctx, config, cmd.trace);
    value = cmd.resolve
      ? await withProgress(ctx, () => config.get(cmd.path))
      : config.getRaw(cmd.path);
    // A mapping or list is redacted like `dump` (raw: its sensitive overrides); a scalar asked
    // for by path is printed (that is what scripts read a secret with). The second get reads
    // the memo.
    const container = typeof value === "object" && value !== null &&
      !(value instanceof Uint8Array);
    if (cmd.redact && container) {
      value = cmd.resolve
        ? await config.get(cmd.path, { redact: true })
        : config.getRaw(cmd.path, { redact: true });
    }
  } catch (error) {
    if (cmd.default !== undefined) {
      ctx.io.stdout(line(cmd.default));
      return 0;
    }
    if (
      error instanceof HoloconfError && error.code === "PATH_NOT_FOUND" &&
      (error.path === undefined || error.path === cmd.path)
    ) {
      printError(ctx, `Path '${cmd.path}' not found`);
    } else {
      printError(ctx, messageOf(error));
    }
    return 1;
  }
  ctx.io.stdout(line(formatValue(value, cmd.format)));
  return 0;
}

async function runDump(ctx: Context, cmd: DumpCommand): Promise<number> {
  const config = await loadConfig(ctx, cmd, cmd.schema);
  if (config === undefined) return 2;
  let text: string;
  if (cmd.sources) {
    const sources = config.dumpSources();
    const entries = Object.keys(sources).sort().map((path) => {
      const s = sources[path]!;
      // An override has no position: its origin alone (`env APP__DB__PORT`, `--set db.port`).
      return [path, s.line === 0 ? s.file : `${s.file}:${s.line}:${s.column}`] as const;
    });
    text = cmd.format === "json"
      ? toJsonText(Object.fromEntries(entries))
      : entries.map(([p, s]) => `${p}: ${s}`).join("\n");
  } else {
    try {
      if (cmd.resolve) {
        await prepareTrace(ctx, config, cmd.trace);
        await withProgress(ctx, () => config.resolveAll(resolveAllOptions(cmd)));
      }
      // Raw, `redact` replaces the sensitive overrides (the environment's values...).
      const options = { resolve: cmd.resolve, redact: cmd.redact };
      text = cmd.format === "json" ? await config.toJson(options) : await config.toYaml(options);
    } catch (error) {
      printError(ctx, messageOf(error));
      return 1;
    }
  }
  if (cmd.output !== undefined) return writeOutput(ctx, cmd.output, text, "Wrote to");
  if (text !== "") ctx.io.stdout(line(text));
  return 0;
}

/** One file's result in `check -f json`. */
interface CheckResult {
  file: string;
  valid: boolean;
  format?: "yaml" | "json";
  code?: string;
  message?: string;
  source?: string;
  /** The values marked `???`, to be supplied by a later layer (valid files). */
  mandatory?: { path: string; source?: string }[];
}

/** Checks one file's syntax (`-`: standard input, as YAML): the result, and the text line. */
async function checkFile(
  ctx: Context,
  file: string,
): Promise<{ result: CheckResult; text: string }> {
  const stdin = file === STDIN;
  let input: string;
  try {
    // The loader's reader: regular files only, size-capped (never a FIFO or a device).
    input = stdin ? await readStdin(ctx) : readConfigText(absPath(ctx.io.cwd, file));
  } catch (error) {
    const code = error instanceof HoloconfError ? { code: error.code } : {};
    const message = code.code === "FILE_NOT_FOUND" ? "File not found" : messageOf(error);
    return { result: { file, valid: false, ...code, message }, text: message };
  }
  const name = stdin ? STDIN_NAME : file;
  const format = !stdin && file.toLowerCase().endsWith(".json") ? "json" : "yaml";
  try {
    const config = format === "json"
      ? Config.fromJson(input, { sourceName: name })
      : Config.loads(input, { sourceName: name });
    const mandatory = config.missingMandatory().map(({ path, source }) =>
      source === undefined
        ? { path }
        : { path, source: `${source.file}:${source.line}:${source.column}` }
    );
    const result: CheckResult = { file: name, valid: true, format };
    let text = `valid ${format.toUpperCase()}`;
    if (mandatory.length > 0) {
      result.mandatory = mandatory;
      text += `, ${mandatory.length} mandatory value${mandatory.length === 1 ? "" : "s"} ` +
        "(???) to supply in a later layer:" +
        mandatory.map((m) => `\n  ${m.path}${m.source === undefined ? "" : ` (at ${m.source})`}`)
          .join("");
    }
    return { result, text };
  } catch (error) {
    const result: CheckResult = { file: name, valid: false };
    if (error instanceof HoloconfError) {
      result.code = error.code;
      result.message = error.headline;
      if (error.source !== undefined) result.source = error.source;
    } else {
      result.message = messageOf(error);
    }
    return { result, text: messageOf(error) };
  }
}

async function runCheck(ctx: Context, cmd: CheckCommand): Promise<number> {
  if (cmd.files.filter((f) => f === STDIN).length > 1) {
    printError(ctx, "Standard input ('-') can be read only once");
    return 2;
  }
  const checked: { result: CheckResult; text: string }[] = [];
  for (const file of cmd.files) {
    const r = await checkFile(ctx, file);
    if (r.result.code === "FILE_NOT_FOUND" && cmd.ignoreMissing) continue;
    checked.push(r);
  }
  if (cmd.ignoreMissing && checked.length === 0) {
    printError(ctx, "No configuration files could be loaded (all files missing)");
    return 2;
  }
  const valid = checked.every((r) => r.result.valid);
  if (cmd.format === "json") {
    ctx.io.stdout(line(toJsonText({ valid, files: checked.map((r) => r.result) })));
    return valid ? 0 : 1;
  }
  for (const { result, text } of checked) {
    if (result.valid) ctx.io.stdout(`${ctx.out.green("✓")} ${result.file}: ${text}\n`);
    else ctx.io.stderr(`${ctx.err.red("✗")} ${result.file}: ${line(text)}`);
  }
  return valid ? 0 : 1;
}

async function runValidate(ctx: Context, cmd: ValidateCommand): Promise<number> {
  const config = await loadConfig(ctx, cmd, undefined);
  if (config === undefined) return 2;
  const schema = loadSchema(ctx, cmd.schema);
  if (schema === undefined) return 2;
  try {
    await schema.ready(); // loads the validator and compiles the schema
  } catch (error) {
    printError(ctx, messageOf(error));
    return 2;
  }
  let issues: ValidationIssue[];
  try {
    if (cmd.resolve) {
      await prepareTrace(ctx, config, cmd.trace);
      // Attached, so that references and defaults resolve as `get -r -s` does.
      config.setSchema(schema);
      // Values that cannot be resolved or coerced are issues too, listed with the others.
      issues = await withProgress(
        ctx,
        () => config.validateCollect(schema, resolveAllOptions(cmd)),
      );
    } else {
      config.validateRaw(schema);
      issues = [];
    }
  } catch (error) {
    if (!(error instanceof ValidationError)) {
      printError(ctx, messageOf(error));
      return 1;
    }
    issues = error.issues;
  }
  if (issues.length === 0) {
    if (!cmd.quiet) {
      ctx.io.stdout(
        cmd.format === "json"
          ? line(toJsonText({ valid: true }))
          : `${ctx.out.green("✓")} ${cmd.files.join(", ")} is valid\n`,
      );
    }
    return 0;
  }
  if (cmd.format === "json") {
    ctx.io.stdout(line(toJsonText({ valid: false, errors: issues })));
  } else {
    const lines = [`${ctx.err.red("✗")} Validation failed`, "", "Errors:"];
    // The library's own lines: `<pointer>: <message> (at file:line:col)`.
    for (const text of new ValidationError(issues).detail) {
      lines.push(`  - ${text.replaceAll("\n", "\n    ")}`);
    }
    ctx.io.stderr(lines.join("\n") + "\n");
  }
  return 1;
}

const DOC_FORMATS: Record<string, "yaml" | "json" | "markdown"> = {
  yaml: "yaml",
  yml: "yaml",
  json: "json",
  markdown: "markdown",
  md: "markdown",
};

async function runSchema(ctx: Context, cmd: SchemaCommand): Promise<number> {
  if (cmd.action === "validate") {
    try {
      await Schema.load(absPath(ctx.io.cwd, cmd.file)).ready(); // compiles it
    } catch (error) {
      ctx.io.stderr(`${ctx.err.red("✗")} ${cmd.file}: ${line(messageOf(error))}`);
      return 1;
    }
    ctx.io.stdout(`${ctx.out.green("✓")} ${cmd.file}: valid JSON Schema\n`);
    return 0;
  }
  if (cmd.action === "types") return runSchemaTypes(ctx, cmd);
  const format = cmd.action === "docs" ? DOC_FORMATS[cmd.format.toLowerCase()] : "yaml";
  if (format === undefined) {
    printError(ctx, `Unsupported format: ${cmd.format}. Use yaml, json, or markdown.`);
    return 1;
  }
  const schema = loadSchema(ctx, cmd.file);
  if (schema === undefined) return 2;
  let text: string;
  if (cmd.action === "template") {
    text = schema.toTemplate();
  } else {
    text = format === "markdown"
      ? schema.toMarkdown()
      : format === "json"
      ? toJsonText(schema.toObject())
      : toYamlText(schema.toObject());
  }
  if (cmd.output !== undefined) {
    const what = cmd.action === "template" ? "template" : "docs";
    return writeOutput(ctx, cmd.output, text, `Wrote ${what} to`);
  }
  ctx.io.stdout(line(text));
  return 0;
}

/**
 * `schema types`: the TypeScript declarations, printed, written (`-o`) or compared with the
 * written file (`--check`: exit 1 when it is missing or differs other than in whitespace, so
 * that a formatter may lay it out again).
 */
function runSchemaTypes(ctx: Context, cmd: SchemaCommand): number {
  const schema = loadSchema(ctx, cmd.file);
  if (schema === undefined) return 2;
  const base = cmd.file.slice(Math.max(cmd.file.lastIndexOf("/"), cmd.file.lastIndexOf("\\")) + 1);
  let text: string;
  try {
    text = schema.toTypeScript({
      ...(cmd.name === undefined ? {} : { name: cmd.name }),
      banner: `Generated by holoconf schema types from ${base}. Do not edit.`,
    });
  } catch (error) {
    printError(ctx, messageOf(error)); // a --name that is not usable
    return 2;
  }
  if (cmd.output === undefined) {
    ctx.io.stdout(text);
    return 0;
  }
  if (!cmd.check) return writeOutput(ctx, cmd.output, text, "Wrote types to");
  let written: string | undefined;
  try {
    written = ctx.io.readFile(absPath(ctx.io.cwd, cmd.output));
  } catch {
    written = undefined;
  }
  const squeeze = (t: string) => t.replace(/\s+/g, "");
  if (written !== undefined && squeeze(written) === squeeze(text)) {
    ctx.io.stderr(`${ctx.err.green("✓")} ${cmd.output} is up to date\n`);
    return 0;
  }
  const name = cmd.name === undefined ? "" : ` --name ${cmd.name}`;
  ctx.io.stderr(
    `${ctx.err.red("✗")} ${cmd.output} is ${written === undefined ? "missing" : "stale"}: ` +
      `run holoconf schema types ${cmd.file} -o ${cmd.output}${name}\n`,
  );
  return 1;
}

/** Writes `-o FILE` output: `✓ <done> FILE` on stderr, exit 0; exit 2 when it cannot write. */
function writeOutput(ctx: Context, file: string, text: string, done: string): number {
  try {
    ctx.io.writeFile(absPath(ctx.io.cwd, file), line(text));
  } catch (error) {
    printError(ctx, `Cannot write ${file}: ${messageOf(error)}`);
    return 2;
  }
  ctx.io.stderr(`${ctx.err.green("✓")} ${done} ${file}\n`);
  return 0;
}

async function runPlan(ctx: Context, cmd: PlanCommand): Promise<number> {
  const config = await loadConfig(ctx, cmd, undefined);
  if (config === undefined) return 2;
  const raw = await config.toObject({ resolve: false });
  const { buildPlan, formatPlan } = await planModule();
  // Every registered resolver, loaded: those that fetch describe their own requests.
  const names = resolverNames();
  const loaded = await Promise.all(names.map((name) => getResolver(name)));
  const resolvers = new Map<string, Resolver>();
  names.forEach((name, i) => {
    if (loaded[i] !== undefined) resolvers.set(name, loaded[i]);
  });
  const report = buildPlan(raw, { parseTemplate, resolvers });
  const { plan } = report;
  ctx.io.stdout(
    cmd.format === "json"
      ? line(toJsonText(plan))
      : formatPlan(report, { color: ctx.outColor, allowHttp: cmd.allowHttp }),
  );
  // The plan is printed in full either way; a reference that cannot resolve fails it.
  return plan.invalid.length > 0 ? 1 : 0;
}

async function dispatch(ctx: Context, cmd: ParsedCommand): Promise<number> {
  switch (cmd.command) {
    case "help":
      ctx.io.stdout(line((await argsModule()).helpText(cmd.topic)));
      return 0;
    case "version":
      ctx.io.stdout(`holoconf ${VERSION}\n`);
      return 0;
    case "get":
      return await runGet(ctx, cmd);
    case "dump":
      return await runDump(ctx, cmd);
    case "check":
      return await runCheck(ctx, cmd);
    case "validate":
      return await runValidate(ctx, cmd);
    case "schema":
      return await runSchema(ctx, cmd);
    case "plan":
      return await runPlan(ctx, cmd);
  }
}

/** Parses a command line with the general parser: its module and `parseArgs`, both on first use. */
async function parseGeneral(argv: readonly string[], io: CliIo): Promise<ParsedCommand> {
  const [args, parseArgs] = await Promise.all([argsModule(), io.argParser()]);
  return args.parseCliArgs(argv, parseArgs);
}

/**
 * Runs the `holoconf` command line.
 *
 * @param argv Arguments without the program name, e.g. `["get", "app.yaml", "db.host"]`.
 * @param io Output streams, terminal facts and file access.
 * @returns The exit code: 0 ok; 1 not found, invalid, resolution or check failure; 2 a file
 * that cannot be loaded, or a usage error.
 *
 * @example Print the version
 * ```ts
 * import { runCli } from "./cli.ts";
 * import assert from "node:assert/strict";
 * import { parseArgs } from "node:util";
 * let out = "";
 * const code = await runCli(["--version"], {
 *   stdout: (t) => (out += t), stderr: () => {}, isTty: false, noColor: true,
 *   readFile: () => "", writeFile: () => {}, cwd: ".", env: () => undefined,
 *   argParser: () => Promise.resolve(parseArgs),
 * });
 * assert.equal(code, 0);
 * assert.match(out, /^holoconf \d+\.\d+\.\d+/);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const dumb = io.env("TERM") === "dumb";
  const outColor = io.isTty && !io.noColor && !dumb;
  const errColor = (io.stderrIsTty ?? io.isTty) && !io.noColor && !dumb;
  const ctx: Context = {
    io,
    out: makeStyle(outColor),
    err: makeStyle(errColor),
    outColor,
    errColor,
    events: [],
  };
  let cmd: ParsedCommand;
  try {
    // The general parser (node:util) loads only when the simple `get` form does not apply.
    cmd = parseSimpleGet(argv) ?? await parseGeneral(argv, io);
  } catch (error) {
    if (!(error instanceof Error && error.name === "UsageError")) throw error;
    const usage = error as Error & { command?: string };
    printError(ctx, usage.message);
    io.stderr(
      usage.command === undefined
        ? "Run 'holoconf --help' for usage.\n"
        : `Run 'holoconf ${usage.command} --help' for usage.\n`,
    );
    return 2;
  }
  const flags = "ignoreMissing" in cmd ? cmd : undefined;
  const settings: { defaultTimeout?: number; maxConcurrentResolvers?: number } = {};
  if (flags?.timeout !== undefined) settings.defaultTimeout = flags.timeout;
  if (flags?.maxConcurrency !== undefined) settings.maxConcurrentResolvers = flags.maxConcurrency;
  // The CLI is normally the whole process; an in-process caller gets its settings back.
  const saved = Object.keys(settings).length > 0 ? getSchedulerSettings() : undefined;
  if (saved) configure(settings);
  try {
    return await dispatch(ctx, cmd);
  } finally {
    if (saved) configure(saved);
    if ("trace" in cmd && cmd.trace) {
      io.stderr(
        formatWaterfall(ctx.events, {
          color: ctx.errColor,
          ...(ctx.describeKey ? { describeKey: ctx.describeKey } : {}),
        }),
      );
    }
  }
}
