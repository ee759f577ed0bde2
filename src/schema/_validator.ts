// Loading and compiling the JSON Schema validator (`@cfworker/json-schema`), and turning
// its output into holoconf's structured issues (`kind: "schema"`) with ajv-style wording.
//
// The validator module is loaded with `await import()` on first need (a Schema object starts
// the load when it is created), so a config without a schema never pays for it. Measured on
// this project's machine: importing it costs ≈ 3 ms (ajv: ≈ 40-50 ms plus ≈ 30 ms per
// compiled schema).

import { defineOwn } from "../tree.ts";
import type { OutputUnit, SchemaDraft, Validator } from "@cfworker/json-schema";
import { HoloconfError, ParseError, type ValidationIssue } from "../errors.ts";
import { encodeBase64 } from "../_bytes.ts";
import { REDACTED } from "../resolver.ts";
import { formatPath } from "../path.ts";
import { ACCEPTED_FORMS } from "./coerce.ts";
import {
  hasOwn,
  isPlainObject,
  type SchemaNode,
  segmentsAt,
  typesOf,
  unescapePointerToken,
  valueAtPointer,
} from "./_walk.ts";

type ValidatorModule = typeof import("@cfworker/json-schema");

let loadedModule: ValidatorModule | undefined;
let loadingModule: Promise<ValidatorModule> | undefined;

/** The draft holoconf validates with: `$schema` decides, 2020-12 by default. */
export type Draft = "draft-04" | "draft-07" | "2019-09" | "2020-12";

/** Options of a validation run. */
export interface ValidateOptions {
  /**
   * Values that match any schema (e.g. `${...}` placeholders in `validateRaw`): issues
   * about such a value, and combinator issues (`anyOf`, `oneOf`, `enum`...) about a value
   * that contains one, are dropped.
   */
  isWildcard?: (value: unknown) => boolean;
  /**
   * JSON pointers (`/a/b`, tokens escaped) of sensitive values: an issue at or below one is
   * reported at that pointer, and keys inside it are never quoted.
   */
  sensitive?: readonly string[];
  /**
   * JSON pointers of values that are not known (they could not be resolved or coerced, and
   * are reported on their own): like wildcards, issues at or below one, and combinator issues
   * about a value that contains one, are dropped.
   */
  unknown?: readonly string[];
}

/** Starts (once) loading the validator module; resolves when it is loaded. */
export function loadValidatorModule(): Promise<void> {
  if (loadedModule !== undefined) return Promise.resolve();
  loadingModule ??= import("@cfworker/json-schema").then(
    (m) => {
      loadedModule = m;
      return m;
    },
    (e: unknown) => {
      loadingModule = undefined;
      throw new HoloconfError("Could not load the JSON Schema validator", {
        code: "SCHEMA_VALIDATOR_UNAVAILABLE",
        cause: e,
        detail: e instanceof Error ? e.message : String(e),
        help: "Install the '@cfworker/json-schema' package next to holoconf",
      });
    },
  );
  return loadingModule.then(() => {});
}

/** True once the validator module has been loaded. */
export function isValidatorLoaded(): boolean {
  return loadedModule !== undefined;
}

/** The draft named by a schema's `$schema` (2020-12 when absent or unknown). */
export function detectDraft(schema: SchemaNode): Draft {
  const uri = isPlainObject(schema) && typeof schema.$schema === "string" ? schema.$schema : "";
  if (/draft-0[67]\b/.test(uri)) return "draft-07";
  if (/draft-04\b/.test(uri)) return "draft-04";
  if (uri.includes("2019-09")) return "2019-09";
  return "2020-12";
}

const CF_DRAFT: Record<Draft, SchemaDraft> = {
  "draft-04": "4",
  "draft-07": "7",
  "2019-09": "2019-09",
  "2020-12": "2020-12",
};

/** A schema compiled for the loaded validator. */
export interface CompiledValidator {
  /** Validates a value and returns every issue (empty when valid). */
  validate(value: unknown, options?: ValidateOptions): ValidationIssue[];
}

/**
 * Compiles a schema. The validator module must be loaded.
 *
 * @throws {HoloconfError} `SCHEMA_NOT_READY` when the module is not loaded yet.
 * @throws {ParseError} "Invalid JSON Schema: ..." when references cannot be resolved.
 */
