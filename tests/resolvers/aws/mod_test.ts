import assert from "node:assert/strict";
import {
  cfnResolver,
  configure,
  configureAws,
  configureCfn,
  configureS3,
  configureSsm,
  reset,
  s3Resolver,
  ssmResolver,
} from "../../../resolvers/aws/mod.ts";
import {
  _clientCacheSize,
  _setExtraClientConfig,
  _setLightTransportOptions,
  type AwsService,
  type AwsTransport,
  type EffectiveSettings,
  effectiveSettings,
} from "../../../resolvers/aws/_clients.ts";
import { Config } from "../../../mod.ts";
import { ResolverError } from "../../../src/errors.ts";
import { makeCall, transportTest, withFakeAws } from "./_helpers.ts";
import { withAwsEnv } from "./_light.ts";
import { startFakeAws } from "../../fakes/fake_aws.ts";
import { startFakeContainerCredentials } from "../../fakes/fake_container_credentials.ts";
import { closeAwsConnections, sendWithNodeHttp } from "../../../src/runtime_aws_http.ts";
import { missingSdkTripwires, ROOT, runProbe, writeTripwireImportMap } from "../../_tripwire.ts";
import { assertNotShown } from "../../_error_views.ts";

/** The client settings a call of `service` uses, with the process-wide settings. */
function settingsOf(service: AwsService, kwargs: Record<string, string> = {}): EffectiveSettings {
  return effectiveSettings(makeCall(service, "/x", { kwargs }));
}

/** No setting at all: the default chain, on the light transport. */
const NONE = {
  endpoint: undefined,
  endpointFromConfig: false,
  endpointAllowlist: [],
  region: undefined,
  profile: undefined,
  transport: "light",
  client: undefined,
};

Deno.test("settings precedence: kwargs > per-service > global > SDK default", () => {
  reset();
  try {
    assert.deepEqual(settingsOf("ssm"), NONE);
    configureAws({ region: "eu-west-1", profile: "global" });
    assert.deepEqual(settingsOf("ssm"), { ...NONE, region: "eu-west-1", profile: "global" });
    configureSsm({ region: "us-west-2", endpoint: "http://127.0.0.1:1" });
    assert.deepEqual(settingsOf("ssm"), {
      ...NONE,
      endpoint: "http://127.0.0.1:1",
      region: "us-west-2",
      profile: "global",
    });
    // Other services are unaffected by configureSsm.
    assert.deepEqual(settingsOf("s3"), { ...NONE, region: "eu-west-1", profile: "global" });
    assert.deepEqual(
      settingsOf("ssm", { region: "ap-south-1", profile: "kw", endpoint: "http://x" }),
      {
        ...NONE,
        endpoint: "http://x",
        endpointFromConfig: true,
        region: "ap-south-1",
        profile: "kw",
      },
    );
  } finally {
    reset();
  }
});

Deno.test("configure calls are additive: undefined keeps the stored value", () => {
  reset();
  try {
    configureAws({ region: "eu-west-1" });
    configureAws({ profile: "p", region: undefined });
    configureS3({ endpoint: "http://s3.local" });
    configureS3({ region: "us-east-2" });
    configureCfn({ profile: "cfn-p" });
    assert.deepEqual(settingsOf("s3"), {
      ...NONE,
      endpoint: "http://s3.local",
      region: "us-east-2",
      profile: "p",
    });
    assert.deepEqual(settingsOf("cfn"), { ...NONE, region: "eu-west-1", profile: "cfn-p" });
  } finally {
    reset();
  }
});

Deno.test("configure is the upstream name of configureAws, and sets the same settings", () => {
  reset();
  try {
    assert.equal(configure, configureAws);
    configure({ region: "eu-north-1" });
    assert.equal(settingsOf("cfn").region, "eu-north-1");
  } finally {
    reset();
  }
});

