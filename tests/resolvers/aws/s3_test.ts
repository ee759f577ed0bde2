import assert from "node:assert/strict";
import { s3Resolver } from "../../../resolvers/aws/mod.ts";
import { NotFoundError, ParseError, ResolverError } from "../../../src/errors.ts";
import { ResolvedValue } from "../../../src/resolver.ts";
import { makeCall, transportTest, withFakeAws } from "./_helpers.ts";
import { awsFailure } from "../../../resolvers/aws/_clients.ts";

const OBJECTS = {
  "cfg/app.yaml": {
    body: "db:\n  host: h\n  port: 5432\nflags: [a, b]\n",
    contentType: "text/plain",
  },
  "cfg/app.yml": { body: "x: true\n", contentType: "binary/octet-stream" },
  "cfg/app.json": { body: '{"a": [1, 2], "b": null}', contentType: "text/plain" },
  "cfg/typed-yaml": { body: "k: v\n", contentType: "application/x-yaml" },
  "cfg/typed-json": { body: '{"k": 1}', contentType: "application/json; charset=utf-8" },
  "cfg/readme.txt": { body: "hello world", contentType: "text/plain" },
  "cfg/plain": "just text",
  "cfg/data.bin": { body: new Uint8Array([0, 255, 1, 128]) },
  "cfg/bad.json": { body: "{not json", contentType: "application/json" },
  "cfg/bad.yaml": { body: "a: [1, 2\n", contentType: "text/plain" },
  "cfg/secret.yaml": { body: "password: *hunter2\n", contentType: "text/plain" },
  "cfg/tag.yaml": { body: "password: !<!hunter2> x\n", contentType: "text/plain" },
  "cfg/deep.json": { body: "[".repeat(200_000), contentType: "text/plain" },
  "cfg/dir/nested/key.txt": "nested",
};

async function get(arg: string, kwargs: Record<string, string> = {}): Promise<unknown> {
  return await s3Resolver.resolve(arg, makeCall("s3", arg, { kwargs }));
}

transportTest(
  "s3 auto parse: .yaml/.yml keys are YAML whatever the content type",
  async (transport) => {
    await withFakeAws(transport, { s3: OBJECTS }, async (fake) => {
      assert.deepEqual(await get("cfg/app.yaml"), {
        db: { host: "h", port: 5432 },
        flags: ["a", "b"],
      });
      assert.deepEqual(await get("cfg/app.yml"), { x: true });
      assert.equal(fake.count("GetObject"), 2);
    });
  },
);

transportTest("s3 auto parse: .json keys are JSON", async (transport) => {
  await withFakeAws(transport, { s3: OBJECTS }, async () => {
    assert.deepEqual(await get("cfg/app.json"), { a: [1, 2], b: null });
  });
});

transportTest("s3 auto parse falls back to the content type, then to text", async (transport) => {
  await withFakeAws(transport, { s3: OBJECTS }, async () => {
    assert.deepEqual(await get("cfg/typed-yaml"), { k: "v" });
    assert.deepEqual(await get("cfg/typed-json"), { k: 1 });
    assert.equal(await get("cfg/readme.txt"), "hello world");
    assert.equal(await get("cfg/plain"), "just text");
  });
});

transportTest("s3 explicit parse=auto behaves like no parse kwarg", async (transport) => {
  await withFakeAws(transport, { s3: OBJECTS }, async () => {
    assert.deepEqual(await get("cfg/app.json", { parse: "auto" }), { a: [1, 2], b: null });
  });
});

transportTest("s3 explicit parse modes override the key and content type", async (transport) => {
  await withFakeAws(transport, { s3: OBJECTS }, async () => {
    assert.equal(await get("cfg/app.json", { parse: "text" }), '{"a": [1, 2], "b": null}');
    assert.deepEqual(await get("cfg/readme.txt", { parse: "yaml" }), "hello world");
    // Modes are case-insensitive; YAML content read as JSON fails.
    await assert.rejects(get("cfg/typed-yaml", { parse: "JSON" }), ParseError);
    assert.deepEqual(await get("cfg/typed-json", { parse: "YAML" }), { k: 1 });
    assert.deepEqual(
      await get("cfg/app.yaml", { parse: "binary" }),
      new TextEncoder().encode(OBJECTS["cfg/app.yaml"].body),
    );
  });
});

transportTest("s3 parse=binary returns the exact bytes", async (transport) => {
  await withFakeAws(transport, { s3: OBJECTS }, async () => {
    const v = await get("cfg/data.bin", { parse: "binary" });
    assert.ok(v instanceof Uint8Array);
    assert.deepEqual([...v], [0, 255, 1, 128]);
  });
});

transportTest(
  "s3 text of non-UTF-8 bytes is an error suggesting parse=binary",
  async (transport) => {
    await withFakeAws(transport, { s3: OBJECTS }, async () => {
      await assert.rejects(get("cfg/data.bin"), (err: unknown) => {
        assert.ok(err instanceof ResolverError);
        assert.match(err.message, /not valid UTF-8/);
        assert.match(err.message, /parse=binary/);
        return true;
      });
    });
  },
);

