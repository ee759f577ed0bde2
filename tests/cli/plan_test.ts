import assert from "node:assert/strict";
import {
  getResolver,
  parseTemplate,
  type PlannedCall,
  type Resolver,
  type ResolverDescription,
  resolverNames,
} from "../../mod.ts";
import { buildPlan, formatPlan, literalCalls, type Plan } from "../../src/cli/plan.ts";
import { run, tempFiles } from "./_io.ts";

type Target = { region: string | null; profile: string | null; endpoint: string | null };

/** The plan with the sections of the built-in resolvers that fetch. */
interface BuiltinPlan extends Plan {
  ssm: {
    names: number;
    requests: number;
    groups: (Target & { names: string[]; requests: number })[];
  };
  s3: { objects: (Target & { bucket: string; key: string })[]; requests: number };
  cfn: {
    outputs: number;
    stacks: (Target & { stack: string; outputs: string[] })[];
    requests: number;
  };
  http: { urls: string[]; requests: number };
}

/** Every registered resolver, loaded, as the CLI hands them to buildPlan. */
async function registered(): Promise<Map<string, Resolver>> {
  const resolvers = new Map<string, Resolver>();
  for (const name of resolverNames()) resolvers.set(name, (await getResolver(name))!);
  return resolvers;
}

async function planOf(raw: unknown): Promise<BuiltinPlan> {
  return buildPlan(raw, { parseTemplate, resolvers: await registered() }).plan as BuiltinPlan;
}

function bigConfig(): string {
  const lines = ["params:"];
  for (let i = 1; i <= 23; i++) lines.push(`  p${i}: \${ssm:/app/prod/p${i}}`);
  lines.push(
    "objects:",
    "  settings: ${s3:config-bucket/settings.yaml}",
    "  flags: ${s3:s3://config-bucket/flags.json,region=eu-west-1}",
    "network:",
    "  vpc: ${cfn:network-stack/VpcId}",
    "  subnet: ${cfn:network-stack/SubnetId}",
    "  db: ${cfn:database-stack/Endpoint}",
    "dup: ${ssm:/app/prod/p1}",
    "home: ${env:HOME,default=/root}",
    "url: https://${network.vpc}/x",
    "",
  );
  return lines.join("\n");
}

