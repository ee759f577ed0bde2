import assert from "node:assert/strict";
import {
  cfnResolver,
  configure,
  configureCfn,
  configureS3,
  configureSsm,
  reset,
  s3Resolver,
  ssmResolver,
} from "../../../resolvers/aws/mod.ts";
import { _clientCacheSize, effectiveSettings } from "../../../resolvers/aws/_clients.ts";
import { makeCall, withFakeAws } from "./_helpers.ts";
import { AWS_SDK_PACKAGES, ROOT, runProbe, writeTripwireImportMap } from "../../_tripwire.ts";

Deno.test("settings precedence: kwargs > per-service > global > SDK default", () => {
  reset();
  try {
    assert.deepEqual(effectiveSettings("ssm", {}), {
      endpoint: undefined,
      region: undefined,
      profile: undefined,
    });
    configure({ region: "eu-west-1", profile: "global" });
    assert.deepEqual(effectiveSettings("ssm", {}), {
      endpoint: undefined,
      region: "eu-west-1",
      profile: "global",
    });
    configureSsm({ region: "us-west-2", endpoint: "http://127.0.0.1:1" });
    assert.deepEqual(effectiveSettings("ssm", {}), {
      endpoint: "http://127.0.0.1:1",
      region: "us-west-2",
      profile: "global",
    });
    // Other services are unaffected by configureSsm.
    assert.deepEqual(effectiveSettings("s3", {}), {
      endpoint: undefined,
      region: "eu-west-1",
      profile: "global",
    });
    assert.deepEqual(
      effectiveSettings("ssm", { region: "ap-south-1", profile: "kw", endpoint: "http://x" }),
      { endpoint: "http://x", region: "ap-south-1", profile: "kw" },
    );
  } finally {
    reset();
  }
});

Deno.test("configure calls are additive: undefined keeps the stored value", () => {
  reset();
  try {
    configure({ region: "eu-west-1" });
    configure({ profile: "p" });
    configureS3({ endpoint: "http://s3.local" });
    configureS3({ region: "us-east-2" });
    configureCfn({ profile: "cfn-p" });
    assert.deepEqual(effectiveSettings("s3", {}), {
      endpoint: "http://s3.local",
      region: "us-east-2",
      profile: "p",
    });
    assert.deepEqual(effectiveSettings("cfn", {}), {
      endpoint: undefined,
      region: "eu-west-1",
      profile: "cfn-p",
    });
  } finally {
    reset();
  }
});

Deno.test("reset() clears settings and the client cache", async () => {
  await withFakeAws(
    { ssm: { "/a": "1" }, s3: { "b/k": "v" }, cfn: { s: { O: "o" } } },
    async () => {
      await ssmResolver.resolve("/a", makeCall("ssm", "/a"));
      await s3Resolver.resolve("b/k", makeCall("s3", "b/k"));
      await cfnResolver.resolve("s/O", makeCall("cfn", "s/O"));
      assert.equal(_clientCacheSize(), 3);
      configure({ region: "eu-west-1" });
      reset();
      assert.equal(_clientCacheSize(), 0);
      assert.deepEqual(effectiveSettings("ssm", {}), {
        endpoint: undefined,
        region: undefined,
        profile: undefined,
      });
    },
  );
});

Deno.test("per-service endpoint and global region reach the request", async () => {
  await withFakeAws({ ssm: { "/a": { value: "eu", region: "eu-central-1" } } }, async (fake) => {
    configure({ region: "eu-central-1" });
    assert.equal(await ssmResolver.resolve("/a", makeCall("ssm", "/a")), "eu");
    assert.equal(fake.requests[0]!.region, "eu-central-1");
  });
});

/**
 * Importing the `./aws` entry must not evaluate any AWS SDK module. A child Deno process runs
 * with an import map in which the three `@aws-sdk/*` packages point at a tripwire module that
 * counts its own evaluation. The child imports resolvers/aws/mod.ts and reports the count
 * (must be 0), then makes one ssm call, which must load the SDK (count 1): the positive control
 * proving the tripwire is wired to the same specifiers the resolvers use.
 */
Deno.test("importing resolvers/aws/mod.ts loads no @aws-sdk module until first use", async () => {
  const dir = await Deno.makeTempDir({ prefix: "holoconf_aws_import_" });
  try {
    await writeTripwireImportMap(
      dir,
      AWS_SDK_PACKAGES.map((pkg) => ({
        specifier: `@aws-sdk/${pkg}`,
        file: "tripwire.js",
        source: () =>
          "globalThis.__awsSdkEvaluations = (globalThis.__awsSdkEvaluations ?? 0) + 1;\n" +
          "export class SSMClient { constructor() { throw new Error('tripwire'); } }\n" +
          "export class S3Client {}\nexport class CloudFormationClient {}\n",
      })),
    );
    const modUrl = new URL("resolvers/aws/mod.ts", ROOT).href;
    const report = await runProbe(
      dir,
      `import { ssmResolver } from ${JSON.stringify(modUrl)};
const g = globalThis as { __awsSdkEvaluations?: number };
const afterImport = g.__awsSdkEvaluations ?? 0;
const call = { args: ["/x"], kwargs: {}, signal: new AbortController().signal,
  sensitiveInput: false } as unknown as Parameters<typeof ssmResolver.resolve>[1];
await ssmResolver.resolve("/x", call).catch(() => {});
console.log(JSON.stringify({ afterImport, afterUse: g.__awsSdkEvaluations ?? 0 }));
`,
      { permissions: ["-A"] },
    );
    assert.deepEqual(report, { afterImport: 0, afterUse: 1 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