Deno.test("AWS settings functions refuse unknown fields with a suggestion, and bad types", () => {
  reset();
  try {
    const unknown = (f: () => void, field: string, group: string, near?: string) =>
      assert.throws(f, (e: unknown) => {
        assert.ok(e instanceof ResolverError);
        assert.equal(e.code, "UNKNOWN_SETTING");
        assert.equal(e.headline, `Unknown setting '${field}' in the '${group}' settings`);
        assert.equal(e.help, near === undefined ? undefined : `Did you mean '${near}'?`);
        return true;
      });
    // The global group has no endpoint (the per-service functions set it): the accepted
    // fields are listed.
    unknown(() => configureAws({ endpoint: "http://x" } as object), "endpoint", "aws");
    assert.throws(
      () => configureAws({ endpoint: "http://x" } as object),
      /Settings of 'aws': region, profile, transport/,
    );
    unknown(() => configureAws({ regin: "x" } as object), "regin", "aws", "region");
    unknown(() => configureSsm({ regoin: "x" } as object), "regoin", "ssm", "region");
    unknown(() => configureCfn({ profil: "x" } as object), "profil", "cfn", "profile");
    assert.throws(
      () => configureS3({ endpoint: 443 } as object),
      (e: unknown) =>
        e instanceof ResolverError && e.code === "INVALID_SETTING" &&
        e.headline === "Setting 's3.endpoint' must be a string" && !e.message.includes("443"),
    );
    // Nothing was stored by the refused calls.
    assert.deepEqual(settingsOf("s3"), NONE);
  } finally {
    reset();
  }
});

Deno.test("reset() clears settings and the SDK transport's client cache", async () => {
  await withFakeAws(
    "sdk",
    { ssm: { "/a": "1" }, s3: { "b/k": "v" }, cfn: { s: { O: "o" } } },
    async () => {
      await ssmResolver.resolve("/a", makeCall("ssm", "/a"));
      await s3Resolver.resolve("b/k", makeCall("s3", "b/k"));
      await cfnResolver.resolve("s/O", makeCall("cfn", "s/O"));
      assert.equal(_clientCacheSize(), 3);
      configureAws({ region: "eu-west-1" });
      reset();
      assert.equal(_clientCacheSize(), 0);
      assert.deepEqual(settingsOf("ssm"), NONE);
    },
  );
});

Deno.test("the light transport makes no SDK client", async () => {
  await withFakeAws(
    "light",
    { ssm: { "/a": "1" }, s3: { "b/k": "v" }, cfn: { s: { O: "o" } } },
    async (fake) => {
      await ssmResolver.resolve("/a", makeCall("ssm", "/a"));
      await s3Resolver.resolve("b/k", makeCall("s3", "b/k"));
      await cfnResolver.resolve("s/O", makeCall("cfn", "s/O"));
      assert.equal(_clientCacheSize(), 0);
      assert.deepEqual(fake.requests.map((r) => r.signature), ["valid", "valid", "valid"]);
    },
  );
});

Deno.test("reset() makes the light transport forget credentials, regions and connections", async () => {
  const expiration = Date.now() + 60 * 60_000;
  const container = await startFakeContainerCredentials({
    credentials: [1, 2].map((n) => ({
      accessKeyId: `AKIDCONTAINER${n}`,
      secretAccessKey: `container-secret-${n}`,
      token: `container-token-${n}`,
      expiration,
    })),
  });
  const fake = await startFakeAws({
    credentials: {
      AKIDCONTAINER1: { secretAccessKey: "container-secret-1", sessionToken: "container-token-1" },
      AKIDCONTAINER2: { secretAccessKey: "container-secret-2", sessionToken: "container-token-2" },
      AKIDENVFAKE: "fake-secret",
    },
    ssm: { "/a": "1" },
  });
  const get = () => ssmResolver.resolve("/a", makeCall("ssm", "/a"));
  try {
    // Credentials from the container endpoint, fetched once until reset.
    await withAwsEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: container.url }, async () => {
      try {
        configureSsm({ endpoint: fake.url, region: "us-east-1" });
        await get();
        await get();
        assert.equal(container.count, 1);
        reset();
        configureSsm({ endpoint: fake.url, region: "us-east-1" });
        await get();
        assert.equal(container.count, 2);
        assert.deepEqual(fake.requests.map((r) => r.accessKeyId), [
          "AKIDCONTAINER1",
          "AKIDCONTAINER1",
          "AKIDCONTAINER2",
        ]);
      } finally {
        reset();
      }
    });
    // The region of the shared config file, read once until reset; node:http's connections.
    await withAwsEnv({
      AWS_ACCESS_KEY_ID: "AKIDENVFAKE",
      AWS_SECRET_ACCESS_KEY: "fake-secret",
    }, async (dir) => {
      _setLightTransportOptions({ send: sendWithNodeHttp });
      try {
        await Deno.mkdir(`${dir}/.aws`);
        await Deno.writeTextFile(`${dir}/.aws/config`, "[default]\nregion = eu-west-3\n");
        configureSsm({ endpoint: fake.url });
        await get();
        await Deno.writeTextFile(`${dir}/.aws/config`, "[default]\nregion = sa-east-1\n");
        await get();
        reset();
        assert.equal(closeAwsConnections(), 0, "reset() closed the kept-alive connection");
        configureSsm({ endpoint: fake.url });
        await get();
        assert.deepEqual(fake.requests.slice(3).map((r) => r.region), [
          "eu-west-3",
          "eu-west-3",
          "sa-east-1",
        ]);
      } finally {
        reset();
        _setLightTransportOptions(undefined);
      }
    });
  } finally {
    await fake.close();
    await container.close();
  }
});

