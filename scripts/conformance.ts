/**
 * Conformance runner: runs the upstream holoconf acceptance cases (YAML files, format in
 * `shared/conformance/README.md`) against this package.
 *
 * ```sh
 * deno run -A scripts/conformance.ts <dir> [--json FILE] [--filter SUBSTR] [--verbose]
 * deno run -A scripts/conformance.ts --gate [<dir>]         # used by `deno task test`
 * deno run -A scripts/conformance.ts --write-known [<dir>]  # rewrite known_failures.txt
 * ```
 *
 * Plain mode prints `FAIL <file> :: <case>: <reason>` per failing case and ends with
 * `conformance: N passed, M failed` (exit 1 when M > 0). `--gate` compares the failures with
 * `tests/conformance/known_failures.txt` and fails on any difference.
 *
 * @module
 */

import {
  type Action,
  actionOf,
  type CaseResult,
  checkOutcome,
  denoRunFlags,
  diffKnownFailures,
  formatKnownFailures,
  loadPlanOf,
  makeMockResolver,
  type MockCall,
  type MockDeps,
  navigate,
  oneLine,
  type Outcome,
  parseCaseFile,
  parseKnownFailures,
  shellQuote,
  substitutePlaceholders,
} from "./_conformance_lib.ts";

/** Export options as the runner passes them. */
interface ExportOpts {
  resolve: boolean;
  redact: boolean;
}

/** The part of a loaded `Config` the runner uses. */
interface ConfigLike {
  get(path: string): Promise<unknown>;
  setSchema(schema: never): void;
  validate(schema?: never): Promise<void>;
  toYaml(options: ExportOpts): Promise<string>;
  toJson(options: ExportOpts): Promise<string>;
  toObject(options: ExportOpts): Promise<Record<string, unknown>>;
}

/** Load options as the runner passes them. */
interface RunnerLoadOptions {
  basePath?: string;
  resolvers?: Record<string, (key: string, call: MockCall) => unknown>;
}

/** The part of `mod.ts` the runner uses (SPEC §1). */
interface HoloconfApi {
  Config: {
    loads(text: string, options: RunnerLoadOptions): ConfigLike;
    load(
      path: string | (string | { path: string; optional?: boolean })[],
      options: RunnerLoadOptions,
    ): ConfigLike;
    optional(path: string, options: RunnerLoadOptions): ConfigLike;
  };
  Schema: { fromYaml(text: string): unknown };
  ResolvedValue: MockDeps["ResolvedValue"];
  NotFoundError: MockDeps["NotFoundError"];
  ResolverError?: MockDeps["ResolverError"];
}

const IN_PROCESS_TIMEOUT_MS = 10_000;
const CLI_TIMEOUT_MS = 20_000;

const REPO_URL = new URL("../", import.meta.url);
const DEFAULT_SUITE_URL = new URL("../../shared/conformance/", import.meta.url);
const KNOWN_FAILURES_URL = new URL("../tests/conformance/known_failures.txt", import.meta.url);
const DEFAULT_HEADER = [
  "# Conformance cases that are known to fail, one per line: `suite/case — reason`.",
  "# `deno task test` (scripts/conformance.ts --gate) fails when a case fails that is not listed",
  "# here, or a listed case passes or does not exist. Regenerate with",
  "# `deno run -A scripts/conformance.ts --write-known`.",
];

/** A file URL as a path (posix). */
function urlPath(url: URL): string {
  return decodeURIComponent(url.pathname).replace(/\/$/, "");
}

/** Command line options. */
interface Options {
  dir: string | undefined;
  json: string | undefined;
  filter: string | undefined;
  verbose: boolean;
  gate: boolean;
  writeKnown: boolean;
}

/** Parses the command line; exits 2 on a usage error. */
function parseArgs(args: string[]): Options {
  const o: Options = {
    dir: undefined,
    json: undefined,
    filter: undefined,
    verbose: false,
    gate: false,
    writeKnown: false,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === "--json") o.json = value();
    else if (a === "--filter") o.filter = value();
    else if (a === "--verbose" || a === "-v") o.verbose = true;
    else if (a === "--gate") o.gate = true;
    else if (a === "--write-known") o.writeKnown = true;
    else if (a === "--help" || a === "-h") usage();
    else if (a.startsWith("-")) usage(`unknown option ${a}`);
    else if (o.dir === undefined) o.dir = a;
    else usage(`unexpected argument ${a}`);
  }
  if (o.dir === undefined && !o.gate && !o.writeKnown) usage("missing <dir>");
  return o;
}

