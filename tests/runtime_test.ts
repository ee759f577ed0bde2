// Tests of the runtime adapter's live parts (src/runtime.ts): timers that never keep the process
// alive, and file watches: polled (on the fake clock) and through node:fs (real events, awaited,
// never timed; the limit on waiting is a safety net only).

import assert from "node:assert/strict";
import {
  backgroundTimer,
  nextMacrotask,
  type PathWatch,
  unrefTimer,
  watchPaths,
} from "../src/runtime.ts";
import { installFakeClock, recordTimeouts } from "./_fake_clock.ts";
import { CAN_MAKE_FIFO, makeFifo } from "./_special_files.ts";
import { SAFETY_MS, tick, until } from "./_async.ts";

/** Runs `script` in a fresh Deno process: it must print "done" and exit by itself. */
async function assertExitsAlone(script: string): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(SAFETY_MS), // a process kept alive is killed, and fails
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(new TextDecoder().decode(out.stdout), "done\n");
}

const RUNTIME = JSON.stringify(new URL("../src/runtime.ts", import.meta.url).href);

Deno.test("nextMacrotask runs after the promise reactions queued before and after it, through setImmediate", async () => {
  const order: string[] = [];
  let done: Promise<void>;
  let timeouts: unknown[];
  {
    using recorded = recordTimeouts();
    timeouts = recorded.delays;
    Promise.resolve().then(() => order.push("before"));
    done = new Promise<void>((resolve) => {
      nextMacrotask(() => {
        order.push("macrotask");
        resolve();
      });
    });
    Promise.resolve().then(() => Promise.resolve()).then(() => order.push("after, two hops"));
  }
  await done;
  assert.deepEqual(order, ["before", "after, two hops", "macrotask"]);
  assert.deepEqual(timeouts, [], "an immediate, not a zero-delay timer");
});

Deno.test("nextMacrotask falls back to setTimeout(0) where there is no setImmediate", async () => {
  const g = globalThis as { setImmediate?: unknown };
  const own = Object.getOwnPropertyDescriptor(globalThis, "setImmediate");
  let ran: Promise<void>;
  let timeouts: unknown[];
  Object.defineProperty(globalThis, "setImmediate", { value: undefined, configurable: true });
  try {
    using recorded = recordTimeouts();
    timeouts = recorded.delays;
    assert.equal(g.setImmediate, undefined);
    ran = new Promise<void>((resolve) => nextMacrotask(resolve));
  } finally {
    if (own === undefined) delete g.setImmediate;
    else Object.defineProperty(globalThis, "setImmediate", own);
  }
  await ran;
  assert.deepEqual(timeouts, [0]);
  assert.equal(typeof g.setImmediate, "function", "restored");
});

Deno.test("unrefTimer calls a timer object's unref and ignores what it cannot unref", () => {
  let unrefs = 0;
  unrefTimer({ unref: () => unrefs++ });
  assert.equal(unrefs, 1);
  unrefTimer(undefined);
  unrefTimer({
    unref: () => {
      throw new Error("no");
    },
  });
  const timer = setTimeout(() => {}, 60_000);
  unrefTimer(timer); // Deno: a timer id
  clearTimeout(timer);
});

Deno.test("backgroundTimer caps a delay longer than runtimes honour instead of firing at once", async () => {
  using clock = installFakeClock();
  let fired = 0;
  const days30 = 30 * 86_400_000;
  backgroundTimer(() => fired++, days30);
  assert.deepEqual(clock.pending(), [2 ** 31 - 1]);
  await clock.advance(2 ** 31 - 2);
  assert.equal(fired, 0);
  await clock.advance(1);
  assert.equal(fired, 1);
});

Deno.test("an unref'd timer does not keep a process alive", async () => {
  const script = `
    import { unrefTimer } from ${RUNTIME};
    unrefTimer(setTimeout(() => console.log("fired"), 60_000));
    console.log("done");
  `;
  await assertExitsAlone(script);
});

Deno.test("watchPaths (poll) sees a file written, deleted, created and replaced by a FIFO, at each poll", async () => {
  using clock = installFakeClock();
  const dir = Deno.makeTempDirSync({ prefix: "holoconf_watch_" });
  const file = `${dir}/a.yaml`;
  Deno.writeTextFileSync(file, "a: 1\n");
  let changes = 0;
  const watch = watchPaths({ files: [file, `${dir}/missing.yaml`], dirs: [dir] }, () => changes++, {
    interval: 100,
    api: "poll",
  });
  try {
    assert.deepEqual(clock.pending(), [100]);
    await clock.advance(100);
    assert.equal(changes, 0, "nothing changed");
    const steps: (() => void)[] = [
      () => Deno.writeTextFileSync(file, "a: 22\n"),
      () => Deno.removeSync(file),
      () => Deno.writeTextFileSync(`${dir}/missing.yaml`, "b: 1\n"),
    ];
    if (CAN_MAKE_FIFO) steps.push(() => assert.ok(makeFifo(file)));
    for (const [i, step] of steps.entries()) {
      step();
      assert.equal(changes, i, "seen at the next poll, not before");
      await clock.advance(100);
      assert.equal(changes, i + 1);
    }
  } finally {
    watch.close();
    watch.close();
    Deno.removeSync(dir, { recursive: true });
  }
  assert.deepEqual(clock.pending(), [], "close() clears the poll timer");
});

Deno.test("watchPaths (node:fs) reports an edit in the files' directory, until closed", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "holoconf_watch_" });
  const target = { files: [`${dir}/a.yaml`], dirs: [dir] };
  let changes = 0;
  const watch = watchPaths(target, () => changes++, { interval: 100, api: "node" });
  let probe: PathWatch | undefined;
  try {
    Deno.writeTextFileSync(`${dir}/a.yaml`, "a: 1\n");
    await until(() => changes > 0, 5_000);
    watch.close();
    const seen = changes;
    // A second watch, left open, tells when the next edit has been reported: by then the closed
    // one would have seen it too.
    let probed = 0;
    probe = watchPaths(target, () => probed++, { interval: 100, api: "node" });
    Deno.writeTextFileSync(`${dir}/a.yaml`, "a: 2\n");
    await until(() => probed > 0, 5_000);
    await tick(2);
    assert.equal(changes, seen, "nothing is reported after close()");
  } finally {
    watch.close();
    probe?.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a watch never keeps the process alive", async () => {
  const script = `
    import { watchPaths } from ${RUNTIME};
    const target = { files: [Deno.cwd() + "/deno.json"], dirs: [Deno.cwd()] };
    watchPaths(target, () => {}, { interval: 60_000, api: "poll" });
    watchPaths(target, () => {}, { interval: 60_000, api: "node" });
    console.log("done");
  `;
  await assertExitsAlone(script);
});