transportTest("per-service endpoint and global region reach the request", async (transport) => {
  await withFakeAws(
    transport,
    { ssm: { "/a": { value: "eu", region: "eu-central-1" } } },
    async (fake) => {
      configureAws({ region: "eu-central-1" });
      assert.equal(await ssmResolver.resolve("/a", makeCall("ssm", "/a")), "eu");
      assert.equal(fake.requests[0]!.region, "eu-central-1");
    },
  );
});

transportTest(
  "through a Config: its AWS settings win over the process's, kwargs over both",
  async (transport) => {
    await withFakeAws(transport, {
      ssm: {
        "/p": { value: "process", region: "us-west-1" },
        "/c": { value: "config", region: "eu-west-3" },
        "/k": { value: "kwarg", region: "ap-east-1" },
      },
    }, async (fake) => {
      // Process: the ssm group over the aws group.
      configureAws({ region: "us-east-2" });
      configureSsm({ region: "us-west-1" });
      const plain = Config.loads("p: ${ssm:/p}\n");
      assert.equal(await plain.get("p"), "process");
      // The Config's aws group wins over the process's ssm group; the endpoint stays the
      // process's (set by withFakeAws), as no Config group sets one.
      const own = Config.loads("c: ${ssm:/c}\nk: ${ssm:/k,region=ap-east-1}\n", {
        resolverSettings: { aws: { region: "eu-west-3" } },
      });
      assert.equal(await own.get("c"), "config");
      assert.equal(await own.get("k"), "kwarg");
      assert.deepEqual(fake.requests.map((r) => r.region), ["us-west-1", "eu-west-3", "ap-east-1"]);
      // The process's settings are untouched by the Config's.
      assert.equal(settingsOf("ssm").region, "us-west-1");
    });
  },
);

transportTest("a Config's ssm group wins over its aws group", async (transport) => {
  await withFakeAws(
    transport,
    { ssm: { "/a": { value: "svc", region: "sa-east-1" } } },
    async (fake) => {
      const config = Config.loads("a: ${ssm:/a}\n", {
        resolverSettings: { aws: { region: "eu-west-1" }, ssm: { region: "sa-east-1" } },
      });
      assert.equal(await config.get("a"), "svc");
      assert.equal(fake.requests[0]!.region, "sa-east-1");
    },
  );
});

/**
 * The AWS SDK is loaded only where it is needed, and a package that cannot be loaded is named.
 * A child Deno process runs with an import map in which the SDK packages the resolvers may load
 * (`@aws-sdk/client-*`, `@aws-sdk/credential-providers`) point at tripwire modules that record
 * their evaluation and then throw, as a package that is not installed fails to import
 * (`missingSdkTripwires`). The child
 * imports resolvers/aws/mod.ts (nothing loads), makes an ssm call on the light transport with
 * credentials from the environment (nothing loads; the call fails on the closed port), one with a
 * profile (the credential providers are needed: named in the error), and one on the SDK transport
 * (the client package is needed: named in the error). The last two are the positive control: the
 * tripwires sit on the very specifiers the resolvers import.
 */
