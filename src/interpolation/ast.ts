/**
 * The interpolation AST (SPEC §3). Produced by `parse` in `parser.ts`; knows nothing of
 * resolvers or configs.
 *
 * @module
 */

/** Literal text (escapes already applied: `\${` is `${` here). */
export interface TextPart {
  /** Discriminant. */
  kind: "text";
  /** The text. */
  text: string;
}

/** One `${...}`. `start`/`end` are UTF-16 offsets into the parsed string (end exclusive). */
export interface Interpolation {
  /** Discriminant. */
  kind: "interp";
  /** What is inside the braces. */
  body: RelativeRef | Call;
  /** Offset of `$`. */
  start: number;
  /** Offset just after `}`. */
  end: number;
}

/** A piece of a template or of an argument value. */
export type Part = TextPart | Interpolation;

/** A relative reference: `${.x}` (levels 1), `${..x}` (levels 2), `${...}` (levels 3, path ""). */
export interface RelativeRef {
  /** Discriminant. */
  type: "relref";
  /** Number of leading dots. */
  levels: number;
  /** Path after the dots (may be empty). */
  path: string;
}

/**
 * A resolver call. `${a.b,default=x}` is parsed as resolver `ref` with `shorthand: true`
 * and one positional argument `a.b`.
 */
export interface Call {
  /** Discriminant. */
  type: "call";
  /** Resolver name (`ref` for a bare path). */
  resolver: string;
  /** True for the `${path}` form. */
  shorthand: boolean;
  /** Positional arguments in order. */
  args: ArgValue[];
  /** Keyword arguments in source order, repeats included. */
  kwargs: Kwarg[];
}

/** `name=value`. */
export interface Kwarg {
  /** The keyword. */
  name: string;
  /** The value. */
  value: ArgValue;
}

/**
 * An argument value: literal text and nested interpolations. Literal text is already
 * trimmed at the value's two ends (text produced by nested interpolations never is).
 * A quoted value has exactly one text part, verbatim.
 */
export interface ArgValue {
  /** Pieces in order; empty parts are omitted, so `""` is `parts: []`. */
  parts: Part[];
  /** True when the value was written in quotes. */
  quoted: boolean;
}

/** A parsed string: literal text and interpolations. */
export interface Template {
  /** Pieces in order (adjacent text merged). */
  parts: Part[];
}
