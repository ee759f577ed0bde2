import assert from "node:assert/strict";
import {
  checkContainerUri,
  credentialProvider,
  CredentialsProviderError,
  refreshing,
} from "../../../resolvers/aws/_credentials.ts";
import {
  type ContainerCredentialSet,
  startFakeContainerCredentials,
} from "../../fakes/fake_container_credentials.ts";
import { assertNotShown } from "../../_error_views.ts";
import { fakeClock, manualClock, withAwsEnv } from "./_light.ts";

const never = new AbortController().signal;
const MINUTE = 60_000;

function set(n: number, expiration: number): ContainerCredentialSet {
  return {
    accessKeyId: `AKIDCONTAINER${n}`,
    secretAccessKey: `container-secret-${n}`,
    token: `container-token-${n}`,
    expiration,
  };
}

Deno.test("credentials from the environment, with session token and expiry", async () => {
  await withAwsEnv({
    AWS_ACCESS_KEY_ID: "AKIDENV",
    AWS_SECRET_ACCESS_KEY: "env-secret",
    AWS_SESSION_TOKEN: "env-token",
    AWS_CREDENTIAL_EXPIRATION: "2030-01-01T00:00:00Z",
  }, async () => {
    assert.deepEqual(await credentialProvider()(never), {
      accessKeyId: "AKIDENV",
      secretAccessKey: "env-secret",
      sessionToken: "env-token",
      expiration: Date.UTC(2030, 0, 1),
    });
  });
});

Deno.test("container credentials from AWS_CONTAINER_CREDENTIALS_FULL_URI with a token", async () => {
  const fake = await startFakeContainerCredentials({
    token: "Bearer pod-token",
    credentials: [set(1, Date.now() + 60 * MINUTE)],
  });
  try {
    await withAwsEnv({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "Bearer pod-token",
    }, async () => {
      const c = await credentialProvider()(never);
      assert.equal(c.accessKeyId, "AKIDCONTAINER1");
      assert.equal(c.secretAccessKey, "container-secret-1");
      assert.equal(c.sessionToken, "container-token-1");
      assert.deepEqual(fake.authorizations, ["Bearer pod-token"]);
    });
  } finally {
    await fake.close();
  }
});

Deno.test("container credentials from AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, preferred over the full URI", async () => {
  const fake = await startFakeContainerCredentials({
    path: "/v2/credentials/task-id",
    credentials: [set(1, Date.now() + 60 * MINUTE)],
  });
  try {
    await withAwsEnv({
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/task-id",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/unused",
    }, async () => {
      // The link-local base (169.254.170.2) is pointed at the loopback fake.
      const c = await credentialProvider({ linkLocalBase: fake.origin })(never);
      assert.equal(c.accessKeyId, "AKIDCONTAINER1");
      assert.deepEqual(fake.authorizations, [null]);
    });
  } finally {
    await fake.close();
  }
});

Deno.test("container token file is preferred over the token, and read again at each fetch", async () => {
  const fake = await startFakeContainerCredentials({
    credentials: [set(1, 0), set(2, Date.now() + 60 * MINUTE)],
  });
  try {
    await withAwsEnv({}, async (dir) => {
      await Deno.writeTextFile(`${dir}/token`, "file-token-1\n");
      Deno.env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", fake.url);
      Deno.env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "variable-token");
      Deno.env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", `${dir}/token`);
      const provider = credentialProvider();
      await provider(never); // set 1 is already expired: the next call fetches again
      await Deno.writeTextFile(`${dir}/token`, "file-token-2");
      assert.equal((await provider(never)).accessKeyId, "AKIDCONTAINER2");
      assert.deepEqual(fake.authorizations, ["file-token-1", "file-token-2"]);
    });
  } finally {
    await fake.close();
  }
});

Deno.test("a full URI naming a host that is not allowed is refused before any request", async () => {
  for (
    const uri of [
      "http://169.254.169.254/latest/meta-data/", // IMDS, not the container endpoint
      "http://192.168.1.10/creds",
      "http://metadata.internal/creds",
      "http://128.0.0.1/creds",
      "ftp://127.0.0.1/creds",
    ]
  ) {
    await withAwsEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: uri }, () => {
      assert.throws(
        () => credentialProvider(),
        (e: unknown) => e instanceof CredentialsProviderError && /is not allowed/.test(e.message),
        uri,
      );
      return Promise.resolve();
    });
  }
  for (
    const uri of [
      "https://creds.example.com/v1",
      "http://127.0.0.1:8080/c",
      "http://127.1.2.3/c",
      "http://localhost/c",
      "http://[::1]:80/c",
      "http://169.254.170.2/v2/credentials",
      "http://169.254.170.23/v1/credentials",
      "http://[fd00:ec2::23]/v1/credentials",
    ]
  ) {
    assert.equal(checkContainerUri(uri).href, new URL(uri).href);
  }
});

