// Byte helpers shared by the engine and resolvers (pure).

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** UTF-8 text of `bytes`, or `undefined` when they are not valid UTF-8. */
export function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Standard base64 (with padding) of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  let bin = "";
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(bin);
}

const BASE64_REGEXP = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Whether the unused low bits of the last quantum of padded base64 are zero (canonical), so
 * that one byte string has one encoding (`QQ==`, never `QR==`).
 */
export function base64FinalBitsCanonical(text: string): boolean {
  const pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  if (pad === 0) return true;
  const last = BASE64_ALPHABET.indexOf(text[text.length - pad - 1] ?? "");
  return (last & (pad === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * Decodes strict standard base64 (padding required, canonical final bits); `undefined` when
 * invalid.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64_REGEXP.test(text) || !base64FinalBitsCanonical(text)) return undefined;
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Bytes as text: their UTF-8 decoding when valid, else base64 (SPEC §3). */
export function bytesToText(bytes: Uint8Array): string {
  return utf8OrUndefined(bytes) ?? encodeBase64(bytes);
}

/** Joins byte chunks (already counted: `total` is the sum of their lengths) into one array. */
export function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.length === total) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
