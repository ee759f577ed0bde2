/**
 * The `base64` transformation resolver: `${base64:<text>}` decodes standard base64.
 *
 * @module
 */

import { base64FinalBitsCanonical, decodeBase64, utf8OrUndefined } from "../src/_bytes.ts";
import { ParseError } from "../src/errors.ts";
import type { ResolverCall, ResolverObject } from "../src/resolver.ts";
import { previewDetail } from "./_args.ts";

const ALPHABET_REGEXP = /[A-Za-z0-9+/=]/;

/** Why `text` (already known to be invalid) is not strict padded base64; never quotes it. */
function base64Problem(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (!ALPHABET_REGEXP.test(text[i] ?? "")) return `invalid character at offset ${i}`;
  }
  const pad = text.indexOf("=");
  if (pad >= 0 && (pad < text.length - 2 || /[^=]/.test(text.slice(pad)))) {
    return `invalid padding at offset ${pad}`;
  }
  if (text.length % 4 !== 0) {
    return `invalid length ${text.length} (padded base64 has a multiple of 4 characters)`;
  }
  if (pad > 0 && !base64FinalBitsCanonical(text)) {
    return `non-zero unused bits in the character at offset ${pad - 1}`;
  }
  return "invalid padding";
}

/**
 * The `base64` resolver: **decodes** its argument. Surrounding blanks are trimmed; then only
 * the standard alphabet (`A–Z a–z 0–9 + /`) with correct `=` padding, and zero bits in the unused
 * low bits before the padding (`QQ==`, not `QR==`), is accepted. The result
 * is a string when the decoded bytes are valid UTF-8, else a `Uint8Array`.
 *
 * Padded text written literally must be quoted, `${base64:'SGVsbG8='}`: unquoted, `SGVsbG8=`
 * reads as the keyword argument `SGVsbG8`, which the engine refuses (`UNKNOWN_KEYWORD`, with
 * the quoting hint) before the resolver runs.
 *
 * @throws {ParseError} "Invalid base64: <reason>" (with an input preview unless the input
 * came from a sensitive value).
 *
 * @example Decode text
 * ```ts
 * import { base64Resolver } from "./base64.ts";
 * import type { ResolverCall } from "../src/resolver.ts";
 * import assert from "node:assert/strict";
 *
 * const call = { args: ["SGVsbG8="], kwargs: {}, sensitiveInput: false } as unknown as ResolverCall;
 * assert.equal(base64Resolver.resolve("SGVsbG8=", call), "Hello");
 * ```
 *
 * @example Binary content comes back as bytes
 * ```ts
 * import { base64Resolver } from "./base64.ts";
 * import type { ResolverCall } from "../src/resolver.ts";
 * import assert from "node:assert/strict";
 *
 * const call = { args: ["//79"], kwargs: {}, sensitiveInput: false } as unknown as ResolverCall;
 * assert.deepEqual(base64Resolver.resolve("//79", call), new Uint8Array([0xff, 0xfe, 0xfd]));
 * ```
 */
export const base64Resolver: ResolverObject = {
  synchronous: true,
  params: { positional: 1, keywords: [] },
  resolve(key: string, call: ResolverCall): string | Uint8Array {
    const text = key.trim();
    const bytes = decodeBase64(text);
    if (bytes === undefined) {
      throw new ParseError(`Invalid base64: ${base64Problem(text)}`, {
        detail: previewDetail(text, call),
        help: "Use the standard base64 alphabet (A-Z a-z 0-9 + /) with '=' padding",
      });
    }
    return utf8OrUndefined(bytes) ?? bytes;
  },
};