transportTest(
  "endpoint variables: the service's, then AWS_ENDPOINT_URL; a setting wins over both",
  async (transport) => {
    await withFakeAws(transport, {
      ssm: { "/a": "1" },
      s3: { "b/k": "v" },
      cfn: { s: { O: "o" } },
    }, async (fake) => {
      const everything = async () => [
        await ssmResolver.resolve("/a", makeCall("ssm", "/a")),
        await s3Resolver.resolve("b/k", makeCall("s3", "b/k")),
        await cfnResolver.resolve("s/O", makeCall("cfn", "s/O")),
      ];
      reset(); // no endpoint settings: the variables decide
      configureAws({ transport });
      Deno.env.set("AWS_ENDPOINT_URL", "http://127.0.0.1:1"); // a closed port: must not be used
      Deno.env.set("AWS_ENDPOINT_URL_SSM", fake.url);
      Deno.env.set("AWS_ENDPOINT_URL_S3", fake.url);
      Deno.env.set("AWS_ENDPOINT_URL_CLOUDFORMATION", fake.url);
      assert.deepEqual(await everything(), ["1", "v", "o"]);
      reset();
      configureAws({ transport });
      for (const name of ["SSM", "S3", "CLOUDFORMATION"]) {
        Deno.env.delete(`AWS_ENDPOINT_URL_${name}`);
      }
      Deno.env.set("AWS_ENDPOINT_URL", fake.url);
      assert.deepEqual(await everything(), ["1", "v", "o"]);
      assert.deepEqual(fake.requests.map((r) => r.operation), [
        "GetParameters",
        "GetObject",
        "DescribeStacks",
        "GetParameters",
        "GetObject",
        "DescribeStacks",
      ]);
      // An endpoint setting wins over the variables.
      reset();
      configureAws({ transport });
      Deno.env.set("AWS_ENDPOINT_URL", "http://127.0.0.1:1");
      configureSsm({ endpoint: fake.url });
      assert.equal(await ssmResolver.resolve("/a", makeCall("ssm", "/a")), "1");
    });
  },
);

transportTest("a session token is sent with temporary credentials", async (transport) => {
  await withFakeAws(transport, {
    credentials: { ASIATEMPFAKE: { secretAccessKey: "temp-secret", sessionToken: "temp-token" } },
    ssm: { "/a": "1" },
  }, async (fake) => {
    Deno.env.set("AWS_ACCESS_KEY_ID", "ASIATEMPFAKE");
    Deno.env.set("AWS_SECRET_ACCESS_KEY", "temp-secret");
    Deno.env.set("AWS_SESSION_TOKEN", "temp-token");
    assert.equal(await ssmResolver.resolve("/a", makeCall("ssm", "/a")), "1");
    assert.deepEqual(fake.requests.map((r) => [r.signature, r.sessionToken]), [
      ["valid", "temp-token"],
    ]);
    // Without the token the fake refuses the signature, as AWS does; the error names the code.
    Deno.env.delete("AWS_SESSION_TOKEN");
    reset();
    configureAws({ transport });
    configureSsm({ endpoint: fake.url });
    await assert.rejects(
      ssmResolver.resolve("/a", makeCall("ssm", "/a")),
      /UnrecognizedClientException/,
    );
  });
});

