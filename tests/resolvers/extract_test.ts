import assert from "node:assert/strict";
import { gzipSync, strToU8, zipSync } from "fflate";
import { createTar } from "nanotar";
import { extractResolver } from "../../resolvers/extract.ts";
import { encodeBase64 } from "../../src/_bytes.ts";
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

Deno.test("extract does not trust a ZIP's declared size when inflating", async () => {
  // Declare 100 bytes for a member that inflates to 4000: the output stays bounded.
  const zip = zipSync({ "lie.txt": strToU8("a".repeat(4000)) }, { level: 1 });
  const patched = zip.slice();
  const view = new DataView(patched.buffer);
  for (let i = 0; i + 4 <= patched.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x04034b50) view.setUint32(i + 22, 100, true);
    if (sig === 0x02014b50) view.setUint32(i + 24, 100, true);
  }
  const out = await extract(patched, { path: "lie.txt" }) as Uint8Array;
  assert.ok(out.length <= 100);
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
