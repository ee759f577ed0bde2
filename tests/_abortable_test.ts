// Tests of src/_abortable.ts: waiting for a promise until a signal aborts, work shared by
// several waiters, aborted only once every one of them gave up, and time limits. No real
// timers: abort controllers and the fake clock.

import assert from "node:assert/strict";
import {
  abortable,
  allAborted,
  isTimeLimit,
  MAX_TIMER_MS,
  SharedWork,
  timeLimited,
} from "../src/_abortable.ts";
import { installFakeClock } from "./_fake_clock.ts";

/** Work that settles only when its signal aborts (with the signal's reason). */
function heldWork(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
}

Deno.test("abortable() rejects with what reason() makes of the signal's reason", async () => {
  const controller = new AbortController();
  const waiting = abortable(new Promise(() => {}), controller.signal, (r) => new Error(`${r}!`));
  controller.abort("late");
  await assert.rejects(waiting, /late!/);
});

Deno.test("shared work: a waiter that gives up stops at once; the last one ends the work", async () => {
  const shared = new SharedWork();
  const work = heldWork(shared.signal);
  const a = new AbortController();
  const b = new AbortController();
  const first = shared.wait(work, a.signal, (r) => new Error(`first: ${r}`));
  const second = shared.wait(work, b.signal, (r) => new Error(`second: ${r}`));
  a.abort("gone");
  await assert.rejects(first, /first: gone/);
  assert.equal(shared.signal.aborted, false);
  b.abort("gone too");
  assert.equal(shared.signal.aborted, true);
  assert.equal(shared.signal.reason, "gone too");
  // The last waiter gets the work's own failure, not its stop error.
  await assert.rejects(second, (e) => e === "gone too");
});

Deno.test("shared work: a waiter without a signal keeps the work going", async () => {
  const shared = new SharedWork();
  const gate = Promise.withResolvers<string>();
  const a = new AbortController();
  const first = shared.wait(gate.promise, a.signal, () => new Error("first gave up"));
  const patient = shared.wait(gate.promise, undefined, () => new Error("never"));
  a.abort();
  await assert.rejects(first, /first gave up/);
  assert.equal(shared.signal.aborted, false);
  gate.resolve("done");
  assert.equal(await patient, "done");
});

Deno.test("shared work: a waiter whose signal already aborted gives up on joining", async () => {
  const shared = new SharedWork();
  const work = heldWork(shared.signal);
  const live = new AbortController();
  shared.join(live.signal);
  const late = AbortSignal.abort("too late");
  await assert.rejects(shared.wait(work, late, (r) => new Error(`${r}`)), /too late/);
  assert.equal(shared.signal.aborted, false, "another waiter is still there");
  live.abort();
  assert.equal(shared.signal.aborted, true);
  // Alone, such a waiter ends the work at once.
  const alone = new SharedWork();
  alone.join(AbortSignal.abort());
  assert.equal(alone.signal.aborted, true);
});

Deno.test("allAborted() counts a signal once, and waits for the live ones listed after aborted ones", () => {
  const a = new AbortController();
  const shared = allAborted([AbortSignal.abort(), a.signal, a.signal]);
  assert.equal(shared.signal.aborted, false);
  a.abort();
  assert.equal(shared.signal.aborted, true);
  assert.equal(allAborted([AbortSignal.abort(), AbortSignal.abort()]).signal.aborted, true);
  const forever = allAborted([undefined, AbortSignal.abort()]);
  assert.equal(forever.signal.aborted, false, "a caller without a signal never gives up");
});

Deno.test("after dispose() the work's signal no longer follows its waiters", () => {
  const a = new AbortController();
  const shared = allAborted([a.signal]);
  shared.dispose();
  a.abort();
  assert.equal(shared.signal.aborted, false);
});

Deno.test("isTimeLimit(): 0, NaN and delays past 2^31-1 ms limit nothing", () => {
  assert.deepEqual(
    [1, MAX_TIMER_MS, 0, -1, NaN, MAX_TIMER_MS + 1, Infinity].map(isTimeLimit),
    [true, true, false, false, false, false, false],
  );
});

Deno.test("timeLimited(): the time runs out on the fake clock; clear() disarms the timer", async () => {
  using clock = installFakeClock();
  const caller = new AbortController();
  const limited = timeLimited(caller.signal, 50, { reason: () => new Error("too slow") });
  assert.deepEqual(clock.pending(), [50]);
  await clock.advance(50);
  assert.equal(limited.timedOut, true);
  assert.match(String(limited.signal.reason), /too slow/);
  limited.clear();
  const early = timeLimited(caller.signal, 50, { reason: () => "never" });
  early.clear();
  assert.deepEqual(clock.pending(), [], "cleared: no timer left");
  await clock.advance(100);
  assert.equal(early.signal.aborted, false);
});

Deno.test("timeLimited(): the caller's abort passes through with its reason, not as a timeout", () => {
  using clock = installFakeClock();
  const caller = new AbortController();
  const limited = timeLimited(caller.signal, 50, { reason: () => "timeout" });
  caller.abort("caller left");
  assert.equal(limited.signal.reason, "caller left");
  assert.equal(limited.timedOut, false);
  limited.clear();
  // A limit that is none arms no timer; an aborted caller aborts it at once.
  const none = timeLimited(new AbortController().signal, MAX_TIMER_MS + 1, { reason: () => "x" });
  assert.deepEqual(clock.pending(), []);
  none.clear();
  assert.equal(
    timeLimited(AbortSignal.abort("gone"), 50, { reason: () => "x" }).signal.reason,
    "gone",
  );
});
