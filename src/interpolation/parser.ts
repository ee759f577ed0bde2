/**
 * The interpolation parser (SPEC §3): turns a config string into a {@linkcode Template} of
 * literal text and `${...}` interpolations. It knows no resolver and no config.
 *
 * The parser is a single left-to-right scan with an explicit stack of open interpolations:
 * it never recurses, uses no backtracking regular expressions, and its work is linear in the
 * length of the input (see {@linkcode ParseOptions.stats}).
 *
 * @module
 */

import { ParseError } from "../errors.ts";
import { offsetToPosition } from "../_position.ts";
import type { ArgValue, Call, Interpolation, Kwarg, Part, RelativeRef, Template } from "./ast.ts";

/** Default for {@linkcode ParseOptions.maxLength}: 1 MiB of UTF-16 code units. */
export const DEFAULT_MAX_LENGTH = 1_048_576;

/** Default for {@linkcode ParseOptions.maxNesting}. */
export const DEFAULT_MAX_NESTING = 32;

/** Options of {@linkcode parseTemplate}. */
export interface ParseOptions {
  /**
   * Longest text accepted, in UTF-16 code units; a longer text is a `ParseError`.
   *
   * @default {1_048_576}
   */
  maxLength?: number | undefined;
  /**
   * Deepest nesting of `${` accepted (a top-level interpolation is depth 1); deeper is a
   * `ParseError`. `Infinity` removes the limit (the parser never recurses).
   *
   * @default {32}
   */
  maxNesting?: number | undefined;
  /**
   * Work counter: the parser adds one to `steps` for every character visit of each of its
   * scanning loops (a constant-size look-ahead such as `${` after `\` is part of the same
   * visit). Tests use it to check that parsing is linear in the input length.
   *
   * @default {undefined}
   */
  stats?: { steps: number } | undefined;
}

const BACKSLASH = 0x5c;
const DOLLAR = 0x24;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const COMMA = 0x2c;
const COLON = 0x3a;
const DOT = 0x2e;
const EQUALS = 0x3d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const UNDERSCORE = 0x5f;
const HYPHEN = 0x2d;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;

const LETTER_OR_NUMBER_REGEXP = /^[\p{L}\p{N}]$/u;

/** Space, tab, line feed, vertical tab, form feed, carriage return. */
function isBlank(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isLetterOrNumber(cp: number): boolean {
  if (cp < 0x80) {
    return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  }
  return LETTER_OR_NUMBER_REGEXP.test(String.fromCodePoint(cp));
}

/** `ident := [\p{L}\p{N}_]+` */
function isIdentChar(cp: number): boolean {
  return cp === UNDERSCORE || isLetterOrNumber(cp);
}

/** `name := [\p{L}\p{N}_-]+` */
function isNameChar(cp: number): boolean {
  return cp === HYPHEN || isIdentChar(cp);
}

/** `path := [\p{L}\p{N}_.\[\]-]+` */
function isPathChar(cp: number): boolean {
  return cp === DOT || cp === LBRACKET || cp === RBRACKET || isNameChar(cp);
}

/** Where literal text and finished interpolations go: the template or an argument value. */
interface Sink {
  parts: Part[];
  /** Pending literal text, not yet pushed to `parts` (keeps adjacent text merged). */
  buf: string;
}

/** The argument value being read inside an open interpolation. */
interface ValueState extends Sink {
  /** `{` minus `}` seen so far in this value. */
  depth: number;
  /** Set when the argument is `name=value`. */
  kwName: string | undefined;
  /** Set when the value was quoted (then parts/buf are unused). */
  quoted: ArgValue | undefined;
}

/** An interpolation whose arguments are being read. */
interface Frame {
  start: number;
  call: Call;
  value: ValueState;
}

function newValue(kwName: string | undefined): ValueState {
  return { parts: [], buf: "", depth: 0, kwName, quoted: undefined };
}

function flush(sink: Sink): void {
  if (sink.buf !== "") {
    sink.parts.push({ kind: "text", text: sink.buf });
    sink.buf = "";
  }
}

function checkLimit(name: string, value: number, min: number): number {
  if (!(value >= min) || (!Number.isInteger(value) && value !== Infinity)) {
    throw new RangeError(`${name} must be an integer >= ${min} (got ${value})`);
  }
  return value;
}

const SNIPPET_WIDTH = 72;
const SNIPPET_BEFORE = 32;

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * The text (cut around `offset` when long, never splitting a surrogate pair) and a caret
 * line under `offset`. Control characters are shown as one visible character each so the
 * caret stays aligned.
 */
function snippet(text: string, offset: number): string[] {
  let start = 0;
  let end = text.length;
  if (text.length > SNIPPET_WIDTH) {
    start = Math.max(0, offset - SNIPPET_BEFORE);
    end = Math.min(text.length, start + SNIPPET_WIDTH);
    start = Math.max(0, Math.min(start, end - SNIPPET_WIDTH));
    if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start++;
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  }
  const show = (s: string) =>
    // deno-lint-ignore no-control-regex
    s.replace(/\n/g, "⏎").replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, " ");
  const prefix = start > 0 ? "…" : "";
  const suffix = end < text.length ? "…" : "";
  const before = [...show(text.slice(start, Math.min(offset, end)))].length;
  return [
    prefix + show(text.slice(start, end)) + suffix,
    " ".repeat([...prefix].length + before) + "^",
  ];
}

