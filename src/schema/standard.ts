/**
 * Standard Schema v1 (the interface zod 4, valibot 1, arktype 2 and other validators share):
 * its types, written from the specification, and the validation of a resolved config by such
 * a validator, its issues turned into holoconf's `ValidationIssue`s.
 *
 * @module
 */

import { ValidationError, type ValidationIssue } from "../errors.ts";
import { formatPath, type PathSegment } from "../path.ts";
import type { Value } from "../value.ts";
import { navigateValue } from "../value.ts";
import { bytesToText } from "../_bytes.ts";
import { errorMessage, errorName } from "../_resolver_errors.ts";
import { failureIssues, type ResolvedTree, withSources } from "./_issues.ts";
import { pointerOf } from "./_walk.ts";
import type { Schema } from "./schema.ts";

/**
 * A validator implementing Standard Schema v1: zod 4, valibot 1, arktype 2 and others. Its
 * `~standard.types` carries the types it accepts (`Input`) and returns (`Output`).
 *
 * @typeParam Input The type of the values the validator accepts.
 * @typeParam Output The type of what it returns for them (after its defaults and transforms).
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema properties. */
  readonly "~standard": StandardSchemaProps<Input, Output>;
}

/**
 * The `~standard` properties of a {@linkcode StandardSchemaV1} validator.
 *
 * @typeParam Input The type of the values the validator accepts.
 * @typeParam Output The type of what it returns for them.
 */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  /** The version of the standard: 1. */
  readonly version: 1;
  /** The library, e.g. `zod`, `valibot`, `arktype`. */
  readonly vendor: string;
  /** Validates a value: the typed output or the issues (synchronously or not). */
  readonly validate: (
    value: unknown,
  ) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
  /** The types, for inference only (absent at run time). */
  readonly types?: StandardSchemaTypes<Input, Output> | undefined;
}

/**
 * The input and output types of a {@linkcode StandardSchemaV1} validator.
 *
 * @typeParam Input The type of the values the validator accepts.
 * @typeParam Output The type of what it returns for them.
 */
export interface StandardSchemaTypes<Input = unknown, Output = Input> {
  /** The type of the values the validator accepts. */
  readonly input: Input;
  /** The type of what it returns. */
  readonly output: Output;
}

/**
 * What a {@linkcode StandardSchemaV1} validator returns: the output, or issues.
 *
 * @typeParam Output The type of the output.
 */
export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

/** One problem a {@linkcode StandardSchemaV1} validator found. */
export interface StandardSchemaIssue {
  /** What is wrong. */
  readonly message: string;
  /** Where: keys and indexes, each bare or as `{ key }`. */
  readonly path?: ReadonlyArray<PropertyKey | StandardSchemaPathSegment> | undefined;
}

/** One step of a {@linkcode StandardSchemaIssue}'s path, as an object. */
export interface StandardSchemaPathSegment {
  /** The key or index. */
  readonly key: PropertyKey;
}

/**
 * The type of the values a Standard Schema validator accepts.
 *
 * @typeParam S The validator's type.
 */
export type InferSchemaInput<S extends StandardSchemaV1> = NonNullable<
  S["~standard"]["types"]
>["input"];

/**
 * The type of what a Standard Schema validator returns.
 *
 * @typeParam S The validator's type.
 */
export type InferSchemaOutput<S extends StandardSchemaV1> = NonNullable<
  S["~standard"]["types"]
>["output"];

/**
 * Whether `value` is a Standard Schema v1 validator (an object or function with a
 * `~standard` property of version 1 and a `validate` function).
 *
 * @param value Anything.
 * @returns True for a validator.
 *
 * @example
 * ```ts
 * import { isStandardSchema } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const positive = {
 *   "~standard": {
 *     version: 1,
 *     vendor: "example",
 *     validate: (v: unknown) =>
 *       typeof v === "number" && v > 0 ? { value: v } : { issues: [{ message: "not > 0" }] },
 *   },
 * } as const;
 * assert.equal(isStandardSchema(positive), true);
 * assert.equal(isStandardSchema({ type: "object" }), false);
 * ```
 */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const props = (value as { "~standard"?: unknown })["~standard"];
  if (typeof props !== "object" || props === null) return false;
  const p = props as { version?: unknown; validate?: unknown };
  return p.version === 1 && typeof p.validate === "function";
}

/** What validating a resolved config with a Standard Schema validator gave. */
export type StandardOutcome =
  | { ok: true; value: unknown }
  | { ok: false; issues: ValidationIssue[] };

/** The message of an issue whose text is withheld, naming its code. */
function withheld(code: string, where: "at" | "above"): string {
  return `invalid: ${code} (the validator's message is not shown: ${
    where === "at" ? "the value is sensitive" : "the value holds a sensitive value"
  })`;
}

