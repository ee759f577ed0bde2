// Tests of the file watch (src/_file_watch.ts) through `config.watch()`: an edit reloads and
// re-merges the files and reports what changed; a broken, deleted or replaced file keeps the
// previous values and reports why; stop() leaves nothing running. On Deno the files are polled:
// the poll and the debounce run on the fake clock, so each change is seen at a known time.

import assert from "node:assert/strict";
import { type ChangeSet, Config, type LoadOptions, ResolvedValue } from "../mod.ts";
import { type FakeClock, installFakeClock } from "./_fake_clock.ts";
import { tick, until } from "./_async.ts";
import { CAN_MAKE_FIFO, makeFifo } from "./_special_files.ts";

const DEBOUNCE = 50;
const INTERVAL = 1_000;

/** A temporary directory with the given files. */
function tempDir(files: Record<string, string>): string {
  const dir = Deno.makeTempDirSync({ prefix: "holoconf_watch_config_" });
  for (const [name, text] of Object.entries(files)) Deno.writeTextFileSync(`${dir}/${name}`, text);
  return dir;
}

/**
 * Changes files, lets the next poll see it and the debounce pass, and waits for the change
 * event of the reload. Every edit in these tests changes the file's size: the poll compares
 * sizes and times, and a rewrite of the same size within the file system's timestamp tick
 * (milliseconds, or a few on some systems) looks unchanged.
 */
async function changeAndReload(
  clock: FakeClock,
  seen: ChangeSet[],
  change: () => void,
): Promise<ChangeSet> {
  const before = seen.length;
  change();
  await clock.advance(INTERVAL + DEBOUNCE);
  await until(() => seen.length > before);
  return seen[seen.length - 1]!;
}

