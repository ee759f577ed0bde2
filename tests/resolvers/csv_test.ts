import assert from "node:assert/strict";
import { csvResolver } from "../../resolvers/csv.ts";
import { ParseError } from "../../src/errors.ts";
import { makeCall, thrown } from "./_transform_call.ts";

function csv(
  text: string,
  kwargs: Record<string, string> = {},
  sensitiveInput = false,
): Promise<unknown> | unknown {
  return csvResolver.resolve(text, makeCall({ args: [text], kwargs, sensitiveInput }));
}

Deno.test("csv with a header gives objects keyed by the header", async () => {
  assert.deepEqual(await csv("name,age\nAlice,30\nBob,25\n"), [
    { name: "Alice", age: "30" },
    { name: "Bob", age: "25" },
  ]);
});

Deno.test("csv is synchronous once the parser is loaded", async () => {
  await csv("a\n1");
  const result = csv("a\n1");
  assert.ok(!(result instanceof Promise));
  assert.deepEqual(result, [{ a: "1" }]);
});

Deno.test("csv header=false gives arrays of strings", async () => {
  assert.deepEqual(await csv("Alice,30\nBob,25\n", { header: "false" }), [
    ["Alice", "30"],
    ["Bob", "25"],
  ]);
  assert.deepEqual(await csv("a,b", { header: "FALSE" }), [["a", "b"]]);
});

Deno.test("csv header and trim other than true or false are errors, not false", async () => {
  for (const kwargs of [{ header: "no" }, { trim: "yes" }]) {
    const err = await thrown(() => csv("a,b\n1,2", kwargs));
    assert.ok(err instanceof ParseError, JSON.stringify(kwargs));
    assert.equal(err.code, "INVALID_KEYWORD_VALUE");
    assert.match(err.message, /= takes true or false/);
  }
});

Deno.test("csv custom delimiter", async () => {
  assert.deepEqual(await csv("name|city\nAlice|NYC\nBob|LA", { delim: "|" }), [
    { name: "Alice", city: "NYC" },
    { name: "Bob", city: "LA" },
  ]);
  assert.deepEqual(await csv("a;b\n1;2", { delim: ";", header: "false" }), [["a", "b"], [
    "1",
    "2",
  ]]);
});

Deno.test("csv empty or multi-character delimiters are ParseErrors", async () => {
  const empty = await thrown(() => csv("a,b", { delim: "" }));
  assert.ok(empty instanceof ParseError);
  assert.equal((empty as ParseError).headline, "CSV delimiter cannot be empty");
  const long = await thrown(() => csv("a,b", { delim: "||" }));
  assert.ok(long instanceof ParseError);
  assert.match(long.message, /single character/);
});

Deno.test("csv trim=false (default) keeps blanks; trim=true trims headers and fields", async () => {
  const text = " name , age \n Alice , 30 \n";
  assert.deepEqual(await csv(text), [{ " name ": " Alice ", " age ": " 30 " }]);
  assert.deepEqual(await csv(text, { trim: "true" }), [{ name: "Alice", age: "30" }]);
});

Deno.test("csv follows RFC 4180 quoting", async () => {
  const text = 'a,b\n"x, y","say ""hi"""\n"multi\nline",plain\n';
  assert.deepEqual(await csv(text), [
    { a: "x, y", b: 'say "hi"' },
    { a: "multi\nline", b: "plain" },
  ]);
});

Deno.test("csv accepts CRLF and LF; a final line break does not start a record", async () => {
  assert.deepEqual(await csv("a,b\r\n1,2\r\n"), [{ a: "1", b: "2" }]);
  assert.deepEqual(await csv("a,b\r\n1,2\n3,4"), [{ a: "1", b: "2" }, { a: "3", b: "4" }]);
  assert.deepEqual(await csv("a,b\n1,2\n", { header: "false" }), [["a", "b"], ["1", "2"]]);
});

Deno.test("csv empty input is an empty list; a header alone gives no rows", async () => {
  assert.deepEqual(await csv(""), []);
  assert.deepEqual(await csv("", { header: "false" }), []);
  assert.deepEqual(await csv("a,b\n"), []);
});

Deno.test("csv row with a different field count is a ParseError with its line", async () => {
  const err = await thrown(() => csv("a,b\n1,2\n3,4,5\n"));
  assert.ok(err instanceof ParseError);
  assert.match(
    err.message,
    /^CSV parse error at line 3: found record with 3 fields, but the previous record has 2 fields/,
  );
  const short = await thrown(() => csv("a,b\n1\n", { header: "false" }));
  assert.ok(short instanceof ParseError);
});

Deno.test("csv errors never echo a sensitive input", async () => {
  const err = await thrown(() => csv('user,pass\nbob,"hunter2\n', {}, true));
  assert.ok(err instanceof ParseError);
  assert.match(err.message, /^CSV parse error/);
  assert.ok(!err.message.includes("hunter2"), err.message);
});

Deno.test("csv keeps a __proto__ header as data", async () => {
  const rows = await csv("__proto__,b\nx,y") as Record<string, unknown>[];
  const row = rows[0]!;
  assert.ok(Object.hasOwn(row, "__proto__"));
  assert.equal(row["__proto__"], "x");
  assert.equal(Object.getPrototypeOf(row), Object.prototype);
});
