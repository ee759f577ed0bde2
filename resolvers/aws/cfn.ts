/**
 * The `cfn` resolver: an output of an AWS CloudFormation stack (SPEC §7.10).
 *
 * `${cfn:stack-name/OutputKey}` with kwargs `region`, `profile`, `endpoint`. Outputs of one stack
 * (same client settings) form one batch group: the dispatcher hands the concurrent ones to
 * `resolveMany` together, and one `DescribeStacks` serves them all. Nothing is cached beyond
 * the request.
 *
 * @module
 */

import { NotFoundError, ResolverError } from "../../src/errors.ts";
import type { ResolverCall } from "../../src/resolver.ts";
import {
  AWS_KEYWORDS,
  awsFailure,
  type AwsResolver,
  awsSettingsSpec,
  callAws,
  clientIdentity,
  type EffectiveSettings,
  effectiveSettings,
  latestDeadline,
  oneCall,
  outsideBatch,
  type SdkPackage,
} from "./_clients.ts";
import { abortable, allAborted } from "../../src/_abortable.ts";
import { errorMessage, errorName, shown } from "../_args.ts";
import { describeCfn } from "./_describe.ts";
import { childElement, childElements, childText, parseXml } from "./_xml.ts";

/** What is read of a stack output (either transport). */
interface Output {
  OutputKey?: string | undefined;
  OutputValue?: string | undefined;
}

/** What is read of a stack in a `DescribeStacks` answer. */
interface Stack {
  StackName?: string | undefined;
  Outputs?: Output[] | undefined;
}

/** Result of one DescribeStacks: the outputs, or `undefined` when the stack does not exist. */
type StackOutputs = Output[] | undefined;

type CfnModule = typeof import("@aws-sdk/client-cloudformation");

/** The SDK transport's package. */
const CFN_SDK: SdkPackage<CfnModule> = {
  service: "cfn",
  load: () => import("@aws-sdk/client-cloudformation"),
  create: (module, config) => new module.CloudFormationClient(config),
};

/** The stacks of a `DescribeStacksResponse` (Query protocol XML). */
async function stacksOfXml(body: Uint8Array): Promise<Stack[]> {
  const root = await parseXml(new TextDecoder().decode(body));
  const stacks = childElement(childElement(root, "DescribeStacksResult") ?? root, "Stacks");
  if (stacks === undefined) return [];
  return childElements(stacks, "member").map((member) => ({
    StackName: childText(member, "StackName"),
    Outputs: childElements(childElement(member, "Outputs") ?? member, "member").map((o) => ({
      OutputKey: childText(o, "OutputKey"),
      OutputValue: childText(o, "OutputValue"),
    })),
  }));
}

/** One `DescribeStacks` on the transport the settings select. */
function fetchStacks(
  stack: string,
  settings: EffectiveSettings,
  context: { signal: AbortSignal; deadline: number | undefined },
): Promise<Stack[]> {
  return callAws(CFN_SDK, settings, {
    light: async (send) => {
      const response = await send({
        protocol: "query",
        action: "DescribeStacks",
        version: "2010-05-15",
        params: { StackName: stack },
      });
      return await stacksOfXml(response.body);
    },
    sdk: async (client, module, signal) => {
      const out = await client.send(new module.DescribeStacksCommand({ StackName: stack }), {
        abortSignal: signal,
      }) as { Stacks?: Stack[] };
      return out.Stacks ?? [];
    },
  }, context);
}

/** A stack has at most 200 outputs (a CloudFormation quota): one request answers them all. */
const OUTPUTS_PER_STACK_MAX = 200;

function splitArgument(arg: string, call: ResolverCall): { stack: string; output: string } {
  const slash = arg.indexOf("/");
  const stack = slash < 0 ? arg : arg.slice(0, slash);
  const output = slash < 0 ? "" : arg.slice(slash + 1);
  if (stack === "" || output === "") {
    throw new ResolverError(
      `CloudFormation argument must be in stack-name/OutputKey format: ${shown(arg, call)}`,
      { help: "Write ${cfn:my-stack/BucketName}" },
    );
  }
  return { stack, output };
}

/** The batch group of a call: its client settings and its stack. */
function groupOf(key: string, call: ResolverCall): string {
  const slash = key.indexOf("/");
  const stack = slash < 0 ? key : key.slice(0, slash);
  return `${clientIdentity(effectiveSettings(call))}|${stack}`;
}

/** One DescribeStacks request for `stack`. */
async function describeStack(
  stack: string,
  settings: EffectiveSettings,
  context: { signal: AbortSignal; deadline: number | undefined },
): Promise<StackOutputs> {
  const { signal } = context;
  try {
    const stacks = await fetchStacks(stack, settings, context);
    const found = stacks.find((s) => s.StackName === stack) ?? stacks[0];
    return found === undefined ? undefined : (found.Outputs ?? []);
  } catch (err) {
    if (
      !signal.aborted && errorName(err) === "ValidationError" &&
      /does not exist/i.test(errorMessage(err))
    ) {
      return undefined;
    }
    throw err;
  }
}

