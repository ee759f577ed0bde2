/**
 * The `appconfig` resolver: a configuration deployed with AWS AppConfig.
 *
 * `${appconfig:application/environment/profile}` (names or ids) with kwargs `parse`
 * (`auto|json|yaml|text|binary`), `region`, `profile`, `endpoint`. Read through the AppConfig
 * Data API: `StartConfigurationSession` once per client and configuration, then
 * `GetLatestConfiguration` with the token of the previous answer. The session is kept: a later
 * read (a refresh) before AppConfig's `NextPollIntervalInSeconds` has passed gets the content last
 * received without a request; after it, one `GetLatestConfiguration` with the kept token (an
 * empty answer means "unchanged": the content last received stays). With the AppConfig Lambda
 * extension (or agent) configured (`AWS_APPCONFIG_EXTENSION_HTTP_PORT`, or the `extension`
 * setting), reads go to its local endpoint instead, which polls and caches for the function.
 *
 * @module
 */

import { NotFoundError, ParseError, ResolverError } from "../../src/errors.ts";
import { SharedWork } from "../../src/_abortable.ts";
import { ResolvedValue, type ResolverCall } from "../../src/resolver.ts";
import { awsHttpSender, HttpConnectionError } from "../../src/runtime_aws_http.ts";
import {
  AWS_KEYWORDS,
  awsClock,
  awsFailure,
  type AwsResolver,
  awsSettingsSpec,
  callAws,
  clientIdentity,
  type EffectiveSettings,
  effectiveSettings,
  jsonAnswer,
  type SdkPackage,
} from "./_clients.ts";
import { AwsRequestError } from "./_transport.ts";
import { type AppConfigContent, appConfigSession } from "./_appconfig_sessions.ts";
import { type ContentMode, decodeContent, modeOfContentType } from "./_content.ts";
import { awsEnv } from "./_env.ts";
import { encodeSegment } from "./_endpoint.ts";
import { enumKwarg, errorName, shown } from "../_args.ts";
import { describeAppConfig } from "./_describe.ts";

const PARSE_MODES = ["auto", "json", "yaml", "text", "binary"] as const;

/** The extension's port variable (the extension's own setting, set on the function). */
const EXTENSION_PORT_ENV = "AWS_APPCONFIG_EXTENSION_HTTP_PORT";

/** The poll interval assumed when AppConfig names none (its default), in seconds. */
const DEFAULT_POLL_INTERVAL_S = 60;

/** The three parts of the argument. */
interface Target {
  application: string;
  environment: string;
  profile: string;
}

type AppConfigModule = typeof import("@aws-sdk/client-appconfigdata");

/** The SDK transport's package. */
const APPCONFIG_SDK: SdkPackage<AppConfigModule> = {
  service: "appconfig",
  load: () => import("@aws-sdk/client-appconfigdata"),
  create: (module, config) => new module.AppConfigDataClient(config),
};

/** What a `GetLatestConfiguration` answer says. */
interface Poll {
  token: string | undefined;
  intervalS: number | undefined;
  content: AppConfigContent;
}

/** Signal and deadline of one request. */
interface RequestContext {
  signal: AbortSignal;
  deadline: number | undefined;
}

/** `StartConfigurationSession`: the session's first token. */
function startSession(
  target: Target,
  settings: EffectiveSettings,
  context: RequestContext,
): Promise<string> {
  const input = {
    ApplicationIdentifier: target.application,
    EnvironmentIdentifier: target.environment,
    ConfigurationProfileIdentifier: target.profile,
  };
  return callAws(APPCONFIG_SDK, settings, {
    light: async (send) => {
      const response = await send({
        protocol: "rest-json",
        method: "POST",
        path: "/configurationsessions",
        input,
      });
      return tokenOf(
        jsonAnswer<{ InitialConfigurationToken?: unknown }>(response).InitialConfigurationToken,
        response,
      );
    },
    sdk: async (client, module, signal) => {
      const out = await client.send(new module.StartConfigurationSessionCommand(input), {
        abortSignal: signal,
      }) as { InitialConfigurationToken?: string };
      return tokenOf(out.InitialConfigurationToken, {});
    },
  }, context);
}

function tokenOf(
  token: unknown,
  response: { status?: number; requestId?: string | undefined },
): string {
  if (typeof token === "string" && token !== "") return token;
  throw new AwsRequestError("SerializationException", "The answer has no configuration token", {
    httpStatusCode: response.status,
    requestId: response.requestId,
  });
}

