import assert from "node:assert/strict";
import { cfnResolver } from "../../../resolvers/aws/mod.ts";
import { NotFoundError, ResolverError } from "../../../src/errors.ts";
import { Config } from "../../../mod.ts";
import { makeCall, transportTest, withFakeAws } from "./_helpers.ts";

const STACKS = {
  "my-stack": { BucketName: "my-bucket", VpcId: "vpc-12345", Empty: null },
  "west-stack": { outputs: { Name: "west" }, region: "us-west-2" },
};

function get(arg: string, options: Parameters<typeof makeCall>[2] = {}): Promise<unknown> {
  return cfnResolver.resolve(arg, makeCall("cfn", arg, options));
}

/** `resolveMany` of `args`, each call with its own options. */
function getMany(
  args: string[],
  options: Parameters<typeof makeCall>[2][] = [],
): Promise<unknown[]> {
  return cfnResolver.resolveMany(args, args.map((a, i) => makeCall("cfn", a, options[i] ?? {})));
}

transportTest("cfn returns a stack output", async (transport) => {
  await withFakeAws(transport, { cfn: STACKS }, async (fake) => {
    assert.equal(await get("my-stack/BucketName"), "my-bucket");
    assert.equal(fake.count("DescribeStacks"), 1);
    assert.deepEqual(fake.requests[0]!.names, ["my-stack"]);
  });
});

transportTest(
  "cfn resolveMany() serves outputs of one stack with one DescribeStacks",
  async (transport) => {
    await withFakeAws(transport, { cfn: STACKS }, async (fake) => {
      const values = await getMany(["my-stack/BucketName", "my-stack/VpcId", "my-stack/Nope"]);
      assert.deepEqual(values.slice(0, 2), ["my-bucket", "vpc-12345"]);
      assert.ok(values[2] instanceof NotFoundError, "a missing output fails its call alone");
      assert.equal(fake.count("DescribeStacks"), 1);
      assert.deepEqual(fake.requests[0]!.names, ["my-stack"]);
    });
  },
);

Deno.test("cfn batchGroup() groups outputs of one stack and client, nothing else", () => {
  const group = (arg: string, kwargs: Record<string, string> = {}) =>
    cfnResolver.batchGroup(arg, makeCall("cfn", arg, { kwargs }));
  assert.equal(group("my-stack/A"), group("my-stack/B"));
  assert.notEqual(group("my-stack/A"), group("other-stack/A"));
  assert.notEqual(group("my-stack/A"), group("my-stack/A", { region: "us-west-2" }));
  assert.equal(cfnResolver.batchSize, 200);
});

transportTest(
  "concurrent gets of outputs of one stack share one DescribeStacks (dispatcher batch)",
  async (transport) => {
    await withFakeAws(transport, { cfn: STACKS }, async (fake) => {
      const config = Config.loads("a: ${cfn:my-stack/BucketName}\nb: ${cfn:my-stack/VpcId}\n");
      assert.deepEqual(await Promise.all([config.get("a"), config.get("b")]), [
        "my-bucket",
        "vpc-12345",
      ]);
      assert.equal(fake.count("DescribeStacks"), 1);
    });
  },
);

transportTest(
  "cfn resolveMany() answers only the first call's stack and client; others fail",
  async (transport) => {
    await withFakeAws(transport, { cfn: STACKS }, async (fake) => {
      const values = await getMany(
        ["my-stack/VpcId", "west-stack/Name", "my-stack/BucketName"],
        [{}, {}, { kwargs: { region: "us-west-2" } }],
      );
      assert.equal(values[0], "vpc-12345");
      for (const v of values.slice(1)) {
        assert.ok(v instanceof ResolverError && !(v instanceof NotFoundError), String(v));
        assert.match(v.message, /serves one batch group at a time/);
      }
      assert.deepEqual(fake.requests.map((r) => r.names), [["my-stack"]]);
    });
  },
);

transportTest("cfn does not keep results after the request settles", async (transport) => {
  await withFakeAws(transport, { cfn: STACKS }, async (fake) => {
    assert.equal(await get("my-stack/BucketName"), "my-bucket");
    assert.equal(await get("my-stack/BucketName"), "my-bucket");
    assert.equal(fake.count("DescribeStacks"), 2);
  });
});

transportTest("cfn never shares a request between different regions", async (transport) => {
  await withFakeAws(
    transport,
    { cfn: { ...STACKS, "west-stack": { outputs: { Name: "w" } } } },
    async (fake) => {
      const config = Config.loads(
        "a: ${cfn:west-stack/Name}\nb: ${cfn:west-stack/Name,region=us-west-2}\n",
      );
      await config.resolveAll();
      assert.equal(fake.count("DescribeStacks"), 2);
      assert.deepEqual(fake.requests.map((r) => r.region).sort(), ["us-east-1", "us-west-2"]);
    },
  );
});

