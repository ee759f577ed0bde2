// Tests of the AWS resolvers' describe hooks (resolvers/aws/_describe.ts): what `plan` is told
// for calls as written. The CLI's view of the same is in tests/cli/plan_test.ts.

import assert from "node:assert/strict";
import type { PlannedCall } from "../../../src/resolver.ts";
import { cfnResolver, s3Resolver, ssmResolver } from "../../../resolvers/aws/mod.ts";
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
  ];
  for (const { resolver, key, resource } of cases) {
    const d = resolver.describe!([call(key, { region: "eu-west-1", profile: undefined })]);
    assert.deepEqual(d.dynamic, [0]);
    assert.deepEqual(d.summary, []);
    assert.deepEqual(d.permissions[0]!.resources, [resource]);
  }
  const known = ssmResolver.describe!([call("/a", { region: "eu-west-1" })]);
  assert.deepEqual(known.dynamic, []);
  assert.deepEqual(known.permissions[0]!.resources, ["arn:aws:ssm:eu-west-1:*:parameter/a"]);
});

Deno.test("describe with no calls is an empty section, no summary, no permission", () => {
  for (const resolver of [ssmResolver, s3Resolver, cfnResolver, httpResolver]) {
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
