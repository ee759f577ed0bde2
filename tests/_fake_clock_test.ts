// Tests of the test helper tests/_fake_clock.ts: the fake clock that timeout tests rely on.

import assert from "node:assert/strict";
import { installFakeClock, REAL_TIMERS } from "./_fake_clock.ts";
import { tick, until } from "./_async.ts";

Deno.test("a fake timer fires only when advance() reaches its delay, soonest first", async () => {
  using clock = installFakeClock();
  const fired: string[] = [];
  setTimeout(() => fired.push("b@20"), 20);
  setTimeout(() => fired.push("a@10"), 10);
  setTimeout((x: string) => fired.push(x), 20, "c@20");
  assert.deepEqual(clock.pending(), [10, 20, 20]);
  await clock.advance(9);
  assert.deepEqual(fired, []);
  await clock.advance(1);
  assert.deepEqual(fired, ["a@10"]);
  assert.equal(clock.now, 10);
  await clock.advance(100);
  assert.deepEqual(fired, ["a@10", "b@20", "c@20"]);
  assert.deepEqual(clock.pending(), []);
});

Deno.test("a timer armed by a firing timer fires in the same advance() if it falls due", async () => {
  using clock = installFakeClock();
  const at: number[] = [];
  setTimeout(() => {
    at.push(clock.now);
    setTimeout(() => at.push(clock.now), 5);
  }, 5);
  await clock.advance(10);
  assert.deepEqual(at, [5, 10]);
});

Deno.test("clearTimeout cancels a fake timer, and restore() puts the real timers back", async () => {
  const clock = installFakeClock();
  let fired = false;
  const handle = setTimeout(() => fired = true, 5);
  clearTimeout(handle);
  await clock.advance(5);
  assert.equal(fired, false);
  assert.throws(() => installFakeClock(), /already installed/);
  clock.restore();
  assert.equal(globalThis.setTimeout, REAL_TIMERS.setTimeout);
  assert.equal(globalThis.clearTimeout, REAL_TIMERS.clearTimeout);
  assert.equal(AbortSignal.timeout, REAL_TIMERS.abortSignalTimeout);
  installFakeClock().restore(); // installable again
});

Deno.test("AbortSignal.timeout aborts on advance() with a TimeoutError", async () => {
  using clock = installFakeClock();
  const signal = AbortSignal.timeout(30);
  await clock.advance(29);
  assert.equal(signal.aborted, false);
  await clock.advance(1);
  assert.equal(signal.aborted, true);
  assert.ok(signal.reason instanceof DOMException);
  assert.equal(signal.reason.name, "TimeoutError");
});

Deno.test("a zero delay runs on the real timer: a macrotask turn, not time", async () => {
  using clock = installFakeClock();
  let fired = false;
  setTimeout(() => fired = true, 0);
  assert.deepEqual(clock.pending(), []);
  await until(() => fired);
  await tick();
  assert.equal(clock.now, 0);
});