function describeChar(text: string, offset: number): string {
  const cp = text.codePointAt(offset) ?? 0;
  return String.fromCodePoint(cp);
}

class Parser {
  readonly #text: string;
  readonly #n: number;
  readonly #maxNesting: number;
  readonly #stats: { steps: number } | undefined;
  readonly #top: Sink = { parts: [], buf: "" };
  readonly #stack: Frame[] = [];
  #steps = 0;

  constructor(text: string, maxNesting: number, stats: { steps: number } | undefined) {
    this.#text = text;
    this.#n = text.length;
    this.#maxNesting = maxNesting;
    this.#stats = stats;
  }

  parse(): Template {
    try {
      return this.#run();
    } finally {
      if (this.#stats !== undefined) this.#stats.steps += this.#steps;
    }
  }

  #sink(): Sink {
    return this.#stack[this.#stack.length - 1]?.value ?? this.#top;
  }

  #run(): Template {
    const text = this.#text;
    const n = this.#n;
    let i = 0;
    let runStart = 0;
    for (;;) {
      const frame = this.#stack[this.#stack.length - 1];
      if (i >= n) {
        if (frame !== undefined) this.#failEnd();
        this.#top.buf += text.slice(runStart, i);
        flush(this.#top);
        return { parts: this.#top.parts };
      }
      this.#steps++;
      const c = text.charCodeAt(i);
      if (c === BACKSLASH) {
        if (text.charCodeAt(i + 1) === DOLLAR && text.charCodeAt(i + 2) === LBRACE) {
          const sink = frame?.value ?? this.#top;
          sink.buf += text.slice(runStart, i) + "${";
          // The escaped brace opens a brace pair like a literal `{`: `default=\${x}` is `${x}`.
          if (frame !== undefined) frame.value.depth++;
          i += 3;
          runStart = i;
        } else {
          i++;
        }
        continue;
      }
      if (c === DOLLAR && text.charCodeAt(i + 1) === LBRACE) {
        (frame?.value ?? this.#top).buf += text.slice(runStart, i);
        i = this.#openInterpolation(i);
        runStart = i;
        continue;
      }
      if (frame === undefined) {
        i++;
        continue;
      }
      const value = frame.value;
      if (c === LBRACE) {
        value.depth++;
        i++;
      } else if (c === RBRACE && value.depth > 0) {
        value.depth--;
        i++;
      } else if (c === RBRACE) {
        value.buf += text.slice(runStart, i);
        this.#finishValue(frame);
        this.#stack.pop();
        this.#emit(frame.call, frame.start, i + 1);
        i++;
        runStart = i;
      } else if (c === COMMA && value.depth === 0) {
        value.buf += text.slice(runStart, i);
        this.#finishValue(frame);
        i = this.#beginArgument(frame, i + 1);
        runStart = i;
      } else {
        i++;
      }
    }
  }

  /** Adds a finished interpolation to the current sink. */
  #emit(body: RelativeRef | Call, start: number, end: number): void {
    const sink = this.#sink();
    flush(sink);
    const interp: Interpolation = { kind: "interp", body, start, end };
    sink.parts.push(interp);
  }

  #skipBlanks(j: number): number {
    const text = this.#text;
    while (j < this.#n && isBlank(text.charCodeAt(j))) {
      this.#steps++;
      j++;
    }
    return j;
  }

