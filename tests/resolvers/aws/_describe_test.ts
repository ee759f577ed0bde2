// Tests of the AWS resolvers' describe hooks (resolvers/aws/_describe.ts): what `plan` is told
// for calls as written. The CLI's view of the same is in tests/cli/plan_test.ts.

import assert from "node:assert/strict";
import type { PlannedCall } from "../../../src/resolver.ts";
import {
  appconfigResolver,
  cfnResolver,
  s3Resolver,
  secretsmanagerResolver,
  ssmResolver,
} from "../../../resolvers/aws/mod.ts";
import { httpResolver, httpsResolver } from "../../../resolvers/http.ts";

function call(
  key: string | undefined,
  kwargs: Record<string, string | undefined> = {},
): PlannedCall {
  const kw: Record<string, string | undefined> = Object.create(null);
  Object.assign(kw, kwargs);
  return { path: "p", resolver: "x", key, pattern: key ?? "*", kwargs: kw };
}

Deno.test("ssm describe batches the names of one client by the resolver's own batch size", () => {
  const names = Array.from({ length: 11 }, (_, i) => call(`/app/${i}`));
  const d = ssmResolver.describe!([...names, call("/app/0")]);
  const data = d.data as { names: number; requests: number };
  assert.equal(data.names, 11);
  assert.equal(data.requests, Math.ceil(11 / ssmResolver.batchSize));
  assert.deepEqual(d.summary, [{ text: "11 ssm names → 2 GetParameters", detail: [] }]);
  assert.deepEqual(d.permissions.map((p) => [p.action, p.conditional]), [
    ["ssm:GetParameters", false],
    ["kms:Decrypt", true],
  ]);
});

Deno.test("a client kwarg known only at resolve time makes an AWS call dynamic, with any region", () => {
  const cases = [
    { resolver: ssmResolver, key: "/b/k", resource: "arn:aws:ssm:*:*:parameter/b/k" },
    { resolver: s3Resolver, key: "b/k", resource: "arn:aws:s3:::b/k" },
    { resolver: cfnResolver, key: "b/k", resource: "arn:aws:cloudformation:*:*:stack/b/*" },
    {
      resolver: secretsmanagerResolver,
      key: "b/k",
      resource: "arn:aws:secretsmanager:*:*:secret:b/k-??????",
    },
    {
      resolver: appconfigResolver,
      key: "app/env/prof",
      resource: "arn:aws:appconfig:*:*:application/*/environment/*/configuration/*",
    },
  ];
  for (const { resolver, key, resource } of cases) {
    const d = resolver.describe!([call(key, { region: "eu-west-1", profile: undefined })]);
    assert.deepEqual(d.dynamic, [0]);
    assert.deepEqual(d.summary, []);
    const first = d.permissions.find((p) => !p.resources.includes("*"))!;
    assert.deepEqual(first.resources, [resource]);
  }
  const known = ssmResolver.describe!([call("/a", { region: "eu-west-1" })]);
  assert.deepEqual(known.dynamic, []);
  assert.deepEqual(known.permissions[0]!.resources, ["arn:aws:ssm:eu-west-1:*:parameter/a"]);
});

Deno.test("describe with no calls is an empty section, no summary, no permission", () => {
  for (
    const resolver of [
      ssmResolver,
      s3Resolver,
      cfnResolver,
      secretsmanagerResolver,
      appconfigResolver,
      httpResolver,
    ]
  ) {
    const d = resolver.describe!([]);
    assert.deepEqual([d.summary, d.dynamic, d.invalid, d.permissions], [[], [], [], []]);
  }
});

Deno.test("http and https share one describe hook, which needs allowHttp", () => {
  assert.equal(httpResolver.describe, httpsResolver.describe);
  const d = httpResolver.describe!([
    { ...call("example.com/a"), resolver: "https" },
    { ...call("http://example.com/a"), resolver: "http" },
    { ...call(""), resolver: "https" },
  ]);
  assert.deepEqual(d.data, {
    urls: ["http://example.com/a", "https://example.com/a"],
    requests: 2,
  });
  assert.deepEqual(d.invalid, [{ call: 2, reason: "HTTPS resolver requires a URL" }]);
  assert.equal(d.needsAllowHttp, true);
});

