/**
 * The `cfn` resolver: an output of an AWS CloudFormation stack (SPEC §7.10).
 *
 * `${cfn:stack-name/OutputKey}` with kwargs `region`, `profile`, `endpoint`. Concurrent calls for
 * outputs of the same stack (same client settings) share one in-flight `DescribeStacks`; the
 * shared request is forgotten once it settles, so nothing is cached beyond the batch.
 *
 * @module
 */

import type { Output } from "@aws-sdk/client-cloudformation";
import { NotFoundError, ResolverError } from "../../src/errors.ts";
import type { ResolverCall } from "../../src/resolver.ts";
import {
  allAborted,
  AWS_KEYWORDS,
  awsFailure,
  type AwsResolver,
  cfnClient,
  clientIdentity,
  type EffectiveSettings,
  effectiveSettings,
  raceAbort,
} from "./_clients.ts";
import { errorMessage, errorName, shown } from "../_args.ts";
import { describeCfn } from "./_describe.ts";

/** Result of one DescribeStacks: the outputs, or `undefined` when the stack does not exist. */
type StackOutputs = Output[] | undefined;

interface InFlight {
  promise: Promise<StackOutputs>;
  /** Whether every caller gave up (the request is being aborted: do not join it). */
  aborted(): boolean;
  /** Signals of every call waiting on this request (the request stops when all abort). */
  join(signal: AbortSignal): void;
}

const inFlight = new Map<string, InFlight>();

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

/** Starts (or joins) the DescribeStacks request for `stack` with these client settings. */
function describe(stack: string, settings: EffectiveSettings, signal: AbortSignal) {
  const id = `${clientIdentity(settings)}|${stack}`;
  const existing = inFlight.get(id);
  if (existing !== undefined && !existing.aborted()) {
    existing.join(signal);
    return existing.promise;
  }
  // The request is aborted once every caller waiting on it has aborted.
  const shared = allAborted([signal]);
  const run = async (): Promise<StackOutputs> => {
    const client = await cfnClient(settings);
    const { DescribeStacksCommand } = await import("@aws-sdk/client-cloudformation");
    try {
      const out = await client.send(new DescribeStacksCommand({ StackName: stack }), {
        abortSignal: shared.signal,
      });
      const found = out.Stacks?.find((s) => s.StackName === stack) ?? out.Stacks?.[0];
      return found === undefined ? undefined : (found.Outputs ?? []);
    } catch (err) {
      if (
        !shared.signal.aborted && errorName(err) === "ValidationError" &&
        /does not exist/i.test(errorMessage(err))
      ) {
        return undefined;
      }
      throw err;
    }
  };
  const promise = run().finally(() => {
    shared.dispose();
    if (inFlight.get(id)?.promise === promise) inFlight.delete(id);
  });
  inFlight.set(id, {
    promise,
    aborted: () => shared.signal.aborted,
    join: shared.join,
  });
  return promise;
}

async function getOutput(arg: string, call: ResolverCall): Promise<unknown> {
  const { stack, output } = splitArgument(arg, call);
  const settings = effectiveSettings("cfn", call.kwargs);
  const stackShown = shown(stack, call);
  const outputShown = shown(`${stack}/${output}`, call);
  let outputs: StackOutputs;
  try {
    outputs = await raceAbort(describe(stack, settings, call.signal), call.signal);
  } catch (err) {
    throw awsFailure(`CloudFormation stack '${stackShown}'`, err, {
      signal: call.signal,
      sensitiveInput: call.sensitiveInput,
    });
  }
  if (outputs === undefined) {
    throw new NotFoundError(`CloudFormation stack not found: ${stackShown}`, {
      resource: stackShown,
      help: `Check the stack name and region, or give a fallback: ` +
        `\${cfn:${outputShown},default=value}`,
    });
  }
  const found = outputs.find((o) => o.OutputKey === output);
  if (found === undefined || found.OutputValue === undefined) {
    const why = found === undefined ? "not found" : "has no value";
    throw new NotFoundError(`CloudFormation output ${why}: ${outputShown}`, {
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
 * The `cfn` resolver object (registered by default by holoconf's `mod.ts`): `DescribeStacks`
 * for the stack, then the named output. Concurrent calls for one stack share a single request.
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
export const cfnResolver: AwsResolver = {
  params: { keywords: AWS_KEYWORDS },
  resolve: getOutput,
  describe: describeCfn,
};
