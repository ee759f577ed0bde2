/**
 * The one place that knows which runtime we run on (Deno, Node, an edge runtime).
 * Everything else asks this module for environment variables and files. Nothing here
 * touches the file system or imports a runtime module at load time.
 *
 * @module
 */

/** File metadata the library needs. */
export interface FileInfo {
  /** A regular file. */
  isFile: boolean;
  /** A directory. */
  isDirectory: boolean;
  /** Size in bytes. */
  size?: number;
}

/** Thrown by the file helpers; `notFound` tells a missing file from other failures. */
export class RuntimeFileError extends Error {
  /** The file (or a component of its path) does not exist. */
  notFound: boolean;
  /** No permission from the OS or the runtime sandbox. */
  permissionDenied: boolean;

  /**
   * @param message Text.
   * @param options Kind flags and cause.
   */
  constructor(
    message: string,
    options: { notFound?: boolean; permissionDenied?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RuntimeFileError";
    this.notFound = options.notFound ?? false;
    this.permissionDenied = options.permissionDenied ?? false;
  }
}

// deno-lint-ignore no-explicit-any
type AnyRecord = any;

interface NodeFs {
  readFileSync(path: string): Uint8Array;
  realpathSync(path: string): string;
  statSync(path: string): { isFile(): boolean; isDirectory(): boolean; size: number };
}

/** The `Deno` namespace, when running on Deno (for runtime_http.ts). @returns It, or undefined. */
export function deno(): AnyRecord | undefined {
  // deno-lint-ignore no-explicit-any
  return (globalThis as any).Deno;
}

function nodeProcess(): AnyRecord | undefined {
  // deno-lint-ignore no-explicit-any
  return (globalThis as any).process;
}

/**
 * A Node built-in module, loaded synchronously with `process.getBuiltinModule` (Node 20.16+):
 * no `node:` import at module top level, which would cost start-up on Deno.
 *
 * @param name E.g. `node:tls`.
 * @returns The module, or undefined where there is none.
 */
export function nodeBuiltin<T>(name: string): T | undefined {
  const proc = nodeProcess();
  const get = proc?.getBuiltinModule;
  return typeof get === "function" ? get.call(proc, name) as T : undefined;
}

let nodeFs: NodeFs | undefined;
function getNodeFs(): NodeFs {
  nodeFs ??= nodeBuiltin<NodeFs>("node:fs");
  if (!nodeFs) throw new RuntimeFileError("This runtime has no file system access");
  return nodeFs;
}

/** Which runtime this is. @returns `"deno"`, `"node"` or `"other"`. */
export function runtimeName(): "deno" | "node" | "other" {
  if (deno()?.version?.deno) return "deno";
  if (nodeProcess()?.versions?.node) return "node";
  return "other";
}

/**
 * Reads an environment variable; `undefined` when unset or not readable (no permission).
 *
 * @param name Variable name.
 * @returns Its value.
 */
export function getEnv(name: string): string | undefined {
  const d = deno();
  if (d?.env) {
    try {
      return d.env.get(name);
    } catch {
      return undefined;
    }
  }
  const env = nodeProcess()?.env;
  if (env && Object.prototype.hasOwnProperty.call(env, name)) return env[name];
  return undefined;
}

/** The process's working directory, or `/` where there is none. @returns Absolute path. */
export function cwd(): string {
  try {
    const d = deno();
    if (d?.cwd) return d.cwd();
    const p = nodeProcess();
    if (p?.cwd) return p.cwd();
  } catch {
    // no read permission: fall through
  }
  return "/";
}

function wrapFsError(e: unknown, path: string): RuntimeFileError {
  const err = e as { name?: string; code?: string; message?: string };
  const notFound = err?.name === "NotFound" || err?.code === "ENOENT" || err?.code === "ENOTDIR";
  const permissionDenied = err?.name === "PermissionDenied" || err?.name === "NotCapable" ||
    err?.code === "EACCES" || err?.code === "EPERM";
  return new RuntimeFileError(
    notFound ? `No such file: ${path}` : `Cannot read ${path}: ${err?.message ?? String(e)}`,
    { notFound, permissionDenied, cause: e },
  );
}

/**
 * Reads a whole file.
 *
 * @param path File path.
 * @returns Its bytes.
 * @throws {RuntimeFileError} When it cannot be read.
 */
export function readFileSync(path: string): Uint8Array {
  try {
    const d = deno();
    if (d?.readFileSync) return d.readFileSync(path);
    return new Uint8Array(getNodeFs().readFileSync(path));
  } catch (e) {
    if (e instanceof RuntimeFileError) throw e;
    throw wrapFsError(e, path);
  }
}

/**
 * Reads a whole file as UTF-8 text (invalid sequences throw).
 *
 * @param path File path.
 * @returns Text.
 * @throws {RuntimeFileError} When it cannot be read or is not UTF-8.
 */
export function readTextFileSync(path: string): string {
  const bytes = readFileSync(path);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (e) {
    throw new RuntimeFileError(`File is not valid UTF-8: ${path}`, { cause: e });
  }
}

/**
 * The canonical path (symlinks followed).
 *
 * @param path A path.
 * @returns Absolute real path.
 * @throws {RuntimeFileError} When it does not exist or cannot be read.
 */
export function realPathSync(path: string): string {
  try {
    const d = deno();
    if (d?.realPathSync) return d.realPathSync(path);
    return getNodeFs().realpathSync(path);
  } catch (e) {
    if (e instanceof RuntimeFileError) throw e;
    throw wrapFsError(e, path);
  }
}

/**
 * File metadata, following symlinks; `undefined` when missing.
 *
 * @param path A path.
 * @returns Kind flags, or `undefined`.
 * @throws {RuntimeFileError} On failures other than "not found".
 */
export function statSync(path: string): FileInfo | undefined {
  try {
    const d = deno();
    if (d?.statSync) {
      const s = d.statSync(path);
      return { isFile: s.isFile, isDirectory: s.isDirectory, size: s.size };
    }
    const s = getNodeFs().statSync(path);
    return { isFile: s.isFile(), isDirectory: s.isDirectory(), size: s.size };
  } catch (e) {
    if (e instanceof RuntimeFileError) throw e;
    const w = wrapFsError(e, path);
    if (w.notFound) return undefined;
    throw w;
  }
}

/** One directory entry. */
export interface DirEntry {
  /** File name (no directory part). */
  name: string;
  /** A regular file (not following symlinks). */
  isFile: boolean;
  /** A directory (not following symlinks). */
  isDirectory: boolean;
  /** A symbolic link. */
  isSymlink: boolean;
}

interface NodeDirent {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/**
 * Lists a directory synchronously.
 *
 * @param path Directory path.
 * @returns Its entries, in no particular order.
 * @throws {Error} When it cannot be read, or the runtime has no file system.
 */
export function readDirSync(path: string): DirEntry[] {
  const d = deno();
  if (d?.readDirSync) {
    const out: DirEntry[] = [];
    for (const e of d.readDirSync(path)) {
      out.push({
        name: e.name,
        isFile: e.isFile,
        isDirectory: e.isDirectory,
        isSymlink: e.isSymlink,
      });
    }
    return out;
  }
  const fs = getNodeFs() as unknown as {
    readdirSync(p: string, o: { withFileTypes: true }): NodeDirent[];
  };
  return fs.readdirSync(path, { withFileTypes: true }).map((e) => ({
    name: e.name,
    isFile: e.isFile(),
    isDirectory: e.isDirectory(),
    isSymlink: e.isSymbolicLink(),
  }));
}
