/**
 * YAML (1.2 core schema) and strict JSON parsing into plain values or into the raw config tree
 * with a source location on every node.
 *
 * Built on the event stream of `js-yaml` (`parseEvents`): the tree is assembled in one pass over
 * the flat events, with an explicit stack (no recursion), so deep documents fail cleanly with a
 * {@linkcode ParseError} instead of overflowing the call stack.
 *
 * @module
 */

import { locateJsonError } from "./_json_error.ts";
import {
  CORE_SCHEMA,
  type DocumentDirective,
  type Event,
  getScalarValue,
  NOT_RESOLVED,
  parseEvents,
  type ScalarEvent,
  type ScalarTagDefinition,
  YAMLException,
} from "js-yaml";
import { ParseError, type SourceLocation } from "./errors.ts";
import { type MapNode, type ScalarNode, type SeqNode, toPlain, type TreeNode } from "./tree.ts";
import { LineIndex, offsetToPosition } from "./_position.ts";

/** Options of the YAML parsers. */
export interface YamlOptions {
  /**
   * Total number of nodes that alias expansion (`*name`) may produce in one document; more is a
   * {@linkcode ParseError} (stops "billion laughs" documents).
   *
   * @default {10000}
   */
  maxAliasNodes?: number;
  /**
   * Total number of characters (of scalar values and mapping keys) that alias expansion may
   * copy in one document; more is a {@linkcode ParseError}. Stops small documents that alias a
   * big scalar many times from growing into gigabytes of output.
   *
   * @default {10000000}
   */
  maxAliasChars?: number;
  /**
   * Maximum nesting depth of collections (after alias expansion).
   *
   * @default {1000}
   */
  maxDepth?: number;
  /**
   * Accept a key repeated in one mapping (the last one wins) instead of failing.
   *
   * @default {false}
   */
  allowDuplicateKeys?: boolean;
  /**
   * Add the offending source line (truncated) and a caret to parse errors. Off by default:
   * the input may hold secrets.
   *
   * @default {false}
   */
  preview?: boolean;
  /**
   * The text is secret: error reasons never include any of it (no key, tag, anchor or alias
   * name, no quoted fragment) and there is no preview, whatever `preview` says. Positions
   * (line and column) are still given.
   *
   * @default {false}
   */
  sensitive?: boolean;
}

/** Default of {@linkcode YamlOptions.maxAliasNodes}. */
export const DEFAULT_MAX_ALIAS_NODES = 10_000;
/** Default of {@linkcode YamlOptions.maxAliasChars}. */
export const DEFAULT_MAX_ALIAS_CHARS = 10_000_000;
/** Default of {@linkcode YamlOptions.maxDepth}. */
export const DEFAULT_MAX_DEPTH = 1_000;

const EV_DOCUMENT = 1;
const EV_SEQUENCE = 2;
const EV_MAPPING = 3;
const EV_SCALAR = 4;
const EV_ALIAS = 5;
const EV_POP = 6;

const STYLE_PLAIN = 1;
const STYLE_SINGLE = 2;
const STYLE_DOUBLE = 3;

const YAML_TAG_PREFIX = "tag:yaml.org,2002:";
const TAG_MAP = YAML_TAG_PREFIX + "map";
const TAG_SEQ = YAML_TAG_PREFIX + "seq";
const TAG_STR = YAML_TAG_PREFIX + "str";

/** Core schema with the implicit-resolution hook js-yaml marks internal (typed, not exported). */
const CORE = CORE_SCHEMA as unknown as {
  resolveImplicitScalarTag(source: string): { value: unknown };
  tags: readonly { tagName: string; nodeKind: string }[];
};

let scalarTags: Map<string, ScalarTagDefinition> | undefined;
function scalarTag(name: string): ScalarTagDefinition | undefined {
  if (!scalarTags) {
    scalarTags = new Map();
    for (const t of CORE.tags) {
      if (t.nodeKind === "scalar") scalarTags.set(t.tagName, t as ScalarTagDefinition);
    }
  }
  return scalarTags.get(name);
}

interface BuildOptions {
  file: string | undefined;
  withSources: boolean;
  maxAliasNodes: number;
  maxAliasChars: number;
  maxDepth: number;
  allowDuplicateKeys: boolean;
  preview: boolean;
  /** Reasons never quote the text. */
  sensitive: boolean;
  /** "YAML" or "JSON", for error headlines. */
  language: string;
}

