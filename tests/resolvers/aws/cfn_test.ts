import assert from "node:assert/strict";
import { cfnResolver } from "../../../resolvers/aws/mod.ts";
import { NotFoundError, ResolverError } from "../../../src/errors.ts";
import { makeCall, withFakeAws } from "./_helpers.ts";

const STACKS = {
  "my-stack": { BucketName: "my-bucket", VpcId: "vpc-12345", Empty: null },
  "west-stack": { outputs: { Name: "west" }, region: "us-west-2" },
};

function get(arg: string, options: Parameters<typeof makeCall>[2] = {}): Promise<unknown> {
  return cfnResolver.resolve(arg, makeCall("cfn", arg, options));
}

Deno.test("cfn returns a stack output", async () => {
  await withFakeAws({ cfn: STACKS }, async (fake) => {
    assert.equal(await get("my-stack/BucketName"), "my-bucket");
    assert.equal(fake.count("DescribeStacks"), 1);
    assert.deepEqual(fake.requests[0]!.names, ["my-stack"]);
  });
});

Deno.test("cfn shares one DescribeStacks among concurrent outputs of a stack", async () => {
  await withFakeAws({ cfn: STACKS }, async (fake) => {
    const [a, b] = await Promise.all([get("my-stack/BucketName"), get("my-stack/VpcId")]);
    assert.equal(a, "my-bucket");
    assert.equal(b, "vpc-12345");
    assert.equal(fake.count("DescribeStacks"), 1);
  });
});

Deno.test("cfn does not keep results after the shared request settles", async () => {
  await withFakeAws({ cfn: STACKS }, async (fake) => {
    assert.equal(await get("my-stack/BucketName"), "my-bucket");
    assert.equal(await get("my-stack/BucketName"), "my-bucket");
    assert.equal(fake.count("DescribeStacks"), 2);
  });
});

Deno.test("cfn never shares a request between different regions", async () => {
  await withFakeAws(
    { cfn: { ...STACKS, "west-stack": { outputs: { Name: "w" } } } },
    async (fake) => {
      await Promise.all([
        get("west-stack/Name"),
        get("west-stack/Name", { kwargs: { region: "us-west-2" } }),
      ]);
      assert.equal(fake.count("DescribeStacks"), 2);
      assert.deepEqual(fake.requests.map((r) => r.region).sort(), ["us-east-1", "us-west-2"]);
    },
  );
});

Deno.test("cfn region kwarg reaches AWS", async () => {
  await withFakeAws({ cfn: STACKS }, async () => {
    assert.equal(await get("west-stack/Name", { kwargs: { region: "us-west-2" } }), "west");
    await assert.rejects(get("west-stack/Name"), NotFoundError);
  });
});

Deno.test("cfn a missing stack is NotFoundError", async () => {
  await withFakeAws({ cfn: STACKS }, async () => {
    await assert.rejects(get("no-stack/X"), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.match(err.message, /CloudFormation stack not found: no-stack/);
      return true;
    });
  });
});

Deno.test("cfn a missing output, or one without a value, is NotFoundError", async () => {
  await withFakeAws({ cfn: STACKS }, async () => {
    await assert.rejects(get("my-stack/Nope"), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.match(err.message, /CloudFormation output not found: my-stack\/Nope/);
      assert.match(err.message, /BucketName/);
      return true;
    });
    await assert.rejects(get("my-stack/Empty"), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.match(err.message, /has no value/);
      return true;
    });
  });
});

Deno.test("cfn concurrent calls for a missing stack share the request and all fail", async () => {
  await withFakeAws({ cfn: STACKS }, async (fake) => {
    const results = await Promise.allSettled([get("gone/A"), get("gone/B")]);
    for (const r of results) {
      assert.equal(r.status, "rejected");
      assert.ok(r.status === "rejected" && r.reason instanceof NotFoundError);
    }
    assert.equal(fake.count("DescribeStacks"), 1);
  });
});

Deno.test("cfn AccessDenied is a ResolverError, not not-found", async () => {
  await withFakeAws({ cfn: STACKS, deny: ["my-stack"] }, async () => {
    await assert.rejects(get("my-stack/VpcId"), (err: unknown) => {
      assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
      assert.match(err.message, /AccessDenied/);
      return true;
    });
  });
});

Deno.test("cfn AccessDenied on a sensitive stack name shows only the error name", async () => {
  await withFakeAws({ cfn: STACKS, deny: ["my-stack"] }, async () => {
    await assert.rejects(get("my-stack/VpcId", { sensitiveInput: true }), (err: unknown) => {
      assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
      assert.equal(err.headline, "Failed to get CloudFormation stack '[REDACTED]': AccessDenied");
      const cause = err.cause as Error;
      assert.ok(!`${cause.name} ${cause.message}`.includes("my-stack"), cause.message);
      assert.equal(cause.cause, undefined);
      assert.ok(!err.message.includes("my-stack"));
      return true;
    });
  });
});

Deno.test("cfn succeeds after two throttled attempts", async () => {
  await withFakeAws({ cfn: STACKS, throttleFirst: 2 }, async (fake) => {
    assert.equal(await get("my-stack/VpcId"), "vpc-12345");
    assert.equal(fake.count("DescribeStacks"), 3);
  });
});

Deno.test("cfn one caller aborting does not fail the others sharing the request", async () => {
  await withFakeAws({ cfn: STACKS, hang: true }, async (fake) => {
    const controller = new AbortController();
    const first = get("my-stack/VpcId", { signal: controller.signal });
    const second = get("my-stack/BucketName");
    await fake.until((f) => f.waiting === 1);
    controller.abort(new Error("first gives up"));
    await assert.rejects(first, (err: unknown) => {
      assert.ok(err instanceof ResolverError);
      assert.equal(err.code, "RESOLVER_ABORTED");
      return true;
    });
    // The shared request is still open for the second caller.
    assert.equal(fake.waiting, 1);
    fake.releaseAll();
    assert.equal(await second, "my-bucket");
    assert.equal(fake.count("DescribeStacks"), 1);
  });
});

Deno.test("cfn the shared request is aborted once every caller has aborted", async () => {
  await withFakeAws({ cfn: STACKS, hang: true }, async (fake) => {
    const c1 = new AbortController();
    const c2 = new AbortController();
    const first = get("my-stack/VpcId", { signal: c1.signal });
    const second = get("my-stack/BucketName", { signal: c2.signal });
    await fake.until((f) => f.waiting === 1);
    c1.abort();
    c2.abort();
    await assert.rejects(first, ResolverError);
    await assert.rejects(second, ResolverError);
    await fake.until((f) => f.waiting === 0);
  });
});

for (const arg of ["invalid-format", "stack/", "/Output", ""]) {
  Deno.test(`cfn rejects '${arg}': not stack-name/OutputKey`, async () => {
    await assert.rejects(cfnResolver.resolve(arg, makeCall("cfn", arg)), (err: unknown) => {
      assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
      assert.equal(
        err.headline,
        `CloudFormation argument must be in stack-name/OutputKey format: ${arg}`,
      );
      return true;
    });
  });
}
