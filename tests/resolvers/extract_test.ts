import assert from "node:assert/strict";
import { gzipSync, strToU8, zipSync } from "fflate";
import { createTar } from "nanotar";
import { extractResolver } from "../../resolvers/extract.ts";
import { concatBytes, encodeBase64 } from "../../src/_bytes.ts";
import { NotFoundError, ParseError, ResolverError } from "../../src/errors.ts";
import { makeCall, thrown } from "./_transform_call.ts";

/** The resolver's limits (10 MiB per member, 100 MiB of gunzipped TAR). */
const MAX_EXTRACTED_BYTES = 10 * 1024 * 1024;
const MAX_GUNZIPPED_BYTES = 100 * 1024 * 1024;

const SECRET = "TOPSECRET-MEMBER-CONTENT";
const text = (b: unknown) => new TextDecoder().decode(b as Uint8Array);

function extract(
  archive: string | Uint8Array | undefined,
  kwargs: Record<string, string> = {},
  sensitiveInput = false,
): unknown {
  const args = archive === undefined ? [] : [archive];
  const key = typeof archive === "string" ? archive : "";
  return extractResolver.resolve(key, makeCall({ args, kwargs, sensitiveInput }));
}

function assertNoLeak(err: Error) {
  assert.ok(!err.message.includes(SECRET), `message leaked content: ${err.message}`);
}

/** Random bytes (incompressible), filled in 64 KiB steps as getRandomValues requires. */
function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

/** Sets the "encrypted" bit of every local and central header (a fake ZipCrypto archive). */
function markEncrypted(zip: Uint8Array): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x04034b50) view.setUint16(i + 6, view.getUint16(i + 6, true) | 1, true);
    if (sig === 0x02014b50) view.setUint16(i + 8, view.getUint16(i + 8, true) | 1, true);
  }
  return out;
}

const ZIP = zipSync({
  "config/app.yaml": strToU8("name: app\n"),
  "readme.txt": strToU8(SECRET),
  "stored.bin": [new Uint8Array([1, 2, 3, 0xff]), { level: 0 }],
});

const TAR = createTar([
  { name: "config/app.yaml", data: "name: tar\n" },
  { name: "dir/", attrs: { mode: "755" } },
  { name: "readme.txt", data: SECRET },
]);

Deno.test("extract reads a ZIP member as bytes (deflated and stored)", async () => {
  const out = await extract(ZIP, { path: "config/app.yaml" });
  assert.ok(out instanceof Uint8Array);
  assert.equal(text(out), "name: app\n");
  assert.deepEqual(await extract(ZIP, { path: "stored.bin" }), new Uint8Array([1, 2, 3, 0xff]));
});

Deno.test("extract reads a TAR member", async () => {
  const out = await extract(TAR, { path: "config/app.yaml" });
  assert.ok(out instanceof Uint8Array);
  assert.equal(text(out), "name: tar\n");
  assert.equal(text(await extract(TAR, { path: "./config/app.yaml" })), "name: tar\n");
});

/** One ustar header block (with the `prefix` field) followed by the data blocks. */
function ustarEntry(name: string, prefix: string, data: string, type = "0"): Uint8Array {
  const body = new TextEncoder().encode(data);
  const out = new Uint8Array(512 + Math.ceil(body.length / 512) * 512);
  const put = (at: number, value: string) => out.set(new TextEncoder().encode(value), at);
  put(0, name);
  put(100, "0000644\0");
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(124, body.length.toString(8).padStart(11, "0") + "\0");
  put(136, "00000000000\0");
  put(148, "        ");
  put(156, type);
  put(257, "ustar\0");
  put(263, "00");
  put(345, prefix);
  const sum = out.subarray(0, 512).reduce((a, b) => a + b, 0);
  put(148, sum.toString(8).padStart(6, "0") + "\0 ");
  out.set(body, 512);
  return out;
}

/** The entries, then the two zero blocks that end a tar archive. */
function ustar(...entries: Uint8Array[]): Uint8Array {
  const chunks = [...entries, new Uint8Array(1024)];
  return concatBytes(chunks, chunks.reduce((n, e) => n + e.length, 0));
}

