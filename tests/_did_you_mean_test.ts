import assert from "node:assert/strict";
import { closestName, editDistance } from "../src/_did_you_mean.ts";

Deno.test("editDistance counts insertions, deletions, substitutions and swaps as one each", () => {
  assert.equal(editDistance("limit", "limit"), 0);
  assert.equal(editDistance("limt", "limit"), 1);
  assert.equal(editDistance("limits", "limit"), 1);
  assert.equal(editDistance("limot", "limit"), 1);
  assert.equal(editDistance("defualt", "default"), 1);
  assert.equal(editDistance("regoin", "region"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("abc", ""), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("ca", "abc"), 3);
});

Deno.test("closestName suggests a likely misspelling, case-insensitively, and nothing far off", () => {
  const keywords = ["delim", "trim", "skip_empty", "limit", "default", "sensitive"];
  assert.equal(closestName("limt", keywords), "limit");
  assert.equal(closestName("defualt", keywords), "default");
  assert.equal(closestName("LIMIT", keywords), "limit");
  assert.equal(closestName("skipempty", keywords), "skip_empty");
  assert.equal(closestName("colour", keywords), undefined);
  assert.equal(closestName("delimiter", keywords), undefined);
  assert.equal(closestName("limit", keywords), undefined, "never the word itself");
  assert.equal(closestName("x", []), undefined);
});

Deno.test("closestName gives ties to the earlier candidate", () => {
  assert.equal(closestName("ab", ["ax", "ay"]), "ax");
  assert.equal(closestName("ab", ["ay", "ax"]), "ay");
});
