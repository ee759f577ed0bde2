/**
 * Entry point of the `holoconf` command: the only CLI file that touches the process
 * (arguments, `NO_COLOR`, terminals, files, exit code). Runs on Deno (`deno task cli`) and on
 * Node 20+ (the npm `bin`), where `node:fs` is loaded only when `Deno` is absent.
 *
 * @module
 */

import { MAX_CONFIG_FILE_BYTES } from "../../mod.ts";
import { type CliIo, runCli } from "./cli.ts";

interface Host {
  args: string[];
  env(name: string): string | undefined;
  isTerminal(fd: 1 | 2): boolean;
  write(fd: 1 | 2, bytes: Uint8Array): number;
  stdin(): AsyncIterable<Uint8Array>;
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  exit(code: number): void;
}

// deno-lint-ignore no-explicit-any
type Any = any;

// Node's built-ins by computed specifier: Deno would otherwise prepare them at start-up even where
// they are not used (the `node:fs` of the Node branch; `node:util` when no command needs it).
const nodeModule = (name: string): Promise<Any> => import(`node:${name}`);

async function host(): Promise<Host> {
  const deno = (globalThis as Any).Deno;
  if (deno !== undefined) {
    return {
      args: deno.args,
      env: (name) => {
        try {
          return deno.env.get(name);
        } catch {
          return undefined; // no --allow-env
        }
      },
      isTerminal: (fd) => (fd === 1 ? deno.stdout : deno.stderr).isTerminal(),
      write: (fd, bytes) => (fd === 1 ? deno.stdout : deno.stderr).writeSync(bytes),
      stdin: () => deno.stdin.readable,
      readFile: (path) => deno.readTextFileSync(path),
      writeFile: (path, text) => deno.writeTextFileSync(path, text),
      exit: (code) => deno.exit(code),
    };
  }
  const process = (globalThis as Any).process;
  const fs: typeof import("node:fs") = await nodeModule("fs");
  const tty: typeof import("node:tty") = await nodeModule("tty");
  return {
    args: process.argv.slice(2),
    env: (name) => process.env[name],
    isTerminal: (fd) => tty.isatty(fd),
    write: (fd, bytes) => {
      try {
        return fs.writeSync(fd, bytes);
      } catch (error) {
        if ((error as { code?: string }).code === "EAGAIN") return 0;
        throw error;
      }
    },
    stdin: () => process.stdin,
    readFile: (path) => fs.readFileSync(path, "utf8"),
    writeFile: (path, text) => fs.writeFileSync(path, text),
    exit: (code) => process.exit(code),
  };
}

/**
 * All of standard input as UTF-8 text, refused beyond the loader's limit for a config file
 * ({@linkcode MAX_CONFIG_FILE_BYTES}): a config is a config, wherever it comes from.
 */
async function readStdin(h: Host): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  for await (const chunk of h.stdin()) {
    size += chunk.length;
    if (size > MAX_CONFIG_FILE_BYTES) {
      throw new Error(
        `Standard input is larger than ${MAX_CONFIG_FILE_BYTES} bytes ` +
          `(${MAX_CONFIG_FILE_BYTES / 1024 / 1024} MiB), the limit of a config file`,
      );
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * A write to a pipe whose reader has gone (`holoconf dump big.yaml | head -2`): EPIPE on Node,
 * BrokenPipe on Deno (both runtimes ignore SIGPIPE, so the write fails instead of killing us).
 */
function isClosedPipe(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown } | null;
  return e?.code === "EPIPE" || e?.name === "BrokenPipe";
}

/** Streams whose reader has gone: what would go there is dropped, quietly. */
const closed = new Set<1 | 2>();

function writeAll(h: Host, fd: 1 | 2, text: string): void {
  if (closed.has(fd)) return;
  let bytes = new TextEncoder().encode(text);
  while (bytes.length > 0) {
    let n: number;
    try {
      n = h.write(fd, bytes);
    } catch (error) {
      if (!isClosedPipe(error)) throw error;
      closed.add(fd);
      return;
    }
    bytes = bytes.subarray(n);
  }
}

const h = await host();
const noColor = h.env("NO_COLOR");
const io: CliIo = {
  stdout: (text) => writeAll(h, 1, text),
  stderr: (text) => writeAll(h, 2, text),
  isTty: h.isTerminal(1),
  stderrIsTty: h.isTerminal(2),
  noColor: noColor !== undefined && noColor !== "",
  readFile: (path) => h.readFile(path),
  readStdin: () => readStdin(h),
  writeFile: (path, text) => h.writeFile(path, text),
  cwd: ".",
  env: (name) => h.env(name),
  // The general argument parser, on first use (the simple `get` form never needs it).
  argParser: async () => (await nodeModule("util") as typeof import("node:util")).parseArgs,
};
let code: number;
try {
  // `deno task cli -- get ...` passes the `--` through: it separates nothing here.
  const args = h.args[0] === "--" ? h.args.slice(1) : h.args;
  code = await runCli(args, io);
} catch (error) {
  // A bug, not a user error: show it and fail.
  io.stderr(`Internal error: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  code = 1;
}
h.exit(code);
