// Tests of the secretsmanager resolver (resolvers/aws/secretsmanager.ts) against the loopback
// fake AWS, on both transports: batching by secret id (BatchGetSecretValue, a batch of 20
// distinct secrets a request, batches in parallel), pinned versions (GetSecretValue), key= and
// parse=, per-secret errors, pagination, the fallback for roles without the batch action, and
// redaction.

import assert from "node:assert/strict";
import { secretsmanagerResolver } from "../../../resolvers/aws/mod.ts";
import { Config, ResolveAllError, type TraceEvent } from "../../../mod.ts";
import { NotFoundError, ParseError, ResolverError } from "../../../src/errors.ts";
import { ResolvedValue, type ResolverCall } from "../../../src/resolver.ts";
import { makeCall, transportTest, withFakeAws } from "./_helpers.ts";

function ids(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `app/secret-${i}`);
}

function fixtures(n: number): Record<string, string> {
  return Object.fromEntries(ids(n).map((id, i) => [id, `value-${i}`]));
}

function call(id: string, kwargs: Record<string, string> = {}): ResolverCall {
  return makeCall("secretsmanager", id, { kwargs });
}

/** The value inside a resolver's answer, which must be a sensitive ResolvedValue. */
function secretOf(v: unknown): unknown {
  assert.ok(v instanceof ResolvedValue, `a ResolvedValue, got ${String(v)}`);
  assert.equal(v.sensitive, true);
  return v.value;
}

const DB = JSON.stringify({
  username: "admin",
  password: "hunter2",
  db: { hosts: ["db-1.internal", "db-2.internal"], port: 5432 },
});

for (const n of [19, 20]) {
  transportTest(
    `secretsmanager resolveMany() of ${n} ids sends one BatchGetSecretValue`,
    async (transport) => {
      await withFakeAws(transport, { secrets: fixtures(n) }, async (fake) => {
        const keys = ids(n);
        const values = await secretsmanagerResolver.resolveMany(keys, keys.map((k) => call(k)));
        assert.deepEqual(values.map(secretOf), keys.map((_, i) => `value-${i}`));
        assert.equal(fake.count("BatchGetSecretValue"), 1);
        assert.equal(fake.count("GetSecretValue"), 0);
        assert.deepEqual(fake.requests[0]!.names.sort(), [...keys].sort());
      });
    },
  );
}

transportTest(
  "resolveMany() serves 20 distinct secrets: a call for a 21st is outside the batch",
  async (transport) => {
    await withFakeAws(transport, { secrets: fixtures(21) }, async (fake) => {
      const keys = [...ids(21), "app/secret-3"];
      const values = await secretsmanagerResolver.resolveMany(keys, keys.map((k) => call(k)));
      assert.deepEqual(values.slice(0, 20).map(secretOf), ids(20).map((_, i) => `value-${i}`));
      assert.ok(values[20] instanceof ResolverError, String(values[20]));
      assert.match((values[20] as Error).message, /serves one batch group at a time/);
      assert.equal(secretOf(values[21]), "value-3", "a secret already in the batch still fits");
      assert.deepEqual(fake.requests.map((r) => r.names.length), [20]);
    });
  },
);

// Two full batches and one more (41), or a part of one (45): three requests either way.
for (const [n, sizes] of [[41, [1, 20, 20]], [45, [5, 20, 20]]] as const) {
  transportTest(
    `resolveAll() of ${n} secrets sends 3 BatchGetSecretValue requests in parallel: ${
      sizes.join(" + ")
    }`,
    async (transport) => {
      const keys = ids(n);
      await withFakeAws(transport, { secrets: fixtures(n), hang: true }, async (fake) => {
        const config = Config.loads(
          keys.map((k, i) => `s${i}: \${secretsmanager:${k}}\n`).join(""),
        );
        const pending = config.resolveAll();
        // The three requests are at the server at once before any is answered.
        await fake.until((f) => f.waiting === 3);
        fake.releaseAll();
        const values = await pending;
        assert.deepEqual(Object.values(values), keys.map((_, i) => `value-${i}`));
        assert.equal(fake.count("BatchGetSecretValue"), 3);
        assert.equal(fake.count("GetSecretValue"), 0);
        assert.deepEqual(fake.requests.map((r) => r.names.length).sort((a, b) => a - b), sizes);
        // Every id asked exactly once across the three batches.
        assert.deepEqual(fake.requests.flatMap((r) => r.names).sort(), [...keys].sort());
      });
    },
  );
}

