import assert from "node:assert/strict";
import { type FileReadHooks, fileResolver, readFileInRoots } from "../../resolvers/file.ts";
import { NotFoundError, ParseError, ResolverError } from "../../src/errors.ts";
import { relative } from "../../src/_posix.ts";
import { makeCall, thrown } from "./_transform_call.ts";

const SECRET = "TOPSECRET-CONTENT-42";

interface Sandbox {
  root: string;
  outside: string;
  cleanup: () => Promise<void>;
}

async function sandbox(): Promise<Sandbox> {
  const top = await Deno.realPath(await Deno.makeTempDir({ prefix: "holoconf_file_" }));
  const root = `${top}/root`;
  const outside = `${top}/outside`;
  await Deno.mkdir(`${root}/sub`, { recursive: true });
  await Deno.mkdir(outside);
  await Deno.writeTextFile(`${root}/data.txt`, "Hello, World!");
  await Deno.writeTextFile(`${root}/unicode.txt`, "Hello, 世界!");
  await Deno.writeTextFile(`${root}/sub/nested.txt`, "nested");
  await Deno.writeFile(`${root}/binary.bin`, new Uint8Array([0xff, 0x00, 0xfe, 0x41]));
  await Deno.writeTextFile(`${outside}/secret.txt`, SECRET);
  return { root, outside, cleanup: () => Deno.remove(top, { recursive: true }) };
}

function call(
  sb: Sandbox,
  key: string,
  kwargs: Record<string, string> = {},
  extra: { sensitiveInput?: boolean; baseDir?: string; roots?: string[] } = {},
) {
  return makeCall({
    args: [key],
    kwargs,
    resolver: "file",
    sensitiveInput: extra.sensitiveInput ?? false,
    context: { baseDir: extra.baseDir ?? sb.root, fileRoots: extra.roots ?? [sb.root] },
  });
}

function assertNoLeak(err: Error) {
  assert.ok(!err.message.includes(SECRET), `message leaked file content: ${err.message}`);
}