Deno.test("extract finds a ustar member whose name continues in the prefix field", async () => {
  const dir = "d".repeat(60) + "/" + "e".repeat(60);
  const file = "f".repeat(90) + ".txt";
  const tar = ustar(
    ustarEntry("other.txt", "", "other\n"),
    ustarEntry(file, dir, "hello\n"),
    ustarEntry(file, "", "no prefix\n"),
  );
  assert.equal(text(await extract(tar, { path: `${dir}/${file}` })), "hello\n");
  assert.equal(text(await extract(tar, { path: file })), "no prefix\n");
  assert.equal(text(await extract(tar, { path: "other.txt" })), "other\n");
});

Deno.test("extract finds TAR members named by a pax path or a GNU long name", async () => {
  const paxName = "p/".repeat(80) + "pax.txt";
  const gnuName = "g/".repeat(80) + "gnu.txt";
  const body = ` path=${paxName}\n`;
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length++;
  const tar = ustar(
    ustarEntry("PaxHeader", "", `${length}${body}`, "x"),
    ustarEntry("truncated-pax", "", "from pax\n"),
    ustarEntry("././@LongLink", "", `${gnuName}\0`, "L"),
    ustarEntry("truncated-gnu", "", "from gnu\n"),
  );
  assert.equal(text(await extract(tar, { path: paxName })), "from pax\n");
  assert.equal(text(await extract(tar, { path: gnuName })), "from gnu\n");
});

Deno.test("extract matches TAR member names exactly: '..' is not resolved", async () => {
  const tar = ustar(
    ustarEntry("a/../b.txt", "", "dotted\n"),
    ustarEntry("b.txt", "", "plain\n"),
  );
  assert.equal(text(await extract(tar, { path: "a/../b.txt" })), "dotted\n");
  assert.equal(text(await extract(tar, { path: "b.txt" })), "plain\n");
  const only = ustar(ustarEntry("a/../c.txt", "", "x"));
  const err = await thrown(() => extract(only, { path: "c.txt" }));
  assert.ok(err instanceof NotFoundError, err.message);
});

Deno.test("extract reads a TAR.GZ member", async () => {
  const tgz = gzipSync(TAR);
  assert.equal(text(await extract(tgz, { path: "config/app.yaml" })), "name: tar\n");
});

Deno.test("extract base64-decodes a text archive argument", async () => {
  assert.equal(text(await extract(encodeBase64(ZIP), { path: "config/app.yaml" })), "name: app\n");
  assert.equal(text(await extract(encodeBase64(TAR), { path: "readme.txt" })), SECRET);
});

Deno.test("extract works on a view into a larger buffer", async () => {
  const padded = new Uint8Array(TAR.length + 100);
  padded.set(TAR, 50);
  const view = padded.subarray(50, 50 + TAR.length);
  assert.equal(text(await extract(view, { path: "config/app.yaml" })), "name: tar\n");
});

Deno.test("extract is synchronous once the archive libraries are loaded", async () => {
  await extract(gzipSync(TAR), { path: "readme.txt" });
  const out = extract(ZIP, { path: "readme.txt" });
  assert.ok(out instanceof Uint8Array);
});

Deno.test("extract missing member is not-found (ZIP and TAR)", async () => {
  const zipErr = await thrown(() => extract(ZIP, { path: "missing.txt" }));
  assert.ok(zipErr instanceof NotFoundError);
  assert.equal(zipErr.headline, "File 'missing.txt' not found in ZIP archive");
  assert.equal(zipErr.resource, "missing.txt");
  const tarErr = await thrown(() => extract(TAR, { path: "missing.txt" }));
  assert.ok(tarErr instanceof NotFoundError);
  assert.equal(tarErr.headline, "File 'missing.txt' not found in TAR archive");
  const dirErr = await thrown(() => extract(TAR, { path: "dir/" }));
  assert.ok(dirErr instanceof NotFoundError, "a directory entry is not a file");
});

