import assert from "node:assert/strict";
import { ssmResolver } from "../../../resolvers/aws/mod.ts";
import { _clientCacheSize } from "../../../resolvers/aws/_clients.ts";
import { Config, ResolveAllError } from "../../../mod.ts";
import { NotFoundError, ParseError, ResolverError } from "../../../src/errors.ts";
import { ResolvedValue } from "../../../src/resolver.ts";
import {
  ENV_ACCESS_KEY,
  makeCall,
  PROFILE_ACCESS_KEY,
  transportTest,
  withFakeAws,
} from "./_helpers.ts";

function names(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `/app/p${i}`);
}

function fixtures(n: number): Record<string, string> {
  return Object.fromEntries(names(n).map((name, i) => [name, `value-${i}`]));
}

for (const n of [1, 9, 10]) {
  transportTest(
    `ssm resolveMany() fetches ${n} names with one GetParameters request`,
    async (transport) => {
      await withFakeAws(transport, { ssm: fixtures(n) }, async (fake) => {
        const keys = names(n);
        const values = await ssmResolver.resolveMany(keys, keys.map((k) => makeCall("ssm", k)));
        assert.deepEqual(values, keys.map((_, i) => `value-${i}`));
        assert.equal(fake.count("GetParameters"), 1);
        assert.equal(fake.count("GetParameter"), 0);
        assert.deepEqual([...fake.requests[0]!.names].sort(), [...keys].sort());
      });
    },
  );
}

transportTest(
  "ssm resolveMany() does not chunk: names beyond batchSize fail, no second request",
  async (transport) => {
    await withFakeAws(transport, { ssm: fixtures(12) }, async (fake) => {
      const keys = [...names(12), "/app/p0"];
      const values = await ssmResolver.resolveMany(keys, keys.map((k) => makeCall("ssm", k)));
      assert.deepEqual(values.slice(0, 10), keys.slice(0, 10).map((_, i) => `value-${i}`));
      for (const v of values.slice(10, 12)) {
        assert.ok(v instanceof ResolverError && !(v instanceof NotFoundError), String(v));
        assert.match(v.message, /serves one batch group at a time/);
      }
      assert.equal(values[12], "value-0", "a repeated name of the request is answered");
      assert.equal(fake.count("GetParameters"), 1);
      assert.equal(fake.requests[0]!.names.length, 10);
    });
  },
);

transportTest(
  "resolveAll() sends the GetParameters requests of many ssm names in parallel",
  async (transport) => {
    await withFakeAws(transport, { ssm: fixtures(30), hang: true }, async (fake) => {
      const keys = names(30);
      const config = Config.loads(keys.map((k, i) => `k${i}: \${ssm:${k}}\n`).join(""));
      const pending = config.resolveAll();
      // All three requests are at the server at the same time before any answer is given.
      await fake.until((f) => f.waiting === 3);
      fake.releaseAll();
      const values = await pending;
      assert.deepEqual(Object.values(values), keys.map((_, i) => `value-${i}`));
      assert.ok(fake.requests.every((r) => r.names.length === 10));
    });
  },
);

transportTest(
  "ssm resolveMany() fails only the calls whose names are missing",
  async (transport) => {
    await withFakeAws(transport, { ssm: { "/a": "1", "/c": "3" } }, async (fake) => {
      const keys = ["/a", "/missing", "/c", "/gone"];
      const values = await ssmResolver.resolveMany(keys, keys.map((k) => makeCall("ssm", k)));
      assert.equal(values[0], "1");
      assert.equal(values[2], "3");
      for (const i of [1, 3]) {
        const err = values[i];
        assert.ok(err instanceof NotFoundError, `entry ${i} is a NotFoundError`);
        assert.equal(err.code, "NOT_FOUND");
        assert.match(err.message, new RegExp(`SSM parameter not found: ${keys[i]}`));
      }
      assert.equal(fake.count("GetParameters"), 1);
    });
  },
);

