/**
 * `holoconf plan`: what resolving a config would fetch, computed from the raw tree without
 * calling anything. Lists remote references (ssm, s3, cfn, http, https), the requests
 * `resolveAll` would send (SSM names batched 10 per `GetParameters`, one `DescribeStacks` per
 * stack, one `GetObject` per object, one `GET` per URL) and the IAM actions they need.
 *
 * @module
 */

import type { ArgValue, Interpolation, Part, Template } from "../../mod.ts";
import { makeStyle } from "./format.ts";

/** The resolvers that reach the network. */
export const REMOTE_RESOLVERS: readonly string[] = ["ssm", "s3", "cfn", "http", "https"];

/** Most SSM names per `GetParameters` request. */
export const SSM_BATCH_SIZE = 10;

/** AWS client settings a reference selects with kwargs (null: the default chain). */
export interface AwsTarget {
  /** `region=` kwarg, null for the default chain. */
  region: string | null;
  /** `profile=` kwarg, null for the default chain. */
  profile: string | null;
  /** `endpoint=` kwarg, null for the default endpoint. */
  endpoint: string | null;
}

/** SSM names sharing one client (so one batching group). */
export interface SsmGroup extends AwsTarget {
  /** Distinct parameter names, sorted. */
  names: string[];
  /** `GetParameters` requests: names / 10, rounded up. */
  requests: number;
}

/** One S3 object. */
export interface S3Object extends AwsTarget {
  /** Bucket. */
  bucket: string;
  /** Object key. */
  key: string;
}

/** One CloudFormation stack and the outputs read from it. */
export interface CfnStack extends AwsTarget {
  /** Stack name. */
  stack: string;
  /** Distinct output keys, sorted. */
  outputs: string[];
}

/** A reference whose argument is only known at resolve time (it contains `${...}`). */
export interface DynamicReference {
  /** Config path of the value. */
  path: string;
  /** Resolver name. */
  resolver: string;
  /** The interpolation as written. */
  expression: string;
  /** The argument with each nested interpolation replaced by `*`. */
  pattern: string;
}

/** A remote reference that will fail before any request (bad argument), or unparseable text. */
export interface InvalidReference {
  /** Config path of the value. */
  path: string;
  /** Resolver name, or null when the string itself does not parse. */
  resolver: string | null;
  /** What is wrong. */
  reason: string;
}

/** One IAM action and the resources it is needed on. */
export interface IamPermission {
  /** E.g. `ssm:GetParameters`. */
  action: string;
  /** ARNs (sorted, distinct). */
  resources: string[];
  /** True when the need depends on data only known after fetching. */
  conditional: boolean;
  /** Why it is conditional. */
  note?: string;
}

/** The outcome of {@linkcode buildPlan}. */
export interface Plan {
  /** Remote references found (each occurrence, dynamic ones included). */
  remoteReferences: Record<string, number>;
  /** SSM batching groups. */
  ssm: { names: number; requests: number; groups: SsmGroup[] };
  /** S3 objects (one `GetObject` each). */
  s3: { objects: S3Object[]; requests: number };
  /** CloudFormation stacks (one `DescribeStacks` each). */
  cfn: { outputs: number; stacks: CfnStack[]; requests: number };
  /** Distinct URLs (one `GET` each). */
  http: { urls: string[]; requests: number };
  /** References whose argument contains a nested interpolation. */
  dynamic: DynamicReference[];
  /** References that cannot become a request. */
  invalid: InvalidReference[];
  /** Occurrences of every other resolver (`ref` includes `${a.b}` and relative references). */
  otherResolvers: Record<string, number>;
  /** IAM actions and resources. */
  iam: IamPermission[];
  /** Human summaries, e.g. `23 ssm names → 3 GetParameters`. */
  summary: string[];
}

/** Options of {@linkcode buildPlan}. */
export interface PlanOptions {
  /** Parses one string value into interpolation parts (the library's `parseTemplate`). */
  parseTemplate: (text: string) => Template;
}

interface Found {
  path: string;
  source: string;
  interp: Interpolation;
}

function staticText(value: ArgValue | undefined): string | undefined {
  if (value === undefined) return "";
  let out = "";
  for (const p of value.parts) {
    if (p.kind !== "text") return undefined;
    out += p.text;
  }
  return out;
}