transportTest("cfn region kwarg reaches AWS", async (transport) => {
  await withFakeAws(transport, { cfn: STACKS }, async () => {
    assert.equal(await get("west-stack/Name", { kwargs: { region: "us-west-2" } }), "west");
    await assert.rejects(get("west-stack/Name"), NotFoundError);
  });
});

transportTest("cfn a missing stack is NotFoundError", async (transport) => {
  await withFakeAws(transport, { cfn: STACKS }, async () => {
    await assert.rejects(get("no-stack/X"), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.match(err.message, /CloudFormation stack not found: no-stack/);
      return true;
    });
  });
});

transportTest(
  "cfn a missing output, or one without a value, is NotFoundError",
  async (transport) => {
    await withFakeAws(transport, { cfn: STACKS }, async () => {
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
  },
);

transportTest(
  "cfn resolveMany() for a missing stack fails every call with one request",
  async (transport) => {
    await withFakeAws(transport, { cfn: STACKS }, async (fake) => {
      const values = await getMany(["gone/A", "gone/B"]);
      for (const v of values) {
        assert.ok(v instanceof NotFoundError, String(v));
        assert.match(v.message, /CloudFormation stack not found: gone/);
      }
      assert.equal(fake.count("DescribeStacks"), 1);
    });
  },
);

transportTest("cfn AccessDenied is a ResolverError, not not-found", async (transport) => {
  await withFakeAws(transport, { cfn: STACKS, deny: ["my-stack"] }, async () => {
    await assert.rejects(get("my-stack/VpcId"), (err: unknown) => {
      assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
      assert.match(err.message, /AccessDenied/);
      return true;
    });
  });
});

transportTest(
  "cfn AccessDenied on a sensitive stack name shows only the error name",
  async (transport) => {
    await withFakeAws(transport, { cfn: STACKS, deny: ["my-stack"] }, async () => {
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
  },
);

transportTest("cfn succeeds after two throttled attempts", async (transport) => {
  await withFakeAws(transport, { cfn: STACKS, throttleFirst: 2 }, async (fake) => {
    assert.equal(await get("my-stack/VpcId"), "vpc-12345");
    assert.equal(fake.count("DescribeStacks"), 3);
  });
});

Deno.test("cfn on the light transport starts no retry wait past the call's deadline", async () => {
  await withFakeAws("light", { cfn: STACKS, throttleFirst: 100 }, async (fake, { clock }) => {
    // Throttling: waits of 250 ms, then 500 ms (jitter 0.5); the deadline leaves room for one.
    await assert.rejects(get("my-stack/VpcId", { deadline: clock.now() + 600 }), /Throttling/);
    assert.equal(fake.count("DescribeStacks"), 2);
    assert.deepEqual(clock.waits, [250]);
  });
});

transportTest("cfn abort stops a request the endpoint never answers", async (transport) => {
  await withFakeAws(transport, { cfn: STACKS, hang: true }, async (fake) => {
    const controller = new AbortController();
    const pending = get("my-stack/VpcId", { signal: controller.signal });
    await fake.until((f) => f.waiting === 1);
    controller.abort(new Error("caller gives up"));
    await assert.rejects(pending, (err: unknown) => {
      assert.ok(err instanceof ResolverError);
      assert.equal(err.code, "RESOLVER_ABORTED");
      return true;
    });
    await fake.until((f) => f.waiting === 0);
  });
});

transportTest(
  "cfn resolveMany() keeps its request going while any of its calls still waits",
  async (transport) => {
    await withFakeAws(transport, { cfn: STACKS, hang: true }, async (fake) => {
      const c1 = new AbortController();
      const pending = getMany(["my-stack/VpcId", "my-stack/BucketName"], [{ signal: c1.signal }]);
      await fake.until((f) => f.waiting === 1);
      c1.abort();
      fake.releaseAll();
      assert.deepEqual(await pending, ["vpc-12345", "my-bucket"]);
      assert.equal(fake.count("DescribeStacks"), 1);
    });
  },
);

transportTest(
  "cfn resolveMany() aborts its request once every call has aborted",
  async (transport) => {
    await withFakeAws(transport, { cfn: STACKS, hang: true }, async (fake) => {
      const c1 = new AbortController();
      const c2 = new AbortController();
      const pending = getMany(["my-stack/VpcId", "my-stack/BucketName"], [
        { signal: c1.signal },
        { signal: c2.signal },
      ]);
      await fake.until((f) => f.waiting === 1);
      c1.abort();
      c2.abort();
      for (const v of await pending) {
        assert.ok(v instanceof ResolverError, String(v));
        assert.equal(v.code, "RESOLVER_ABORTED");
      }
      await fake.until((f) => f.waiting === 0);
    });
  },
);

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
