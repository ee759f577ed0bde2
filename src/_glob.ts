/**
 * File-name globs for the loader (SPEC §2), with upstream's semantics: `*` and `?` stay within
 * one path component, `**` (a whole component) matches any number of directories, zero
 * included, `[abc]`, `[a-z]` and `[!abc]` are character classes (`]` first in a class is a
 * member), dotfiles match, and nothing else is special (no braces, no escapes).
 *
 * A trailing `**` takes at least one component (what lies under the directory before it).
 *
 * Kept in the core rather than taken from a glob package: the maintained ESM matchers measured
 * here cost about 3 ms of start-up (three packages, grammars built at import), paid by every
 * program that loads a config even when it never uses a glob, and `Config.load` is synchronous,
 * so the matcher cannot be imported on first use. Matching walks the name with one back-up
 * point per `*` (no regular expressions), so a hostile file name cannot make it slow.
 *
 * @module
 */

/** One element of a component pattern. */
type Token =
  | { kind: "char"; char: string }
  | { kind: "any" }
  | { kind: "star" }
  | { kind: "class"; negated: boolean; ranges: [number, number][] };

/** `**`, or the tokens of one component. */
type Component = "**" | Token[];

/** A compiled glob: call {@linkcode Glob.match} with a path split at `/`. */
export interface Glob {
  /** Whether the pattern contains a `**` component (matches may lie at any depth). */
  readonly recursive: boolean;
  /**
   * Tells whether a relative path matches.
   *
   * @param parts The path's components.
   * @returns `true` on a match.
   */
  match(parts: readonly string[]): boolean;
}

/** An invalid glob pattern; the message is the reason. */
export class GlobSyntaxError extends Error {
  /** @param reason Why the pattern is invalid. */
  constructor(reason: string) {
    super(reason);
    this.name = "GlobSyntaxError";
  }
}

/**
 * Compiles a relative glob pattern (components separated by `/`).
 *
 * @param pattern The pattern, e.g. `conf/**\/*.yaml`.
 * @returns The compiled glob.
 * @throws {GlobSyntaxError} An unclosed `[` class, or `**` mixed with other text in a component.
 *
 * @example
 * ```ts
 * import { compileGlob } from "./_glob.ts";
 * import assert from "node:assert/strict";
 * const glob = compileGlob("conf/**\/[!_]*.yaml");
 * assert.equal(glob.match(["conf", "app.yaml"]), true);
 * assert.equal(glob.match(["conf", "eu", "west", "db.yaml"]), true);
 * assert.equal(glob.match(["conf", "_draft.yaml"]), false);
 * assert.equal(glob.match(["app.yaml"]), false);
 * ```
 */
export function compileGlob(pattern: string): Glob {
  const components = pattern.split("/").map(compileComponent);
  return {
    recursive: components.includes("**"),
    match: (parts) => matchComponents(components, parts),
  };
}

function compileComponent(text: string): Component {
  if (text === "**") return "**";
  const chars = [...text];
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === "*") {
      // A class token ends at its `]`, so a star just before this one means a `**` run.
      if (tokens.at(-1)?.kind === "star") {
        throw new GlobSyntaxError("recursive wildcards must form a single path component");
      }
      tokens.push({ kind: "star" });
    } else if (c === "?") tokens.push({ kind: "any" });
    else if (c === "[") i = readClass(chars, i, tokens);
    else tokens.push({ kind: "char", char: c });
  }
  return tokens;
}

/** Reads `[...]` starting at `open`; returns the index of its `]`. */
function readClass(chars: string[], open: number, tokens: Token[]): number {
  let i = open + 1;
  const negated = chars[i] === "!";
  if (negated) i++;
  const ranges: [number, number][] = [];
  const first = i;
  for (; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === "]" && i > first) {
      tokens.push({ kind: "class", negated, ranges });
      return i;
    }
    const to = chars[i + 2];
    if (chars[i + 1] === "-" && to !== undefined && to !== "]") {
      ranges.push([c.codePointAt(0)!, to.codePointAt(0)!]);
      i += 2;
    } else {
      ranges.push([c.codePointAt(0)!, c.codePointAt(0)!]);
    }
  }
  throw new GlobSyntaxError("unclosed character class");
}

function tokenMatches(token: Token, char: string): boolean {
  switch (token.kind) {
    case "char":
      return token.char === char;
    case "any":
      return true;
    case "class": {
      const code = char.codePointAt(0)!;
      const inside = token.ranges.some(([lo, hi]) => lo <= code && code <= hi);
      return inside !== token.negated;
    }
    case "star":
      return false;
  }
}

/** Wildcard matching with one back-up point: O(pattern × name) at worst. */
function matchComponent(tokens: Token[], name: string): boolean {
  const chars = [...name];
  let t = 0;
  let c = 0;
  let starAt = -1;
  let starFrom = 0;
  while (c < chars.length) {
    const token = tokens[t];
    if (token !== undefined && token.kind === "star") {
      starAt = t++;
      starFrom = c;
    } else if (token !== undefined && tokenMatches(token, chars[c] as string)) {
      t++;
      c++;
    } else if (starAt >= 0) {
      t = starAt + 1;
      c = ++starFrom;
    } else {
      return false;
    }
  }
  while (tokens[t]?.kind === "star") t++;
  return t === tokens.length;
}

/**
 * Matches components. A `**` takes zero or more components, except at the end of the pattern,
 * where it takes one or more: `conf/**` lists what lies under `conf`, and `conf/*\/**` never
 * matches the file `conf/app.yaml`. Dynamic programming over (pattern, path) positions, from
 * the end: O(pattern × path) component matches, no recursion.
 */
function matchComponents(pattern: Component[], parts: readonly string[]): boolean {
  const n = parts.length;
  // next[s]: pattern[p + 1..] matches parts[s..]; row[s]: the same for pattern[p..].
  let next = new Array<boolean>(n + 1).fill(false);
  next[n] = true;
  for (let p = pattern.length - 1; p >= 0; p--) {
    const component = pattern[p] as Component;
    const row = new Array<boolean>(n + 1).fill(false);
    for (let s = n; s >= 0; s--) {
      if (component === "**") {
        row[s] = p === pattern.length - 1
          ? s < n
          : (next[s] as boolean) || (s < n && (row[s + 1] as boolean));
      } else {
        row[s] = s < n && (next[s + 1] as boolean) &&
          matchComponent(component, parts[s] as string);
      }
    }
    next = row;
  }
  return next[0] as boolean;
}