export function compileValidator(schema: SchemaNode, draft: Draft): CompiledValidator {
  const mod = loadedModule;
  if (mod === undefined) {
    throw new HoloconfError("JSON Schema validator is not loaded yet", {
      code: "SCHEMA_NOT_READY",
      help: "Call `await schema.ready()` once before synchronous validation " +
        "(or use `await config.validate()` / `await schema.validate()`)",
    });
  }
  const copy = structuredClone(schema) as SchemaNode;
  let validator: Validator;
  try {
    validator = new mod.Validator(copy, CF_DRAFT[draft], false);
  } catch (e) {
    throw new ParseError(`Invalid JSON Schema: ${(e as Error).message}`, { cause: e });
  }
  const lookup = (validator as unknown as { lookup: Record<string, SchemaNode> }).lookup;
  for (const node of Object.values(lookup)) {
    if (!isPlainObject(node) || typeof node.$ref !== "string") continue;
    const abs = (node as { __absolute_ref__?: string }).__absolute_ref__ ?? node.$ref;
    if (lookup[abs] === undefined) {
      throw new ParseError(`Invalid JSON Schema: $ref '${node.$ref}' cannot be resolved`, {
        help: "Only references inside the schema document are supported",
      });
    }
  }
  const formatsAsserted = draft === "draft-04" || draft === "draft-07";
  return {
    validate(value: unknown, options: ValidateOptions = {}): ValidationIssue[] {
      const instance = toInstance(value, 0);
      const result = validator.validate(instance);
      if (result.valid) return [];
      return translate(result.errors, {
        root: copy,
        lookup,
        instance,
        formatsAsserted,
        isWildcard: options.isWildcard,
        sensitive: options.sensitive ?? [],
        unknown: options.unknown ?? [],
      });
    },
  };
}

const MAX_INSTANCE_DEPTH = 10_000;

/**
 * The config value as the JSON-like instance the validator accepts: bytes become base64 text,
 * bigints numbers, dates ISO text, maps objects, `undefined` null (members dropped). Parts
 * that are JSON-like already are shared, not copied (the validator only reads them), so a
 * plain resolved config costs one walk and no allocation.
 */
function toInstance(value: unknown, depth: number): unknown {
  if (depth > MAX_INSTANCE_DEPTH) throw new RangeError("Value nested too deeply to validate");
  if (value === undefined || value === null) return null;
  if (typeof value !== "object") {
    if (typeof value === "bigint") return Number(value);
    return typeof value === "function" || typeof value === "symbol" ? String(value) : value;
  }
  if (value instanceof Uint8Array) return encodeBase64(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const converted = toInstance(item, depth + 1);
      if (converted !== item && out === undefined) out = value.slice(0, i);
      if (out !== undefined) out.push(converted);
    }
    return out ?? value;
  }
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) {
      if (v !== undefined) defineOwn(out, String(k), toInstance(v, depth + 1));
    }
    return out;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = obj[k];
    const converted = v === undefined ? undefined : toInstance(v, depth + 1);
    if ((converted !== v || v === undefined) && out === undefined) {
      out = {};
      for (let j = 0; j < i; j++) defineOwn(out, keys[j]!, obj[keys[j]!]);
    }
    if (out !== undefined && converted !== undefined) defineOwn(out, k, converted);
  }
  return out ?? value;
}

interface TranslateContext {
  root: SchemaNode;
  lookup: Record<string, SchemaNode>;
  instance: unknown;
  formatsAsserted: boolean;
  isWildcard: ((value: unknown) => boolean) | undefined;
  sensitive: readonly string[];
  unknown: readonly string[];
}

/** cfworker's `#/a%20b/0` location to a JSON pointer `/a b/0` (tokens stay escaped). */
function toPointer(location: string): string {
  const body = location.startsWith("#") ? location.slice(1) : location;
  if (body === "") return "";
  return body.split("/").map((t, i) => i === 0 ? t : safeDecode(t)).join("/");
}

function safeDecode(token: string): string {
  try {
    return decodeURIComponent(token);
  } catch {
    return token;
  }
}

function lastToken(pointer: string): string {
  const i = pointer.lastIndexOf("/");
  return unescapePointerToken(pointer.slice(i + 1));
}

/** The schema value at a keyword location, following `$ref` hops. */
function keywordValue(ctx: TranslateContext, keywordLocation: string): unknown {
  let node: unknown = ctx.root;
  const body = keywordLocation.startsWith("#") ? keywordLocation.slice(1) : keywordLocation;
  if (body === "") return node;
  for (const raw of body.slice(1).split("/")) {
    const token = unescapePointerToken(safeDecode(raw));
    if (token === "$ref" && isPlainObject(node) && typeof node.$ref === "string") {
      const abs = (node as { __absolute_ref__?: string }).__absolute_ref__ ?? node.$ref;
      node = ctx.lookup[abs];
    } else if (Array.isArray(node)) {
      node = node[Number(token)];
    } else if (isPlainObject(node) && hasOwn(node, token)) {
      node = node[token];
    } else {
      return undefined;
    }
  }
  return node;
}

/** The schema object holding the keyword at `keywordLocation` (`{}` when there is none). */
function ruleOf(ctx: TranslateContext, keywordLocation: string): SchemaNode {
  const node = keywordValue(ctx, keywordLocation.slice(0, keywordLocation.lastIndexOf("/")));
  return isPlainObject(node) ? node : {};
}