transportTest(
  "a signature error's canonical string (the session token among it) is cut from the error",
  async (transport) => {
    const key = "ASIAQ7EXAMPLEKEY2345";
    const token = "IQoJb3JpZ2luX2VjSESSIONTOKENxyz0123456789";
    // AWS's answer to a signature mismatch quotes the canonical request, every signed header.
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
      const canonical = ["POST", "/", "", `host:${req.headers.get("host")}`].concat(
        `x-amz-security-token:${req.headers.get("x-amz-security-token")}`,
        `authorization:${req.headers.get("authorization")}`,
      ).join("\n");
      return Response.json({
        __type: "InvalidSignatureException",
        message: "The request signature we calculated does not match the signature you " +
          "provided.\n\nThe Canonical String for this request should have been\n'" + canonical +
          "'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n...'",
      }, { status: 400, headers: { "content-type": "application/x-amz-json-1.1" } });
    });
    try {
      await withAwsEnv({
        AWS_ACCESS_KEY_ID: key,
        AWS_SECRET_ACCESS_KEY: "secret-key",
        AWS_SESSION_TOKEN: token,
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL: `http://127.0.0.1:${server.addr.port}`,
        AWS_MAX_ATTEMPTS: "1",
      }, async () => {
        configureAws({ transport });
        try {
          for (const text of ["a: ${ssm:/app/x}\n", "a: ${secretsmanager:app/x}\n"]) {
            const config = Config.loads(text);
            const e = await config.get("a").then(() => undefined, (e: unknown) => e);
            assert.ok(e instanceof ResolverError, String(e));
            assert.equal(e.code, "AWS_ERROR");
            assert.match(e.message, /InvalidSignatureException: The request signature we/);
            assert.doesNotMatch(e.message, /Canonical String|String-to-Sign/);
            assertNotShown(e, [token, key]);
            const failure = await config.resolveAll().then(() => undefined, (e: unknown) => e);
            assertNotShown(failure, [token, key]);
          }
        } finally {
          reset();
        }
      });
    } finally {
      await server.shutdown();
    }
  },
);

/**
 * Runs `fn` with the requests of `transport` answered in the process (no network), as SSM's
 * GetParameters answers `/x`: the URL of each request is recorded.
 */
async function withAnsweredRequests(
  transport: AwsTransport,
  fn: (urls: string[]) => Promise<void>,
): Promise<void> {
  const urls: string[] = [];
  const body = () =>
    new TextEncoder().encode(JSON.stringify({
      Parameters: [{ Name: "/x", Type: "String", Value: "v" }],
      InvalidParameters: [],
    }));
  const headers = { "content-type": "application/x-amz-json-1.1" };
  await withAwsEnv({
    AWS_ACCESS_KEY_ID: "AKIDTESTFAKE",
    AWS_SECRET_ACCESS_KEY: "secret-key",
    AWS_SESSION_TOKEN: "session-token",
    AWS_REGION: "us-east-1",
    AWS_MAX_ATTEMPTS: "1",
  }, async () => {
    configureAws({ transport });
    _setLightTransportOptions({
      send: (r) => {
        urls.push(r.url);
        return Promise.resolve({ status: 200, headers, body: body() });
      },
    });
    _setExtraClientConfig({
      requestHandler: {
        handle: (r: { protocol: string; hostname: string; port?: number; path: string }) => {
          urls.push(`${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ""}${r.path}`);
          return Promise.resolve({ response: { statusCode: 200, headers, body: body() } });
        },
      },
    });
    try {
      await fn(urls);
    } finally {
      _setLightTransportOptions(undefined);
      _setExtraClientConfig(undefined);
      reset();
    }
  });
}

transportTest(
  "an endpoint= in config text must be loopback or match endpointAllowlist",
  async (transport) => {
    await withAnsweredRequests(transport, async (urls) => {
      const read = (endpoint: string) =>
        Config.loads(`a: \${ssm:/x,endpoint=${endpoint}}\n`).get("a");
      // Anywhere else, refused before a request is signed or sent.
      for (
        const endpoint of [
          "https://attacker.example",
          "http://127.0.0.1.attacker.example",
          "http://localhost@attacker.example:8080",
          "https://ssm.us-east-1.amazonaws.com",
        ]
      ) {
        await assert.rejects(read(endpoint), (e: unknown) => {
          assert.ok(e instanceof ResolverError, String(e));
          assert.equal(e.code, "AWS_ENDPOINT_NOT_ALLOWED", endpoint);
          assert.ok(!e.message.includes("attacker"), e.message);
          return true;
        });
      }
      assert.deepEqual(urls, []);
      // Loopback: a local fake, LocalStack.
      assert.equal(await read("http://localhost:4566"), "v");
      assert.equal(await read("http://127.0.0.1:4566"), "v");
      // The program's allowlist (the http allowlist's patterns).
      configureAws({ endpointAllowlist: ["https://*.vpce.amazonaws.com/*"] });
      assert.equal(await read("https://vpce-1.ssm.us-east-1.vpce.amazonaws.com"), "v");
      await assert.rejects(read("https://attacker.example"), { code: "AWS_ENDPOINT_NOT_ALLOWED" });
      // An endpoint the program sets is trusted, allowlist or not.
      configureSsm({ endpoint: "https://ssm.internal.example.com" });
      assert.equal(await Config.loads("a: ${ssm:/x}\n").get("a"), "v");
      assert.deepEqual(urls.map((u) => new URL(u).host), [
        "localhost:4566",
        "127.0.0.1:4566",
        "vpce-1.ssm.us-east-1.vpce.amazonaws.com",
        "ssm.internal.example.com",
      ]);
    });
  },
);

