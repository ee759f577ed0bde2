/**
 * The `secretsmanager` resolver: a secret of AWS Secrets Manager.
 *
 * `${secretsmanager:name-or-arn}` with kwargs `key` (a dotted path into a JSON `SecretString`),
 * `version_stage`, `version_id`, `parse` (`auto|json|text|binary`), `region`, `profile`,
 * `endpoint`. Every value is sensitive.
 *
 * Calls pending together with the same client settings reach `resolveMany` as one batch group
 * of at most `batchSize` = 20 distinct secrets (`requestKey`: calls selecting several `key=`
 * fields of one secret count once): the unpinned ids go out in one `BatchGetSecretValue`; calls
 * pinned to a version (`version_id=`, or a `version_stage=` other than `AWSCURRENT`) use one
 * `GetSecretValue` per distinct version. Larger sets are several groups, which the dispatcher
 * sends in parallel; identical calls are joined by its single-flight. The resolver keeps no
 * state between batches.
 *
 * @module
 */

import { NotFoundError, ParseError, ResolverError } from "../../src/errors.ts";
import { allAborted } from "../../src/_abortable.ts";
import { ResolvedValue, type ResolverCall } from "../../src/resolver.ts";
import { decodeBase64 } from "../../src/_bytes.ts";
import { parsePath, type PathSegment } from "../../src/path.ts";
import { navigateValue, type Value } from "../../src/value.ts";
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
import { AwsRequestError } from "./_transport.ts";
import { decodeContent, parseContent } from "./_content.ts";
import { enumKwarg, errorName, shown } from "../_args.ts";
import { describeSecretsManager } from "./_describe.ts";

/** The `secretsmanager` resolver: an {@linkcode AwsResolver} with the batching hooks. */
export interface SecretsManagerResolver extends AwsResolver {
  /**
   * Serves the calls of one batch group (one client, at most 20 distinct secrets): each distinct
   * secret once, unpinned ids with one `BatchGetSecretValue`, pinned versions with
   * `GetSecretValue`.
   *
   * @param keys The secret ids (names or ARNs), one per call.
   * @param calls The calls.
   * @returns One entry per call: its value (sensitive), or an `Error` for that call alone.
   */
  resolveMany(keys: string[], calls: ResolverCall[]): Promise<unknown[]>;
  /**
   * The client identity of a call (`transport|region|profile|endpoint`): calls of different
   * clients never share a batch.
   *
   * @param key The secret id.
   * @param call The call.
   * @returns The group key.
   */
  batchGroup(key: string, call: ResolverCall): string;
  /**
   * What a call fetches: its secret id, or the pinned version. Calls that select different
   * `key=` fields of one secret share it, and count once towards `batchSize`.
   *
   * @param key The secret id.
   * @param call The call.
   * @returns The request key.
   */
  requestKey(key: string, call: ResolverCall): string;
  /** Distinct secrets handed to `resolveMany` at most at once (20, one `BatchGetSecretValue`). */
  batchSize: number;
}

/** Largest number of ids AWS accepts in one `BatchGetSecretValue` request. */
export const BATCH_GET_SECRET_VALUE_MAX = 20;

/** Pages of one `BatchGetSecretValue` followed at most (AWS pages only a long answer). */
const MAX_PAGES = BATCH_GET_SECRET_VALUE_MAX + 1;

/** The keyword arguments of the resolver. */
const KEYWORDS: readonly string[] = [
  "key",
  "version_stage",
  "version_id",
  "parse",
  ...AWS_KEYWORDS,
];

const PARSE_MODES = ["auto", "json", "text", "binary"] as const;
type ParseMode = (typeof PARSE_MODES)[number];

/** The stage every unpinned read gets (what `BatchGetSecretValue` returns). */
const CURRENT_STAGE = "AWSCURRENT";

/** What is read of a secret's value (either transport; bytes are base64 on the light one). */
interface SecretValue {
  ARN?: string | undefined;
  Name?: string | undefined;
  SecretString?: string | undefined;
  SecretBinary?: string | Uint8Array | undefined;
}