Deno.test("ssm describe lists each path once with GetParametersByPath on the path", () => {
  const d = ssmResolver.describe!([
    call("/app/prod/"),
    call("/app/prod/", { recursive: "true" }),
    call("/app/prod/", { recursive: "TRUE" }),
    call("/app/name"),
    call("/app/other", { recursive: "true" }),
  ]);
  assert.deepEqual(d.summary.map((l) => l.text), [
    "1 ssm name → 1 GetParameters",
    "2 ssm paths → 2+ GetParametersByPath (one more per 10 parameters)",
  ]);
  assert.deepEqual(d.summary[1]!.detail, ["/app/prod/", "/app/prod/ (recursive)"]);
  assert.deepEqual(d.invalid, [
    { call: 4, reason: "recursive=true reads a path: end the argument with /" },
  ]);
  assert.deepEqual(d.permissions.map((p) => [p.action, p.resources]), [
    ["ssm:GetParameters", ["arn:aws:ssm:*:*:parameter/app/name"]],
    ["ssm:GetParametersByPath", ["arn:aws:ssm:*:*:parameter/app/prod"]],
    ["kms:Decrypt", ["arn:aws:kms:*:*:key/*"]],
  ]);
});

Deno.test("secretsmanager describe: distinct ids 20 per BatchGetSecretValue, pinned versions one GetSecretValue each", () => {
  const ids = Array.from({ length: 45 }, (_, i) => call(`app/s${i}`));
  const d = secretsmanagerResolver.describe!([
    ...ids,
    call("app/s0", { key: "password" }), // a second field of a secret already counted
    call("app/s1", { version_stage: "AWSPREVIOUS" }),
    call("app/s2", { version_stage: "AWSCURRENT" }), // the current version: batched
    call("arn:aws:secretsmanager:eu-west-1:1:secret:full-AbCdEf", { region: "eu-west-1" }),
    call(""),
  ]);
  assert.deepEqual(d.summary.map((l) => l.text), [
    "47 secrets → 4 BatchGetSecretValue + 1 GetSecretValue",
  ]);
  assert.deepEqual(d.invalid, [
    { call: 49, reason: "Secrets Manager resolver requires a secret name or ARN" },
  ]);
  const byAction = Object.fromEntries(d.permissions.map((p) => [p.action, p]));
  assert.deepEqual(Object.keys(byAction), [
    "secretsmanager:BatchGetSecretValue",
    "secretsmanager:GetSecretValue",
    "kms:Decrypt",
  ]);
  assert.deepEqual(byAction["secretsmanager:BatchGetSecretValue"]!.resources, ["*"]);
  const get = byAction["secretsmanager:GetSecretValue"]!.resources;
  assert.ok(get.includes("arn:aws:secretsmanager:*:*:secret:app/s0-??????"));
  assert.ok(get.includes("arn:aws:secretsmanager:eu-west-1:1:secret:full-AbCdEf"));
  assert.equal(byAction["kms:Decrypt"]!.conditional, true);
  const one = secretsmanagerResolver.describe!(ids);
  assert.deepEqual(one.summary.map((l) => l.text), ["45 secrets → 3 BatchGetSecretValue"]);
});

Deno.test("appconfig describe: a session and a poll per configuration; IAM resources name ids", () => {
  const d = appconfigResolver.describe!([
    call("orders/prod/flags"),
    call("orders/prod/flags", { parse: "json" }),
    call("abc1234/def5678/ghi9012", { region: "eu-west-1" }),
    call("only/two"),
  ]);
  assert.deepEqual(d.summary, [{
    text: "2 appconfig configurations → 2 StartConfigurationSession + 2 GetLatestConfiguration",
    detail: ["abc1234/def5678/ghi9012", "orders/prod/flags"],
  }]);
  assert.deepEqual(d.invalid, [
    { call: 3, reason: "AppConfig argument must be application/environment/profile: only/two" },
  ]);
  assert.deepEqual(d.permissions.map((p) => p.action), [
    "appconfig:StartConfigurationSession",
    "appconfig:GetLatestConfiguration",
  ]);
  assert.deepEqual(d.permissions[0]!.resources, [
    "arn:aws:appconfig:*:*:application/*/environment/*/configuration/*",
    "arn:aws:appconfig:eu-west-1:*:application/abc1234/environment/def5678/configuration/ghi9012",
  ]);
});
