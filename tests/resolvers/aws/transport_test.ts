// The light AWS transport end to end, against the loopback fake AWS that checks every SigV4
// signature with an independent implementation (@smithy/signature-v4).

import assert from "node:assert/strict";
import { type AwsRequest, awsRequest, AwsRequestError } from "../../../resolvers/aws/_transport.ts";
import type { SignerImplementation } from "../../../resolvers/aws/_signer.ts";
import { childElements, childText, parseXml } from "../../../resolvers/aws/_xml.ts";
import {
  type AwsHttpSend,
  HttpConnectionError,
  sendWithFetch,
  sendWithNodeHttp,
} from "../../../src/runtime_aws_http.ts";
import { type FakeAws, type FakeAwsOptions, startFakeAws } from "../../fakes/fake_aws.ts";
import { assertNotShown } from "../../_error_views.ts";
import { fakeClock, stuckClock, withAwsEnv } from "./_light.ts";
import { startFakeContainerCredentials } from "../../fakes/fake_container_credentials.ts";
import { ROOT, runProbe, writeTripwireImportMap } from "../../_tripwire.ts";

const KEY = "AKIDLIGHTFAKE";
const SECRET = "light-secret/with+chars";
const TOKEN = "light-session-token";
const CREDENTIALS = { [KEY]: { secretAccessKey: SECRET, sessionToken: TOKEN } };
const ENV = { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN };
const never = new AbortController().signal;

async function withFake(
  options: FakeAwsOptions,
  vars: Record<string, string>,
  fn: (fake: FakeAws) => Promise<void>,
): Promise<void> {
  const fake = await startFakeAws({ credentials: CREDENTIALS, ...options });
  try {
    await withAwsEnv({ AWS_REGION: "us-east-1", ...vars }, () => fn(fake));
  } finally {
    await fake.close();
  }
}

const text = (body: Uint8Array) => new TextDecoder().decode(body);

function ssmGet(fake: FakeAws, names: string[], extra: Partial<AwsRequest> = {}): AwsRequest {
  return {
    service: "ssm",
    operation: {
      protocol: "json",
      target: "AmazonSSM.GetParameters",
      input: { Names: names, WithDecryption: true },
    },
    endpoint: fake.url,
    signal: never,
    ...extra,
  };
}

function s3Get(fake: FakeAws, bucket: string, key: string): AwsRequest {
  return {
    service: "s3",
    operation: { protocol: "s3-get", bucket, key },
    endpoint: fake.url,
    signal: never,
  };
}

function cfnDescribe(fake: FakeAws, stack: string): AwsRequest {
  return {
    service: "cfn",
    operation: {
      protocol: "query",
      action: "DescribeStacks",
      version: "2010-05-15",
      params: { StackName: stack },
    },
    endpoint: fake.url,
    signal: never,
  };
}

const COMBINATIONS: [SignerImplementation, string, AwsHttpSend][] = [
  ["aws4", "node:http", sendWithNodeHttp],
  ["aws4", "fetch", sendWithFetch],
  ["aws4fetch", "node:http", sendWithNodeHttp],
  ["aws4fetch", "fetch", sendWithFetch],
];

