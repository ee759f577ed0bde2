import assert from "node:assert/strict";
import { splitResolver } from "../../resolvers/split.ts";
import { ParseError } from "../../src/errors.ts";
import { makeCall, thrown } from "./_transform_call.ts";

function split(text: string, kwargs: Record<string, string> = {}): unknown {
  return splitResolver.resolve(text, makeCall({ args: [text], kwargs }));
}

Deno.test("split splits on commas and trims by default", () => {
  assert.deepEqual(split("web,api,database"), ["web", "api", "database"]);
  assert.deepEqual(split(" a , b ,c "), ["a", "b", "c"]);
});

Deno.test("split uses a custom delimiter of one or more characters", () => {
  assert.deepEqual(split("/usr/local/bin:/usr/bin:/bin", { delim: ":" }), [
    "/usr/local/bin",
    "/usr/bin",
    "/bin",
  ]);
  assert.deepEqual(split("a::b::c", { delim: "::" }), ["a", "b", "c"]);
});

Deno.test("split trim=false keeps blanks; booleans are true or false in any case", () => {
  assert.deepEqual(split(" a , b", { trim: "false" }), [" a ", " b"]);
  assert.deepEqual(split(" a , b", { trim: "FALSE" }), [" a ", " b"]);
  assert.deepEqual(split(" a , b", { trim: "TRUE" }), ["a", "b"]);
  assert.deepEqual(split(" a , b", { trim: "" }), ["a", "b"]);
});

Deno.test("split refuses a boolean keyword that is not true or false", async () => {
  for (const kwargs of [{ trim: "yes" }, { skip_empty: "1" }]) {
    const err = await thrown(() => split(" a , b", kwargs));
    assert.ok(err instanceof ParseError);
    assert.equal(err.code, "INVALID_KEYWORD_VALUE");
    const name = Object.keys(kwargs)[0]!;
    assert.match(err.headline, new RegExp(`Invalid value for keyword '${name}'`));
    assert.match(err.message, new RegExp(`${name}= takes true or false`));
  }
});

Deno.test("split skip_empty drops empty parts after trimming", () => {
  assert.deepEqual(split("a,, ,b,"), ["a", "", "", "b", ""]);
  assert.deepEqual(split("a,, ,b,", { skip_empty: "true" }), ["a", "b"]);
  assert.deepEqual(split("a,, ,b,", { skip_empty: "true", trim: "false" }), ["a", " ", "b"]);
});

Deno.test("split of empty text is one empty part unless skip_empty", () => {
  assert.deepEqual(split(""), [""]);
  assert.deepEqual(split("", { skip_empty: "true" }), []);
});

Deno.test("split limit=N makes at most N splits", () => {
  assert.deepEqual(split("one,two,three,four,five", { limit: "2" }), [
    "one",
    "two",
    "three,four,five",
  ]);
  assert.deepEqual(split("a,b", { limit: "0" }), ["a,b"]);
  assert.deepEqual(split("a,b", { limit: "10" }), ["a", "b"]);
});

Deno.test("split refuses a limit that is not a non-negative integer; blank is no limit", async () => {
  for (const limit of ["x", "-1", "1.5", "2a"]) {
    const err = await thrown(() => split("a,b,c", { limit }));
    assert.ok(err instanceof ParseError, limit);
    assert.equal(err.code, "INVALID_KEYWORD_VALUE", limit);
    assert.equal(err.headline, `Invalid value for keyword 'limit' of resolver 'test': ${limit}`);
    assert.match(err.message, /limit= takes a non-negative integer, e.g. limit=2/);
  }
  assert.deepEqual(split("a,b,c", { limit: "" }), ["a", "b", "c"]);
  assert.deepEqual(split("a,b,c", { limit: " 1 " }), ["a", "b,c"]);
});

Deno.test("split never shows a bad keyword value that came from a sensitive input", async () => {
  const call = makeCall({ args: ["a,b"], kwargs: { limit: "hunter2" }, sensitiveInput: true });
  const err = await thrown(() => splitResolver.resolve("a,b", call));
  assert.ok(err instanceof ParseError);
  assert.equal(err.code, "INVALID_KEYWORD_VALUE");
  assert.ok(!err.message.includes("hunter2"), err.message);
  assert.match(err.headline, /\[REDACTED\]$/);
});

Deno.test("split empty delimiter is a ParseError", async () => {
  const err = await thrown(() => split("abc", { delim: "" }));
  assert.ok(err instanceof ParseError);
  assert.match(err.headline, /split delimiter cannot be empty/);
});