function usage(problem?: string): never {
  if (problem !== undefined) console.error(`conformance: ${problem}`);
  console.error(
    "usage: deno run -A scripts/conformance.ts <dir> [--json FILE] [--filter SUBSTR] [--verbose]\n" +
      "       deno run -A scripts/conformance.ts --gate [<dir>] | --write-known [<dir>]",
  );
  Deno.exit(problem === undefined ? 0 : 2);
}

/** Every `*.yaml` file under `dir`, relative, `/`-separated, sorted. */
async function findCaseFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory) out.push(...await findCaseFiles(`${dir}/${entry.name}`, rel));
    else if (entry.isFile && entry.name.endsWith(".yaml")) out.push(rel);
  }
  return out.sort();
}

/** What the runner needs loaded once: the library and its YAML parser. */
interface Runtime {
  api: HoloconfApi;
  deps: MockDeps;
  cliPrefix: string;
}

async function loadRuntime(): Promise<Runtime> {
  const api: HoloconfApi = await import("../mod.ts");
  const yaml: { parseYamlValue(text: string): unknown } = await import("../src/yaml.ts");
  const deps: MockDeps = {
    NotFoundError: api.NotFoundError,
    ResolvedValue: api.ResolvedValue,
    parseYaml: yaml.parseYamlValue,
  };
  if (api.ResolverError !== undefined) deps.ResolverError = api.ResolverError;
  return { api, deps, cliPrefix: await cliPrefix() };
}

/** `exec <deno> run <flags of the cli task> <repo>/src/cli/main.ts`, shell-quoted. */
async function cliPrefix(): Promise<string> {
  const repo = urlPath(REPO_URL);
  const denoJson = JSON.parse(await Deno.readTextFile(`${repo}/deno.json`)) as {
    tasks?: Record<string, string>;
  };
  const task = denoJson.tasks?.cli;
  if (task === undefined) throw new Error("deno.json has no `cli` task");
  const flags = denoRunFlags(task);
  if (!flags.some((f) => f === "--config" || f.startsWith("--config=") || f === "-c")) {
    flags.push(`--config=${repo}/deno.json`);
  }
  return ["exec", shellQuote(Deno.execPath()), "run", ...flags.map(shellQuote)]
    .concat(shellQuote(`${repo}/src/cli/main.ts`))
    .join(" ");
}

/** Writes `given` files into the case directory; returns placeholder → absolute path. */
async function writeCaseFiles(
  dir: string,
  given: Record<string, unknown>,
): Promise<Record<string, string>> {
  const paths: Record<string, string> = {
    config_file: `${dir}/config.yaml`,
    config2_file: `${dir}/config2.yaml`,
    schema_file: `${dir}/schema.yaml`,
  };
  const configText = typeof given.config_raw === "string"
    ? given.config_raw
    : typeof given.config === "string"
    ? given.config
    : undefined;
  if (configText !== undefined) await Deno.writeTextFile(paths.config_file as string, configText);
  if (typeof given.config2 === "string") {
    await Deno.writeTextFile(paths.config2_file as string, given.config2);
  }
  if (typeof given.schema === "string") {
    await Deno.writeTextFile(paths.schema_file as string, given.schema);
  }
  const files = given.files;
  if (typeof files === "object" && files !== null && !Array.isArray(files)) {
    for (const [rel, content] of Object.entries(files)) {
      if (rel.startsWith("/") || rel.split("/").includes("..")) {
        throw new Error(`given.files path escapes the case directory: ${rel}`);
      }
      const abs = `${dir}/${rel}`;
      const parent = abs.slice(0, abs.lastIndexOf("/"));
      await Deno.mkdir(parent, { recursive: true });
      await Deno.writeTextFile(
        abs,
        content === null || content === undefined ? "" : String(content),
      );
      paths[rel] = abs;
    }
  }
  return paths;
}

