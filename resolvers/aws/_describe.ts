// The `describe` hooks of the AWS resolvers (what `holoconf plan` shows; private): the requests
// a config's calls become, grouped per client as the resolvers send them, and the IAM actions
// and resources they need. Nothing here talks to AWS.

import type {
  IamPermission,
  PlannedCall,
  PlanSummaryLine,
  ResolverDescription,
} from "../../src/resolver.ts";
import { byText, plural, splitFirstSlash } from "../_describe.ts";

/** The client settings a call selects with its kwargs (null: the default chain). */
interface AwsTarget {
  region: string | null;
  profile: string | null;
  endpoint: string | null;
}

/** The client a call selects; undefined when one of its client kwargs is computed. */
function targetOf(call: PlannedCall): AwsTarget | undefined {
  const target: AwsTarget = { region: null, profile: null, endpoint: null };
  for (const k of ["region", "profile", "endpoint"] as const) {
    if (!(k in call.kwargs)) continue;
    const value = call.kwargs[k];
    if (value === undefined) return undefined;
    target[k] = value;
  }
  return target;
}

function targetKey(t: AwsTarget): string {
  return JSON.stringify([t.region, t.profile, t.endpoint]);
}

function describeTarget(t: AwsTarget): string {
  const parts: string[] = [];
  if (t.region !== null) parts.push(`region ${t.region}`);
  if (t.profile !== null) parts.push(`profile ${t.profile}`);
  if (t.endpoint !== null) parts.push(`endpoint ${t.endpoint}`);
  return parts.length === 0 ? "default client" : parts.join(", ");
}

function ssmArn(region: string | null, name: string): string {
  // A version or label selector (`/app/db:3`, `/app/db:prod`) is not part of the ARN.
  const bare = name.replace(/^\/+/, "").replace(/:[^/]*$/, "");
  return `arn:aws:ssm:${region ?? "*"}:*:parameter/${bare}`;
}

function cfnArn(region: string | null, stack: string): string {
  return `arn:aws:cloudformation:${region ?? "*"}:*:stack/${stack}/*`;
}

function sorted(set: Set<string>): string[] {
  return [...set].sort(byText);
}

/** Calls whose argument or client is computed at resolve time, and the others with their client. */
function partition(
  calls: readonly PlannedCall[],
): {
  dynamic: number[];
  known: { call: PlannedCall; index: number; key: string; target: AwsTarget }[];
} {
  const dynamic: number[] = [];
  const known: { call: PlannedCall; index: number; key: string; target: AwsTarget }[] = [];
  calls.forEach((call, index) => {
    const target = targetOf(call);
    if (call.key === undefined || target === undefined) dynamic.push(index);
    else known.push({ call, index, key: call.key, target });
  });
  return { dynamic, known };
}

/** Of a dynamic call: the region when its client is known, else null (any). */
function regionOf(call: PlannedCall): string | null {
  return targetOf(call)?.region ?? null;
}

/**
 * `ssm`: names batched per client, `batchSize` per `GetParameters`; `kms:Decrypt` is
 * conditional (SecureString parameters only).
 *
 * @param calls The calls.
 * @param batchSize Names per `GetParameters` request.
 * @returns The description.
 */
export function describeSsm(
  calls: readonly PlannedCall[],
  batchSize: number,
): ResolverDescription {
  const { dynamic, known } = partition(calls);
  const invalid: { call: number; reason: string }[] = [];
  const resources = new Set<string>();
  const kms = new Set<string>();
  for (const i of dynamic) {
    const pattern = calls[i]!.pattern;
    // Whatever is known of the argument narrows the resource; nothing known means any.
    resources.add(ssmArn(regionOf(calls[i]!), pattern.startsWith("/") ? pattern : "/*"));
    kms.add("arn:aws:kms:*:*:key/*");
  }
  const byClient = new Map<string, AwsTarget & { names: Set<string> }>();
  for (const { index, key, target } of known) {
    if (!key.startsWith("/")) {
      invalid.push({ call: index, reason: `SSM parameter path must start with /: ${key}` });
      continue;
    }
    const id = targetKey(target);
    let group = byClient.get(id);
    if (!group) byClient.set(id, group = { ...target, names: new Set() });
    group.names.add(key);
  }
  const groups = [...byClient.values()].map((g) => ({
    region: g.region,
    profile: g.profile,
    endpoint: g.endpoint,
    names: sorted(g.names),
    requests: Math.ceil(g.names.size / batchSize),
  }));
  const names = groups.reduce((n, g) => n + g.names.length, 0);
  const requests = groups.reduce((n, g) => n + g.requests, 0);
  for (const g of groups) {
    for (const n of g.names) resources.add(ssmArn(g.region, n));
    kms.add(`arn:aws:kms:${g.region ?? "*"}:*:key/*`);
  }
  const summary: PlanSummaryLine[] = [];
  if (names > 0) {
    summary.push({
      text: `${plural(names, "ssm name", "ssm names")} → ${requests} GetParameters`,
      detail: groups.length < 2
        ? []
        : groups.map((g) =>
          `${describeTarget(g)}: ${plural(g.names.length, "name", "names")} → ${g.requests} ` +
          "GetParameters"
        ),
    });
  }
  const permissions: IamPermission[] = [];
  if (resources.size > 0) {
    permissions.push(
      { action: "ssm:GetParameters", resources: sorted(resources), conditional: false },
      {
        action: "kms:Decrypt",
        resources: sorted(kms),
        conditional: true,
        note: "needed only for SecureString parameters, whose type is known only when fetched",
      },
    );
  }
  return {
    data: { names, requests, groups },
    summary,
    dynamic,
    invalid,
    permissions,
  };
}

