// Tests of the appconfig resolver (resolvers/aws/appconfig.ts) against the loopback fake AWS, on
// both transports: one session per configuration, the poll interval kept (a fake clock), empty
// answers keep the content, expired tokens start a new session, parsing by content type, and the
// AppConfig Lambda extension's local endpoint.

import assert from "node:assert/strict";
import { appconfigResolver, configureAppConfig } from "../../../resolvers/aws/mod.ts";
import { Config } from "../../../mod.ts";
import { NotFoundError, ParseError, ResolverError } from "../../../src/errors.ts";
import { ResolvedValue, type ResolverCall } from "../../../src/resolver.ts";
import { mergedSettings } from "../../../src/resolver_settings.ts";
import { awsSettingsSpec } from "../../../resolvers/aws/_clients.ts";
import { makeCall, transportTest, withFakeAws } from "./_helpers.ts";
import { noHang } from "../../_async.ts";

const KEY = "orders/prod/flags";
const FLAGS = '{"newCheckout":{"enabled":true}}';

function call(key: string, kwargs: Record<string, string> = {}): ResolverCall {
  // Settings read now: a test that configures the extension first sees it.
  return makeCall("appconfig", key, { kwargs });
}

/** The plain value of a resolver's answer (a ResolvedValue carrying no sensitivity). */
function plain(v: unknown): unknown {
  assert.ok(v instanceof ResolvedValue, String(v));
  assert.equal(v.sensitive, false);
  return v.value;
}

transportTest(
  "appconfig starts one session, then reads again only when AppConfig's poll interval passed",
  async (transport) => {
    await withFakeAws(transport, {
      appconfig: { [KEY]: { content: FLAGS, pollIntervalS: 30 } },
    }, async (fake, { clock }) => {
      const ops = () => fake.requests.map((r) => r.operation);
      assert.deepEqual(plain(await appconfigResolver.resolve(KEY, call(KEY))), JSON.parse(FLAGS));
      assert.deepEqual(ops(), ["StartConfigurationSession", "GetLatestConfiguration"]);
      // A refresh within the interval: the kept content, no request.
      clock.advance(29_000);
      assert.deepEqual(plain(await appconfigResolver.resolve(KEY, call(KEY))), JSON.parse(FLAGS));
      assert.equal(fake.requests.length, 2);
      // After it: one poll with the kept token (no new session); "unchanged" keeps the content.
      clock.advance(1_000);
      assert.deepEqual(plain(await appconfigResolver.resolve(KEY, call(KEY))), JSON.parse(FLAGS));
      assert.deepEqual(ops().slice(2), ["GetLatestConfiguration"]);
      // A new deployment reaches the next poll.
      fake.deployAppConfig(KEY, { content: '{"newCheckout":{"enabled":false}}' });
      clock.advance(60_000);
      assert.deepEqual(plain(await appconfigResolver.resolve(KEY, call(KEY))), {
        newCheckout: { enabled: false },
      });
      assert.deepEqual(ops().slice(3), ["GetLatestConfiguration"]);
      assert.equal(fake.count("StartConfigurationSession"), 1);
      assert.ok(fake.requests.every((r) => r.signature === "valid"));
    });
  },
);

transportTest("an expired session token starts a new session", async (transport) => {
  await withFakeAws(transport, { appconfig: { [KEY]: FLAGS } }, async (fake, { clock }) => {
    await appconfigResolver.resolve(KEY, call(KEY));
    fake.expireAppConfigTokens();
    clock.advance(60_000);
    assert.deepEqual(plain(await appconfigResolver.resolve(KEY, call(KEY))), JSON.parse(FLAGS));
    assert.deepEqual(fake.requests.map((r) => r.operation), [
      "StartConfigurationSession",
      "GetLatestConfiguration",
      "GetLatestConfiguration", // refused: BadRequestException
      "StartConfigurationSession",
      "GetLatestConfiguration",
    ]);
  });
});

transportTest("reads of one configuration pending together share one poll", async (transport) => {
  await withFakeAws(transport, { appconfig: { [KEY]: FLAGS } }, async (fake) => {
    const [a, b] = await Promise.all([
      appconfigResolver.resolve(KEY, call(KEY)),
      appconfigResolver.resolve(KEY, call(KEY, { parse: "text" })),
    ]);
    assert.deepEqual(plain(a), JSON.parse(FLAGS));
    assert.equal(plain(b), FLAGS);
    assert.equal(fake.count("StartConfigurationSession"), 1);
    assert.equal(fake.count("GetLatestConfiguration"), 1);
  });
});

transportTest(
  "a reader that gives up stops waiting; the shared poll goes on for the others",
  async (transport) => {
    await withFakeAws(transport, { appconfig: { [KEY]: FLAGS }, hang: true }, async (fake) => {
      const leaving = new AbortController();
      const first = appconfigResolver.resolve(
        KEY,
        makeCall("appconfig", KEY, { signal: leaving.signal }),
      );
      const second = appconfigResolver.resolve(KEY, call(KEY, { parse: "text" }));
      await fake.until((f) => f.waiting === 1); // StartConfigurationSession, held
      leaving.abort(new Error("first left"));
      // It stops at once, while the request it shares is still held.
      await assert.rejects(
        noHang(first, "the reader that gave up"),
        (e) => e instanceof ResolverError && e.code === "RESOLVER_ABORTED",
      );
      fake.releaseAll();
      fake.setFaults({ hang: false });
      assert.equal(plain(await second), FLAGS);
      assert.equal(fake.count("StartConfigurationSession"), 1);
    });
  },
);

