/**
 * The `ssm` resolver: AWS Systems Manager Parameter Store (SPEC §7.8).
 *
 * `${ssm:/path}` with kwargs `region`, `profile`, `endpoint`. Every read of a parameter uses
 * `GetParameters`: concurrent calls with the same client settings are grouped by the dispatcher
 * (`batchGroup`, at most `batchSize` = 10 names per request, requests sent in parallel), a single
 * call is a batch of one.
 *
 * `${ssm:/app/prod/}` (a trailing `/`: no parameter name ends with one) reads every parameter
 * under the path as one mapping with `GetParametersByPath` (its pages followed), names relative to
 * the path; `recursive=true` reads the whole hierarchy below it, nested one mapping per level.
 *
 * @module
 */

import { NotFoundError, ParseError, ResolverError } from "../../src/errors.ts";
import { allAborted } from "../../src/_abortable.ts";
import { ResolvedValue, type ResolverCall } from "../../src/resolver.ts";
import {
  AWS_KEYWORDS,
  awsFailure,
  type AwsResolver,
  awsSettingsSpec,
  callAws,
  clientIdentity,
  type EffectiveSettings,
  effectiveSettings,
  jsonAnswer,
  latestDeadline,
  oneCall,
  outsideBatch,
  type SdkPackage,
} from "./_clients.ts";
import { describeSsm } from "./_describe.ts";
import { boolKwarg, errorName, shown } from "../_args.ts";
import { isPath, PARAMETERS_PER_PAGE, type PathPage, readPath, requestPath } from "./_ssm_path.ts";

/** The `ssm` resolver: an {@linkcode AwsResolver} with the batching hooks. */
export interface SsmResolver extends AwsResolver {
  /**
   * Serves the calls of one batch group (one client, at most 10 distinct names) with one
   * `GetParameters` request.
   *
   * @param keys The parameter names, one per call.
   * @param calls The calls.
   * @returns One entry per call: its value, or an `Error` for that call alone.
   */
  resolveMany(keys: string[], calls: ResolverCall[]): Promise<unknown[]>;
  /**
   * The client identity of a call (`region|profile|endpoint`): calls of different clients
   * never share a batch; path reads (`${ssm:/app/}`) form batches of their own.
   *
   * @param key The parameter name.
   * @param call The call.
   * @returns The group key.
   */
  batchGroup(key: string, call: ResolverCall): string;
  /** Names per `GetParameters` request (10, the AWS limit). */
  batchSize: number;
}

/** Largest number of names AWS accepts in one `GetParameters` request. */
const GET_PARAMETERS_MAX = 10;

/** What is read of a parameter in a `GetParameters` answer (either transport). */
interface Parameter {
  Name?: string | undefined;
  Type?: string | undefined;
  Value?: string | undefined;
  Selector?: string | undefined;
}

type SsmModule = typeof import("@aws-sdk/client-ssm");

/** The SDK transport's package. */
const SSM_SDK: SdkPackage<SsmModule> = {
  service: "ssm",
  load: () => import("@aws-sdk/client-ssm"),
  create: (module, config) => new module.SSMClient(config),
};

/** One `GetParameters` (`WithDecryption`) on the transport the settings select. */
function fetchParameters(
  names: string[],
  settings: EffectiveSettings,
  context: { signal: AbortSignal; deadline: number | undefined },
): Promise<Parameter[]> {
  const input = { Names: names, WithDecryption: true };
  return callAws(SSM_SDK, settings, {
    light: async (send) => {
      const response = await send({
        protocol: "json",
        target: "AmazonSSM.GetParameters",
        input,
      });
      const out = jsonAnswer<{ Parameters?: unknown }>(response);
      return Array.isArray(out.Parameters) ? out.Parameters as Parameter[] : [];
    },
    sdk: async (client, module, signal) => {
      const out = await client.send(new module.GetParametersCommand(input), {
        abortSignal: signal,
      }) as { Parameters?: Parameter[] };
      return out.Parameters ?? [];
    },
  }, context);
}

/** One `GetParametersByPath` page (`WithDecryption`) on the transport the settings select. */
function fetchPathPage(
  path: string,
  options: { recursive: boolean; nextToken: string | undefined },
  settings: EffectiveSettings,
  context: { signal: AbortSignal; deadline: number | undefined },
): Promise<PathPage> {
  const input = {
    Path: path,
    Recursive: options.recursive,
    WithDecryption: true,
    MaxResults: PARAMETERS_PER_PAGE,
    ...(options.nextToken === undefined ? {} : { NextToken: options.nextToken }),
  };
  return callAws(SSM_SDK, settings, {
    light: async (send) => {
      const response = await send({
        protocol: "json",
        target: "AmazonSSM.GetParametersByPath",
        input,
      });
      return jsonAnswer<PathPage>(response);
    },
    sdk: async (client, module, signal) =>
      await client.send(new module.GetParametersByPathCommand(input), {
        abortSignal: signal,
      }) as PathPage,
  }, context);
}