Deno.test("plan counts requests: 23 ssm names → 3 GetParameters, 2 GetObject, 2 DescribeStacks", async () => {
  await using t = await tempFiles({ "app.yaml": bigConfig() });
  const r = await run(["plan", t.path("app.yaml")]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "");
  assert.ok(r.stdout.includes("  23 ssm names → 3 GetParameters\n"), r.stdout);
  assert.ok(r.stdout.includes("  2 s3 objects → 2 GetObject\n"));
  assert.ok(r.stdout.includes("  3 outputs of 2 stacks → 2 DescribeStacks\n"));
  assert.ok(r.stdout.includes("Remote references: 29 (3 cfn, 2 s3, 24 ssm)"));
  assert.ok(r.stdout.includes("Other resolvers: env ×1, ref ×1"));
  // IAM actions and resources.
  assert.ok(r.stdout.includes("IAM permissions:\n  ssm:GetParameters\n"));
  assert.ok(r.stdout.includes("    arn:aws:ssm:*:*:parameter/app/prod/p1\n"));
  assert.ok(r.stdout.includes("    arn:aws:ssm:*:*:parameter/app/prod/p23\n"));
  assert.match(r.stdout, / {2}kms:Decrypt \(conditional: needed only for SecureString parameters/);
  assert.ok(r.stdout.includes("  s3:GetObject\n    arn:aws:s3:::config-bucket/flags.json\n"));
  assert.ok(r.stdout.includes("    arn:aws:s3:::config-bucket/settings.yaml\n"));
  assert.ok(
    r.stdout.includes(
      "  cloudformation:DescribeStacks\n" +
        "    arn:aws:cloudformation:*:*:stack/database-stack/*\n" +
        "    arn:aws:cloudformation:*:*:stack/network-stack/*\n",
    ),
  );
});

Deno.test("plan --format json gives the same plan as data", async () => {
  await using t = await tempFiles({ "app.yaml": bigConfig() });
  const r = await run(["plan", t.path("app.yaml"), "--format", "json"]);
  assert.equal(r.code, 0);
  const plan = JSON.parse(r.stdout);
  assert.deepEqual(plan.summary, [
    "23 ssm names → 3 GetParameters",
    "2 s3 objects → 2 GetObject",
    "3 outputs of 2 stacks → 2 DescribeStacks",
  ]);
  assert.equal(plan.ssm.requests, 3);
  assert.equal(plan.ssm.groups.length, 1);
  assert.equal(plan.ssm.groups[0].names.length, 23);
  assert.deepEqual(
    plan.cfn.stacks.map((s: { stack: string; outputs: string[] }) => [s.stack, s.outputs]),
    [
      ["database-stack", ["Endpoint"]],
      ["network-stack", ["SubnetId", "VpcId"]],
    ],
  );
  assert.deepEqual(
    plan.iam.map((p: { action: string; conditional: boolean }) => [p.action, p.conditional]),
    [
      ["ssm:GetParameters", false],
      ["kms:Decrypt", true],
      ["s3:GetObject", false],
      ["cloudformation:DescribeStacks", false],
    ],
  );
  assert.equal(plan.iam[0].resources.length, 23);
});

Deno.test("plan lists nested-interpolation arguments as dynamic, with wildcard resources", async () => {
  const plan = await planOf({
    db: { password: "${ssm:/${env:ENV}/db/password}" },
    region: "${ssm:/x,region=${env:R}}",
  });
  assert.deepEqual(plan.dynamic.map((d) => [d.path, d.expression, d.pattern]), [
    ["db.password", "${ssm:/${env:ENV}/db/password}", "/*/db/password"],
    ["region", "${ssm:/x,region=${env:R}}", "/x"],
  ]);
  assert.equal(plan.ssm.names, 0);
  assert.deepEqual(plan.otherResolvers, { env: 2 });
  assert.deepEqual(plan.iam[0]?.resources, [
    "arn:aws:ssm:*:*:parameter/*/db/password",
    "arn:aws:ssm:*:*:parameter/x",
  ]);
});

Deno.test("plan groups ssm names per region/profile/endpoint and batches by 10 in each", async () => {
  const raw: Record<string, string> = {};
  for (let i = 0; i < 11; i++) raw[`a${i}`] = `\${ssm:/a/${i}}`;
  for (let i = 0; i < 3; i++) raw[`b${i}`] = `\${ssm:/b/${i},region=eu-west-1}`;
  const plan = await planOf(raw);
  assert.equal(plan.ssm.names, 14);
  assert.equal(plan.ssm.requests, 3); // 2 (11 names) + 1 (3 names), not ceil(14 / 10)
  assert.deepEqual(plan.ssm.groups.map((g) => [g.region, g.requests]), [[null, 2], [
    "eu-west-1",
    1,
  ]]);
  assert.ok(plan.iam[0]!.resources.includes("arn:aws:ssm:eu-west-1:*:parameter/b/0"));
  assert.deepEqual(plan.iam[1]!.resources, [
    "arn:aws:kms:*:*:key/*",
    "arn:aws:kms:eu-west-1:*:key/*",
  ]);
});

Deno.test("plan normalises and de-duplicates URLs, and reports bad references", async () => {
  const plan = await planOf({
    a: "${https:example.com/a}",
    b: "${https:https://example.com/a}",
    c: "${http:example.com/a}",
    items: ["${ssm:no-slash}", "${s3:bucket-only}", "${cfn:stack}", "${unclosed"],
  });
  assert.deepEqual(plan.http.urls, ["http://example.com/a", "https://example.com/a"]);
  assert.equal(plan.http.requests, 2);
  assert.deepEqual(plan.invalid.map((i) => [i.path, i.resolver]), [
    ["items[0]", "ssm"],
    ["items[1]", "s3"],
    ["items[2]", "cfn"],
    ["items[3]", null],
  ]);
  assert.deepEqual(plan.iam, []);
});

Deno.test("plan of a config without remote references says so", async () => {
  await using t = await tempFiles({ "app.yaml": "a: 1\nb: ${a}\n" });
  const r = await run(["plan", t.path("app.yaml")]);
  assert.equal(r.stdout, "No remote references.\n\nOther resolvers: ref ×1\n");
});

Deno.test("literalCalls() lists only calls whose first argument is written literally", () => {
  const calls = literalCalls({
    a: "${json:${file:x.json}}",
    b: ["${ssm:/${env:E}/k}", "${cfn:s/o,region=eu-west-1}"],
  }, { parseTemplate });
  assert.deepEqual([...calls].sort(), [
    "a\0file\0x.json",
    "b[0]\0env\0E",
    "b[1]\0cfn\0s/o",
  ]);
});

Deno.test("plan prints the whole plan and exits 1 when it lists invalid references", async () => {
  await using t = await tempFiles({
    "bad.yaml": "a: ${ssm:/ok}\nb: ${ssm:no-slash}\n",
    "good.yaml": "a: ${ssm:/ok}\n",
  });
  for (const format of ["text", "json"]) {
    const bad = await run(["plan", t.path("bad.yaml"), "-f", format]);
    assert.equal(bad.code, 1, format);
    assert.equal(bad.stderr, "");
    assert.match(bad.stdout, /no-slash/);
    assert.match(bad.stdout, /GetParameters/);
    const good = await run(["plan", t.path("good.yaml"), "-f", format]);
    assert.equal(good.code, 0, format);
  }
});

Deno.test("plan asks each describe hook once, with the calls of every resolver sharing it, and lays out its answer", () => {
  const seen: PlannedCall[][] = [];
  const describe = (calls: readonly PlannedCall[]): ResolverDescription => {
    seen.push([...calls]);
    return {
      data: { reads: calls.length },
      summary: [{ text: `${calls.length} vault reads`, detail: ["one per key"] }],
      dynamic: calls.flatMap((c, i) => c.key === undefined ? [i] : []),
      invalid: calls.flatMap((c, i) => c.key === "" ? [{ call: i, reason: "empty key" }] : []),
      permissions: [{ action: "vault:Read", resources: ["vault:*"], conditional: false }],
    };
  };
  const resolvers = new Map<string, Resolver>([
    ["vault", { resolve: () => 1, describe }],
    ["vault2", { resolve: () => 2, describe }],
    ["local", { resolve: () => 3 }],
  ]);
  const report = buildPlan({
    a: "${vault:x,region=${local:r},default=d,sensitive=true,mode=ro}",
    b: ["${vault2:${local:k}}", "${vault:}"],
    c: "${local:h} ${other:o} ${a}",
  }, { parseTemplate, resolvers });
  assert.equal(seen.length, 1);
  assert.deepEqual(seen[0]!.map((c) => [c.path, c.resolver, c.key, c.pattern, { ...c.kwargs }]), [
    ["a", "vault", "x", "x", { region: undefined, mode: "ro" }],
    ["b[0]", "vault2", undefined, "*", {}],
    ["b[1]", "vault", "", "", {}],
  ]);
  const { plan } = report;
  assert.deepEqual(plan["vault"], { reads: 3 }); // under the first name of the hook
  assert.equal(plan["vault2"], undefined);
  assert.deepEqual(plan.remoteReferences, { vault: 2, vault2: 1 });
  assert.deepEqual(plan.otherResolvers, { local: 3, other: 1, ref: 1 });
  assert.deepEqual(plan.dynamic, [{
    path: "b[0]",
    resolver: "vault2",
    expression: "${vault2:${local:k}}",
    pattern: "*",
  }]);
  assert.deepEqual(plan.invalid, [{ path: "b[1]", resolver: "vault", reason: "empty key" }]);
  assert.deepEqual(plan.iam.map((p) => p.action), ["vault:Read"]);
  assert.deepEqual(plan.summary, ["3 vault reads"]);
  const text = formatPlan(report);
  assert.ok(
    text.includes("Requests resolveAll would make:\n  3 vault reads\n    one per key\n"),
    text,
  );
  assert.ok(!text.includes("--allow-http"), "no http note for a hook that does not ask for it");
});