Deno.test("the transport is a setting: per service, per process and per Config", async () => {
  await withFakeAws("light", { ssm: { "/a": "1" }, s3: { "b/k": "v" } }, async (fake) => {
    configureSsm({ transport: "sdk" });
    assert.equal(await ssmResolver.resolve("/a", makeCall("ssm", "/a")), "1");
    assert.equal(await s3Resolver.resolve("b/k", makeCall("s3", "b/k")), "v");
    assert.equal(_clientCacheSize(), 1, "ssm went through the SDK, s3 through the light transport");
    // A Config's aws group over the process's (the process's ssm group still wins for ssm).
    const sdk = Config.loads("s: ${s3:b/k}\n", { resolverSettings: { aws: { transport: "sdk" } } });
    assert.equal(await sdk.get("s"), "v");
    assert.equal(_clientCacheSize(), 2);
    const light = Config.loads("a: ${ssm:/a}\n", {
      resolverSettings: { ssm: { transport: "light" } },
    });
    assert.equal(await light.get("a"), "1");
    assert.equal(_clientCacheSize(), 2, "the Config's light transport made no client");
    assert.equal(fake.requests.length, 4);
  });
});

Deno.test("a transport other than light or sdk is refused without showing it", async () => {
  await withFakeAws("light", { ssm: { "/a": "1" } }, async (fake) => {
    for (const configure of [() => configureAws({ transport: "s3cr3t" } as object)]) {
      assert.throws(configure, (e: unknown) => {
        assert.ok(e instanceof ResolverError && e.code === "INVALID_SETTING", String(e));
        assert.match(e.headline, /must be 'light' or 'sdk'/);
        assert.ok(!e.message.includes("s3cr3t"));
        return true;
      });
    }
    assert.throws(() => configureSsm({ transport: 1 } as object), /must be 'light' or 'sdk'/);
    assert.equal(settingsOf("ssm").transport, "light", "nothing was stored");
    // Per Config, the setting is checked when a call reads it: the call fails, nothing is sent.
    const config = Config.loads("a: ${ssm:/a}\n", {
      resolverSettings: { aws: { transport: "s3cr3t" } },
    });
    const e = await config.get("a").catch((e: unknown) => e);
    assert.ok(e instanceof ResolverError && e.code === "INVALID_SETTING", String(e));
    assert.ok(!e.message.includes("s3cr3t"));
    assert.equal(fake.requests.length, 0);
  });
});

transportTest(
  "a program's own SDK client serves the calls without client kwargs",
  async (transport) => {
    await withFakeAws(transport, {
      ssm: { "/a": "1", "/w": { value: "west", region: "us-west-2" } },
    }, async (fake) => {
      const { SSMClient } = await import("@aws-sdk/client-ssm");
      const client = new SSMClient({
        region: "us-east-1",
        endpoint: fake.url,
        credentials: { accessKeyId: "AKIDENVFAKE", secretAccessKey: "fake-secret" },
        maxAttempts: 1,
      });
      const seen: string[] = [];
      client.middlewareStack.add((next, context) => (args) => {
        seen.push(String(context.commandName));
        return next(args);
      }, { step: "initialize", name: "holoconfTestTrace" });
      let destroyed = 0;
      const destroy = client.destroy.bind(client);
      client.destroy = () => {
        destroyed++;
        destroy();
      };
      try {
        configureSsm({ client });
        assert.equal(await ssmResolver.resolve("/a", makeCall("ssm", "/a")), "1");
        assert.deepEqual(seen, ["GetParametersCommand"]);
        assert.equal(_clientCacheSize(), 0, "holoconf made no client of its own");
        // A call naming its own region goes through holoconf's transport.
        const west = makeCall("ssm", "/w", { kwargs: { region: "us-west-2" } });
        assert.equal(await ssmResolver.resolve("/w", west), "west");
        assert.deepEqual(seen, ["GetParametersCommand"]);
        assert.deepEqual(fake.requests.map((r) => r.region), ["us-east-1", "us-west-2"]);
        // Per Config, too; reset() leaves the program's client alone.
        reset();
        configureSsm({ endpoint: fake.url });
        const config = Config.loads("a: ${ssm:/a}\n", { resolverSettings: { ssm: { client } } });
        assert.equal(await config.get("a"), "1");
        assert.equal(seen.length, 2);
        reset();
        assert.equal(destroyed, 0);
        // Something that is not a client is refused.
        assert.throws(
          () => configureSsm({ client: {} as never }),
          (e: unknown) =>
            e instanceof ResolverError && e.code === "INVALID_SETTING" &&
            /must be an AWS SDK client/.test(e.headline),
        );
      } finally {
        destroy();
      }
    });
  },
);

