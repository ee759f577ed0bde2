// The Node examples, run next to the installed npm package (scripts/test_npm.ts copies
// examples/node_esm.mjs and examples/lambda_handler.mjs into the scratch project).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeSsm } from "./_fake_ssm.mjs";

const PROJECT = fileURLToPath(new URL(".", import.meta.url));

test("examples/node_esm.mjs: lazy gets, resolveAll, redacted dump", async () => {
  const { code, stdout, stderr } = await new Promise((resolve) => {
    execFile(
      process.execPath,
      ["node_esm.mjs"],
      { cwd: PROJECT, env: { ...process.env, APP_ENV: "staging", PORT: "9090" } },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }),
    );
  });
  assert.equal(stderr, "");
  assert.equal(code, 0);
  assert.match(stdout, /^app\.env = staging$/m);
  assert.match(stdout, /^database\.host = db\.staging\.internal$/m);
  assert.match(stdout, /^app\.port = 9090$/m);
  assert.match(stdout, /^ {2}user: shop_app$/m);
  assert.match(stdout, /^ {2}password: '\[REDACTED\]'$/m);
  assert.match(stdout, /^ {2}url: '\[REDACTED\]'$/m);
  assert.ok(!stdout.includes("s3cr3t-from-vault"));
});

let fake;
let dir;
before(async () => {
  fake = await startFakeSsm({
    "/orders/prod/api-key": { value: "key-0f9e8d7c", type: "SecureString" },
  });
  dir = await mkdtemp(join(tmpdir(), "holoconf-lambda-"));
});
after(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

test("examples/lambda_handler.mjs: one resolveAll across warm invocations", async () => {
  Object.assign(process.env, {
    STAGE: "prod",
    AWS_ACCESS_KEY_ID: "AKIDHOLOCONFLAMBDA",
    AWS_SECRET_ACCESS_KEY: "holoconf-lambda-secret",
    AWS_REGION: "eu-west-1",
    AWS_ENDPOINT_URL_SSM: fake.url,
    AWS_CONFIG_FILE: join(dir, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-aws-credentials"),
  });
  // The module starts resolveAll() at import (the cold start).
  const { handler } = await import("./lambda_handler.mjs");
  const first = await handler({ items: [1, 2] });
  const second = await handler({ items: [3] });
  assert.equal(first.statusCode, 200);
  assert.deepEqual(JSON.parse(first.body), {
    service: "orders",
    stage: "prod",
    endpoint: "https://api.prod.example.com",
    accepted: 2,
    authenticated: true,
  });
  assert.equal(second.statusCode, 200);
  assert.equal(JSON.parse(second.body).accepted, 1);
  // The SSM resolver ran once: one request for both invocations.
  assert.equal(fake.requests.length, 1);
  assert.deepEqual(fake.requests[0].names, ["/orders/prod/api-key"]);
  assert.ok(!first.body.includes("key-0f9e8d7c"));

  const tooMany = await handler({ items: Array.from({ length: 101 }, (_, i) => i) });
  assert.equal(tooMany.statusCode, 400);
  assert.equal(fake.requests.length, 1);
});
