import assert from "node:assert/strict";
import { jsonResolver } from "../../resolvers/json.ts";
import { NotFoundError, ParseError } from "../../src/errors.ts";
import { makeCall, thrown } from "./_transform_call.ts";

function parse(text: string, sensitiveInput = false): unknown {
  return jsonResolver.resolve(text, makeCall({ args: [text], sensitiveInput, resolver: "json" }));
}

async function parseError(text: string, sensitiveInput = false): Promise<ParseError> {
  const err = await thrown(() => parse(text, sensitiveInput));
  assert.ok(err instanceof ParseError, `expected ParseError, got ${err}`);
  assert.ok(!(err instanceof NotFoundError));
  return err;
}

Deno.test("json parses any root type and keeps native types", () => {
  assert.deepEqual(parse('{"name": "Alice", "age": 30, "ok": true, "x": null}'), {
    name: "Alice",
    age: 30,
    ok: true,
    x: null,
  });
  assert.deepEqual(parse("[1, 2.5, -3e2]"), [1, 2.5, -300]);
  assert.equal(parse('"text"'), "text");
  assert.equal(parse("42"), 42);
  assert.equal(parse("false"), false);
  assert.equal(parse("null"), null);
  assert.equal(parse("  7  "), 7);
});

Deno.test("json keeps object key order", () => {
  assert.deepEqual(Object.keys(parse('{"z": 1, "a": 2, "m": 3}') as object), ["z", "a", "m"]);
});

Deno.test("json keeps a __proto__ key as data", () => {
  const value = parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
  assert.ok(Object.hasOwn(value, "__proto__"));
  assert.deepEqual(value["__proto__"], { polluted: true });
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
});

Deno.test("json errors give line, column and a reason", async () => {
  const cases: [string, number, number, RegExp][] = [
    ['{"invalid": }', 1, 13, /expected value/],
    ["[1,]", 1, 4, /trailing comma/],
    ['{"a": 1,\n "b" 2}', 2, 6, /expected `:`/],
    ['{"a": 1} x', 1, 10, /trailing characters/],
    ["", 1, 1, /EOF while parsing a value/],
    ["[1, 2", 1, 6, /EOF while parsing a list/],
    ['{"a": "unterminated', 1, 20, /EOF while parsing a string/],
    ["{'a': 1}", 1, 2, /key must be a string/],
    ['"\\x"', 1, 3, /invalid escape/],
    ["01", 1, 2, /trailing characters/],
    ["-", 1, 2, /EOF while parsing a value/],
    ["1.", 1, 3, /invalid number/],
    ["tru", 1, 1, /expected value/],
    ['"a\nb"', 1, 3, /control character/],
    ['{"a": [1, 2}', 1, 12, /expected `,` or `]`/],
  ];
  for (const [text, line, column, reason] of cases) {
    const err = await parseError(text);
    assert.equal(err.line, line, text);
    assert.equal(err.column, column, text);
    assert.match(
      err.headline,
      new RegExp(`^Invalid JSON at line ${line}, column ${column}: `),
      text,
    );
    assert.match(err.headline, reason, text);
  }
});

Deno.test("json errors show a 50-character input preview", async () => {
  const text = `{"key": ${"x".repeat(100)}}`;
  const err = await parseError(text);
  assert.match(err.message, /Input preview: \{"key": x{42}\.\.\./);
  assert.ok(!err.message.includes("x".repeat(43)));
});

Deno.test("json errors never show a sensitive input", async () => {
  const secret = '{"password": "hunter2", oops}';
  const err = await parseError(secret, true);
  assert.match(err.message, /Invalid JSON at line 1, column 25/);
  assert.ok(!err.message.includes("hunter2"), err.message);
  assert.ok(!err.message.includes("Input preview"));
  assert.ok(!err.message.includes("oops"));
});

Deno.test("json refuses nesting deeper than 1000 levels", async () => {
  const deep = "[".repeat(5000) + "]".repeat(5000);
  const err = await parseError(deep);
  assert.match(err.headline, /depth limit \(1000\)/);
  assert.equal(err.help, "Nest arrays and objects at most 1000 levels deep");
  assert.deepEqual(parse("[".repeat(1000) + "]".repeat(1000)) instanceof Array, true);
});