transportTest(
  "s3 invalid JSON or YAML content is a ParseError that does not quote the content",
  async (transport) => {
    await withFakeAws(transport, { s3: OBJECTS }, async () => {
      await assert.rejects(get("cfg/bad.json"), (err: unknown) => {
        assert.ok(err instanceof ParseError);
        assert.match(err.message, /Failed to parse JSON from S3 object 'cfg\/bad.json'/);
        assert.doesNotMatch(err.message, /not json/);
        return true;
      });
      await assert.rejects(get("cfg/bad.yaml"), (err: unknown) => {
        assert.ok(err instanceof ParseError);
        assert.match(err.message, /Failed to parse YAML from S3 object 'cfg\/bad.yaml'/);
        return true;
      });
    });
  },
);

transportTest(
  "s3 parse errors never quote the object, which may be a secret (sensitive=true is not seen)",
  async (transport) => {
    await withFakeAws(transport, { s3: OBJECTS }, async () => {
      for (const key of ["cfg/secret.yaml", "cfg/tag.yaml"]) {
        const err = await get(key).then(() => undefined, (e) => e);
        assert.ok(err instanceof ParseError, key);
        let texts = "";
        for (let e: unknown = err; e instanceof Error; e = e.cause) texts += e.message + "\n";
        assert.ok(!texts.includes("hunter2"), texts);
      }
    });
  },
);

transportTest(
  "s3 parse=json has the json resolver's depth limit and positions",
  async (transport) => {
    await withFakeAws(transport, { s3: OBJECTS }, async () => {
      await assert.rejects(get("cfg/deep.json", { parse: "json" }), (err: unknown) => {
        assert.ok(err instanceof ParseError);
        assert.match(err.message, /line 1, column 1001: nesting exceeded the depth limit/);
        return true;
      });
      await assert.rejects(get("cfg/bad.json"), /Invalid JSON at line 1, column 2/);
    });
  },
);

transportTest("s3 an unknown parse mode is a ParseError", async (transport) => {
  await withFakeAws(transport, { s3: OBJECTS }, async (fake) => {
    await assert.rejects(get("cfg/plain", { parse: "xml" }), (e: unknown) => {
      assert.ok(e instanceof ParseError);
      assert.equal(e.code, "INVALID_KEYWORD_VALUE");
      assert.match(e.message, /parse= takes one of yaml, json, text, binary, auto/);
      return true;
    });
    assert.equal(fake.count("GetObject"), 0);
  });
});

transportTest("s3 accepts an s3:// prefix and splits at the first slash", async (transport) => {
  await withFakeAws(transport, { s3: OBJECTS }, async (fake) => {
    assert.equal(await get("s3://cfg/readme.txt"), "hello world");
    assert.equal(await get("cfg/dir/nested/key.txt"), "nested");
    assert.deepEqual(fake.requests.map((r) => r.names[0]), [
      "cfg/readme.txt",
      "cfg/dir/nested/key.txt",
    ]);
  });
});

transportTest("s3 keys that need escaping reach the object they name", async (transport) => {
  const keys = ["dir/a b+c(1)é.txt", "dir/100%/x=y&z.yaml", "dir/~tilde*star'q.txt"];
  await withFakeAws(transport, {
    s3: Object.fromEntries(keys.map((k, i) => [`my.bucket/${k}`, `body ${i}\n`])),
  }, async (fake) => {
    for (const [i, key] of keys.entries()) {
      assert.equal(await get(`my.bucket/${key}`, { parse: "text" }), `body ${i}\n`);
    }
    assert.deepEqual(fake.requests.map((r) => [r.signature, r.names[0]]), [
      ["valid", `my.bucket/${keys[0]}`],
      ["valid", `my.bucket/${keys[1]}`],
      ["valid", `my.bucket/${keys[2]}`],
    ]);
  });
});

transportTest("s3 NoSuchKey and NoSuchBucket are NotFoundError", async (transport) => {
  await withFakeAws(transport, { s3: OBJECTS }, async () => {
    await assert.rejects(get("cfg/missing.txt"), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.match(err.message, /S3 object not found: cfg\/missing.txt/);
      return true;
    });
    await assert.rejects(get("nobucket/x.txt"), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.match(err.message, /bucket does not exist/);
      return true;
    });
  });
});

transportTest("s3 AccessDenied is a ResolverError, not not-found", async (transport) => {
  await withFakeAws(transport, { s3: OBJECTS, deny: ["cfg/readme.txt"] }, async () => {
    await assert.rejects(get("cfg/readme.txt"), (err: unknown) => {
      assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
      assert.match(err.message, /AccessDenied/);
      return true;
    });
  });
});