/** Thrown internally with an offset; converted to a ParseError with line/column. */
class OffsetError extends Error {
  offset: number;
  constructor(reason: string, offset: number) {
    super(reason);
    this.offset = offset;
  }
}

interface MapFrame {
  node: MapNode;
  /** Key waiting for its value. */
  key: string | undefined;
  keyOffset: number;
  anchor: string | undefined;
  size: number;
  height: number;
  chars: number;
}

interface SeqFrame {
  node: SeqNode;
  anchor: string | undefined;
  size: number;
  height: number;
  chars: number;
}

type Frame = MapFrame | SeqFrame;

interface Anchored {
  node: TreeNode;
  /** Number of nodes in the subtree. */
  size: number;
  /** Collection levels in the subtree (a scalar has 0). */
  height: number;
  /** Characters of the scalars and keys in the subtree (what a copy adds to the output). */
  chars: number;
}

function isMapFrame(f: Frame): f is MapFrame {
  return f.node.kind === "map";
}

function describe(node: TreeNode): string {
  if (node.kind === "map") return "a mapping";
  if (node.kind === "seq") return "a sequence";
  if (node.value === null) return "null";
  return `a ${typeof node.value}`;
}

function cloneTree(node: TreeNode): TreeNode {
  if (node.kind === "scalar") return { ...node };
  if (node.kind === "seq") {
    return { kind: "seq", items: node.items.map(cloneTree), source: node.source };
  }
  const entries = new Map<string, TreeNode>();
  for (const [k, v] of node.entries) entries.set(k, cloneTree(v));
  return { kind: "map", entries, source: node.source };
}

/** Resolves a tag as written (`!!int`, `!<...>`, `!e!x`) to a full tag name. */
function resolveTagName(
  written: string,
  handles: Map<string, string>,
  offset: number,
  sensitive: boolean,
): string {
  if (written === "!") return "!";
  if (written.startsWith("!<") && written.endsWith(">")) return written.slice(2, -1);
  const second = written.indexOf("!", 1);
  if (second === -1) {
    // Primary handle `!x`: a local tag unless %TAG redefines `!`.
    const prefix = handles.get("!");
    return prefix === undefined ? written : prefix + decodeTagSuffix(written.slice(1), offset);
  }
  const handle = written.slice(0, second + 1);
  const prefix = handles.get(handle) ?? (handle === "!!" ? YAML_TAG_PREFIX : undefined);
  if (prefix === undefined) {
    throw new OffsetError(`undeclared tag handle${quoted(handle, sensitive)}`, offset);
  }
  return prefix + decodeTagSuffix(written.slice(second + 1), offset);
}

function decodeTagSuffix(s: string, offset: number): string {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    throw new OffsetError("invalid escape in tag", offset);
  }
}

function shortTag(tag: string): string {
  return tag.startsWith(YAML_TAG_PREFIX) ? "!!" + tag.slice(YAML_TAG_PREFIX.length) : tag;
}

/** ` 'text'` for a reason, or nothing when the input is sensitive. */
function quoted(text: string, sensitive: boolean): string {
  return sensitive ? "" : ` '${text}'`;
}

/** Characters a scalar adds to the output. */
function scalarChars(value: ScalarNode["value"]): number {
  return typeof value === "string" ? value.length : String(value).length;
}

/**
 * A js-yaml reason without any input text: js-yaml quotes input as `"..."` or after `: `
 * (tag names, tag handles), so the reason is cut there.
 */
