// The AWS resolvers through the public API (Config, resolveAll, exports) against the loopback
// fake AWS endpoint. `withFakeAws` sets fake credentials, points ssm/s3/cfn at the fake, and
// restores the environment and calls reset() afterwards.

import assert from "node:assert/strict";
import { load as loadYaml } from "js-yaml";
import { Config, configure, HoloconfError, ResolveAllError } from "../../../mod.ts";
import { getSchedulerSettings } from "../../../src/scheduler.ts";
import { transportTest, withFakeAws } from "./_helpers.ts";
import { noHang } from "../../_async.ts";
import { installFakeClock } from "../../_fake_clock.ts";

function names(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `/app/p${i}`);
}

function refsConfig(keys: string[]): string {
  return keys.map((k, i) => `k${i}: \${ssm:${k}}\n`).join("");
}

for (const [n, requests] of [[9, 1], [10, 1], [11, 2], [21, 3]] as const) {
  transportTest(
    `resolveAll() of ${n} ssm references makes ${requests} GetParameters request(s)`,
    async (transport) => {
      const keys = names(n);
      await withFakeAws(transport, {
        ssm: Object.fromEntries(keys.map((k, i) => [k, `value-${i}`])),
      }, async (fake) => {
        const config = Config.loads(refsConfig(keys));
        const all = await config.resolveAll();
        assert.deepEqual(all, Object.fromEntries(keys.map((_, i) => [`k${i}`, `value-${i}`])));
        assert.equal(fake.count("GetParameters"), requests);
        assert.equal(fake.count("GetParameter"), 0);
        assert.ok(fake.requests.every((r) => r.names.length <= 10));
        assert.deepEqual(fake.requests.flatMap((r) => r.names).sort(), [...keys].sort());
        // Every value is memoized: no further request.
        assert.equal(config.getSync(`k${n - 1}`), `value-${n - 1}`);
        assert.equal(fake.count("GetParameters"), requests);
      });
    },
  );
}

