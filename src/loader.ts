/**
 * Loads config files (plain paths, globs, optional files) into one merged raw tree.
 *
 * Synchronous, like `Config.load`. Globs are matched by `_glob.ts` against a synchronous
 * directory listing from the runtime module.
 *
 * @module
 */

import { NotFoundError, ParseError } from "./errors.ts";
import { mergeTrees } from "./merge.ts";
import { isAbsolute, resolve } from "./_posix.ts";
import { compileGlob, type Glob, GlobSyntaxError } from "./_glob.ts";
import {
  cwd,
  decodeUtf8File,
  openRegularFileSync,
  readDirSync,
  RuntimeFileError,
  statSync,
} from "./runtime.ts";
import type { MapNode, TreeNode } from "./tree.ts";
import { parseYamlTree, type YamlOptions } from "./yaml.ts";

/** One file (or glob) to load; an optional one may be missing (or match nothing). */
export interface PathSpec {
  /**
   * File path or glob pattern; relative paths resolve against the working directory. With
   * `text`, the name of that text in sources and messages (e.g. `<stdin>`).
   */
  path: string;
  /**
   * Skip the entry when the file is missing or the glob matches nothing.
   *
   * @default {false}
   */
  optional?: boolean;
  /**
   * The YAML (or JSON) text of the entry, given instead of read from `path` (e.g. standard
   * input); merged in its place. It is not a file: not in `Config.files`, and its directory is
   * not a file root. Relative `${file:}` paths in it resolve against `basePath` when the Config
   * has one, else against the directory of `path` taken as a path (the working directory for
   * a name such as `<stdin>`).
   */
  text?: string;
}

/** Options of {@linkcode loadTrees}: parser limits plus the default for `optional`. */
export interface LoadTreesOptions extends YamlOptions {
  /**
   * Treat entries given as plain strings (and specs without `optional`) as optional.
   *
   * @default {false}
   */
  optional?: boolean;
}

/** Result of {@linkcode loadTrees}. */
export interface LoadedTrees {
  /** The merged tree (an empty mapping when nothing was loaded). */
  tree: MapNode;
  /** Absolute paths of the files actually loaded, in load order. */
  files: string[];
  /** The trees of the entries given as `text`, in order. */
  texts: MapNode[];
}

/**
 * Largest config the loader reads: 16 MiB. A bigger file is refused before it is read
 * (code `FILE_TOO_LARGE`), and at most one byte more is ever read, so a file that grows while
 * it is read is refused too. The CLI holds a config read from standard input to the same limit.
 * (`${file:}` values have their own limit of 64 MiB.)
 *
 * @example
 * ```ts
 * import { MAX_CONFIG_FILE_BYTES } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * assert.equal(MAX_CONFIG_FILE_BYTES, 16 * 1024 * 1024);
 * ```
 */
export const MAX_CONFIG_FILE_BYTES: number = 16 * 1024 * 1024;