/** Checks the argument; returns an error for a bad one. */
function checkKey(key: string, call: ResolverCall): Error | undefined {
  if (call.args.length === 0 || key === "") {
    return new ParseError("SSM resolver requires a parameter path argument", {
      help: "Write ${ssm:/path/to/parameter}",
    });
  }
  if (!key.startsWith("/")) {
    return new ResolverError(`SSM parameter path must start with /: ${shown(key, call)}`, {
      help: "Parameter Store names are absolute paths, e.g. ${ssm:/app/db/password}",
    });
  }
  try {
    if (boolKwarg(call, "recursive", false) && !isPath(key)) {
      return new ParseError("recursive=true reads a path: end the argument with /", {
        code: "INVALID_KEYWORD_VALUE",
        help: `Write \${ssm:${shown(key, call)}/,recursive=true} for every parameter below it`,
      });
    }
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

/**
 * Reads each distinct path of a batch (with its `recursive`) once, its pages one after another,
 * the paths in parallel; fills `results` for their calls.
 */
async function getPaths(
  byPath: Map<string, number[]>,
  keys: string[],
  calls: ResolverCall[],
  results: unknown[],
): Promise<void> {
  await Promise.all([...byPath.values()].map(async (indexes) => {
    const first = calls[indexes[0]!]!;
    const key = keys[indexes[0]!]!;
    const settings = effectiveSettings(first);
    const recursive = boolKwarg(first, "recursive", false);
    const shared = allAborted(indexes.map((i) => calls[i]!.signal));
    const context = {
      signal: shared.signal,
      deadline: latestDeadline(indexes.map((i) => calls[i]!)),
    };
    // A failed request is worded by awsFailure; readPath's own errors are final.
    let requestError: unknown = undefined;
    try {
      const mapping = await readPath(key, {
        fetchPage: (nextToken) =>
          fetchPathPage(requestPath(key), { recursive, nextToken }, settings, context).catch(
            (err) => {
              requestError = err;
              throw err;
            },
          ),
        valueOf: toValue,
        shownPath: shown(key, first),
      });
      for (const i of indexes) results[i] = mapping;
    } catch (err) {
      for (const i of indexes) {
        const call = calls[i]!;
        results[i] = err !== requestError ? err : awsFailure(
          `SSM parameters under path '${shown(key, call)}'`,
          err,
          {
            signal: call.signal.aborted ? call.signal : shared.signal,
            sensitiveInput: call.sensitiveInput,
          },
        );
      }
    } finally {
      shared.dispose();
    }
  }));
}

function notFound(key: string, call: ResolverCall): NotFoundError {
  const name = shown(key, call);
  return new NotFoundError(`SSM parameter not found: ${name}`, {
    resource: name,
    help: `Create the parameter, or give a fallback: \${ssm:${name},default=value}`,
  });
}

/** The resolver value of a parameter: SecureString is sensitive, StringList an array. */
function toValue(p: Parameter): unknown {
  const value = p.Value ?? "";
  switch (p.Type) {
    case "SecureString":
      return new ResolvedValue(value, { sensitive: true });
    case "StringList":
      return value.split(",");
    default:
      return value;
  }
}

/**
 * Error names of a refusal that may concern one name of a request only (IAM denial of a
 * parameter, KMS denial of its key): AWS then fails the whole `GetParameters` request.
 * Throttling, server and credential errors concern the request as a whole.
 */
const ONE_NAME_REFUSAL_REGEXP = /AccessDenied|Unauthori[sz]ed|Forbidden|^KMS|Kms/;

function refusesOneName(err: unknown): boolean {
  return ONE_NAME_REFUSAL_REGEXP.test(errorName(err));
}

/**
 * One `GetParameters` request for up to 10 distinct names; fills `results` for its calls. A
 * request refused as a whole by an authorization error is split in halves and sent again.
 */
async function getParameters(
  names: string[],
  byName: Map<string, number[]>,
  keys: string[],
  calls: ResolverCall[],
  results: unknown[],
): Promise<void> {
  const indexes = names.flatMap((n) => byName.get(n) ?? []);
  const first = calls[indexes[0]!]!;
  const settings = effectiveSettings(first);
  const shared = allAborted(indexes.map((i) => calls[i]!.signal));
  try {
    const parameters = await fetchParameters(names, settings, {
      signal: shared.signal,
      deadline: latestDeadline(indexes.map((i) => calls[i]!)),
    });
    const found = new Map<string, Parameter>();
    for (const p of parameters) {
      if (p.Name === undefined) continue;
      found.set(p.Name + (p.Selector ?? ""), p);
      if (!found.has(p.Name)) found.set(p.Name, p);
    }
    for (const name of names) {
      const p = found.get(name);
      for (const i of byName.get(name) ?? []) {
        results[i] = p === undefined ? notFound(keys[i]!, calls[i]!) : toValue(p);
      }
    }
  } catch (err) {
    if (names.length > 1 && !shared.signal.aborted && refusesOneName(err)) {
      // AWS refuses the whole request when one name is denied: ask again in halves until each
      // denied name stands alone, so only its calls fail, with an error naming it alone.
      const half = Math.ceil(names.length / 2);
      await Promise.all([
        getParameters(names.slice(0, half), byName, keys, calls, results),
        getParameters(names.slice(half), byName, keys, calls, results),
      ]);
      return;
    }
    for (const i of indexes) {
      const call = calls[i]!;
      const key = keys[i]!;
      results[i] = awsFailure(`SSM parameter '${shown(key, call)}'`, err, {
        signal: call.signal.aborted ? call.signal : shared.signal,
        sensitiveInput: call.sensitiveInput,
      });
    }
  } finally {
    shared.dispose();
  }
}

/**
 * Serves the calls of one batch group, as the dispatcher hands them (one client, at most 10
 * distinct names), with one `GetParameters` request; duplicate names are asked once. A call of
 * another client, or a name beyond the tenth, gets {@linkcode outsideBatch} instead.
 */
async function getMany(keys: string[], calls: ResolverCall[]): Promise<unknown[]> {
  const results: unknown[] = new Array(keys.length);
  const byName = new Map<string, number[]>();
  const byPath = new Map<string, number[]>();
  let group: string | undefined;
  keys.forEach((key, i) => {
    const call = calls[i]!;
    const bad = checkKey(key, call);
    if (bad) {
      results[i] = bad;
      return;
    }
    let id: string;
    try {
      id = clientIdentity(effectiveSettings(call));
    } catch (err) {
      results[i] = err;
      return;
    }
    group ??= id;
    if (id !== group) {
      results[i] = outsideBatch("ssm");
      return;
    }
    if (isPath(key)) {
      const path = JSON.stringify([key, boolKwarg(call, "recursive", false)]);
      byPath.set(path, [...byPath.get(path) ?? [], i]);
      return;
    }
    const list = byName.get(key);
    if (list === undefined && byName.size === GET_PARAMETERS_MAX) {
      results[i] = outsideBatch("ssm");
    } else if (list === undefined) byName.set(key, [i]);
    else list.push(i);
  });
  await Promise.all([
    byName.size > 0 ? getParameters([...byName.keys()], byName, keys, calls, results) : undefined,
    byPath.size > 0 ? getPaths(byPath, keys, calls, results) : undefined,
  ]);
  return results;
}

/**
 * The `ssm` resolver object (registered by default by holoconf's `mod.ts`).
 *
 * - `resolve` fetches one parameter with a one-name `GetParameters` (`WithDecryption=true`).
 * - `resolveMany` serves a batch group with one `GetParameters` (at most `batchSize` = 10
 *   names: the dispatcher sends the groups of a larger set in parallel); each call gets its
 *   value or its own error. AWS refuses a whole request when it denies one of its names (IAM or
 *   KMS): such a request is sent again in halves, so only the denied names fail, each with an
 *   error from a request for that name alone.
 * - `batchGroup` keeps calls for different clients (region, profile, endpoint) apart.
 *
 * `SecureString` values come back as sensitive `ResolvedValue`s, `StringList` as arrays
 * (split on `,`, not trimmed), anything else as strings. A missing parameter is a
 * `NotFoundError` (so `default=` applies); every other AWS failure is a `ResolverError`.
 *
 * @example Argument checks happen before any AWS call
 * ```ts
 * import { ssmResolver } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * const call = { args: ["relative"], kwargs: {}, signal: new AbortController().signal,
 *   sensitiveInput: false } as unknown as Parameters<typeof ssmResolver.resolve>[1];
 * await assert.rejects(
 *   ssmResolver.resolve("relative", call),
 *   /SSM parameter path must start with \/: relative/,
 * );
 * ```
 */
export const ssmResolver: SsmResolver = {
  params: { keywords: [...AWS_KEYWORDS, "recursive"] },
  settingsSpec: awsSettingsSpec("ssm"),
  network: true,
  // One call is a batch of one: whether a config is read with get, resolveAll or getSync, it
  // needs the one IAM action `holoconf plan` lists (GetParameters).
  resolve: oneCall(getMany),
  resolveMany: getMany,
  batchSize: GET_PARAMETERS_MAX,
  batchGroup(key: string, call: ResolverCall): string {
    return clientIdentity(effectiveSettings(call)) + (isPath(key) ? "|path" : "");
  },
  describe: (calls) => describeSsm(calls, GET_PARAMETERS_MAX),
};