/** A per-secret error of a `BatchGetSecretValue` answer. */
interface SecretError {
  SecretId?: string | undefined;
  ErrorCode?: string | undefined;
  Message?: string | undefined;
}

/** One page of a `BatchGetSecretValue` answer. */
interface BatchPage {
  SecretValues?: SecretValue[] | undefined;
  Errors?: SecretError[] | undefined;
  NextToken?: string | undefined;
}

/** What fetching one secret (version) gave. */
type Outcome = { value: SecretValue } | { error: unknown };

type SecretsModule = typeof import("@aws-sdk/client-secrets-manager");

/** The SDK transport's package. */
const SECRETS_SDK: SdkPackage<SecretsModule> = {
  service: "secretsmanager",
  load: () => import("@aws-sdk/client-secrets-manager"),
  create: (module, config) => new module.SecretsManagerClient(config),
};

/** Signal and deadline of one request. */
interface RequestContext {
  signal: AbortSignal;
  deadline: number | undefined;
}

/** One `BatchGetSecretValue` page for `ids` on the transport the settings select. */
function fetchBatchPage(
  ids: string[],
  nextToken: string | undefined,
  settings: EffectiveSettings,
  context: RequestContext,
): Promise<BatchPage> {
  const input = { SecretIdList: ids, ...(nextToken === undefined ? {} : { NextToken: nextToken }) };
  return callAws(SECRETS_SDK, settings, {
    light: async (send) =>
      jsonAnswer<BatchPage>(
        await send({ protocol: "json", target: "secretsmanager.BatchGetSecretValue", input }),
      ),
    sdk: async (client, module, signal) =>
      await client.send(new module.BatchGetSecretValueCommand(input), {
        abortSignal: signal,
      }) as BatchPage,
  }, context);
}

/** A version of a secret to read with `GetSecretValue`. */
interface Pinned {
  id: string;
  versionId: string | undefined;
  versionStage: string | undefined;
}

/** One `GetSecretValue` on the transport the settings select. */
function fetchSecret(
  pinned: Pinned,
  settings: EffectiveSettings,
  context: RequestContext,
): Promise<SecretValue> {
  const input = {
    SecretId: pinned.id,
    ...(pinned.versionId === undefined ? {} : { VersionId: pinned.versionId }),
    ...(pinned.versionStage === undefined ? {} : { VersionStage: pinned.versionStage }),
  };
  return callAws(SECRETS_SDK, settings, {
    light: async (send) =>
      jsonAnswer<SecretValue>(
        await send({ protocol: "json", target: "secretsmanager.GetSecretValue", input }),
      ),
    sdk: async (client, module, signal) =>
      await client.send(new module.GetSecretValueCommand(input), {
        abortSignal: signal,
      }) as SecretValue,
  }, context);
}

/** Whether an answer's secret is the one asked for by `id` (a name, an ARN, a partial ARN). */
function isSecret(id: string, value: { ARN?: string | undefined; Name?: string | undefined }) {
  if (id === value.Name || id === value.ARN) return true;
  // A partial ARN leaves out the 6 characters AWS appends to the name (`-AbCdEf`).
  const arn = value.ARN ?? "";
  return id.startsWith("arn:") && arn.length === id.length + 7 && arn.startsWith(`${id}-`);
}

/**
 * Error names of a refusal of the `BatchGetSecretValue` action itself (a role that may only call
 * `GetSecretValue`): its ids are then read one by one.
 */
const BATCH_REFUSAL_REGEXP = /AccessDenied|Unauthori[sz]ed|Forbidden/;

/**
 * Reads up to 20 unpinned secrets: one `BatchGetSecretValue` (its pages followed), a per-secret
 * error for the ids it names, and a `GetSecretValue` for any id its answer does not account for.
 * A request refused as a whole for want of the batch permission falls back to `GetSecretValue`
 * per id; any other failure of the request is the outcome of each of its ids.
 */
