import assert from "node:assert/strict";
import {
  checkConfigEndpoint,
  encodeSegment,
  isLoopbackHost,
  resolveEndpoint,
  s3ObjectUrl,
} from "../../../resolvers/aws/_endpoint.ts";
import { withAwsEnv } from "./_light.ts";

Deno.test("endpoint: explicit, then the service's variable, then AWS_ENDPOINT_URL, then AWS's", async () => {
  await withAwsEnv({
    AWS_ENDPOINT_URL_SSM: "http://127.0.0.1:4001",
    AWS_ENDPOINT_URL: "http://127.0.0.1:4000/prefix/",
  }, () => {
    const region = "eu-west-1";
    assert.equal(
      resolveEndpoint("ssm", { region, endpoint: "https://vpce.example:8443" }).base,
      "https://vpce.example:8443",
    );
    assert.deepEqual(resolveEndpoint("ssm", { region }), {
      base: "http://127.0.0.1:4001",
      custom: true,
    });
    assert.equal(resolveEndpoint("cfn", { region }).base, "http://127.0.0.1:4000/prefix");
    Deno.env.set("AWS_ENDPOINT_URL_CLOUDFORMATION", "http://127.0.0.1:4002");
    Deno.env.set("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4003");
    assert.equal(resolveEndpoint("cfn", { region }).base, "http://127.0.0.1:4002");
    assert.equal(resolveEndpoint("s3", { region }).base, "http://127.0.0.1:4003");
    Deno.env.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    assert.deepEqual(resolveEndpoint("ssm", { region }), {
      base: "https://ssm.eu-west-1.amazonaws.com",
      custom: false,
    });
    // An explicit endpoint is not a configured one: it still applies.
    assert.equal(
      resolveEndpoint("ssm", { region, endpoint: "http://127.0.0.1:5000" }).base,
      "http://127.0.0.1:5000",
    );
    return Promise.resolve();
  });
});

Deno.test("endpoint: AWS's hosts per service and partition", async () => {
  await withAwsEnv({}, () => {
    assert.equal(
      resolveEndpoint("s3", { region: "us-east-1" }).base,
      "https://s3.us-east-1.amazonaws.com",
    );
    assert.equal(
      resolveEndpoint("cfn", { region: "cn-north-1" }).base,
      "https://cloudformation.cn-north-1.amazonaws.com.cn",
    );
    return Promise.resolve();
  });
});

Deno.test("endpoint: FIPS and dual-stack requests fail instead of going elsewhere", async () => {
  await withAwsEnv({ AWS_USE_FIPS_ENDPOINT: "true" }, () => {
    assert.throws(() => resolveEndpoint("ssm", { region: "us-east-1" }), /AWS_USE_FIPS_ENDPOINT/);
    assert.equal(
      resolveEndpoint("ssm", {
        region: "us-east-1",
        endpoint: "https://ssm-fips.us-east-1.amazonaws.com",
      })
        .base,
      "https://ssm-fips.us-east-1.amazonaws.com",
    );
    return Promise.resolve();
  });
});

Deno.test("endpoint: a malformed or non-HTTP endpoint is an AWS_ERROR that does not quote it", async () => {
  await withAwsEnv({}, () => {
    for (const endpoint of ["not a url secret-ish", "ftp://127.0.0.1/secret-ish"]) {
      assert.throws(
        () => resolveEndpoint("ssm", { region: "us-east-1", endpoint }),
        (e: unknown) => {
          const err = e as { code: string; message: string };
          return err.code === "AWS_ERROR" && !err.message.includes("secret-ish");
        },
      );
    }
    return Promise.resolve();
  });
});

Deno.test("S3 objects: virtual-hosted on AWS for DNS-label buckets, path-style otherwise", () => {
  const aws = { base: "https://s3.eu-west-1.amazonaws.com", custom: false };
  assert.equal(
    s3ObjectUrl(aws, "my-bucket", "a/b.yaml"),
    "https://my-bucket.s3.eu-west-1.amazonaws.com/a/b.yaml",
  );
  assert.equal(
    s3ObjectUrl(aws, "my.dotted.bucket", "k"),
    "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/k",
  );
  assert.equal(
    s3ObjectUrl(aws, "Upper_Case", "k"),
    "https://s3.eu-west-1.amazonaws.com/Upper_Case/k",
  );
  const custom = { base: "http://127.0.0.1:9000/minio", custom: true };
  assert.equal(
    s3ObjectUrl(custom, "my-bucket", "a b/ü+.txt"),
    "http://127.0.0.1:9000/minio/my-bucket/a%20b/%C3%BC%2B.txt",
  );
});

Deno.test("encodeSegment escapes everything but RFC 3986's unreserved characters", () => {
  assert.equal(encodeSegment("AZaz09-_.~"), "AZaz09-_.~");
  assert.equal(encodeSegment("!'()*"), "%21%27%28%29%2A");
  assert.equal(encodeSegment("a/b?c#d&e=f+g h%"), "a%2Fb%3Fc%23d%26e%3Df%2Bg%20h%25");
});

Deno.test("checkConfigEndpoint() allows loopback and allowlisted endpoints, nothing else", async () => {
  for (
    const url of [
      "http://127.0.0.1:4566",
      "https://127.9.9.9",
      "http://[::1]:4566",
      "http://localhost",
    ]
  ) {
    await checkConfigEndpoint(url, []);
  }
  const allowlist = ["https://*.vpce.amazonaws.com/*", "https://ssm.eu-west-1.amazonaws.com"];
  await checkConfigEndpoint("https://vpce-0a1.ssm.eu-west-1.vpce.amazonaws.com", allowlist);
  await checkConfigEndpoint("https://ssm.eu-west-1.amazonaws.com/", allowlist);
  for (
    const url of [
      "https://ssm.us-east-1.amazonaws.com", // AWS itself, but not allowlisted
      "http://vpce-0a1.ssm.eu-west-1.vpce.amazonaws.com", // the pattern's scheme is https
      "https://evil.example/.vpce.amazonaws.com/",
      "https://vpce.amazonaws.com@evil.example/",
      "http://127.0.0.1.evil.example",
      "http://128.0.0.1",
    ]
  ) {
    await assert.rejects(
      checkConfigEndpoint(url, allowlist),
      { code: "AWS_ENDPOINT_NOT_ALLOWED" },
      url,
    );
  }
  assert.equal(isLoopbackHost("127.0.0.1"), true);
  assert.equal(isLoopbackHost("127.0.0.256"), false);
});