transportTest("ssm resolveMany() reports a bad name for that call only", async (transport) => {
  await withFakeAws(transport, { ssm: { "/a": "1" } }, async () => {
    const keys = ["relative", "/a"];
    const values = await ssmResolver.resolveMany(keys, keys.map((k) => makeCall("ssm", k)));
    assert.ok(values[0] instanceof ResolverError);
    assert.ok(!(values[0] instanceof NotFoundError));
    assert.equal(values[1], "1");
  });
});

transportTest(
  "ssm resolveMany() sends duplicate names once and answers every call",
  async (transport) => {
    await withFakeAws(transport, { ssm: { "/a": "1" } }, async (fake) => {
      const keys = ["/a", "/a", "/a"];
      const values = await ssmResolver.resolveMany(keys, keys.map((k) => makeCall("ssm", k)));
      assert.deepEqual(values, ["1", "1", "1"]);
      assert.deepEqual(fake.requests.map((r) => r.names), [["/a"]]);
    });
  },
);

transportTest(
  "ssm resolveMany() answers only the first call's client; another client's calls fail",
  async (transport) => {
    await withFakeAws(transport, {
      ssm: {
        "/east": { value: "e", region: "us-east-1" },
        "/west": { value: "w", region: "us-west-2" },
      },
    }, async (fake) => {
      const calls = [
        makeCall("ssm", "/east"),
        makeCall("ssm", "/west", { kwargs: { region: "us-west-2" } }),
      ];
      assert.notEqual(
        ssmResolver.batchGroup("/east", calls[0]!),
        ssmResolver.batchGroup("/west", calls[1]!),
      );
      const values = await ssmResolver.resolveMany(["/east", "/west"], calls);
      assert.equal(values[0], "e");
      assert.ok(values[1] instanceof ResolverError, String(values[1]));
      assert.match(values[1].message, /serves one batch group at a time/);
      // Nothing was asked of the wrong region.
      assert.deepEqual(fake.requests.map((r) => [r.region, r.names]), [["us-east-1", ["/east"]]]);
    });
  },
);

Deno.test("ssm batchGroup() is the same for calls that share a client", () => {
  const a = makeCall("ssm", "/a", { kwargs: { region: "eu-west-1" } });
  const b = makeCall("ssm", "/b", { kwargs: { region: "eu-west-1" } });
  assert.equal(ssmResolver.batchGroup("/a", a), ssmResolver.batchGroup("/b", b));
  assert.equal(ssmResolver.batchSize, 10);
});

transportTest("ssm resolve() returns a String parameter as a string", async (transport) => {
  await withFakeAws(transport, { ssm: { "/app/host": "db.example.com" } }, async (fake) => {
    assert.equal(
      await ssmResolver.resolve("/app/host", makeCall("ssm", "/app/host")),
      "db.example.com",
    );
    assert.equal(fake.count("GetParameters"), 1);
    assert.equal(fake.count("GetParameter"), 0);
  });
});

transportTest("ssm resolve() marks a SecureString sensitive", async (transport) => {
  await withFakeAws(
    transport,
    { ssm: { "/app/pw": { value: "hunter2", type: "SecureString" } } },
    async () => {
      const v = await ssmResolver.resolve("/app/pw", makeCall("ssm", "/app/pw"));
      assert.ok(v instanceof ResolvedValue);
      assert.equal(v.sensitive, true);
      assert.equal(v.value, "hunter2");
    },
  );
});

transportTest("ssm resolveMany() marks a SecureString sensitive too", async (transport) => {
  await withFakeAws(transport, {
    ssm: { "/app/pw": { value: "hunter2", type: "SecureString" }, "/app/u": "admin" },
  }, async () => {
    const [pw, user] = await ssmResolver.resolveMany(["/app/pw", "/app/u"], [
      makeCall("ssm", "/app/pw"),
      makeCall("ssm", "/app/u"),
    ]);
    assert.ok(pw instanceof ResolvedValue && pw.sensitive && pw.value === "hunter2");
    assert.equal(user, "admin");
  });
});