function sensitiveReason(reason: string): string {
  if (reason.startsWith("there is a previously declared suffix")) {
    return "a tag handle is declared twice";
  }
  const cut = reason.search(/"|: /);
  return (cut < 0 ? reason : reason.slice(0, cut)).trim();
}

/**
 * Builds the tree from the event stream in one pass. Returns `undefined` for a stream with no
 * document (empty or comment-only text).
 */
function buildFromEvents(
  text: string,
  events: Event[],
  opts: BuildOptions,
  lines: LineIndex | undefined,
): TreeNode | undefined {
  const file = opts.file ?? "<string>";
  const loc = (offset: number): SourceLocation | undefined => {
    if (!lines || offset < 0) return undefined;
    const p = lines.position(offset);
    return { file, line: p.line, column: p.column };
  };

  const stack: Frame[] = [];
  const anchors = new Map<string, Anchored>();
  const handles = new Map<string, string>();
  let root: TreeNode | undefined;
  let documents = 0;
  let aliasNodes = 0;
  let aliasChars = 0;
  let lastOffset = 0;
  const q = (text: string) => quoted(text, opts.sensitive);

  const emit = (
    node: TreeNode,
    size: number,
    height: number,
    chars: number,
    offset: number,
  ): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      root = node;
      return;
    }
    top.size += size;
    top.chars += chars;
    if (height + 1 > top.height) top.height = height + 1;
    if (!isMapFrame(top)) {
      top.node.items.push(node);
      return;
    }
    if (top.key === undefined) {
      // A key given as an alias or a collection.
      if (node.kind !== "scalar") throw new OffsetError("mapping keys must be scalars", offset);
      setKey(top, node.value === null ? "null" : String(node.value), offset);
      return;
    }
    if (!opts.allowDuplicateKeys && top.node.entries.has(top.key)) {
      throw new OffsetError(`duplicate key${q(top.key)}`, top.keyOffset);
    }
    // A repeated key (when allowed) keeps its first position and takes the last value.
    top.node.entries.set(top.key, node);
    top.key = undefined;
  };

  const setKey = (frame: MapFrame, key: string, offset: number): void => {
    frame.key = key;
    frame.keyOffset = offset;
  };

  const anchorName = (start: number, end: number): string | undefined =>
    start < 0 ? undefined : text.slice(start, end);

  const tagOf = (start: number, end: number): string | undefined =>
    start < 0 ? undefined : resolveTagName(text.slice(start, end), handles, start, opts.sensitive);

  const scalarValue = (e: ScalarEvent, offset: number): ScalarNode["value"] => {
    const raw = e.valueStart < 0 ? "" : getScalarValue(text, e);
    const tag = tagOf(e.tagStart, e.tagEnd);
    if (tag === undefined) {
      if (e.style !== STYLE_PLAIN) return raw;
      if (e.valueStart < 0) return null;
      return CORE.resolveImplicitScalarTag(raw).value as ScalarNode["value"];
    }
    if (tag === "!" || tag === TAG_STR) return raw;
    const def = scalarTag(tag);
    if (def === undefined) throw new OffsetError(`unsupported tag${q(shortTag(tag))}`, offset);
    const value = def.resolve(raw, true, tag);
    if (value === NOT_RESOLVED) {
      throw new OffsetError(`value does not match tag${q(shortTag(tag))}`, offset);
    }
    return value as ScalarNode["value"];
  };

  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Event;
    switch (e.type) {
      case EV_DOCUMENT: {
        documents++;
        if (documents > 1) {
          throw new OffsetError(
            "expected a single document, found more than one",
            nextOffset(events, i, text.length),
          );
        }
        setHandles(handles, e.directives);
        break;
      }
      case EV_MAPPING:
      case EV_SEQUENCE: {
        const offset = e.start >= 0 ? e.start : lastOffset;
        lastOffset = offset;
        const top = stack[stack.length - 1];
        if (top !== undefined && isMapFrame(top) && top.key === undefined) {
          throw new OffsetError("mapping keys must be scalars", offset);
        }
        if (stack.length + 1 > opts.maxDepth) {
          throw new OffsetError(`nesting exceeded the depth limit (${opts.maxDepth})`, offset);
        }
        const tag = tagOf(e.tagStart, e.tagEnd);
        const want = e.type === EV_MAPPING ? TAG_MAP : TAG_SEQ;
        if (tag !== undefined && tag !== "!" && tag !== want) {
          throw new OffsetError(`unsupported tag${q(shortTag(tag))}`, offset);
        }
        const source = loc(offset);
        const anchor = anchorName(e.anchorStart, e.anchorEnd);
        if (e.type === EV_MAPPING) {
          const node: MapNode = { kind: "map", entries: new Map(), source };
          stack.push({
            node,
            key: undefined,
            keyOffset: offset,
            anchor,
            size: 1,
            height: 1,
            chars: 0,
          });
        } else {
          const node: SeqNode = { kind: "seq", items: [], source };
          stack.push({ node, anchor, size: 1, height: 1, chars: 0 });
        }
        break;
      }
      case EV_SCALAR: {
        let offset = e.valueStart;
        if (offset < 0) offset = lastOffset;
        else if (e.style === STYLE_SINGLE || e.style === STYLE_DOUBLE) offset--;
        else if (e.style !== STYLE_PLAIN) offset = blockIndicatorOffset(text, e);
        lastOffset = offset;
        const top = stack[stack.length - 1];
        if (top !== undefined && isMapFrame(top) && top.key === undefined) {
          // A key: its decoded text is the key (so `1.0: x` keeps "1.0").
          const keyText = e.valueStart < 0 ? "" : getScalarValue(text, e);
          const tag = tagOf(e.tagStart, e.tagEnd);
          const key = tag === undefined || tag === "!" || tag === TAG_STR
            ? keyText
            : String(scalarValue(e, offset));
          setKey(top, key, offset);
          top.chars += key.length;
          const anchor = anchorName(e.anchorStart, e.anchorEnd);
          if (anchor !== undefined) {
            anchors.set(anchor, {
              node: { kind: "scalar", value: key, source: loc(offset) },
              size: 1,
              height: 0,
              chars: key.length,
            });
          }
          break;
        }
        const node: ScalarNode = {
          kind: "scalar",
          value: scalarValue(e, offset),
          source: loc(offset),
        };
        const chars = scalarChars(node.value);
        const anchor = anchorName(e.anchorStart, e.anchorEnd);
        if (anchor !== undefined) anchors.set(anchor, { node, size: 1, height: 0, chars });
        emit(node, 1, 0, chars, offset);
        break;
      }
      case EV_ALIAS: {
        const offset = e.anchorStart > 0 ? e.anchorStart - 1 : lastOffset;
        lastOffset = offset;
        const name = text.slice(e.anchorStart, e.anchorEnd);
        const target = anchors.get(name);
        if (target === undefined) {
          throw new OffsetError(`unknown alias${opts.sensitive ? "" : ` '*${name}'`}`, offset);
        }
        aliasNodes += target.size;
        if (aliasNodes > opts.maxAliasNodes) {
          throw new OffsetError(
            `alias expansion limit exceeded (more than ${opts.maxAliasNodes} nodes)`,
            offset,
          );
        }
        aliasChars += target.chars;
        if (aliasChars > opts.maxAliasChars) {
          throw new OffsetError(
            `alias expansion limit exceeded (more than ${opts.maxAliasChars} characters)`,
            offset,
          );
        }
        if (stack.length + target.height > opts.maxDepth) {
          throw new OffsetError(`nesting exceeded the depth limit (${opts.maxDepth})`, offset);
        }
        const copy = cloneTree(target.node);
        copy.source = loc(offset) ?? copy.source;
        emit(copy, target.size, target.height, target.chars, offset);
        break;
      }
      case EV_POP: {
        const frame = stack.pop();
        if (frame === undefined) break; // end of document
        if (frame.anchor !== undefined) {
          anchors.set(frame.anchor, {
            node: frame.node,
            size: frame.size,
            height: frame.height,
            chars: frame.chars,
          });
        }
        emit(frame.node, frame.size, frame.height, frame.chars, lastOffset);
        break;
      }
    }
  }
  if (documents === 0) return undefined;
  return root ?? { kind: "scalar", value: null, source: loc(0) };
}