for (const [signer, senderName, send] of COMBINATIONS) {
  Deno.test(`awsRequest signs SSM with a session token (${signer} over ${senderName})`, async () => {
    await withFake({ ssm: { "/app/db/host": "db.internal" } }, ENV, async (fake) => {
      const response = await awsRequest(ssmGet(fake, ["/app/db/host", "/app/missing"]), {
        signer,
        send,
      });
      const out = JSON.parse(text(response.body));
      assert.equal(out.Parameters[0].Value, "db.internal");
      assert.deepEqual(out.InvalidParameters, ["/app/missing"]);
      assert.equal(fake.requests.length, 1);
      assert.equal(fake.requests[0]!.signature, "valid");
      assert.equal(fake.requests[0]!.sessionToken, TOKEN);
      assert.equal(fake.requests[0]!.accessKeyId, KEY);
    });
  });

  Deno.test(`awsRequest escapes S3 names with spaces, unicode, + and / (${signer} over ${senderName})`, async () => {
    const key = "dir/with space/ünïcødé+plus=(1)!*'~.txt";
    await withFake({ s3: { [`my-bucket/${key}`]: "object body" } }, ENV, async (fake) => {
      const response = await awsRequest(s3Get(fake, "my-bucket", key), { signer, send });
      assert.equal(text(response.body), "object body");
      assert.deepEqual(fake.requests.map((r) => [r.signature, r.names[0]]), [[
        "valid",
        `my-bucket/${key}`,
      ]]);
    });
  });

  Deno.test(`awsRequest sends CloudFormation's Query form and reads its XML (${signer} over ${senderName})`, async () => {
    const stack = "stack with spaces+plus/ü";
    await withFake({ cfn: { [stack]: { Url: "https://x/?a=1&b=<2>" } } }, ENV, async (fake) => {
      const response = await awsRequest(cfnDescribe(fake, stack), { signer, send });
      const root = await parseXml(text(response.body));
      const member = childElements(
        childElements(root, "DescribeStacksResult")[0]!.children[0]!,
        "member",
      )[0]!;
      assert.equal(childText(member, "StackName"), stack);
      const output = childElements(childElements(member, "Outputs")[0]!, "member")[0]!;
      assert.equal(childText(output, "OutputValue"), "https://x/?a=1&b=<2>");
      assert.equal(fake.requests[0]!.signature, "valid");
    });
  });
}

Deno.test("awsRequest errors have the SDK's shape: AWS code as name, status, request id", async () => {
  await withFake({ ssm: {}, cfn: {} }, ENV, async (fake) => {
    const ssm = await assertRejectsAws(awsRequest({
      service: "ssm",
      operation: { protocol: "json", target: "AmazonSSM.GetParameter", input: { Name: "/nope" } },
      endpoint: fake.url,
      signal: never,
    }));
    assert.equal(ssm.name, "ParameterNotFound");
    assert.equal(ssm.message, "Parameter /nope not found.");
    assert.equal(ssm.code, "AWS_ERROR");
    assert.equal(ssm.$metadata.httpStatusCode, 400);
    assert.match(ssm.$metadata.requestId ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(ssm.$fault, "client");

    const s3 = await assertRejectsAws(awsRequest(s3Get(fake, "no-bucket", "k")));
    assert.equal(s3.name, "NoSuchBucket");
    assert.equal(s3.$metadata.httpStatusCode, 404);
    assert.match(s3.$metadata.requestId ?? "", /^[0-9a-f-]{36}$/);

    const cfn = await assertRejectsAws(awsRequest(cfnDescribe(fake, "gone")));
    assert.equal(cfn.name, "ValidationError");
    assert.equal(cfn.message, "Stack with id gone does not exist");
    // Client errors are not retried.
    assert.equal(fake.requests.length, 3);
  });
});

async function assertRejectsAws(p: Promise<unknown>): Promise<AwsRequestError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AwsRequestError, `an AwsRequestError, got ${err}`);
    return err;
  }
  assert.fail("expected a rejection");
}

Deno.test("awsRequest with a wrong secret is refused as AWS refuses it, and the secret is not shown", async () => {
  const wrong = { ...ENV, AWS_SECRET_ACCESS_KEY: "not-the-secret-key" };
  await withFake({ ssm: { "/a": "x" }, s3: { "b/k": "x" } }, wrong, async (fake) => {
    const ssm = await assertRejectsAws(awsRequest(ssmGet(fake, ["/secret-name-in-body"])));
    assert.equal(ssm.name, "InvalidSignatureException");
    assert.equal(ssm.$metadata.httpStatusCode, 400);
    const s3 = await assertRejectsAws(awsRequest(s3Get(fake, "b", "secret-key-in-path")));
    assert.equal(s3.name, "SignatureDoesNotMatch");
    assert.equal(s3.$metadata.httpStatusCode, 403);
    for (const e of [ssm, s3]) {
      assertNotShown(e, [
        "not-the-secret-key",
        TOKEN,
        "secret-name-in-body",
        "secret-key-in-path",
      ]);
    }
    assert.deepEqual(fake.requests.map((r) => r.signature), [
      "InvalidSignatureException",
      "SignatureDoesNotMatch",
    ]);
  });
});

