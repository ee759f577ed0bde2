/**
 * The `extract` transformation resolver: `${extract:<archive>,path=<member>,password=<pw>}`
 * returns the bytes of one member of a ZIP, TAR or TAR.GZ archive.
 *
 * @module
 */

import { decodeBase64 } from "../src/_bytes.ts";
import { NotFoundError, ParseError, ResolverError } from "../src/errors.ts";
import type { ResolverCall, ResolverObject } from "../src/resolver.ts";
import { shown } from "./_args.ts";

/** Largest member the resolver extracts (10 MiB). */
const MAX_EXTRACTED_BYTES = 10 * 1024 * 1024;

/** Largest ZIP compression ratio accepted (100:1). */
const MAX_COMPRESSION_RATIO = 100;

/** Largest decompressed TAR stream read from a TAR.GZ archive (100 MiB). */
const MAX_GUNZIPPED_BYTES = 100 * 1024 * 1024;

type Fflate = typeof import("fflate");
type Nanotar = typeof import("nanotar");

let fflateModule: Fflate | undefined;
let nanotarModule: Nanotar | undefined;

type Format = "zip" | "gzip" | "tar";

const UNSUPPORTED = "Unsupported archive format. Supported formats: ZIP, TAR, TAR.GZ";
const GUNZIP_STEP = 16 * 1024;

function sniff(data: Uint8Array): Format | undefined {
  if (
    data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b &&
    ((data[2] === 0x03 && data[3] === 0x04) || (data[2] === 0x05 && data[3] === 0x06))
  ) {
    return "zip";
  }
  if (data.length >= 3 && data[0] === 0x1f && data[1] === 0x8b && data[2] === 0x08) return "gzip";
  if (isTar(data)) return "tar";
  return undefined;
}

function isTar(data: Uint8Array): boolean {
  const magic = [0x75, 0x73, 0x74, 0x61, 0x72]; // "ustar"
  return data.length >= 262 && magic.every((b, i) => data[257 + i] === b);
}

/** The archive bytes: bytes as given; a string is base64-decoded when valid, else UTF-8. */
function archiveBytes(arg: string | Uint8Array): Uint8Array {
  if (arg instanceof Uint8Array) return arg;
  return decodeBase64(arg) ?? new TextEncoder().encode(arg);
}

function ratioText(compressed: number, original: number): string {
  const ratio = original / Math.max(compressed, 1);
  return ratio >= 10 ? String(Math.round(ratio)) : ratio.toFixed(1);
}

function sizeLimitError(size: number): ResolverError {
  return new ResolverError(
    `Extracted file exceeds size limit (${size} bytes > ${MAX_EXTRACTED_BYTES} bytes limit)`,
    { help: "The extract resolver reads members of at most 10 MiB" },
  );
}

/**
 * Whether the central-directory entry number `index` has the "encrypted" flag (general
 * purpose bit 0). fflate does not expose this flag, so this reads just that field; fflate has
 * already walked the same directory successfully when this runs.
 */
function zipEntryEncrypted(data: Uint8Array, index: number): boolean {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u16 = (at: number) => at + 2 <= data.length ? view.getUint16(at, true) : 0;
  const u32 = (at: number) => at >= 0 && at + 4 <= data.length ? view.getUint32(at, true) : 0;
  let end = data.length - 22;
  while (end >= 0 && u32(end) !== 0x06054b50) end--;
  if (end < 0) return false;
  let offset = u32(end + 16);
  if (u32(end - 20) === 0x07064b50) {
    const z64 = u32(end - 12);
    if (u32(z64) === 0x06064b50) offset = u32(z64 + 48);
  }
  for (let i = 0; i < index; i++) {
    if (u32(offset) !== 0x02014b50) return false;
    offset += 46 + u16(offset + 28) + u16(offset + 30) + u16(offset + 32);
  }
  return u32(offset) === 0x02014b50 && (u16(offset + 8) & 1) === 1;
}

