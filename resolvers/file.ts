/**
 * The built-in `file` resolver: `${file:path,encoding=utf-8|ascii|base64|binary,parse=text|none}`
 * reads a local file inside the Config's allowed directories (its file roots).
 *
 * @module
 */

import { encodeBase64, utf8OrUndefined } from "../src/_bytes.ts";
import { isWithin, normalize, relative } from "../src/_posix.ts";
import { NotFoundError, ParseError, ResolverError } from "../src/errors.ts";
import type { ResolverCall, ResolverObject } from "../src/resolver.ts";
import {
  cwd,
  type FileInfo,
  readFileSync,
  realPathSync,
  RuntimeFileError,
  statSync,
} from "../src/runtime.ts";
import { enumKwarg, shown } from "./_args.ts";

const LOCAL_HOST_REGEXP = /^(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|\[::1\])$/i;

const NOT_FOUND_HELP = "Check that the file exists relative to the config file";

/** Largest file the resolver reads (64 MiB). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Values of `encoding=`. */
const ENCODINGS = ["utf-8", "ascii", "base64", "binary"] as const;

const NO_ROOTS_MESSAGE = "File resolver requires allowed directories to be configured. " +
  "Use Config.load() which auto-configures the parent directory, or specify fileRoots " +
  "(file_roots) explicitly for Config.loads()";

/**
 * Turns the written argument into a file-system path (not yet resolved against a base):
 * `//host/abs` authority forms, `/abs`, or a relative path.
 */
function pathFromArgument(arg: string, call: ResolverCall): string {
  if (arg.includes("\0")) {
    throw new ResolverError("File paths cannot contain null bytes", {
      help: "Remove the NUL character from the file path",
    });
  }
  if (!arg.startsWith("//")) return arg;
  const rest = arg.slice(2);
  const slash = rest.indexOf("/");
  const host = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? "/" : rest.slice(slash);
  if (host === "" || LOCAL_HOST_REGEXP.test(host)) return path;
  throw new ResolverError(
    `Remote file URIs not supported: hostname '${shown(host, call)}' is not localhost`,
    { help: "Only local files can be read: use ${file:///absolute/path} or a relative path" },
  );
}

/** The absolute (not yet canonical) path the argument points to. */
function absoluteTarget(path: string, call: ResolverCall): string {
  if (path.startsWith("/")) return path;
  const base = call.context.baseDir ?? cwd();
  return `${base.endsWith("/") ? base.slice(0, -1) : base}/${path}`;
}

/** Canonical paths of the configured roots; roots that do not exist are counted, not used. */
function canonicalRoots(roots: readonly string[]): { real: string[]; invalid: number } {
  const real: string[] = [];
  let invalid = 0;
  for (const root of roots) {
    try {
      real.push(normalize(realPathSync(root)));
    } catch {
      invalid++;
    }
  }
  return { real, invalid };
}

/** Path shown in an access-denied message: relative to the base directory, never outside it. */
function deniedDisplay(realTarget: string, call: ResolverCall): string {
  const outside = "<outside allowed directories>";
  if (call.sensitiveInput) return outside;
  const base = call.context.baseDir;
  if (base === undefined) return outside;
  let realBase: string;
  try {
    realBase = normalize(realPathSync(base));
  } catch {
    return outside;
  }
  return isWithin(realBase, realTarget) ? relative(realBase, realTarget) : outside;
}

function notFound(arg: string, call: ResolverCall, cause?: unknown): NotFoundError {
  const name = shown(arg, call);
  return new NotFoundError(`File not found: ${name}`, {
    resource: name,
    help: NOT_FOUND_HELP,
    ...(cause === undefined ? {} : { cause }),
  });
}

function tooLarge(arg: string, call: ResolverCall, size: number): ResolverError {
  return new ResolverError(
    `File too large: ${shown(arg, call)} (${size} bytes > ${MAX_FILE_BYTES} bytes limit)`,
    { help: "The file resolver reads files of at most 64 MiB" },
  );
}

/**
 * Checks that the (canonical, sandbox-checked) target is a regular file of at most 64 MiB
 * before anything reads it: opening a FIFO or a device would block or never end.
 */
function checkRegularFile(realTarget: string, arg: string, call: ResolverCall): void {
  let info: FileInfo | undefined;
  try {
    info = statSync(realTarget);
  } catch (e) {
    throw readFailure(arg, call, e);
  }
  if (info === undefined) throw notFound(arg, call);
  if (!info.isFile) {
    throw new ResolverError(`Not a regular file: ${shown(arg, call)}`, {
      help: info.isDirectory
        ? "The path names a directory: name a file in it"
        : "The path names a FIFO, socket or device; only regular files can be read",
    });
  }
  // Runtimes whose stat reports the size are refused before reading; the length is checked
  // again after reading in any case.
  if (typeof info.size === "number" && info.size > MAX_FILE_BYTES) {
    throw tooLarge(arg, call, info.size);
  }
}

function readFailure(arg: string, call: ResolverCall, cause: unknown): ResolverError {
  const denied = cause instanceof RuntimeFileError && cause.permissionDenied;
  return new ResolverError(
    `${denied ? "Permission denied reading file" : "Cannot read file"}: ${shown(arg, call)}`,
    {
      help: denied
        ? "Grant read access to the file (e.g. Deno's --allow-read)"
        : "Check that the path names a readable regular file",
      cause,
    },
  );
}

/** Decodes file bytes as UTF-8 text, or explains that the file is binary. */
function decodeText(bytes: Uint8Array, arg: string, call: ResolverCall): string {
  const text = utf8OrUndefined(bytes);
  if (text !== undefined) return text;
  throw new ParseError(`File is not valid UTF-8 text: ${shown(arg, call)}`, {
    help: "Read binary files with encoding=binary (bytes) or encoding=base64 (text)",
  });
}