Deno.test("file reads a text file relative to the base directory", async () => {
  const sb = await sandbox();
  try {
    assert.equal(fileResolver.resolve("data.txt", call(sb, "data.txt")), "Hello, World!");
    assert.equal(fileResolver.resolve("sub/nested.txt", call(sb, "sub/nested.txt")), "nested");
    assert.equal(fileResolver.resolve("./sub/../data.txt", call(sb, "")), "Hello, World!");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file reads UTF-8 by default and for encoding=UTF-8 in any case", async () => {
  const sb = await sandbox();
  try {
    assert.equal(fileResolver.resolve("unicode.txt", call(sb, "unicode.txt")), "Hello, 世界!");
    assert.equal(
      fileResolver.resolve("unicode.txt", call(sb, "unicode.txt", { encoding: "UTF-8" })),
      "Hello, 世界!",
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file encoding=ascii drops every non-ASCII character", async () => {
  const sb = await sandbox();
  try {
    assert.equal(
      fileResolver.resolve("unicode.txt", call(sb, "unicode.txt", { encoding: "ascii" })),
      "Hello, !",
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file encoding=base64 encodes the file's bytes", async () => {
  const sb = await sandbox();
  try {
    assert.equal(
      fileResolver.resolve("data.txt", call(sb, "data.txt", { encoding: "base64" })),
      btoa("Hello, World!"),
    );
    assert.equal(
      fileResolver.resolve("binary.bin", call(sb, "binary.bin", { encoding: "base64" })),
      "/wD+QQ==",
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file encoding=binary and parse=none return bytes", async () => {
  const sb = await sandbox();
  try {
    const expected = new Uint8Array([0xff, 0x00, 0xfe, 0x41]);
    assert.deepEqual(
      fileResolver.resolve("binary.bin", call(sb, "binary.bin", { encoding: "binary" })),
      expected,
    );
    assert.deepEqual(
      fileResolver.resolve("binary.bin", call(sb, "binary.bin", { parse: "none" })),
      expected,
    );
    const text = fileResolver.resolve("data.txt", call(sb, "data.txt", { parse: "none" }));
    assert.ok(text instanceof Uint8Array);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file parse=text (any case) reads text", async () => {
  const sb = await sandbox();
  try {
    for (const parse of ["text", "TEXT", ""]) {
      assert.equal(
        fileResolver.resolve("data.txt", call(sb, "data.txt", { parse })),
        "Hello, World!",
      );
    }
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file refuses an unknown encoding or parse value, even for a missing file", async () => {
  const sb = await sandbox();
  try {
    const cases: [string, Record<string, string>, RegExp][] = [
      [
        "unicode.txt",
        { encoding: "latin-1" },
        /encoding= takes one of utf-8, ascii, base64, binary/,
      ],
      ["unicode.txt", { encoding: "utf8" }, /Did you mean 'utf-8'\?/],
      ["data.txt", { parse: "binary" }, /parse= takes one of text, none/],
      ["data.txt", { parse: "yaml" }, /parse= takes one of text, none/],
      // A bad value is not hidden by not-found (which would let default= apply).
      ["missing.txt", { encoding: "latin-1" }, /encoding= takes/],
    ];
    for (const [file, kwargs, help] of cases) {
      const err = await thrown(() => fileResolver.resolve(file, call(sb, file, kwargs)));
      assert.ok(err instanceof ParseError, JSON.stringify(kwargs));
      assert.equal((err as ParseError).code, "INVALID_KEYWORD_VALUE");
      assert.match(err.message, help);
    }
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file invalid UTF-8 in text mode is a ParseError, not not-found", async () => {
  const sb = await sandbox();
  try {
    const err = await thrown(() => fileResolver.resolve("binary.bin", call(sb, "binary.bin")));
    assert.ok(err instanceof ParseError);
    assert.ok(!(err instanceof NotFoundError));
    assert.match(err.message, /File is not valid UTF-8 text: binary\.bin/);
    assert.match(err.message, /encoding=binary/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file missing file is a NotFoundError naming the path as written", async () => {
  const sb = await sandbox();
  try {
    const err = await thrown(() =>
      fileResolver.resolve("nonexistent.txt", call(sb, "nonexistent.txt"))
    );
    assert.ok(err instanceof NotFoundError);
    assert.equal(err.code, "NOT_FOUND");
    assert.equal(err.resource, "nonexistent.txt");
    assert.equal(err.headline, "File not found: nonexistent.txt");
    assert.equal(err.help, "Check that the file exists relative to the config file");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file missing file outside the roots is still not-found", async () => {
  const sb = await sandbox();
  try {
    const err = await thrown(() =>
      fileResolver.resolve("../outside/missing.txt", call(sb, "../outside/missing.txt"))
    );
    assert.ok(err instanceof NotFoundError);
    assert.match(err.message, /File not found: \.\.\/outside\/missing\.txt/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file without roots asks for allowed directories", async () => {
  const sb = await sandbox();
  try {
    const err = await thrown(() =>
      fileResolver.resolve("data.txt", call(sb, "data.txt", {}, { roots: [] }))
    );
    assert.ok(err instanceof ResolverError);
    assert.ok(!(err instanceof NotFoundError));
    assert.match(err.message, /^File resolver requires allowed directories to be configured\./);
    assert.match(err.message, /fileRoots \(file_roots\)/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file refuses ../ traversal out of the roots without leaking content", async () => {
  const sb = await sandbox();
  try {
    const err = await thrown(() =>
      fileResolver.resolve("../outside/secret.txt", call(sb, "../outside/secret.txt"))
    );
    assert.ok(err instanceof ResolverError);
    assert.ok(!(err instanceof NotFoundError), "access denied must not be default-eligible");
    assert.equal(
      err.headline,
      "Access denied: file '<outside allowed directories>' is outside allowed directories. " +
        "Use fileRoots (file_roots) to extend allowed directories.",
    );
    assertNoLeak(err);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file refuses an absolute path outside the roots", async () => {
  const sb = await sandbox();
  try {
    const abs = `${sb.outside}/secret.txt`;
    const err = await thrown(() => fileResolver.resolve(abs, call(sb, abs)));
    assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
    assert.match(err.message, /outside allowed directories/);
    assert.match(err.message, /allowed/);
    assertNoLeak(err);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file follows symlinks before the sandbox check", async () => {
  const sb = await sandbox();
  try {
    await Deno.symlink(`${sb.outside}/secret.txt`, `${sb.root}/escape.txt`);
    await Deno.symlink(`${sb.outside}`, `${sb.root}/escape_dir`);
    await Deno.symlink(`${sb.root}/data.txt`, `${sb.root}/inside_link.txt`);
    for (const key of ["escape.txt", "escape_dir/secret.txt"]) {
      const err = await thrown(() => fileResolver.resolve(key, call(sb, key)));
      assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
      assert.match(err.message, /Access denied/);
      assertNoLeak(err);
    }
    assert.equal(
      fileResolver.resolve("inside_link.txt", call(sb, "inside_link.txt")),
      "Hello, World!",
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file canonicalises the roots (a root given through a symlink works)", async () => {
  const sb = await sandbox();
  try {
    await Deno.symlink(sb.root, `${sb.outside}/root_link`);
    const linked = `${sb.outside}/root_link`;
    assert.equal(
      fileResolver.resolve(
        "data.txt",
        call(sb, "data.txt", {}, { baseDir: linked, roots: [linked] }),
      ),
      "Hello, World!",
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file access-denied message shows a path relative to the base directory", async () => {
  const sb = await sandbox();
  try {
    // The base directory is not a root: files in it are refused, and shown relative to it.
    const err = await thrown(() =>
      fileResolver.resolve(
        "secret.txt",
        call(sb, "secret.txt", {}, { baseDir: sb.outside, roots: [sb.root] }),
      )
    );
    assert.match(err.message, /Access denied: file 'secret\.txt' is outside allowed directories/);
    assertNoLeak(err);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file access-denied message notes roots that could not be validated", async () => {
  const sb = await sandbox();
  try {
    const abs = `${sb.outside}/secret.txt`;
    const err = await thrown(() =>
      fileResolver.resolve(abs, call(sb, abs, {}, { roots: [sb.root, `${sb.root}/nope`] }))
    );
    assert.match(err.message, /Note: 1 configured root\(s\) could not be validated\./);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file refuses paths with NUL bytes", async () => {
  const sb = await sandbox();
  try {
    const key = "data.txt\0../outside/secret.txt";
    const err = await thrown(() => fileResolver.resolve(key, call(sb, key)));
    assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
    assert.equal(err.headline, "File paths cannot contain null bytes");
    assertNoLeak(err);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file refuses remote authorities such as //otherhost/x", async () => {
  const sb = await sandbox();
  try {
    for (const key of ["//otherhost/etc/passwd", "//server.example.com/share/config.yaml"]) {
      const err = await thrown(() => fileResolver.resolve(key, call(sb, key)));
      assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
      assert.match(
        err.message,
        /^Remote file URIs not supported: hostname '[^']+' is not localhost/,
      );
    }
    const sensitive = await thrown(() =>
      fileResolver.resolve(
        "//secret-host/x",
        call(sb, "//secret-host/x", {}, { sensitiveInput: true }),
      )
    );
    assert.ok(!sensitive.message.includes("secret-host"));
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file accepts local authorities: ///abs, localhost, 127.x, ::1, [::1]", async () => {
  const sb = await sandbox();
  try {
    const abs = `${sb.root}/data.txt`;
    for (const host of ["", "localhost", "LocalHost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"]) {
      const key = `//${host}${abs}`;
      assert.equal(fileResolver.resolve(key, call(sb, key)), "Hello, World!", key);
    }
    assert.equal(fileResolver.resolve(abs, call(sb, abs)), "Hello, World!");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file resolves relative paths against the working directory without a base", async () => {
  const sb = await sandbox();
  try {
    const rel = relative(Deno.cwd(), `${sb.root}/data.txt`);
    const c = makeCall({ args: [rel], context: { baseDir: undefined, fileRoots: [sb.root] } });
    assert.equal(fileResolver.resolve(rel, c), "Hello, World!");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file reading a directory is an error, not not-found", async () => {
  const sb = await sandbox();
  try {
    const err = await thrown(() => fileResolver.resolve("sub", call(sb, "sub")));
    assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
    assert.match(err.message, /Not a regular file: sub/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file refuses a FIFO without opening it (no hang), and never as not-found", async () => {
  const sb = await sandbox();
  const fifo = `${sb.root}/pipe`;
  const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  assert.ok(made.success, "mkfifo failed");
  // A writer that unblocks a reader that opens the FIFO: were it opened, the read would return
  // "leaked" instead of hanging, and the assertions below would fail.
  const writer = new Deno.Command("sh", {
    args: ["-c", 'printf leaked > "$1"', "sh", fifo],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const err = await thrown(() => fileResolver.resolve("pipe", call(sb, "pipe")));
    assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError), err.message);
    assert.match(err.message, /^Not a regular file: pipe/);
    const hidden = await thrown(() =>
      fileResolver.resolve("pipe", call(sb, "pipe", {}, { sensitiveInput: true }))
    );
    assert.match(hidden.message, /^Not a regular file: \[REDACTED\]/);
  } finally {
    writer.kill("SIGKILL");
    await writer.status;
    await sb.cleanup();
  }
});

Deno.test("file refuses a character device such as /dev/null", async () => {
  const sb = await sandbox();
  try {
    const err = await thrown(() =>
      fileResolver.resolve("/dev/null", call(sb, "/dev/null", {}, { roots: ["/dev"] }))
    );
    assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError), err.message);
    assert.match(err.message, /^Not a regular file: \/dev\/null/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file refuses a file over 64 MiB", async () => {
  const sb = await sandbox();
  try {
    const big = await Deno.open(`${sb.root}/big.bin`, { write: true, create: true });
    await big.truncate(64 * 1024 * 1024 + 1); // sparse: no disk space used
    big.close();
    const err = await thrown(() =>
      fileResolver.resolve("big.bin", call(sb, "big.bin", { encoding: "binary" }))
    );
    assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError), err.message);
    assert.match(
      err.message,
      /^File too large: big\.bin \(67108865 bytes > 67108864 bytes limit\)/,
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file empty path is a ParseError", async () => {
  const sb = await sandbox();
  try {
    const err = await thrown(() => fileResolver.resolve("", call(sb, "")));
    assert.ok(err instanceof ParseError);
    assert.match(err.message, /file resolver requires a file path/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file never shows a path that came from a sensitive input", async () => {
  const sb = await sandbox();
  try {
    const key = "hunter2-missing.txt";
    const err = await thrown(() =>
      fileResolver.resolve(key, call(sb, key, {}, { sensitiveInput: true }))
    );
    assert.ok(err instanceof NotFoundError);
    assert.ok(!err.message.includes("hunter2"), err.message);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file identity is the absolute target path", async () => {
  const sb = await sandbox();
  try {
    const identity = fileResolver.identity!;
    const a = identity("data.txt", call(sb, "data.txt"));
    const b = identity("sub/../data.txt", call(sb, "sub/../data.txt"));
    const c = identity("../data.txt", call(sb, "../data.txt", {}, { baseDir: `${sb.root}/sub` }));
    assert.equal(a, `${sb.root}/data.txt`);
    assert.equal(b, a);
    assert.equal(c, a);
    // The same text from another directory names another file.
    const d = identity("data.txt", call(sb, "data.txt", {}, { baseDir: sb.outside }));
    assert.notEqual(d, a);
    assert.equal(identity("missing.txt", call(sb, "missing.txt")), `${sb.root}/missing.txt`);
  } finally {
    await sb.cleanup();
  }
});

// --- the file opened is the file checked ---------------------------------------------------

/**
 * `root/sub` (holding nested.txt) and `outside/sub` (holding a nested.txt with the secret);
 * `swap()` replaces `root/sub` by a symlink to `outside/sub`, `restore()` undoes it.
 */
async function swappableDir(sb: Sandbox) {
  await Deno.mkdir(`${sb.outside}/sub`);
  await Deno.writeTextFile(`${sb.outside}/sub/nested.txt`, SECRET);
  return {
    swap: () => {
      Deno.renameSync(`${sb.root}/sub`, `${sb.root}/sub.orig`);
      Deno.symlinkSync(`${sb.outside}/sub`, `${sb.root}/sub`);
    },
    restore: () => {
      Deno.removeSync(`${sb.root}/sub`);
      Deno.renameSync(`${sb.root}/sub.orig`, `${sb.root}/sub`);
    },
  };
}

/** Reads `key` with `hooks`; asserts an access denial that shows no file content. */
async function deniedRead(sb: Sandbox, key: string, hooks: FileReadHooks): Promise<Error> {
  const err = await thrown(() => readFileInRoots(key, call(sb, key), { hooks }));
  assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError), err.message);
  assert.equal(err.code, "FILE_ACCESS_DENIED");
  assertNoLeak(err);
  return err;
}

Deno.test("file reads nothing outside the roots when a directory becomes a symlink after the check", async () => {
  const sb = await sandbox();
  try {
    const dir = await swappableDir(sb);
    const err = await deniedRead(sb, "sub/nested.txt", { afterCheck: dir.swap });
    assert.match(err.message, /^Access denied: file '<outside allowed directories>' is outside/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file refuses a file opened through a swapped directory whatever the swaps during the re-check", async () => {
  const sb = await sandbox();
  try {
    const dir = await swappableDir(sb);
    const sequences: FileReadHooks[] = [
      // Opened through the symlink, the directory back before the path is checked again.
      { afterCheck: dir.swap, afterOpen: dir.restore },
      // ... and the symlink again for the identity check: only the last canonicalisation tells.
      { afterCheck: dir.swap, afterOpen: dir.restore, afterRecheckPath: dir.swap },
    ];
    for (const hooks of sequences) {
      const err = await deniedRead(sb, "sub/nested.txt", hooks);
      assert.match(err.message, /^Access denied: file 'sub\/nested\.txt' was replaced while/);
      if (hooks.afterRecheckPath) dir.restore();
    }
    // The hooks ran, and the same read without them gives the file inside the root.
    const key = "sub/nested.txt";
    assert.equal(new TextDecoder().decode(readFileInRoots(key, call(sb, key))), "nested");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("file refuses a file replaced by another one inside the root after it was opened", async () => {
  const sb = await sandbox();
  try {
    const err = await deniedRead(sb, "data.txt", {
      afterOpen: () => {
        Deno.removeSync(`${sb.root}/data.txt`);
        Deno.writeTextFileSync(`${sb.root}/data.txt`, "new");
      },
    });
    assert.match(err.message, /^Access denied: file 'data\.txt' was replaced while/);
  } finally {
    await sb.cleanup();
  }
});
