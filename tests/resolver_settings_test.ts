// Tests of resolver settings (src/resolver_settings.ts): per-process values with
// configureResolver, per-Config values, their precedence and the kwargs above them, checks of
// groups, fields and types, and the redaction of secret settings.

import assert from "node:assert/strict";
import {
  Config,
  configureResolver,
  registerResolver,
  resetResolverSettings,
  ResolverError,
  type ResolverObject,
  type ResolverSettingsSpec,
  unregisterResolver,
} from "../mod.ts";
import { mergedSettings } from "../src/resolver_settings.ts";

const GREETING: ResolverSettingsSpec = {
  key: "greeting",
  fields: {
    word: { type: "string" },
    loud: { type: "boolean" },
    names: { type: "string[]" },
    token: { type: "string", secret: true },
  },
};

/**
 * A resolver reading the `greeting` group (plus `extra`, when given): it returns the word of a
 * `word=` kwarg, else of its settings, and records every `call.settings` it receives.
 */
function greeter(seen: Readonly<Record<string, unknown>>[], extra?: ResolverSettingsSpec) {
  const resolver: ResolverObject = {
    params: { keywords: ["word"] },
    settingsSpec: extra === undefined ? [GREETING] : [GREETING, extra],
    resolve: (key, call) => {
      seen.push(call.settings);
      return `${call.kwargs.word ?? call.settings.word ?? "hello"} ${key}`;
    },
  };
  return resolver;
}

/** Runs `fn` with `greet` registered globally, clearing every process-wide setting after. */
async function withGreeter(
  fn: (seen: Readonly<Record<string, unknown>>[]) => Promise<void> | void,
  extra?: ResolverSettingsSpec,
): Promise<void> {
  const seen: Readonly<Record<string, unknown>>[] = [];
  registerResolver("greet", greeter(seen, extra), { force: true });
  try {
    await fn(seen);
  } finally {
    unregisterResolver("greet");
    resetResolverSettings();
  }
}

Deno.test("precedence: process settings < the Config's settings < the call's kwargs", async () => {
  await withGreeter(async () => {
    configureResolver("greeting", { word: "hi" });
    const text = "a: ${greet:x}\nb: ${greet:y,word=yo}\n";
    assert.deepEqual(await Config.loads(text).toObject({ resolve: true }), {
      a: "hi x",
      b: "yo y",
    });
    const own = Config.loads(text, { resolverSettings: { greeting: { word: "hey" } } });
    assert.deepEqual(await own.toObject({ resolve: true }), { a: "hey x", b: "yo y" });
  });
});

Deno.test("a later group of the declaration wins over an earlier one, field by field", async () => {
  const extra: ResolverSettingsSpec = { key: "greeting-fr", fields: { word: { type: "string" } } };
  await withGreeter(async (seen) => {
    configureResolver("greeting", { word: "hi", loud: true });
    configureResolver("greeting-fr", { word: "salut" });
    assert.equal(await Config.loads("a: ${greet:x}\n").get("a"), "salut x");
    assert.deepEqual({ ...seen[0] }, { word: "salut", loud: true });
    // The Config's earlier group still wins over the process's later one.
    const own = Config.loads("a: ${greet:x}\n", {
      resolverSettings: { greeting: { word: "hey" } },
    });
    assert.equal(await own.get("a"), "hey x");
  }, extra);
});

Deno.test("configureResolver is additive, resetResolverSettings clears one group or all", async () => {
  const extra: ResolverSettingsSpec = { key: "other", fields: { n: { type: "string" } } };
  await withGreeter(async (seen) => {
    configureResolver("greeting", { word: "hi" });
    configureResolver("greeting", { loud: true, word: undefined });
    configureResolver("other", { n: "1" });
    const read = async () => {
      await Config.loads("a: ${greet:x}\n").get("a");
      return { ...seen.at(-1) };
    };
    assert.deepEqual(await read(), { word: "hi", loud: true, n: "1" });
    resetResolverSettings("greeting");
    assert.deepEqual(await read(), { n: "1" });
    resetResolverSettings();
    assert.deepEqual(await read(), {});
  }, extra);
});

Deno.test("a Config sees process settings changed after its first call", async () => {
  await withGreeter(async () => {
    const config = Config.loads("a: ${greet:x}\n");
    assert.equal(await config.get("a"), "hello x");
    configureResolver("greeting", { word: "hi" });
    config.clearCache();
    assert.equal(await config.get("a"), "hi x");
  });
});

/**
 * Checks that `values` for the group `key` are refused the same way per process and per Config:
 * `check` asserts on the error.
 */
