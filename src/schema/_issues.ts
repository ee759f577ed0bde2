// Private helpers of the schema room: the issues of one validation run. Validation consumes a
// config resolved once (by the engine: coerced and default-filled by the schema validated
// against) and reports, as data, the values that did not resolve, the values that did not
// coerce, and the schema rules the rest breaks; each issue gets the source of its value.

import {
  formatSource,
  type HoloconfError,
  type SourceLocation,
  type ValidationIssue,
} from "../errors.ts";
import { formatPath, type PathSegment } from "../path.ts";
import type { TreeNode } from "../tree.ts";
import { coercionMessage, type CoercionType } from "./coerce.ts";
import type { Schema } from "./schema.ts";
import { pointerOf, splitPointer } from "./_walk.ts";

/** A value of the config that validation cannot check: it did not resolve, or not coerce. */
export type ValueFailure =
  | {
    kind: "coercion";
    /** Where the value is. */
    segs: PathSegment[];
    /** The schema's type there. */
    expected: CoercionType;
    /** The resolved value that could not be coerced. */
    value: unknown;
    /** Whether it is sensitive (then it is never shown). */
    sensitive: boolean;
  }
  | {
    kind: "resolution";
    /** Where the value is. */
    segs: PathSegment[];
    /** Why it could not be resolved (already free of sensitive text). */
    error: HoloconfError;
  };

/** A config as validation sees it: resolved once, by the engine. */
export interface ResolvedTree {
  /** The raw tree it was resolved from (for the sources of issues). */
  root: TreeNode;
  /**
   * The resolved config, coerced and default-filled by the schema validated against; a value
   * listed in `failures` is `null` here and is not checked again.
   */
  data: unknown;
  /** The values that failed, each reported once (a value failing because another did is not). */
  failures: ValueFailure[];
  /** Where every value that failed is, reported or not (the validator does not check them). */
  unknown: PathSegment[][];
  /** Where the sensitive values are. */
  sensitive: PathSegment[][];
}

/**
 * Every issue of a resolved config against a schema: the failed values first (document
 * order), then the schema violations of everything else.
 */
export async function collectIssues(
  schema: Schema,
  tree: ResolvedTree,
): Promise<ValidationIssue[]> {
  const issues = failureIssues(tree, schema);
  issues.push(
    ...await schema.validate(tree.data, {
      sensitive: tree.sensitive.map(pointerOf),
      unknown: tree.unknown.map(pointerOf),
    }),
  );
  return withSources(issues, tree.root);
}

/** The issues with `source` filled in from the raw tree where it is not set yet. */
export function withSources(issues: ValidationIssue[], root: TreeNode): ValidationIssue[] {
  return issues.map((issue) => {
    if (issue.source !== undefined) return issue;
    const source = sourceNear(root, issue.pointer);
    return source === undefined ? issue : { ...issue, source: formatSource(source) };
  });
}

/**
 * Where the value at a JSON pointer is written: the source of its node in the raw tree, or of
 * the nearest mapping or sequence holding it (for a missing property, a value inside a
 * resolver's result, or a schema default).
 */
function sourceNear(root: TreeNode, pointer: string): SourceLocation | undefined {
  let node: TreeNode | undefined = root;
  let source = root.source;
  for (const token of splitPointer(pointer)) {
    node = node.kind === "map"
      ? node.entries.get(token)
      : node.kind === "seq" && /^(0|[1-9]\d*)$/.test(token)
      ? node.items[Number(token)]
      : undefined;
    if (node === undefined) break;
    source = node.source ?? source;
  }
  return source;
}

/**
 * The issues of the values that did not resolve or coerce, in document order (`expected` from
 * `schema` where it names a type there).
 */
export function failureIssues(tree: ResolvedTree, schema: Schema | undefined): ValidationIssue[] {
  return tree.failures.map((f) => failureIssue(schema, f));
}

function failureIssue(schema: Schema | undefined, f: ValueFailure): ValidationIssue {
  const at = { pointer: pointerOf(f.segs), path: formatPath(f.segs) };
  if (f.kind === "coercion") {
    return {
      ...at,
      message: coercionMessage(f.expected, f),
      kind: "coercion",
      code: "TYPE_COERCION",
      expected: f.expected,
    };
  }
  const expected = schema?.typesAt(f.segs) ?? [];
  return {
    ...at,
    // The error's own lines, without its help (written for a caller of get()).
    message: [f.error.headline, ...f.error.detail].join("; "),
    kind: "resolution",
    code: f.error.code,
    ...(expected.length === 0 ? {} : { expected: expected.join(",") }),
  };
}