/** `GetLatestConfiguration` with a session token. */
function poll(token: string, settings: EffectiveSettings, context: RequestContext): Promise<Poll> {
  return callAws(APPCONFIG_SDK, settings, {
    light: async (send) => {
      const response = await send({
        protocol: "rest-json",
        method: "GET",
        path: "/configuration",
        query: { configuration_token: token },
      });
      const interval = Number(response.headers["next-poll-interval-in-seconds"]);
      return {
        token: response.headers["next-poll-configuration-token"],
        intervalS: Number.isFinite(interval) && interval > 0 ? interval : undefined,
        content: { bytes: response.body, contentType: response.headers["content-type"] ?? "" },
      };
    },
    sdk: async (client, module, signal) => {
      const out = await client.send(
        new module.GetLatestConfigurationCommand({ ConfigurationToken: token }),
        { abortSignal: signal },
      ) as {
        NextPollConfigurationToken?: string;
        NextPollIntervalInSeconds?: number;
        ContentType?: string;
        Configuration?: Uint8Array | null;
      };
      // The SDK's blob is a Uint8Array subclass (null when unchanged): a plain view of it.
      const blob = out.Configuration ?? undefined;
      return {
        token: out.NextPollConfigurationToken,
        intervalS: out.NextPollIntervalInSeconds,
        content: {
          bytes: blob === undefined
            ? new Uint8Array()
            : new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength),
          contentType: out.ContentType ?? "",
        },
      };
    },
  }, context);
}

/**
 * The session's content: the kept content while AppConfig's poll interval runs, else one poll
 * (the session started first when it has no token yet). Concurrent reads share one poll, which
 * ends early only once every one of them gave up. A kept token AppConfig refuses
 * (`BadRequestException`: expired after 24 hours) starts a new session. `undefined` when
 * AppConfig has no content for it (nothing deployed).
 */
async function sessionContent(
  sessionKey: string,
  target: Target,
  settings: EffectiveSettings,
  call: ResolverCall,
): Promise<AppConfigContent | undefined> {
  const clock = awsClock();
  const session = appConfigSession(sessionKey);
  let inFlight = session.poll;
  while (inFlight !== undefined && inFlight.readers.signal.aborted) {
    // A poll every reader gave up is ending, its token spent: the next one starts after it.
    await inFlight.content.catch(() => {});
    inFlight = session.poll;
  }
  if (inFlight !== undefined) {
    return await inFlight.readers.wait(inFlight.content, call.signal, (r) => r);
  }
  if (session.content !== undefined && clock.now() < session.nextPollAt) return session.content;
  const readers = new SharedWork();
  const context = { signal: readers.signal, deadline: call.deadline };
  const run = async (): Promise<AppConfigContent | undefined> => {
    const kept = session.token;
    let answer: Poll;
    try {
      answer = await poll(kept ?? await startSession(target, settings, context), settings, context);
    } catch (err) {
      if (
        kept === undefined || errorName(err) !== "BadRequestException" || readers.signal.aborted
      ) {
        throw err;
      }
      session.token = undefined;
      answer = await poll(await startSession(target, settings, context), settings, context);
    }
    session.token = answer.token;
    session.pollIntervalMs = (answer.intervalS ?? DEFAULT_POLL_INTERVAL_S) * 1000;
    session.nextPollAt = clock.now() + session.pollIntervalMs;
    if (answer.content.bytes.length > 0) session.content = answer.content;
    return session.content;
  };
  const content = run().catch((err) => {
    // A failed poll used its token up (or never got one): the next read starts over.
    session.token = undefined;
    throw err;
  });
  const mine = { content, readers };
  session.poll = mine;
  content.finally(() => {
    readers.dispose();
    if (session.poll === mine) session.poll = undefined;
  }).catch(() => {});
  return await readers.wait(content, call.signal, (r) => r);
}

/** The extension's base URL, when reads go through it. */
function extensionBase(call: ResolverCall): string | undefined {
  const own = ["region", "profile", "endpoint"].some((k) => (call.kwargs[k] ?? "") !== "");
  if (own) return undefined;
  const setting = call.settings.extension;
  if (typeof setting === "string" && setting !== "") return setting.replace(/\/+$/, "");
  const port = awsEnv(EXTENSION_PORT_ENV);
  return port === undefined ? undefined : `http://localhost:${port}`;
}

/** One read through the extension's local endpoint; `undefined` when it knows none (404). */
async function extensionContent(
  base: string,
  target: Target,
  call: ResolverCall,
  what: string,
): Promise<AppConfigContent | undefined> {
  const url = `${base}/applications/${encodeSegment(target.application)}/environments/` +
    `${encodeSegment(target.environment)}/configurations/${encodeSegment(target.profile)}`;
  let response;
  try {
    response = await awsHttpSender()({ method: "GET", url, headers: {}, signal: call.signal });
  } catch (err) {
    if (call.signal.aborted) throw call.signal.reason;
    throw new ResolverError(`Failed to get ${what} from the AppConfig extension at ${base}`, {
      code: "AWS_ERROR",
      cause: err,
      detail: err instanceof HttpConnectionError ? [err.name] : [],
      help: `Is the AppConfig Lambda extension (or agent) running? Without it, unset ` +
        `${EXTENSION_PORT_ENV} (and the appconfig extension setting) to read from AWS`,
    });
  }
  if (response.status === 404) return undefined;
  if (response.status < 200 || response.status >= 300) {
    throw new ResolverError(
      `Failed to get ${what}: the AppConfig extension answered HTTP ${response.status}`,
      { code: "AWS_ERROR", help: "Check the extension's log in the function's output" },
    );
  }
  return { bytes: response.body, contentType: response.headers["content-type"] ?? "" };
}

