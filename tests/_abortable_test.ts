// Tests of src/_abortable.ts: waiting for a promise until a signal aborts, and work shared by
// several waiters, aborted only once every one of them gave up. No timers: abort controllers.

import assert from "node:assert/strict";
import { abortable, allAborted, SharedWork } from "../src/_abortable.ts";

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