transportTest("ssm resolve() splits a StringList on commas without trimming", async (transport) => {
  await withFakeAws(
    transport,
    { ssm: { "/app/hosts": { value: "a, b,c", type: "StringList" } } },
    async () => {
      assert.deepEqual(await ssmResolver.resolve("/app/hosts", makeCall("ssm", "/app/hosts")), [
        "a",
        " b",
        "c",
      ]);
    },
  );
});

transportTest("ssm resolve() turns ParameterNotFound into NotFoundError", async (transport) => {
  await withFakeAws(transport, { ssm: {} }, async () => {
    await assert.rejects(
      ssmResolver.resolve("/app/db-host", makeCall("ssm", "/app/db-host")),
      (err: unknown) => {
        assert.ok(err instanceof NotFoundError);
        assert.match(err.message, /not found/);
        assert.match(err.message, /\/app\/db-host/);
        return true;
      },
    );
  });
});

transportTest(
  "ssm resolve() reports AccessDenied as a ResolverError, not as not-found",
  async (transport) => {
    await withFakeAws(
      transport,
      { ssm: { "/app/secret": "x" }, deny: ["/app/secret"] },
      async () => {
        await assert.rejects(
          ssmResolver.resolve("/app/secret", makeCall("ssm", "/app/secret")),
          (err: unknown) => {
            assert.ok(err instanceof ResolverError);
            assert.ok(!(err instanceof NotFoundError));
            assert.match(err.message, /AccessDeniedException/);
            assert.match(err.message, /not authorized/);
            return true;
          },
        );
      },
    );
  },
);

transportTest(
  "ssm resolveMany() fails only the denied name when AWS refuses the whole batch",
  async (transport) => {
    const keys = ["/app/open1", "/app/denied", "/app/open2", "/app/open3"];
    await withFakeAws(transport, {
      ssm: { "/app/open1": "1", "/app/denied": "x", "/app/open2": "2", "/app/open3": "3" },
      deny: ["/app/denied"],
    }, async (fake) => {
      const values = await ssmResolver.resolveMany(keys, keys.map((k) => makeCall("ssm", k)));
      assert.equal(values[0], "1");
      assert.equal(values[2], "2");
      assert.equal(values[3], "3");
      const err = values[1];
      assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
      assert.equal(err.code, "AWS_ERROR");
      assert.match(err.message, /SSM parameter '\/app\/denied': AccessDeniedException/);
      // The error comes from a request for the denied name alone: it names no other parameter.
      assert.doesNotMatch(`${err.message}\n${(err.cause as Error).message}`, /open/);
      // The refused batch is split in halves until the denied name stands alone.
      assert.deepEqual(
        fake.requests.map((r) => r.names.join(" ")).sort(),
        [
          "/app/denied",
          "/app/open1",
          "/app/open1 /app/denied",
          "/app/open1 /app/denied /app/open2 /app/open3",
          "/app/open2 /app/open3",
        ],
      );
    });
  },
);

transportTest("ssm resolveMany() isolates every denied name of a full batch", async (transport) => {
  const keys = names(10);
  const denied = new Set(["/app/p3", "/app/p8"]);
  await withFakeAws(transport, { ssm: fixtures(10), deny: [...denied] }, async (fake) => {
    const values = await ssmResolver.resolveMany(keys, keys.map((k) => makeCall("ssm", k)));
    keys.forEach((key, i) => {
      const v = values[i];
      if (!denied.has(key)) return assert.equal(v, `value-${i}`);
      assert.ok(v instanceof ResolverError && !(v instanceof NotFoundError), key);
      assert.match(v.message, /AccessDeniedException/);
      const others = keys.filter((k) => k !== key);
      const text = `${v.message}\n${(v.cause as Error).message}`;
      for (const other of others) assert.ok(!text.includes(other), `${key}'s error names ${other}`);
    });
    // Every request stays within the limit; every name got an answer of its own.
    assert.ok(fake.requests.every((r) => r.names.length <= 10));
    for (const key of denied) {
      assert.ok(fake.requests.some((r) => r.names.length === 1 && r.names[0] === key));
    }
  });
});

