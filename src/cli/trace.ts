/**
 * `--trace` waterfall and the TTY progress line of the `holoconf` CLI.
 *
 * Both consume the events of `LoadOptions.onTrace`: one per resolver invocation, after it
 * settles. Neither ever shows a value: only resolver names, keys (already `[REDACTED]` when
 * sensitive), paths and times.
 *
 * @module
 */

import type { TraceEvent } from "../../mod.ts";
import { makeStyle } from "./format.ts";

/** One settled resolver call: the `LoadOptions.onTrace` event of the public API. */
export type ResolverTraceEvent = TraceEvent;

/** Options of {@linkcode formatWaterfall}. */
export interface WaterfallOptions {
  /** Bar width in columns. @default {40} */
  width?: number;
  /** Emit ANSI colours. @default {false} */
  color?: boolean;
  /** Text shown for an event's key. @default {the key, made single-line and shortened} */
  describeKey?: (event: ResolverTraceEvent) => string;
}

const MAX_KEY_LENGTH = 60;

/**
 * Makes a key printable on one line: control characters escaped, at most 60 characters.
 *
 * @param key The key.
 * @returns Printable text.
 *
 * @example
 * ```ts
 * import { printableKey } from "./trace.ts";
 * import assert from "node:assert/strict";
 * assert.equal(printableKey("a\nb"), "a\\nb");
 * ```
 */
export function printableKey(key: string): string {
  const flat = oneLine(key);
  return flat.length > MAX_KEY_LENGTH ? flat.slice(0, MAX_KEY_LENGTH - 1) + "…" : flat;
}

/** Control characters (line breaks, escape codes) as `\n`, `\t`, `\r` or `?`. */
function oneLine(text: string): string {
  const escapes: Record<string, string> = { "\n": "\\n", "\t": "\\t", "\r": "\\r" };
  let flat = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    flat += code < 0x20 || code === 0x7f ? (escapes[c] ?? "?") : c;
  }
  return flat;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

/**
 * Renders resolver calls as a waterfall: one line per call sorted by start, with the offset
 * from the first start, the duration, a bar scaled to the whole span, resolver and key.
 *
 * @param events Settled calls, in any order.
 * @param options Width and colour.
 * @returns Text ending with a newline (a single notice line when there were no calls).
 *
 * @example Two calls
 * ```ts
 * import { formatWaterfall } from "./trace.ts";
 * import assert from "node:assert/strict";
 * const text = formatWaterfall([
 *   { resolver: "env", key: "HOME", path: "home", start: 10, end: 12, outcome: "ok" },
 *   { resolver: "ssm", key: "/a", path: "a", start: 10, end: 30, outcome: "ok" },
 * ], { width: 10 });
 * assert.match(text, /2 resolver calls over 20\.0 ms/);
 * assert.match(text, /ssm \/a/);
 * ```
 */
export function formatWaterfall(
  events: readonly ResolverTraceEvent[],
  options: WaterfallOptions = {},
): string {
  const width = Math.max(1, Math.floor(options.width ?? 40));
  const style = makeStyle(options.color ?? false);
  const describeKey = options.describeKey ?? ((e: ResolverTraceEvent) => printableKey(e.key));
  if (events.length === 0) return style.dim("trace: no resolver calls") + "\n";
  const sorted = [...events].sort((a, b) => a.start - b.start || a.end - b.end);
  const t0 = sorted[0]!.start;
  const t1 = Math.max(...sorted.map((e) => e.end));
  const span = t1 - t0;
  const lines = [
    style.bold(
      `trace: ${sorted.length} resolver call${sorted.length === 1 ? "" : "s"} over ${ms(span)}`,
    ),
  ];
  const offsets = sorted.map((e) => `+${ms(e.start - t0)}`);
  const durations = sorted.map((e) => ms(Math.max(0, e.end - e.start)));
  const offsetWidth = Math.max(...offsets.map((s) => s.length));
  const durationWidth = Math.max(...durations.map((s) => s.length));
  sorted.forEach((e, i) => {
    let from = span > 0 ? Math.floor(((e.start - t0) / span) * width) : 0;
    let to = span > 0 ? Math.ceil(((e.end - t0) / span) * width) : width;
    from = Math.min(from, width - 1);
    to = Math.min(width, Math.max(to, from + 1));
    const bar = " ".repeat(from) + "█".repeat(to - from) + " ".repeat(width - to);
    const colouredBar = e.outcome === "ok"
      ? style.green(bar)
      : e.outcome === "not_found"
      ? style.yellow(bar)
      : style.red(bar);
    const mark = e.outcome === "ok"
      ? ""
      : e.outcome === "not_found"
      ? " " + style.yellow("not found")
      : " " + style.red(`✗ ${e.outcome}`);
    lines.push(
      `  ${offsets[i]!.padStart(offsetWidth)}  ${durations[i]!.padStart(durationWidth)}  ` +
        `│${colouredBar}│ ${e.resolver} ${describeKey(e)}${
          style.dim(` (${oneLine(e.path)})`)
        }${mark}`,
    );
  });
  return lines.join("\n") + "\n";
}