function patternText(value: ArgValue | undefined): string {
  if (value === undefined) return "";
  return value.parts.map((p) => (p.kind === "text" ? p.text : "*")).join("");
}

function collect(parts: readonly Part[], path: string, source: string, out: Found[]): void {
  for (const part of parts) {
    if (part.kind !== "interp") continue;
    out.push({ path, source, interp: part });
    if (part.body.type === "call") {
      for (const a of part.body.args) collect(a.parts, path, source, out);
      for (const k of part.body.kwargs) collect(k.value.parts, path, source, out);
    }
  }
}

function walk(
  value: unknown,
  path: string,
  visit: (text: string, path: string) => void,
): void {
  if (typeof value === "string") {
    if (value.includes("${")) visit(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}[${i}]`, visit));
  } else if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    for (const [k, v] of Object.entries(value)) walk(v, path === "" ? k : `${path}.${k}`, visit);
  }
}

function lastKwarg(
  interp: Interpolation,
  name: string,
): { value: ArgValue | undefined; found: boolean } {
  if (interp.body.type !== "call") return { value: undefined, found: false };
  let value: ArgValue | undefined;
  let found = false;
  for (const k of interp.body.kwargs) {
    if (k.name === name) {
      value = k.value;
      found = true;
    }
  }
  return { value, found };
}

function byText(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

function targetKey(t: AwsTarget): string {
  return JSON.stringify([t.region, t.profile, t.endpoint]);
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function sortedCounts(map: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...map.keys()].sort()) out[k] = map.get(k)!;
  return out;
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

function splitFirstSlash(arg: string): [string, string] | undefined {
  const i = arg.indexOf("/");
  if (i <= 0 || i === arg.length - 1) return undefined;
  return [arg.slice(0, i), arg.slice(i + 1)];
}

function normaliseUrl(resolver: string, arg: string): string | undefined {
  let rest = arg.replace(/^https?:\/\//, "");
  rest = rest.replace(/^\/\//, "");
  if (rest === "" || rest.startsWith("/")) return undefined;
  return `${resolver}://${rest}`;
}

/**
 * Computes the plan of a raw config tree.
 *
 * @param raw The unresolved config (`await config.toObject({ resolve: false })`).
 * @param options The template parser.
 * @returns Requests, dynamic references, other resolvers and IAM permissions.
 *
 * @example Three SSM names in one batch
 * ```ts
 * import { buildPlan } from "./plan.ts";
 * import assert from "node:assert/strict";
 * // A tiny parser for this example: one whole-string `${name:arg}`.
 * const parseTemplate = (text: string) => {
 *   const m = /^\$\{(\w+):([^}]*)\}$/.exec(text)!;
 *   return {
 *     parts: [{
 *       kind: "interp" as const, start: 0, end: text.length,
 *       body: {
 *         type: "call" as const, resolver: m[1]!, shorthand: false, kwargs: [],
 *         args: [{ quoted: false, parts: [{ kind: "text" as const, text: m[2]! }] }],
 *       },
 *     }],
 *   };
 * };
 * const plan = buildPlan({ a: "${ssm:/a}", b: "${ssm:/b}", c: "${ssm:/a}" }, { parseTemplate });
 * assert.deepEqual(plan.summary, ["2 ssm names → 1 GetParameters"]);
 * ```
 */
export function buildPlan(raw: unknown, options: PlanOptions): Plan {
  const found: Found[] = [];
  const invalid: InvalidReference[] = [];
  const order = new Map<string, number>();
  walk(raw, "", (text, path) => {
    order.set(path, order.size);
    let template: Template;
    try {
      template = options.parseTemplate(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split("\n")[0]! : String(error);
      invalid.push({ path, resolver: null, reason });
      return;
    }
    collect(template.parts, path, text, found);
  });

  const remote = new Map<string, number>();
  const other = new Map<string, number>();
  const dynamic: DynamicReference[] = [];
  const ssmGroups = new Map<string, AwsTarget & { names: Set<string> }>();
  const s3Objects = new Map<string, S3Object>();
  const cfnStacks = new Map<string, AwsTarget & { stack: string; outputs: Set<string> }>();
  const urls = new Set<string>();
  const dynamicResources = {
    ssm: new Set<string>(),
    s3: new Set<string>(),
    cfn: new Set<string>(),
  };

  for (const { path, source, interp } of found) {
    const body = interp.body;
    if (body.type === "relref") {
      other.set("ref", (other.get("ref") ?? 0) + 1);
      continue;
    }
    const name = body.resolver;
    if (!REMOTE_RESOLVERS.includes(name)) {
      other.set(name, (other.get(name) ?? 0) + 1);
      continue;
    }
    remote.set(name, (remote.get(name) ?? 0) + 1);
    const expression = source.slice(interp.start, interp.end);
    const arg0 = body.args[0];
    const key = staticText(arg0);
    const target: AwsTarget = { region: null, profile: null, endpoint: null };
    let dynamicTarget = false;
    for (const k of ["region", "profile", "endpoint"] as const) {
      const kw = lastKwarg(interp, k);
      if (!kw.found) continue;
      const text = staticText(kw.value);
      if (text === undefined) dynamicTarget = true;
      else target[k] = text;
    }
    if (key === undefined || dynamicTarget) {
      const pattern = patternText(arg0);
      dynamic.push({ path, resolver: name, expression, pattern });
      const region = dynamicTarget ? null : target.region;
      // Whatever is known of the argument narrows the resource; nothing known means any.
      if (name === "ssm") {
        dynamicResources.ssm.add(ssmArn(region, pattern.startsWith("/") ? pattern : "/*"));
      } else if (name === "s3") {
        const bk = splitFirstSlash(pattern.replace(/^s3:\/\//, ""));
        dynamicResources.s3.add(bk ? `arn:aws:s3:::${bk[0]}/${bk[1]}` : "arn:aws:s3:::*/*");
      } else if (name === "cfn") {
        const so = splitFirstSlash(pattern);
        dynamicResources.cfn.add(cfnArn(region, so ? so[0] : "*"));
      }
      continue;
    }
    if (name === "ssm") {
      if (!key.startsWith("/")) {
        invalid.push({
          path,
          resolver: name,
          reason: `SSM parameter path must start with /: ${key}`,
        });
        continue;
      }
      const g = targetKey(target);
      let group = ssmGroups.get(g);
      if (!group) ssmGroups.set(g, group = { ...target, names: new Set() });
      group.names.add(key);
    } else if (name === "s3") {
      const bk = splitFirstSlash(key.replace(/^s3:\/\//, ""));
      if (!bk) {
        invalid.push({
          path,
          resolver: name,
          reason: `S3 argument must be in bucket/key format: ${key}`,
        });
        continue;
      }
      const obj: S3Object = { bucket: bk[0], key: bk[1], ...target };
      s3Objects.set(JSON.stringify([bk[0], bk[1], targetKey(target)]), obj);
    } else if (name === "cfn") {
      const so = splitFirstSlash(key);
      if (!so) {
        invalid.push({
          path,
          resolver: name,
          reason: `CloudFormation argument must be in stack-name/OutputKey format: ${key}`,
        });
        continue;
      }
      const g = JSON.stringify([so[0], targetKey(target)]);
      let stack = cfnStacks.get(g);
      if (!stack) cfnStacks.set(g, stack = { ...target, stack: so[0], outputs: new Set() });
      stack.outputs.add(so[1]);
    } else {
      const url = normaliseUrl(name, key);
      if (url === undefined) {
        invalid.push({
          path,
          resolver: name,
          reason: key === ""
            ? `${name.toUpperCase()} resolver requires a URL`
            : "Invalid URL syntax",
        });
        continue;
      }
      urls.add(url);
    }
  }

  const groups: SsmGroup[] = [...ssmGroups.values()].map((g) => ({
    region: g.region,
    profile: g.profile,
    endpoint: g.endpoint,
    names: [...g.names].sort(byText),
    requests: Math.ceil(g.names.size / SSM_BATCH_SIZE),
  }));
  const ssmNames = groups.reduce((n, g) => n + g.names.length, 0);
  const ssmRequests = groups.reduce((n, g) => n + g.requests, 0);
  const objects = [...s3Objects.values()].sort((a, b) =>
    byText(`${a.bucket}/${a.key}`, `${b.bucket}/${b.key}`)
  );
  const stacks: CfnStack[] = [...cfnStacks.values()]
    .map((s) => ({
      stack: s.stack,
      outputs: [...s.outputs].sort(byText),
      region: s.region,
      profile: s.profile,
      endpoint: s.endpoint,
    }))
    .sort((a, b) => byText(a.stack, b.stack));
  const cfnOutputs = stacks.reduce((n, s) => n + s.outputs.length, 0);
  const urlList = [...urls].sort(byText);

  const summary: string[] = [];
  if (ssmNames > 0) {
    summary.push(`${plural(ssmNames, "ssm name", "ssm names")} → ${ssmRequests} GetParameters`);
  }
  if (objects.length > 0) {
    summary.push(
      `${plural(objects.length, "s3 object", "s3 objects")} → ${objects.length} GetObject`,
    );
  }
  if (stacks.length > 0) {
    summary.push(
      `${plural(cfnOutputs, "output", "outputs")} of ${
        plural(stacks.length, "stack", "stacks")
      } → ${stacks.length} DescribeStacks`,
    );
  }
  if (urlList.length > 0) {
    summary.push(`${plural(urlList.length, "URL", "URLs")} → ${urlList.length} GET`);
  }

  const iam: IamPermission[] = [];
  const ssmResources = new Set<string>(dynamicResources.ssm);
  const kmsResources = new Set<string>();
  for (const g of groups) {
    for (const n of g.names) ssmResources.add(ssmArn(g.region, n));
    kmsResources.add(`arn:aws:kms:${g.region ?? "*"}:*:key/*`);
  }
  for (const d of dynamic) {
    if (d.resolver === "ssm") kmsResources.add("arn:aws:kms:*:*:key/*");
  }
  if (ssmResources.size > 0) {
    iam.push({
      action: "ssm:GetParameters",
      resources: [...ssmResources].sort(byText),
      conditional: false,
    });
    iam.push({
      action: "kms:Decrypt",
      resources: [...kmsResources].sort(byText),
      conditional: true,
      note: "needed only for SecureString parameters, whose type is known only when fetched",
    });
  }
  const s3Resources = new Set<string>(dynamicResources.s3);
  for (const o of objects) s3Resources.add(`arn:aws:s3:::${o.bucket}/${o.key}`);
  if (s3Resources.size > 0) {
    iam.push({
      action: "s3:GetObject",
      resources: [...s3Resources].sort(byText),
      conditional: false,
    });
  }
  const cfnResources = new Set<string>(dynamicResources.cfn);
  for (const s of stacks) cfnResources.add(cfnArn(s.region, s.stack));
  if (cfnResources.size > 0) {
    iam.push({
      action: "cloudformation:DescribeStacks",
      resources: [...cfnResources].sort(byText),
      conditional: false,
    });
  }

  return {
    remoteReferences: sortedCounts(remote),
    ssm: { names: ssmNames, requests: ssmRequests, groups },
    s3: { objects, requests: objects.length },
    cfn: { outputs: cfnOutputs, stacks, requests: stacks.length },
    http: { urls: urlList, requests: urlList.length },
    dynamic,
    invalid: invalid.sort((a, b) => order.get(a.path)! - order.get(b.path)!),
    otherResolvers: sortedCounts(other),
    iam,
    summary,
  };
}

/**
 * The resolver calls written with a literal first argument, as `path`, `resolver` and `key`
 * joined by NUL: what `--trace` may show as is (a computed key may be data, e.g. the text a
 * `json` resolver parses).
 *
 * @param raw The unresolved config (`await config.toObject({ resolve: false })`).
 * @param options The template parser.
 * @returns The set of `path\0resolver\0key` entries.
 *
 * @example A nested call: only the inner key is literal
 * ```ts
 * import { literalCalls } from "./plan.ts";
 * import { parseTemplate } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const calls = literalCalls({ a: "${json:${file:x.json}}" }, { parseTemplate });
 * assert.deepEqual([...calls], ["a\0file\0x.json"]);
 * ```
 */
export function literalCalls(raw: unknown, options: PlanOptions): Set<string> {
  const out = new Set<string>();
  walk(raw, "", (text, path) => {
    const found: Found[] = [];
    try {
      collect(options.parseTemplate(text).parts, path, text, found);
    } catch {
      return;
    }
    for (const { interp } of found) {
      if (interp.body.type !== "call") continue;
      const key = staticText(interp.body.args[0]);
      if (key !== undefined) out.add(`${path}\0${interp.body.resolver}\0${key}`);
    }
  });
  return out;
}

/** Options of {@linkcode formatPlan}. */
export interface FormatPlanOptions {
  /** Emit ANSI colours. @default {false} */
  color?: boolean;
  /** Whether `--allow-http` was given (a note is shown for URLs otherwise). @default {false} */
  allowHttp?: boolean;
}

/**
 * Renders a plan as text for a terminal.
 *
 * @param plan The plan.
 * @param options Colour and http setting.
 * @returns Text ending with a newline.
 *
 * @example An empty plan
 * ```ts
 * import { buildPlan, formatPlan } from "./plan.ts";
 * import assert from "node:assert/strict";
 * const plan = buildPlan({ a: 1 }, { parseTemplate: () => ({ parts: [] }) });
 * assert.match(formatPlan(plan), /No remote references/);
 * ```
 */
export function formatPlan(plan: Plan, options: FormatPlanOptions = {}): string {
  const style = makeStyle(options.color ?? false);
  const lines: string[] = [];
  const total = Object.values(plan.remoteReferences).reduce((a, b) => a + b, 0);
  if (total === 0) {
    lines.push("No remote references.");
  } else {
    const byName = Object.entries(plan.remoteReferences).map(([k, v]) => `${v} ${k}`).join(", ");
    lines.push(style.bold(`Remote references: ${total} (${byName})`));
    lines.push("");
    lines.push(style.bold("Requests resolveAll would make:"));
    const [ssmLine, s3Line, cfnLine, httpLine] = [
      plan.ssm.names > 0,
      plan.s3.objects.length > 0,
      plan.cfn.stacks.length > 0,
      plan.http.urls.length > 0,
    ];
    let i = 0;
    if (ssmLine) {
      lines.push(`  ${plan.summary[i++]}`);
      if (plan.ssm.groups.length > 1) {
        for (const g of plan.ssm.groups) {
          const names = plural(g.names.length, "name", "names");
          lines.push(style.dim(`    ${describeTarget(g)}: ${names} → ${g.requests} GetParameters`));
        }
      }
    }
    if (s3Line) lines.push(`  ${plan.summary[i++]}`);
    if (cfnLine) {
      lines.push(`  ${plan.summary[i++]}`);
      for (const s of plan.cfn.stacks) {
        lines.push(style.dim(`    ${s.stack}: ${s.outputs.join(", ")}`));
      }
    }
    if (httpLine) {
      lines.push(`  ${plan.summary[i++]}`);
      if (!(options.allowHttp ?? false)) {
        lines.push(style.yellow("    note: http/https resolvers are disabled unless --allow-http"));
      }
    }
    if (plan.summary.length === 0) lines.push("  none known before resolving");
  }
  if (plan.dynamic.length > 0) {
    lines.push("");
    lines.push(
      style.bold(
        `Dynamic references (argument known only at resolve time): ${plan.dynamic.length}`,
      ),
    );
    for (const d of plan.dynamic) lines.push(`  ${d.path}: ${d.expression}`);
  }
  if (plan.invalid.length > 0) {
    lines.push("");
    lines.push(style.bold(style.red(`Invalid references: ${plan.invalid.length}`)));
    for (const d of plan.invalid) lines.push(`  ${d.path}: ${d.reason}`);
  }
  const others = Object.entries(plan.otherResolvers);
  if (others.length > 0) {
    lines.push("");
    lines.push(`Other resolvers: ${others.map(([k, v]) => `${k} ×${v}`).join(", ")}`);
  }
  if (plan.iam.length > 0) {
    lines.push("");
    lines.push(style.bold("IAM permissions:"));
    for (const p of plan.iam) {
      lines.push(`  ${p.action}${p.conditional ? style.yellow(` (conditional: ${p.note})`) : ""}`);
      for (const r of p.resources) lines.push(`    ${r}`);
    }
  }
  return lines.join("\n") + "\n";
}
