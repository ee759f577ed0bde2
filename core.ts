/**
 * holoconf without its built-in resolvers: the whole public API, and no import side effect.
 * Configs loaded through this entry know only the resolvers given to them (`resolvers` option,
 * `registerResolver`) and references (`${a.b}`); the main entry (`@holoconf/holoconf`) is this
 * plus the built-ins (`env`, `file`, `ssm`, `https`, ...) registered for every Config.
 *
 * @example A config with its own resolver, and nothing registered by the import
 * ```ts
 * import { Config, resolverNames } from "@holoconf/holoconf/core";
 * import assert from "node:assert/strict";
 *
 * const config = Config.loads("name: ${upper:app}\nurl: https://${name}.internal\n", {
 *   resolvers: { upper: (key: string) => key.toUpperCase() },
 * });
 * assert.equal(await config.get("url"), "https://APP.internal");
 * assert.ok(Array.isArray(resolverNames()));
 * ```
 *
 * @module
 */

export {
  type AutoRefreshOptions,
  type Change,
  type ChangeListener,
  type ChangeSet,
  Config,
  type ExportOptions,
  type GetOptions,
  isOfflineFlag,
  type LiveHandle,
  type LoadOptions,
  type PathSpec,
  type RefreshFailure,
  type RefreshOptions,
  type ResolveAllOptions,
  type TraceEvent,
  type WatchOptions,
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
  Redacted,
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
  type IamPermission,
  type PlannedCall,
  type PlanSummaryLine,
  type RegisterOptions,
  ResolvedValue,
  type Resolver,
  type ResolverCall,
  type ResolverContext,
  type ResolverDescription,
  type ResolverFn,
  type ResolverObject,
  type ResolverParams,
  type ResolverSettingField,
  type ResolverSettingsSpec,
  type ResolverSettingType,
} from "./src/resolver.ts";
export { configureResolver, resetResolverSettings } from "./src/resolver_settings.ts";
export {
  getResolver,
  registerResolver,
  resolverNames,
  unregisterResolver,
} from "./src/registry.ts";
export {
  configure,
  configureScheduler,
  getSchedulerSettings,
  type SchedulerSettings,
} from "./src/scheduler.ts";
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
export { exportText } from "./src/export.ts";
export { MAX_CONFIG_FILE_BYTES, readConfigText } from "./src/loader.ts";
