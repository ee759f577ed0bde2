import assert from "node:assert/strict";
import { NotFoundError, ParseError, ResolverError } from "../src/errors.ts";
import {
  expandGlob,
  isGlob,
  loadTrees,
  MAX_CONFIG_FILE_BYTES,
  readConfigText,
} from "../src/loader.ts";
import { type MapNode, toPlain, type TreeNode } from "../src/tree.ts";
import { CAN_MAKE_FIFO, HAS_DEV_ZERO, makeFifo, makeSparseFile } from "./_special_files.ts";

function withTempDir(files: Record<string, string>, fn: (dir: string) => void): void {
  const dir = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "holoconf_loader_" }));
  try {
    for (const [rel, content] of Object.entries(files)) {
      const full = `${dir}/${rel}`;
      Deno.mkdirSync(full.slice(0, full.lastIndexOf("/")), { recursive: true });
      Deno.writeTextFileSync(full, content);
    }
    fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

function at(node: TreeNode, ...keys: string[]): TreeNode {
  let cur = node;
  for (const k of keys) {
    assert.equal(cur.kind, "map");
    const next = (cur as MapNode).entries.get(k);
    assert.ok(next, `missing ${k}`);
    cur = next;
  }
  return cur;
}

function where(node: TreeNode): string {
  const s = node.source;
  return s === undefined ? "none" : `${s.file}:${s.line}:${s.column}`;
}

Deno.test("loadTrees merges three files in order with deletions, key order and sources", () => {
  withTempDir({
    "base.yaml": "app:\n  name: demo\n  debug: true\n  port: 80\nlist: [1, 2]\nkeep: base\n",
    "env.yaml": "app:\n  port: 8080\n  debug: null\n  extra: x\nlist: [3]\n",
    "local.yaml": "app:\n  name: local\nnew: 1\n",
  }, (dir) => {
    const paths = ["base.yaml", "env.yaml", "local.yaml"].map((f) => `${dir}/${f}`);
    const { tree, files } = loadTrees(paths);
    assert.deepEqual(files, paths);
    assert.deepEqual(toPlain(tree), {
      app: { name: "local", port: 8080, extra: "x" },
      list: [3],
      keep: "base",
      new: 1,
    });
    assert.deepEqual([...tree.entries.keys()], ["app", "list", "keep", "new"]);
    assert.deepEqual([...(at(tree, "app") as MapNode).entries.keys()], ["name", "port", "extra"]);
    assert.equal(where(at(tree, "app", "name")), `${dir}/local.yaml:2:9`);
    assert.equal(where(at(tree, "app", "port")), `${dir}/env.yaml:2:9`);
    assert.equal(where(at(tree, "app", "extra")), `${dir}/env.yaml:4:10`);
    assert.equal(where(at(tree, "list")), `${dir}/env.yaml:5:7`);
    assert.equal(where(at(tree, "keep")), `${dir}/base.yaml:6:7`);
    assert.equal(where(at(tree, "new")), `${dir}/local.yaml:3:6`);
  });
});

Deno.test("nulls in the first file stay null and an empty file changes nothing", () => {
  withTempDir({ "a.yaml": "a: null\nb: 1\n", "empty.yaml": "", "c.yaml": "# comment\n" }, (dir) => {
    const { tree, files } = loadTrees([`${dir}/a.yaml`, `${dir}/empty.yaml`, `${dir}/c.yaml`]);
    assert.deepEqual(toPlain(tree), { a: null, b: 1 });
    assert.equal(files.length, 3);
  });
});

Deno.test("source file is the path as written, files are absolute", () => {
  withTempDir({ "conf/app.yaml": "k: v\n" }, (dir) => {
    const old = Deno.cwd();
    Deno.chdir(dir);
    try {
      const { tree, files } = loadTrees("conf/app.yaml");
      assert.equal(where(at(tree, "k")), "conf/app.yaml:1:4");
      assert.deepEqual(files, [`${dir}/conf/app.yaml`]);
      const globbed = loadTrees("./conf/*.yaml");
      assert.equal(where(at(globbed.tree, "k")), "./conf/app.yaml:1:4");
      assert.deepEqual(globbed.files, [`${dir}/conf/app.yaml`]);
    } finally {
      Deno.chdir(old);
    }
  });
});

Deno.test("a missing required file is a NotFoundError; optional files are skipped", () => {
  withTempDir({ "base.yaml": "a: 1\n" }, (dir) => {
    let err: unknown;
    try {
      loadTrees([`${dir}/base.yaml`, `${dir}/missing.yaml`]);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof NotFoundError);
    assert.ok(err instanceof ResolverError);
    assert.equal(err.code, "FILE_NOT_FOUND");
    assert.equal(err.resource, `${dir}/missing.yaml`);
    assert.match(err.headline, /^File not found: .*missing\.yaml$/);
    assert.ok(err.help);

    const spec = loadTrees([
      { path: `${dir}/base.yaml`, optional: false },
      { path: `${dir}/local.yaml`, optional: true },
    ]);
    assert.deepEqual(toPlain(spec.tree), { a: 1 });
    assert.deepEqual(spec.files, [`${dir}/base.yaml`]);

    const opt = loadTrees(`${dir}/nope.yaml`, { optional: true });
    assert.deepEqual(toPlain(opt.tree), {});
    assert.deepEqual(opt.files, []);

    const none = loadTrees([{ path: `${dir}/x.yaml`, optional: true }, {
      path: `${dir}/y/*.yaml`,
      optional: true,
    }]);
    assert.equal(none.tree.kind, "map");
    assert.equal(none.tree.entries.size, 0);
  });
});

Deno.test("a glob with no match is a NotFoundError unless optional", () => {
  withTempDir({ "a.json": "{}" }, (dir) => {
    const pattern = `${dir}/*.yaml`;
    assert.throws(
      () => loadTrees(pattern),
      (e: unknown) =>
        e instanceof NotFoundError && e.code === "FILE_NOT_FOUND" && e.resource === pattern &&
        e.headline.includes(`No files matched glob pattern '${pattern}'`) &&
        e.headline.startsWith("File not found"),
    );
    assert.deepEqual(toPlain(loadTrees(pattern, { optional: true }).tree), {});
  });
});

Deno.test("glob matches are sorted component-wise and merged in order", () => {
  withTempDir({
    "c/a/b.yaml": "who: a/b\nfrom_ab: 1\n",
    "c/a-b.yaml": "who: a-b\nfrom_a_dash_b: 1\n",
  }, (dir) => {
    // Raw string order would put "a-b.yaml" ('-' < '/') first; component order puts "a" first.
    assert.deepEqual(expandGlob(`${dir}/c/**/*.yaml`), [
      `${dir}/c/a/b.yaml`,
      `${dir}/c/a-b.yaml`,
    ]);
    const { tree } = loadTrees(`${dir}/c/**/*.yaml`);
    assert.deepEqual(toPlain(tree), { who: "a-b", from_ab: 1, from_a_dash_b: 1 });
  });
});

Deno.test("glob matches are sorted by code point, as upstream sorts by UTF-8 bytes", () => {
  // UTF-16 unit order puts 😀 (a surrogate pair, 0xD83D...) before ａ (U+FF41).
  withTempDir({ "u/\u{ff41}.yaml": "who: fullwidth\n", "u/😀.yaml": "who: emoji\n" }, (dir) => {
    assert.deepEqual(expandGlob(`${dir}/u/*.yaml`), [`${dir}/u/\u{ff41}.yaml`, `${dir}/u/😀.yaml`]);
    assert.equal(toPlain(at(loadTrees(`${dir}/u/*.yaml`).tree, "who")), "emoji");
  });
});

Deno.test("an optional missing file is skipped; a missing required one is FILE_NOT_FOUND", () => {
  withTempDir({ "a.yaml": "a: 1\n" }, (dir) => {
    const { tree, files } = loadTrees([`${dir}/a.yaml`, {
      path: `${dir}/gone.yaml`,
      optional: true,
    }]);
    assert.deepEqual(toPlain(tree), { a: 1 });
    assert.deepEqual(files, [`${dir}/a.yaml`]);
    assert.throws(() => loadTrees(`${dir}/gone.yaml`), (e: unknown) => {
      assert.ok(e instanceof NotFoundError);
      assert.equal(e.code, "FILE_NOT_FOUND");
      return true;
    });
  });
});

Deno.test("** crosses directories and also matches zero of them", () => {
  withTempDir({
    "config/base.yaml": "value: base\n",
    "config/sub/override.yaml": "value: override\n",
    "config/sub/deep/more.yaml": "value: deep\n",
    "config/sub/notes.txt": "x",
  }, (dir) => {
    assert.deepEqual(expandGlob(`${dir}/config/**/*.yaml`), [
      `${dir}/config/base.yaml`,
      `${dir}/config/sub/deep/more.yaml`,
      `${dir}/config/sub/override.yaml`,
    ]);
    assert.equal(toPlain(at(loadTrees(`${dir}/config/**/*.yaml`).tree, "value")), "override");
    assert.deepEqual(expandGlob(`${dir}/config/**/more.yaml`), [
      `${dir}/config/sub/deep/more.yaml`,
    ]);
    assert.deepEqual(expandGlob(`${dir}/config/**`), [
      `${dir}/config/base.yaml`,
      `${dir}/config/sub/deep/more.yaml`,
      `${dir}/config/sub/notes.txt`,
      `${dir}/config/sub/override.yaml`,
    ]);
    // A trailing ** lists what lies under a directory: base.yaml is no directory.
    assert.deepEqual(expandGlob(`${dir}/config/*/**`), [
      `${dir}/config/sub/deep/more.yaml`,
      `${dir}/config/sub/notes.txt`,
      `${dir}/config/sub/override.yaml`,
    ]);
    assert.deepEqual(expandGlob(`${dir}/config/base*/**`), []);
  });
});

Deno.test("glob wildcards: * and ? stay in one component, classes, dotfiles", () => {
  withTempDir({
    "g/a.yaml": "",
    "g/b.yaml": "",
    "g/c.yaml": "",
    "g/long_name.yaml": "",
    "g/.hidden.yaml": "",
    "g/sub/x.yaml": "",
  }, (dir) => {
    const names = (p: string) => expandGlob(`${dir}/g/${p}`).map((f) => f.slice(dir.length + 3));
    assert.deepEqual(names("?.yaml"), ["a.yaml", "b.yaml", "c.yaml"]);
    assert.deepEqual(names("[ab].yaml"), ["a.yaml", "b.yaml"]);
    assert.deepEqual(names("[!ab].yaml"), ["c.yaml"]);
    assert.deepEqual(names("[a-b].yaml"), ["a.yaml", "b.yaml"]);
    assert.deepEqual(names("*.yaml"), [
      ".hidden.yaml",
      "a.yaml",
      "b.yaml",
      "c.yaml",
      "long_name.yaml",
    ]);
    assert.deepEqual(names("*/*.yaml"), ["sub/x.yaml"]);
    assert.equal(isGlob("a[1].yaml"), true);
    assert.throws(() => expandGlob(`${dir}/g/[ab.yaml`), ParseError);
    assert.throws(() => expandGlob(`${dir}/g/a**.yaml`), /Invalid glob pattern/);
  });
});

Deno.test("relative glob patterns resolve against the working directory", () => {
  withTempDir({ "cfg/a.yaml": "k: a\n", "cfg/b.yaml": "k: b\n" }, (dir) => {
    const old = Deno.cwd();
    Deno.chdir(dir);
    try {
      assert.deepEqual(expandGlob("cfg/*.yaml"), ["cfg/a.yaml", "cfg/b.yaml"]);
      assert.deepEqual(expandGlob("*/b.yaml"), ["cfg/b.yaml"]);
      const { tree, files } = loadTrees("cfg/*.yaml");
      assert.deepEqual(toPlain(tree), { k: "b" });
      assert.deepEqual(files, [`${dir}/cfg/a.yaml`, `${dir}/cfg/b.yaml`]);
    } finally {
      Deno.chdir(old);
    }
  });
});

Deno.test("invalid YAML in a file is a ParseError naming the file", () => {
  withTempDir({ "bad.yaml": "a: 1\n b: 2\n", "list.yaml": "- 1\n" }, (dir) => {
    assert.throws(
      () => loadTrees(`${dir}/bad.yaml`),
      (e: unknown) => e instanceof ParseError && e.source === `${dir}/bad.yaml:2:3` && e.line === 2,
    );
    assert.throws(
      () => loadTrees(`${dir}/list.yaml`),
      (e: unknown) => e instanceof ParseError && /Config root must be a mapping/.test(e.message),
    );
  });
});

Deno.test("a directory given as a file is a read failure", () => {
  withTempDir({ "d/x.yaml": "" }, (dir) => {
    assert.throws(
      () => loadTrees(`${dir}/d`),
      (e: unknown) =>
        e instanceof ParseError && e.headline.startsWith(`Failed to read file '${dir}/d': `),
    );
  });
});

function assertNotRegular(path: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof ParseError, String(e));
    assert.equal(e.code, "FILE_NOT_REGULAR");
    assert.equal(e.source, path);
    assert.equal(
      e.headline,
      `Failed to read file '${path}': not a regular file (a directory, FIFO, socket or device)`,
    );
    return true;
  };
}