Deno.test("a relative URI that is not a path on the link-local host is refused before any request", async () => {
  for (
    const relative of [
      "@attacker.example/creds", // the base would become a user name
      ".attacker.example/creds", // 169.254.170.2.attacker.example
      ":8080@attacker.example/creds",
      "v2/credentials",
    ]
  ) {
    await withAwsEnv({
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: relative,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "container-auth-token",
    }, () => {
      const sent: string[] = [];
      assert.throws(
        () =>
          credentialProvider({
            send: (r) => {
              sent.push(r.url);
              return Promise.reject(new Error("no request expected"));
            },
          }),
        (e: unknown) =>
          e instanceof CredentialsProviderError &&
          /RELATIVE_URI is not a path on the container credentials host/.test(e.message),
        relative,
      );
      assert.deepEqual(sent, []);
      return Promise.resolve();
    });
  }
});

Deno.test("container credentials are fetched again 5 minutes before they expire", async () => {
  const clock = manualClock(Date.UTC(2030, 0, 1));
  const start = clock.now();
  const fake = await startFakeContainerCredentials({
    credentials: [set(1, start + 10 * MINUTE), set(2, start + 70 * MINUTE)],
  });
  try {
    await withAwsEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.url }, async () => {
      const provider = credentialProvider({ clock });
      assert.equal((await provider(never)).accessKeyId, "AKIDCONTAINER1");
      clock.advance(4 * MINUTE); // 6 minutes left: kept
      assert.equal((await provider(never)).accessKeyId, "AKIDCONTAINER1");
      assert.equal(fake.count, 1);
      clock.advance(2 * MINUTE); // 4 minutes left: refreshed
      assert.equal((await provider(never)).accessKeyId, "AKIDCONTAINER2");
      assert.equal(fake.count, 2);
      // Providers are cached: another one for the same endpoint shares the credentials.
      assert.equal((await credentialProvider({ clock })(never)).accessKeyId, "AKIDCONTAINER2");
      assert.equal(fake.count, 2);
    });
  } finally {
    await fake.close();
  }
});

Deno.test("concurrent callers share one refresh; one caller's abort does not end it", async () => {
  const clock = manualClock(Date.UTC(2030, 0, 1));
  const fake = await startFakeContainerCredentials({
    credentials: [set(1, clock.now() + 60 * MINUTE)],
    hold: true,
  });
  try {
    await withAwsEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.url }, async () => {
      const provider = credentialProvider({ clock });
      const leaving = new AbortController();
      const first = provider(leaving.signal);
      const second = provider(never);
      const third = provider(never);
      await fake.untilHeld(1);
      const reason = new Error("left");
      leaving.abort(reason);
      await assert.rejects(first, (e) => e === reason);
      fake.releaseAll();
      const [a, b] = await Promise.all([second, third]);
      assert.equal(a.accessKeyId, "AKIDCONTAINER1");
      assert.equal(b, a);
      assert.equal(fake.count, 1);
    });
  } finally {
    await fake.close();
  }
});

Deno.test("a refresh is aborted once every caller gave up; the next caller fetches again", async () => {
  const clock = { now: () => 0, sleep: () => Promise.resolve() };
  const signals: AbortSignal[] = [];
  const provider = refreshing((signal) => {
    signals.push(signal);
    return new Promise((_, reject) =>
      signal.addEventListener("abort", () => reject(signal.reason))
    );
  }, clock);
  const one = new AbortController();
  const two = new AbortController();
  const first = provider(one.signal);
  const second = provider(two.signal);
  assert.equal(signals.length, 1, "one fetch for both callers");
  one.abort(new Error("first left"));
  await assert.rejects(first, /first left/);
  assert.equal(signals[0]!.aborted, false, "the second caller still waits");
  two.abort(new Error("second left"));
  assert.equal(signals[0]!.aborted, true, "nobody waits any more");
  await assert.rejects(second, /second left/);
  provider(never).catch(() => {});
  assert.equal(signals.length, 2, "a new caller starts a new fetch");
});

Deno.test("a failed refresh keeps credentials that have not expired; expired ones fail", async () => {
  const clock = { now: () => now, sleep: () => Promise.resolve() };
  let now = 0;
  let fail = false;
  let fetches = 0;
  const provider = refreshing(() => {
    fetches++;
    return fail
      ? Promise.reject(new CredentialsProviderError("endpoint down"))
      : Promise.resolve({ accessKeyId: "AKID1", secretAccessKey: "s", expiration: 10 * MINUTE });
  }, clock);
  assert.equal((await provider(never)).accessKeyId, "AKID1");
  fail = true;
  now = 7 * MINUTE; // inside the refresh window, still valid
  assert.equal((await provider(never)).accessKeyId, "AKID1");
  now = 11 * MINUTE; // expired
  await assert.rejects(provider(never), /endpoint down/);
  assert.equal(fetches, 3);
});