/** The value of `output` among the stack's outputs, or the NotFoundError of the call. */
function outputOf(
  outputs: StackOutputs,
  stack: string,
  output: string,
  call: ResolverCall,
): unknown {
  const stackShown = shown(stack, call);
  const outputShown = shown(`${stack}/${output}`, call);
  if (outputs === undefined) {
    return new NotFoundError(`CloudFormation stack not found: ${stackShown}`, {
      resource: stackShown,
      help: `Check the stack name and region, or give a fallback: ` +
        `\${cfn:${outputShown},default=value}`,
    });
  }
  const found = outputs.find((o) => o.OutputKey === output);
  if (found === undefined || found.OutputValue === undefined) {
    const why = found === undefined ? "not found" : "has no value";
    return new NotFoundError(`CloudFormation output ${why}: ${outputShown}`, {
      resource: outputShown,
      help: outputs.length === 0 || call.sensitiveInput
        ? `The stack has no such output; give a fallback with default=`
        : `Outputs of the stack: ${
          outputs.map((o) => o.OutputKey).filter((k) => k !== undefined).join(", ")
        }`,
    });
  }
  return found.OutputValue;
}

/**
 * Serves the calls of one batch group, as the dispatcher hands them (outputs of one stack, one
 * client), with one `DescribeStacks`. The request is aborted once every call has aborted. A call
 * of another stack or client gets {@linkcode outsideBatch} instead.
 */
async function getOutputs(keys: string[], calls: ResolverCall[]): Promise<unknown[]> {
  const results: unknown[] = new Array(keys.length);
  const wanted: { index: number; output: string }[] = [];
  let group: { id: string; stack: string; settings: EffectiveSettings } | undefined;
  keys.forEach((key, index) => {
    const call = calls[index]!;
    let parts: { stack: string; output: string };
    let settings: EffectiveSettings;
    try {
      parts = splitArgument(key, call);
      settings = effectiveSettings(call);
    } catch (e) {
      results[index] = e;
      return;
    }
    const id = `${clientIdentity(settings)}|${parts.stack}`;
    group ??= { id, stack: parts.stack, settings };
    if (id === group.id) wanted.push({ index, output: parts.output });
    else results[index] = outsideBatch("cfn");
  });
  if (group === undefined) return results;
  const { stack, settings } = group;
  const shared = allAborted(wanted.map((w) => calls[w.index]!.signal));
  let outputs: StackOutputs;
  try {
    const deadline = latestDeadline(wanted.map((w) => calls[w.index]!));
    outputs = await abortable(
      describeStack(stack, settings, { signal: shared.signal, deadline }),
      shared.signal,
    );
  } catch (err) {
    for (const { index } of wanted) {
      const call = calls[index]!;
      results[index] = awsFailure(`CloudFormation stack '${shown(stack, call)}'`, err, {
        signal: call.signal.aborted ? call.signal : shared.signal,
        sensitiveInput: call.sensitiveInput,
      });
    }
    return results;
  } finally {
    shared.dispose();
  }
  for (const { index, output } of wanted) {
    results[index] = outputOf(outputs, stack, output, calls[index]!);
  }
  return results;
}

/** The `cfn` resolver: an {@linkcode AwsResolver} with the batching hooks. */
export interface CfnResolver extends AwsResolver {
  /**
   * Serves the outputs of one stack (one client) with one `DescribeStacks`.
   *
   * @param keys The `stack/OutputKey` arguments, one per call.
   * @param calls The calls.
   * @returns One entry per call: its value, or an `Error` for that call alone.
   */
  resolveMany(keys: string[], calls: ResolverCall[]): Promise<unknown[]>;
  /**
   * The client identity and stack of a call: outputs of different stacks or clients never
   * share a request.
   *
   * @param key The `stack/OutputKey` argument.
   * @param call The call.
   * @returns The group key.
   */
  batchGroup(key: string, call: ResolverCall): string;
  /** Outputs per request: 200, the most a stack can have. */
  batchSize: number;
}

/**
 * The `cfn` resolver object (registered by default by holoconf's `mod.ts`): `DescribeStacks`
 * for the stack, then the named output. `resolveMany` serves outputs of one stack with a single
 * request; `batchGroup` (client settings and stack) lets the dispatcher group them.
 * A missing stack or output is a `NotFoundError` (so `default=` applies); every other AWS
 * failure is a `ResolverError`. Values are not sensitive unless `sensitive=true`.
 *
 * @example Argument checks happen before any AWS call
 * ```ts
 * import { cfnResolver } from "@holoconf/holoconf/aws";
 * import assert from "node:assert/strict";
 * const call = { args: ["no-slash"], kwargs: {}, signal: new AbortController().signal,
 *   sensitiveInput: false } as unknown as Parameters<typeof cfnResolver.resolve>[1];
 * await assert.rejects(
 *   cfnResolver.resolve("no-slash", call),
 *   /CloudFormation argument must be in stack-name\/OutputKey format: no-slash/,
 * );
 * ```
 */
export const cfnResolver: CfnResolver = {
  params: { keywords: AWS_KEYWORDS },
  settingsSpec: awsSettingsSpec("cfn"),
  network: true,
  resolve: oneCall(getOutputs),
  resolveMany: getOutputs,
  batchSize: OUTPUTS_PER_STACK_MAX,
  batchGroup: groupOf,
  describe: describeCfn,
};