Deno.test("extract requires an archive argument and a path kwarg", async () => {
  const noArg = await thrown(() => extract(undefined, { path: "x" }));
  assert.ok(noArg instanceof ParseError);
  assert.equal(noArg.headline, "extract resolver requires archive data as first argument");
  for (const kwargs of [{}, { path: "" }]) {
    const noPath = await thrown(() => extract(ZIP, kwargs));
    assert.ok(noPath instanceof ParseError);
    assert.equal(
      noPath.headline,
      "extract resolver requires 'path' kwarg specifying file to extract",
    );
  }
});

Deno.test("extract refuses unknown formats", async () => {
  for (const data of [strToU8("just some text"), new Uint8Array(0), gzipSync(strToU8(SECRET))]) {
    const err = await thrown(() => extract(data, { path: "x" }));
    assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
    assert.equal(err.headline, "Unsupported archive format. Supported formats: ZIP, TAR, TAR.GZ");
    assertNoLeak(err);
  }
});

Deno.test("extract refuses a ZIP bomb (ratio above 100:1) before inflating", async () => {
  const bomb = zipSync({ "bomb.bin": new Uint8Array(5 * 1024 * 1024) }, { level: 9 });
  assert.ok(bomb.length < 50_000);
  const err = await thrown(() => extract(bomb, { path: "bomb.bin" }));
  assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
  assert.match(err.headline, /^Compression ratio too high \(\d+:1, max 100:1\)$/);
  assertNoLeak(err);
});

Deno.test("extract refuses a member over 10 MiB (ZIP and TAR)", async () => {
  const big = randomBytes(MAX_EXTRACTED_BYTES + 1);
  const zip = zipSync({ "big.bin": [big, { level: 0 }], "ok.txt": strToU8(SECRET) });
  const err = await thrown(() => extract(zip, { path: "big.bin" }));
  assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
  assert.equal(
    err.headline,
    `Extracted file exceeds size limit (${MAX_EXTRACTED_BYTES + 1} bytes > 10485760 bytes limit)`,
  );
  assertNoLeak(err);
  assert.equal(text(await extract(zip, { path: "ok.txt" })), SECRET);

  const tar = createTar([{ name: "big.bin", data: big }]);
  const tarErr = await thrown(() => extract(tar, { path: "big.bin" }));
  assert.match(tarErr.message, /Extracted file exceeds size limit/);
});

/** A copy of `zip` with `patch(view, offset)` applied at every local and central header. */
function patchZipHeaders(
  zip: Uint8Array,
  patch: (view: DataView, at: number, central: boolean) => void,
): Uint8Array {
  const patched = zip.slice();
  const view = new DataView(patched.buffer);
  for (let i = 0; i + 4 <= patched.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x04034b50) patch(view, i, false);
    if (sig === 0x02014b50) patch(view, i, true);
  }
  return patched;
}

Deno.test("extract refuses a ZIP member whose declared size or CRC-32 lies", async () => {
  const content = Array.from({ length: 200 }, (_, i) => `line ${i * 7919 % 1000}\n`).join("");
  const zip = zipSync({ "m.txt": [strToU8(content), { level: 9 }] });
  assert.equal(text(await extract(zip, { path: "m.txt" })), content);
  // Declared smaller than it inflates to: the output is cut at the declared size, so the
  // CRC-32 no longer matches.
  const smaller = patchZipHeaders(
    zip,
    (v, at, central) => v.setUint32(at + (central ? 24 : 22), 100, true),
  );
  // Declared larger than it inflates to.
  const larger = patchZipHeaders(
    zip,
    (v, at, central) => v.setUint32(at + (central ? 24 : 22), content.length + 100, true),
  );
  // Sizes right, CRC-32 wrong (a member whose bytes were altered).
  const badCrc = patchZipHeaders(zip, (v, at, central) => {
    const field = at + (central ? 16 : 14);
    v.setUint32(field, v.getUint32(field, true) ^ 1, true);
  });
  // A stored member too.
  const stored = zipSync({ "s.bin": [strToU8(content), { level: 0 }] });
  const storedBadCrc = patchZipHeaders(stored, (v, at, central) => {
    const field = at + (central ? 16 : 14);
    v.setUint32(field, v.getUint32(field, true) ^ 1, true);
  });
  for (
    const [archive, member] of [
      [smaller, "m.txt"],
      [larger, "m.txt"],
      [badCrc, "m.txt"],
      [storedBadCrc, "s.bin"],
    ] as const
  ) {
    const err = await thrown(() => extract(archive, { path: member }));
    assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError), err.message);
    assert.equal(err.headline, `Corrupt ZIP member '${member}'`);
  }
  const hidden = await thrown(() => extract(badCrc, { path: "m.txt" }, true));
  assert.equal((hidden as ResolverError).headline, "Corrupt ZIP member '[REDACTED]'");
});

