/**
 * `holoconf plan`: what resolving a config would fetch, computed from the raw tree without
 * calling anything. The resolvers that fetch describe their own requests (their `describe`
 * hook: SSM names batched per `GetParameters`, one `DescribeStacks` per stack, one `GetObject`
 * per object, one `GET` per URL) and the IAM actions they need; this module finds the calls,
 * hands each hook the calls of its resolvers and puts the answers together.
 *
 * @module
 */

import type {
  ArgValue,
  IamPermission,
  Interpolation,
  Part,
  PlannedCall,
  PlanSummaryLine,
  Resolver,
  ResolverDescription,
  Template,
} from "../../mod.ts";
import { makeStyle } from "./format.ts";

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

/**
 * The plan as data (`plan -f json`): besides the fields below, one field per resolver that
 * describes its requests, named after it (`ssm`, `s3`, `cfn`, `http`), holding its description's
 * `data`.
 */
export interface Plan {
  /** Calls of the resolvers that fetch (each occurrence, dynamic and invalid ones included). */
  remoteReferences: Record<string, number>;
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
  /** The requests of each resolver that fetches, under its name. */
  [resolver: string]: unknown;
}

/** The requests of resolvers sharing one `describe` hook, as the text form shows them. */
export interface PlanRequests {
  /** The resolvers' names (`http`, `https`). */
  resolvers: string[];
  /** Their summary lines, with detail lines. */
  summary: PlanSummaryLine[];
  /** Whether their calls need `--allow-http`. */
  needsAllowHttp: boolean;
}

/** The outcome of {@linkcode buildPlan}. */
export interface PlanReport {
  /** The plan as data. */
  plan: Plan;
  /** The requests per hook, in registration order, for {@linkcode formatPlan}. */
  requests: PlanRequests[];
}

/** Options of {@linkcode buildPlan}. */
export interface PlanOptions {
  /** Parses one string value into interpolation parts (the library's `parseTemplate`). */
  parseTemplate: (text: string) => Template;
  /**
   * The resolvers by name, in registration order; those with a `describe` hook are the ones
   * that fetch.
   */
  resolvers: ReadonlyMap<string, Resolver>;
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

/** Keyword arguments every call takes, which no resolver sees. */
const ENGINE_KEYWORDS = new Set(["default", "sensitive"]);

/** A call as a `describe` hook sees it. */
function plannedCall(
  path: string,
  interp: Interpolation & { body: { type: "call" } },
): PlannedCall {
  const kwargs: Record<string, string | undefined> = Object.create(null);
  for (const k of interp.body.kwargs) {
    if (!ENGINE_KEYWORDS.has(k.name)) kwargs[k.name] = staticText(k.value);
  }
  const arg0 = interp.body.args[0];
  return {
    path,
    resolver: interp.body.resolver,
    key: staticText(arg0),
    pattern: patternText(arg0),
    kwargs,
  };
}

function sortedCounts(map: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...map.keys()].sort()) out[k] = map.get(k)!;
  return out;
}

type Describe = (calls: readonly PlannedCall[]) => ResolverDescription;

/** The resolvers that describe their requests, grouped by hook, in registration order. */
function hooks(
  resolvers: ReadonlyMap<string, Resolver>,
): Map<string, { describe: Describe; names: string[] }> {
  const byHook = new Map<Describe, { describe: Describe; names: string[] }>();
  const byName = new Map<string, { describe: Describe; names: string[] }>();
  for (const [name, resolver] of resolvers) {
    if (typeof resolver !== "object" || typeof resolver.describe !== "function") continue;
    const hook = resolver.describe;
    let group = byHook.get(hook);
    if (!group) {
      group = { describe: (calls) => hook.call(resolver, calls), names: [] };
      byHook.set(hook, group);
    }
    group.names.push(name);
    byName.set(name, group);
  }
  return byName;
}

/**
 * Computes the plan of a raw config tree.
 *
 * @param raw The unresolved config (`await config.toObject({ resolve: false })`).
 * @param options The template parser and the resolvers.
 * @returns The plan: requests, dynamic references, other resolvers and IAM permissions.
 *
 * @example Three SSM names in one batch
 * ```ts
 * import { buildPlan } from "./plan.ts";
 * import { getResolver, parseTemplate, type Resolver } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const resolvers = new Map<string, Resolver>([["ssm", (await getResolver("ssm"))!]]);
 * const { plan } = buildPlan(
 *   { a: "${ssm:/a}", b: "${ssm:/b}", c: "${ssm:/a}", d: "${env:HOME}" },
 *   { parseTemplate, resolvers },
 * );
 * assert.deepEqual(plan.summary, ["2 ssm names → 1 GetParameters"]);
 * assert.deepEqual(plan.otherResolvers, { env: 1 });
 * ```
 */