transportTest(
  "resolveAll() of a mixed ssm batch fails only the missing names; default= applies",
  async (transport) => {
    await withFakeAws(transport, { ssm: { "/a": "1", "/c": "3" } }, async (fake) => {
      const config = Config.loads(
        "a: ${ssm:/a}\n" +
          "b: ${ssm:/missing-b}\n" +
          "c: ${ssm:/c}\n" +
          "d: ${ssm:/missing-d}\n" +
          "e: ${ssm:/missing-e,default=fallback}\n",
      );
      const err = await config.resolveAll().then(
        () => assert.fail("resolveAll should fail"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ResolveAllError);
      assert.deepEqual(err.failures.map((f) => f.path).sort(), ["b", "d"]);
      for (const f of err.failures) {
        assert.equal(f.error.code, "NOT_FOUND");
        assert.match(f.error.message, new RegExp(`SSM parameter not found: /missing-${f.path}`));
      }
      // One request served all five names; the values that resolved are memoized.
      assert.equal(fake.count("GetParameters"), 1);
      assert.equal(config.getSync("a"), "1");
      assert.equal(config.getSync("c"), "3");
      assert.equal(config.getSync("e"), "fallback");
    });
  },
);

transportTest(
  "SecureString values are redacted in toYaml({ redact: true }) and in concatenations",
  async (transport) => {
    await withFakeAws(transport, {
      ssm: {
        "/db/user": "app",
        "/db/password": { value: "s3cr3t-pa55", type: "SecureString" },
      },
    }, async () => {
      const config = Config.loads(
        "db:\n" +
          "  user: ${ssm:/db/user}\n" +
          "  password: ${ssm:/db/password}\n" +
          "  url: postgres://${ssm:/db/user}:${ssm:/db/password}@db.internal/app\n" +
          "  host: db.internal\n",
      );
      const dump = await config.toYaml({ redact: true });
      assert.ok(!dump.includes("s3cr3t-pa55"), dump);
      assert.deepEqual(loadYaml(dump), {
        db: {
          user: "app",
          password: "[REDACTED]",
          url: "[REDACTED]",
          host: "db.internal",
        },
      });
      // The value itself is available to the program.
      assert.equal(await config.get("db.password"), "s3cr3t-pa55");
      assert.equal(await config.get("db.url"), "postgres://app:s3cr3t-pa55@db.internal/app");
    });
  },
);

transportTest("a StringList parameter is an array, navigable by index", async (transport) => {
  await withFakeAws(
    transport,
    { ssm: { "/hosts": { value: "a,b, c", type: "StringList" } } },
    async () => {
      const config = Config.loads("hosts: ${ssm:/hosts}\nfirst: ${hosts[0]}\n");
      assert.deepEqual(await config.resolveAll(), { hosts: ["a", "b", " c"], first: "a" });
      assert.equal(await config.get("hosts[2]"), " c");
    },
  );
});

transportTest(
  "ssm references with different region= kwargs go out in different batches",
  async (transport) => {
    await withFakeAws(transport, {
      ssm: {
        "/eu/a": { value: "eu-a", region: "eu-west-1" },
        "/eu/b": { value: "eu-b", region: "eu-west-1" },
        "/us/a": { value: "us-a", region: "us-west-2" },
      },
    }, async (fake) => {
      const config = Config.loads(
        "x: ${ssm:/eu/a,region=eu-west-1}\n" +
          "y: ${ssm:/us/a,region=us-west-2}\n" +
          "z: ${ssm:/eu/b,region=eu-west-1}\n",
      );
      assert.deepEqual(await config.resolveAll(), { x: "eu-a", y: "us-a", z: "eu-b" });
      assert.equal(fake.count("GetParameters"), 2);
      const byRegion = Object.fromEntries(
        fake.requests.map((r) => [r.region, [...r.names].sort()]),
      );
      assert.deepEqual(byRegion, { "eu-west-1": ["/eu/a", "/eu/b"], "us-west-2": ["/us/a"] });
    });
  },
);

transportTest(
  "an ssm endpoint that never answers fails at the per-call timeout (RESOLVER_TIMEOUT)",
  async (transport) => {
    const saved = getSchedulerSettings();
    try {
      configure({ defaultTimeout: 200 });
      await withFakeAws(transport, { ssm: { "/slow": "v" }, hang: true }, async (fake) => {
        const config = Config.loads("slow: ${ssm:/slow}\n");
        using clock = installFakeClock();
        const pending = noHang(config.get("slow"), "get slow");
        pending.catch(() => {}); // inspected below
        await fake.until((f) => f.waiting === 1); // the request reached the endpoint and hangs
        await clock.advance(200);
        const err = await pending.then(
          () => assert.fail("get should time out"),
          (e: unknown) => e,
        );
        assert.ok(err instanceof HoloconfError);
        assert.equal(err.code, "RESOLVER_TIMEOUT");
        assert.equal(err.path, "slow");
        // The request did reach the endpoint: the timeout, not a connection error, ended it.
        assert.equal(fake.count("GetParameters"), 1);
        // Failures are not memoized: once the endpoint answers, a later get retries.
        fake.setFaults({ hang: false });
        assert.equal(await config.get("slow"), "v");
      });
    } finally {
      configure(saved);
    }
  },
);

transportTest("s3 parse=yaml gives a mapping navigable with get()", async (transport) => {
  await withFakeAws(
    transport,
    { s3: { "conf/app.txt": "key: value\nlist: [1, 2]\n" } },
    async (fake) => {
      // The key has no .yaml extension: parse=yaml decides.
      const config = Config.loads("x: ${s3:conf/app.txt,parse=yaml}\n");
      assert.equal(await config.get("x.key"), "value");
      assert.equal(await config.get("x.list[1]"), 2);
      assert.deepEqual(await config.get("x"), { key: "value", list: [1, 2] });
      assert.equal(fake.count("GetObject"), 1);
    },
  );
});

transportTest("two cfn outputs of one stack need one DescribeStacks", async (transport) => {
  await withFakeAws(
    transport,
    { cfn: { network: { VpcId: "vpc-123", SubnetId: "subnet-456" } } },
    async (fake) => {
      const config = Config.loads(
        "vpc: ${cfn:network/VpcId}\nsubnet: ${cfn:network/SubnetId}\n",
      );
      assert.deepEqual(await config.resolveAll(), { vpc: "vpc-123", subnet: "subnet-456" });
      assert.equal(fake.count("DescribeStacks"), 1);
    },
  );
});