function containsWildcard(value: unknown, isWildcard: (v: unknown) => boolean): boolean {
  if (isWildcard(value)) return true;
  if (Array.isArray(value)) return value.some((v) => containsWildcard(v, isWildcard));
  if (isPlainObject(value)) {
    return Object.values(value).some((v) => containsWildcard(v, isWildcard));
  }
  return false;
}

const WRAPPER_KEYWORDS = new Set([
  "properties",
  "patternProperties",
  "additionalProperties",
  "unevaluatedProperties",
  "prefixItems",
  "items",
  "additionalItems",
  "unevaluatedItems",
  "$ref",
  "$recursiveRef",
  "allOf",
  "dependentSchemas",
]);

const COMBINATOR_KEYWORDS = new Set([
  "anyOf",
  "oneOf",
  "not",
  "if",
  "enum",
  "const",
  "contains",
  "minContains",
  "maxContains",
  "uniqueItems",
]);

function quoteList(values: unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

function translate(errors: OutputUnit[], ctx: TranslateContext): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  // The sensitive value a pointer lies in: its own pointer, or undefined.
  const secretAt = (p: string) => ctx.sensitive.find((r) => p === r || p.startsWith(`${r}/`));
  // A key of the mapping at `path`, unless that mapping belongs to a secret.
  const keyShown = (path: string, key: string) => secretAt(path) === undefined ? key : REDACTED;
  // A combinator about a value that holds a wildcard or an unknown value cannot be judged:
  // neither it nor the issues of its branches (the units right after it) are reported.
  let skipUnder: string | undefined;
  const undecided = (unit: OutputUnit, at: string): boolean => {
    if (!COMBINATOR_KEYWORDS.has(unit.keyword)) return false;
    if (ctx.unknown.some((u) => u.startsWith(`${at}/`))) return true;
    return ctx.isWildcard !== undefined &&
      containsWildcard(valueAtPointer(ctx.instance, at), ctx.isWildcard);
  };
  const push = (unit: OutputUnit, at: string, message: string): void => {
    const pointer = secretAt(at) ?? at;
    if (ctx.isWildcard?.(valueAtPointer(ctx.instance, at))) return;
    if (ctx.unknown.some((u) => at === u || at.startsWith(`${u}/`))) return;
    if (undecided(unit, at)) {
      skipUnder = `${unit.keywordLocation}/`;
      return;
    }
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    const expected = unit.keyword === "false" ? [] : typesOf(ruleOf(ctx, unit.keywordLocation));
    issues.push({
      pointer,
      path: formatPath(segmentsAt(ctx.instance, pointer)),
      message,
      kind: "schema",
      code: unit.keyword,
      ...(expected.length === 0 ? {} : { expected: expected.join(",") }),
    });
  };
  for (let i = 0; i < errors.length; i++) {
    const unit = errors[i]!;
    if (skipUnder !== undefined && unit.keywordLocation.startsWith(skipUnder)) continue;
    const path = toPointer(unit.instanceLocation);
    const next = errors[i + 1];
    const nextPath = next === undefined ? undefined : toPointer(next.instanceLocation);
    const nextIsFalseChild = next !== undefined && next.keyword === "false" &&
      nextPath !== undefined && nextPath.startsWith(`${path}/`) &&
      !nextPath.slice(path.length + 1).includes("/");
    if (WRAPPER_KEYWORDS.has(unit.keyword) || unit.keyword === "dependencies") {
      if (unit.keyword === "dependencies") {
        const m = /^Instance has "(.*)" but does not have "(.*)"\.$/.exec(unit.error);
        if (m) {
          push(unit, path, `must have property '${m[2]}' when property '${m[1]}' is present`);
        }
        continue;
      }
      if (nextIsFalseChild && nextPath !== undefined) {
        const child = keyShown(path, lastToken(nextPath));
        switch (unit.keyword) {
          case "additionalProperties":
            push(unit, path, `must NOT have additional properties ('${child}')`);
            i++;
            continue;
          case "unevaluatedProperties":
            push(unit, path, `must NOT have unevaluated properties ('${child}')`);
            i++;
            continue;
          case "items":
          case "additionalItems":
          case "unevaluatedItems":
            if (/^\d+$/.test(child)) {
              push(unit, path, `must NOT have more than ${child} items`);
              i++;
              continue;
            }
        }
      }
      continue; // a wrapper: the nested errors that follow say what is wrong
    }
    if (unit.keyword === "propertyNames") {
      const m = /^Property name "(.*)" does not match schema\.$/.exec(unit.error);
      push(unit, path, `property name '${m ? keyShown(path, m[1]!) : "?"}' is invalid`);
      // Skip the nested errors about the name itself.
      while (i + 1 < errors.length) {
        const n = errors[i + 1]!;
        const inner = n.keywordLocation.startsWith(`${unit.keywordLocation}/`) ||
          (n.keyword === "false" && toPointer(n.instanceLocation).startsWith(`${path}/`));
        if (!inner) break;
        i++;
      }
      continue;
    }
    if (unit.keyword === "format" && !ctx.formatsAsserted) continue;
    push(unit, path, messageFor(unit, ctx));
  }
  return issues;
}