export function buildPlan(raw: unknown, options: PlanOptions): PlanReport {
  const found: Found[] = [];
  const invalid: (InvalidReference & { at: number })[] = [];
  const order = new Map<string, number>();
  walk(raw, "", (text, path) => {
    order.set(path, order.size);
    let template: Template;
    try {
      template = options.parseTemplate(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split("\n")[0]! : String(error);
      invalid.push({ path, resolver: null, reason, at: found.length });
      return;
    }
    collect(template.parts, path, text, found);
  });

  const byName = hooks(options.resolvers);
  const calls = new Map<Describe, { call: PlannedCall; at: number; expression: string }[]>();
  for (const group of byName.values()) calls.set(group.describe, []);
  const remote = new Map<string, number>();
  const other = new Map<string, number>();
  found.forEach(({ path, source, interp }, at) => {
    const body = interp.body;
    const name = body.type === "relref" ? "ref" : body.resolver;
    const group = byName.get(name);
    if (body.type === "relref" || group === undefined) {
      other.set(name, (other.get(name) ?? 0) + 1);
      return;
    }
    remote.set(name, (remote.get(name) ?? 0) + 1);
    const expression = source.slice(interp.start, interp.end);
    calls.get(group.describe)!.push({
      call: plannedCall(path, { ...interp, body }),
      at,
      expression,
    });
  });

  const sections: Record<string, unknown> = {};
  const requests: PlanRequests[] = [];
  const dynamic: (DynamicReference & { at: number })[] = [];
  const iam: IamPermission[] = [];
  for (const [describe, list] of calls) {
    const names = [...byName].filter(([, g]) => g.describe === describe).map(([n]) => n);
    const description = describe(list.map((c) => c.call));
    sections[names[0]!] = description.data;
    requests.push({
      resolvers: names,
      summary: description.summary,
      needsAllowHttp: description.needsAllowHttp ?? false,
    });
    for (const i of description.dynamic) {
      const { call, at, expression } = list[i]!;
      dynamic.push({
        path: call.path,
        resolver: call.resolver,
        expression,
        pattern: call.pattern,
        at,
      });
    }
    for (const { call: i, reason } of description.invalid) {
      const { call, at } = list[i]!;
      invalid.push({ path: call.path, resolver: call.resolver, reason, at });
    }
    iam.push(...description.permissions);
  }
  const byPlace = (a: { path: string; at: number }, b: { path: string; at: number }) =>
    order.get(a.path)! - order.get(b.path)! || a.at - b.at;
  const plan: Plan = {
    remoteReferences: sortedCounts(remote),
    ...sections,
    dynamic: dynamic.sort(byPlace).map(({ at: _, ...d }) => d),
    invalid: invalid.sort(byPlace).map(({ at: _, ...i }) => i),
    otherResolvers: sortedCounts(other),
    iam,
    summary: requests.flatMap((r) => r.summary.map((line) => line.text)),
  };
  return { plan, requests };
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
export function literalCalls(
  raw: unknown,
  options: Pick<PlanOptions, "parseTemplate">,
): Set<string> {
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
 * @param report The plan and its requests.
 * @param options Colour and http setting.
 * @returns Text ending with a newline.
 *
 * @example An empty plan
 * ```ts
 * import { buildPlan, formatPlan } from "./plan.ts";
 * import assert from "node:assert/strict";
 * const report = buildPlan({ a: 1 }, { parseTemplate: () => ({ parts: [] }), resolvers: new Map() });
 * assert.equal(formatPlan(report), "No remote references.\n");
 * ```
 */
export function formatPlan(report: PlanReport, options: FormatPlanOptions = {}): string {
  const { plan } = report;
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
    for (const group of report.requests) {
      for (const { text, detail } of group.summary) {
        lines.push(`  ${text}`);
        for (const d of detail) lines.push(style.dim(`    ${d}`));
      }
      if (group.summary.length > 0 && group.needsAllowHttp && !(options.allowHttp ?? false)) {
        const names = group.resolvers.join("/");
        lines.push(style.yellow(`    note: ${names} resolvers are disabled unless --allow-http`));
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