async function batchGet(
  ids: string[],
  settings: EffectiveSettings,
  context: RequestContext,
): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  const one = async (id: string) => {
    outcomes.set(id, await fetchOne({ id, versionId: undefined, versionStage: undefined }));
  };
  const fetchOne = async (pinned: Pinned): Promise<Outcome> => {
    try {
      return { value: await fetchSecret(pinned, settings, context) };
    } catch (error) {
      return { error };
    }
  };
  const values: SecretValue[] = [];
  const errors: SecretError[] = [];
  try {
    const seen = new Set<string>();
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await fetchBatchPage(ids, token, settings, context);
      values.push(...(Array.isArray(out.SecretValues) ? out.SecretValues : []));
      errors.push(...(Array.isArray(out.Errors) ? out.Errors : []));
      token = typeof out.NextToken === "string" && out.NextToken !== "" ? out.NextToken : undefined;
      if (token === undefined || seen.has(token)) break;
      seen.add(token);
    }
  } catch (error) {
    if (!context.signal.aborted && BATCH_REFUSAL_REGEXP.test(errorName(error))) {
      await Promise.all(ids.map(one));
    } else {
      for (const id of ids) outcomes.set(id, { error });
    }
    return outcomes;
  }
  const unanswered: string[] = [];
  for (const id of ids) {
    const value = values.find((v) => isSecret(id, v));
    const failed = value === undefined ? errors.find((e) => e.SecretId === id) : undefined;
    if (value !== undefined) outcomes.set(id, { value });
    else if (failed !== undefined) {
      const code = failed.ErrorCode ?? "UnknownError";
      outcomes.set(id, { error: new AwsRequestError(code, failed.Message ?? code) });
    } else unanswered.push(id);
  }
  await Promise.all(unanswered.map(one));
  return outcomes;
}

/** What a call asks for, after its arguments were checked. */
interface Request {
  /** The secret id. */
  id: string;
  /** The version, for a pinned call. */
  pinned: Pinned | undefined;
  /** `parse=`. */
  mode: ParseMode;
  /** `key=`, as path segments. */
  key: PathSegment[] | undefined;
}

/** Checks a call's argument and keywords. */
function requestOf(id: string, call: ResolverCall): Request {
  if (call.args.length === 0 || id === "") {
    throw new ParseError("Secrets Manager resolver requires a secret name or ARN", {
      help: "Write ${secretsmanager:prod/db-credentials} or ${secretsmanager:arn:aws:...}",
    });
  }
  const mode = enumKwarg(call, "parse", PARSE_MODES, "auto");
  const rawKey = call.kwargs.key?.trim();
  let key: PathSegment[] | undefined;
  if (rawKey !== undefined && rawKey !== "") {
    if (mode === "text" || mode === "binary") {
      throw new ParseError(
        `key= selects a field of a JSON secret: it cannot be used with parse=${mode}`,
        {
          code: "INVALID_KEYWORD_VALUE",
          help: "Leave parse= out (or write parse=json) to select a field with key=",
        },
      );
    }
    key = parsePath(rawKey);
  }
  return { id, pinned: pinnedOf(id, call), mode, key };
}

/** The version a call is pinned to (`version_id=`, a `version_stage=` but AWSCURRENT), if any. */
function pinnedOf(id: string, call: ResolverCall): Pinned | undefined {
  const versionId = call.kwargs.version_id?.trim() || undefined;
  const stage = call.kwargs.version_stage?.trim() || undefined;
  const versionStage = stage === CURRENT_STAGE && versionId === undefined ? undefined : stage;
  return versionId === undefined && versionStage === undefined
    ? undefined
    : { id, versionId, versionStage };
}

/** What a call fetches: its secret id, or its pinned version. */
function requestKeyOf(id: string, pinned: Pinned | undefined): string {
  return pinned === undefined ? id : pinnedKey(pinned);
}

