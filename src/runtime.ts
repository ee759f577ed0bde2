/**
 * The one place that knows which runtime we run on (Deno, Node, an edge runtime).
 * Everything else asks this module for environment variables and files. Nothing here
 * touches the file system or imports a runtime module at load time.
 *
 * @module
 */

import { MAX_TIMER_MS } from "./_abortable.ts";

/** File metadata the library needs. */
export interface FileInfo {
  /** A regular file. */
  isFile: boolean;
  /** A directory. */
  isDirectory: boolean;
  /** Size in bytes. */
  size?: number;
  /** Device of the file system holding it, where the runtime reports one. */
  dev?: number;
  /** Inode number, where the runtime reports one (with `dev`, the file's identity). */
  ino?: number;
  /** Last modification, ms since the epoch, where the runtime reports it. */
  mtimeMs?: number;
  /** Last status change (written, renamed, linked), ms since the epoch, where reported. */
  ctimeMs?: number;
}

/** Thrown by the file helpers; `notFound` tells a missing file from other failures. */
export class RuntimeFileError extends Error {
  /** The file (or a component of its path) does not exist. */
  notFound: boolean;
  /** No permission from the OS or the runtime sandbox. */
  permissionDenied: boolean;
  /** The path names a directory, FIFO, socket or device (refused: never read). */
  notRegular: boolean;

