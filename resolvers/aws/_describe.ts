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

/** A static `recursive=` of a planned call (`true` in any case). */
function recursiveOf(call: PlannedCall): boolean {
  return call.kwargs.recursive?.trim().toLowerCase() === "true";
}

/**
 * `ssm`: names batched per client, `batchSize` per `GetParameters`; paths (`/app/prod/`) read
 * with `GetParametersByPath`, at least one request each (one more per page of 10 parameters);
 * `kms:Decrypt` is conditional (SecureString parameters only).
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
  const pathResources = new Set<string>();
  const kms = new Set<string>();
  const paths = new Map<string, AwsTarget & { path: string; recursive: boolean }>();
  for (const i of dynamic) {
    const pattern = calls[i]!.pattern;
    // Whatever is known of the argument narrows the resource; nothing known means any.
    if (pattern.startsWith("/") && pattern.endsWith("/")) {
      pathResources.add(ssmArn(regionOf(calls[i]!), pattern.replace(/\/+$/, "") || "/"));
    } else {
      resources.add(ssmArn(regionOf(calls[i]!), pattern.startsWith("/") ? pattern : "/*"));
    }
    kms.add("arn:aws:kms:*:*:key/*");
  }
  const byClient = new Map<string, AwsTarget & { names: Set<string> }>();
  for (const { index, key, target } of known) {
    if (!key.startsWith("/")) {
      invalid.push({ call: index, reason: `SSM parameter path must start with /: ${key}` });
      continue;
    }
    const call = calls[index]!;
    if (key.endsWith("/")) {
      const recursive = recursiveOf(call);
      paths.set(JSON.stringify([key, recursive, targetKey(target)]), {
        ...target,
        path: key,
        recursive,
      });
      continue;
    }
    if (recursiveOf(call)) {
      invalid.push({ call: index, reason: "recursive=true reads a path: end the argument with /" });
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
  const pathList = [...paths.values()]
    .map((p) => ({
      path: p.path,
      recursive: p.recursive,
      region: p.region,
      profile: p.profile,
      endpoint: p.endpoint,
    }))
    .sort((a, b) => byText(a.path, b.path));
  for (const p of pathList) {
    pathResources.add(ssmArn(p.region, p.path.replace(/\/+$/, "") || "/"));
    kms.add(`arn:aws:kms:${p.region ?? "*"}:*:key/*`);
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
  if (pathList.length > 0) {
    summary.push({
      text: `${plural(pathList.length, "ssm path", "ssm paths")} → ${pathList.length}+ ` +
        "GetParametersByPath (one more per 10 parameters)",
      detail: pathList.map((p) =>
        `${p.path}${p.recursive ? " (recursive)" : ""}` +
        (p.region === null && p.profile === null && p.endpoint === null
          ? ""
          : `: ${describeTarget(p)}`)
      ),
    });
  }
  const permissions: IamPermission[] = [];
  if (resources.size > 0) {
    permissions.push({
      action: "ssm:GetParameters",
      resources: sorted(resources),
      conditional: false,
    });
  }
  if (pathResources.size > 0) {
    permissions.push({
      action: "ssm:GetParametersByPath",
      resources: sorted(pathResources),
      conditional: false,
    });
  }
  if (resources.size + pathResources.size > 0) {
    permissions.push({
      action: "kms:Decrypt",
      resources: sorted(kms),
      conditional: true,
      note: "needed only for SecureString parameters, whose type is known only when fetched",
    });
  }
  return {
    data: { names, requests, groups, paths: pathList },
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

/** The version a planned `secretsmanager` call pins, or undefined for the current one. */
function pinnedVersion(call: PlannedCall): string | undefined {
  const id = call.kwargs.version_id?.trim();
  if (id) return `version ${id}`;
  const stage = call.kwargs.version_stage?.trim();
  return stage && stage !== "AWSCURRENT" ? `stage ${stage}` : undefined;
}

/**
 * The ARN pattern IAM matches a secret id with: AWS appends 6 characters to a secret's name
 * (`prod/db-AbCdEf`), so a name or a partial ARN matches `<id>-??????`; a full ARN is itself.
 */
function secretArn(region: string | null, id: string): string {
  if (id.startsWith("arn:")) return /-[A-Za-z0-9]{6}$/.test(id) ? id : `${id}-??????`;
  return `arn:aws:secretsmanager:${region ?? "*"}:*:secret:${id}-??????`;
}

/**
 * `secretsmanager`: per client, the distinct unpinned ids `batchSize` per `BatchGetSecretValue`
 * and one `GetSecretValue` per pinned version. IAM: `BatchGetSecretValue` (no resource-level
 * permission: `*`) and `GetSecretValue` on each secret, which the batch API needs as well;
 * `kms:Decrypt` for secrets under a customer-managed key.
 *
 * @param calls The calls.
 * @param batchSize Ids per `BatchGetSecretValue` request.
 * @returns The description.
 */