Deno.test({
  name: "a character device (/dev/zero) is refused as FILE_NOT_REGULAR instead of read forever",
  ignore: !HAS_DEV_ZERO,
  fn() {
    assert.throws(() => loadTrees("/dev/zero"), assertNotRegular("/dev/zero"));
    assert.throws(() => loadTrees({ path: "/dev/zero", optional: true }), {
      code: "FILE_NOT_REGULAR",
    });
  },
});

Deno.test({
  name: "a FIFO is refused as FILE_NOT_REGULAR without waiting for a writer, optional or not",
  ignore: !CAN_MAKE_FIFO,
  fn() {
    withTempDir({}, (dir) => {
      const fifo = `${dir}/config.yaml`;
      assert.ok(makeFifo(fifo));
      assert.throws(() => loadTrees(fifo), assertNotRegular(fifo));
      assert.throws(() => loadTrees({ path: fifo, optional: true }), assertNotRegular(fifo));
      // A glob lists regular files only.
      assert.throws(() => loadTrees(`${dir}/*.yaml`), { code: "FILE_NOT_FOUND" });
    });
  },
});

Deno.test("a directory is FILE_NOT_REGULAR too", () => {
  withTempDir({ "d/x.yaml": "" }, (dir) => {
    assert.throws(() => loadTrees(`${dir}/d`), assertNotRegular(`${dir}/d`));
  });
});