function messageFor(unit: OutputUnit, ctx: TranslateContext): string {
  const value = unit.keyword === "false" ? undefined : keywordValue(ctx, unit.keywordLocation);
  const num = typeof value === "number" ? value : undefined;
  switch (unit.keyword) {
    case "false":
      return "boolean schema is false";
    case "type": {
      const types = typeof value === "string" ? [value] : Array.isArray(value) ? value : undefined;
      if (types === undefined) break;
      // YAML 1.1 habits (yes/no/on/off) are strings here: say what a boolean is.
      const hint = types.includes("boolean") ? ` (${ACCEPTED_FORMS.boolean})` : "";
      return `must be ${types.join(",")}${hint}`;
    }
    case "required": {
      const m = /^Instance does not have required property "(.*)"\.$/.exec(unit.error);
      if (m) return `must have required property '${m[1]}'`;
      break;
    }
    case "dependentRequired": {
      const m = /^Instance has "(.*)" but does not have "(.*)"\.$/.exec(unit.error);
      if (m) return `must have property '${m[2]}' when property '${m[1]}' is present`;
      break;
    }
    case "minimum":
      if (num !== undefined) return `must be ${draft4Exclusive(unit, ctx) ? ">" : ">="} ${num}`;
      break;
    case "maximum":
      if (num !== undefined) return `must be ${draft4Exclusive(unit, ctx) ? "<" : "<="} ${num}`;
      break;
    case "exclusiveMinimum":
      if (num !== undefined) return `must be > ${num}`;
      break;
    case "exclusiveMaximum":
      if (num !== undefined) return `must be < ${num}`;
      break;
    case "multipleOf":
      if (num !== undefined) return `must be multiple of ${num}`;
      break;
    case "minLength":
      if (num !== undefined) return `must NOT have fewer than ${num} characters`;
      break;
    case "maxLength":
      if (num !== undefined) return `must NOT have more than ${num} characters`;
      break;
    case "minItems":
      if (num !== undefined) return `must NOT have fewer than ${num} items`;
      break;
    case "maxItems":
      if (num !== undefined) return `must NOT have more than ${num} items`;
      break;
    case "minProperties":
      if (num !== undefined) return `must NOT have fewer than ${num} properties`;
      break;
    case "maxProperties":
      if (num !== undefined) return `must NOT have more than ${num} properties`;
      break;
    case "pattern":
      if (typeof value === "string") return `must match pattern "${value}"`;
      break;
    case "format":
      if (typeof value === "string") return `must match format "${value}"`;
      break;
    case "enum":
      if (Array.isArray(value)) {
        return `must be equal to one of the allowed values: ${quoteList(value)}`;
      }
      break;
    case "const":
      return `must be equal to constant ${JSON.stringify(value)}`;
    case "uniqueItems": {
      const m = /^Duplicate items at indexes (\d+) and (\d+)\.$/.exec(unit.error);
      if (m) return `must NOT have duplicate items (items ## ${m[2]} and ${m[1]} are identical)`;
      return "must NOT have duplicate items";
    }
    case "anyOf":
      return "must match a schema in anyOf";
    case "oneOf":
      return "must match exactly one schema in oneOf";
    case "not":
      return "must NOT be valid";
    case "if":
      return unit.error.includes('"else"')
        ? 'must match "else" schema'
        : 'must match "then" schema';
    case "contains":
      return "must contain at least 1 valid item(s)";
    case "minContains":
      if (num !== undefined) return `must contain at least ${num} valid item(s)`;
      break;
    case "maxContains":
      if (num !== undefined) return `must contain at most ${num} valid item(s)`;
      break;
  }
  // The validator's own texts can quote the instance (`hunter2 is less than 5`): never pass
  // them on, the value may be a secret.
  return `must satisfy "${unit.keyword}"`;
}

/** Draft-04's boolean `exclusiveMinimum` / `exclusiveMaximum` next to `minimum` / `maximum`. */
function draft4Exclusive(unit: OutputUnit, ctx: TranslateContext): boolean {
  const sibling = unit.keyword === "minimum" ? "exclusiveMinimum" : "exclusiveMaximum";
  const location = unit.keywordLocation.slice(0, -unit.keyword.length) + sibling;
  return keywordValue(ctx, location) === true;
}