transportTest(
  "several key= selections of one secret share one fetch",
  async (transport) => {
    await withFakeAws(transport, { secrets: { "prod/db": DB } }, async (fake) => {
      const config = Config.loads(
        "user: ${secretsmanager:prod/db,key=username}\n" +
          "password: ${secretsmanager:prod/db,key=password}\n" +
          "host: ${secretsmanager:prod/db,key=db.hosts[1]}\n" +
          "port: ${secretsmanager:prod/db,key=db.port}\n" +
          "all: ${secretsmanager:prod/db}\n",
      );
      const values = await config.resolveAll<Record<string, unknown>>();
      assert.deepEqual(values, {
        user: "admin",
        password: "hunter2",
        host: "db-2.internal",
        port: 5432,
        all: JSON.parse(DB),
      });
      assert.deepEqual(fake.requests.map((r) => [r.operation, r.names]), [
        ["BatchGetSecretValue", ["prod/db"]],
      ]);
    });
  },
);

transportTest("a missing key= field is not found, so default= applies", async (transport) => {
  await withFakeAws(transport, { secrets: { "prod/db": DB } }, async () => {
    const [missing] = await secretsmanagerResolver.resolveMany(["prod/db"], [
      call("prod/db", { key: "db.nope" }),
    ]);
    assert.ok(missing instanceof NotFoundError, String(missing));
    assert.match(missing.message, /Key 'db\.nope' not found in Secrets Manager secret 'prod\/db'/);
    assert.doesNotMatch(missing.message + (missing.help ?? ""), /hunter2|admin/);
    const config = Config.loads("x: ${secretsmanager:prod/db,key=nope,default=fallback}\n");
    assert.equal(await config.get("x"), "fallback");
  });
});

transportTest(
  "parse=: auto keeps a non-JSON string as text, json parses any root, text keeps JSON as text",
  async (transport) => {
    await withFakeAws(transport, {
      secrets: { plain: "s3cr3t", number: "12345", obj: '{"a":1}', broken: "{not json" },
    }, async () => {
      const keys = ["plain", "number", "number", "obj", "obj", "broken"];
      const calls = [
        call("plain"),
        call("number"),
        call("number", { parse: "json" }),
        call("obj", { parse: "text" }),
        call("obj", { parse: "binary" }),
        call("broken"),
      ];
      const values = await secretsmanagerResolver.resolveMany(keys, calls);
      assert.deepEqual(values.map(secretOf), [
        "s3cr3t",
        "12345",
        12345,
        '{"a":1}',
        new TextEncoder().encode('{"a":1}'),
        "{not json",
      ]);
      const [bad] = await secretsmanagerResolver.resolveMany(["broken"], [
        call("broken", { parse: "json" }),
      ]);
      assert.ok(bad instanceof ParseError, String(bad));
      assert.match(bad.message, /Failed to parse JSON from Secrets Manager secret 'broken'/);
      assert.doesNotMatch(JSON.stringify([bad.message, bad.detail, bad.help]), /not json/);
    });
  },
);

transportTest("a SecretBinary is bytes; parse=text decodes it; key= reads it as JSON", async (
  transport,
) => {
  const bytes = new Uint8Array([0, 1, 2, 250, 255]);
  await withFakeAws(transport, {
    secrets: { bin: bytes, "bin-json": new TextEncoder().encode('{"k":"v"}') },
  }, async () => {
    const values = await secretsmanagerResolver.resolveMany(["bin", "bin-json", "bin-json"], [
      call("bin"),
      call("bin-json", { parse: "text" }),
      call("bin-json", { key: "k" }),
    ]);
    assert.deepEqual(values.map(secretOf), [bytes, '{"k":"v"}', "v"]);
    const [notText] = await secretsmanagerResolver.resolveMany(["bin"], [
      call("bin", { parse: "text" }),
    ]);
    assert.ok(notText instanceof ResolverError);
    assert.match(notText.message, /is not valid UTF-8/);
  });
});

