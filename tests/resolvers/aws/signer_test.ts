// Signatures of both signing packages, checked by the fake AWS's independent verifier
// (@smithy/signature-v4) on requests built without any network.

import assert from "node:assert/strict";
import {
  defaultSignerImplementation,
  type SignerImplementation,
  signRequest,
} from "../../../resolvers/aws/_signer.ts";
import { buildRequest } from "../../../resolvers/aws/_protocol.ts";
import type { AwsOperation } from "../../../resolvers/aws/_transport.ts";
import { createFakeAwsCore } from "../../fakes/fake_aws.ts";

const BASE = "http://127.0.0.1:9";
const credentials = {
  accessKeyId: "AKIDSIGNER",
  secretAccessKey: "signer/secret+key",
  sessionToken: "signer-token",
};

async function signedRequest(
  implementation: SignerImplementation,
  operation: AwsOperation,
  options: { now?: number; service?: string } = {},
): Promise<Request> {
  const unsigned = buildRequest(operation, { base: BASE, custom: true });
  const headers = await signRequest({
    ...unsigned,
    service: options.service ??
      (operation.protocol === "json"
        ? "ssm"
        : operation.protocol === "query"
        ? "cloudformation"
        : "s3"),
    region: "eu-west-1",
    credentials,
    now: options.now ?? Date.now(),
  }, { implementation });
  return new Request(unsigned.url, {
    method: unsigned.method,
    headers,
    ...(unsigned.body === "" ? {} : { body: unsigned.body }),
  });
}

const core = () =>
  createFakeAwsCore({
    credentials: {
      AKIDSIGNER: { secretAccessKey: "signer/secret+key", sessionToken: "signer-token" },
    },
    ssm: { "/p/ü n+": "v" },
    s3: { "bucket/dir/a b+c(1)ü~*!'.txt": "object" },
    cfn: { "my stack+1": { Out: "o" } },
  });

const OPERATIONS: [string, AwsOperation][] = [
  ["SSM", { protocol: "json", target: "AmazonSSM.GetParameters", input: { Names: ["/p/ü n+"] } }],
  ["S3", { protocol: "s3-get", bucket: "bucket", key: "dir/a b+c(1)ü~*!'.txt" }],
  ["CloudFormation", {
    protocol: "query",
    action: "DescribeStacks",
    version: "2010-05-15",
    params: { StackName: "my stack+1" },
  }],
];

for (const implementation of ["aws4", "aws4fetch"] as const) {
  for (const [name, operation] of OPERATIONS) {
    Deno.test(`${implementation} signs ${name} requests an independent verifier accepts`, async () => {
      const fake = core();
      const response = await fake.handle(await signedRequest(implementation, operation));
      assert.equal(response.status, 200, await response.clone().text());
      assert.equal(fake.requests[0]!.signature, "valid");
      assert.equal(fake.requests[0]!.sessionToken, "signer-token");
    });
  }

  Deno.test(`${implementation}: a request changed after signing is refused`, async () => {
    const fake = core();
    const signed = await signedRequest(implementation, OPERATIONS[0]![1]);
    const tampered = new Request(signed.url, {
      method: "POST",
      headers: signed.headers,
      body: JSON.stringify({ Names: ["/other"] }),
    });
    const response = await fake.handle(tampered);
    assert.equal(response.status, 400);
    assert.equal(fake.requests[0]!.signature, "InvalidSignatureException");
  });

  Deno.test(`${implementation} signs at the time it is given (X-Amz-Date, scope)`, async () => {
    const headers = await signRequest({
      ...buildRequest(OPERATIONS[0]![1], { base: BASE, custom: true }),
      service: "ssm",
      region: "eu-west-1",
      credentials,
      now: Date.UTC(2031, 4, 6, 7, 8, 9),
    }, { implementation });
    assert.equal(headers["x-amz-date"], "20310506T070809Z");
    assert.match(headers.authorization ?? "", /Credential=AKIDSIGNER\/20310506\/eu-west-1\/ssm\//);
    assert.equal(headers.host, "127.0.0.1:9");
  });
}

Deno.test("the signer is aws4fetch on Deno (WebCrypto is native here)", () => {
  assert.equal(defaultSignerImplementation(), "aws4fetch");
});
