// Tests of the value model (src/value.ts) as users meet it through Config: what a resolver may
// return (Maps, bigints, deep nesting) and how sensitivity is found inside it.

import assert from "node:assert/strict";
import { Config, HoloconfError, ResolvedValue } from "../mod.ts";

Deno.test("a sensitive value inside a Map or nested deeper than 100 levels is redacted by toJson", async () => {
  const secret = new ResolvedValue("hunter2", { sensitive: true });
  let deep: unknown = secret;
  for (let i = 0; i < 120; i++) deep = [deep];
  const config = Config.loads("m: ${asMap:}\no: ${asObj:}\nd: ${nested:}\nok: 1\n", {
    resolvers: {
      asMap: () => new Map([["pw", secret]]),
      asObj: () => ({ pw: secret }),
      nested: () => deep,
    },
  });
  const out = await config.toJson({ redact: true });
  assert.ok(!out.includes("hunter2"), out);
  const parsed = JSON.parse(out);
  assert.equal(parsed.o, "[REDACTED]");
  assert.equal(parsed.m, "[REDACTED]");
  assert.equal(parsed.d, "[REDACTED]");
  assert.equal(parsed.ok, 1);
});

Deno.test("an out-of-range bigint from a sensitive resolver is refused without showing it", async () => {
  const config = Config.loads("a: ${big:k}\nb: ${bigger:k}\n", {
    resolvers: {
      big: () => new ResolvedValue(98765432109876543210n, { sensitive: true }),
      bigger: () => 12345678901234567890n,
    },
  });
  for (const path of ["a", "b"]) {
    const err = await config.get(path).then(() => undefined, (e) => e);
    assert.ok(err instanceof HoloconfError, path);
    assert.equal(err.code, "RESOLVER_BAD_VALUE");
    assert.match(err.message, /integer of 20 digits does not fit a safe JavaScript number/);
    assert.ok(!/9876543210|1234567890/.test(err.message), err.message);
  }
});

Deno.test("a resolver value nested too deeply fails with the depth error before the stack overflows", async () => {
  let deep: unknown = 1;
  for (let i = 0; i < 5000; i++) deep = [deep];
  const config = Config.loads("a: ${deep:x}\n", { resolvers: { deep: () => deep } });
  await assert.rejects(config.get("a"), /Resolved value nested too deeply/);
});