Deno.test("awsRequest without the session token the credentials need is refused", async () => {
  const noToken = { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET };
  await withFake({ ssm: { "/a": "x" } }, noToken, async (fake) => {
    const e = await assertRejectsAws(awsRequest(ssmGet(fake, ["/a"])));
    assert.equal(e.name, "UnrecognizedClientException");
  });
});

Deno.test("awsRequest corrects a clock 10 minutes fast from AWS's Date and succeeds on the retry", async () => {
  await withFake({ ssm: { "/a": "x" }, cfn: { st: { O: "v" } } }, ENV, async (fake) => {
    const clock = fakeClock(Date.now() + 10 * 60_000);
    const first = await awsRequest(ssmGet(fake, ["/a"]), { clock, random: () => 0 });
    assert.equal(first.status, 200);
    assert.deepEqual(fake.requests.map((r) => r.signature), ["InvalidSignatureException", "valid"]);
    // The offset is kept: the next request (another service) is signed right the first time.
    await awsRequest(cfnDescribe(fake, "st"), { clock });
    assert.deepEqual(fake.requests.map((r) => r.signature).slice(2), ["valid"]);
  });
});

Deno.test("awsRequest: S3's RequestTimeTooSkewed is an error of the SDK's shape when no attempt is left", async () => {
  // Our clock runs 20 minutes behind the fake's; the skew is learnt from the answer's Date
  // (so a retry would be signed right), but with one attempt the error is thrown.
  await withFake({ s3: { "b/k": "x" } }, ENV, async (fake) => {
    const e = await assertRejectsAws(
      awsRequest(s3Get(fake, "b", "k"), {
        clock: fakeClock(Date.now() - 20 * 60_000),
        maxAttempts: 1,
      }),
    );
    assert.equal(e.name, "RequestTimeTooSkewed");
    assert.equal(e.$metadata.httpStatusCode, 403);
    assert.equal(e.$clockSkewCorrected, true);
  });
});

Deno.test("awsRequest retries throttling with the SDK's backoff, then succeeds", async () => {
  await withFake({ ssm: { "/a": "x" }, throttleFirst: 2 }, ENV, async (fake) => {
    const clock = fakeClock();
    const response = await awsRequest(ssmGet(fake, ["/a"]), { clock, random: () => 0.5 });
    assert.equal(response.status, 200);
    assert.equal(fake.count("GetParameters"), 3);
    // Throttling base 500 ms, full jitter (0.5), doubled per retry.
    assert.deepEqual(clock.waits, [250, 500]);
  });
});

Deno.test("awsRequest gives up after 3 attempts with the last error and its metadata", async () => {
  await withFake({ ssm: { "/a": "x" }, throttleFirst: 5 }, ENV, async (fake) => {
    const clock = fakeClock();
    const e = await assertRejectsAws(
      awsRequest(ssmGet(fake, ["/a"]), { clock, random: () => 0.5 }),
    );
    assert.equal(e.name, "ThrottlingException");
    assert.equal(e.$metadata.attempts, 3);
    assert.equal(e.$metadata.totalRetryDelay, 750);
    assert.equal(fake.count("GetParameters"), 3);
  });
});

Deno.test("awsRequest retries a 5xx answer with the transient backoff", async () => {
  await withFake({ s3: { "b/k": "x" }, failFirst: 1 }, ENV, async (fake) => {
    const clock = fakeClock();
    const response = await awsRequest(s3Get(fake, "b", "k"), { clock, random: () => 0.5 });
    assert.equal(text(response.body), "x");
    assert.equal(fake.count("GetObject"), 2);
    assert.deepEqual(clock.waits, [50]);
  });
});