Deno.test("extract refuses encrypted ZIP members", async () => {
  const encrypted = markEncrypted(ZIP);
  const noPw = await thrown(() => extract(encrypted, { path: "readme.txt" }));
  assert.ok(noPw instanceof ResolverError && !(noPw instanceof NotFoundError));
  assert.equal(
    noPw.headline,
    "ZIP file 'readme.txt' is password-protected but no password provided. Use password=... kwarg",
  );
  const withPw = await thrown(() => extract(encrypted, { path: "readme.txt", password: "pw" }));
  assert.ok(withPw instanceof ResolverError);
  assert.match(withPw.message, /encrypted ZIP members are not supported/);
  assert.ok(!withPw.message.includes("pw'"));
  assertNoLeak(withPw);
  // An unencrypted member of an archive ignores the password.
  assert.equal(text(await extract(ZIP, { path: "readme.txt", password: "pw" })), SECRET);
});

Deno.test("extract reports corrupt archives without their content", async () => {
  const truncated = ZIP.slice(0, ZIP.length - 10);
  const err = await thrown(() => extract(truncated, { path: "readme.txt" }));
  assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
  assertNoLeak(err);
  const badGz = gzipSync(TAR).slice(0, 40);
  const gzErr = await thrown(() => extract(badGz, { path: "readme.txt" }));
  assert.ok(gzErr instanceof ResolverError && !(gzErr instanceof NotFoundError));
  assertNoLeak(gzErr);
});

Deno.test("extract hides the member name when an input is sensitive", async () => {
  const err = await thrown(() => extract(ZIP, { path: "hunter2.txt" }, true));
  assert.ok(err instanceof NotFoundError);
  assert.ok(!err.message.includes("hunter2"), err.message);
});

Deno.test("extract stops inflating a TAR.GZ past its size cap", async () => {
  const header = createTar([{ name: "zeros.bin", data: "x" }]).subarray(0, 512);
  const huge = new Uint8Array(MAX_GUNZIPPED_BYTES + 1024 * 1024);
  huge.set(header);
  // Native gzip: much faster than fflate for 100 MiB.
  const stream = new Blob([huge]).stream().pipeThrough(new CompressionStream("gzip"));
  const bomb = new Uint8Array(await new Response(stream).arrayBuffer());
  const err = await thrown(() => extract(bomb, { path: "zeros.bin" }));
  assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
  assert.match(err.headline, /^Decompressed archive exceeds size limit/);
});

Deno.test("extract takes text with non-canonical base64 final bits as text, not base64", async () => {
  // Trailing bytes after the end record are ignored by ZIP readers; they make the base64 end "==".
  const zip = new Uint8Array(ZIP.length + ((1 - ZIP.length % 3) + 3) % 3);
  zip.set(ZIP);
  const b64 = encodeBase64(zip);
  assert.ok(b64.endsWith("=="));
  assert.equal(text(await extract(b64, { path: "config/app.yaml" })), "name: app\n");
  const last = b64.length - 3;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const bumped = alphabet[alphabet.indexOf(b64[last]!) | 1]!;
  const loose = b64.slice(0, last) + bumped + "==";
  const err = await thrown(() => extract(loose, { path: "config/app.yaml" }));
  assert.match(err.message, /Unsupported archive format/);
});
