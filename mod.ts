/**
 * holoconf: hierarchical configuration for TypeScript. YAML files are deep-merged; values
 * interpolate `${env:X}`, `${a.b}`, `${ssm:/p}`, `${s3:b/k}`, `${cfn:stack/Out}`,
 * `${https:...}` and custom resolvers; resolution is lazy and memoized, or parallel with
 * `resolveAll()` under a concurrency limit and deadlines; secrets never leak into dumps.
 *
 * @example Lazy access, a custom async resolver, and a redacted dump
 * ```ts
 * import { Config, ResolvedValue } from "@holoconf/holoconf";
 * import assert from "node:assert/strict";
 *
 * const vault = (key: string) => Promise.resolve(new ResolvedValue(`s3cr3t-${key}`, { sensitive: true }));
 * const config = Config.loads(
 *   "db:\n  host: localhost\n  password: ${vault:db}\n  url: postgres://${db.host}/app\n",
 *   { resolvers: { vault } },
 * );
 * assert.equal(await config.get("db.url"), "postgres://localhost/app");
 * const dump = await config.toYaml({ redact: true });
 * assert.ok(dump.includes("[REDACTED]") && !dump.includes("s3cr3t"));
 * ```
 *
 * @module
 */

import { registerBuiltins } from "./resolvers/builtins.ts";

export {
  Config,
  type ExportOptions,
  type GetOptions,
  type LoadOptions,
  type PathSpec,
  type ResolveAllOptions,
  type TraceEvent,
} from "./src/config.ts";
export {
  type Draft,
  type PathSegment,
  Schema,
  type SchemaCoercionType,
  type SchemaDefault,
  type TypeScriptOptions,
  type ValidateOptions,
} from "./src/schema/schema.ts";
export {
  type InferSchemaInput,
  type InferSchemaOutput,
  isStandardSchema,
  type StandardSchemaIssue,
  type StandardSchemaPathSegment,
  type StandardSchemaProps,
  type StandardSchemaResult,
  type StandardSchemaTypes,
  type StandardSchemaV1,
} from "./src/schema/standard.ts";
export type {
  ConfigData,
  ConfigPath,
  ConfigValue,
  IndexTail,
  IsUntyped,
  KeyPaths,
  PathCountdown,
  PathDepth,
  PathKey,
  PathTail,
  ValueAtPath,
  ValueDepth,
  ValueOfIndex,
  ValueOfKey,
} from "./src/typed_path.ts";
export {
  CircularReferenceError,
  type ErrorCode,
  HoloconfError,
  type HoloconfErrorOptions,
  isErrorCode,
  NotFoundError,
  ParseError,
  PathNotFoundError,
  ResolveAllError,
  type ResolveFailure,
  ResolverError,
  type SourceLocation,
  TypeCoercionError,
  ValidationError,
  type ValidationIssue,
} from "./src/errors.ts";
export {
  type ConfigHandle,
  type RegisterOptions,
  ResolvedValue,
  type Resolver,
  type ResolverCall,
  type ResolverContext,
  type ResolverFn,
  type ResolverObject,
  type ResolverParams,
  type ResolverSettingField,
  type ResolverSettingsSpec,
  type ResolverSettingType,
} from "./src/resolver.ts";
export { configureResolver, resetResolverSettings } from "./src/resolver_settings.ts";
export { registerResolver, unregisterResolver } from "./src/registry.ts";
export { configure, configureScheduler, type SchedulerSettings } from "./src/scheduler.ts";
export { type ParseOptions, parseTemplate } from "./src/interpolation/parser.ts";
export type {
  ArgValue,
  Call,
  Interpolation,
  Kwarg,
  Part,
  RelativeRef,
  Template,
  TextPart,
} from "./src/interpolation/ast.ts";

registerBuiltins();