Deno.test("awsRequest honours Retry-After when it asks for longer than the backoff", async () => {
  await withFake({ ssm: { "/a": "x" } }, ENV, async (fake) => {
    let calls = 0;
    const send: AwsHttpSend = async (request) => {
      calls++;
      if (calls === 1) {
        return {
          status: 503,
          headers: { "retry-after": "3", "content-type": "application/x-amz-json-1.1" },
          body: new TextEncoder().encode('{"__type":"ServiceUnavailable","message":"busy"}'),
        };
      }
      return await sendWithFetch(request);
    };
    const clock = fakeClock();
    const response = await awsRequest(ssmGet(fake, ["/a"]), { clock, random: () => 0.5, send });
    assert.equal(response.status, 200);
    assert.deepEqual(clock.waits, [3000]);
  });
});

Deno.test("awsRequest retries a connection reset", async () => {
  await withFake({ ssm: { "/a": "x" } }, ENV, async (fake) => {
    let calls = 0;
    const send: AwsHttpSend = (request) => {
      calls++;
      if (calls === 1) {
        return Promise.reject(new HttpConnectionError("ECONNRESET", new URL(fake.url).origin));
      }
      return sendWithFetch(request);
    };
    const clock = fakeClock();
    const response = await awsRequest(ssmGet(fake, ["/a"]), { clock, random: () => 0.5, send });
    assert.equal(response.status, 200);
    assert.equal(calls, 2);
    assert.deepEqual(clock.waits, [50]);
  });
});

Deno.test("awsRequest reports a refused connection after its retries, by code", async () => {
  await withAwsEnv({ ...ENV, AWS_REGION: "us-east-1" }, async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const clock = fakeClock();
    const e = await assertRejectsAws(awsRequest({
      service: "ssm",
      operation: { protocol: "json", target: "AmazonSSM.GetParameters", input: { Names: ["/s"] } },
      endpoint: `http://127.0.0.1:${port}`,
      signal: never,
    }, { clock, random: () => 0.5 }));
    assert.equal(e.name, "ECONNREFUSED");
    assert.equal(e.$metadata.httpStatusCode, undefined);
    assert.equal(e.$metadata.attempts, 3);
    assert.deepEqual(clock.waits, [50, 100]);
  });
});

Deno.test("awsRequest starts no retry wait that would end after the deadline", async () => {
  await withFake({ ssm: { "/a": "x" }, throttleFirst: 5 }, ENV, async (fake) => {
    const clock = fakeClock();
    const e = await assertRejectsAws(awsRequest(
      ssmGet(fake, ["/a"], { deadline: clock.now() + 300 }),
      { clock, random: () => 0.5 },
    ));
    // The first wait (250 ms) fits; the second (500 ms) would end after the deadline.
    assert.equal(e.name, "ThrottlingException");
    assert.deepEqual(clock.waits, [250]);
    assert.equal(fake.count("GetParameters"), 2);
  });
});

Deno.test("awsRequest: an abort ends a retry wait at once", async () => {
  await withFake({ ssm: { "/a": "x" }, throttleFirst: 5 }, ENV, async (fake) => {
    const clock = stuckClock();
    const controller = new AbortController();
    const pending = awsRequest(ssmGet(fake, ["/a"], { signal: controller.signal }), { clock });
    await clock.waited;
    const reason = new Error("caller gave up");
    controller.abort(reason);
    await assert.rejects(pending, (e) => e === reason);
    assert.equal(clock.waiting, 0);
    assert.equal(fake.count("GetParameters"), 1);
  });
});

