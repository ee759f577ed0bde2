// What an AWS resolver makes of fetched content (private): bytes or text read as YAML, JSON,
// text or bytes (`parse=`), shared by `s3`, `appconfig` and `secretsmanager`. The content may be
// a secret (a resolver cannot see `sensitive=true`), so parse errors give positions and reasons
// but never quote it.

import { HoloconfError, ParseError, ResolverError } from "../../src/errors.ts";
import { utf8OrUndefined } from "../../src/_bytes.ts";
import { parseJsonValue } from "../json.ts";
import { parseYamlValue } from "../../src/yaml.ts";

/** How content is read. */
export type ContentMode = "yaml" | "json" | "text" | "binary";

/**
 * The mode a content type asks for: `yaml` or `json` when it names one, else `text`.
 *
 * @param contentType The `Content-Type` (any case, parameters allowed), or "".
 * @returns The mode.
 */
export function modeOfContentType(contentType: string): ContentMode {
  const type = contentType.toLowerCase();
  if (type.includes("yaml")) return "yaml";
  if (type.includes("json")) return "json";
  return "text";
}

/**
 * Parses text as YAML or JSON (`text` gives it as is).
 *
 * @param text The content.
 * @param mode How to read it.
 * @param what What it is, for errors (`S3 object 'b/k'`; already redacted).
 * @returns The value.
 * @throws {ParseError} "Failed to parse JSON from <what>: <reason at line:column>".
 */
export function parseContent(
  text: string,
  mode: Exclude<ContentMode, "binary">,
  what: string,
): unknown {
  if (mode === "text") return text;
  try {
    return mode === "json"
      ? parseJsonValue(text, { sensitiveInput: true })
      : parseYamlValue(text, { sensitive: true });
  } catch (err) {
    if (err instanceof HoloconfError) {
      throw new ParseError(`Failed to parse ${mode.toUpperCase()} from ${what}: ${err.headline}`, {
        cause: err,
        help: "Check the content, or use parse=text to get it unparsed",
      });
    }
    throw err;
  }
}

/**
 * Reads fetched bytes: `binary` gives them as they are, the other modes decode UTF-8 first.
 *
 * @param bytes The content.
 * @param mode How to read it.
 * @param what What it is, for errors (already redacted).
 * @returns The value.
 * @throws {ResolverError} "<what> is not valid UTF-8" (use parse=binary).
 * @throws {ParseError} As {@linkcode parseContent}.
 */
export function decodeContent(bytes: Uint8Array, mode: ContentMode, what: string): unknown {
  if (mode === "binary") return bytes;
  const text = utf8OrUndefined(bytes);
  if (text === undefined) {
    throw new ResolverError(`${what} is not valid UTF-8`, {
      help: "Use parse=binary to get the bytes",
    });
  }
  return parseContent(text, mode, what);
}