transportTest(
  "calls pinned to a version use GetSecretValue; AWSCURRENT joins the batch",
  async (transport) => {
    await withFakeAws(transport, {
      secrets: {
        api: {
          value: "current",
          versions: { "v-old": { value: "previous", stages: ["AWSPREVIOUS"] } },
        },
        other: "x",
      },
    }, async (fake) => {
      const keys = ["api", "api", "api", "api", "other"];
      const values = await secretsmanagerResolver.resolveMany(keys, [
        call("api"),
        call("api", { version_stage: "AWSPREVIOUS" }),
        call("api", { version_id: "v-old" }),
        call("api", { version_stage: "AWSCURRENT" }),
        call("other"),
      ]);
      assert.deepEqual(values.map(secretOf), ["current", "previous", "previous", "current", "x"]);
      assert.equal(fake.count("BatchGetSecretValue"), 1);
      assert.equal(fake.count("GetSecretValue"), 2);
      const batch = fake.requests.find((r) => r.operation === "BatchGetSecretValue")!;
      assert.deepEqual([...batch.names].sort(), ["api", "other"]);
      const [gone] = await secretsmanagerResolver.resolveMany(["api"], [
        call("api", { version_id: "v-nope" }),
      ]);
      assert.ok(gone instanceof NotFoundError, String(gone));
      assert.match(gone.message, /Secrets Manager secret not found: api \(v-nope\)/);
    });
  },
);

transportTest(
  "a denied id inside a batch fails that call alone, naming the secret, never a value",
  async (transport) => {
    await withFakeAws(transport, {
      secrets: { a: "value-a", b: "value-b", c: "value-c" },
      deny: ["b"],
      decryptFail: ["c"],
    }, async (fake) => {
      const values = await secretsmanagerResolver.resolveMany(["a", "b", "c", "d"], [
        call("a"),
        call("b"),
        call("c"),
        call("d"),
      ]);
      assert.equal(secretOf(values[0]), "value-a");
      const denied = values[1];
      assert.ok(denied instanceof ResolverError && !(denied instanceof NotFoundError));
      assert.equal(denied.code, "AWS_ERROR");
      assert.match(
        denied.message,
        /Failed to get Secrets Manager secret 'b': AccessDeniedException/,
      );
      assert.match(denied.help ?? "", /IAM permissions/);
      const undecryptable = values[2];
      assert.ok(undecryptable instanceof ResolverError);
      assert.match(undecryptable.message, /secret 'c': DecryptionFailure/);
      assert.match(undecryptable.help ?? "", /kms:Decrypt/);
      assert.ok(values[3] instanceof NotFoundError, String(values[3]));
      assert.doesNotMatch(JSON.stringify(values.slice(1).map(String)), /value-/);
      assert.equal(fake.count("BatchGetSecretValue"), 1);
      assert.equal(fake.count("GetSecretValue"), 0);
    });
  },
);

transportTest(
  "resolveAll() with one denied secret fails that path only; a missing one takes default=",
  async (transport) => {
    await withFakeAws(
      transport,
      { secrets: { a: "value-a", b: "value-b" }, deny: ["b"] },
      async () => {
        const config = Config.loads(
          "a: ${secretsmanager:a}\nb: ${secretsmanager:b}\nc: ${secretsmanager:gone,default=dflt}\n",
        );
        const err = await config.resolveAll().then(() => assert.fail("must fail"), (e) => e);
        assert.ok(err instanceof ResolveAllError);
        assert.deepEqual(err.failures.map((f) => f.path), ["b"]);
        assert.doesNotMatch(String(err), /value-/);
        assert.equal(await config.get("a"), "value-a");
        assert.equal(await config.get("c"), "dflt");
      },
    );
  },
);

transportTest("BatchGetSecretValue pages are followed (NextToken)", async (transport) => {
  await withFakeAws(transport, { secrets: fixtures(20), secretsPageSize: 7 }, async (fake) => {
    const keys = ids(20);
    const values = await secretsmanagerResolver.resolveMany(keys, keys.map((k) => call(k)));
    assert.deepEqual(values.map(secretOf), keys.map((_, i) => `value-${i}`));
    assert.equal(fake.count("BatchGetSecretValue"), 3);
    assert.equal(fake.count("GetSecretValue"), 0);
  });
});