/** Loads the case's config and runs its action in this process. */
async function runInProcess(
  rt: Runtime,
  dir: string,
  given: Record<string, unknown>,
  action: Action,
): Promise<Outcome> {
  const { api } = rt;
  const resolvers: Record<string, (key: string, call: MockCall) => unknown> = {};
  const mocks = given.mocks;
  if (typeof mocks === "object" && mocks !== null && !Array.isArray(mocks)) {
    for (const [name, data] of Object.entries(mocks)) {
      resolvers[name] = makeMockResolver(name, data, rt.deps, {
        async: given.resolver_async === true,
      });
    }
  }
  let config: ConfigLike;
  try {
    const plan = loadPlanOf(given);
    switch (plan.kind) {
      case "glob":
        config = plan.required
          ? await api.Config.load(`${dir}/${plan.pattern}`, { resolvers })
          : await api.Config.optional(`${dir}/${plan.pattern}`, { resolvers });
        break;
      case "specs":
        config = await api.Config.load(
          plan.specs.map((s) =>
            typeof s === "string"
              ? `${dir}/${s}`
              : { path: `${dir}/${s.path}`, optional: s.optional }
          ),
          { resolvers },
        );
        break;
      case "merge":
        config = await api.Config.load(plan.files.map((f) => `${dir}/${f}`), { resolvers });
        break;
      case "string":
        config = await api.Config.loads(plan.text, { basePath: dir, resolvers });
        break;
      case "none":
        config = await api.Config.loads("", { basePath: dir, resolvers });
    }
  } catch (error) {
    return { kind: "error", phase: "load", error };
  }
  try {
    switch (action.kind) {
      case "dump": {
        const opts = { resolve: action.resolve, redact: action.redact };
        const text = action.format === "json"
          ? await config.toJson(opts)
          : await config.toYaml(opts);
        return { kind: "ok", action: action.kind, value: text };
      }
      case "export": {
        const opts = { resolve: action.resolve, redact: action.redact };
        if (action.format === "yaml") {
          return { kind: "ok", action: action.kind, value: await config.toYaml(opts) };
        }
        if (action.format === "json") {
          return { kind: "ok", action: action.kind, value: await config.toJson(opts) };
        }
        const dict = await config.toObject(opts);
        return {
          kind: "ok",
          action: action.kind,
          value: action.access === undefined ? dict : navigate(dict, action.access),
        };
      }
      case "access": {
        if (typeof given.schema === "string") {
          config.setSchema(api.Schema.fromYaml(given.schema) as never);
        }
        return { kind: "ok", action: action.kind, value: await config.get(action.path) };
      }
      case "validate": {
        if (typeof given.schema === "string") {
          await config.validate(api.Schema.fromYaml(given.schema) as never);
        } else {
          await config.validate();
        }
        return { kind: "ok", action: action.kind };
      }
      default:
        return { kind: "ok", action: action.kind };
    }
  } catch (error) {
    return { kind: "error", phase: "action", error };
  }
}