/** Timer functions, injectable for tests. */
export interface ProgressClock {
  /** Current time in ms. */
  now(): number;
  /** Like `setTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Like `clearTimeout`. */
  clearTimeout(handle: unknown): void;
  /** Like `setInterval`. */
  setInterval(fn: () => void, ms: number): unknown;
  /** Like `clearInterval`. */
  clearInterval(handle: unknown): void;
}

/** The real clock. */
export const SYSTEM_CLOCK: ProgressClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as number),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as number),
};

/** Options of {@linkcode startProgress}. */
export interface ProgressOptions {
  /** Writes to the terminal (stderr). */
  write: (text: string) => void;
  /** Number of resolver calls settled so far. */
  settled: () => number;
  /** Show nothing before this many ms. @default {1000} */
  delay?: number;
  /** Redraw period in ms. @default {250} */
  interval?: number;
  /** Timers. @default {SYSTEM_CLOCK} */
  clock?: ProgressClock;
}

/** A running progress line; `stop()` clears it. */
export interface Progress {
  /** Stops redrawing and erases the line if one was drawn. */
  stop(): void;
}

/**
 * Shows `⋯ resolving: N calls done, T s` on one terminal line (redrawn with `\r`) once an
 * operation has lasted longer than `delay`, and erases it on `stop()`. Call it only when
 * stderr is a TTY.
 *
 * @param options Writer, counter and timers.
 * @returns A handle whose `stop()` ends it.
 *
 * @example Nothing is written for a fast operation
 * ```ts
 * import { startProgress } from "./trace.ts";
 * import assert from "node:assert/strict";
 * let out = "";
 * const p = startProgress({ write: (t) => (out += t), settled: () => 0 });
 * p.stop();
 * assert.equal(out, "");
 * ```
 *
 * @example A slow operation shows a line, and stop() erases it
 * ```ts
 * import { startProgress } from "./trace.ts";
 * import assert from "node:assert/strict";
 * let now = 0;
 * let due: (() => void) | undefined;
 * const clock = {
 *   now: () => now,
 *   setTimeout: (fn: () => void) => (due = fn),
 *   clearTimeout: () => {},
 *   setInterval: () => 0,
 *   clearInterval: () => {},
 * };
 * let out = "";
 * const p = startProgress({ write: (t) => (out += t), settled: () => 3, clock });
 * now = 1500;
 * due!(); // the 1 s delay has passed
 * assert.equal(out, "\r\x1b[2K⋯ resolving: 3 calls done, 1.5 s");
 * p.stop();
 * assert.ok(out.endsWith("\r\x1b[2K"));
 * ```
 */
export function startProgress(options: ProgressOptions): Progress {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const started = clock.now();
  let drawn = false;
  let interval: unknown;
  const draw = () => {
    const n = options.settled();
    const seconds = ((clock.now() - started) / 1000).toFixed(1);
    options.write(`\r\x1b[2K⋯ resolving: ${n} call${n === 1 ? "" : "s"} done, ${seconds} s`);
    drawn = true;
  };
  const timeout = clock.setTimeout(() => {
    draw();
    interval = clock.setInterval(draw, options.interval ?? 250);
  }, options.delay ?? 1000);
  return {
    stop() {
      clock.clearTimeout(timeout);
      if (interval !== undefined) clock.clearInterval(interval);
      if (drawn) options.write("\r\x1b[2K");
    },
  };
}