function refusedBoth(key: string, values: object, check: (e: ResolverError) => void): void {
  for (
    const attempt of [
      () => configureResolver(key, values),
      () => Config.loads("a: 1\n", { resolverSettings: { [key]: values } }),
    ]
  ) {
    assert.throws(attempt, (e: unknown) => {
      assert.ok(e instanceof ResolverError);
      check(e);
      return true;
    });
  }
}

Deno.test("an undeclared group is refused with a suggestion, and the known groups listed", async () => {
  await withGreeter(() => {
    refusedBoth("greetings", { word: "hi" }, (e) => {
      assert.equal(e.code, "UNKNOWN_SETTING");
      assert.equal(e.headline, "Unknown resolver settings 'greetings'");
      assert.match(e.help ?? "", /^Did you mean 'greeting'\? .*register it first/);
      assert.match(e.detail.join("\n"), /Settings the registered resolvers read: .*greeting/);
    });
  });
  // Without a declaring resolver, the group is unknown.
  assert.throws(
    () => configureResolver("greeting", {}),
    (e: unknown) => e instanceof ResolverError && e.code === "UNKNOWN_SETTING",
  );
});

Deno.test("a Config's own resolvers declare groups for its resolverSettings", async () => {
  const seen: Readonly<Record<string, unknown>>[] = [];
  const config = Config.loads("a: ${greet:x}\n", {
    resolvers: { greet: greeter(seen) },
    resolverSettings: { greeting: { word: "hey" } },
  });
  assert.equal(await config.get("a"), "hey x");
});

Deno.test("an unknown field is refused with a suggestion and the fields of the group", async () => {
  await withGreeter(() => {
    refusedBoth("greeting", { wrod: "hi" }, (e) => {
      assert.equal(e.code, "UNKNOWN_SETTING");
      assert.equal(e.headline, "Unknown setting 'wrod' in the 'greeting' settings");
      assert.equal(e.help, "Did you mean 'word'?");
      assert.deepEqual(e.detail, ["Settings of 'greeting': word, loud, names, token"]);
    });
  });
});

Deno.test("a value of the wrong type is refused without showing the value", async () => {
  await withGreeter(() => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ token: 12345 }, "Setting 'greeting.token' must be a string", "Got a number"],
      [{ loud: "s3cr3t" }, "Setting 'greeting.loud' must be a boolean", "Got a string"],
      [
        { names: ["a", 7] },
        "Setting 'greeting.names' must be a list of strings",
        "Got a list with a value that is not a string",
      ],
      [{ word: { s3cr3t: 1 } }, "Setting 'greeting.word' must be a string", "Got an object"],
    ];
    for (const [values, headline, detail] of cases) {
      assert.throws(() => configureResolver("greeting", values), (e: unknown) => {
        assert.ok(e instanceof ResolverError);
        assert.equal(e.code, "INVALID_SETTING");
        assert.equal(e.headline, headline);
        assert.deepEqual(e.detail, [detail]);
        assert.ok(!/s3cr3t|12345/.test(e.message), e.message);
        return true;
      });
    }
    assert.throws(
      () => configureResolver("greeting", "word=hi" as unknown as object),
      (e: unknown) => e instanceof ResolverError && e.code === "INVALID_SETTING",
    );
    // Nothing of the refused calls was stored.
    assert.deepEqual({ ...mergedSettings([GREETING], undefined) }, {});
  });
});

Deno.test("a group given before another declaration of it fails that resolver's calls", async () => {
  await withGreeter(async () => {
    configureResolver("greeting", { loud: true });
    // A second resolver declares the group without `loud`: its call fails (when it reads its
    // settings) with the path of the value.
    const strict: ResolverObject = {
      settingsSpec: [{ key: "greeting", fields: { word: { type: "string" } } }],
      resolve: (_key, call) => String(call.settings.word),
    };
    const config = Config.loads("a:\n  b: ${strict:x}\n", { resolvers: { strict } });
    await assert.rejects(config.get("a.b"), (e: unknown) => {
      assert.ok(e instanceof ResolverError);
      assert.equal(e.code, "UNKNOWN_SETTING");
      assert.equal(e.path, "a.b");
      assert.match(e.message, /Unknown setting 'loud' in the 'greeting' settings/);
      return true;
    });
  });
});