/** A code as the validator gave it, when it reads as one (else `invalid`). */
const CODE_REGEXP = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * Validates a resolved config with a Standard Schema validator: the values that did not
 * resolve (or coerce) are issues of their own, and the validator's issues about them, or about
 * a mapping or sequence holding one, are dropped; the others become `kind: "schema"` issues
 * with their JSON pointer, dotted path and source. An issue at or inside a sensitive value is
 * reported at that value, and an issue about a mapping or sequence holding one (the root
 * included) at its own path, both without the validator's message, which may quote the value
 * in any form (upper-cased, parsed, cut): a fixed message names the issue's code.
 *
 * @param validator The validator.
 * @param tree The config resolved once for validation (with the attached JSON Schema's defaults
 *   and coercion, if any).
 * @param attached The attached JSON Schema (for the `expected` type of a value that failed).
 * @returns The validator's output, or every issue.
 * @throws {ValidationError} When the validator throws: its message and error as `cause`, or,
 *   when the config holds a sensitive value, the error's name only and no `cause`.
 */
export async function validateStandard(
  validator: StandardSchemaV1,
  tree: ResolvedTree,
  attached: Schema | undefined,
): Promise<StandardOutcome> {
  const props = validator["~standard"];
  const failures = failureIssues(tree, attached);
  const data = tree.data as Value;
  const secrets = tree.sensitive.map((segs) => ({
    segs,
    texts: textsOf(navigateValue(data, segs) ?? null),
  }));
  const quotesSecret = (text: string) =>
    secrets.some((s) => s.texts.some((t) => t !== "" && text.includes(t)));
  let result: StandardSchemaResult<unknown>;
  try {
    result = await props.validate(tree.data);
  } catch (e) {
    // Its message may quote a sensitive value in any form (a parse error of a secret...).
    const hidden = secrets.length > 0;
    const text = hidden
      ? `${errorName(e)} (its message is not shown: the config holds a sensitive value)`
      : errorMessage(e);
    throw new ValidationError([], {
      detail: `The ${props.vendor} validator failed: ${text}`,
      help: "Fix the validator: it should report issues, not throw",
      ...(hidden ? {} : { cause: e }),
    });
  }
  if (result.issues === undefined && failures.length === 0) {
    return { ok: true, value: result.value };
  }
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const issue of result.issues ?? []) {
    const segs = segmentsOf(issue, data);
    // About a value that failed (it is null here), or about what holds one: not judged.
    if (tree.unknown.some((u) => startsWith(u, segs) || startsWith(segs, u))) continue;
    const inside = secrets.find((s) => startsWith(segs, s.segs));
    const above = inside === undefined && secrets.some((s) => startsWith(s.segs, segs));
    const at = inside?.segs ?? segs;
    const raw = issue as unknown as Record<string, unknown>;
    const given = typeof raw.code === "string" ? raw.code : raw.type;
    const code = typeof given === "string" && CODE_REGEXP.test(given) ? given : "invalid";
    const message = typeof issue.message === "string" ? issue.message : String(issue.message);
    const hidden = inside !== undefined || above || quotesSecret(message);
    const shown = hidden ? withheld(code, inside !== undefined ? "at" : "above") : message;
    const key = `${pointerOf(at)}\u0000${shown}\u0000${code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({
      pointer: pointerOf(at),
      path: formatPath(at),
      message: shown,
      kind: "schema",
      code,
      ...(typeof raw.expected === "string" && !hidden ? { expected: raw.expected } : {}),
    });
  }
  return { ok: false, issues: withSources([...failures, ...issues], tree.root) };
}

/** Whether `path` starts with `prefix` (or equals it). */
function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

/**
 * An issue's path as config path segments: numbers (and digit strings inside a sequence) are
 * indexes, other keys are keys.
 */
function segmentsOf(issue: StandardSchemaIssue, data: Value): PathSegment[] {
  const segs: PathSegment[] = [];
  let node: Value | undefined = data;
  for (const step of issue.path ?? []) {
    const key = typeof step === "object" && step !== null ? step.key : step;
    const seg: PathSegment = Array.isArray(node) &&
        (typeof key === "number" || (typeof key === "string" && /^(0|[1-9]\d*)$/.test(key)))
      ? Number(key)
      : typeof key === "symbol"
      ? key.description ?? ""
      : String(key);
    segs.push(seg);
    node = node === undefined ? undefined : navigateValue(node, [seg]);
  }
  return segs;
}

/** The texts a sensitive value could be quoted by: its scalars (and bytes), deeply. */
function textsOf(value: Value): string[] {
  if (value === null) return [];
  if (value instanceof Uint8Array) return [bytesToText(value)];
  if (Array.isArray(value)) return value.flatMap(textsOf);
  if (typeof value === "object") return Object.values(value).flatMap(textsOf);
  const text = String(value);
  return [text, JSON.stringify(text).slice(1, -1)];
}