function targetOf(key: string, call: ResolverCall): Target {
  const parts = key.split("/");
  if (call.args.length === 0 || parts.length !== 3 || parts.some((p) => p.trim() === "")) {
    throw new ParseError(
      `AppConfig argument must be application/environment/profile: ${shown(key, call)}`,
      { help: "Write ${appconfig:my-app/prod/feature-flags} (names or ids)" },
    );
  }
  return { application: parts[0]!, environment: parts[1]!, profile: parts[2]! };
}

async function getConfiguration(key: string, call: ResolverCall): Promise<unknown> {
  const target = targetOf(key, call);
  const requested = enumKwarg(call, "parse", PARSE_MODES, "auto");
  const name = shown(key, call);
  const what = `AppConfig configuration '${name}'`;
  const notFound = () =>
    new NotFoundError(`AppConfig configuration not found: ${name}`, {
      resource: name,
      help: "Check the application, environment and profile, and that a deployment reached " +
        `the environment; or give a fallback: \${appconfig:${name},default=value}`,
    });
  const base = extensionBase(call);
  let content: AppConfigContent | undefined;
  let pollInMs: number | undefined;
  if (base !== undefined) {
    content = await extensionContent(base, target, call, what);
  } else {
    const settings = effectiveSettings(call);
    const sessionKey = JSON.stringify([clientIdentity(settings), key]);
    try {
      content = await sessionContent(sessionKey, target, settings, call);
    } catch (err) {
      if (!call.signal.aborted && errorName(err) === "ResourceNotFoundException") throw notFound();
      throw awsFailure(what, err, { signal: call.signal, sensitiveInput: call.sensitiveInput });
    }
    // The time left until the session may poll again: a value read from the session's kept
    // content (another Config polled it earlier) expires when AppConfig allows the next poll,
    // not a whole interval later.
    const session = appConfigSession(sessionKey);
    if (session.pollIntervalMs > 0) pollInMs = session.nextPollAt - awsClock().now();
  }
  if (content === undefined) throw notFound();
  const mode: ContentMode = requested === "auto"
    ? modeOfContentType(content.contentType)
    : requested;
  const value = decodeContent(content.bytes, mode, what);
  // The time until the next poll rides along as a lifetime hint for live config
  // (ResolvedValue's `ttl`, where the library supports it): a refresh then polls when AppConfig
  // allows it. The session is the process's, shared by every Config, so it keeps time on the
  // AWS family's clock (`awsClock`), not on a Config's `now`: only this duration crosses over,
  // and the Config measures it on its own clock (the two run at the same rate, in ms). A poll
  // already due (the clocks drifted apart) asks for the soonest refresh.
  const hint: { sensitive?: boolean; ttl?: number } = pollInMs === undefined
    ? {}
    : { ttl: Math.max(1, pollInMs) };
  return new ResolvedValue(value, hint);
}

/**
 * The `appconfig` resolver object (registered by default by holoconf's `mod.ts`).
 *
 * Reads `application/environment/profile` (names or ids) through the AppConfig Data API, or
 * through the AppConfig Lambda extension when `AWS_APPCONFIG_EXTENSION_HTTP_PORT` or the
 * `extension` setting (`configureAppConfig({ extension: "http://localhost:2772" })`) names it
 * and the call gives no `region=`, `profile=` or `endpoint=` of its own. The session (token,
 * poll interval, last content) is kept per client and configuration: reading again before the
 * interval AppConfig asked for makes no request; after it, one `GetLatestConfiguration`.
 *
 * `parse=auto` (the default) reads the content by its type: JSON (feature flags too), YAML, else
 * UTF-8 text; `json`, `yaml`, `text` and `binary` force one. Values are not sensitive unless
 * `sensitive=true`. A configuration that does not exist, or has no deployment in the
 * environment, is a `NotFoundError` (so `default=` applies); every other failure a
 * `ResolverError`.
 *
 * @example Argument checks happen before any AWS call
 * ```ts
 * import { appconfigResolver } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * const call = { args: ["app/prod"], kwargs: {}, signal: new AbortController().signal,
 *   sensitiveInput: false } as unknown as Parameters<typeof appconfigResolver.resolve>[1];
 * await assert.rejects(
 *   appconfigResolver.resolve("app/prod", call),
 *   /AppConfig argument must be application\/environment\/profile: app\/prod/,
 * );
 * ```
 */
export const appconfigResolver: AwsResolver = {
  params: { keywords: ["parse", ...AWS_KEYWORDS] },
  settingsSpec: awsSettingsSpec("appconfig"),
  network: true,
  resolve: getConfiguration,
  describe: describeAppConfig,
};