const GLOB_CHARS_REGEXP = /[*?[]/;
const MAX_GLOB_DEPTH = 256;

/**
 * Tells whether a path is a glob pattern (contains `*`, `?` or `[`).
 *
 * @param path A path as the user wrote it.
 * @returns `true` for a glob.
 *
 * @example
 * ```ts
 * import { isGlob } from "./loader.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isGlob("conf/*.yaml"), true);
 * assert.equal(isGlob("conf/app.yaml"), false);
 * ```
 */
export function isGlob(path: string): boolean {
  return GLOB_CHARS_REGEXP.test(path);
}

/**
 * Loads each entry in order and deep-merges the results (later entries win, SPEC §2).
 * A glob expands to its matches sorted component-wise, merged in that order.
 *
 * @param spec A path, a {@linkcode PathSpec}, or a list of them.
 * @param options Default for `optional`, and YAML parser limits.
 * @returns The merged tree and the absolute paths of the loaded files.
 * @throws {NotFoundError} `File not found: <path>` for a missing required file, or
 *   `File not found: No files matched glob pattern '<p>'` (code `FILE_NOT_FOUND`).
 * @throws {ParseError} Invalid YAML, a root that is not a mapping, an invalid glob pattern, or
 *   `Failed to read file '<p>': <reason>`.
 *
 * @example Merge a base file with an optional local override
 * ```ts
 * import { loadTrees } from "./loader.ts";
 * import { toPlain } from "./tree.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/base.yaml`, "db:\n  host: localhost\n  port: 5432\n");
 * const { tree, files } = loadTrees([
 *   `${dir}/base.yaml`,
 *   { path: `${dir}/local.yaml`, optional: true },
 * ]);
 * assert.deepEqual(toPlain(tree), { db: { host: "localhost", port: 5432 } });
 * assert.equal(files.length, 1);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function loadTrees(
  spec: string | PathSpec | (string | PathSpec)[],
  options: LoadTreesOptions = {},
): LoadedTrees {
  const { optional: defaultOptional = false, ...yamlOptions } = options;
  const entries = Array.isArray(spec) ? spec : [spec];
  const files: string[] = [];
  const texts: MapNode[] = [];
  let merged: TreeNode | undefined;
  const add = (displayPath: string, optional: boolean): void => {
    const tree = loadFile(displayPath, yamlOptions, optional);
    if (tree === undefined) return;
    files.push(resolve(cwd(), displayPath));
    merged = merged === undefined ? tree : mergeTrees(merged, tree);
  };
  for (const entry of entries) {
    if (typeof entry !== "string" && entry.text !== undefined) {
      const tree = parseYamlTree(entry.text, { ...yamlOptions, file: entry.path });
      texts.push(tree);
      merged = merged === undefined ? tree : mergeTrees(merged, tree);
      continue;
    }
    const path = typeof entry === "string" ? entry : entry.path;
    const optional = typeof entry === "string"
      ? defaultOptional
      : (entry.optional ?? defaultOptional);
    if (!isGlob(path)) {
      add(path, optional);
      continue;
    }
    const matches = expandGlob(path);
    if (matches.length === 0 && !optional) {
      throw new NotFoundError(`File not found: No files matched glob pattern '${path}'`, {
        resource: path,
        code: "FILE_NOT_FOUND",
        help: "Check the pattern and the directory it is relative to (the working directory " +
          "for a relative pattern)",
      });
    }
    for (const match of matches) add(match, optional);
  }
  if (merged === undefined) return { tree: { kind: "map", entries: new Map() }, files, texts };
  return { tree: merged as MapNode, files, texts };
}

function fileNotFound(path: string): NotFoundError {
  return new NotFoundError(`File not found: ${path}`, {
    resource: path,
    code: "FILE_NOT_FOUND",
    help: "Check that the file exists (a relative path is resolved against the working directory)",
  });
}

function readFailure(path: string, e: unknown): ParseError {
  let reason: string;
  if (e instanceof RuntimeFileError) {
    const cause = e.cause as { message?: unknown } | undefined;
    reason = e.permissionDenied
      ? "permission denied"
      : typeof cause?.message === "string"
      ? cause.message
      : e.message;
  } else {
    reason = e instanceof Error ? e.message : String(e);
  }
  return new ParseError(`Failed to read file '${path}': ${reason}`, {
    source: path,
    cause: e,
  });
}

function notRegular(path: string, cause: unknown): ParseError {
  return new ParseError(
    `Failed to read file '${path}': not a regular file (a directory, FIFO, socket or device)`,
    {
      code: "FILE_NOT_REGULAR",
      source: path,
      help: "Name a regular file: directories, FIFOs, sockets and devices are not read",
      cause,
    },
  );
}

/** `size` is `"N bytes"` when the size is known, else `"more"`. */
function tooLarge(path: string, size: string): ParseError {
  return new ParseError(
    `Failed to read file '${path}': too large (${size} > ${MAX_CONFIG_FILE_BYTES} bytes limit)`,
    { code: "FILE_TOO_LARGE", source: path, help: "Config files are read up to 16 MiB" },
  );
}

/**
 * Reads a config file as UTF-8 text, with the loader's checks: a regular file (never a
 * directory, FIFO, socket or device: these are refused without being read) of at most
 * {@linkcode MAX_CONFIG_FILE_BYTES}, read through one handle that is checked after opening.
 *
 * @param path File path (symlinks are followed).
 * @returns The text (a byte order mark dropped).
 * @throws {NotFoundError} `File not found: <path>` (code `FILE_NOT_FOUND`).
 * @throws {ParseError} `Failed to read file '<p>': <reason>`, with code `FILE_NOT_REGULAR`,
 *   `FILE_TOO_LARGE`, or `PARSE_ERROR` for other failures (permission, invalid UTF-8).
 *
 * @example
 * ```ts
 * import { readConfigText } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/a.yaml`, "a: 1\n");
 * assert.equal(readConfigText(`${dir}/a.yaml`), "a: 1\n");
 * assert.throws(() => readConfigText(dir), { code: "FILE_NOT_REGULAR" });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function readConfigText(path: string): string {
  let bytes: Uint8Array;
  try {
    const file = openRegularFileSync(path);
    try {
      const size = file.info.size ?? 0;
      if (size > MAX_CONFIG_FILE_BYTES) throw tooLarge(path, `${size} bytes`);
      bytes = file.read(MAX_CONFIG_FILE_BYTES + 1);
    } finally {
      file.close();
    }
    if (bytes.length > MAX_CONFIG_FILE_BYTES) throw tooLarge(path, "more");
    return decodeUtf8File(bytes, path);
  } catch (e) {
    if (!(e instanceof RuntimeFileError)) throw e;
    if (e.notFound) throw fileNotFound(path);
    if (e.notRegular) throw notRegular(path, e);
    throw readFailure(path, e);
  }
}

/** Reads and parses one file; `undefined` for a missing optional one. */
function loadFile(path: string, options: YamlOptions, optional: boolean): MapNode | undefined {
  let text: string;
  try {
    text = readConfigText(path);
  } catch (e) {
    if (optional && e instanceof NotFoundError) return undefined;
    throw e;
  }
  return parseYamlTree(text, { ...options, file: path });
}

// ---------------------------------------------------------------------------------------------
// Globs

function invalidGlob(pattern: string, reason: string): ParseError {
  return new ParseError(`Invalid glob pattern '${pattern}': ${reason}`, {
    help: "Use * and ? within one path component, ** for any number of directories, and " +
      "[abc] / [a-z] / [!abc] for character classes",
  });
}

function compile(pattern: string): Glob {
  try {
    return compileGlob(pattern);
  } catch (error) {
    if (error instanceof GlobSyntaxError) throw invalidGlob(pattern, error.message);
    throw error;
  }
}

/** Component-wise, each name by code point (upstream sorts paths by their UTF-8 bytes). */
function compareSegments(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareCodePoints(a[i] as string, b[i] as string);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareCodePoints(x: string, y: string): number {
  for (let i = 0, j = 0; i < x.length && j < y.length;) {
    const a = x.codePointAt(i) as number;
    const b = y.codePointAt(j) as number;
    if (a !== b) return a - b;
    i += a > 0xffff ? 2 : 1;
    j += b > 0xffff ? 2 : 1;
  }
  return x.length - y.length;
}

function listDir(dir: string): { name: string; isFile: boolean; isDirectory: boolean }[] {
  let entries;
  try {
    entries = readDirSync(dir);
  } catch {
    return []; // unreadable directories are skipped, as upstream does
  }
  return entries.map((e) => {
    if (!e.isSymlink) return e;
    let info;
    try {
      info = statSync(`${dir}/${e.name}`);
    } catch {
      info = undefined;
    }
    return {
      name: e.name,
      isFile: info?.isFile ?? false,
      isDirectory: info?.isDirectory ?? false,
      isSymlinkDir: true,
    };
  });
}

/**
 * Expands a glob pattern to the files it matches, sorted component-wise, as paths in the form
 * the pattern was written (a relative pattern gives paths relative to the working directory).
 * `*` and `?` stay within one path component, `**` matches any number of directories (zero
 * included), `[abc]`, `[a-z]` and `[!abc]` are character classes, and dotfiles match.
 *
 * @param pattern The glob.
 * @returns Matching file paths.
 * @throws {ParseError} `Invalid glob pattern '<p>': <reason>`.
 *
 * @example
 * ```ts
 * import { expandGlob } from "./loader.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/a`);
 * Deno.writeTextFileSync(`${dir}/a/b.yaml`, "x: 1\n");
 * Deno.writeTextFileSync(`${dir}/a-b.yaml`, "x: 2\n");
 * assert.deepEqual(expandGlob(`${dir}/**\/*.yaml`), [`${dir}/a/b.yaml`, `${dir}/a-b.yaml`]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function expandGlob(pattern: string): string[] {
  const parts = pattern.split("/");
  let k = 0;
  while (k < parts.length && !isGlob(parts[k] as string)) k++;
  const writtenBase = parts.slice(0, k).join("/");
  const basePrefix = k === 0 ? "" : writtenBase === ""
    ? "/" // pattern "/*.yaml"
    : writtenBase.endsWith("/")
    ? writtenBase
    : writtenBase + "/";
  const fsBase = resolve(
    cwd(),
    writtenBase === "" ? (isAbsolute(pattern) ? "/" : ".") : writtenBase,
  );
  const rest = parts.slice(k).filter((p) => p !== "" && p !== ".");
  const relPattern = rest.join("/");
  const glob = compile(relPattern);
  // Without `**` no match lies deeper than the pattern's own components.
  const maxDepth = glob.recursive ? MAX_GLOB_DEPTH : rest.length;

  const found = new Map<string, string[]>();
  const work: { dir: string; rel: string[] }[] = [{ dir: fsBase, rel: [] }];
  while (work.length > 0) {
    const { dir, rel } = work.pop() as { dir: string; rel: string[] };
    for (const e of listDir(dir)) {
      const relParts = [...rel, e.name];
      const full = dir === "/" ? `/${e.name}` : `${dir}/${e.name}`;
      if (e.isFile) {
        if (glob.match(relParts)) found.set(relParts.join("/"), relParts);
      } else if (e.isDirectory && relParts.length < maxDepth) {
        // Recursion under `**` does not follow symlinked directories (no loops).
        if ("isSymlinkDir" in e && glob.recursive) continue;
        work.push({ dir: full, rel: relParts });
      }
    }
  }
  return [...found.values()].sort(compareSegments).map((rel) => basePrefix + rel.join("/"));
}