  /**
   * @param message Text.
   * @param options Kind flags and cause.
   */
  constructor(
    message: string,
    options: {
      notFound?: boolean;
      permissionDenied?: boolean;
      notRegular?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RuntimeFileError";
    this.notFound = options.notFound ?? false;
    this.permissionDenied = options.permissionDenied ?? false;
    this.notRegular = options.notRegular ?? false;
  }
}

// deno-lint-ignore no-explicit-any
type AnyRecord = any;

interface NodeStats {
  isFile(): boolean;
  isDirectory(): boolean;
  size: number;
  dev: number;
  ino: number;
  mtimeMs: number;
  ctimeMs: number;
}

interface NodeFs {
  readFileSync(path: string): Uint8Array;
  realpathSync(path: string): string;
  statSync(path: string): NodeStats;
  openSync(path: string, flags: number): number;
  fstatSync(fd: number): NodeStats;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: null): number;
  closeSync(fd: number): void;
  constants: { O_RDONLY: number; O_NONBLOCK?: number; O_NOCTTY?: number };
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

type NodeRequire = (id: string) => unknown;
let nodeRequire: NodeRequire | undefined;

/**
 * A CommonJS package loaded with Node's own `require`, resolved from this module's location (the
 * npm package's files; in a user's bundle, the bundle's). On Node, `import()` of a CommonJS
 * package goes through the ESM loader's CommonJS translator, which scans the source for its
 * exports and sets up the CommonJS loader for it: ≈ 6 ms more than `require` in a fresh process
 * (`aws4`). The caller keeps its literal `import()` for every other case, which bundlers follow.
 *
 * @param specifier A package the library depends on, e.g. `aws4`.
 * @returns Its exports; undefined when this is not Node, or the package cannot be found from
 *   here (a bundle that contains it).
 * @throws {unknown} What loading the package throws, other than not finding it.
 *
 * @example Deno has no `require`
 * ```ts
 * import { requireOnNode } from "./runtime.ts";
 * import assert from "node:assert/strict";
 * assert.equal(requireOnNode("aws4"), undefined);
 * ```
 */
export function requireOnNode(specifier: string): unknown {
  if (runtimeName() !== "node") return undefined;
  if (nodeRequire === undefined) {
    const module = nodeBuiltin<{ createRequire(from: string): NodeRequire }>("node:module");
    if (module === undefined) return undefined;
    nodeRequire = module.createRequire(import.meta.url);
  }
  try {
    return nodeRequire(specifier);
  } catch (e) {
    if ((e as { code?: unknown })?.code === "MODULE_NOT_FOUND") return undefined;
    throw e;
  }
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

/**
 * Every environment variable, for the overrides read by prefix (`LoadOptions.envPrefix`).
 *
 * @returns Name and value pairs; `undefined` when the environment cannot be listed (Deno
 *   without `--allow-env` for all variables, a runtime without an environment).
 */
export function envEntries(): [string, string][] | undefined {
  const d = deno();
  if (d?.env) {
    try {
      return Object.entries(d.env.toObject() as Record<string, string>);
    } catch {
      return undefined;
    }
  }
  const env = nodeProcess()?.env;
  if (!env) return undefined;
  return Object.entries(env as Record<string, string | undefined>).filter(
    (e): e is [string, string] => typeof e[1] === "string",
  );
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
  return decodeUtf8File(readFileSync(path), path);
}

/**
 * Decodes a file's bytes as UTF-8 text; a byte order mark is dropped, invalid sequences throw.
 *
 * @param bytes The file's bytes.
 * @param path The file, for the error message.
 * @returns Text.
 * @throws {RuntimeFileError} When the bytes are not UTF-8.
 */
export function decodeUtf8File(bytes: Uint8Array, path: string): string {
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
    return d?.statSync ? denoInfo(d.statSync(path)) : nodeInfo(getNodeFs().statSync(path));
  } catch (e) {
    if (e instanceof RuntimeFileError) throw e;
    const w = wrapFsError(e, path);
    if (w.notFound) return undefined;
    throw w;
  }
}

function denoInfo(s: AnyRecord): FileInfo {
  const info: FileInfo = { isFile: s.isFile, isDirectory: s.isDirectory, size: s.size };
  if (typeof s.dev === "number" && typeof s.ino === "number") {
    info.dev = s.dev;
    info.ino = s.ino;
  }
  if (s.mtime instanceof Date) info.mtimeMs = s.mtime.getTime();
  if (s.ctime instanceof Date) info.ctimeMs = s.ctime.getTime();
  return info;
}

function nodeInfo(s: NodeStats): FileInfo {
  return {
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    size: s.size,
    dev: s.dev,
    ino: s.ino,
    mtimeMs: s.mtimeMs,
    ctimeMs: s.ctimeMs,
  };
}

/** A regular file opened for reading by {@linkcode openRegularFileSync}. */
export interface OpenedFile {
  /** Metadata of the opened file itself (from the handle), not of what its path names now. */
  readonly info: FileInfo;
  /**
   * Reads from the current position to the end of the file, but never more than `maxBytes`
   * bytes: pass a limit plus one to tell a file over the limit from one exactly at it.
   *
   * @param maxBytes Most bytes to read.
   * @returns The bytes read.
   * @throws {RuntimeFileError} When reading fails.
   */
  read(maxBytes: number): Uint8Array;
  /** Closes the handle (once; later calls do nothing). */
  close(): void;
}

/** Reads into `buf`; 0 at the end of the file. */
type ReadInto = (buf: Uint8Array) => number;

/**
 * Opens a regular file for reading; directories, FIFOs, sockets and devices are refused.
 *
 * The path is checked with `stat` first, so that in the ordinary case nothing else is ever
 * opened (opening a device can have effects, opening a FIFO waits for a writer). Then the file
 * is opened and the handle itself checked again, so a path swapped for something else between
 * the two steps is refused too, and every later read goes through that handle. On Node the
 * file is opened with `O_NONBLOCK`, so even a FIFO swapped in at that moment does not block;
 * Deno has no such flag: there, a FIFO swapped in between the `stat` and the `open` makes the
 * open wait for a writer (it is still never read).
 *
 * @param path File path (symlinks are followed).
 * @returns The open file; call `close()` when done.
 * @throws {RuntimeFileError} `notFound`, `permissionDenied`, `notRegular`, or another failure.
 *
 * @example Read a file of at most 1 KiB
 * ```ts
 * import { openRegularFileSync } from "./runtime.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/a.txt`, "hello");
 * const file = openRegularFileSync(`${dir}/a.txt`);
 * try {
 *   assert.equal(file.info.size, 5);
 *   assert.equal(new TextDecoder().decode(file.read(1025)), "hello");
 * } finally {
 *   file.close();
 * }
 * assert.throws(() => openRegularFileSync(dir), (e: { notRegular?: boolean }) => e.notRegular);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function openRegularFileSync(path: string): OpenedFile {
  const before = statSync(path);
  if (before === undefined) throw new RuntimeFileError(`No such file: ${path}`, { notFound: true });
  if (!before.isFile) throw notRegularFile(path);
  const d = deno();
  let info: FileInfo;
  let readInto: ReadInto;
  let closeHandle: () => void;
  try {
    if (d?.openSync) {
      const file = d.openSync(path, { read: true });
      closeHandle = () => file.close();
      readInto = (buf) => file.readSync(buf) ?? 0;
      info = statOpened(() => denoInfo(file.statSync()), closeHandle);
    } else {
      const fs = getNodeFs();
      const c = fs.constants;
      const fd = fs.openSync(path, c.O_RDONLY | (c.O_NONBLOCK ?? 0) | (c.O_NOCTTY ?? 0));
      closeHandle = () => fs.closeSync(fd);
      readInto = (buf) => fs.readSync(fd, buf, 0, buf.length, null);
      info = statOpened(() => nodeInfo(fs.fstatSync(fd)), closeHandle);
    }
  } catch (e) {
    if (e instanceof RuntimeFileError) throw e;
    throw wrapFsError(e, path);
  }
  if (!info.isFile) {
    closeHandle();
    throw notRegularFile(path);
  }
  let open = true;
  return {
    info,
    read: (maxBytes) => {
      try {
        return readAtMost(readInto, maxBytes, info.size ?? 0);
      } catch (e) {
        throw wrapFsError(e, path);
      }
    },
    close: () => {
      if (!open) return;
      open = false;
      closeHandle();
    },
  };
}

/** Stats an open handle, closing it when that fails. */
function statOpened(stat: () => FileInfo, close: () => void): FileInfo {
  try {
    return stat();
  } catch (e) {
    close();
    throw e;
  }
}

function notRegularFile(path: string): RuntimeFileError {
  return new RuntimeFileError(`Not a regular file: ${path}`, { notRegular: true });
}

/** Reads until the end of the file or `maxBytes`, growing one buffer (first sized by `hint`). */
function readAtMost(readInto: ReadInto, maxBytes: number, hint: number): Uint8Array {
  let buf = new Uint8Array(Math.min(maxBytes, Math.max(hint + 1, 64 * 1024)));
  let length = 0;
  while (length < maxBytes) {
    if (length === buf.length) {
      const bigger = new Uint8Array(Math.min(maxBytes, buf.length * 2));
      bigger.set(buf);
      buf = bigger;
    }
    const n = readInto(buf.subarray(length));
    if (n === 0) break;
    length += n;
  }
  return buf.subarray(0, length);
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

/**
 * Runs `run` on a later macrotask, once every promise reaction queued before it has run:
 * `setImmediate` where the runtime has it (Node, Bun, Deno), else `setTimeout(run, 0)`. An
 * immediate runs right after the current turn of the event loop; a zero-delay timeout waits for
 * the next timer phase (≥ 1 ms on Node, ≈ 2.5 ms on Deno), and a fresh process's first batch of
 * AWS requests waits for it.
 *
 * @param run What to run.
 *
 * @example
 * ```ts
 * import { nextMacrotask } from "./runtime.ts";
 * import assert from "node:assert/strict";
 * const order: string[] = [];
 * const done = new Promise<void>((resolve) => {
 *   nextMacrotask(() => {
 *     order.push("macrotask");
 *     resolve();
 *   });
 * });
 * queueMicrotask(() => order.push("microtask"));
 * await done;
 * assert.deepEqual(order, ["microtask", "macrotask"]);
 * ```
 */
export function nextMacrotask(run: () => void): void {
  const immediate = (globalThis as { setImmediate?: unknown }).setImmediate;
  if (typeof immediate === "function") (immediate as (run: () => void) => unknown)(run);
  else setTimeout(run, 0);
}

/**
 * `setTimeout` for background work: the delay capped at what runtimes honour (a later time is
 * reached by the caller arming again), and the timer unref'd.
 *
 * @param run What to run.
 * @param ms Delay in ms.
 * @returns The timer, for `clearTimeout`.
 */
export function backgroundTimer(run: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(run, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
  unrefTimer(timer);
  return timer;
}

/**
 * Lets a timer run without keeping the process alive (Deno, Node, and timer objects with an
 * `unref` method); elsewhere it does nothing.
 *
 * @param timer What `setTimeout` returned.
 */
export function unrefTimer(timer: unknown): void {
  try {
    const unref = (timer as { unref?: unknown } | null)?.unref;
    if (typeof unref === "function") {
      unref.call(timer);
      return;
    }
    const d = deno();
    if (typeof timer === "number" && typeof d?.unrefTimer === "function") d.unrefTimer(timer);
  } catch {
    // A timer that cannot be unref'd keeps the process alive until it fires or is cleared.
  }
}

/** A running watch, see {@linkcode watchPaths}. */
export interface PathWatch {
  /** Stops watching (once; later calls do nothing). */
  close(): void;
}

/** Options of {@linkcode watchPaths}. */
export interface WatchPathsOptions {
  /** How often the paths are checked when polling, in ms. */
  interval: number;
  /** Where a watcher that stops on an error reports it. */
  onError?: (error: unknown) => void;
  /**
   * How to watch: `node`, `node:fs` `watch` on the paths' directories (Node's default);
   * `poll`, a `stat` of each path every `interval` ms (the default elsewhere).
   */
  api?: "node" | "poll";
}

/**
 * Watches files for any change: written, created, deleted, renamed, replaced (by another
 * file, a symlink, a FIFO). Never keeps the process alive, and never opens what it watches.
 *
 * On Node, `node:fs` `watch` on the files' directories (any change in them counts). Elsewhere
 * the paths are polled with `stat`: Deno's watcher (`Deno.watchFs`, and its `node:fs` `watch`)
 * opens each changed file to compare its content, and a FIFO created in a watched directory
 * blocks it forever, and the process's exit with it (Deno 2.9).
 *
 * @param target The files (they may be missing: their creation is a change) and their
 *   directories.
 * @param onChange Called for each change seen (several per edit, as reported).
 * @param options `interval`, error sink, API.
 * @returns The watch; `close()` it when done.
 * @throws {RuntimeFileError} When `node:fs` cannot watch a directory (no permission).
 */
export function watchPaths(
  target: { files: readonly string[]; dirs: readonly string[] },
  onChange: () => void,
  options: WatchPathsOptions,
): PathWatch {
  const api = options.api ??
    (deno() === undefined && nodeProcess() !== undefined ? "node" : "poll");
  const onError = options.onError ?? (() => {});
  if (api === "poll") return pollPaths(target.files, onChange, options.interval, onError);
  try {
    return watchWithNode(target.dirs, onChange, onError);
  } catch (e) {
    if (e instanceof RuntimeFileError) throw e;
    throw wrapFsError(e, target.dirs.join(", "));
  }
}

/** What identifies a state of a path: missing, or kind, identity, size and times. */
function signature(path: string): string {
  let info: FileInfo | undefined;
  try {
    info = statSync(path);
  } catch (e) {
    return `error:${e instanceof RuntimeFileError && e.permissionDenied ? "denied" : "other"}`;
  }
  if (info === undefined) return "missing";
  return [
    info.isFile ? "f" : info.isDirectory ? "d" : "o",
    info.dev,
    info.ino,
    info.size,
    info.mtimeMs,
    info.ctimeMs,
  ].join(":");
}

function pollPaths(
  paths: readonly string[],
  onChange: () => void,
  interval: number,
  onError: (error: unknown) => void,
): PathWatch {
  const seen = new Map(paths.map((p) => [p, signature(p)]));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let open = true;
  const poll = () => {
    timer = undefined;
    if (!open) return;
    let changed = false;
    for (const p of paths) {
      const now = signature(p);
      if (now !== seen.get(p)) {
        seen.set(p, now);
        changed = true;
      }
    }
    if (changed) {
      try {
        onChange();
      } catch (e) {
        onError(e);
      }
    }
    arm();
  };
  const arm = () => {
    if (open) timer = backgroundTimer(poll, interval);
  };
  arm();
  return {
    close: () => {
      open = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}

interface NodeWatcher {
  close(): void;
  unref?(): void;
  on(event: "error", listener: (error: unknown) => void): void;
}

function watchWithNode(
  dirs: readonly string[],
  onChange: () => void,
  onError: (error: unknown) => void,
): PathWatch {
  const fs = getNodeFs() as unknown as {
    watch(path: string, options: { persistent: boolean }, listener: () => void): NodeWatcher;
  };
  const watchers: NodeWatcher[] = [];
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    for (const w of watchers) {
      try {
        w.close();
      } catch {
        // Already closed.
      }
    }
  };
  try {
    for (const dir of dirs) {
      if (statSync(dir)?.isDirectory !== true) continue;
      const w = fs.watch(dir, { persistent: false }, () => {
        if (open) onChange();
      });
      w.unref?.();
      w.on("error", (e) => {
        if (open) onError(e);
      });
      watchers.push(w);
    }
  } catch (e) {
    close();
    throw e;
  }
  return { close };
}