const BLOCK_HEADER_REGEXP = /[|>][0-9+-]*[ \t]*(?:#.*)?$/;

/** Offset of the `|` or `>` that starts a block scalar (its content start if not found). */
function blockIndicatorOffset(text: string, e: ScalarEvent): number {
  const fallback = e.valueStart + Math.max(0, e.indent);
  // The header is the last non-blank line before the content.
  let end = text.lastIndexOf("\n", e.valueStart - 1);
  while (end > 0) {
    const start = text.lastIndexOf("\n", end - 1) + 1;
    const line = text.slice(start, end).replace(/\r$/, "");
    if (line.trim() !== "") {
      const m = BLOCK_HEADER_REGEXP.exec(line);
      return m === null ? fallback : start + m.index;
    }
    end = start - 1;
  }
  return fallback;
}

function nextOffset(events: Event[], from: number, fallback: number): number {
  for (let j = from + 1; j < events.length; j++) {
    const e = events[j] as Event;
    if (e.type === EV_MAPPING || e.type === EV_SEQUENCE) return e.start;
    if (e.type === EV_SCALAR && e.valueStart >= 0) return e.valueStart;
    if (e.type === EV_ALIAS) return e.anchorStart;
  }
  return fallback;
}

function setHandles(handles: Map<string, string>, directives: DocumentDirective[]): void {
  handles.clear();
  for (const d of directives) if (d.kind === "tag") handles.set(d.handle, d.prefix);
}

function makeError(
  text: string,
  reason: string,
  line: number,
  column: number,
  opts: BuildOptions,
): ParseError {
  const detail: string[] = [];
  if (opts.preview) {
    const lineText = text.split("\n", line)[line - 1] ?? "";
    const start = Math.max(0, column - 40);
    const shown = lineText.slice(start, start + 80).replace(/\t/g, " ");
    detail.push(`  ${shown}`, `  ${" ".repeat(column - 1 - start)}^`);
  }
  return new ParseError(
    `Invalid ${opts.language} at line ${line}, column ${column}: ${reason}`,
    {
      line,
      column,
      ...(opts.file === undefined ? {} : { source: `${opts.file}:${line}:${column}` }),
      ...(detail.length === 0 ? {} : { detail }),
    },
  );
}

/** Parses `text` into a tree (or `undefined` when there is no document), mapping all failures. */
function parseToTree(text: string, opts: BuildOptions): TreeNode | undefined {
  let events: Event[];
  try {
    events = parseEvents(text, {
      // js-yaml counts the leaf scalar too; our own check below is the exact one.
      maxDepth: opts.maxDepth + 2,
      ...(opts.file === undefined ? {} : { filename: opts.file }),
    });
  } catch (e) {
    if (e instanceof YAMLException) {
      const mark = e.mark;
      let reason = e.reason.replace(/maxDepth \((\d+)\)/, "the depth limit ($1)");
      if (opts.sensitive) reason = sensitiveReason(reason);
      const pos = mark ? { line: mark.line + 1, column: mark.column + 1 } : { line: 1, column: 1 };
      throw makeError(text, reason, pos.line, pos.column, opts);
    }
    if (e instanceof RangeError) {
      throw makeError(text, "nesting too deep", 1, 1, opts);
    }
    throw e;
  }
  const lines = opts.withSources ? new LineIndex(text) : undefined;
  try {
    return buildFromEvents(text, events, opts, lines);
  } catch (e) {
    if (e instanceof OffsetError) {
      const p = offsetToPosition(text, e.offset);
      throw makeError(text, e.message, p.line, p.column, opts);
    }
    if (e instanceof RangeError) throw makeError(text, "nesting too deep", 1, 1, opts);
    throw e;
  }
}

function buildOptions(
  options: YamlOptions,
  file: string | undefined,
  withSources: boolean,
  language: string,
): BuildOptions {
  const maxAliasNodes = options.maxAliasNodes ?? DEFAULT_MAX_ALIAS_NODES;
  const maxAliasChars = options.maxAliasChars ?? DEFAULT_MAX_ALIAS_CHARS;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!(maxAliasNodes >= 0)) throw new RangeError(`Invalid maxAliasNodes: ${maxAliasNodes}`);
  if (!(maxAliasChars >= 0)) throw new RangeError(`Invalid maxAliasChars: ${maxAliasChars}`);
  if (!(maxDepth >= 1)) throw new RangeError(`Invalid maxDepth: ${maxDepth}`);
  return {
    file,
    withSources,
    maxAliasNodes,
    maxAliasChars,
    maxDepth,
    allowDuplicateKeys: options.allowDuplicateKeys ?? false,
    preview: (options.preview ?? false) && options.sensitive !== true,
    sensitive: options.sensitive ?? false,
    language,
  };
}

