// Tests of the env resolver (SPEC §7.1), directly and through a Config.

import assert from "node:assert/strict";
import { Config, NotFoundError, ParseError, ResolverError } from "../../mod.ts";
import { envResolver } from "../../resolvers/env.ts";
import { makeCall } from "./_transform_call.ts";
import { assertNotShown } from "../_error_views.ts";

const NAME = "HOLOCONF_ENV_TEST_VAR";
const MISSING = "HOLOCONF_ENV_TEST_DEFINITELY_MISSING";

function withEnv(value: string, fn: () => Promise<void> | void): Promise<void> {
  Deno.env.set(NAME, value);
  return Promise.resolve(fn()).finally(() => Deno.env.delete(NAME));
}

Deno.test("env resolver reads a variable as a string", async () => {
  await withEnv("8080", () => {
    assert.equal(envResolver.resolve(NAME, makeCall({ args: [NAME] })), "8080");
  });
});

Deno.test("env resolver returns an empty string for a variable set to empty", async () => {
  await withEnv("", async () => {
    assert.equal(envResolver.resolve(NAME, makeCall({ args: [NAME] })), "");
    assert.equal(await Config.loads(`v: \${env:${NAME},default=d}\n`).get("v"), "");
  });
});

Deno.test("a missing variable is not-found with a default= hint", () => {
  assert.throws(
    () => envResolver.resolve(MISSING, makeCall({ args: [MISSING] })),
    (e: unknown) => {
      assert.ok(e instanceof NotFoundError);
      assert.equal(e.code, "NOT_FOUND");
      assert.match(e.message, new RegExp(`^Environment variable not found: ${MISSING}`));
      assert.ok(e.help?.includes(`\${env:${MISSING},default=value}`), e.help);
      return true;
    },
  );
});

Deno.test("no variable name is ParseError 'env resolver requires a variable name'", async () => {
  assert.throws(() => envResolver.resolve("", makeCall({ args: [] })), ParseError);
  for (const text of ["v: ${env:}\n", 'v: "${env: }"\n']) {
    await assert.rejects(Config.loads(text).get("v"), (e: unknown) => {
      assert.ok(e instanceof ParseError, String(e));
      assert.match(e.message, /^env resolver requires a variable name/);
      return true;
    });
  }
});

Deno.test("through a Config: value, missing error with path, and default=", async () => {
  await withEnv("value", async () => {
    const config = Config.loads(
      `v: \${env:${NAME}}\nm: \${env:${MISSING}}\nd: \${env:${MISSING},default=fallback}\n` +
        `n: \${env:${MISSING},default=\${env:${NAME}}}\nc: pre-\${env:${NAME}}-post\n`,
    );
    assert.equal(await config.get("v"), "value");
    assert.equal(await config.get("d"), "fallback");
    assert.equal(await config.get("n"), "value");
    assert.equal(await config.get("c"), "pre-value-post");
    await assert.rejects(config.get("m"), (e: unknown) => {
      assert.ok(e instanceof ResolverError);
      assert.equal(e.code, "NOT_FOUND");
      assert.equal(e.path, "m");
      assert.equal(e.resolver, "env");
      assert.match(
        e.message,
        new RegExp(`^Environment variable not found: ${MISSING}\\n  Path: m`),
      );
      return true;
    });
  });
});

Deno.test("env values are never sensitive by default and never re-parsed", async () => {
  await withEnv("${a} ${env:HOME}", async () => {
    const config = Config.loads(`a: 1\nv: \${env:${NAME}}\n`);
    assert.deepEqual(await config.toObject({ redact: true }), { a: 1, v: "${a} ${env:HOME}" });
  });
});

Deno.test("env works with getSync", async () => {
  await withEnv("sync", () => {
    assert.equal(Config.loads(`v: \${env:${NAME}}\n`).getSync("v"), "sync");
  });
});

Deno.test("a variable name can come from another value", async () => {
  await withEnv("indirect", async () => {
    const config = Config.loads(`which: ${NAME}\nv: \${env:\${which}}\n`);
    assert.equal(await config.get("v"), "indirect");
  });
});

Deno.test("a missing variable whose name is sensitive is named nowhere, resource included", () => {
  assert.throws(
    () => envResolver.resolve(MISSING, makeCall({ args: [MISSING], sensitiveInput: true })),
    (e: unknown) => {
      assert.ok(e instanceof NotFoundError);
      assert.equal(e.resource, "[REDACTED]");
      assert.equal(e.headline, "Environment variable not found: [REDACTED]");
      assertNotShown(e, [MISSING]);
      return true;
    },
  );
});

Deno.test("${env:${env:TOK,sensitive=true}}: no view of the error shows the name (console.log, JSON, inspect)", async () => {
  // The variable TOK names does not exist: the secret is the name of a missing variable.
  await withEnv(MISSING, async () => {
    const config = Config.loads(`v: \${env:\${env:${NAME},sensitive=true}}\n`);
    await assert.rejects(config.get("v"), (e: unknown) => {
      assert.ok(e instanceof NotFoundError);
      assert.equal(e.code, "NOT_FOUND");
      assert.equal(e.resource, "[REDACTED]");
      assertNotShown(e, [MISSING]);
      return true;
    });
    assert.equal(
      await Config.loads(`v: \${env:\${env:${NAME},sensitive=true},default=d}\n`).get("v"),
      "d",
    );
  });
});

Deno.test("env resolver reads the Config's environment from the call's context", () => {
  const env = (name: string) => (name === "ONLY_IN_CONTEXT" ? "ctx" : undefined);
  const call = makeCall({ args: ["ONLY_IN_CONTEXT"], context: { env } });
  assert.equal(envResolver.resolve("ONLY_IN_CONTEXT", call), "ctx");
  assert.throws(
    () => envResolver.resolve("ONLY_IN_CONTEXT", makeCall({ args: ["ONLY_IN_CONTEXT"] })),
    NotFoundError,
  );
});
