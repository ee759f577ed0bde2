// Test helpers for asynchronous code: macrotask ticks, waiting for a condition, a safety net that
// turns a hang into a failure, rejection capture, and a watcher for unhandled failures. Nothing
// here measures time: `noHang`'s limit is a safety net, never a timing assertion.

import assert from "node:assert/strict";
import { REAL_TIMERS } from "./_fake_clock.ts";

/** Safety net of {@linkcode noHang}: a hang fails the test instead of blocking the run. */
export const SAFETY_MS = 20_000;

/** Waits `n` macrotask turns (a fake clock does not hold them). */
export async function tick(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => REAL_TIMERS.setTimeout(r, 0));
}

/**
 * Waits (in macrotask turns, at most `max`) until `cond()` holds.
 *
 * @throws {AssertionError} If it still does not hold after `max` turns.
 */
export async function until(cond: () => boolean, max = 500): Promise<void> {
  for (let i = 0; i < max && !cond(); i++) await tick();
  assert.ok(cond(), "condition not reached");
}

/** The rejection of {@linkcode noHang}: the promise was still pending after the safety limit. */
export class HangError extends Error {
  override name = "HangError";
}

/**
 * Settles like `p`, or rejects with a {@linkcode HangError} if `p` is still pending after `ms`
 * real milliseconds (a fake clock does not hold this timer).
 */
export async function noHang<T>(p: Promise<T>, what: string, ms = SAFETY_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = REAL_TIMERS.setTimeout(
      () => reject(new HangError(`hang: ${what} still pending`)),
      ms,
    );
  });
  try {
    return await Promise.race([p, hang]);
  } finally {
    REAL_TIMERS.clearTimeout(timer);
  }
}

/**
 * Settles to the rejection reason of `p`.
 *
 * @throws {AssertionError} If `p` fulfils. {@linkcode HangError} if it never settles.
 */
export async function rejectionOf(p: Promise<unknown>, what = "the promise"): Promise<unknown> {
  try {
    await noHang(p, what);
  } catch (e) {
    if (e instanceof HangError) throw e;
    return e;
  }
  assert.fail(`${what} should have rejected`);
}

/** What {@linkcode watchGlobalFailures} recorded; `dispose()` stops recording. */
export interface GlobalFailures extends Disposable {
  /** Reasons of "unhandledrejection" events. */
  unhandled: unknown[];
  /** Errors of "error" events (uncaught exceptions). */
  uncaught: unknown[];
  /** Removes the listeners. */
  dispose(): void;
}

/** Records global "unhandledrejection" and "error" events (and keeps them from killing Deno). */
export function watchGlobalFailures(): GlobalFailures {
  const unhandled: unknown[] = [];
  const uncaught: unknown[] = [];
  const onRejection = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    unhandled.push(e.reason);
  };
  const onError = (e: ErrorEvent) => {
    e.preventDefault();
    uncaught.push(e.error ?? e.message);
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  globalThis.addEventListener("error", onError);
  const dispose = () => {
    globalThis.removeEventListener("unhandledrejection", onRejection);
    globalThis.removeEventListener("error", onError);
  };
  return { unhandled, uncaught, dispose, [Symbol.dispose]: dispose };
}