transportTest(
  "a role without BatchGetSecretValue gets its secrets one GetSecretValue each",
  async (transport) => {
    await withFakeAws(transport, { secrets: fixtures(3), denyBatch: true }, async (fake) => {
      const keys = ids(3);
      const values = await secretsmanagerResolver.resolveMany(keys, keys.map((k) => call(k)));
      assert.deepEqual(values.map(secretOf), ["value-0", "value-1", "value-2"]);
      assert.equal(fake.count("BatchGetSecretValue"), 1);
      assert.equal(fake.count("GetSecretValue"), 3);
    });
  },
);

transportTest("a throttled batch is retried", async (transport) => {
  await withFakeAws(transport, { secrets: fixtures(2), throttleFirst: 2 }, async (fake) => {
    const keys = ids(2);
    const values = await secretsmanagerResolver.resolveMany(keys, keys.map((k) => call(k)));
    assert.deepEqual(values.map(secretOf), ["value-0", "value-1"]);
    assert.equal(fake.count("BatchGetSecretValue"), 3);
  });
});

transportTest("a secret is found by name, full ARN or partial ARN", async (transport) => {
  await withFakeAws(transport, { secrets: { "prod/api": "k" } }, async (fake) => {
    // The fake's ARN for the name (us-east-1): a partial ARN leaves out the 6-character suffix.
    const full = (await secretsmanagerResolver.resolveMany(["prod/api"], [call("prod/api")]))[0];
    assert.equal(secretOf(full), "k");
    const partial = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/api";
    const suffix = fake.requests.length; // one request so far
    assert.equal(suffix, 1);
    const [byPartial] = await secretsmanagerResolver.resolveMany([partial], [call(partial)]);
    assert.equal(secretOf(byPartial), "k");
    assert.equal(fake.count("GetSecretValue"), 0, "the batch answer matched the partial ARN");
  });
});

transportTest(
  "secretsmanager resolveMany() answers only the first call's client",
  async (transport) => {
    await withFakeAws(transport, { secrets: { a: "1" } }, async (fake) => {
      const calls = [call("a"), call("a", { region: "us-west-2" })];
      assert.notEqual(
        secretsmanagerResolver.batchGroup("a", calls[0]!),
        secretsmanagerResolver.batchGroup("a", calls[1]!),
      );
      const values = await secretsmanagerResolver.resolveMany(["a", "a"], calls);
      assert.equal(secretOf(values[0]), "1");
      assert.ok(values[1] instanceof ResolverError);
      assert.match(values[1].message, /serves one batch group at a time/);
      assert.deepEqual(fake.requests.map((r) => r.region), ["us-east-1"]);
    });
  },
);

Deno.test("secretsmanager checks its arguments before any request", async () => {
  await assert.rejects(
    secretsmanagerResolver.resolve("", makeCall("secretsmanager", undefined)),
    /requires a secret name or ARN/,
  );
  await assert.rejects(
    secretsmanagerResolver.resolve("db", call("db", { key: "a", parse: "binary" })),
    (e) => e instanceof ParseError && e.code === "INVALID_KEYWORD_VALUE",
  );
  await assert.rejects(
    secretsmanagerResolver.resolve("db", call("db", { parse: "yaml" })),
    (e) => e instanceof ParseError && /one of auto, json, text, binary/.test(e.help ?? ""),
  );
  assert.equal(secretsmanagerResolver.batchSize, 20);
});