Deno.test("watch: an edit reloads the file and reports the literals and known values that changed", async () => {
  using clock = installFakeClock();
  const dir = tempDir({
    "app.yaml":
      "port: 8080\nhost: a\nurl: http://${host}:${port}\npw: ${vault:db}\nlazy: ${vault:l}\n",
  });
  const calls: string[] = [];
  const vault = (key: string) => {
    calls.push(key);
    return new ResolvedValue(`secret-${key}`, { sensitive: true });
  };
  const config = Config.load(`${dir}/app.yaml`, {
    resolvers: { vault },
    now: () => clock.now,
  });
  const seen: ChangeSet[] = [];
  config.onChange((s) => void seen.push(s));
  assert.equal(await config.get("url"), "http://a:8080");
  assert.equal(await config.get("pw"), "secret-db");
  const watch = config.watch({ debounce: DEBOUNCE, interval: INTERVAL });
  try {
    const set = await changeAndReload(clock, seen, () => {
      Deno.writeTextFileSync(
        `${dir}/app.yaml`,
        "port: 9090\nhost: a\nurl: http://${host}:${port}\npw: ${vault:db}\nlazy: ${vault:l}\nnew: 1\n",
      );
    });
    assert.deepEqual(set, {
      changes: [
        { path: "port", sensitive: false, before: 8080, after: 9090 },
        { path: "url", sensitive: false, before: "http://a:8080", after: "http://a:9090" },
        { path: "new", sensitive: false, after: 1 },
      ],
      failures: [],
    });
    assert.deepEqual(calls, ["db"], "an unchanged call is reused, a value never read stays lazy");
    assert.equal(await config.get("url"), "http://a:9090");
  } finally {
    watch.stop();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("watch: a file that no longer parses keeps the previous values and reports the error", async () => {
  using clock = installFakeClock();
  const dir = tempDir({ "app.yaml": "port: 8080\n" });
  const warnings: string[] = [];
  const config = Config.load(`${dir}/app.yaml`, { onWarning: (m) => warnings.push(m) });
  const seen: ChangeSet[] = [];
  config.onChange((s) => void seen.push(s));
  const watch = config.watch({ debounce: DEBOUNCE, interval: INTERVAL });
  try {
    const broken = await changeAndReload(clock, seen, () => {
      Deno.writeTextFileSync(`${dir}/app.yaml`, "port: [8080\n");
    });
    assert.deepEqual(broken.changes, []);
    assert.equal(broken.failures.length, 1);
    assert.equal(broken.failures[0]!.path, "");
    assert.equal(broken.failures[0]!.error.code, "PARSE_ERROR");
    assert.match(broken.failures[0]!.error.source ?? "", /app\.yaml:2:1$/);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /could not be loaded again; the previous values stay/);
    assert.equal(await config.get("port"), 8080);
    const fixed = await changeAndReload(clock, seen, () => {
      // A size of its own: on Deno the files are polled by size and mtime, and a same-size edit
      // within the file system's timestamp granularity is not seen (README: Live config).
      Deno.writeTextFileSync(`${dir}/app.yaml`, "port: 9090\n");
    });
    assert.deepEqual(fixed.changes, [{
      path: "port",
      sensitive: false,
      before: 8080,
      after: 9090,
    }]);
  } finally {
    watch.stop();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("watch: a deleted optional file counts as empty; a deleted required one keeps the values", async () => {
  using clock = installFakeClock();
  const dir = tempDir({ "base.yaml": "port: 80\nname: app\n" });
  const config = Config.load([`${dir}/base.yaml`, { path: `${dir}/local.yaml`, optional: true }]);
  const seen: ChangeSet[] = [];
  config.onChange((s) => void seen.push(s));
  const watch = config.watch({ debounce: DEBOUNCE, interval: INTERVAL });
  try {
    // An optional file missing at load is watched too.
    const added = await changeAndReload(clock, seen, () => {
      Deno.writeTextFileSync(`${dir}/local.yaml`, "port: 8080\n");
    });
    assert.deepEqual(added.changes, [{ path: "port", sensitive: false, before: 80, after: 8080 }]);
    assert.deepEqual(config.files, [`${dir}/base.yaml`, `${dir}/local.yaml`]);
    const removed = await changeAndReload(clock, seen, () => Deno.removeSync(`${dir}/local.yaml`));
    assert.deepEqual(removed.changes, [{
      path: "port",
      sensitive: false,
      before: 8080,
      after: 80,
    }]);
    const gone = await changeAndReload(clock, seen, () => Deno.removeSync(`${dir}/base.yaml`));
    assert.equal(gone.failures[0]!.error.code, "FILE_NOT_FOUND");
    assert.deepEqual(await config.toObject(), { port: 80, name: "app" });
  } finally {
    watch.stop();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test({
  name: "watch: a file replaced by a FIFO, or a symlink to one, is refused as at load",
  ignore: !CAN_MAKE_FIFO,
  fn: async () => {
    using clock = installFakeClock();
    const dir = tempDir({ "app.yaml": "port: 1\n", "other.yaml": "port: 2\n" });
    const config = Config.load(`${dir}/app.yaml`);
    const seen: ChangeSet[] = [];
    config.onChange((s) => void seen.push(s));
    const watch = config.watch({ debounce: DEBOUNCE, interval: INTERVAL });
    try {
      const linked = await changeAndReload(clock, seen, () => {
        Deno.removeSync(`${dir}/app.yaml`);
        Deno.symlinkSync(`${dir}/other.yaml`, `${dir}/app.yaml`);
      });
      // A symlink to a regular file is read, as `load` reads it.
      assert.deepEqual(linked.changes, [{ path: "port", sensitive: false, before: 1, after: 2 }]);
      const fifo = await changeAndReload(clock, seen, () => {
        Deno.removeSync(`${dir}/app.yaml`);
        assert.ok(makeFifo(`${dir}/pipe`));
        Deno.symlinkSync(`${dir}/pipe`, `${dir}/app.yaml`);
      });
      assert.equal(fifo.failures[0]!.error.code, "FILE_NOT_REGULAR");
      const direct = await changeAndReload(clock, seen, () => {
        Deno.removeSync(`${dir}/app.yaml`);
        assert.ok(makeFifo(`${dir}/app.yaml`));
      });
      assert.equal(direct.failures[0]!.error.code, "FILE_NOT_REGULAR");
      assert.equal(await config.get("port"), 2);
    } finally {
      watch.stop();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("watch: stop() ends the watch; a config without files watches nothing", async () => {
  using clock = installFakeClock();
  const dir = tempDir({ "app.yaml": "port: 1\n" });
  const config = Config.load(`${dir}/app.yaml`);
  const watch = config.watch({ debounce: DEBOUNCE, interval: INTERVAL });
  try {
    Deno.writeTextFileSync(`${dir}/app.yaml`, "port: 22\n");
    await clock.advance(INTERVAL); // seen: the debounce timer is armed
    assert.deepEqual(clock.pending(), [DEBOUNCE, INTERVAL]);
    watch.stop();
    assert.deepEqual(clock.pending(), [], "the poll and debounce timers are cleared");
    await clock.advance(INTERVAL + DEBOUNCE);
    assert.equal(await config.get("port"), 1);
    assert.throws(() => config.watch({ debounce: -1 }), RangeError);
    Config.loads("a: 1\n").watch().stop();
  } finally {
    watch.stop();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("watch: a config merged from several sources reloads each file and keeps parsed text", async () => {
  using clock = installFakeClock();
  const dir = tempDir({ "base.yaml": "a: 1\nb: 1\n", "over.yaml": "b: 2\n" });
  const config = Config.loads("text: t\na: 0\n");
  config.merge(Config.load(`${dir}/base.yaml`));
  config.merge(Config.load(`${dir}/over.yaml`));
  const seen: ChangeSet[] = [];
  config.onChange((s) => void seen.push(s));
  const watch = config.watch({ debounce: DEBOUNCE, interval: INTERVAL });
  try {
    const set = await changeAndReload(clock, seen, () => {
      Deno.writeTextFileSync(`${dir}/over.yaml`, "b: 3\nc: 4\n");
    });
    assert.deepEqual(set.changes, [
      { path: "b", sensitive: false, before: 2, after: 3 },
      { path: "c", sensitive: false, after: 4 },
    ]);
    assert.deepEqual(await config.toObject(), { text: "t", a: 1, b: 3, c: 4 });
  } finally {
    watch.stop();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("watch: overrides stay on top of a reloaded file; one whose key the edit removed keeps the previous values", async () => {
  using clock = installFakeClock();
  const dir = tempDir({ "app.yaml": "db:\n  host: a\n  port: 1\n" });
  const config = Config.load(`${dir}/app.yaml`, {
    overrides: { "db.port": 5433 },
    now: () => clock.now,
  });
  const seen: ChangeSet[] = [];
  config.onChange((s) => void seen.push(s));
  assert.equal(await config.get("db.port"), 5433);
  const watch = config.watch({ debounce: DEBOUNCE, interval: INTERVAL });
  try {
    const edited = await changeAndReload(clock, seen, () => {
      Deno.writeTextFileSync(`${dir}/app.yaml`, "db:\n  host: b\n  port: 22\n");
    });
    assert.deepEqual(edited.failures, []);
    assert.equal(await config.get("db.host"), "b");
    assert.equal(await config.get("db.port"), 5433, "the override is applied to the new file too");
    assert.equal(config.getSource("db.port")?.file, "override db.port");
    // An edit that removes the overridden key cannot take the override: the previous values stay.
    const broken = await changeAndReload(clock, seen, () => {
      Deno.writeTextFileSync(`${dir}/app.yaml`, "db:\n  host: c\n");
    });
    assert.equal(broken.failures.length, 1);
    assert.equal(broken.failures[0]!.error.code, "UNKNOWN_OVERRIDE_KEY");
    assert.equal(await config.get("db.host"), "b");
    assert.equal(await config.get("db.port"), 5433);
  } finally {
    watch.stop();
    Deno.removeSync(dir, { recursive: true });
  }
});

/**
 * A loopback source: `${src:key}` is `key@version`; while `hold` is on, each call waits for
 * `release()`.
 */
function heldSource() {
  const s = {
    version: 1,
    hold: false,
    calls: [] as string[],
    held: [] as (() => void)[],
    release() {
      for (const r of s.held.splice(0)) r();
    },
    fn: async (key: string): Promise<string> => {
      s.calls.push(key);
      const version = s.version;
      if (s.hold) await new Promise<void>((r) => s.held.push(r));
      return `${key}@${version}`;
    },
  };
  return s;
}

/**
 * `app.yaml` (and the other `files`) in a temporary directory, loaded with `${src:...}` from a
 * {@linkcode heldSource} on the fake clock (and the `options` made for the directory), its
 * change events in `seen`, and watched; `using` stops the watch and removes the directory.
 */
function watched(
  clock: FakeClock,
  files: Record<string, string>,
  options: (dir: string) => LoadOptions = () => ({}),
) {
  const dir = tempDir(files);
  const src = heldSource();
  const config = Config.load(`${dir}/app.yaml`, {
    resolvers: { src: src.fn },
    now: () => clock.now,
    ...options(dir),
  });
  const seen: ChangeSet[] = [];
  config.onChange((s) => void seen.push(s));
  const watch = config.watch({ debounce: DEBOUNCE, interval: INTERVAL });
  return {
    dir,
    src,
    config,
    seen,
    [Symbol.dispose]: () => {
      watch.stop();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

Deno.test("watch: a refresh asked while a reload runs waits for it: the edit is never dropped", async () => {
  using clock = installFakeClock();
  using w = watched(clock, { "app.yaml": "a: ${src:a,ttl=1}\nb: 1\n" });
  const { dir, src, config, seen } = w;
  assert.equal(await config.get("a"), "a@1");
  // The edit's reload calls `a` again (expired by then) and is held there.
  src.version = 2;
  src.hold = true;
  Deno.writeTextFileSync(`${dir}/app.yaml`, "a: ${src:a,ttl=1}\nb: 20\n");
  await clock.advance(INTERVAL + DEBOUNCE);
  await until(() => src.held.length === 1);
  // A refresh asked meanwhile (its call would not be held) runs after the reload.
  src.hold = false;
  src.version = 3;
  const refreshing = config.refresh();
  await tick(2);
  assert.deepEqual(src.calls, ["a", "a"], "the refresh has not started");
  src.release();
  assert.deepEqual(await refreshing, { changes: [], failures: [] }, "nothing expired after it");
  assert.deepEqual(seen, [{
    changes: [
      { path: "a", sensitive: false, before: "a@1", after: "a@2" },
      { path: "b", sensitive: false, before: 1, after: 20 },
    ],
    failures: [],
  }]);
  assert.deepEqual(await config.toObject({ resolve: true }), { a: "a@2", b: 20 });
});

Deno.test("watch: a reload waits for the refresh running, then applies the edit", async () => {
  using clock = installFakeClock();
  using w = watched(clock, { "app.yaml": "a: ${src:a,ttl=1}\nb: 1\n" });
  const { dir, src, config, seen } = w;
  assert.equal(await config.get("a"), "a@1");
  await clock.advance(1_000); // `a` expired
  src.version = 2;
  src.hold = true;
  const refreshing = config.refresh();
  await until(() => src.held.length === 1);
  Deno.writeTextFileSync(`${dir}/app.yaml`, "a: ${src:a,ttl=1}\nb: 20\n");
  await clock.advance(INTERVAL + DEBOUNCE); // the reload is asked for: it waits
  assert.deepEqual(seen, []);
  src.release();
  const set = await refreshing;
  assert.deepEqual(set.changes.map((c) => c.path), ["a"]);
  await until(() => seen.length === 2);
  assert.deepEqual(seen[1], {
    changes: [{ path: "b", sensitive: false, before: 1, after: 20 }],
    failures: [],
  });
  assert.deepEqual(src.calls, ["a", "a"], "the reload reused the refreshed call");
  assert.deepEqual(await config.toObject({ resolve: true }), { a: "a@2", b: 20 });
});

Deno.test("watch: a merge() during a reload starts it over: the edit and the merge both stay", async () => {
  using clock = installFakeClock();
  using w = watched(clock, {
    "app.yaml": "a: ${src:a}\nb: 1\n",
    "more.yaml": "c: 1\nd: ${env:HCFLW_MORE}\n",
    "more.env": "HCFLW_MORE=more\n",
  });
  const { dir, src, config, seen } = w;
  assert.equal(await config.get("a"), "a@1");
  src.hold = true;
  Deno.writeTextFileSync(`${dir}/app.yaml`, "a: ${src:a2}\nb: 2\n");
  await clock.advance(INTERVAL + DEBOUNCE);
  await until(() => src.held.length === 1); // the reload makes the new call, held
  const more = Config.load(`${dir}/more.yaml`, { envFiles: [`${dir}/more.env`] });
  await more.ready();
  config.merge(more);
  src.hold = false;
  src.release();
  await until(() => seen.length === 1);
  // Against the merged config (whose memo the merge cleared): `b` changed, `a` is lazy again.
  assert.deepEqual(seen[0], {
    changes: [{ path: "b", sensitive: false, before: 1, after: 2 }],
    failures: [],
  });
  assert.deepEqual(await config.toObject({ resolve: true }), { a: "a2@1", b: 2, c: 1, d: "more" });
  assert.deepEqual(src.calls, ["a", "a2", "a2"], "read on the merged tree");
});

Deno.test("watch: the files of a config merged after it started are watched too", async () => {
  using clock = installFakeClock();
  {
    using w = watched(clock, { "app.yaml": "x: 1\n", "b.yaml": "y: 1\n" });
    const { dir, config, seen } = w;
    config.merge(Config.load(`${dir}/b.yaml`));
    assert.equal(await config.get("y"), 1);
    const set = await changeAndReload(clock, seen, () => {
      Deno.writeTextFileSync(`${dir}/b.yaml`, "y: 20\n");
    });
    assert.deepEqual(set.changes, [{ path: "y", sensitive: false, before: 1, after: 20 }]);
    assert.deepEqual(await config.toObject(), { x: 1, y: 20 });
  }
  assert.deepEqual(clock.pending(), [], "stop() ends the watch of the merged files too");
});

Deno.test("watch: an edited .env file is read again: ${env:...} and prefixed overrides follow it", async () => {
  using clock = installFakeClock();
  const app =
    "greeting: ${env:HCFLW_GREETING}\nport: 1\nother: ${src:o}\nlazy: ${env:HCFLW_LAZY}\n";
  using w = watched(clock, {
    "app.yaml": app,
    ".env": "HCFLW_GREETING=hello\nHCFLW_LAZY=l\nHCFLW__PORT=2\n",
  }, (dir) => ({
    envFiles: [`${dir}/.env`, { path: `${dir}/.env.local`, optional: true }],
    envPrefix: "HCFLW",
  }));
  const { dir, src, config, seen } = w;
  assert.deepEqual([await config.get("greeting"), await config.get("port")], ["hello", "2"]);
  assert.equal(await config.get("other"), "o@1");
  const edited = await changeAndReload(clock, seen, () => {
    Deno.writeTextFileSync(`${dir}/.env`, "HCFLW_GREETING=bonjour\nHCFLW_LAZY=l\nHCFLW__PORT=3\n");
  });
  assert.deepEqual(edited, {
    changes: [
      { path: "greeting", sensitive: false, before: "hello", after: "bonjour" },
      // A value from the environment is sensitive: the change names it, never its values.
      { path: "port", sensitive: true },
    ],
    failures: [],
  });
  assert.deepEqual(src.calls, ["o"], "a call that read no variable is reused");
  assert.equal(config.getSource("port")?.file, `env HCFLW__PORT (${dir}/.env)`);
  // An optional .env file missing at load is watched for its creation; a later file wins.
  const added = await changeAndReload(clock, seen, () => {
    Deno.writeTextFileSync(`${dir}/.env.local`, "HCFLW_GREETING=hallo\n");
  });
  assert.deepEqual(added.changes.map((c) => [c.path, c.after]), [["greeting", "hallo"]]);
  // The process environment still wins over the files, read again at each reload.
  Deno.env.set("HCFLW_GREETING", "process");
  try {
    const edit = await changeAndReload(clock, seen, () => {
      Deno.writeTextFileSync(`${dir}/app.yaml`, `${app}new: 1\n`);
    });
    assert.deepEqual(edit.changes.map((c) => [c.path, c.after]), [
      ["greeting", "process"],
      ["new", 1],
    ]);
  } finally {
    Deno.env.delete("HCFLW_GREETING");
  }
  // A required .env file deleted: the previous values stay, the failure is reported.
  const gone = await changeAndReload(clock, seen, () => Deno.removeSync(`${dir}/.env`));
  assert.equal(gone.failures[0]!.path, "");
  assert.equal(gone.failures[0]!.error.code, "FILE_NOT_FOUND");
  assert.deepEqual(await config.toObject({ resolve: true }), {
    greeting: "process",
    port: "3",
    other: "o@1",
    lazy: "l",
    new: 1,
  });
});

Deno.test("watch: a reload the config keeps changing under is given up after 3 attempts, and says so", async () => {
  using clock = installFakeClock();
  const warnings: string[] = [];
  let pokes = 0;
  // A resolver that clears the cache while the reload waits for it: the tree changes under it.
  const poke = () => {
    pokes++;
    w.config.clearCache();
    return Promise.resolve("p");
  };
  using w = watched(clock, { "app.yaml": "a: 1\n" }, () => ({
    resolvers: { poke },
    onWarning: (m: string) => warnings.push(m),
  }));
  const { dir, config, seen } = w;
  assert.equal(await config.get("a"), 1);
  const set = await changeAndReload(clock, seen, () => {
    Deno.writeTextFileSync(`${dir}/app.yaml`, "a: ${poke:x}\n");
  });
  assert.equal(pokes, 3);
  assert.deepEqual(set.changes, []);
  assert.equal(set.failures[0]!.path, "");
  assert.equal(set.failures[0]!.error.code, "HOLOCONF_ERROR");
  assert.match(set.failures[0]!.error.message, /could not be reloaded/);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /changed during each attempt to reload/);
  assert.equal(await config.get("a"), 1, "the previous values stay");
  // The next change of the files tries again.
  const next = await changeAndReload(clock, seen, () => {
    Deno.writeTextFileSync(`${dir}/app.yaml`, "a: 2\n");
  });
  assert.deepEqual(next.changes, [{ path: "a", sensitive: false, before: 1, after: 2 }]);
});