for (
  const [senderName, send] of [["node:http", sendWithNodeHttp], ["fetch", sendWithFetch]] as const
) {
  Deno.test(`awsRequest: an abort ends the request in flight at once (${senderName})`, async () => {
    await withFake({ ssm: { "/a": "x" }, hang: true }, ENV, async (fake) => {
      const controller = new AbortController();
      const pending = awsRequest(ssmGet(fake, ["/a"], { signal: controller.signal }), { send });
      await fake.until((f) => f.waiting === 1);
      const reason = new Error("timeout");
      controller.abort(reason);
      await assert.rejects(pending, (e) => e === reason);
      if (senderName === "fetch") {
        // The fake sees the client go away. (Deno's node:http compatibility layer does not
        // always close the connection of a destroyed request at once; Node's does.)
        await fake.until((f) => f.waiting === 0);
      }
      assert.equal(fake.count("GetParameters"), 1);
    });
  });
}

Deno.test("awsRequest follows AWS_ENDPOINT_URL_<SERVICE> over AWS_ENDPOINT_URL", async () => {
  await withFake({ ssm: { "/a": "x" }, s3: { "b/k": "y" } }, ENV, async (fake) => {
    Deno.env.set("AWS_ENDPOINT_URL_SSM", fake.url);
    Deno.env.set("AWS_ENDPOINT_URL", "http://127.0.0.1:9"); // unused: the SSM variable wins
    const response = await awsRequest(ssmGet(fake, ["/a"], { endpoint: undefined }));
    assert.equal(response.status, 200);
    Deno.env.set("AWS_ENDPOINT_URL", fake.url);
    const s3 = await awsRequest({ ...s3Get(fake, "b", "k"), endpoint: undefined });
    assert.equal(text(s3.body), "y");
    assert.equal(fake.requests.length, 2);
  });
});

Deno.test("awsRequest ignores endpoint variables under AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", async () => {
  await withAwsEnv({
    ...ENV,
    AWS_REGION: "eu-west-1",
    AWS_ENDPOINT_URL_SSM: "http://127.0.0.1:9",
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true",
  }, async () => {
    const urls: string[] = [];
    const send: AwsHttpSend = (request) => {
      urls.push(request.url);
      return Promise.resolve({ status: 200, headers: {}, body: new Uint8Array() });
    };
    await awsRequest({
      service: "ssm",
      operation: { protocol: "json", target: "AmazonSSM.GetParameters", input: {} },
      signal: never,
    }, { send });
    assert.deepEqual(urls, ["https://ssm.eu-west-1.amazonaws.com/"]);
  });
});

Deno.test("awsRequest signs for the region of the kwarg, then AWS_REGION, then AWS_DEFAULT_REGION", async () => {
  await withFake({ ssm: { "/a": "x" } }, { AWS_DEFAULT_REGION: "eu-central-1" }, async (fake) => {
    Deno.env.set("AWS_ACCESS_KEY_ID", KEY);
    Deno.env.set("AWS_SECRET_ACCESS_KEY", SECRET);
    Deno.env.set("AWS_SESSION_TOKEN", TOKEN);
    await awsRequest(ssmGet(fake, ["/a"], { region: "ap-south-1" }));
    await awsRequest(ssmGet(fake, ["/a"]));
    Deno.env.delete("AWS_REGION");
    await awsRequest(ssmGet(fake, ["/a"]));
    assert.deepEqual(fake.requests.map((r) => r.region), [
      "ap-south-1",
      "us-east-1",
      "eu-central-1",
    ]);
  });
});

