/**
 * The `extract` transformation resolver: `${extract:<archive>,path=<member>,password=<pw>}`
 * returns the bytes of one member of a ZIP, TAR or TAR.GZ archive.
 *
 * @module
 */

import { concatBytes, decodeBase64 } from "../src/_bytes.ts";
import { NotFoundError, ParseError, ResolverError } from "../src/errors.ts";
import type { ResolverCall, ResolverObject } from "../src/resolver.ts";
import { errorMessage, shown } from "./_args.ts";

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

/** What fflate does not expose of a central-directory entry. */
interface ZipEntryFields {
  /** The "encrypted" flag (general purpose bit 0). */
  encrypted: boolean;
  /** The declared CRC-32 of the member's content. */
  crc: number;
}

/**
 * The flags and CRC-32 of central-directory entry number `index`. fflate does not expose them,
 * so this reads just those fields; fflate has already walked the same directory successfully
 * when this runs.
 */
function zipEntryFields(data: Uint8Array, index: number): ZipEntryFields | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u16 = (at: number) => at + 2 <= data.length ? view.getUint16(at, true) : 0;
  const u32 = (at: number) => at >= 0 && at + 4 <= data.length ? view.getUint32(at, true) : 0;
  let end = data.length - 22;
  while (end >= 0 && u32(end) !== 0x06054b50) end--;
  if (end < 0) return undefined;
  let offset = u32(end + 16);
  if (u32(end - 20) === 0x07064b50) {
    const z64 = u32(end - 12);
    if (u32(z64) === 0x06064b50) offset = u32(z64 + 48);
  }
  for (let i = 0; i < index; i++) {
    if (u32(offset) !== 0x02014b50) return undefined;
    offset += 46 + u16(offset + 28) + u16(offset + 30) + u16(offset + 32);
  }
  if (u32(offset) !== 0x02014b50) return undefined;
  return { encrypted: (u16(offset + 8) & 1) === 1, crc: u32(offset + 16) };
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as ZIP uses) of `bytes`. */
function crc32(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = (crcTable[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
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
    throw new ResolverError("Invalid ZIP archive", { detail: errorMessage(e), cause: e });
  }
  if (info === undefined) {
    throw new NotFoundError(`File '${name}' not found in ZIP archive`, {
      resource: name,
      help: "Check the member path (names are exact, e.g. 'dir/file.txt')",
    });
  }
  const password = call.kwargs["password"];
  const fields = zipEntryFields(data, index);
  if (fields === undefined) {
    throw new ResolverError("Invalid ZIP archive", {
      detail: "The central directory cannot be read",
    });
  }
  // Method 99 is WinZip AES; bit 0 of the flags marks ZipCrypto (and AES) entries.
  if (info.compression === 99 || fields.encrypted) {
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
    // The declared size bounds the output buffer: a member that inflates to more is cut, which
    // the CRC check below catches.
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
      detail: errorMessage(e),
      cause: e,
    });
  }
  out ??= new Uint8Array(0);
  if (out.length > MAX_EXTRACTED_BYTES) throw sizeLimitError(out.length);
  if (out.length !== info.originalSize || crc32(out) !== fields.crc) {
    throw new ResolverError(`Corrupt ZIP member '${name}'`, {
      detail: out.length !== info.originalSize
        ? `It holds ${out.length} bytes, the archive declares ${info.originalSize}`
        : "Its CRC-32 does not match the one the archive declares",
      help: "The archive is damaged or was altered; recreate it",
    });
  }
  return out;
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
    throw new ResolverError("Invalid gzip data", { detail: errorMessage(e), cause: e });
  }
  if (over) {
    throw new ResolverError(
      `Decompressed archive exceeds size limit (more than ${MAX_GUNZIPPED_BYTES} bytes)`,
      { help: "The extract resolver reads TAR.GZ archives of at most 100 MiB uncompressed" },
    );
  }
  return concatBytes(chunks, total);
}