Deno.test("holoconf's own AWS failures keep their help: a missing region", async () => {
  await withFakeAws("light", { ssm: { "/a": "1" } }, async (fake) => {
    Deno.env.delete("AWS_REGION");
    const e = await ssmResolver.resolve("/a", makeCall("ssm", "/a")).catch((e: unknown) => e);
    assert.ok(e instanceof ResolverError && e.code === "AWS_ERROR", String(e));
    assert.equal(
      e.headline,
      "Failed to get SSM parameter '/a': RegionMissingError: AWS region is missing",
    );
    assert.equal(e.help, "Pass region=..., call configure({ region }), or set AWS_REGION");
    assert.equal(fake.requests.length, 0);
  });
});

/** A loopback port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("the AWS SDK loads only where needed, and a missing package is named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "holoconf_aws_import_" });
  try {
    await writeTripwireImportMap(dir, missingSdkTripwires());
    const modUrl = new URL("resolvers/aws/mod.ts", ROOT).href;
    const report = await runProbe(
      dir,
      `import { ssmResolver } from ${JSON.stringify(modUrl)};
const loads = () => [...((globalThis as { __awsSdkLoads?: string[] }).__awsSdkLoads ?? [])];
const afterImport = loads();
const failure = (settings: Record<string, string>) => {
  const call = { args: ["/x"], kwargs: {}, kwargsAll: [], signal: new AbortController().signal,
    sensitiveInput: false, path: "x", settings: { endpoint: Deno.args[0],
    region: "us-east-1", ...settings } } as unknown as Parameters<typeof ssmResolver.resolve>[1];
  return ssmResolver.resolve("/x", call).then(() => "resolved", (e) => String(e.message));
};
const light = await failure({});
const afterLight = loads();
const profile = await failure({ profile: "team" });
const sdk = await failure({ transport: "sdk" });
console.log(JSON.stringify({ afterImport, light, afterLight, profile, sdk, afterAll: loads() }));
`,
      {
        permissions: ["--allow-env", "--allow-read", "--allow-net=127.0.0.1"],
        args: [`http://127.0.0.1:${closedPort()}`],
        env: {
          AWS_ACCESS_KEY_ID: "AKIDENVFAKE",
          AWS_SECRET_ACCESS_KEY: "fake-secret",
          AWS_PROFILE: "",
          AWS_SHARED_CREDENTIALS_FILE: `${dir}/no-credentials`,
          AWS_CONFIG_FILE: `${dir}/no-config`,
        },
      },
    );
    assert.deepEqual(report.afterImport, [], "importing the entry loads no SDK module");
    assert.match(String(report.light), /ECONNREFUSED/);
    assert.deepEqual(report.afterLight, [], "the light transport loads no SDK module");
    assert.match(
      String(report.profile),
      /needs the npm package @aws-sdk\/credential-providers[\s\S]*npm install @aws-sdk\/credential-providers/,
    );
    assert.match(
      String(report.sdk),
      /SdkPackageMissing: The AWS SDK transport of the ssm resolver needs the npm package @aws-sdk\/client-ssm[\s\S]*Help: Install it \(npm install @aws-sdk\/client-ssm\)/,
    );
    assert.deepEqual(report.afterAll, ["credential-providers", "client-ssm"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
