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

Deno.test("split trim=false keeps blanks; trim is case-insensitive true", () => {
  assert.deepEqual(split(" a , b", { trim: "false" }), [" a ", " b"]);
  assert.deepEqual(split(" a , b", { trim: "TRUE" }), ["a", "b"]);
  assert.deepEqual(split(" a , b", { trim: "yes" }), [" a ", " b"]);
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

Deno.test("split ignores a limit that is not a non-negative integer", () => {
  for (const limit of ["x", "-1", "1.5", ""]) {
    assert.deepEqual(split("a,b,c", { limit }), ["a", "b", "c"], limit);
  }
});

Deno.test("split empty delimiter is a ParseError", async () => {
  const err = await thrown(() => split("abc", { delim: "" }));
  assert.ok(err instanceof ParseError);
  assert.match(err.headline, /split delimiter cannot be empty/);
});