/** The call's value from its secret, sensitive. */
function select(secret: SecretValue, request: Request, call: ResolverCall): ResolvedValue {
  const what = `Secrets Manager secret '${shown(request.id, call)}'`;
  let value: unknown;
  const binary = secret.SecretBinary;
  if (binary !== undefined && secret.SecretString === undefined) {
    const bytes = typeof binary === "string" ? decodeBase64(binary) : binary;
    if (bytes === undefined) {
      throw new ResolverError(`${what}: SecretBinary is not base64`, { code: "AWS_ERROR" });
    }
    const mode = request.mode === "auto"
      ? (request.key === undefined ? "binary" : "json")
      : request.mode;
    value = decodeContent(bytes, mode, what);
  } else {
    const text = secret.SecretString ?? "";
    switch (request.mode) {
      case "binary":
        value = new TextEncoder().encode(text);
        break;
      case "text":
      case "json":
        value = parseContent(text, request.mode, what);
        break;
      case "auto":
        value = request.key === undefined ? autoParse(text) : parseContent(text, "json", what);
    }
  }
  if (request.key !== undefined) {
    const selected = navigateValue(value as Value, request.key);
    if (selected === undefined) {
      const key = shown(call.kwargs.key!.trim(), call);
      throw new NotFoundError(`Key '${key}' not found in ${what}`, {
        resource: `${shown(request.id, call)}:${key}`,
        help: "Check the field names of the secret's JSON, or give a fallback with default=",
      });
    }
    value = selected;
  }
  return new ResolvedValue(value, { sensitive: true });
}

/** `auto` for a SecretString: a JSON object or array is parsed, anything else is text. */
function autoParse(text: string): unknown {
  const start = text.trimStart()[0];
  if (start !== "{" && start !== "[") return text;
  try {
    return parseContent(text, "json", "");
  } catch {
    return text;
  }
}

/** The error of a call whose secret (version) could not be read. */
function failure(err: unknown, request: Request, call: ResolverCall, signal: AbortSignal): Error {
  const name = shown(request.id, call);
  if (!signal.aborted && errorName(err) === "ResourceNotFoundException") {
    const version = request.pinned === undefined
      ? ""
      : ` (${request.pinned.versionId ?? request.pinned.versionStage})`;
    return new NotFoundError(`Secrets Manager secret not found: ${name}${version}`, {
      resource: name,
      help: `Create the secret, or give a fallback: \${secretsmanager:${name},default=value}`,
    });
  }
  return awsFailure(`Secrets Manager secret '${name}'`, err, {
    signal: call.signal.aborted ? call.signal : signal,
    sensitiveInput: call.sensitiveInput,
  });
}

/**
 * Serves the calls of one batch group (one client, at most 20 distinct secrets): checks each
 * call, fetches each distinct secret once (see the module notes) and answers each call from its
 * secret. A call of another client, or for a secret beyond the twentieth, gets
 * {@linkcode outsideBatch}.
 */
