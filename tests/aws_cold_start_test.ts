// Importing holoconf, resolving a config without AWS references, and resolving AWS references on
// the default (light) transport must not load the AWS SDK
// (SPEC §7.11, §14). A child Deno process runs with an import map in which
// `@aws-sdk/client-ssm`, `client-s3` and `client-cloudformation` point at tripwire modules: each
// records its own evaluation, then re-exports the real package. The child imports mod.ts,
// resolves a local-only config (env vars, references, a default, a transformation) and reports
// which tripwires fired (none may). It then resolves an `${ssm:...}`, an `${s3:...}` and a
// `${cfn:...}` against the fake AWS endpoint on the default (light) transport: the values come
// back, still with no tripwire fired. As a positive control it resolves them again on the SDK
// transport (`configureAws({ transport: "sdk" })`): the three tripwires must fire, which proves
// they sit on the very specifiers the resolvers import. The child gets no `--allow-sys`: AWS
// calls must work with env, read and loopback net permissions only.

import assert from "node:assert/strict";
import { startFakeAws } from "./fakes/fake_aws.ts";
import { AWS_SDK_PACKAGES, ROOT, runProbe, writeTripwireImportMap } from "./_tripwire.ts";

Deno.test("mod.ts resolves local and light-transport AWS references loading no @aws-sdk module", async () => {
  const dir = await Deno.makeTempDir({ prefix: "holoconf_cold_start_" });
  const fake = await startFakeAws({
    ssm: { "/probe/value": "from-fake" },
    s3: { "bucket/key.txt": "s3-text" },
    cfn: { stack: { Out: "cfn-output" } },
  });
  try {
    await writeTripwireImportMap(
      dir,
      AWS_SDK_PACKAGES.map((pkg) => ({
        specifier: `@aws-sdk/${pkg}`,
        file: `tripwire_${pkg}.js`,
        source: (real) =>
          `globalThis.__awsSdkLoads = [...(globalThis.__awsSdkLoads ?? []), ${
            JSON.stringify(pkg)
          }];\nexport * from ${JSON.stringify(real)};\n`,
      })),
    );
    const report = await runProbe(
      dir,
      `import { Config } from ${JSON.stringify(new URL("mod.ts", ROOT).href)};
import { configureAws, configureCfn, configureS3, configureSsm } from ${
        JSON.stringify(new URL("resolvers/aws/mod.ts", ROOT).href)
      };
const loads = () => [...((globalThis as { __awsSdkLoads?: string[] }).__awsSdkLoads ?? [])];
const local = Config.loads(
  "app:\\n  env: \${env:COLD_START_ENV}\\n  port: \${env:COLD_START_PORT,default=8080}\\n" +
    "db:\\n  host: db.\${app.env}.internal\\n  url: postgres://\${.host}:\${app.port}/x\\n" +
    "  tags: \${split:a;b,delim=;}\\n",
);
const resolved = await local.resolveAll();
const afterLocal = loads();
configureSsm({ endpoint: Deno.args[0], region: "us-east-1" });
configureS3({ endpoint: Deno.args[0], region: "us-east-1" });
configureCfn({ endpoint: Deno.args[0], region: "us-east-1" });
const remoteYaml = "v: \${ssm:/probe/value}\\ns: \${s3:bucket/key.txt}\\nc: \${cfn:stack/Out}\\n";
const light = await Config.loads(remoteYaml).resolveAll();
const afterLight = loads();
configureAws({ transport: "sdk" });
const sdk = await Config.loads(remoteYaml).resolveAll();
console.log(JSON.stringify({ resolved, afterLocal, light, afterLight, sdk, afterAll: loads() }));
`,
      {
        permissions: ["--allow-env", "--allow-read", "--allow-net=127.0.0.1"],
        args: [fake.url],
        env: {
          COLD_START_ENV: "prod",
          AWS_ACCESS_KEY_ID: "AKIDCOLDSTART",
          AWS_SECRET_ACCESS_KEY: "fake-secret",
          AWS_REGION: "us-east-1",
          AWS_SHARED_CREDENTIALS_FILE: `${dir}/no-credentials`,
          AWS_CONFIG_FILE: `${dir}/no-config`,
          AWS_EC2_METADATA_DISABLED: "true",
        },
      },
    );
    assert.deepEqual(report.resolved, {
      app: { env: "prod", port: "8080" },
      db: { host: "db.prod.internal", url: "postgres://db.prod.internal:8080/x", tags: ["a", "b"] },
    });
    assert.deepEqual(report.afterLocal, [], "no @aws-sdk module for a local-only config");
    const values = { v: "from-fake", s: "s3-text", c: "cfn-output" };
    assert.deepEqual(report.light, values);
    assert.deepEqual(report.afterLight, [], "no @aws-sdk module on the light transport");
    // Positive control: on the SDK transport the resolvers went through the tripwires and
    // reached the fake. They resolve in parallel: their modules load, and their requests arrive,
    // in any order (compared as sets).
    assert.deepEqual(report.sdk, values);
    assert.deepEqual(
      [...report.afterAll as string[]].sort(),
      ["client-cloudformation", "client-s3", "client-ssm"],
    );
    assert.deepEqual(
      fake.requests.map((r) => r.operation).sort(),
      [
        "DescribeStacks",
        "DescribeStacks",
        "GetObject",
        "GetObject",
        "GetParameters",
        "GetParameters",
      ],
    );
  } finally {
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});
