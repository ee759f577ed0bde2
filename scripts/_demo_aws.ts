// Part 2 of `deno task demo`: the ssm resolver against a loopback fake AWS endpoint with 100 ms
// latency per request. Lazy sequential get() of 20 references (one GetParameters per value),
// then resolveAll() on a fresh Config (batched: 2 requests of 10 names, sent in parallel), then
// a redacted dump in which the SecureString values are [REDACTED].

import { Config } from "../mod.ts";
import { configureSsm, reset } from "../resolvers/aws/mod.ts";
import { startFakeAws } from "../tests/fakes/fake_aws.ts";
import type { SsmFixture } from "../tests/fakes/fake_aws.ts";

const LATENCY_MS = 100;

const PARAMETERS: Record<string, SsmFixture> = {};
for (const service of ["billing", "orders", "users", "search"]) {
  PARAMETERS[`/demo/${service}/host`] = { value: `${service}.internal` };
  PARAMETERS[`/demo/${service}/port`] = { value: "8443" };
  PARAMETERS[`/demo/${service}/replicas`] = { value: "3" };
  PARAMETERS[`/demo/${service}/zones`] = { value: "eu-west-1a,eu-west-1b", type: "StringList" };
  PARAMETERS[`/demo/${service}/api_key`] = {
    value: `sk-${service}-0123456789`,
    type: "SecureString",
  };
}

const CONFIG_TEXT = Object.keys(PARAMETERS)
  .reduce((text, name) => {
    const [, , service, field] = name.split("/");
    const header = text.includes(`${service}:\n`) ? "" : `${service}:\n`;
    return `${text}${header}  ${field}: \${ssm:${name}}\n`;
  }, "");

const PATHS = Object.keys(PARAMETERS).map((name) => name.split("/").slice(2).join("."));

const AWS_ENV = {
  AWS_ACCESS_KEY_ID: "AKIDDEMOFAKE",
  AWS_SECRET_ACCESS_KEY: "demo-secret",
  AWS_REGION: "us-east-1",
  AWS_EC2_METADATA_DISABLED: "true",
};

/**
 * Runs the AWS part of the demo: starts the fake, points the ssm resolver at it, prints the
 * lazy and parallel timings with their request counts and a redacted dump, then cleans up.
 *
 * @returns When the demo has printed everything and the fake is closed.
 */
export async function runAwsDemo(): Promise<void> {
  const savedEnv = Object.fromEntries(Object.keys(AWS_ENV).map((k) => [k, Deno.env.get(k)]));
  const fake = await startFakeAws({ ssm: PARAMETERS, latencyMs: LATENCY_MS });
  try {
    for (const [k, v] of Object.entries(AWS_ENV)) Deno.env.set(k, v);
    reset();
    configureSsm({ endpoint: fake.url });
    const requests = () => fake.count("GetParameters") + fake.count("GetParameter");
    const secure = Object.values(PARAMETERS).filter((p) => p.type === "SecureString").length;
    console.log(
      `fake AWS at ${fake.url}: ${PATHS.length} SSM parameters (${secure} SecureString), ` +
        `${LATENCY_MS} ms per request\n`,
    );

    console.log(`--- lazy get() of all ${PATHS.length}, one after another ---`);
    const lazy = Config.loads(CONFIG_TEXT);
    let before = requests();
    let t0 = performance.now();
    for (const path of PATHS) await lazy.get(path);
    console.log(
      `lazy: ${(performance.now() - t0).toFixed(0)} ms, ${requests() - before} GetParameters ` +
        `requests (first-use SDK loading included)`,
    );
    console.log(`billing.zones = ${JSON.stringify(await lazy.get("billing.zones"))}\n`);

    console.log("--- resolveAll() on a fresh Config: batched, 10 names per request ---");
    const fresh = Config.loads(CONFIG_TEXT);
    before = requests();
    t0 = performance.now();
    await fresh.resolveAll();
    console.log(
      `resolveAll: ${(performance.now() - t0).toFixed(0)} ms, ${requests() - before} ` +
        `GetParameters requests\n`,
    );

    console.log("--- toYaml({ redact: true }): SecureString values redacted ---");
    console.log(await fresh.toYaml({ redact: true }));
  } finally {
    reset();
    await fake.close();
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  }
}

if (import.meta.main) await runAwsDemo();
