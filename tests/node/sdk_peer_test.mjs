// The AWS SDK path once the user has installed its package (`npm i @aws-sdk/client-ssm`):
// scripts/test_npm.ts installs it into the scratch project before running this file.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Config } from "holoconf";
import { configureSsm, reset as resetAws } from "holoconf/aws";
import { startFakeSsm } from "./_fake_ssm.mjs";

let fake;
let dir;

before(async () => {
  fake = await startFakeSsm({ "/sdk/peer": { value: "through-the-sdk", type: "SecureString" } });
  dir = await mkdtemp(join(tmpdir(), "holoconf-sdk-peer-"));
  process.env.AWS_ACCESS_KEY_ID = "AKIDHOLOCONFTEST";
  process.env.AWS_SECRET_ACCESS_KEY = "holoconf-test-secret-key";
  process.env.AWS_REGION = "us-east-1";
  process.env.AWS_CONFIG_FILE = join(dir, "no-aws-config");
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, "no-aws-credentials");
  // The SDK transport for ssm (the light transport is the default).
  configureSsm({ endpoint: fake.url, transport: "sdk" });
});

after(async () => {
  resetAws();
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

test("after npm i @aws-sdk/client-ssm, ${ssm:} resolves through the SDK's client", async () => {
  const config = Config.loads("secret: ${ssm:/sdk/peer}\n");
  assert.equal(await config.get("secret"), "through-the-sdk");
  const [request] = fake.requests;
  assert.match(request.operation, /^GetParameters?$/);
  assert.match(request.userAgent, /aws-sdk-js/, "sent by the SDK client");
});
