import assert from "node:assert/strict";
import {
  formatWaterfall,
  type ProgressClock,
  type ResolverTraceEvent,
  startProgress,
} from "../../src/cli/trace.ts";

function event(
  resolver: string,
  key: string,
  start: number,
  end: number,
  outcome: ResolverTraceEvent["outcome"] = "ok",
): ResolverTraceEvent {
  return { resolver, key, path: `p.${resolver}`, start, end, outcome };
}

Deno.test("formatWaterfall() sorts calls by start and scales bars to the span", () => {
  const text = formatWaterfall([
    event("ssm", "/b", 150, 200),
    event("env", "HOME", 100, 110),
    event("vault", "x", 100, 200, "timeout"),
  ], { width: 10 });
  const lines = text.trimEnd().split("\n");
  assert.match(lines[0]!, /trace: 3 resolver calls over 100\.0 ms/);
  assert.match(lines[1]!, /\+0\.0 ms\s+10\.0 ms\s+│█ {9}│ env HOME \(p\.env\)$/);
  assert.match(lines[2]!, /\+0\.0 ms\s+100\.0 ms\s+│██████████│ vault x \(p\.vault\) ✗ timeout$/);
  assert.match(lines[3]!, /\+50\.0 ms\s+50\.0 ms\s+│ {5}█{5}│ ssm \/b/);
});

Deno.test("formatWaterfall() shows a path with control characters on one line, no escapes", () => {
  const e = { ...event("env", "A", 0, 1), path: "k\x1b[31mRED\nX" };
  const text = formatWaterfall([e]);
  assert.ok(!text.includes("\x1b"), JSON.stringify(text));
  assert.match(text, /\(k\?\[31mRED\\nX\)/);
  assert.equal(text.trimEnd().split("\n").length, 2);
});

Deno.test("formatWaterfall() handles zero-length spans and no calls", () => {
  assert.match(formatWaterfall([event("env", "A", 5, 5)], { width: 4 }), /│████│ env A/);
  assert.equal(formatWaterfall([]), "trace: no resolver calls\n");
});

Deno.test("formatWaterfall() emits colour only when asked", () => {
  const events = [event("env", "A", 0, 1), event("env", "B", 0, 2, "error")];
  assert.ok(!formatWaterfall(events).includes("\x1b"));
  assert.ok(formatWaterfall(events, { color: true }).includes("\x1b[31m"));
});

function fakeClock() {
  let now = 0;
  const timeouts = new Map<number, () => void>();
  const intervals = new Map<number, () => void>();
  let id = 0;
  const clock: ProgressClock = {
    now: () => now,
    setTimeout: (fn) => {
      timeouts.set(++id, fn);
      return id;
    },
    clearTimeout: (h) => void timeouts.delete(h as number),
    setInterval: (fn) => {
      intervals.set(++id, fn);
      return id;
    },
    clearInterval: (h) => void intervals.delete(h as number),
  };
  return {
    clock,
    advance(ms: number) {
      now += ms;
    },
    fireTimeouts() {
      const fns = [...timeouts.values()];
      timeouts.clear();
      for (const f of fns) f();
    },
    fireIntervals() {
      for (const f of intervals.values()) f();
    },
    pending: () => timeouts.size + intervals.size,
  };
}

Deno.test("startProgress() draws after the delay, redraws with \\r and clears on stop", () => {
  const fake = fakeClock();
  let out = "";
  const written = (): string => out;
  let settled = 0;
  const progress = startProgress({
    write: (t) => (out += t),
    settled: () => settled,
    clock: fake.clock,
  });
  assert.equal(written(), "");
  fake.advance(1000);
  fake.fireTimeouts();
  assert.equal(written(), "\r\x1b[2K⋯ resolving: 0 calls done, 1.0 s");
  settled = 3;
  fake.advance(500);
  fake.fireIntervals();
  assert.ok(written().endsWith("\r\x1b[2K⋯ resolving: 3 calls done, 1.5 s"));
  progress.stop();
  assert.ok(written().endsWith("\r\x1b[2K"));
  assert.equal(fake.pending(), 0);
});

Deno.test("startProgress() writes nothing when stopped before the delay", () => {
  const fake = fakeClock();
  let out = "";
  const progress = startProgress({ write: (t) => (out += t), settled: () => 0, clock: fake.clock });
  progress.stop();
  assert.equal(out, "");
  assert.equal(fake.pending(), 0);
});

Deno.test("formatWaterfall() keeps keys on one short line and honours describeKey", () => {
  const long = event("yaml", "a: 1\nb: " + "x".repeat(100), 0, 1);
  const text = formatWaterfall([long], { width: 4 });
  assert.equal(text.trimEnd().split("\n").length, 2);
  assert.match(text, /yaml a: 1\\nb: x+… \(p\.yaml\)/);
  const hidden = formatWaterfall([long], { width: 4, describeKey: () => "‹computed›" });
  assert.match(hidden, /│ yaml ‹computed› \(p\.yaml\)/);
});
