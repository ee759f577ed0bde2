/**
 * The `Schema` class: a JSON Schema (draft-07 or 2020-12, written in YAML or JSON) used to
 * validate configs, supply defaults, drive coercion and generate docs and templates.
 *
 * The validator itself is loaded on first need with `await import()`: creating a `Schema`
 * starts that load in the background, `ready()` waits for it, and the synchronous
 * {@linkcode Schema.validateSync} works as soon as it has completed.
 *
 * @module
 */

import { defineOwn } from "../tree.ts";
import { HoloconfError, NotFoundError, ParseError, type ValidationIssue } from "../errors.ts";
import { readConfigText } from "../loader.ts";
import { parseYamlValue } from "../yaml.ts";
import {
  type CompiledValidator,
  compileValidator,
  detectDraft,
  type Draft,
  isValidatorLoaded,
  loadValidatorModule,
  type ValidateOptions,
} from "./_validator.ts";
import type { PathSegment } from "../path.ts";
import {
  checkSchema,
  childCandidates,
  expandNode,
  hasOwn,
  indexSchema,
  isPlainObject,
  type SchemaNode,
  typesOf,
} from "./_walk.ts";
import { schemaToMarkdown } from "./markdown.ts";
import { schemaToTemplate } from "./template.ts";
import { schemaToTypeScript, type TypeScriptOptions } from "./typescript.ts";
import type { CoercionType } from "./coerce.ts";

export type { Draft, ValidateOptions } from "./_validator.ts";
export type { TypeScriptOptions } from "./typescript.ts";
export type { PathSegment } from "../path.ts";

/** The result of {@linkcode Schema.defaultAt}. */
export interface SchemaDefault {
  /** Whether the schema declares a default at the path. */
  found: boolean;
  /** A deep copy of the default (present when `found`). */
  value?: unknown;
}

/** The scalar types a resolved string may be coerced to (ADR-012). */
export type SchemaCoercionType = CoercionType;

const COERCIBLE = new Set(["integer", "number", "boolean"]);
// As for parsed YAML and JSON; a larger limit would be reached only after a stack overflow.
const MAX_FILL_DEPTH = 1_000;
const MAX_CACHED_CHILDREN = 4096;

/** Where a value being filled comes from: the config, or a schema default (copied). */
type FillOrigin = "config" | "default";

/** A trie of schema lists, for {@linkcode Schema} to share one Applicable per list. */
interface InternNode {
  next: Map<SchemaNode, InternNode>;
  value: Applicable | undefined;
}

/** The schemas that apply together at a path, with what a Schema derived from them. */
class Applicable {
  /** The schemas (empty when the schema does not describe the path). */
  readonly nodes: SchemaNode[];
  /** What applies to each child key / index (computed on first need, then kept). */
  children: Map<PathSegment, Applicable> | undefined = undefined;
  /** The names under `properties` (computed on first need). */
  properties: string[] | undefined = undefined;
  /** Whether null is allowed (computed on first need). */
  allowsNull: boolean | undefined = undefined;
  /** The coercion target (computed on first need; `null` for none). */
  coercion: SchemaCoercionType | null | undefined = undefined;

  /** @param nodes The schemas that apply. */
  constructor(nodes: SchemaNode[]) {
    this.nodes = nodes;
  }
}

/**
 * A JSON Schema document. Create one with {@linkcode Schema.load},
 * {@linkcode Schema.fromYaml}, {@linkcode Schema.fromJson} or {@linkcode Schema.fromObject};
 * a malformed schema is rejected at once with a `ParseError`.
 *
 * @example Validate a value and collect every issue
 * ```ts
 * import { Schema } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 * const schema = Schema.fromYaml(`
 * type: object
 * required: [host]
 * properties:
 *   port: { type: integer, maximum: 65535, default: 8080 }
 * `);
 * const issues = await schema.validate({ port: 70000 });
 * assert.deepEqual(issues.map((i) => `${i.pointer}: ${i.message}`), [
 *   ": must have required property 'host'",
 *   "/port: must be <= 65535",
 * ]);
 * assert.deepEqual(schema.defaultAt(["port"]), { found: true, value: 8080 });
 * ```
 */
