import assert from "node:assert/strict";
import {
  cfnResolver,
  configure,
  configureAws,
  configureCfn,
  configureS3,
  configureSsm,
  reset,
  s3Resolver,
  ssmResolver,
} from "../../../resolvers/aws/mod.ts";
import {
  _clientCacheSize,
  type AwsService,
  type EffectiveSettings,
  effectiveSettings,
} from "../../../resolvers/aws/_clients.ts";
import { Config } from "../../../mod.ts";
import { ResolverError } from "../../../src/errors.ts";
import { makeCall, withFakeAws } from "./_helpers.ts";
import { AWS_SDK_PACKAGES, ROOT, runProbe, writeTripwireImportMap } from "../../_tripwire.ts";

/** The client settings a call of `service` uses, with the process-wide settings. */
function settingsOf(service: AwsService, kwargs: Record<string, string> = {}): EffectiveSettings {
  return effectiveSettings(makeCall(service, "/x", { kwargs }));
}

const NONE = { endpoint: undefined, region: undefined, profile: undefined };

Deno.test("settings precedence: kwargs > per-service > global > SDK default", () => {
  reset();
  try {
    assert.deepEqual(settingsOf("ssm"), NONE);
    configureAws({ region: "eu-west-1", profile: "global" });
    assert.deepEqual(settingsOf("ssm"), {
      endpoint: undefined,
      region: "eu-west-1",
      profile: "global",
    });
    configureSsm({ region: "us-west-2", endpoint: "http://127.0.0.1:1" });
    assert.deepEqual(settingsOf("ssm"), {
      endpoint: "http://127.0.0.1:1",
      region: "us-west-2",
      profile: "global",
    });
    // Other services are unaffected by configureSsm.
    assert.deepEqual(settingsOf("s3"), {
      endpoint: undefined,
      region: "eu-west-1",
      profile: "global",
    });
    assert.deepEqual(
      settingsOf("ssm", { region: "ap-south-1", profile: "kw", endpoint: "http://x" }),
      { endpoint: "http://x", region: "ap-south-1", profile: "kw" },
    );
  } finally {
    reset();
  }
});

Deno.test("configure calls are additive: undefined keeps the stored value", () => {
  reset();
  try {
    configureAws({ region: "eu-west-1" });
    configureAws({ profile: "p", region: undefined });
    configureS3({ endpoint: "http://s3.local" });
    configureS3({ region: "us-east-2" });
    configureCfn({ profile: "cfn-p" });
    assert.deepEqual(settingsOf("s3"), {
      endpoint: "http://s3.local",
      region: "us-east-2",
      profile: "p",
    });
    assert.deepEqual(settingsOf("cfn"), {
      endpoint: undefined,
      region: "eu-west-1",
      profile: "cfn-p",
    });
  } finally {
    reset();
  }
});

Deno.test("configure is the upstream name of configureAws, and sets the same settings", () => {
  reset();
  try {
    assert.equal(configure, configureAws);
    configure({ region: "eu-north-1" });
    assert.equal(settingsOf("cfn").region, "eu-north-1");
  } finally {
    reset();
  }
});

Deno.test("AWS settings functions refuse unknown fields with a suggestion, and bad types", () => {
  reset();
  try {
    const unknown = (f: () => void, field: string, group: string, near?: string) =>
      assert.throws(f, (e: unknown) => {
        assert.ok(e instanceof ResolverError);
        assert.equal(e.code, "UNKNOWN_SETTING");
        assert.equal(e.headline, `Unknown setting '${field}' in the '${group}' settings`);
        assert.equal(e.help, near === undefined ? undefined : `Did you mean '${near}'?`);
        return true;
      });
    // The global group has no endpoint (the per-service functions set it): the accepted
    // fields are listed.
    unknown(() => configureAws({ endpoint: "http://x" } as object), "endpoint", "aws");
    assert.throws(
      () => configureAws({ endpoint: "http://x" } as object),
      /Settings of 'aws': region, profile/,
    );
    unknown(() => configureAws({ regin: "x" } as object), "regin", "aws", "region");
    unknown(() => configureSsm({ regoin: "x" } as object), "regoin", "ssm", "region");
    unknown(() => configureCfn({ profil: "x" } as object), "profil", "cfn", "profile");
    assert.throws(
      () => configureS3({ endpoint: 443 } as object),
      (e: unknown) =>
        e instanceof ResolverError && e.code === "INVALID_SETTING" &&
        e.headline === "Setting 's3.endpoint' must be a string" && !e.message.includes("443"),
    );
    // Nothing was stored by the refused calls.
    assert.deepEqual(settingsOf("s3"), NONE);
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
      configureAws({ region: "eu-west-1" });
      reset();
      assert.equal(_clientCacheSize(), 0);
      assert.deepEqual(settingsOf("ssm"), NONE);
    },
  );
});

Deno.test("per-service endpoint and global region reach the request", async () => {
  await withFakeAws({ ssm: { "/a": { value: "eu", region: "eu-central-1" } } }, async (fake) => {
    configureAws({ region: "eu-central-1" });
    assert.equal(await ssmResolver.resolve("/a", makeCall("ssm", "/a")), "eu");
    assert.equal(fake.requests[0]!.region, "eu-central-1");
  });
});

Deno.test("through a Config: its AWS settings win over the process's, kwargs over both", async () => {
  await withFakeAws({
    ssm: {
      "/p": { value: "process", region: "us-west-1" },
      "/c": { value: "config", region: "eu-west-3" },
      "/k": { value: "kwarg", region: "ap-east-1" },
    },
  }, async (fake) => {
    // Process: the ssm group over the aws group.
    configureAws({ region: "us-east-2" });
    configureSsm({ region: "us-west-1" });
    const plain = Config.loads("p: ${ssm:/p}\n");
    assert.equal(await plain.get("p"), "process");
    // The Config's aws group wins over the process's ssm group; the endpoint stays the
    // process's (set by withFakeAws), as no Config group sets one.
    const own = Config.loads("c: ${ssm:/c}\nk: ${ssm:/k,region=ap-east-1}\n", {
      resolverSettings: { aws: { region: "eu-west-3" } },
    });
    assert.equal(await own.get("c"), "config");
    assert.equal(await own.get("k"), "kwarg");
    assert.deepEqual(fake.requests.map((r) => r.region), ["us-west-1", "eu-west-3", "ap-east-1"]);
    // The process's settings are untouched by the Config's.
    assert.equal(settingsOf("ssm").region, "us-west-1");
  });
});

Deno.test("a Config's ssm group wins over its aws group", async () => {
  await withFakeAws({ ssm: { "/a": { value: "svc", region: "sa-east-1" } } }, async (fake) => {
    const config = Config.loads("a: ${ssm:/a}\n", {
      resolverSettings: { aws: { region: "eu-west-1" }, ssm: { region: "sa-east-1" } },
    });
    assert.equal(await config.get("a"), "svc");
    assert.equal(fake.requests[0]!.region, "sa-east-1");
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
  sensitiveInput: false, settings: {} } as unknown as Parameters<typeof ssmResolver.resolve>[1];
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