Deno.test("a 5xx from the container endpoint is retried", async () => {
  const fake = await startFakeContainerCredentials({
    credentials: [set(1, Date.now() + 60 * MINUTE)],
    failFirst: 2,
  });
  try {
    await withAwsEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.url }, async () => {
      assert.equal((await credentialProvider()(never)).accessKeyId, "AKIDCONTAINER1");
      assert.equal(fake.count, 3);
    });
  } finally {
    await fake.close();
  }
});

Deno.test("container errors never show the token, the credentials or the answer body", async () => {
  const fake = await startFakeContainerCredentials({
    token: "right-token",
    credentials: [set(1, Date.now() + 60 * MINUTE)],
  });
  const body = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () =>
    // An answer that is not credentials, quoting a secret.
    Response.json({ AccessKeyId: "AKIDPARTIAL", Secret: "leaked-in-body" }));
  try {
    await withAwsEnv({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "wrong-token-value",
    }, async () => {
      const e = await credentialProvider()(never).catch((e) => e);
      assert.ok(e instanceof CredentialsProviderError);
      assert.match(e.message, /HTTP 401 \(AccessDenied\)/);
      assertNotShown(e, ["wrong-token-value", "right-token"]);
    });
    await withAwsEnv({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${body.addr.port}/`,
    }, async () => {
      const e = await credentialProvider()(never).catch((e) => e);
      assert.ok(e instanceof CredentialsProviderError);
      assert.match(e.message, /did not answer with credentials/);
      assertNotShown(e, ["leaked-in-body", "AKIDPARTIAL"]);
    });
    await withAwsEnv({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "line\r\nInjected: header",
    }, async () => {
      const e = await credentialProvider()(never).catch((e) => e);
      assert.ok(e instanceof CredentialsProviderError);
      assert.match(e.message, /line break/);
      assertNotShown(e, ["Injected: header"]);
    });
  } finally {
    await fake.close();
    await body.shutdown();
  }
});

Deno.test("a shared credentials file is asked before the container endpoint, as the SDK does", async () => {
  const fake = await startFakeContainerCredentials({
    credentials: [set(1, Date.now() + 60 * MINUTE)],
  });
  try {
    await withAwsEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.url }, async (dir) => {
      await Deno.mkdir(`${dir}/.aws`);
      await Deno.writeTextFile(
        `${dir}/.aws/credentials`,
        "[default]\naws_access_key_id = AKIDFROMFILE\naws_secret_access_key = file-secret\n",
      );
      assert.equal((await credentialProvider()(never)).accessKeyId, "AKIDFROMFILE");
      assert.equal(fake.count, 0);
    });
  } finally {
    await fake.close();
  }
});

Deno.test("a profile takes its credentials from the SDK, not from the environment", async () => {
  await withAwsEnv({}, async (dir) => {
    await Deno.mkdir(`${dir}/.aws`);
    await Deno.writeTextFile(
      `${dir}/.aws/credentials`,
      "[team]\naws_access_key_id = AKIDTEAM\naws_secret_access_key = team-secret\n",
    );
    assert.equal((await credentialProvider({ profile: "team" })(never)).accessKeyId, "AKIDTEAM");
    Deno.env.set("AWS_PROFILE", "team");
    assert.equal((await credentialProvider()(never)).accessKeyId, "AKIDTEAM");
  });
});

Deno.test("on Deno without a home directory, only the environment and the container endpoint are used", async () => {
  await withAwsEnv({}, async () => {
    Deno.env.delete("HOME");
    const e = await credentialProvider()(never).catch((e) => e);
    assert.ok(e instanceof CredentialsProviderError);
    assert.equal(e.name, "CredentialsProviderError");
    assert.match(e.message, /without a home directory/);
  });
});

Deno.test("a container endpoint that does not answer in time is a CredentialsProviderError", async () => {
  const fake = await startFakeContainerCredentials({
    credentials: [set(1, Date.now() + 60 * MINUTE)],
    hold: true,
  });
  try {
    await withAwsEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.url }, async () => {
      // Every wait of this clock ends at once: the 1 s time limit is reached immediately.
      const e = await credentialProvider({ clock: fakeClock() })(never).catch((e) => e);
      assert.ok(e instanceof CredentialsProviderError, String(e));
      assert.match(e.message, /timed out/);
    });
  } finally {
    await fake.close();
  }
});