  /** End of the run of code points matching `test` starting at `j`. */
  #scan(j: number, test: (cp: number) => boolean): number {
    const text = this.#text;
    while (j < this.#n) {
      const cp = text.codePointAt(j) ?? 0;
      this.#steps++;
      if (!test(cp)) break;
      j += cp > 0xffff ? 2 : 1;
    }
    return j;
  }

  /** Reads the head of `${` at `i`; returns where scanning continues. */
  #openInterpolation(i: number): number {
    const text = this.#text;
    if (this.#stack.length + 1 > this.#maxNesting) {
      this.#fail(
        i,
        `Maximum interpolation nesting depth (${this.#maxNesting}) exceeded`,
        "Nest fewer ${...} expressions inside each other",
      );
    }
    const j = this.#skipBlanks(i + 2);
    if (j >= this.#n) this.#failEnd();
    const c = text.charCodeAt(j);
    if (c === DOT) {
      let k = j;
      while (k < this.#n && text.charCodeAt(k) === DOT) {
        this.#steps++;
        k++;
      }
      const pathEnd = this.#scan(k, isPathChar);
      const ref: RelativeRef = { type: "relref", levels: k - j, path: text.slice(k, pathEnd) };
      return this.#closeSimple(ref, i, pathEnd, true);
    }
    if (c === RBRACE || c === COLON) {
      this.#fail(
        i,
        "Empty interpolation expression",
        "Write ${resolver:argument} or ${path.to.key}",
      );
    }
    const nameEnd = this.#scan(j, isNameChar);
    if (nameEnd > j && text.charCodeAt(nameEnd) === COLON) {
      const resolver = text.slice(j, nameEnd);
      const call: Call = { type: "call", resolver, shorthand: false, args: [], kwargs: [] };
      const k = this.#skipBlanks(nameEnd + 1);
      if (k < this.#n && text.charCodeAt(k) === RBRACE) {
        this.#emit(call, i, k + 1);
        return k + 1;
      }
      const frame: Frame = { start: i, call, value: newValue(undefined) };
      this.#stack.push(frame);
      return this.#beginArgument(frame, k);
    }
    const runEnd = this.#scan(nameEnd, isPathChar);
    if (runEnd === j) this.#failUnexpected(j);
    const run = text.slice(j, runEnd);
    const call: Call = {
      type: "call",
      resolver: "ref",
      shorthand: true,
      args: [{ parts: [{ kind: "text", text: run }], quoted: false }],
      kwargs: [],
    };
    return this.#closeSimple(call, i, runEnd, false);
  }

  /** After a reference's path: `}` closes it, `,` (absolute refs only) opens arguments. */
  #closeSimple(body: RelativeRef | Call, start: number, after: number, relative: boolean): number {
    const k = this.#skipBlanks(after);
    if (k >= this.#n) this.#failEnd();
    const c = this.#text.charCodeAt(k);
    if (c === RBRACE) {
      this.#emit(body, start, k + 1);
      return k + 1;
    }
    if (c === COMMA) {
      if (relative) {
        this.#fail(
          k,
          "Invalid character ',' in path",
          "Relative references take no arguments; use an absolute reference for default=",
        );
      }
      const frame: Frame = { start, call: body as Call, value: newValue(undefined) };
      this.#stack.push(frame);
      return this.#beginArgument(frame, k + 1);
    }
    return this.#failUnexpected(k);
  }

  /**
   * Starts the argument at `j` (just after `:` or `,`): detects `ident=` and quoted values.
   * Returns where the main loop continues (for a quoted value: at its `,` or `}`).
   */
  #beginArgument(frame: Frame, j: number): number {
    const text = this.#text;
    const k = this.#skipBlanks(j);
    const identEnd = this.#scan(k, isIdentChar);
    let valueStart = k;
    let kwName: string | undefined;
    if (identEnd > k && text.charCodeAt(identEnd) === EQUALS) {
      kwName = text.slice(k, identEnd);
      valueStart = identEnd + 1;
    } else if (frame.call.shorthand) {
      // `${path, ...}` takes keyword arguments only (SPEC §3: path ("," kwargs)?).
      this.#fail(
        k,
        "Expected a keyword argument after a reference",
        "Write ${path,default=value} or ${path,sensitive=true}",
      );
    }
    const value = newValue(kwName);
    frame.value = value;
    const q = this.#skipBlanks(valueStart);
    const quote = text.charCodeAt(q);
    if (quote === SINGLE_QUOTE || quote === DOUBLE_QUOTE) {
      const close = text.indexOf(text.charAt(q), q + 1);
      this.#steps += (close < 0 ? this.#n : close) - q;
      if (close >= 0) {
        const s = this.#skipBlanks(close + 1);
        const after = text.charCodeAt(s);
        if (after === COMMA || after === RBRACE) {
          const content = text.slice(q + 1, close);
          value.quoted = {
            parts: content === "" ? [] : [{ kind: "text", text: content }],
            quoted: true,
          };
          return s;
        }
      }
    }
    // Leading blanks would be trimmed anyway: start the value at its first non-blank.
    return q;
  }

  /** Moves the value being read into the frame's call as a positional or keyword argument. */
  #finishValue(frame: Frame): void {
    const value = frame.value;
    const arg = value.quoted ?? this.#trimmed(value);
    if (value.kwName === undefined) {
      frame.call.args.push(arg);
    } else {
      const kwarg: Kwarg = { name: value.kwName, value: arg };
      frame.call.kwargs.push(kwarg);
    }
  }

  /** Trims the value's literal text at its two ends only; drops parts that become empty. */
  #trimmed(value: ValueState): ArgValue {
    flush(value);
    const parts = value.parts;
    const first = parts[0];
    if (first?.kind === "text") {
      let a = 0;
      while (a < first.text.length && isBlank(first.text.charCodeAt(a))) {
        this.#steps++;
        a++;
      }
      first.text = first.text.slice(a);
    }
    const last = parts[parts.length - 1];
    if (last?.kind === "text") {
      let b = last.text.length;
      while (b > 0 && isBlank(last.text.charCodeAt(b - 1))) {
        this.#steps++;
        b--;
      }
      last.text = last.text.slice(0, b);
    }
    return {
      parts: parts.filter((p) => p.kind !== "text" || p.text !== ""),
      quoted: false,
    };
  }

  #fail(offset: number, headline: string, help?: string): never {
    const { line, column } = offsetToPosition(this.#text, offset);
    throw new ParseError(headline, {
      line,
      column,
      detail: snippet(this.#text, offset),
      ...(help === undefined ? {} : { help }),
    });
  }

  #failEnd(): never {
    this.#fail(
      this.#n,
      "Unexpected end of input in interpolation",
      "Close each ${ with '}' (write \\${ for a literal ${)",
    );
  }

  #failUnexpected(offset: number): never {
    this.#fail(
      offset,
      `Unexpected character '${describeChar(this.#text, offset)}' in interpolation`,
      "Write ${resolver:argument} or ${path.to.key} (write \\${ for a literal ${)",
    );
  }
}