export function describeSecretsManager(
  calls: readonly PlannedCall[],
  batchSize: number,
): ResolverDescription {
  const { dynamic, known } = partition(calls);
  const invalid: { call: number; reason: string }[] = [];
  const resources = new Set<string>();
  const kms = new Set<string>();
  let batchNeeded = false;
  for (const i of dynamic) {
    const call = calls[i]!;
    const pattern = call.pattern === "" ? "*" : call.pattern;
    resources.add(secretArn(regionOf(call), pattern.replace(/-\?{6}$/, "")));
    kms.add(`arn:aws:kms:${regionOf(call) ?? "*"}:*:key/*`);
    if (call.kwargs.version_id === undefined && call.kwargs.version_stage === undefined) {
      batchNeeded = true;
    }
  }
  const byClient = new Map<string, AwsTarget & { ids: Set<string>; pinned: Set<string> }>();
  for (const { call, index, key, target } of known) {
    if (key === "") {
      invalid.push({
        call: index,
        reason: "Secrets Manager resolver requires a secret name or ARN",
      });
      continue;
    }
    const id = targetKey(target);
    let group = byClient.get(id);
    if (!group) byClient.set(id, group = { ...target, ids: new Set(), pinned: new Set() });
    const version = pinnedVersion(call);
    if (version === undefined) group.ids.add(key);
    else group.pinned.add(`${key} (${version})`);
    resources.add(secretArn(target.region, key));
    kms.add(`arn:aws:kms:${target.region ?? "*"}:*:key/*`);
  }
  const groups = [...byClient.values()].map((g) => ({
    region: g.region,
    profile: g.profile,
    endpoint: g.endpoint,
    ids: sorted(g.ids),
    pinned: sorted(g.pinned),
    batchRequests: Math.ceil(g.ids.size / batchSize),
  }));
  const secrets = groups.reduce((n, g) => n + g.ids.length + g.pinned.length, 0);
  const batchRequests = groups.reduce((n, g) => n + g.batchRequests, 0);
  const getRequests = groups.reduce((n, g) => n + g.pinned.length, 0);
  if (batchRequests > 0) batchNeeded = true;
  const requestText = (batch: number, get: number): string =>
    [
      batch > 0 ? `${batch} BatchGetSecretValue` : "",
      get > 0 ? `${get} GetSecretValue` : "",
    ].filter((t) => t !== "").join(" + ");
  const summary: PlanSummaryLine[] = secrets === 0 ? [] : [{
    text: `${plural(secrets, "secret", "secrets")} → ${requestText(batchRequests, getRequests)}`,
    detail: [
      ...(groups.length < 2
        ? []
        : groups.map((g) =>
          `${describeTarget(g)}: ${
            plural(g.ids.length + g.pinned.length, "secret", "secrets")
          } → ` +
          requestText(g.batchRequests, g.pinned.length)
        )),
      ...groups.flatMap((g) => g.pinned.map((p) => `pinned: ${p}`)),
    ],
  }];
  const permissions: IamPermission[] = [];
  if (batchNeeded) {
    permissions.push({
      action: "secretsmanager:BatchGetSecretValue",
      resources: ["*"],
      conditional: false,
    });
  }
  if (resources.size > 0) {
    permissions.push(
      {
        action: "secretsmanager:GetSecretValue",
        resources: sorted(resources),
        conditional: false,
      },
      {
        action: "kms:Decrypt",
        resources: sorted(kms),
        conditional: true,
        note: "needed only for secrets encrypted with a customer-managed KMS key",
      },
    );
  }
  return {
    data: { secrets, requests: batchRequests + getRequests, batchRequests, getRequests, groups },
    summary,
    dynamic,
    invalid,
    permissions,
  };
}

/**
 * An AppConfig identifier as IAM's ARNs name it: ids only (7 lower-case letters and digits, with
 * both); a name is `*` there.
 */
function appConfigId(part: string | undefined): string {
  const id = part !== undefined && /^[a-z0-9]{7}$/.test(part) && /\d/.test(part) &&
    /[a-z]/.test(part);
  return id ? part : "*";
}

function appConfigArn(region: string | null, parts: (string | undefined)[]): string {
  const [app, env, profile] = parts.map(appConfigId);
  return `arn:aws:appconfig:${region ?? "*"}:*:application/${app}/environment/${env}/` +
    `configuration/${profile}`;
}

/**
 * `appconfig`: per configuration and client, one `StartConfigurationSession` and one
 * `GetLatestConfiguration` (later refreshes: one `GetLatestConfiguration` each, once AppConfig's
 * poll interval has passed). IAM resources name applications, environments and profiles by id
 * (7 lower-case letters and digits): a part written as a name is `*` there.
 *
 * @param calls The calls.
 * @returns The description.
 */
export function describeAppConfig(calls: readonly PlannedCall[]): ResolverDescription {
  const { dynamic, known } = partition(calls);
  const invalid: { call: number; reason: string }[] = [];
  const resources = new Set<string>();
  for (const i of dynamic) {
    resources.add(appConfigArn(regionOf(calls[i]!), calls[i]!.pattern.split("/")));
  }
  const byTarget = new Map<string, AwsTarget & { configuration: string }>();
  for (const { index, key, target } of known) {
    const parts = key.split("/");
    if (parts.length !== 3 || parts.some((p) => p.trim() === "")) {
      invalid.push({
        call: index,
        reason: `AppConfig argument must be application/environment/profile: ${key}`,
      });
      continue;
    }
    byTarget.set(JSON.stringify([key, targetKey(target)]), { ...target, configuration: key });
    resources.add(appConfigArn(target.region, parts));
  }
  const configurations = [...byTarget.values()]
    .map((c) => ({
      configuration: c.configuration,
      region: c.region,
      profile: c.profile,
      endpoint: c.endpoint,
    }))
    .sort((a, b) => byText(a.configuration, b.configuration));
  const n = configurations.length;
  const listed = sorted(resources);
  return {
    data: { configurations, requests: 2 * n },
    summary: n === 0 ? [] : [{
      text: `${plural(n, "appconfig configuration", "appconfig configurations")} → ` +
        `${n} StartConfigurationSession + ${n} GetLatestConfiguration`,
      detail: configurations.map((c) => c.configuration),
    }],
    dynamic,
    invalid,
    permissions: listed.length === 0 ? [] : [
      { action: "appconfig:StartConfigurationSession", resources: listed, conditional: false },
      { action: "appconfig:GetLatestConfiguration", resources: listed, conditional: false },
    ],
  };
}