transportTest(
  "ssm resolveMany() keeps a denied secret-derived name out of the other calls",
  async (transport) => {
    await withFakeAws(
      transport,
      { ssm: { "/s3cr3t": "x", "/app/open": "1" }, deny: ["/s3cr3t"] },
      async () => {
        const values = await ssmResolver.resolveMany(["/app/open", "/s3cr3t"], [
          makeCall("ssm", "/app/open"),
          makeCall("ssm", "/s3cr3t", { sensitiveInput: true }),
        ]);
        assert.equal(values[0], "1");
        const err = values[1];
        assert.ok(err instanceof ResolverError);
        assert.match(err.message, /\[REDACTED\]': AccessDeniedException/);
        assert.doesNotMatch(`${err.message}\n${(err.cause as Error).message}`, /s3cr3t/);
      },
    );
  },
);

transportTest(
  "ssm resolveMany() does not split a batch on errors that are not about one name",
  async (transport) => {
    await withFakeAws(transport, { ssm: fixtures(4), throttleFirst: 100 }, async (fake) => {
      const keys = names(4);
      const values = await ssmResolver.resolveMany(keys, keys.map((k) => makeCall("ssm", k)));
      for (const v of values) {
        assert.ok(v instanceof ResolverError);
        assert.match(v.message, /ThrottlingException/);
      }
      // The SDK's three attempts of the one request, no per-name retries on top.
      assert.equal(fake.count("GetParameters"), 3);
      assert.ok(fake.requests.every((r) => r.names.length === 4));
    });
  },
);

transportTest("resolveAll() with one denied ssm name fails that path only", async (transport) => {
  await withFakeAws(
    transport,
    { ssm: { "/a": "1", "/b": "2", "/c": "3" }, deny: ["/b"] },
    async (fake) => {
      const config = Config.loads("a: ${ssm:/a}\nb: ${ssm:/b}\nc: ${ssm:/c}\n");
      const err = await config.resolveAll().then(
        () => assert.fail("resolveAll should fail"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ResolveAllError);
      assert.deepEqual(err.failures.map((f) => f.path), ["b"]);
      assert.match(err.failures[0]!.error.message, /AccessDeniedException/);
      // The three names went out as one batch first; the values that resolved are memoized.
      assert.ok(fake.requests.some((r) => r.names.length === 3));
      assert.equal(config.getSync("a"), "1");
      assert.equal(config.getSync("c"), "3");
    },
  );
});

transportTest(
  "ssm keeps the key out of AWS messages when the input was sensitive",
  async (transport) => {
    await withFakeAws(transport, { ssm: { "/s3cr3t": "x" }, deny: ["/s3cr3t"] }, async () => {
      await assert.rejects(
        ssmResolver.resolve("/s3cr3t", makeCall("ssm", "/s3cr3t", { sensitiveInput: true })),
        (err: unknown) => {
          assert.ok(err instanceof ResolverError);
          assert.doesNotMatch(err.message, /s3cr3t/);
          assert.match(err.message, /\[REDACTED\]': AccessDeniedException/);
          assert.doesNotMatch(String((err.cause as Error).message), /s3cr3t/);
          return true;
        },
      );
    });
  },
);

Deno.test("ssm rejects a path that does not start with /", async () => {
  await assert.rejects(
    ssmResolver.resolve("invalid-path", makeCall("ssm", "invalid-path")),
    (err: unknown) => {
      assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
      assert.equal(err.headline, "SSM parameter path must start with /: invalid-path");
      return true;
    },
  );
});

Deno.test("ssm without an argument is a ParseError", async () => {
  await assert.rejects(
    ssmResolver.resolve("", makeCall("ssm", undefined)),
    (err: unknown) => {
      assert.ok(err instanceof ParseError);
      assert.equal(err.headline, "SSM resolver requires a parameter path argument");
      return true;
    },
  );
});

transportTest("ssm succeeds after two throttled attempts (SDK retries)", async (transport) => {
  await withFakeAws(transport, { ssm: { "/a": "1" }, throttleFirst: 2 }, async (fake) => {
    assert.equal(await ssmResolver.resolve("/a", makeCall("ssm", "/a")), "1");
    assert.equal(fake.count("GetParameters"), 3);
    assert.equal(fake.count("GetParameter"), 0);
  });
});

transportTest("ssm batch succeeds after two throttled attempts", async (transport) => {
  await withFakeAws(
    transport,
    { ssm: { "/a": "1", "/b": "2" }, throttleFirst: 2 },
    async (fake) => {
      const values = await ssmResolver.resolveMany(["/a", "/b"], [
        makeCall("ssm", "/a"),
        makeCall("ssm", "/b"),
      ]);
      assert.deepEqual(values, ["1", "2"]);
      assert.equal(fake.count("GetParameters"), 3);
    },
  );
});

transportTest(
  "ssm throttling beyond the SDK's retries is a ResolverError naming it",
  async (transport) => {
    await withFakeAws(transport, { ssm: { "/a": "1" }, throttleFirst: 100 }, async (fake) => {
      await assert.rejects(
        ssmResolver.resolve("/a", makeCall("ssm", "/a")),
        (err: unknown) => {
          assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
          assert.match(err.message, /ThrottlingException/);
          return true;
        },
      );
      assert.equal(fake.count("GetParameters"), 3);
      assert.equal(fake.count("GetParameter"), 0);
    });
  },
);

Deno.test("ssm on the light transport starts no retry wait past the latest deadline of its calls", async () => {
  await withFakeAws("light", { ssm: { "/a": "1", "/b": "2" }, throttleFirst: 100 }, async (
    fake,
    { clock },
  ) => {
    // Throttled: the waits would be 250 ms, then 500 ms (jitter 0.5). The request serves both
    // calls, so it goes on until the later one's deadline: room for the first wait only.
    const calls = [
      makeCall("ssm", "/a", { deadline: clock.now() + 200 }),
      makeCall("ssm", "/b", { deadline: clock.now() + 600 }),
    ];
    const values = await ssmResolver.resolveMany(["/a", "/b"], calls);
    for (const v of values) {
      assert.ok(v instanceof ResolverError, String(v));
      assert.match(v.message, /ThrottlingException/);
    }
    assert.equal(fake.count("GetParameters"), 2);
    assert.deepEqual(clock.waits, [250]);
  });
});

transportTest("ssm retries an HTTP 500 and then succeeds", async (transport) => {
  await withFakeAws(transport, { ssm: { "/a": "1" }, failFirst: 1 }, async (fake) => {
    assert.equal(await ssmResolver.resolve("/a", makeCall("ssm", "/a")), "1");
    assert.equal(fake.count("GetParameters"), 2);
    assert.equal(fake.count("GetParameter"), 0);
  });
});

transportTest("ssm abort stops a request the endpoint never answers", async (transport) => {
  await withFakeAws(transport, { ssm: { "/a": "1" }, hang: true }, async (fake) => {
    const controller = new AbortController();
    const pending = ssmResolver.resolve("/a", makeCall("ssm", "/a", { signal: controller.signal }));
    await fake.until((f) => f.waiting === 1);
    controller.abort(new Error("test abort"));
    // The fake still hangs (nothing is released), so only the abort can settle the call.
    await assert.rejects(pending, (err: unknown) => {
      assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
      assert.equal(err.code, "RESOLVER_ABORTED");
      return true;
    });
    // And the HTTP request itself was torn down: the server sees the client go away.
    await fake.until((f) => f.waiting === 0);
    assert.equal(fake.count("GetParameters"), 1);
    assert.equal(fake.count("GetParameter"), 0);
  });
});

transportTest("ssm abort stops a batch request the endpoint never answers", async (transport) => {
  await withFakeAws(transport, { ssm: { "/a": "1", "/b": "2" }, hang: true }, async (fake) => {
    const controller = new AbortController();
    const calls = ["/a", "/b"].map((k) => makeCall("ssm", k, { signal: controller.signal }));
    const pending = ssmResolver.resolveMany(["/a", "/b"], calls);
    await fake.until((f) => f.waiting === 1);
    controller.abort(new Error("deadline"));
    const values = await pending;
    for (const v of values) {
      assert.ok(v instanceof ResolverError);
      assert.equal(v.code, "RESOLVER_ABORTED");
    }
    await fake.until((f) => f.waiting === 0);
  });
});

transportTest(
  "ssm region and profile kwargs reach AWS (the SDK: through different cached clients)",
  async (transport) => {
    await withFakeAws(transport, {
      ssm: {
        "/cfg": { value: "east-env" },
        "/west": { value: "west-value", region: "us-west-2" },
        "/prof": { value: "prod-value", accessKeyId: PROFILE_ACCESS_KEY },
      },
    }, async (fake) => {
      // The SDK transport caches one client per settings; the light transport makes none.
      const clients = (sdk: number) => transport === "sdk" ? sdk : 0;
      assert.equal(_clientCacheSize(), 0);
      assert.equal(await ssmResolver.resolve("/cfg", makeCall("ssm", "/cfg")), "east-env");
      assert.equal(_clientCacheSize(), clients(1));
      // Same settings again: the cached client is reused.
      assert.equal(await ssmResolver.resolve("/cfg", makeCall("ssm", "/cfg")), "east-env");
      assert.equal(_clientCacheSize(), clients(1));
      const west = makeCall("ssm", "/west", { kwargs: { region: "us-west-2" } });
      assert.equal(await ssmResolver.resolve("/west", west), "west-value");
      assert.equal(_clientCacheSize(), clients(2));
      // The profile's credentials come from the shared credentials file, not the environment.
      Deno.env.delete("AWS_ACCESS_KEY_ID");
      Deno.env.delete("AWS_SECRET_ACCESS_KEY");
      const prof = makeCall("ssm", "/prof", { kwargs: { profile: "other" } });
      assert.equal(await ssmResolver.resolve("/prof", prof), "prod-value");
      assert.equal(_clientCacheSize(), clients(3));
      assert.deepEqual(
        fake.requests.map((r) => [r.region, r.accessKeyId]),
        [
          ["us-east-1", ENV_ACCESS_KEY],
          ["us-east-1", ENV_ACCESS_KEY],
          ["us-west-2", ENV_ACCESS_KEY],
          ["us-east-1", PROFILE_ACCESS_KEY],
        ],
      );
    });
  },
);

transportTest(
  "ssm region kwarg reaches AWS: the parameter of another region is not found",
  async (transport) => {
    await withFakeAws(
      transport,
      { ssm: { "/west": { value: "w", region: "us-west-2" } } },
      async () => {
        await assert.rejects(ssmResolver.resolve("/west", makeCall("ssm", "/west")), NotFoundError);
      },
    );
  },
);

// ------------------------------------------------------------------ paths: ${ssm:/app/prod/}

/** Parameters under /app/prod: direct ones, a hierarchy below them, and one elsewhere. */
const TREE = {
  "/app/prod/host": "db.internal",
  "/app/prod/hosts": { value: "a,b", type: "StringList" as const },
  "/app/prod/password": { value: "hunter2", type: "SecureString" as const },
  "/app/prod/db/name": "orders",
  "/app/prod/db/pool/size": "10",
  "/app/production/other": "no",
};

/** What `${ssm:/app/prod/}` maps from TREE: the direct children, the SecureString sensitive. */
function assertProdMapping(value: unknown): void {
  const { password, ...rest } = value as Record<string, unknown>;
  assert.deepEqual(rest, { host: "db.internal", hosts: ["a", "b"] });
  assert.ok(password instanceof ResolvedValue && password.sensitive);
  assert.equal(password.value, "hunter2");
}

transportTest(
  "${ssm:/app/prod/} maps the parameters directly under the path, names relative to it",
  async (transport) => {
    await withFakeAws(transport, { ssm: TREE }, async (fake) => {
      assertProdMapping(
        await ssmResolver.resolve("/app/prod/", makeCall("ssm", "/app/prod/")),
      );
      assert.deepEqual(fake.requests.map((r) => [r.operation, r.names]), [
        ["GetParametersByPath", ["/app/prod"]],
      ]);
    });
  },
);

transportTest(
  "${ssm:/app/prod/} succeeds after two throttled GetParametersByPath attempts",
  async (transport) => {
    await withFakeAws(transport, { ssm: TREE, throttleFirst: 2 }, async (fake, { clock }) => {
      assertProdMapping(
        await ssmResolver.resolve("/app/prod/", makeCall("ssm", "/app/prod/")),
      );
      // Two throttled attempts and the one answered, all of the same path, nothing else.
      assert.deepEqual(fake.requests.map((r) => [r.operation, r.names]), [
        ["GetParametersByPath", ["/app/prod"]],
        ["GetParametersByPath", ["/app/prod"]],
        ["GetParametersByPath", ["/app/prod"]],
      ]);
      // The light transport's backoff after throttling (jitter 0.5), on the fake clock.
      if (transport === "light") assert.deepEqual(clock.waits, [250, 500]);
    });
  },
);

transportTest(
  "a throttled page in the middle of a path is retried; the mapping is whole",
  async (transport) => {
    const many = Object.fromEntries(
      Array.from({ length: 23 }, (_, i) => [`/big/p${String(i).padStart(2, "0")}`, `v${i}`]),
    );
    await withFakeAws(transport, { ssm: many }, async (fake) => {
      // Once the first page is asked for, the next request is throttled: a page after the
      // first fails once and is asked again.
      const throttleLater = fake.until((f) => f.count("GetParametersByPath") === 1)
        .then(() => fake.setFaults({ throttleFirst: 1 }));
      const value = await ssmResolver.resolve("/big/", makeCall("ssm", "/big/"));
      await throttleLater;
      assert.deepEqual(
        value,
        Object.fromEntries(Object.entries(many).map(([k, v]) => [k.slice(5), v])),
      );
      // Three pages of 10, 10 and 3, one after the first asked twice.
      assert.equal(fake.count("GetParametersByPath"), 4);
    });
  },
);

transportTest("recursive=true nests the whole hierarchy below the path", async (transport) => {
  await withFakeAws(transport, { ssm: TREE }, async () => {
    const config = Config.loads("db: ${ssm:/app/prod/,recursive=true}\n");
    assert.deepEqual(await config.get("db"), {
      db: { name: "orders", pool: { size: "10" } },
      host: "db.internal",
      hosts: ["a", "b"],
      password: "hunter2",
    });
  });
});

transportTest("a path's pages are followed, 10 parameters each", async (transport) => {
  const many = Object.fromEntries(
    Array.from({ length: 23 }, (_, i) => [`/big/p${String(i).padStart(2, "0")}`, `v${i}`]),
  );
  await withFakeAws(transport, { ssm: many }, async (fake) => {
    const value = await ssmResolver.resolve("/big/", makeCall("ssm", "/big/")) as object;
    assert.equal(Object.keys(value).length, 23);
    assert.equal((value as Record<string, string>).p22, "v22");
    assert.equal(fake.count("GetParametersByPath"), 3);
  });
});

transportTest(
  "a path read and name reads of one batch are both answered, in batch groups of their own",
  async (transport) => {
    await withFakeAws(transport, { ssm: TREE }, async (fake) => {
      const calls = [makeCall("ssm", "/app/prod/host"), makeCall("ssm", "/app/prod/db/")];
      assert.notEqual(
        ssmResolver.batchGroup("/app/prod/host", calls[0]!),
        ssmResolver.batchGroup("/app/prod/db/", calls[1]!),
      );
      const values = await ssmResolver.resolveMany(["/app/prod/host", "/app/prod/db/"], calls);
      assert.deepEqual(values, ["db.internal", { name: "orders" }]);
      assert.deepEqual(fake.requests.map((r) => r.operation).sort(), [
        "GetParameters",
        "GetParametersByPath",
      ]);
    });
  },
);

transportTest("a path with no parameter is not found, so default= applies", async (transport) => {
  await withFakeAws(transport, { ssm: TREE }, async () => {
    await assert.rejects(
      ssmResolver.resolve("/app/staging/", makeCall("ssm", "/app/staging/")),
      (e) =>
        e instanceof NotFoundError &&
        /No SSM parameter under path \/app\/staging\//.test(e.message),
    );
    const config = Config.loads("x: ${ssm:/app/staging/,default=none}\n");
    assert.equal(await config.get("x"), "none");
  });
});

transportTest(
  "a name that is both a parameter and the path of others cannot be nested",
  async (transport) => {
    await withFakeAws(transport, {
      ssm: { "/c/db": "leaf", "/c/db/host": "h" },
    }, async () => {
      await assert.rejects(
        ssmResolver.resolve("/c/", makeCall("ssm", "/c/", { kwargs: { recursive: "true" } })),
        (e) =>
          e instanceof ResolverError &&
          /SSM path \/c\/: 'db' is a parameter and the path of others/.test(e.message),
      );
      // Without recursive=true only /c/db is under /c/: no conflict.
      assert.deepEqual(await ssmResolver.resolve("/c/", makeCall("ssm", "/c/")), { db: "leaf" });
    });
  },
);

transportTest("a denied path fails with AccessDenied naming the path", async (transport) => {
  await withFakeAws(transport, { ssm: TREE, deny: ["/app/prod"] }, async () => {
    await assert.rejects(
      ssmResolver.resolve("/app/prod/", makeCall("ssm", "/app/prod/")),
      (e) =>
        e instanceof ResolverError && e.code === "AWS_ERROR" &&
        /Failed to get SSM parameters under path '\/app\/prod\/': AccessDeniedException/.test(
          e.message,
        ),
    );
  });
});

Deno.test("recursive=true on a parameter name (no trailing /) is refused before any request", async () => {
  await assert.rejects(
    ssmResolver.resolve("/app/db", makeCall("ssm", "/app/db", { kwargs: { recursive: "true" } })),
    (e) =>
      e instanceof ParseError && e.code === "INVALID_KEYWORD_VALUE" &&
      /recursive=true reads a path: end the argument with \//.test(e.message),
  );
});

transportTest(
  "a path mapping with a SecureString is redacted as a whole; get() of a plain leaf reads it",
  async (transport) => {
    await withFakeAws(transport, { ssm: TREE }, async () => {
      const config = Config.loads("prod: ${ssm:/app/prod/}\nplain: ${ssm:/app/prod/db/}\n");
      const dump = await config.toYaml({ redact: true });
      assert.match(dump, /^prod: '\[REDACTED\]'$/m);
      assert.match(dump, /^plain:\n {2}name: orders$/m);
      assert.ok(!dump.includes("hunter2") && !dump.includes("db.internal"), dump);
      // get() returns values; a redacted read of any leaf of the sensitive mapping is redacted.
      assert.equal(await config.get("prod.host"), "db.internal");
      assert.equal(await config.get("prod.host", { redact: true }), "[REDACTED]");
      assert.equal(await config.get("plain.name", { redact: true }), "orders");
    });
  },
);