export class Schema {
  #schema: SchemaNode;
  #draft: Draft;
  #compiled: CompiledValidator | undefined;
  #loading: Promise<void> | undefined;

  private constructor(schema: SchemaNode) {
    // The document is private from here on and never modified: lookups in it may be cached.
    indexSchema(schema);
    checkSchema(schema);
    this.#schema = schema;
    this.#draft = detectDraft(schema);
    if (!isValidatorLoaded()) {
      // Start loading the validator now; failures surface from ready()/validate().
      this.#loading = loadValidatorModule();
      this.#loading.catch(() => {});
    }
  }

  /**
   * Loads a schema file: `.json` files are parsed as JSON, anything else as YAML.
   *
   * @param path File path.
   * @returns The schema.
   * @throws {NotFoundError} "File not found: <path>" when the file does not exist.
   * @throws {ParseError} When the file cannot be read or parsed, or is not a valid schema.
   *
   * @example Load a schema file
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const dir = Deno.makeTempDirSync();
   * Deno.writeTextFileSync(`${dir}/schema.yaml`, "properties:\n  port: { type: integer }\n");
   * const schema = Schema.load(`${dir}/schema.yaml`);
   * await schema.ready();
   * assert.deepEqual((await schema.validate({ port: "80" })).map((i) => i.pointer), ["/port"]);
   * Deno.removeSync(dir, { recursive: true });
   * ```
   */
  static load(path: string): Schema {
    let text: string;
    try {
      // The loader's reader: regular files only, size-capped (a FIFO or device is refused).
      text = readConfigText(path);
    } catch (e) {
      if (e instanceof NotFoundError) {
        throw new NotFoundError(`File not found: ${path}`, {
          resource: path,
          code: "FILE_NOT_FOUND",
          cause: e,
          help: "Check that the schema file exists",
        });
      }
      throw e;
    }
    return /\.json$/i.test(path) ? Schema.fromJson(text) : Schema.fromYaml(text);
  }

  /**
   * Parses a schema written in YAML (JSON is YAML too).
   *
   * @param text YAML text.
   * @returns The schema.
   * @throws {ParseError} "Invalid YAML schema: ..." for bad YAML, "Invalid JSON Schema: ..."
   * for a document that is not a valid schema.
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromYaml("type: object\nproperties:\n  debug: { type: boolean }\n");
   * assert.equal(schema.coercionTypeAt(["debug"]), "boolean");
   * ```
   */
  static fromYaml(text: string): Schema {
    let value: unknown;
    try {
      value = parseYamlValue(text);
    } catch (e) {
      const reason = e instanceof HoloconfError ? e.headline : String(e);
      throw new ParseError(`Invalid YAML schema: ${reason}`, {
        cause: e,
        ...(e instanceof ParseError && e.line !== undefined ? { line: e.line } : {}),
        ...(e instanceof ParseError && e.column !== undefined ? { column: e.column } : {}),
      });
    }
    return new Schema(value === null ? {} : (value as SchemaNode));
  }

