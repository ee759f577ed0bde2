// The light AWS transport in a Node process, from the installed npm package: `${ssm:...}`
// resolves without evaluating any `@aws-sdk/*` module. A child `node` runs with module hooks
// (node:module register) under which every `@aws-sdk/*` specifier fails to resolve, as a package
// that is not installed does, and prints `TRIPWIRE` first. The child resolves a SecureString on the
// default transport (must work), then, as the positive control, on the SDK transport (must fail
// with the error naming the package to install). The hooks also report an ESM import of `aws4`,
// which the signer loads with `require` on Node.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeSsm } from "./_fake_ssm.mjs";

const PROJECT = fileURLToPath(new URL(".", import.meta.url));
const SECRET = "light-pa55-4c1e";

const HOOKS = `
export async function resolve(specifier, context, next) {
  if (specifier === "aws4") process.stderr.write("ESM-IMPORT aws4\\n");
  if (specifier.startsWith("@aws-sdk/")) {
    process.stderr.write("TRIPWIRE " + specifier + "\\n");
    const error = new Error("Cannot find package '" + specifier + "' (tripwire)");
    error.code = "ERR_MODULE_NOT_FOUND";
    throw error;
  }
  return next(specifier, context);
}
`;

const PROBE = `
import { Config } from "holoconf";
import { configureAws, configureSsm } from "holoconf/aws";
configureSsm({ endpoint: process.env.FAKE_SSM_URL });
const yaml = "password: \${ssm:/light/db-password}\\n";
const light = await Config.loads(yaml).get("password");
configureAws({ transport: "sdk" });
const sdk = await Config.loads(yaml).get("password").then(
  () => "resolved",
  (e) => e.message,
);
console.log(JSON.stringify({ light, sdk }));
`;

let fake;
let dir;
before(async () => {
  fake = await startFakeSsm({ "/light/db-password": { value: SECRET, type: "SecureString" } });
  dir = await mkdtemp(join(tmpdir(), "holoconf-node-light-"));
  await writeFile(join(dir, "hooks.mjs"), HOOKS);
  await writeFile(
    join(dir, "register.mjs"),
    `import { register } from "node:module";\n` +
      `register(${JSON.stringify(new URL(`file://${join(dir, "hooks.mjs")}`).href)});\n`,
  );
});

after(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs PROBE in a child `node` under the hooks; its exit code and output. */
function runProbe() {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("AWS_")) delete env[name];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", join(dir, "register.mjs"), "--input-type=module", "--eval", PROBE],
      {
        // The probe imports `holoconf` from the scratch project this file was copied into.
        cwd: PROJECT,
        env: {
          ...env,
          FAKE_SSM_URL: fake.url,
          AWS_ACCESS_KEY_ID: "AKIDHOLOCONFLIGHT",
          AWS_SECRET_ACCESS_KEY: "holoconf-light-secret",
          AWS_REGION: "eu-west-1",
          AWS_CONFIG_FILE: join(dir, "no-aws-config"),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-aws-credentials"),
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }),
    );
  });
}

test("the light transport resolves ${ssm:} in Node without loading @aws-sdk/*", async () => {
  const { code, stdout, stderr } = await runProbe();
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout.trim());
  assert.equal(report.light, SECRET);
  // Positive control: the SDK transport reached the tripwire, and the error names the package.
  assert.match(report.sdk, /needs the npm package @aws-sdk\/client-ssm/);
  assert.match(report.sdk, /npm install @aws-sdk\/client-ssm/);
  assert.deepEqual(stderr.match(/TRIPWIRE \S+/g), ["TRIPWIRE @aws-sdk/client-ssm"]);
  // The one request the fake saw is the light transport's (the SDK never got to send).
  assert.deepEqual(fake.requests.map((r) => r.operation), ["GetParameters"]);
});

test("the light transport loads its signer (aws4, CommonJS) with require, not through the ESM loader", async () => {
  // import() of a CommonJS package costs a fresh Node ≈ 6 ms more than require (runtime.ts).
  const { code, stdout, stderr } = await runProbe();
  assert.equal(code, 0, stderr);
  assert.equal(JSON.parse(stdout.trim()).light, SECRET);
  assert.doesNotMatch(stderr, /ESM-IMPORT aws4/);
});