/**
 * Parses one YAML document (1.2 core schema) into plain JavaScript data: objects, arrays,
 * strings, numbers, booleans and null. Any root type is allowed; empty or comment-only text is
 * `null`. Mapping keys are strings in document order; a `__proto__` key is an own data property.
 *
 * @param text YAML text (JSON is YAML).
 * @param options Limits and duplicate-key handling.
 * @returns The value.
 * @throws {ParseError} Invalid YAML, more than one document, a duplicate key, an unsupported
 *   tag, or a limit exceeded; the headline is `Invalid YAML at line L, column C: <reason>`.
 *
 * @example Parse a document
 * ```ts
 * import { parseYamlValue } from "./yaml.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseYamlValue("a: [1, yes, true, ~]"), { a: [1, "yes", true, null] });
 * assert.equal(parseYamlValue("# nothing"), null);
 * ```
 */
export function parseYamlValue(text: string, options: YamlOptions = {}): unknown {
  const opts = buildOptions(options, undefined, false, "YAML");
  const tree = parseToTree(text, opts);
  return tree === undefined ? null : toPlain(tree);
}

function requireMapRoot(tree: TreeNode | undefined, file: string): MapNode {
  if (tree === undefined) {
    return { kind: "map", entries: new Map(), source: { file, line: 1, column: 1 } };
  }
  if (tree.kind === "map") return tree;
  if (tree.kind === "scalar" && tree.value === null) {
    return { kind: "map", entries: new Map(), source: tree.source };
  }
  const src = tree.source;
  throw new ParseError(`Config root must be a mapping in ${file} (found ${describe(tree)})`, {
    ...(src === undefined ? {} : { line: src.line, column: src.column }),
    source: src === undefined ? file : `${src.file}:${src.line}:${src.column}`,
    help: "Put the settings under keys at the top level of the file",
  });
}