async function getMany(keys: string[], calls: ResolverCall[]): Promise<unknown[]> {
  const results: unknown[] = new Array(keys.length);
  const requests: (Request | undefined)[] = new Array(keys.length);
  let group: string | undefined;
  let settings: EffectiveSettings | undefined;
  const members: number[] = [];
  const fetches = new Set<string>();
  keys.forEach((key, i) => {
    const call = calls[i]!;
    try {
      const request = requestOf(key, call);
      const own = effectiveSettings(call);
      const id = clientIdentity(own);
      group ??= id;
      settings ??= own;
      const fetch = requestKeyOf(request.id, request.pinned);
      if (id !== group || (!fetches.has(fetch) && fetches.size === BATCH_GET_SECRET_VALUE_MAX)) {
        results[i] = outsideBatch("secretsmanager");
        return;
      }
      fetches.add(fetch);
      requests[i] = request;
      members.push(i);
    } catch (err) {
      results[i] = err;
    }
  });
  if (members.length === 0) return results;
  const shared = allAborted(members.map((i) => calls[i]!.signal));
  const context = {
    signal: shared.signal,
    deadline: latestDeadline(members.map((i) => calls[i]!)),
  };
  try {
    const unpinned = new Set<string>();
    const pinned = new Map<string, Pinned>();
    for (const i of members) {
      const request = requests[i]!;
      if (request.pinned === undefined) unpinned.add(request.id);
      else pinned.set(pinnedKey(request.pinned), request.pinned);
    }
    const outcomes = new Map<string, Promise<Outcome>>();
    if (unpinned.size > 0) {
      const batch = batchGet([...unpinned], settings!, context);
      for (const id of unpinned) {
        outcomes.set(id, batch.then((m) => m.get(id) ?? { error: new Error("no answer") }));
      }
    }
    for (const [key, version] of pinned) {
      outcomes.set(
        key,
        fetchSecret(version, settings!, context).then(
          (value) => ({ value }),
          (error) => ({ error }),
        ),
      );
    }
    for (const i of members) {
      const request = requests[i]!;
      const call = calls[i]!;
      const outcome = await outcomes.get(requestKeyOf(request.id, request.pinned))!;
      try {
        results[i] = "error" in outcome
          ? failure(outcome.error, request, call, shared.signal)
          : select(outcome.value, request, call);
      } catch (err) {
        results[i] = err;
      }
    }
  } finally {
    shared.dispose();
  }
  return results;
}

function pinnedKey(p: Pinned): string {
  return JSON.stringify([p.id, p.versionId ?? null, p.versionStage ?? null]);
}

/**
 * The `secretsmanager` resolver object (registered by default by holoconf's `mod.ts`).
 *
 * - `resolveMany` serves a batch group (one client, up to `batchSize` = 20 distinct secrets):
 *   the unpinned ones with one `BatchGetSecretValue`, each pinned version (`version_id=`,
 *   `version_stage=`) with one `GetSecretValue`. Several `key=` selections of one secret share
 *   its fetch, and count once towards `batchSize` (`requestKey`). A per-secret error in the batch
 *   answer fails only the calls of that secret. A role without `BatchGetSecretValue` gets its ids
 *   read one by one with `GetSecretValue`.
 * - `resolve` is a batch of one.
 * - `batchGroup` keeps calls for different clients (region, profile, endpoint) apart.
 *
 * Values are always sensitive. `parse=auto` (the default) gives a `SecretString` that is a JSON
 * object or array parsed, any other `SecretString` as text, a `SecretBinary` as bytes; `json`,
 * `text` and `binary` force one reading. `key=` selects a field of the JSON (a dotted path,
 * `db.hosts[0]`); a missing field is a `NotFoundError`, like a missing secret
 * (`ResourceNotFoundException`), so `default=` applies. Access denied, decryption failures and
 * every other AWS failure are `ResolverError`s naming the secret, never its value.
 *
 * @example Argument checks happen before any AWS call
 * ```ts
 * import { secretsmanagerResolver } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * const call = { args: ["db"], kwargs: { key: "password", parse: "text" }, signal: new AbortController().signal,
 *   sensitiveInput: false } as unknown as Parameters<typeof secretsmanagerResolver.resolve>[1];
 * await assert.rejects(
 *   secretsmanagerResolver.resolve("db", call),
 *   /key= selects a field of a JSON secret: it cannot be used with parse=text/,
 * );
 * ```
 */
export const secretsmanagerResolver: SecretsManagerResolver = {
  params: { keywords: KEYWORDS },
  settingsSpec: awsSettingsSpec("secretsmanager"),
  network: true,
  sensitive: true,
  resolve: oneCall(getMany),
  resolveMany: getMany,
  batchSize: BATCH_GET_SECRET_VALUE_MAX,
  batchGroup(_key: string, call: ResolverCall): string {
    return clientIdentity(effectiveSettings(call));
  },
  requestKey: (key: string, call: ResolverCall): string => requestKeyOf(key, pinnedOf(key, call)),
  describe: (calls) => describeSecretsManager(calls, BATCH_GET_SECRET_VALUE_MAX),
};