/** Member names compare without a leading `./` or `/`, as TAR tools write either. */
function tarName(name: string): string {
  return name.replace(/^(?:\.?\/)+/, "");
}

const UTF8 = new TextDecoder();

/** A NUL-terminated header field. */
function tarField(data: Uint8Array, at: number, size: number): string {
  const field = data.subarray(at, Math.min(at + size, data.length));
  const nul = field.indexOf(0);
  return UTF8.decode(nul < 0 ? field : field.subarray(0, nul));
}

/** The `path` record of a pax extended header (`<len> key=value\n` records), if any. */
function paxPath(body: Uint8Array): string | undefined {
  let path: string | undefined;
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(UTF8.decode(body.subarray(at, space)));
    if (!Number.isInteger(length) || length <= space - at) break;
    const record = UTF8.decode(body.subarray(space + 1, at + length)).replace(/\n$/, "");
    const eq = record.indexOf("=");
    if (eq > 0 && record.slice(0, eq) === "path") path = record.slice(eq + 1);
    at += length;
  }
  return path;
}

/**
 * The position, among the entries nanotar hands to its `filter` (every header except pax and
 * GNU long-name ones), of the first regular file whose full name is `wanted`. nanotar neither
 * joins the ustar `prefix` field to the name nor keeps names as written (it resolves `..`), so
 * the headers are walked here the way nanotar walks them, and names are built exactly: a pax
 * `path` or GNU long name, else `prefix/name`. Returns -1 when there is no such member.
 */
function tarMemberIndex(data: Uint8Array, wanted: string): number {
  let offset = 0;
  let index = 0;
  let longName: string | undefined;
  while (offset < data.length - 512) {
    const shortName = tarField(data, offset, 100);
    if (shortName.length === 0) break;
    const size = Number.parseInt(
      String.fromCharCode(...data.subarray(offset + 124, offset + 136)),
      8,
    );
    const type = String.fromCharCode(data[offset + 156] ?? 0).replace("\0", "") || "0";
    if (!(size >= 0)) break; // unreadable size: nanotar cannot read on either
    const next = offset + 512 + 512 * Math.ceil(size / 512);
    if (type === "x" || type === "g" || type === "L" || type === "N" || type === "K") {
      const body = data.subarray(offset + 512, offset + 512 + size);
      if (type === "x") longName = paxPath(body);
      else if (type === "g") longName = undefined;
      else if (type !== "K") longName = tarField(body, 0, body.length);
      offset = next;
      continue;
    }
    let name = longName ?? shortName;
    if (longName === undefined && tarField(data, offset + 257, 5) === "ustar") {
      const prefix = tarField(data, offset + 345, 155);
      if (prefix !== "") name = `${prefix}/${shortName}`;
    }
    longName = undefined;
    if ((type === "0" || type === "7") && tarName(name) === wanted) return index;
    index++;
    offset = next;
  }
  return -1;
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
  let items;
  try {
    const target = tarMemberIndex(own, wanted);
    let index = 0;
    items = target < 0 ? [] : nanotar.parseTar(own, {
      filter(meta) {
        if (index++ !== target) return false;
        if (meta.size > MAX_EXTRACTED_BYTES) throw sizeLimitError(meta.size);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof ResolverError) throw e;
    throw new ResolverError("Invalid TAR archive", { detail: errorMessage(e), cause: e });
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
 * at most 100:1; a TAR.GZ stream is inflated up to 100 MiB. A ZIP member whose content does
 * not have the size and CRC-32 its directory entry declares is refused as corrupt. TAR member
 * names are matched exactly as stored (ustar `prefix` joined to the name, pax `path` and GNU
 * long names honoured, `..` never resolved; only a leading `./` or `/` is ignored). A missing
 * member is a `NotFoundError` (so `default=` applies). Encrypted ZIP members are refused
 * (without a password: "ZIP file 'x' is password-protected but no password provided"; with
 * one: they are not supported).
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
  params: { keywords: ["path", "password"] },
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