  /**
   * Parses a schema written in strict JSON.
   *
   * @param text JSON text.
   * @returns The schema.
   * @throws {ParseError} "Invalid JSON schema: ..." for bad JSON, "Invalid JSON Schema: ..."
   * for a document that is not a valid schema.
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromJson('{"properties": {"n": {"type": ["integer", "null"]}}}');
   * assert.equal(schema.allowsNull(["n"]), true);
   * ```
   */
  static fromJson(text: string): Schema {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new ParseError(`Invalid JSON schema: ${(e as Error).message}`, { cause: e });
    }
    return new Schema(value as SchemaNode);
  }

  /**
   * Wraps a schema given as a JavaScript object (deep-copied).
   *
   * @param obj The schema (an object or a boolean).
   * @returns The schema.
   * @throws {ParseError} "Invalid JSON Schema: ..." when it is not a valid schema.
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromObject({ properties: { port: { type: "integer" } } });
   * assert.deepEqual(schema.toObject(), { properties: { port: { type: "integer" } } });
   * ```
   */
  static fromObject(obj: Record<string, unknown> | boolean): Schema {
    let copy: unknown;
    try {
      copy = structuredClone(obj);
    } catch (e) {
      throw new ParseError(`Invalid JSON Schema: ${(e as Error).message}`, { cause: e });
    }
    return new Schema(copy as SchemaNode);
  }

  /**
   * The JSON Schema draft in use: from `$schema`, 2020-12 by default.
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * assert.equal(Schema.fromObject({}).draft, "2020-12");
   * const old = Schema.fromObject({ $schema: "http://json-schema.org/draft-07/schema#" });
   * assert.equal(old.draft, "draft-07");
   * ```
   */
  get draft(): Draft {
    return this.#draft;
  }

  /**
   * Whether synchronous validation is available now (the validator is loaded).
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromObject({ type: "object" });
   * await schema.ready();
   * assert.equal(schema.isReady, true);
   * ```
   */
  get isReady(): boolean {
    return isValidatorLoaded();
  }

  /**
   * The schema as a plain object (a deep copy).
   *
   * @returns The schema document.
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * assert.deepEqual(Schema.fromYaml("type: string").toObject(), { type: "string" });
   * ```
   */
  toObject(): Record<string, unknown> | boolean {
    return structuredClone(this.#schema);
  }

  /**
   * Markdown reference documentation for this schema (see `schemaToMarkdown`).
   *
   * @returns Markdown text.
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const md = Schema.fromYaml("properties:\n  port: { type: integer }").toMarkdown();
   * assert.ok(md.startsWith("# Configuration Reference"));
   * ```
   */
  toMarkdown(): string {
    return schemaToMarkdown(this.#schema);
  }

  /**
   * A commented YAML skeleton for this schema (see `schemaToTemplate`).
   *
   * @returns YAML text.
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const yaml = Schema.fromYaml("properties:\n  port: { type: integer }").toTemplate();
   * assert.ok(yaml.includes("port: 0"));
   * ```
   */
  toTemplate(): string {
    return schemaToTemplate(this.#schema);
  }

  /**
   * TypeScript declarations for the config this schema describes, as it is once resolved with
   * the schema attached: a property with a `default` is present (not optional), `integer` is
   * `number` even where the config holds `${env:PORT}`, `enum`/`const` are literal unions,
   * local `$ref`s are named declarations, `allOf` an intersection, `anyOf`/`oneOf` a union,
   * `additionalProperties` an index signature, descriptions JSDoc (see `schemaToTypeScript`).
   * Use the type as `Config.load<T>()`'s `T` for typed paths.
   *
   * @param options `name` of the config's type (default `Config`), `banner` comment.
   * @returns TypeScript source text.
   * @throws {TypeError} When `name` is not an identifier, or is a keyword or a global type.
   *
   * @example Generate the config's type
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromYaml(`
   * type: object
   * properties:
   *   port: { type: integer, default: 8080, description: Listen port }
   *   mode: { enum: [dev, prod] }
   * `);
   * const ts = schema.toTypeScript({ name: "AppConfig" });
   * assert.ok(ts.includes("export interface AppConfig {"));
   * assert.ok(ts.includes('  mode?: "dev" | "prod";'));
   * assert.ok(ts.includes("  /**\n   * Listen port\n   * @default 8080\n   *\/\n  port: number;"));
   * ```
   */
  toTypeScript(options: TypeScriptOptions = {}): string {
    return schemaToTypeScript(this.#schema, options);
  }

  /**
   * Waits until the validator is loaded and this schema compiled; afterwards
   * {@linkcode Schema.validateSync} works.
   *
   * @returns A promise that resolves when validation is available.
   * @throws {HoloconfError} When the validator package cannot be loaded.
   * @throws {ParseError} When the schema's references cannot be resolved.
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromObject({ type: "integer" });
   * await schema.ready();
   * assert.deepEqual(schema.validateSync(5), []);
   * ```
   */
  async ready(): Promise<void> {
    await (this.#loading ?? loadValidatorModule());
    this.#compile();
  }

  /**
   * Validates a (resolved) value and returns every issue found.
   *
   * @param value The value, usually a whole resolved config.
   * @param options Wildcards, unknown values and sensitive values (see `ValidateOptions`).
   * @returns The issues (`[]` when valid): `pointer` (JSON pointer), `path` (config path),
   *   `message`, `kind: "schema"`, `code` (the failing keyword), `expected` (the type the
   *   failing rule names, if any).
   * @throws {HoloconfError} When the validator cannot be loaded.
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromObject({ properties: { port: { type: "integer" } } });
   * assert.deepEqual(await schema.validate({ port: "x" }), [{
   *   pointer: "/port",
   *   path: "port",
   *   message: "must be integer",
   *   kind: "schema",
   *   code: "type",
   *   expected: "integer",
   * }]);
   * ```
   */
  async validate(value: unknown, options?: ValidateOptions): Promise<ValidationIssue[]> {
    await this.ready();
    return this.validateSync(value, options);
  }

  /**
   * Validates synchronously. Works once the validator is loaded (after
   * {@linkcode Schema.ready}, an awaited {@linkcode Schema.validate}, or shortly after any
   * schema was created).
   *
   * @param value The value to check.
   * @param options Wildcard handling (`isWildcard`), e.g. `${...}` placeholders that match
   * any type in `validateRaw`.
   * @returns The issues (`[]` when valid).
   * @throws {HoloconfError} Code `SCHEMA_NOT_READY` when the validator is not loaded yet.
   *
   * @example Treat placeholders as wildcards
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromObject({ properties: { port: { type: "integer" } } });
   * await schema.ready();
   * const isWildcard = (v: unknown) => typeof v === "string" && v.includes("${");
   * assert.deepEqual(schema.validateSync({ port: "${env:PORT}" }, { isWildcard }), []);
   * assert.equal(schema.validateSync({ port: "80" }).length, 1);
   * ```
   */
  validateSync(value: unknown, options?: ValidateOptions): ValidationIssue[] {
    return this.#compile().validate(value, options);
  }

  #compile(): CompiledValidator {
    this.#compiled ??= compileValidator(this.#schema, this.#draft);
    return this.#compiled;
  }

  /**
   * The schema default at a config path. Walks `properties` for string segments and
   * `prefixItems` / `items` for numeric ones (also `patternProperties` and
   * `additionalProperties` schemas), following local `$ref`s and `allOf`.
   *
   * @param path Path segments, e.g. `["database", "port"]` or `["servers", 0, "host"]`.
   * @returns `{ found: true, value }` (a deep copy) or `{ found: false }`.
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromYaml(`
   * properties:
   *   database:
   *     properties:
   *       port: { type: integer, default: 5432 }
   * `);
   * assert.deepEqual(schema.defaultAt(["database", "port"]), { found: true, value: 5432 });
   * assert.deepEqual(schema.defaultAt(["database", "host"]), { found: false });
   * ```
   */
  defaultAt(path: readonly PathSegment[]): SchemaDefault {
    const d = defaultOf(this.#applicableAt(path).nodes);
    return d.found ? { found: true, value: copyPlain(d.value, 0, "default") } : d;
  }

  /**
   * Whether `null` is acceptable at a path: true when the path is not described by the
   * schema or has no `type`; otherwise the type must include `"null"` (also through
   * `anyOf`/`oneOf` unions, or `nullable: true`). An `enum`/`const` without null excludes it.
   *
   * @param path Path segments.
   * @returns Whether null is allowed.
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromYaml(`
   * properties:
   *   a: { type: string }
   *   b: { type: [string, "null"] }
   * `);
   * assert.equal(schema.allowsNull(["a"]), false);
   * assert.equal(schema.allowsNull(["b"]), true);
   * assert.equal(schema.allowsNull(["unknown"]), true);
   * ```
   */
  allowsNull(path: readonly PathSegment[]): boolean {
    return this.#allowNull(this.#applicableAt(path));
  }

  #allowNull(at: Applicable): boolean {
    at.allowsNull ??= at.nodes.every((n) => this.#nodeAllowsNull(n, 0));
    return at.allowsNull;
  }

  /**
   * A deep copy of `value` (the value found at `path` in a config) with the schema's
   * defaults filled in: a missing object property that has a schema default gets a deep copy
   * of it, and so does a `null` property or array item where the schema does not allow null.
   * Present objects and array items (`items` / `prefixItems`) are walked recursively, and
   * inserted defaults are filled in turn; local `$ref`s and `allOf` are followed as in
   * {@linkcode Schema.defaultAt}. Values other than plain objects and arrays (strings,
   * numbers, `Uint8Array`...) are returned as they are; a `__proto__` key stays plain data.
   *
   * @param value The value, e.g. a whole resolved config or one mapping of it.
   * @param path Where `value` sits in the config (`[]` for the root).
   * @returns The filled copy (`value` itself is never modified).
   * @throws {RangeError} When `value` is nested more than 10,000 levels deep.
   *
   * @example Fill missing properties and disallowed nulls
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromYaml(`
   * properties:
   *   host: { type: string, default: localhost }
   *   database:
   *     properties:
   *       port: { type: integer, default: 5432 }
   *       user: { type: string, default: app }
   * `);
   * const data = { host: null, database: { user: "admin" } };
   * assert.deepEqual(schema.fillDefaults(data), {
   *   host: "localhost",
   *   database: { user: "admin", port: 5432 },
   * });
   * assert.deepEqual(data, { host: null, database: { user: "admin" } });
   * assert.deepEqual(schema.fillDefaults({}, ["database"]), { port: 5432, user: "app" });
   * ```
   */
  fillDefaults(value: unknown, path: readonly PathSegment[] = []): unknown {
    return this.#fill(value, this.#applicableAt(path), 0, "config");
  }

  #fill(value: unknown, at: Applicable, depth: number, origin: FillOrigin): unknown {
    if (depth > MAX_FILL_DEPTH) throw new RangeError("Value nested too deeply to fill defaults");
    if (Array.isArray(value)) {
      if (at.nodes.length === 0) return copyPlain(value, depth, origin);
      const out = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) {
        out[i] = this.#fillChild(value[i], this.#child(at, i), depth + 1, origin);
      }
      return out;
    }
    if (!isPlainObject(value)) {
      return origin === "default" && value instanceof Uint8Array ? value.slice() : value;
    }
    if (at.nodes.length === 0) return copyPlain(value, depth, origin);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      defineOwn(out, key, this.#fillChild(value[key], this.#child(at, key), depth + 1, origin));
    }
    at.properties ??= propertyNames(at.nodes);
    for (const key of at.properties) {
      if (hasOwn(out, key)) continue;
      const child = this.#child(at, key);
      const d = defaultOf(child.nodes);
      if (d.found) defineOwn(out, key, this.#fill(d.value, child, depth + 1, "default"));
    }
    return out;
  }

  /** Fills one property value or array item to which `at` applies. */
  #fillChild(value: unknown, at: Applicable, depth: number, origin: FillOrigin): unknown {
    if (value === null && at.nodes.length > 0 && !this.#allowNull(at)) {
      const d = defaultOf(at.nodes);
      if (d.found) return this.#fill(d.value, at, depth, "default");
    }
    if (at.nodes.length === 0 && (typeof value !== "object" || value === null)) return value;
    return this.#fill(value, at, depth, origin);
  }

  // Walking the schema along a config path is the hot part of defaultAt(), allowsNull(),
  // coercionTypeAt() and fillDefaults(). What applies below an Applicable is computed once
  // per key and kept (up to MAX_CACHED_CHILDREN keys each), and equal lists of schemas share
  // one interned Applicable: keys matched by one `patternProperties` schema, or the items of
  // one array, share the lookups below them and the answers derived from them.

  #root: Applicable | undefined;
  #none = new Applicable([]);
  #interned: InternNode = { next: new Map(), value: undefined };

  /** What applies at `path`. */
  #applicableAt(path: readonly PathSegment[]): Applicable {
    this.#root ??= this.#intern(expandNode(this.#schema, this.#schema));
    let at = this.#root;
    for (const segment of path) {
      if (at.nodes.length === 0) break;
      at = this.#child(at, segment);
    }
    return at;
  }

  #child(at: Applicable, segment: PathSegment): Applicable {
    if (at.nodes.length === 0) return at;
    let child = at.children?.get(segment);
    if (child === undefined) {
      child = this.#intern(childCandidates(this.#schema, at.nodes, segment));
      at.children ??= new Map();
      if (at.children.size < MAX_CACHED_CHILDREN) at.children.set(segment, child);
    }
    return child;
  }

  /**
   * The one Applicable for a list of schemas: keys matched by the same `patternProperties`
   * or `additionalProperties` schema (or items of one array) share it, and what is derived
   * from it.
   */
  #intern(nodes: SchemaNode[]): Applicable {
    if (nodes.length === 0) return this.#none;
    let trie = this.#interned;
    for (const node of nodes) {
      let next = trie.next.get(node);
      if (next === undefined) {
        next = { next: new Map(), value: undefined };
        trie.next.set(node, next);
      }
      trie = next;
    }
    trie.value ??= new Applicable(nodes);
    return trie.value;
  }

  #nodeAllowsNull(node: SchemaNode, depth: number): boolean {
    if (typeof node === "boolean") return node;
    if (depth > 32) return true;
    if (node.nullable === true) return true;
    const types = typesOf(node);
    if (types.length > 0 && !types.includes("null")) return false;
    if (Array.isArray(node.enum) && !node.enum.includes(null)) return false;
    if (hasOwn(node, "const") && node.const !== null) return false;
    for (const k of ["anyOf", "oneOf"]) {
      const branches = node[k];
      if (!Array.isArray(branches)) continue;
      const ok = branches.some((b) =>
        (typeof b === "boolean" || isPlainObject(b)) &&
        expandNode(this.#schema, b).every((n) => this.#nodeAllowsNull(n, depth + 1))
      );
      if (!ok) return false;
    }
    return true;
  }

  /**
   * The JSON types the schema declares at a config path: the `type` keyword of the schemas
   * that apply there (local `$ref`s and `allOf` followed, as in {@linkcode Schema.defaultAt}),
   * the types they all allow when several declare one; `[]` when none does.
   *
   * @param path Path segments.
   * @returns The type names, e.g. `["integer"]` or `["string", "null"]`.
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromYaml(`
   * properties:
   *   port: { type: integer }
   *   name: { type: [string, "null"] }
   *   any: { description: anything }
   * `);
   * assert.deepEqual(schema.typesAt(["port"]), ["integer"]);
   * assert.deepEqual(schema.typesAt(["name"]), ["string", "null"]);
   * assert.deepEqual(schema.typesAt(["any"]), []);
   * ```
   */
  typesAt(path: readonly PathSegment[]): string[] {
    let result: string[] | undefined;
    for (const node of this.#applicableAt(path).nodes) {
      const types = typesOf(node);
      if (types.length === 0) continue;
      result = result === undefined ? types : result.filter((t) => types.includes(t));
    }
    return result === undefined ? [] : [...new Set(result)];
  }

  /**
   * The type a resolved string at this path is coerced to (ADR-012): `integer`, `number` or
   * `boolean` when the schema's `type` there is exactly that (or that plus `"null"`, also as
   * an `anyOf`/`oneOf` union); `undefined` otherwise, including `type: string` and paths the
   * schema does not describe. `[integer, number]` coerces as `number`.
   *
   * @param path Path segments.
   * @returns The coercion target, or `undefined`.
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * const schema = Schema.fromYaml(`
   * properties:
   *   port: { type: integer }
   *   ratio: { type: [number, "null"] }
   *   name: { type: string }
   *   ids: { type: array, items: { type: integer } }
   * `);
   * assert.equal(schema.coercionTypeAt(["port"]), "integer");
   * assert.equal(schema.coercionTypeAt(["ratio"]), "number");
   * assert.equal(schema.coercionTypeAt(["name"]), undefined);
   * assert.equal(schema.coercionTypeAt(["ids", 3]), "integer");
   * ```
   */
  coercionTypeAt(path: readonly PathSegment[]): SchemaCoercionType | undefined {
    const at = this.#applicableAt(path);
    at.coercion ??= this.#nodesCoercionType(at.nodes) ?? null;
    return at.coercion ?? undefined;
  }

  #nodesCoercionType(nodes: readonly SchemaNode[]): SchemaCoercionType | undefined {
    let result: SchemaCoercionType | undefined;
    for (const node of nodes) {
      const t = this.#nodeCoercionType(node, 0);
      if (t === null) continue; // says nothing about the type
      if (t === undefined) return undefined;
      if (result !== undefined && result !== t) return undefined;
      result = t;
    }
    return result;
  }

  /** `null`: no type information here; `undefined`: not coercible. */
  #nodeCoercionType(node: SchemaNode, depth: number): SchemaCoercionType | undefined | null {
    if (!isPlainObject(node) || depth > 32) return null;
    const types = typesOf(node);
    if (types.length > 0) return coercionFromTypes(types);
    for (const k of ["anyOf", "oneOf"]) {
      const branches = node[k];
      if (!Array.isArray(branches)) continue;
      const collected: string[] = [];
      for (const b of branches) {
        if (typeof b !== "boolean" && !isPlainObject(b)) continue;
        const branchTypes = expandNode(this.#schema, b).flatMap(typesOf);
        if (branchTypes.length === 0) return undefined; // a branch accepting anything
        collected.push(...branchTypes);
      }
      return coercionFromTypes(collected);
    }
    return null;
  }

  /**
   * A short description (never the whole schema).
   *
   * @returns `Schema(<title or draft>)`.
   *
   * @example
   * ```ts
   * import { Schema } from "@holoconf/holoconf";
   * import assert from "node:assert/strict";
   * assert.equal(String(Schema.fromObject({ title: "App" })), "Schema(App)");
   * ```
   */
  toString(): string {
    const title = isPlainObject(this.#schema) && typeof this.#schema.title === "string"
      ? this.#schema.title
      : this.#draft;
    return `Schema(${title})`;
  }
}