Deno.test("call.settings is frozen; serialised or inspected, a secret field is redacted", async () => {
  await withGreeter(async (seen) => {
    configureResolver("greeting", { token: "tok-s3cr3t", word: "hi", names: ["a"] });
    await Config.loads("a: ${greet:x}\n").get("a");
    const settings = seen[0]!;
    assert.equal(settings.token, "tok-s3cr3t");
    assert.ok(Object.isFrozen(settings) && Object.isFrozen(settings.names));
    assert.deepEqual(Object.keys(settings).sort(), ["names", "token", "word"]);
    assert.equal(
      JSON.stringify(settings),
      JSON.stringify({ token: "[REDACTED]", word: "hi", names: ["a"] }),
    );
    const shown = Deno.inspect(settings);
    assert.ok(shown.includes("[REDACTED]") && shown.includes("hi"), shown);
    assert.ok(!shown.includes("tok-s3cr3t"), shown);
    // A resolver's own error that quotes its settings carries no secret either.
    const leaky: ResolverObject = {
      settingsSpec: [GREETING],
      resolve: (_key, call) => {
        throw new Error(`bad settings ${JSON.stringify(call.settings)}`);
      },
    };
    const events: unknown[] = [];
    const config = Config.loads("a: ${leaky:x}\n", {
      resolvers: { leaky },
      onTrace: (e) => events.push(e),
    });
    const error = await config.get("a").catch((e: unknown) => e);
    assert.ok(error instanceof ResolverError);
    assert.match(error.message, /\[REDACTED\]/);
    assert.ok(!error.message.includes("tok-s3cr3t"), error.message);
    assert.ok(!JSON.stringify(events).includes("tok-s3cr3t"));
  });
});

Deno.test("a resolver that declares no settings receives an empty, frozen call.settings", async () => {
  let settings: unknown;
  const config = Config.loads("a: ${plain:x}\n", {
    resolvers: { plain: (_key, call) => (settings = call.settings, 1) },
  });
  await config.get("a");
  assert.deepEqual(Object.keys(settings as object), []);
  assert.ok(Object.isFrozen(settings));
});

Deno.test("an object setting holds the very object given (a client); a list or a string is refused", async () => {
  const HOOKS: ResolverSettingsSpec = {
    key: "hooks",
    fields: { client: { type: "object", secret: true } },
  };
  const client = { send: (text: string) => `sent ${text}`, password: "s3cr3t" };
  const seen: Readonly<Record<string, unknown>>[] = [];
  const config = Config.loads("a: ${hooked:x}\n", {
    resolvers: {
      hooked: {
        settingsSpec: [HOOKS],
        resolve: (key, call) => {
          seen.push(call.settings);
          return (call.settings.client as typeof client).send(key);
        },
      },
    },
    resolverSettings: { hooks: { client } },
  });
  assert.equal(await config.get("a"), "sent x");
  assert.equal(seen[0]!.client, client, "the object itself, not a copy");
  assert.ok(!Object.isFrozen(client), "the object is not frozen");
  assert.equal(JSON.stringify(seen[0]), '{"client":"[REDACTED]"}');
  for (
    const [value, got] of [[["a"], "Got a list with a value that is not a string"], [
      "s3cr3t",
      "Got a string",
    ]] as const
  ) {
    assert.throws(
      () =>
        Config.loads("a: 1\n", {
          resolvers: { hooked: { settingsSpec: [HOOKS], resolve: () => 1 } },
          resolverSettings: { hooks: { client: value } },
        }),
      (e: unknown) => {
        assert.ok(e instanceof ResolverError && e.code === "INVALID_SETTING", String(e));
        assert.equal(e.headline, "Setting 'hooks.client' must be an object");
        assert.deepEqual(e.detail, [got]);
        assert.ok(!e.message.includes("s3cr3t"));
        return true;
      },
    );
  }
});

Deno.test("every group takes ttl, staleWhileRevalidate and maxStale, kept out of call.settings", async () => {
  await withGreeter(async (seen) => {
    configureResolver("greeting", { word: "hi", ttl: 60_000 });
    let time = 0;
    const config = Config.loads("a: ${greet:you}\n", {
      now: () => time,
      resolverSettings: { greeting: { staleWhileRevalidate: true, maxStale: 5_000 } },
    });
    assert.equal(await config.get("a"), "hi you");
    assert.deepEqual({ ...seen[0] }, { word: "hi" });
    configureResolver("greeting", { word: "hey" });
    time = 60_000; // expired: returned at once (staleWhileRevalidate), refreshed behind
    assert.equal(await config.get("a"), "hi you");
    await config.refresh();
    assert.equal(await config.get("a"), "hey you");
    for (
      const [values, headline] of [
        [{ ttl: "60" }, "Setting 'greeting.ttl' must be a number of ms > 0"],
        [{ ttl: 0 }, "Setting 'greeting.ttl' must be a number of ms > 0"],
        [{ maxStale: -1 }, "Setting 'greeting.maxStale' must be a number of ms >= 0"],
        [
          { staleWhileRevalidate: "yes" },
          "Setting 'greeting.staleWhileRevalidate' must be a boolean",
        ],
      ] as const
    ) {
      assert.throws(() => configureResolver("greeting", values), {
        code: "INVALID_SETTING",
        headline,
      });
    }
  });
});
