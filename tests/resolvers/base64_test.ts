import assert from "node:assert/strict";
import { base64Resolver } from "../../resolvers/base64.ts";
import { ParseError } from "../../src/errors.ts";
import { makeCall, thrown } from "./_transform_call.ts";

function decode(text: string, sensitiveInput = false): unknown {
  return base64Resolver.resolve(text, makeCall({ args: [text], sensitiveInput }));
}

Deno.test("base64 decodes to a string when the bytes are UTF-8", () => {
  assert.equal(decode("SGVsbG8sIFdvcmxkIQ=="), "Hello, World!");
  assert.equal(decode("SGVsbG8="), "Hello");
  assert.equal(decode("5LiW55WM"), "世界");
  assert.equal(decode(""), "");
});

Deno.test("base64 trims surrounding blanks", () => {
  assert.equal(decode("  SGVsbG8=\n"), "Hello");
});

Deno.test("base64 returns bytes when the result is not UTF-8", () => {
  const out = decode("/wD+QQ==");
  assert.ok(out instanceof Uint8Array);
  assert.deepEqual(out, new Uint8Array([0xff, 0x00, 0xfe, 0x41]));
});

Deno.test("base64 rejects bad characters, missing padding and the URL-safe alphabet", async () => {
  for (const bad of ["not-valid!!!", "SGVsbG8", "SGVsbG8=x", "SGV=sbG8", "_-8=", "SGVs bG8="]) {
    const err = await thrown(() => decode(bad));
    assert.ok(err instanceof ParseError, bad);
    assert.match(err.headline, /^Invalid base64: /, bad);
  }
  const err = await thrown(() => decode("SGVsbG8"));
  assert.match(err.message, /invalid length 7/);
  const bad = await thrown(() => decode("ab!c"));
  assert.match(bad.message, /invalid character at offset 2/);
});

Deno.test("base64 errors preview the input only when it is not sensitive", async () => {
  const open = await thrown(() => decode("not-valid!!!"));
  assert.match(open.message, /Input preview: not-valid!!!\.\.\./);
  const secret = await thrown(() => decode("hunter2-secret!", true));
  assert.ok(!secret.message.includes("hunter2"), secret.message);
  assert.ok(!secret.message.includes("Input preview"));
});

Deno.test("base64 rejects non-canonical final bits before the padding", async () => {
  assert.equal(decode("QQ=="), "A");
  assert.equal(decode("QUI="), "AB");
  for (const bad of ["QR==", "QZ==", "QUJ=", "SGVsbG9=", "SGVsbG8sIFdvcmxkIR=="]) {
    const err = await thrown(() => decode(bad));
    assert.ok(err instanceof ParseError, bad);
    assert.match(err.headline, /^Invalid base64: non-zero unused bits/, bad);
  }
});

Deno.test("padded base64 written as name=value is an error with the quoting hint, never a silent ''", async () => {
  const { Config } = await import("../../mod.ts");
  const config = Config.loads(
    "a: ${base64:SGVsbG8=}\nb: ${base64:'SGVsbG8='}\nc: ${base64:c2VjcmV0IHRleHQ=,sensitive=true}\n" +
      "d: ${base64:}\n",
  );
  const err = await thrown(() => config.get("a"));
  assert.ok(err instanceof ParseError);
  assert.equal(err.code, "UNKNOWN_KEYWORD");
  assert.match(err.message, /must be quoted: \$\{base64:'SGVsbG8='\}/);
  assert.equal(await config.get("b"), "Hello");
  const secret = await thrown(() => config.get("c"));
  assert.equal((secret as ParseError).code, "UNKNOWN_KEYWORD");
  assert.ok(!secret.message.includes("c2VjcmV0IHRleHQ"), secret.message);
  assert.equal(await config.get("d"), "");
});