function coercionFromTypes(types: string[]): SchemaCoercionType | undefined {
  const set = new Set(types.filter((t) => t !== "null"));
  if (set.size === 0) return undefined;
  for (const t of set) if (!COERCIBLE.has(t)) return undefined;
  if (set.size === 1) return [...set][0] as SchemaCoercionType;
  if (set.size === 2 && set.has("integer") && set.has("number")) return "number";
  return undefined;
}

/** The first `default` among `nodes` (not copied). */
function defaultOf(nodes: readonly SchemaNode[]): SchemaDefault {
  for (const node of nodes) {
    if (isPlainObject(node) && hasOwn(node, "default")) return { found: true, value: node.default };
  }
  return { found: false };
}

/** The names listed under `properties` in any of `nodes`, in order, without repeats. */
function propertyNames(nodes: readonly SchemaNode[]): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const node of nodes) {
    if (!isPlainObject(node) || !isPlainObject(node.properties)) continue;
    for (const key of Object.keys(node.properties)) {
      if (!seen.has(key)) {
        seen.add(key);
        names.push(key);
      }
    }
  }
  return names;
}

/**
 * A deep copy of plain objects and arrays; other values are returned as they are, except that
 * bytes in a schema default are copied too, so callers never share the schema's.
 */
function copyPlain(value: unknown, depth: number, origin: FillOrigin): unknown {
  if (depth > MAX_FILL_DEPTH) {
    throw new RangeError(
      origin === "default"
        ? "Schema default nested too deeply"
        : "Value nested too deeply to fill defaults",
    );
  }
  if (Array.isArray(value)) return value.map((v) => copyPlain(v, depth + 1, origin));
  if (!isPlainObject(value)) {
    return origin === "default" && value instanceof Uint8Array ? value.slice() : value;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    defineOwn(out, key, copyPlain(value[key], depth + 1, origin));
  }
  return out;
}
