import assert from "node:assert/strict";
import { formatValue, makeStyle } from "../../src/cli/format.ts";

Deno.test("formatValue() text prints strings raw and scalars as YAML scalars", () => {
  assert.equal(formatValue("a: b", "text"), "a: b");
  assert.equal(formatValue(5432, "text"), "5432");
  assert.equal(formatValue(1.5, "text"), "1.5");
  assert.equal(formatValue(true, "text"), "true");
  assert.equal(formatValue(null, "text"), "null");
  assert.equal(formatValue(Infinity, "text"), ".inf");
});

Deno.test("formatValue() text prints mappings and lists as block YAML", () => {
  assert.equal(formatValue({ host: "h", ports: [1, 2] }, "text"), "host: h\nports:\n  - 1\n  - 2");
  assert.equal(formatValue(["a", "true"], "text"), "- a\n- 'true'");
});

Deno.test("formatValue() json and yaml formats", () => {
  assert.equal(formatValue("localhost", "json"), '"localhost"');
  assert.equal(formatValue({ a: [1] }, "json"), '{\n  "a": [\n    1\n  ]\n}');
  assert.equal(formatValue("localhost", "yaml"), "localhost");
  assert.equal(formatValue({ a: null }, "yaml"), "a: null");
});

Deno.test("formatValue() turns bytes into base64 at any depth", () => {
  const bytes = new TextEncoder().encode("hello");
  assert.equal(formatValue(bytes, "text"), "aGVsbG8=");
  assert.deepEqual(JSON.parse(formatValue({ a: [bytes] }, "json")), { a: ["aGVsbG8="] });
  assert.equal(formatValue({ a: [bytes] }, "yaml"), "a:\n  - aGVsbG8=");
});

Deno.test("formatValue() json writes what dump -f json writes: non-finite numbers are null", () => {
  assert.equal(formatValue(Infinity, "json"), "null");
  assert.equal(formatValue({ a: -Infinity, b: NaN }, "json"), '{\n  "a": null,\n  "b": null\n}');
});

Deno.test("makeStyle(false) never emits escape codes", () => {
  const s = makeStyle(false);
  for (const f of [s.green, s.red, s.yellow, s.dim, s.bold]) assert.equal(f("x"), "x");
  assert.notEqual(makeStyle(true).green("x"), "x");
});