Deno.test("awsRequest signs with a profile's credentials from the SDK's providers", async () => {
  await withFake({ ssm: { "/a": "x" } }, {}, async (fake) => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(
        `${dir}/credentials`,
        `[other]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n` +
          `aws_session_token = ${TOKEN}\n`,
      );
      Deno.env.set("AWS_SHARED_CREDENTIALS_FILE", `${dir}/credentials`);
      Deno.env.set("AWS_CONFIG_FILE", `${dir}/config`);
      // A profile makes the environment's keys be ignored, as in the SDK.
      Deno.env.set("AWS_ACCESS_KEY_ID", "AKIDIGNORED");
      Deno.env.set("AWS_SECRET_ACCESS_KEY", "ignored");
      await awsRequest(ssmGet(fake, ["/a"], { profile: "other" }));
      assert.deepEqual(fake.requests.map((r) => [r.accessKeyId, r.signature]), [[KEY, "valid"]]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("awsRequest signs with container credentials, fetched once for several requests", async () => {
  const container = await startFakeContainerCredentials({
    token: "pod-identity-token",
    credentials: [{
      accessKeyId: KEY,
      secretAccessKey: SECRET,
      token: TOKEN,
      expiration: Date.now() + 3_600_000,
    }],
  });
  try {
    await withFake({ ssm: { "/a": "x" } }, {}, async (fake) => {
      Deno.env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.url);
      Deno.env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "pod-identity-token");
      await Promise.all([awsRequest(ssmGet(fake, ["/a"])), awsRequest(ssmGet(fake, ["/a"]))]);
      await awsRequest(ssmGet(fake, ["/a"]));
      assert.deepEqual(fake.requests.map((r) => [r.signature, r.sessionToken]), [
        ["valid", TOKEN],
        ["valid", TOKEN],
        ["valid", TOKEN],
      ]);
      assert.equal(container.count, 1);
    });
  } finally {
    await container.close();
  }
});

Deno.test("awsRequest loads no @aws-sdk or @smithy module on the environment-credentials path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "holoconf_light_tripwire_" });
  const fake = await startFakeAws({ credentials: CREDENTIALS, ssm: { "/probe": "light" } });
  const specifiers = [
    "@aws-sdk/client-ssm",
    "@aws-sdk/client-s3",
    "@aws-sdk/client-cloudformation",
    "@aws-sdk/credential-providers",
    "@smithy/core/config",
  ];
  try {
    await writeTripwireImportMap(
      dir,
      specifiers.map((specifier, i) => ({
        specifier,
        file: `tripwire_${i}.js`,
        source: (real) =>
          specifier === "@aws-sdk/credential-providers"
            // Stands for a package that is not installed.
            ? `globalThis.__sdkLoads = [...(globalThis.__sdkLoads ?? []), ${
              JSON.stringify(specifier)
            }];\nthrow new Error("Cannot find package");\n`
            : `globalThis.__sdkLoads = [...(globalThis.__sdkLoads ?? []), ${
              JSON.stringify(specifier)
            }];\nexport * from ${JSON.stringify(real)};\n`,
      })),
    );
    const transport = new URL("resolvers/aws/_transport.ts", ROOT).href;
    const report = await runProbe(
      dir,
      `import { awsRequest } from ${JSON.stringify(transport)};
const loads = () => [...((globalThis as { __sdkLoads?: string[] }).__sdkLoads ?? [])];
const request = (profile?: string) => awsRequest({
  service: "ssm",
  operation: { protocol: "json", target: "AmazonSSM.GetParameters", input: { Names: ["/probe"] } },
  endpoint: Deno.args[0],
  ...(profile ? { profile } : {}),
  signal: new AbortController().signal,
});
const response = await request();
const value = JSON.parse(new TextDecoder().decode(response.body)).Parameters[0].Value;
const afterEnv = loads();
let profileError = "";
try {
  await request("other");
} catch (e) {
  profileError = String((e as Error).name) + ": " + String((e as Error).message);
}
console.log(JSON.stringify({ value, afterEnv, afterProfile: loads(), profileError }));
`,
      {
        permissions: ["--allow-env", "--allow-read", "--allow-net=127.0.0.1"],
        args: [fake.url],
        env: { ...ENV, AWS_REGION: "us-east-1", AWS_PROFILE: "", HOME: dir },
      },
    );
    assert.equal(report.value, "light");
    assert.deepEqual(report.afterEnv, [], "no SDK module on the environment-credentials path");
    // Positive control: a profile goes to the SDK's providers, whose absence is named.
    assert.deepEqual(report.afterProfile, ["@aws-sdk/credential-providers"]);
    assert.match(
      String(report.profileError),
      /^CredentialsProviderError: .*@aws-sdk\/credential-providers/,
    );
  } finally {
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});
