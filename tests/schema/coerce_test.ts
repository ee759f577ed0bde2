import assert from "node:assert/strict";
import {
  coerceString,
  coercionError,
  coercionMessage,
  describeValue,
} from "../../src/schema/coerce.ts";

Deno.test("coerceString() parses integers strictly", () => {
  const ok: [string, number][] = [
    ["8080", 8080],
    ["-5", -5],
    ["+5", 5],
    ["0", 0],
    ["-0", 0],
    ["007", 7],
    ["9007199254740991", Number.MAX_SAFE_INTEGER],
  ];
  for (const [text, value] of ok) {
    assert.deepEqual(coerceString(text, "integer"), { ok: true, value }, text);
  }
  const bad = [
    "1.5",
    "1.0",
    "1e3",
    " 1",
    "1 ",
    "",
    " ",
    "1_000",
    "0x10",
    "abc",
    "+",
    "-",
    "９",
    "9007199254740993",
    "Infinity",
  ];
  for (const text of bad) {
    assert.deepEqual(coerceString(text, "integer"), { ok: false }, JSON.stringify(text));
  }
});

Deno.test("coerceString() parses numbers as floats in decimal or exponent form", () => {
  const ok: [string, number][] = [
    ["1.5", 1.5],
    ["1e3", 1000],
    ["-2.5E-2", -0.025],
    ["+3", 3],
    [".5", 0.5],
    ["5.", 5],
    ["8080", 8080],
  ];
  for (const [text, value] of ok) {
    assert.deepEqual(coerceString(text, "number"), { ok: true, value }, text);
  }
  const bad = ["", " ", " 1.5", "1.5 ", "0x1F", "1_0", "inf", "NaN", "Infinity", "1e", "e3", "."];
  for (const text of bad) {
    assert.deepEqual(coerceString(text, "number"), { ok: false }, JSON.stringify(text));
  }
  assert.deepEqual(coerceString("1e400", "number"), { ok: false }, "overflow to infinity");
});

Deno.test("coerceString() accepts only true/false in any case as booleans", () => {
  assert.deepEqual(coerceString("true", "boolean"), { ok: true, value: true });
  assert.deepEqual(coerceString("TRUE", "boolean"), { ok: true, value: true });
  assert.deepEqual(coerceString("False", "boolean"), { ok: true, value: false });
  for (const text of ["yes", "no", "on", "off", "0", "1", "", " true", "t"]) {
    assert.deepEqual(coerceString(text, "boolean"), { ok: false }, JSON.stringify(text));
  }
});

Deno.test("describeValue() names the type and shows the value unless sensitive", () => {
  assert.equal(describeValue("abc", false), 'string ("abc")');
  assert.equal(describeValue('a"b', false), 'string ("a\\"b")');
  assert.equal(describeValue("s3cret", true), "string ([REDACTED])");
  assert.equal(describeValue(5, false), "integer (5)");
  assert.equal(describeValue(5, true), "integer ([REDACTED])");
  assert.equal(describeValue(1.5, false), "float (1.5)");
  assert.equal(describeValue(true, false), "boolean");
  assert.equal(describeValue(null, false), "null");
  assert.equal(describeValue([1, 2], false), "sequence");
  assert.equal(describeValue({ a: 1 }, false), "mapping");
  assert.equal(describeValue(new Uint8Array([1]), false), "bytes");
  assert.ok(!describeValue("s3cret", true).includes("s3cret"));
});

Deno.test("coercion messages and errors name the accepted forms, never a sensitive value", () => {
  assert.equal(
    coercionMessage("boolean", { value: "yes", sensitive: false }),
    'must be boolean (true or false, in any case), got string ("yes")',
  );
  assert.equal(
    coercionMessage("number", { value: "1,5", sensitive: false }),
    'must be number (a decimal number such as 1.5, -2 or 1e3), got string ("1,5")',
  );
  assert.equal(
    coercionMessage("integer", { value: "s3cret", sensitive: true }),
    "must be integer (digits with an optional sign, e.g. 8080), got string ([REDACTED])",
  );
  const e = coercionError("debug", "boolean", { value: "on", sensitive: false });
  assert.equal(e.help, "Write boolean values as true or false, in any case");
  assert.match(e.message, /Help: Write boolean values as true or false, in any case$/);
  // A type without accepted forms keeps the generic help.
  const s = coercionError("v", "string", { value: [1], sensitive: false });
  assert.equal(s.help, "Ensure the value can be converted to string");
});