/**
 * `s3`: one `GetObject` per object and client.
 *
 * @param calls The calls.
 * @returns The description.
 */
export function describeS3(calls: readonly PlannedCall[]): ResolverDescription {
  const { dynamic, known } = partition(calls);
  const invalid: { call: number; reason: string }[] = [];
  const resources = new Set<string>();
  for (const i of dynamic) {
    const bk = splitFirstSlash(calls[i]!.pattern.replace(/^s3:\/\//, ""));
    resources.add(bk ? `arn:aws:s3:::${bk[0]}/${bk[1]}` : "arn:aws:s3:::*/*");
  }
  const byObject = new Map<string, { bucket: string; key: string } & AwsTarget>();
  for (const { index, key, target } of known) {
    const bk = splitFirstSlash(key.replace(/^s3:\/\//, ""));
    if (!bk) {
      invalid.push({ call: index, reason: `S3 argument must be in bucket/key format: ${key}` });
      continue;
    }
    byObject.set(JSON.stringify([bk[0], bk[1], targetKey(target)]), {
      bucket: bk[0],
      key: bk[1],
      ...target,
    });
  }
  const objects = [...byObject.values()].sort((a, b) =>
    byText(`${a.bucket}/${a.key}`, `${b.bucket}/${b.key}`)
  );
  for (const o of objects) resources.add(`arn:aws:s3:::${o.bucket}/${o.key}`);
  const n = objects.length;
  return {
    data: { objects, requests: n },
    summary: n === 0
      ? []
      : [{ text: `${plural(n, "s3 object", "s3 objects")} → ${n} GetObject`, detail: [] }],
    dynamic,
    invalid,
    permissions: resources.size === 0
      ? []
      : [{ action: "s3:GetObject", resources: sorted(resources), conditional: false }],
  };
}

/**
 * `cfn`: one `DescribeStacks` per stack and client, whatever the number of its outputs.
 *
 * @param calls The calls.
 * @returns The description.
 */
export function describeCfn(calls: readonly PlannedCall[]): ResolverDescription {
  const { dynamic, known } = partition(calls);
  const invalid: { call: number; reason: string }[] = [];
  const resources = new Set<string>();
  for (const i of dynamic) {
    const so = splitFirstSlash(calls[i]!.pattern);
    resources.add(cfnArn(regionOf(calls[i]!), so ? so[0] : "*"));
  }
  const byStack = new Map<string, AwsTarget & { stack: string; outputs: Set<string> }>();
  for (const { index, key, target } of known) {
    const so = splitFirstSlash(key);
    if (!so) {
      invalid.push({
        call: index,
        reason: `CloudFormation argument must be in stack-name/OutputKey format: ${key}`,
      });
      continue;
    }
    const id = JSON.stringify([so[0], targetKey(target)]);
    let stack = byStack.get(id);
    if (!stack) byStack.set(id, stack = { ...target, stack: so[0], outputs: new Set() });
    stack.outputs.add(so[1]);
  }
  const stacks = [...byStack.values()]
    .map((s) => ({
      stack: s.stack,
      outputs: sorted(s.outputs),
      region: s.region,
      profile: s.profile,
      endpoint: s.endpoint,
    }))
    .sort((a, b) => byText(a.stack, b.stack));
  for (const s of stacks) resources.add(cfnArn(s.region, s.stack));
  const outputs = stacks.reduce((n, s) => n + s.outputs.length, 0);
  const n = stacks.length;
  return {
    data: { outputs, stacks, requests: n },
    summary: n === 0 ? [] : [{
      text: `${plural(outputs, "output", "outputs")} of ${
        plural(n, "stack", "stacks")
      } → ${n} DescribeStacks`,
      detail: stacks.map((s) => `${s.stack}: ${s.outputs.join(", ")}`),
    }],
    dynamic,
    invalid,
    permissions: resources.size === 0 ? [] : [{
      action: "cloudformation:DescribeStacks",
      resources: sorted(resources),
      conditional: false,
    }],
  };
}