transportTest(
  "a poll every reader gave up is aborted: the next read starts a new session",
  async (transport) => {
    await withFakeAws(transport, { appconfig: { [KEY]: FLAGS }, hang: true }, async (fake) => {
      const one = new AbortController();
      const two = new AbortController();
      const first = appconfigResolver.resolve(
        KEY,
        makeCall("appconfig", KEY, { signal: one.signal }),
      );
      const second = appconfigResolver.resolve(
        KEY,
        makeCall("appconfig", KEY, { kwargs: { parse: "text" }, signal: two.signal }),
      );
      await fake.until((f) => f.waiting === 1);
      one.abort();
      two.abort();
      await assert.rejects(first);
      await assert.rejects(second);
      // Had the poll gone on, this answer would start the session and the next read use it.
      fake.releaseAll();
      fake.setFaults({ hang: false });
      assert.deepEqual(plain(await appconfigResolver.resolve(KEY, call(KEY))), JSON.parse(FLAGS));
      assert.equal(fake.count("StartConfigurationSession"), 2);
    });
  },
);

transportTest("content is read by its type: YAML, text, bytes with parse=binary", async (
  transport,
) => {
  await withFakeAws(transport, {
    appconfig: {
      "a/e/yaml": { content: "db:\n  port: 5432\n", contentType: "application/x-yaml" },
      "a/e/text": { content: "hello", contentType: "text/plain" },
    },
  }, async () => {
    assert.deepEqual(plain(await appconfigResolver.resolve("a/e/yaml", call("a/e/yaml"))), {
      db: { port: 5432 },
    });
    assert.equal(plain(await appconfigResolver.resolve("a/e/text", call("a/e/text"))), "hello");
    assert.deepEqual(
      plain(await appconfigResolver.resolve("a/e/text", call("a/e/text", { parse: "binary" }))),
      new TextEncoder().encode("hello"),
    );
    await assert.rejects(
      appconfigResolver.resolve("a/e/text", call("a/e/text", { parse: "json" })),
      (e) => e instanceof ParseError && /Failed to parse JSON from AppConfig/.test(e.message),
    );
  });
});

transportTest(
  "a configuration AppConfig does not know is not found, so default= applies",
  async (transport) => {
    await withFakeAws(transport, { appconfig: { [KEY]: FLAGS } }, async () => {
      await assert.rejects(
        appconfigResolver.resolve("orders/prod/nope", call("orders/prod/nope")),
        (e) =>
          e instanceof NotFoundError &&
          /AppConfig configuration not found: orders\/prod\/nope/.test(e.message),
      );
      const config = Config.loads("x: ${appconfig:orders/prod/nope,default=off}\n");
      assert.equal(await config.get("x"), "off");
    });
  },
);

transportTest("a throttled poll is retried", async (transport) => {
  await withFakeAws(transport, { appconfig: { [KEY]: FLAGS }, throttleFirst: 1 }, async (fake) => {
    assert.deepEqual(plain(await appconfigResolver.resolve(KEY, call(KEY))), JSON.parse(FLAGS));
    assert.equal(fake.count("StartConfigurationSession"), 2);
  });
});

transportTest("sensitive=true keeps a configuration out of dumps", async (transport) => {
  await withFakeAws(transport, { appconfig: { [KEY]: '{"apiKey":"k-123"}' } }, async () => {
    const config = Config.loads(
      "flags: ${appconfig:orders/prod/flags,sensitive=true}\nopen: ${appconfig:orders/prod/flags}\n",
    );
    const dump = await config.toYaml({ redact: true });
    assert.match(dump, /^flags: '\[REDACTED\]'$/m);
    assert.match(dump, /^ {2}apiKey: k-123$/m, "not sensitive without sensitive=true");
  });
});

transportTest(
  "with the extension configured, reads go to its local endpoint, unsigned",
  async (transport) => {
    await withFakeAws(transport, { appconfig: { [KEY]: FLAGS } }, async (fake) => {
      configureAppConfig({ extension: `${fake.url}/` });
      assert.deepEqual(plain(await appconfigResolver.resolve(KEY, call(KEY))), JSON.parse(FLAGS));
      assert.deepEqual(plain(await appconfigResolver.resolve(KEY, call(KEY))), JSON.parse(FLAGS));
      assert.deepEqual(fake.requests.map((r) => [r.operation, r.names, r.signature]), [
        ["ExtensionGetConfiguration", [KEY], "valid"],
        ["ExtensionGetConfiguration", [KEY], "valid"],
      ]);
      // A call naming its own region goes to AWS itself.
      await appconfigResolver.resolve(KEY, call(KEY, { region: "us-east-1" }));
      assert.equal(fake.count("StartConfigurationSession"), 1);
      await assert.rejects(
        appconfigResolver.resolve("orders/prod/nope", call("orders/prod/nope")),
        NotFoundError,
      );
    });
  },
);