/** 1-based line and column (UTF-16) of an offset; a value may span lines (block scalars). */
/**
 * Parses a config string into literal text and interpolations (SPEC §3).
 *
 * `\${` is a literal `${` (a lone `\` is kept); `${.x}` is a relative reference;
 * `${a.b[0]}` is a reference (`resolver: "ref"`, `shorthand: true`); `${name:args}` is a
 * resolver call whose arguments may be `ident=value` keywords, quoted values or text with
 * nested interpolations. Top-level text is never trimmed.
 *
 * @param text The string value from the config.
 * @param options Limits and an optional work counter.
 * @returns The template: text parts (adjacent text merged, empty text omitted) and
 *   interpolations with their UTF-16 offsets.
 * @throws {ParseError} On malformed syntax or an exceeded limit; `line` is 1, `column` the
 *   1-based UTF-16 column of the problem, and the detail shows the text with a caret.
 * @throws {RangeError} When a limit option is not an integer of at least 1 (or 0 for
 *   `maxLength`).
 *
 * @example Parse a resolver call with a keyword argument
 * ```ts
 * import { parseTemplate } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const t = parseTemplate("url=${env:HOST,default=localhost}");
 * assert.equal(t.parts.length, 2);
 * const interp = t.parts[1];
 * assert.ok(interp?.kind === "interp" && interp.body.type === "call");
 * assert.equal(interp.body.resolver, "env");
 * assert.deepEqual(interp.body.args, [{ parts: [{ kind: "text", text: "HOST" }], quoted: false }]);
 * assert.equal(interp.body.kwargs[0]?.name, "default");
 * ```
 *
 * @example A syntax error reports its column
 * ```ts
 * import { parseTemplate, ParseError } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * assert.throws(() => parseTemplate("${a.b c}"), (e: unknown) => {
 *   assert.ok(e instanceof ParseError);
 *   assert.equal(e.headline, "Unexpected character 'c' in interpolation");
 *   assert.equal(e.column, 7);
 *   return true;
 * });
 * ```
 */