function extractZip(
  fflate: Fflate,
  data: Uint8Array,
  member: string,
  call: ResolverCall,
): Uint8Array {
  const name = shown(member, call);
  let info: { size: number; originalSize: number; compression: number } | undefined;
  let index = -1;
  let count = 0;
  try {
    // A first pass over the central directory only: nothing is decompressed.
    fflate.unzipSync(data, {
      filter(file) {
        if (info === undefined && file.name === member) {
          info = {
            size: file.size,
            originalSize: file.originalSize,
            compression: file.compression,
          };
          index = count;
        }
        count++;
        return false;
      },
    });
  } catch (e) {
    throw new ResolverError("Invalid ZIP archive", { detail: errorText(e), cause: e });
  }
  if (info === undefined) {
    throw new NotFoundError(`File '${name}' not found in ZIP archive`, {
      resource: name,
      help: "Check the member path (names are exact, e.g. 'dir/file.txt')",
    });
  }
  const password = call.kwargs["password"];
  // Method 99 is WinZip AES; bit 0 of the flags marks ZipCrypto (and AES) entries.
  if (info.compression === 99 || zipEntryEncrypted(data, index)) {
    if (password === undefined) {
      throw new ResolverError(
        `ZIP file '${name}' is password-protected but no password provided. Use password=... kwarg`,
      );
    }
    throw new ResolverError(`Cannot extract '${name}': encrypted ZIP members are not supported`, {
      help: "Store the member without encryption, or decrypt the archive before loading it",
    });
  }
  const size = Math.max(info.originalSize, info.compression === 0 ? info.size : 0);
  if (size > MAX_EXTRACTED_BYTES) throw sizeLimitError(size);
  if (info.originalSize / Math.max(info.size, 1) > MAX_COMPRESSION_RATIO) {
    throw new ResolverError(
      `Compression ratio too high (${
        ratioText(info.size, info.originalSize)
      }:1, max ${MAX_COMPRESSION_RATIO}:1)`,
      { help: "The archive looks like a zip bomb; the extract resolver refuses it" },
    );
  }
  if (info.compression !== 0 && info.compression !== 8) {
    throw new ResolverError(
      `Cannot extract '${name}': unsupported ZIP compression method ${info.compression}`,
      { help: "Only stored and deflated members can be extracted" },
    );
  }
  let taken = false;
  let out: Uint8Array | undefined;
  try {
    // The declared size bounds the output buffer: a member that inflates to more is cut.
    const files = fflate.unzipSync(data, {
      filter(file) {
        if (taken || file.name !== member) return false;
        taken = true;
        return true;
      },
    });
    out = files[member];
  } catch (e) {
    throw new ResolverError(`Failed to extract '${name}' from ZIP archive`, {
      detail: errorText(e),
      cause: e,
    });
  }
  if (out === undefined) return new Uint8Array(0);
  if (out.length > MAX_EXTRACTED_BYTES) throw sizeLimitError(out.length);
  return out;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Gunzips with a cap on the output, stopping as soon as it is exceeded. */
function gunzipBounded(fflate: Fflate, data: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const gunzip = new fflate.Gunzip((chunk) => {
    if (over) return;
    total += chunk.length;
    if (total > MAX_GUNZIPPED_BYTES) over = true;
    else chunks.push(chunk);
  });
  try {
    for (let i = 0; i < data.length && !over; i += GUNZIP_STEP) {
      gunzip.push(data.subarray(i, i + GUNZIP_STEP), i + GUNZIP_STEP >= data.length);
    }
  } catch (e) {
    throw new ResolverError("Invalid gzip data", { detail: errorText(e), cause: e });
  }
  if (over) {
    throw new ResolverError(
      `Decompressed archive exceeds size limit (more than ${MAX_GUNZIPPED_BYTES} bytes)`,
      { help: "The extract resolver reads TAR.GZ archives of at most 100 MiB uncompressed" },
    );
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Member names compare without a leading `./` or `/`, as TAR tools write either. */
function tarName(name: string): string {
  return name.replace(/^(?:\.?\/)+/, "");
}

function extractTar(
  nanotar: Nanotar,
  data: Uint8Array,
  member: string,
  call: ResolverCall,
): Uint8Array {
  const name = shown(member, call);
  const wanted = tarName(member);
  // nanotar reads `data.buffer` from offset 0: hand it a buffer of its own.
  const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
    ? data
    : data.slice();
  let found = false;
  let items;
  try {
    items = nanotar.parseTar(own, {
      filter(meta) {
        if (found) return false;
        if (meta.type !== "file" && meta.type !== "contiguousFile") return false;
        if (tarName(meta.name) !== wanted) return false;
        if (meta.size > MAX_EXTRACTED_BYTES) throw sizeLimitError(meta.size);
        found = true;
        return true;
      },
    });
  } catch (e) {
    if (e instanceof ResolverError) throw e;
    throw new ResolverError("Invalid TAR archive", { detail: errorText(e), cause: e });
  }
  const item = items[0];
  if (item === undefined) {
    throw new NotFoundError(`File '${name}' not found in TAR archive`, {
      resource: name,
      help: "Check the member path (names are exact, e.g. 'dir/file.txt')",
    });
  }
  return item.data === undefined ? new Uint8Array(0) : item.data.slice();
}

function extract(
  data: Uint8Array,
  format: Format,
  member: string,
  call: ResolverCall,
): Uint8Array {
  if (format === "zip") return extractZip(fflateModule as Fflate, data, member, call);
  let tar = data;
  if (format === "gzip") {
    tar = gunzipBounded(fflateModule as Fflate, data);
    if (!isTar(tar)) {
      throw new ResolverError(UNSUPPORTED, { detail: "The gzip data does not hold a TAR archive" });
    }
  }
  return extractTar(nanotarModule as Nanotar, tar, member, call);
}

/**
 * The `extract` resolver: returns the bytes (always a `Uint8Array`) of the member `path` of a
 * ZIP, TAR or TAR.GZ archive, whose format is sniffed from its first bytes. The archive is
 * the first argument: bytes as given (`${extract:${file:a.zip,encoding=binary},path=x}`), or
 * text, which is base64-decoded when it is valid base64 and else taken as its UTF-8 bytes.
 *
 * Limits, checked before anything is decompressed: 10 MiB per member, ZIP compression ratio
 * at most 100:1; a TAR.GZ stream is inflated up to 100 MiB. A missing member is a
 * `NotFoundError` (so `default=` applies). Encrypted ZIP members are refused (without a
 * password: "ZIP file 'x' is password-protected but no password provided"; with one: they
 * are not supported).
 *
 * The archive libraries are imported on first use, so the first call returns a promise;
 * later calls are synchronous.
 *
 * @throws {ParseError} No archive argument, or no `path`.
 * @throws {NotFoundError} The member is not in the archive.
 * @throws {ResolverError} Unsupported format, limits exceeded, encrypted or corrupt archive.
 *
 * @example Extract a member of a ZIP archive
 * ```ts
 * import { extractResolver } from "./extract.ts";
 * import type { ResolverCall } from "../src/resolver.ts";
 * import { strToU8, zipSync } from "fflate";
 * import assert from "node:assert/strict";
 *
 * const zip = zipSync({ "conf/app.txt": strToU8("hello") });
 * const call = { args: [zip], kwargs: { path: "conf/app.txt" }, sensitiveInput: false } as unknown as ResolverCall;
 * const bytes = await extractResolver.resolve("", call);
 * assert.equal(new TextDecoder().decode(bytes as Uint8Array), "hello");
 * ```
 */
export const extractResolver: ResolverObject = {
  resolve(_key: string, call: ResolverCall): Uint8Array | Promise<Uint8Array> {
    const arg = call.args[0];
    if (arg === undefined) {
      throw new ParseError("extract resolver requires archive data as first argument", {
        help: "Write ${extract:${file:archive.zip,encoding=binary},path=member}",
      });
    }
    const member = call.kwargs["path"];
    if (member === undefined || member === "") {
      throw new ParseError("extract resolver requires 'path' kwarg specifying file to extract", {
        help: "Add path=<member name>, e.g. ${extract:...,path=config/app.yaml}",
      });
    }
    const data = archiveBytes(arg);
    const format = sniff(data);
    if (format === undefined) {
      throw new ResolverError(UNSUPPORTED, {
        help: "Pass the archive as bytes, e.g. ${file:archive.zip,encoding=binary}",
      });
    }
    const needFflate = format !== "tar" && fflateModule === undefined;
    const needNanotar = format !== "zip" && nanotarModule === undefined;
    if (!needFflate && !needNanotar) return extract(data, format, member, call);
    return (async () => {
      if (needFflate) fflateModule = await import("fflate");
      if (needNanotar) nanotarModule = await import("nanotar");
      return extract(data, format, member, call);
    })();
  },
};
