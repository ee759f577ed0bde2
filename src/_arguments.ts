// Checks the arguments of a resolver call against what the resolver accepts (private): the
// engine runs it once per call, on the parsed call, before any argument is evaluated.

import { formatSource, ParseError, type SourceLocation } from "./errors.ts";
import type { ArgValue, Call, Kwarg } from "./interpolation/ast.ts";
import type { ResolverParams } from "./resolver.ts";
import { closestName } from "./_did_you_mean.ts";

/** Keywords every resolver call takes, whatever its resolver declares (`ttl=`: seconds). */
const CALL_KEYWORDS: readonly string[] = ["default", "sensitive", "ttl"];

/** Keywords a reference takes: a reference has no lifetime of its own (no `ttl=`). */
const REFERENCE_KEYWORDS: readonly string[] = ["default", "sensitive"];

/** What a reference (`${path}`, `${ref:path}`) accepts: the path, `default`, `sensitive`. */
export const REFERENCE_PARAMS: Readonly<Required<ResolverParams>> = Object.freeze({
  positional: 1,
  keywords: Object.freeze([]),
});

/** Longest literal text the quoting hint repeats; longer calls get a generic example. */
const EXAMPLE_MAX_LENGTH = 60;

// deno-lint-ignore no-control-regex
const CONTROL_REGEXP = /[\u0000-\u001f\u007f]/;

/** Where the call was written, for the error. */
export interface CallSite {
  /** Config path being resolved. */
  path: string;
  /** Where the value was written, when known. */
  source: SourceLocation | undefined;
  /**
   * A resolver call (`ttl=` accepted; the hint "a ',' inside a value must be quoted") or a
   * reference.
   */
  kind: "call" | "reference";
}

/**
 * Throws when `call` has more positional arguments than `params.positional`, or a keyword
 * argument that is neither in `params.keywords` nor `default`/`sensitive` (nor `ttl`, for a
 * resolver call).
 *
 * The message names the accepted keywords, suggests the closest one, and shows how to quote a
 * value holding `,` or `=`. It repeats literal text of the call only when the call has no
 * `sensitive=` keyword (an unknown keyword's name only when it is close to an accepted one),
 * and never text produced by a nested interpolation: nothing has been evaluated yet.
 *
 * @throws {ParseError} `TOO_MANY_ARGUMENTS` or `UNKNOWN_KEYWORD`.
 */
export function checkArguments(
  call: Call,
  params: Readonly<Required<ResolverParams>>,
  site: CallSite,
): void {
  const framework = site.kind === "call" ? CALL_KEYWORDS : REFERENCE_KEYWORDS;
  const accepted = [...new Set([...params.keywords, ...framework])];
  const unknown = call.kwargs.filter((k) => !accepted.includes(k.name));
  const tooMany = call.args.length > params.positional;
  if (!tooMany && unknown.length === 0) return;
  const name = call.resolver;
  // With `sensitive=` the literal text of the call may be the secret (`${base64:...=,...}`).
  const hidden = call.kwargs.some((k) => k.name === "sensitive");
  const common = {
    path: site.path,
    resolver: name,
    ...(site.source ? { source: formatSource(site.source) } : {}),
    detail: `Accepted keywords: ${accepted.join(", ")}`,
  };
  const example = site.kind === "call" ? quotedExample(call, unknown, hidden) : undefined;
  const quoting = example && `A ',' or '=' inside a value must be quoted: ${example}`;
  if (tooMany) {
    const limit = params.positional === 0
      ? "takes no positional argument"
      : `takes at most ${params.positional}`;
    throw new ParseError(
      `Too many arguments for resolver '${name}': ${call.args.length} positional, ${limit}`,
      {
        code: "TOO_MANY_ARGUMENTS",
        ...common,
        help: [quoting, "keyword arguments are written name=value"]
          .filter((s) => s !== undefined).join("; "),
      },
    );
  }
  const names = [...new Set(unknown.map((k) => k.name))];
  const named: string[] = [];
  const suggestions: string[] = [];
  for (const k of names) {
    const near = closestName(k, accepted);
    if (near !== undefined) suggestions.push(`'${near}'${names.length > 1 ? ` for '${k}'` : ""}`);
    if (!hidden || near !== undefined) named.push(`'${k}'`);
  }
  const plural = names.length > 1 ? "s" : "";
  const help = suggestions.length === 0 ? quoting : [
    `Did you mean ${suggestions.join(", ")}?`,
    example && `If the text is part of a value, quote it: ${example}`,
  ].filter((s) => s !== undefined).join(" ");
  throw new ParseError(
    `Unknown keyword argument${plural} ${named.length > 0 ? `${named.join(", ")} ` : ""}` +
      `for resolver '${name}'`,
    {
      code: "UNKNOWN_KEYWORD",
      ...common,
      ...(help !== undefined ? { help } : {}),
    },
  );
}

/** The literal text of a value, or undefined when it holds a nested interpolation. */
function literal(v: ArgValue): string | undefined {
  let text = "";
  for (const p of v.parts) {
    if (p.kind !== "text") return undefined;
    text += p.text;
  }
  return text;
}

/**
 * `${name:'<positional arguments and unknown keywords as written>'}` when that is literal,
 * short and may be repeated; else a generic `${name:'a,b'}`.
 */
function quotedExample(call: Call, unknown: Kwarg[], hidden: boolean): string {
  const generic = `\${${call.resolver}:'a,b'}`;
  if (hidden) return generic;
  const pieces: string[] = [];
  for (const a of call.args) {
    const text = literal(a);
    if (text === undefined) return generic;
    pieces.push(text);
  }
  for (const k of unknown) {
    const text = literal(k.value);
    if (text === undefined) return generic;
    pieces.push(`${k.name}=${text}`);
  }
  const text = pieces.join(",");
  const quote = !text.includes("'") ? "'" : !text.includes('"') ? '"' : undefined;
  if (quote === undefined || text.length > EXAMPLE_MAX_LENGTH || CONTROL_REGEXP.test(text)) {
    return generic;
  }
  return `\${${call.resolver}:${quote}${text}${quote}}`;
}