transportTest("s3 succeeds after two throttled attempts", async (transport) => {
  await withFakeAws(transport, { s3: OBJECTS, throttleFirst: 2 }, async (fake) => {
    assert.equal(await get("cfg/readme.txt"), "hello world");
    assert.equal(fake.count("GetObject"), 3);
  });
});

Deno.test("s3 on the light transport starts no retry wait past the call's deadline", async () => {
  await withFakeAws("light", { s3: OBJECTS, throttleFirst: 100 }, async (fake, { clock }) => {
    // SlowDown: waits of 250 ms, then 500 ms (jitter 0.5); the deadline leaves room for one.
    const call = makeCall("s3", "cfg/plain", { deadline: clock.now() + 600 });
    await assert.rejects(s3Resolver.resolve("cfg/plain", call), /SlowDown/);
    assert.equal(fake.count("GetObject"), 2);
    assert.deepEqual(clock.waits, [250]);
  });
});

transportTest("s3 abort stops a request the endpoint never answers", async (transport) => {
  await withFakeAws(transport, { s3: OBJECTS, hang: true }, async (fake) => {
    const controller = new AbortController();
    const pending = s3Resolver.resolve(
      "cfg/readme.txt",
      makeCall("s3", "cfg/readme.txt", { signal: controller.signal }),
    );
    await fake.until((f) => f.waiting === 1);
    controller.abort(new Error("test abort"));
    await assert.rejects(pending, (err: unknown) => {
      assert.ok(err instanceof ResolverError);
      assert.equal(err.code, "RESOLVER_ABORTED");
      return true;
    });
    await fake.until((f) => f.waiting === 0);
  });
});

transportTest("s3 values are not sensitive", async (transport) => {
  await withFakeAws(transport, { s3: OBJECTS }, async () => {
    assert.ok(!((await get("cfg/readme.txt")) instanceof ResolvedValue));
  });
});

for (const arg of ["invalid", "bucket/", "/key", "s3://bucket", "s3:///key", ""]) {
  Deno.test(`s3 rejects '${arg}': not bucket/key`, async () => {
    await assert.rejects(s3Resolver.resolve(arg, makeCall("s3", arg)), (err: unknown) => {
      assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
      assert.equal(err.headline, `S3 argument must be in bucket/key format: ${arg}`);
      return true;
    });
  });
}

/** Every string reachable from `value` (own properties, `cause`, `message`), depth-limited. */
function allStrings(value: unknown, depth = 0, seen = new Set<unknown>()): string[] {
  if (typeof value === "string") return [value];
  if (typeof value !== "object" || value === null || depth > 6 || seen.has(value)) return [];
  seen.add(value);
  const out: string[] = [];
  const keys = new Set([...Object.getOwnPropertyNames(value), "message", "name", "cause"]);
  for (const k of keys) {
    let v: unknown;
    try {
      v = (value as Record<string, unknown>)[k];
    } catch {
      continue;
    }
    out.push(...allStrings(v, depth + 1, seen));
  }
  return out;
}

Deno.test("awsFailure on a sensitive input keeps only the AWS error name, cause included", () => {
  // The SDK's DNS failure names the bucket's virtual host, which is not the key as written.
  const sdkError = Object.assign(
    new Error("getaddrinfo ENOTFOUND mysecretbucket.s3.amazonaws.com"),
    { code: "ENOTFOUND", hostname: "mysecretbucket.s3.amazonaws.com" },
  );
  const signal = new AbortController().signal;
  const e = awsFailure("S3 object '[REDACTED]'", sdkError, { signal, sensitiveInput: true });
  const everything = allStrings(e).join("\n");
  assert.ok(!everything.includes("mysecretbucket"), everything);
  assert.equal(e.headline, "Failed to get S3 object '[REDACTED]': ENOTFOUND");
  assert.ok(e.cause instanceof Error && e.cause !== sdkError);
  assert.equal((e.cause as Error).name, "ENOTFOUND");
  // Not sensitive: the SDK's message is shown and kept as the cause.
  const open = awsFailure("S3 object 'b/k'", sdkError, { signal, sensitiveInput: false });
  assert.match(open.headline, /ENOTFOUND mysecretbucket/);
  assert.equal(open.cause, sdkError);
});

transportTest(
  "s3 errors on a sensitive bucket/key carry none of its text anywhere",
  async (transport) => {
    await withFakeAws(transport, { s3: OBJECTS, deny: ["cfg/readme.txt"] }, async () => {
      const arg = "cfg/readme.txt";
      await assert.rejects(
        s3Resolver.resolve(arg, makeCall("s3", arg, { sensitiveInput: true })),
        (err: unknown) => {
          assert.ok(err instanceof ResolverError && !(err instanceof NotFoundError));
          assert.match(err.message, /AccessDenied/);
          const everything = allStrings(err).join("\n");
          assert.ok(!everything.includes("readme"), everything);
          return true;
        },
      );
    });
  },
);