/** Runs `holoconf <args>` through `sh -c` in the case directory. */
async function runCli(
  rt: Runtime,
  dir: string,
  args: string,
  placeholders: Record<string, string>,
  env: Record<string, string>,
): Promise<Outcome> {
  const script = `${rt.cliPrefix} ${substitutePlaceholders(args, placeholders)}`;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), CLI_TIMEOUT_MS);
  try {
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command("sh", {
        args: ["-c", script],
        cwd: dir,
        env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        signal: abort.signal,
      }).output();
    } catch (error) {
      if (abort.signal.aborted) {
        return { kind: "cli", exitCode: -1, stdout: "", stderr: "", timedOut: true };
      }
      throw error;
    }
    const dec = new TextDecoder();
    return {
      kind: "cli",
      exitCode: out.code,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
      timedOut: abort.signal.aborted,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves to `undefined` after `ms` unless cancelled. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The result of one case with its file and warnings. */
interface RunResult extends CaseResult {
  file: string;
  name: string;
  warnings: string[];
}

/** Runs one case in a fresh temp dir with its env; never throws. */
async function runCase(
  rt: Runtime,
  given: Record<string, unknown>,
  when: Record<string, unknown>,
  then: Record<string, unknown>,
): Promise<{ failures: string[]; warnings: string[] }> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "holoconf-conformance-" }));
  const env: Record<string, string> = {};
  if (typeof given.env === "object" && given.env !== null) {
    for (const [k, v] of Object.entries(given.env)) {
      env[k] = v === null || v === undefined ? "" : String(v);
    }
  }
  const saved = new Map(Object.keys(env).map((k) => [k, Deno.env.get(k)]));
  try {
    for (const [k, v] of Object.entries(env)) Deno.env.set(k, v);
    const action = actionOf(when);
    const placeholders = await writeCaseFiles(dir, given);
    let outcome: Outcome;
    if (action.kind === "cli") {
      outcome = await runCli(rt, dir, action.args, placeholders, env);
    } else {
      const r = await withTimeout(runInProcess(rt, dir, given, action), IN_PROCESS_TIMEOUT_MS);
      if (r === "timeout") {
        return { failures: [`timed out after ${IN_PROCESS_TIMEOUT_MS / 1000} s`], warnings: [] };
      }
      outcome = r;
    }
    const result = checkOutcome(then, outcome);
    // Temp paths change every run: keep reports (and known_failures.txt reasons) stable.
    const stable = (m: string) => m.replaceAll(dir, "<tmp>");
    return { failures: result.failures.map(stable), warnings: result.warnings.map(stable) };
  } catch (error) {
    return {
      failures: [
        `runner error: ${oneLine(error instanceof Error ? error.message : String(error))}`,
      ],
      warnings: [],
    };
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function main(): Promise<number> {
  const opts = parseArgs(Deno.args);
  const dir = opts.dir ?? urlPath(DEFAULT_SUITE_URL);
  let isDir = false;
  try {
    isDir = (await Deno.stat(dir)).isDirectory;
  } catch {
    isDir = false;
  }
  if (!isDir) {
    if (opts.gate) {
      console.log(`conformance: skipped (no suite at ${dir})`);
      return 0;
    }
    console.error(`conformance: no such directory: ${dir}`);
    return 2;
  }

  const rt = await loadRuntime();
  const results: RunResult[] = [];
  const allKeys: string[] = [];
  const quietWarnings = opts.gate && !opts.verbose;
  for (const file of await findCaseFiles(dir)) {
    let parsed;
    try {
      parsed = parseCaseFile(await Deno.readTextFile(`${dir}/${file}`));
    } catch (error) {
      const message = `bad case file: ${
        oneLine(error instanceof Error ? error.message : String(error))
      }`;
      results.push({
        file,
        name: "<file>",
        key: `${file}/<file>`,
        passed: false,
        message,
        warnings: [],
      });
      allKeys.push(`${file}/<file>`);
      console.log(`FAIL ${file} :: <file>: ${message}`);
      continue;
    }
    for (const c of parsed.tests) {
      const key = `${parsed.suite}/${c.name}`;
      allKeys.push(key);
      if (
        opts.filter !== undefined && !`${file} :: ${c.name}`.includes(opts.filter) &&
        !key.includes(opts.filter)
      ) continue;
      const { failures, warnings } = await runCase(rt, c.given, c.when, c.then);
      const passed = failures.length === 0;
      const message = passed ? warnings.join("; ") : failures.join("; ");
      results.push({ file, name: c.name, key, passed, message, warnings });
      if (!quietWarnings) {
        for (const w of warnings) console.log(`WARN ${file} :: ${c.name}: ${w}`);
      }
      if (passed && opts.verbose) console.log(`PASS ${file} :: ${c.name}`);
      if (!passed && !opts.gate) console.log(`FAIL ${file} :: ${c.name}: ${message}`);
    }
  }

  if (opts.json !== undefined) {
    const rows = results.map((r) => ({
      file: r.file,
      name: r.name,
      passed: r.passed,
      message: r.message,
    }));
    await Deno.writeTextFile(opts.json, JSON.stringify(rows, null, 2) + "\n");
  }

  const passedCount = results.filter((r) => r.passed).length;
  const failed = results.filter((r) => !r.passed);
  const knownPath = urlPath(KNOWN_FAILURES_URL);
  let exitCode = failed.length === 0 ? 0 : 1;

  if (opts.writeKnown) {
    let header = DEFAULT_HEADER;
    try {
      const existing = parseKnownFailures(await Deno.readTextFile(knownPath)).header;
      if (existing.length > 0) header = existing;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    await Deno.writeTextFile(knownPath, formatKnownFailures(header, failed));
    console.log(`conformance: wrote ${failed.length} known failures to ${knownPath}`);
    exitCode = 0;
  } else if (opts.gate) {
    let knownText = "";
    try {
      knownText = await Deno.readTextFile(knownPath);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const known = parseKnownFailures(knownText);
    const report = diffKnownFailures(results, known.entries.keys(), allKeys);
    const byKey = new Map(results.map((r) => [r.key, r]));
    if (opts.verbose) {
      for (const r of failed) {
        if (known.entries.has(r.key)) {
          console.log(`known FAIL ${r.file} :: ${r.name}: ${r.message}`);
        }
      }
    }
    for (const { key } of report.unexpectedFailures) {
      const r = byKey.get(key);
      console.log(`FAIL ${r?.file ?? "?"} :: ${r?.name ?? key}: ${r?.message ?? ""}`);
    }
    for (const key of report.nowPassing) {
      console.log(`PASS ${key}: now passes: remove it from known_failures.txt`);
    }
    for (const key of report.unknown) {
      console.log(`UNKNOWN ${key}: listed in known_failures.txt but no such case`);
    }
    console.log(
      `conformance: ${report.knownFailing} known failures (tests/conformance/known_failures.txt)`,
    );
    exitCode = report.unexpectedFailures.length + report.nowPassing.length +
          report.unknown.length === 0
      ? 0
      : 1;
  }
  console.log(`conformance: ${passedCount} passed, ${failed.length} failed`);
  return exitCode;
}

if (import.meta.main) {
  Deno.exit(await main());
}