transportTest(
  "no secret value reaches a redacted dump, an error or a trace event",
  async (transport) => {
    await withFakeAws(transport, {
      secrets: { "prod/db": DB, token: "tok-SECRET-1", bin: new Uint8Array([7, 7, 7]) },
      deny: ["denied"],
    }, async () => {
      const events: TraceEvent[] = [];
      const config = Config.loads(
        "db: ${secretsmanager:prod/db}\n" +
          "password: ${secretsmanager:prod/db,key=password}\n" +
          "token: ${secretsmanager:token}\n" +
          "bin: ${secretsmanager:bin}\n" +
          "url: postgres://admin:${password}@host/db\n" +
          "nested: ${json:${secretsmanager:prod/db,parse=text}}\n",
        { onTrace: (e) => events.push(e) },
      );
      const dump = await config.toYaml({ redact: true });
      for (const leaked of ["hunter2", "admin", "tok-SECRET-1", "db-1.internal", "5432"]) {
        assert.ok(!dump.includes(leaked), `${leaked} in the dump:\n${dump}`);
      }
      assert.match(dump, /^token: '\[REDACTED\]'$/m);
      assert.equal(await config.get("db.username", { redact: true }), "[REDACTED]");
      assert.ok(events.length >= 4);
      assert.doesNotMatch(JSON.stringify(events), /hunter2|tok-SECRET|admin/);
      // An error about a value built from a secret does not show it.
      const bad = Config.loads(
        "pw: ${secretsmanager:token}\nn: ${split:${pw},limit=x}\n" +
          "d: ${secretsmanager:denied}\nj: ${secretsmanager:token,parse=json}\n",
      );
      for (const path of ["n", "d", "j"]) {
        const err = await bad.get(path).then(() => assert.fail(`${path} resolved`), (e) => e);
        assert.doesNotMatch(
          JSON.stringify([String(err), err.stack, err.detail, err.help, String(err.cause)]),
          /tok-SECRET|hunter2/,
          path,
        );
      }
    });
  },
);

transportTest(
  "resolveMany() keeps nothing between batches: two groups asking for one id each fetch it",
  async (transport) => {
    await withFakeAws(transport, { secrets: fixtures(3), hang: true }, async (fake) => {
      const keys = ids(3);
      const first = secretsmanagerResolver.resolveMany(keys, keys.map((k) => call(k)));
      await fake.until((f) => f.waiting === 1);
      // A second group (another Config's batch, say) with one of those ids and a new one.
      const second = secretsmanagerResolver.resolveMany([keys[1]!, "app/secret-x"], [
        call(keys[1]!),
        call("app/secret-x"),
      ]);
      await fake.until((f) => f.waiting === 2);
      fake.releaseAll();
      const [a, b] = await Promise.all([first, second]);
      assert.deepEqual(a.map(secretOf), ["value-0", "value-1", "value-2"]);
      assert.equal(secretOf(b[0]), "value-1");
      assert.ok(b[1] instanceof NotFoundError);
      assert.deepEqual(fake.requests.map((r) => r.names), [keys, [keys[1], "app/secret-x"]]);
    });
  },
);

transportTest(
  "key= selections of one secret count once: 120 selections of 30 secrets take 2 requests",
  async (transport) => {
    const keys = ids(30);
    const fields = ["a", "b", "c", "d"];
    const secrets = Object.fromEntries(
      keys.map((k, i) => [k, JSON.stringify(Object.fromEntries(fields.map((f) => [f, i])))]),
    );
    await withFakeAws(transport, { secrets }, async (fake) => {
      const lines = keys.flatMap((k, i) =>
        fields.map((f) => `s${i}${f}: \${secretsmanager:${k},key=${f}}\n`)
      );
      const config = Config.loads(lines.join(""));
      const values = await config.resolveAll<Record<string, number>>();
      assert.equal(values.s29d, 29);
      assert.deepEqual(fake.requests.map((r) => r.names.length).sort(), [10, 20]);
    });
  },
);

transportTest(
  "a secret stays sensitive with sensitive=false; an SSM SecureString hint does not",
  async (transport) => {
    await withFakeAws(transport, {
      secrets: { "app/db": "hunter2" },
      ssm: { "/app/pw": { value: "s3cure", type: "SecureString" } },
    }, async () => {
      const config = Config.loads(
        "a: ${secretsmanager:app/db,sensitive=false}\nb: ${ssm:/app/pw,sensitive=false}\n",
      );
      const dump = await config.toYaml({ redact: true });
      assert.ok(!dump.includes("hunter2"), dump);
      assert.match(dump, /a: '\[REDACTED\]'/);
      // Upstream parity: sensitive=false un-marks a single value's hint (a SecureString).
      assert.match(dump, /b: s3cure/);
    });
  },
);
