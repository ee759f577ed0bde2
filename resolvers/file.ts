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
  type OpenedFile,
  openRegularFileSync,
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

/** `size` is `"N bytes"` when the size is known, else `"more"`. */
function tooLarge(arg: string, call: ResolverCall, size: string): ResolverError {
  return new ResolverError(
    `File too large: ${shown(arg, call)} (${size} > ${MAX_FILE_BYTES} bytes limit)`,
    { help: "The file resolver reads files of at most 64 MiB" },
  );
}

function notRegular(arg: string, call: ResolverCall, path: string): ResolverError {
  let info: FileInfo | undefined;
  try {
    info = statSync(path);
  } catch {
    info = undefined;
  }
  return new ResolverError(`Not a regular file: ${shown(arg, call)}`, {
    help: info?.isDirectory
      ? "The path names a directory: name a file in it"
      : "The path names a FIFO, socket or device; only regular files can be read",
  });
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

function replaced(arg: string, call: ResolverCall): ResolverError {
  return new ResolverError(
    `Access denied: file '${shown(arg, call)}' was replaced while it was being opened`,
    {
      code: "FILE_ACCESS_DENIED",
      help: "Something renamed files or directories on its path meanwhile; it was not read",
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

/** One read: the argument as written, the call, the absolute target and the canonical roots. */
interface FileRequest {
  arg: string;
  call: ResolverCall;
  target: string;
  roots: { real: string[]; invalid: number };
}

/** The canonical path of the target, which must lie under one of the canonical roots. */
function realPathInRoots(req: FileRequest): string {
  const { arg, call, roots } = req;
  let realTarget: string;
  try {
    realTarget = normalize(realPathSync(req.target));
  } catch (e) {
    if (e instanceof RuntimeFileError && e.notFound) throw notFound(arg, call, e);
    throw readFailure(arg, call, e);
  }
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
  return realTarget;
}

/** Opens a regular file (never a directory, FIFO, socket or device), mapping the errors. */
function openRegular(path: string, req: FileRequest): OpenedFile {
  try {
    return openRegularFileSync(path);
  } catch (e) {
    if (e instanceof RuntimeFileError && e.notFound) throw notFound(req.arg, req.call, e);
    if (e instanceof RuntimeFileError && e.notRegular) {
      throw notRegular(req.arg, req.call, path);
    }
    throw readFailure(req.arg, req.call, e);
  }
}

/**
 * Checks that the opened file is one the path names inside the roots after it was opened:
 * the path is canonicalised and checked against the roots again, the file it names must have
 * the opened file's device and inode, and canonicalising the path once more must give the same
 * path (a directory swapped back and forth during the check fails one of these).
 */
function checkOpened(file: OpenedFile, req: FileRequest, hooks: FileReadHooks): void {
  const refuse = () => replaced(req.arg, req.call);
  let realTarget: string;
  try {
    realTarget = realPathInRoots(req);
  } catch (e) {
    throw e instanceof NotFoundError ? refuse() : e;
  }
  hooks.afterRecheckPath?.();
  const opened = file.info;
  // A runtime that reports no identity (no inode numbers) leaves only the path check above.
  if (opened.dev === undefined || opened.ino === undefined) return;
  let now: FileInfo | undefined;
  try {
    now = statSync(realTarget);
  } catch {
    throw refuse();
  }
  if (now?.dev !== opened.dev || now?.ino !== opened.ino) throw refuse();
  let again: string;
  try {
    again = normalize(realPathSync(req.target));
  } catch {
    throw refuse();
  }
  if (again !== realTarget) throw refuse();
}

/**
 * Steps inside {@linkcode readFileInRoots}, for tests that change the file system between
 * them (the checks must hold whatever happens there).
 */
export interface FileReadHooks {
  /** After the path was checked against the roots, before the file is opened. */
  afterCheck?: () => void;
  /** After the file was opened, before the opened file is checked against the roots. */
  afterOpen?: () => void;
  /** While the opened file is checked: after its path was checked again, before its identity. */
  afterRecheckPath?: () => void;
}

/** Options of {@linkcode readFileInRoots}. */
export interface ReadFileInRootsOptions {
  /**
   * Called between the steps of the read (a test seam).
   *
   * @default {{}}
   */
  hooks?: FileReadHooks;
}

/**
 * Reads the bytes of the file a `${file:...}` argument names, inside the Config's file roots.
 *
 * Steps: roots configured → canonical path of the target (a missing file is a
 * `NotFoundError` "File not found: <path>", so `default=` applies) → it must lie under the
 * canonical path of a root (symlinks are followed first) → open it: it must be a regular file
 * ("Not a regular file: <path>" for a directory, FIFO, socket or device, which are refused
 * after a `stat`, before they are opened) → check the file that was opened: its path is
 * canonicalised and checked against the roots again, must name the same file (device and
 * inode) and canonicalise to the same path once more, else `FILE_ACCESS_DENIED` "was replaced
 * while it was being opened" → read at most 64 MiB from the opened handle.
 *
 * @param key The path as written (`//host/abs`, `/abs`, or relative to `call.context.baseDir`).
 * @param call The resolver call (file roots, base directory, sensitivity of the input).
 * @param options Test hooks.
 * @returns The file's bytes.
 * @throws {NotFoundError} `File not found: <path>`.
 * @throws {ResolverError} No roots, access denied (`FILE_ACCESS_DENIED`), not a regular file,
 *   too large, or a read failure.
 * @throws {ParseError} An empty path.
 *
 * @example
 * ```ts
 * import { readFileInRoots } from "./file.ts";
 * import type { ResolverCall } from "../src/resolver.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * await Deno.writeTextFile(`${dir}/a.txt`, "A");
 * const call = {
 *   args: ["a.txt"], kwargs: {}, sensitiveInput: false,
 *   context: { baseDir: dir, fileRoots: [dir] },
 * } as unknown as ResolverCall;
 * assert.deepEqual(readFileInRoots("a.txt", call), new Uint8Array([65]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function readFileInRoots(
  key: string,
  call: ResolverCall,
  options: ReadFileInRootsOptions = {},
): Uint8Array {
  const hooks = options.hooks ?? {};
  if (key === "") {
    throw new ParseError("file resolver requires a file path", {
      help: "Write ${file:relative/or/absolute/path}",
    });
  }
  const target = absoluteTarget(pathFromArgument(key, call), call);
  if (call.context.fileRoots.length === 0) {
    throw new ResolverError(NO_ROOTS_MESSAGE, {
      help: "Pass { basePath } or { fileRoots } to Config.loads()",
    });
  }
  const req: FileRequest = {
    arg: key,
    call,
    target,
    roots: canonicalRoots(call.context.fileRoots),
  };
  const realTarget = realPathInRoots(req);
  hooks.afterCheck?.();
  const file = openRegular(realTarget, req);
  let bytes: Uint8Array;
  try {
    hooks.afterOpen?.();
    checkOpened(file, req, hooks);
    const size = file.info.size ?? 0;
    if (size > MAX_FILE_BYTES) throw tooLarge(key, call, `${size} bytes`);
    try {
      bytes = file.read(MAX_FILE_BYTES + 1);
    } catch (e) {
      throw readFailure(key, call, e);
    }
  } finally {
    file.close();
  }
  if (bytes.length > MAX_FILE_BYTES) throw tooLarge(key, call, "more");
  return bytes;
}

/**
 * Reads the file of a `${file:...}` call after the sandbox checks.
 *
 * @param key The path as written.
 * @param call The resolver call.
 * @returns Text, base64 text or bytes, following `encoding` and `parse`.
 */
function readFile(key: string, call: ResolverCall): string | Uint8Array {
  // Bad keyword values fail before the file is looked at (a missing file must not hide them).
  const encoding = enumKwarg(call, "encoding", ENCODINGS, "utf-8");
  const parse = enumKwarg(call, "parse", ["text", "none"], "text");
  const bytes = readFileInRoots(key, call);
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
 * working directory when there is none). The checks are those of
 * {@linkcode readFileInRoots}: inside the roots after following symlinks, a regular file (a
 * directory, FIFO, socket or device is never read), the file actually opened checked again,
 * at most 64 MiB.
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