export function parseTemplate(text: string, options: ParseOptions = {}): Template {
  const maxLength = checkLimit("maxLength", options.maxLength ?? DEFAULT_MAX_LENGTH, 0);
  const maxNesting = checkLimit("maxNesting", options.maxNesting ?? DEFAULT_MAX_NESTING, 1);
  if (text.length > maxLength) {
    throw new ParseError(`Interpolation text too long (${text.length} > ${maxLength})`, {
      line: 1,
      column: maxLength + 1,
      detail: snippet(text, maxLength),
      help: "Shorten the value or raise the maxLength limit",
    });
  }
  return new Parser(text, maxNesting, options.stats).parse();
}

/**
 * Tells whether parsing can change a string: true when it contains `${` (which includes
 * the escape `\${`). A string without it is its own literal value.
 *
 * @param text A string value.
 * @returns `true` when the string must go through {@linkcode parseTemplate}.
 *
 * @example
 * ```ts
 * import { needsInterpolation } from "./parser.ts";
 * import assert from "node:assert/strict";
 * assert.equal(needsInterpolation("${env:HOME}/x"), true);
 * assert.equal(needsInterpolation("\\${literal}"), true);
 * assert.equal(needsInterpolation("cost: $5 {approx}"), false);
 * ```
 */
export function needsInterpolation(text: string): boolean {
  return text.includes("${");
}

/**
 * Tells whether a template (or an argument value, which has the same `parts`) is exactly one
 * interpolation with no text around it: such a value keeps the resolved value's type, and
 * such an argument passes bytes to the resolver unchanged.
 *
 * @param t A parsed template or argument value.
 * @returns `true` when `t` has exactly one part and it is an interpolation.
 *
 * @example
 * ```ts
 * import { isWholeInterpolation, parseTemplate } from "./parser.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isWholeInterpolation(parseTemplate("${port}")), true);
 * assert.equal(isWholeInterpolation(parseTemplate("${port}/x")), false);
 * assert.equal(isWholeInterpolation(parseTemplate("plain")), false);
 * ```
 */
export function isWholeInterpolation(t: Template): boolean {
  return t.parts.length === 1 && t.parts[0]?.kind === "interp";
}