/**
 * Reads the file of a `${file:...}` call after the sandbox checks.
 *
 * @param key The path as written.
 * @param call The resolver call.
 * @returns Text, base64 text or bytes, following `encoding` and `parse`.
 */
function readFile(key: string, call: ResolverCall): string | Uint8Array {
  if (key === "") {
    throw new ParseError("file resolver requires a file path", {
      help: "Write ${file:relative/or/absolute/path}",
    });
  }
  // Bad keyword values fail before the file is looked at (a missing file must not hide them).
  const encoding = enumKwarg(call, "encoding", ENCODINGS, "utf-8");
  const parse = enumKwarg(call, "parse", ["text", "none"], "text");
  const target = absoluteTarget(pathFromArgument(key, call), call);
  if (call.context.fileRoots.length === 0) {
    throw new ResolverError(NO_ROOTS_MESSAGE, {
      help: "Pass { basePath } or { fileRoots } to Config.loads()",
    });
  }
  let realTarget: string;
  try {
    realTarget = normalize(realPathSync(target));
  } catch (e) {
    if (e instanceof RuntimeFileError && e.notFound) throw notFound(key, call, e);
    throw readFailure(key, call, e);
  }
  const roots = canonicalRoots(call.context.fileRoots);
  if (!roots.real.some((root) => isWithin(root, realTarget))) {
    const note = roots.invalid > 0
      ? ` Note: ${roots.invalid} configured root(s) could not be validated.`
      : "";
    throw new ResolverError(
      `Access denied: file '${
        deniedDisplay(realTarget, call)
      }' is outside allowed directories.${note} Use fileRoots (file_roots) to extend allowed directories.`,
      { code: "FILE_ACCESS_DENIED" },
    );
  }
  checkRegularFile(realTarget, key, call);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(realTarget);
  } catch (e) {
    if (e instanceof RuntimeFileError && e.notFound) throw notFound(key, call, e);
    throw readFailure(key, call, e);
  }
  if (bytes.length > MAX_FILE_BYTES) throw tooLarge(key, call, bytes.length);
  if (parse === "none" || encoding === "binary") return bytes;
  if (encoding === "base64") return encodeBase64(bytes);
  const text = decodeText(bytes, key, call);
  // deno-lint-ignore no-control-regex
  if (encoding === "ascii") return text.replace(/[^\u0000-\u007f]/gu, "");
  return text;
}

/**
 * The `file` resolver: reads a local file inside the Config's allowed directories.
 *
 * Path forms: `//host/abs` is a URI authority (`///abs`, `//localhost/abs`, `//127.0.0.1/abs`,
 * `//::1/abs`, `//[::1]/abs` all mean `/abs`; any other host is refused), `/abs` is absolute,
 * anything else is relative to the defining file's directory (`call.context.baseDir`, or the
 * working directory when there is none). Checks, in order: roots configured → canonical path
 * of the target (a missing file is a `NotFoundError` "File not found: <path>", so `default=`
 * applies) → it must lie under the canonical path of a root (symlinks are followed first) →
 * it must be a regular file ("Not a regular file: <path>" for a directory, FIFO, socket or
 * device, which are never opened) of at most 64 MiB → read.
 *
 * Keyword arguments: `encoding` = `utf-8` (default), `ascii` (UTF-8 with every non-ASCII
 * character dropped), `base64` (the bytes base64-encoded), `binary` (bytes); `parse` = `text`
 * (default) or `none` (the same as `encoding=binary`). Any other value of either is a
 * `ParseError` (`INVALID_KEYWORD_VALUE`; upstream reads it as the default). Text that is not
 * valid UTF-8 is a `ParseError`.
 *
 * `identity()` gives the absolute path, so calls reaching the same file from different
 * directories share one read and calls with the same relative text in different
 * directories do not.
 *
 * @example Read a text file inside a root
 * ```ts
 * import { fileResolver } from "./file.ts";
 * import type { ResolverCall } from "../src/resolver.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/hello.txt`, "Hello");
 * const call = {
 *   args: ["hello.txt"], kwargs: {}, sensitiveInput: false,
 *   context: { baseDir: dir, fileRoots: [dir] },
 * } as unknown as ResolverCall;
 * assert.equal(fileResolver.resolve("hello.txt", call), "Hello");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @example Paths outside the roots are refused
 * ```ts
 * import { fileResolver } from "./file.ts";
 * import type { ResolverCall } from "../src/resolver.ts";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * const elsewhere = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${elsewhere}/secret.txt`, "s3cr3t");
 * const call = {
 *   args: [`${elsewhere}/secret.txt`], kwargs: {}, sensitiveInput: false,
 *   context: { baseDir: root, fileRoots: [root] },
 * } as unknown as ResolverCall;
 * assert.throws(
 *   () => fileResolver.resolve(`${elsewhere}/secret.txt`, call),
 *   /outside allowed directories/,
 * );
 * await Deno.remove(root, { recursive: true });
 * await Deno.remove(elsewhere, { recursive: true });
 * ```
 */
export const fileResolver: ResolverObject = {
  synchronous: true,
  params: { keywords: ["encoding", "parse"] },
  resolve(key: string, call: ResolverCall): string | Uint8Array {
    return readFile(key, call);
  },
  identity(key: string, call: ResolverCall): string {
    let target: string;
    try {
      target = absoluteTarget(pathFromArgument(key, call), call);
    } catch {
      return key; // resolve() reports the problem
    }
    try {
      return normalize(realPathSync(target));
    } catch {
      return normalize(target);
    }
  },
};
