// The fake AWS refuses requests that AWS would refuse for their signature, in AWS's shapes.

import assert from "node:assert/strict";
import { signRequest } from "../../resolvers/aws/_signer.ts";
import { buildRequest } from "../../resolvers/aws/_protocol.ts";
import type { AwsOperation } from "../../resolvers/aws/_transport.ts";
import { createFakeAwsCore, FAKE_AWS_CREDENTIALS, startFakeAws } from "./fake_aws.ts";

const NOW = Date.UTC(2030, 5, 1, 12, 0, 0);
const SSM: AwsOperation = {
  protocol: "json",
  target: "AmazonSSM.GetParameters",
  input: { Names: ["/a"] },
};
const S3: AwsOperation = { protocol: "s3-get", bucket: "b", key: "k" };
const CFN: AwsOperation = {
  protocol: "query",
  action: "DescribeStacks",
  version: "2010-05-15",
  params: { StackName: "st" },
};
const SIGNING: Record<string, string> = { json: "ssm", "s3-get": "s3", query: "cloudformation" };

function fake() {
  return createFakeAwsCore({
    credentials: {
      AKIDGOOD: "good-secret",
      AKIDTOKEN: { secretAccessKey: "t", sessionToken: "tok" },
    },
    now: () => NOW,
    ssm: { "/a": "x" },
    s3: { "b/k": "y" },
    cfn: { st: { O: "z" } },
  });
}

async function request(
  operation: AwsOperation,
  options: {
    accessKeyId?: string;
    secret?: string;
    token?: string;
    at?: number;
    service?: string;
    unsigned?: boolean;
  } = {},
): Promise<Request> {
  const unsigned = buildRequest(operation, { base: "http://127.0.0.1:9", custom: true });
  const headers = options.unsigned ? { ...unsigned.headers } : await signRequest({
    ...unsigned,
    service: options.service ?? SIGNING[operation.protocol]!,
    region: "us-east-1",
    credentials: {
      accessKeyId: options.accessKeyId ?? "AKIDGOOD",
      secretAccessKey: options.secret ?? "good-secret",
      ...(options.token === undefined ? {} : { sessionToken: options.token }),
    },
    now: options.at ?? NOW,
  });
  return new Request(unsigned.url, {
    method: unsigned.method,
    headers,
    ...(unsigned.body === "" ? {} : { body: unsigned.body }),
  });
}

async function refusal(
  operation: AwsOperation,
  options: Parameters<typeof request>[1],
): Promise<[number, string]> {
  const core = fake();
  const response = await core.handle(await request(operation, options));
  await response.body?.cancel();
  return [response.status, core.requests[0]!.signature];
}

Deno.test("fake AWS serves a well-signed request and records it as valid", async () => {
  for (const operation of [SSM, S3, CFN]) {
    const core = fake();
    const response = await core.handle(await request(operation));
    assert.equal(response.status, 200, await response.text());
    assert.equal(core.requests[0]!.signature, "valid");
    assert.equal(response.headers.get("date"), new Date(NOW).toUTCString());
  }
});

Deno.test("fake AWS refuses unsigned requests as each service does", async () => {
  assert.deepEqual(await refusal(SSM, { unsigned: true }), [
    400,
    "MissingAuthenticationTokenException",
  ]);
  assert.deepEqual(await refusal(S3, { unsigned: true }), [403, "AccessDenied"]);
  assert.deepEqual(await refusal(CFN, { unsigned: true }), [403, "MissingAuthenticationToken"]);
});

Deno.test("fake AWS refuses a wrong secret", async () => {
  assert.deepEqual(await refusal(SSM, { secret: "bad" }), [400, "InvalidSignatureException"]);
  assert.deepEqual(await refusal(S3, { secret: "bad" }), [403, "SignatureDoesNotMatch"]);
  assert.deepEqual(await refusal(CFN, { secret: "bad" }), [403, "SignatureDoesNotMatch"]);
});

Deno.test("fake AWS refuses an unknown access key and a wrong or missing session token", async () => {
  assert.deepEqual(await refusal(SSM, { accessKeyId: "AKIDNOBODY" }), [
    400,
    "UnrecognizedClientException",
  ]);
  assert.deepEqual(await refusal(S3, { accessKeyId: "AKIDNOBODY" }), [403, "InvalidAccessKeyId"]);
  assert.deepEqual(await refusal(CFN, { accessKeyId: "AKIDNOBODY" }), [
    403,
    "InvalidClientTokenId",
  ]);
  const token = { accessKeyId: "AKIDTOKEN", secret: "t" };
  assert.deepEqual(await refusal(SSM, { ...token, token: "tok" }), [200, "valid"]);
  assert.deepEqual(await refusal(SSM, token), [400, "UnrecognizedClientException"]);
  assert.deepEqual(await refusal(S3, { ...token, token: "other" }), [400, "InvalidToken"]);
  assert.deepEqual(await refusal(SSM, { token: "unexpected" }), [
    400,
    "UnrecognizedClientException",
  ]);
});

Deno.test("fake AWS refuses requests signed more than 5 minutes (S3: 15) from its clock", async () => {
  const min = 60_000;
  assert.deepEqual(await refusal(SSM, { at: NOW - 4 * min }), [200, "valid"]);
  assert.deepEqual(await refusal(SSM, { at: NOW - 6 * min }), [400, "InvalidSignatureException"]);
  assert.deepEqual(await refusal(SSM, { at: NOW + 6 * min }), [400, "InvalidSignatureException"]);
  assert.deepEqual(await refusal(CFN, { at: NOW + 6 * min }), [400, "SignatureDoesNotMatch"]);
  assert.deepEqual(await refusal(S3, { at: NOW - 10 * min }), [200, "valid"]);
  assert.deepEqual(await refusal(S3, { at: NOW - 16 * min }), [403, "RequestTimeTooSkewed"]);
  const core = fake();
  const response = await core.handle(await request(SSM, { at: NOW - 6 * min }));
  const body = await response.json();
  assert.match(body.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
});

Deno.test("fake AWS refuses a signature scoped to another service", async () => {
  assert.deepEqual(await refusal(SSM, { service: "s3" }), [400, "InvalidSignatureException"]);
  assert.deepEqual(await refusal(CFN, { service: "cfn" }), [403, "SignatureDoesNotMatch"]);
});

Deno.test("fake AWS refuses an S3 request whose payload hash does not match", async () => {
  const core = fake();
  const signed = await request(S3);
  const headers = new Headers(signed.headers);
  headers.set("x-amz-content-sha256", "0".repeat(64));
  const response = await core.handle(new Request(signed.url, { headers }));
  assert.equal(response.status, 400);
  assert.equal(core.requests[0]!.signature, "XAmzContentSHA256Mismatch");
});

Deno.test("fake AWS accepts what the AWS SDK signs (default credentials table)", async () => {
  const server = await startFakeAws({ ssm: { "/sdk": "ok" } });
  try {
    const { SSMClient, GetParametersCommand } = await import("@aws-sdk/client-ssm");
    const [accessKeyId, secret] = Object.entries(FAKE_AWS_CREDENTIALS)[0]!;
    const client = new SSMClient({
      region: "us-east-1",
      endpoint: server.url,
      credentials: { accessKeyId, secretAccessKey: secret as string },
    });
    const out = await client.send(new GetParametersCommand({ Names: ["/sdk"] }));
    client.destroy();
    assert.equal(out.Parameters?.[0]?.Value, "ok");
    assert.deepEqual(server.requests.map((r) => r.signature), ["valid"]);
  } finally {
    await server.close();
  }
});