Deno.test("a config file one byte over MAX_CONFIG_FILE_BYTES is FILE_TOO_LARGE; one at it is read", () => {
  assert.equal(MAX_CONFIG_FILE_BYTES, 16 * 1024 * 1024);
  withTempDir({}, (dir) => {
    const over = `${dir}/over.yaml`;
    makeSparseFile(over, MAX_CONFIG_FILE_BYTES + 1, "a: 1\n#");
    assert.throws(() => loadTrees(over), (e: unknown) => {
      assert.ok(e instanceof ParseError);
      assert.equal(e.code, "FILE_TOO_LARGE");
      assert.equal(e.source, over);
      assert.equal(
        e.headline,
        `Failed to read file '${over}': too large (${
          MAX_CONFIG_FILE_BYTES + 1
        } bytes > ${MAX_CONFIG_FILE_BYTES} bytes limit)`,
      );
      return true;
    });
    const at = `${dir}/at.yaml`;
    makeSparseFile(at, MAX_CONFIG_FILE_BYTES, "a: 1\n#");
    const text = readConfigText(at);
    assert.equal(text.length, MAX_CONFIG_FILE_BYTES);
    assert.ok(text.startsWith("a: 1\n#\0"));
  });
});

Deno.test("loadTrees takes an entry as text, merged in its place, named by its path", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/a.yaml`, "a: 1\nb: 1\n");
    const { tree, files, texts } = loadTrees([
      `${dir}/a.yaml`,
      { path: "<stdin>", text: "b: 2\nc: 2\n" },
    ]);
    assert.deepEqual(toPlain(tree), { a: 1, b: 2, c: 2 });
    assert.deepEqual(files, [`${dir}/a.yaml`]); // text is not a file
    assert.equal(texts.length, 1);
    const b = (tree as MapNode).entries.get("b");
    assert.deepEqual(b?.source, { file: "<stdin>", line: 1, column: 4 });
    assert.throws(() => loadTrees({ path: "<stdin>", text: "a: [1\n" }), {
      source: "<stdin>:2:1",
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