/**
 * Parses a config file's YAML text into the raw tree. Every node carries
 * `source: { file, line, column }` (1-based; where the scalar or collection starts).
 * The root must be a mapping; an empty, comment-only or `null` document is an empty mapping.
 *
 * @param text YAML text.
 * @param options Limits, plus `file`: the name recorded in sources and errors.
 * @returns The root mapping.
 * @throws {ParseError} Invalid YAML (with `source` = `file:line:column`), more than one
 *   document, a duplicate key, a limit exceeded, or a root that is not a mapping.
 *
 * @example Sources of values
 * ```ts
 * import { parseYamlTree } from "./yaml.ts";
 * import assert from "node:assert/strict";
 * const tree = parseYamlTree("db:\n  port: 5432\n", { file: "app.yaml" });
 * assert.equal(tree.kind, "map");
 * const db = tree.kind === "map" ? tree.entries.get("db") : undefined;
 * const port = db?.kind === "map" ? db.entries.get("port") : undefined;
 * assert.deepEqual(port?.source, { file: "app.yaml", line: 2, column: 9 });
 * ```
 */
export function parseYamlTree(text: string, options: YamlOptions & { file: string }): MapNode {
  const opts = buildOptions(options, options.file, true, "YAML");
  return requireMapRoot(parseToTree(text, opts), options.file);
}

/**
 * Parses strict JSON (`JSON.parse` rules: no comments, trailing commas or single quotes) into the
 * raw tree, with sources. A repeated key keeps the last value, as `JSON.parse` does. The root
 * must be an object; `null` is an empty mapping.
 *
 * @param text JSON text.
 * @param options `file`: the name recorded in sources and errors; `maxDepth` (default 1000).
 * @returns The root mapping.
 * @throws {ParseError} `Invalid JSON at line L, column C: <reason>`, nesting too deep, or a root
 *   that is not an object.
 *
 * @example Parse JSON
 * ```ts
 * import { parseJsonTree } from "./yaml.ts";
 * import { toPlain } from "./tree.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(toPlain(parseJsonTree('{"a": [1, true]}', { file: "a.json" })), { a: [1, true] });
 * assert.throws(() => parseJsonTree('{"a": 1,}', { file: "a.json" }), /Invalid JSON at line 1/);
 * ```
 */
export function parseJsonTree(
  text: string,
  options: { file: string; maxDepth?: number },
): MapNode {
  const opts = buildOptions(
    {
      allowDuplicateKeys: true,
      ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
    },
    options.file,
    true,
    "JSON",
  );
  let plain: unknown;
  try {
    plain = JSON.parse(text);
  } catch {
    const { offset, reason } = locateJsonError(text);
    const p = offsetToPosition(text, offset);
    throw makeError(text, reason, p.line, p.column, opts);
  }
  let tree: TreeNode | undefined;
  try {
    tree = parseToTree(text, opts);
  } catch (e) {
    // Depth errors are real; any other disagreement between JSON and YAML parsing falls back
    // to the JSON.parse result (without sources).
    if (e instanceof ParseError && /depth limit|too deep/.test(e.headline)) throw e;
    tree = plainToTree(plain, opts.maxDepth, options.file);
  }
  return requireMapRoot(tree, options.file);
}

function plainToTree(value: unknown, maxDepth: number, file: string): TreeNode {
  const walk = (v: unknown, depth: number): TreeNode => {
    if (depth > maxDepth) {
      throw new ParseError(`Invalid JSON: nesting exceeded the depth limit (${maxDepth})`, {
        source: file,
      });
    }
    if (v === null || typeof v !== "object") {
      return { kind: "scalar", value: v as ScalarNode["value"] };
    }
    if (Array.isArray(v)) return { kind: "seq", items: v.map((x) => walk(x, depth + 1)) };
    const entries = new Map<string, TreeNode>();
    for (const [k, x] of Object.entries(v)) entries.set(k, walk(x, depth + 1));
    return { kind: "map", entries };
  };
  return walk(value, 0);
}