transportTest("AWS_APPCONFIG_EXTENSION_HTTP_PORT points reads at localhost", async (transport) => {
  // The fake listens on 127.0.0.1, which is what localhost names here.
  await withFakeAws(transport, { appconfig: { [KEY]: FLAGS } }, async (fake) => {
    Deno.env.set("AWS_APPCONFIG_EXTENSION_HTTP_PORT", new URL(fake.url).port);
    const settings = mergedSettings(awsSettingsSpec("appconfig"), undefined);
    assert.equal(settings.extension, undefined);
    assert.deepEqual(plain(await appconfigResolver.resolve(KEY, call(KEY))), JSON.parse(FLAGS));
    assert.equal(fake.count("ExtensionGetConfiguration"), 1);
    assert.equal(fake.count("StartConfigurationSession"), 0);
  });
});

Deno.test("appconfig checks its argument before any request", async () => {
  for (const key of ["app/prod", "app/prod/flags/x", "app//flags"]) {
    await assert.rejects(
      appconfigResolver.resolve(key, call(key)),
      (e) => e instanceof ParseError && /application\/environment\/profile/.test(e.message),
      key,
    );
  }
});

Deno.test("an extension that does not answer is an error naming it and the way around it", async () => {
  await withFakeAws("light", { appconfig: { [KEY]: FLAGS } }, async () => {
    // A port nothing listens on: the fake's, after it is closed, is not reliable; port 9 is the
    // discard port, closed on loopback.
    configureAppConfig({ extension: "http://127.0.0.1:9" });
    await assert.rejects(
      appconfigResolver.resolve(KEY, call(KEY)),
      (e) =>
        e instanceof ResolverError && e.code === "AWS_ERROR" &&
        /from the AppConfig extension at http:\/\/127\.0\.0\.1:9/.test(e.message) &&
        /AWS_APPCONFIG_EXTENSION_HTTP_PORT/.test(e.help ?? ""),
    );
  });
});

transportTest(
  "live config: config.refresh() polls AppConfig when its poll interval passed, in the same session",
  async (transport) => {
    await withFakeAws(transport, {
      appconfig: { [KEY]: { content: FLAGS, pollIntervalS: 30 } },
    }, async (fake, { clock }) => {
      const ops = () => fake.requests.map((r) => r.operation);
      // One clock for the Config's TTLs and the transport's session bookkeeping.
      const config = Config.loads(`flags: \${appconfig:${KEY}}\n`, { now: () => clock.now() });
      assert.deepEqual(await config.get("flags"), JSON.parse(FLAGS));
      assert.deepEqual(ops(), ["StartConfigurationSession", "GetLatestConfiguration"]);
      // Within the poll interval the value has not expired: a refresh asks nothing.
      clock.advance(29_000);
      assert.deepEqual(await config.refresh(), { changes: [], failures: [] });
      assert.equal(fake.requests.length, 2);
      // Past it: the refresh polls with the kept token and reports the new deployment.
      fake.deployAppConfig(KEY, { content: '{"newCheckout":{"enabled":false}}' });
      clock.advance(1_000);
      const set = await config.refresh();
      assert.deepEqual(set.failures, []);
      assert.deepEqual(set.changes.map((c) => c.path), ["flags"]);
      assert.deepEqual(await config.get("flags"), { newCheckout: { enabled: false } });
      assert.deepEqual(ops().slice(2), ["GetLatestConfiguration"]);
      assert.equal(fake.count("StartConfigurationSession"), 1);
    });
  },
);

transportTest(
  "live config: a value read from the session's kept content expires at the session's next poll",
  async (transport) => {
    await withFakeAws(transport, {
      appconfig: { [KEY]: { content: FLAGS, pollIntervalS: 30 } },
    }, async (fake, { clock }) => {
      const first = Config.loads(`flags: \${appconfig:${KEY}}\n`, { now: () => clock.now() });
      await first.get("flags");
      clock.advance(25_000);
      // A second Config reads the kept content (no request): 5 s of the interval are left.
      const second = Config.loads(`flags: \${appconfig:${KEY}}\n`, { now: () => clock.now() });
      assert.deepEqual(await second.get("flags"), JSON.parse(FLAGS));
      assert.equal(fake.count("GetLatestConfiguration"), 1);
      fake.deployAppConfig(KEY, { content: '{"newCheckout":{"enabled":false}}' });
      clock.advance(4_999);
      assert.deepEqual(await second.refresh(), { changes: [], failures: [] });
      clock.advance(1); // 30 s: AppConfig allows the next poll
      const set = await second.refresh();
      assert.deepEqual(set.changes.map((c) => c.path), ["flags"]);
      assert.deepEqual(await second.get("flags"), { newCheckout: { enabled: false } });
      assert.equal(fake.count("GetLatestConfiguration"), 2);
    });
  },
);
