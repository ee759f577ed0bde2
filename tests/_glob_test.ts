import assert from "node:assert/strict";
import fc from "fast-check";
import { compileGlob, GlobSyntaxError } from "../src/_glob.ts";

const matches = (pattern: string, path: string) => compileGlob(pattern).match(path.split("/"));

Deno.test("glob: * and ? stay within one component; dotfiles match", () => {
  assert.equal(matches("*.yaml", "app.yaml"), true);
  assert.equal(matches("*.yaml", ".hidden.yaml"), true);
  assert.equal(matches("*.yaml", "app.yml"), false);
  assert.equal(matches("*.yaml", "sub/app.yaml"), false);
  assert.equal(matches("?.yaml", "a.yaml"), true);
  assert.equal(matches("?.yaml", "ab.yaml"), false);
  assert.equal(matches("*", ""), true);
  assert.equal(matches("a*b*c", "abc"), true);
  assert.equal(matches("a*b*c", "aXbYbZc"), true);
  assert.equal(matches("a*b*c", "aXbYcZ"), false);
  assert.equal(matches("*/*.yaml", "sub/x.yaml"), true);
});

Deno.test("glob: ? takes one character, also outside the BMP", () => {
  assert.equal(matches("?.yaml", "😀.yaml"), true);
  assert.equal(matches("[😀é].yaml", "é.yaml"), true);
  // Ranges compare code points: U+FF01 lies between U+E000 and U+1F600 (not so in UTF-16 units).
  assert.equal(matches("[\u{e000}-\u{1f600}].yaml", "\u{ff01}.yaml"), true);
  assert.equal(matches("[\u{e000}-\u{1f600}].yaml", "\u{1f601}.yaml"), false);
});

Deno.test("glob: character classes, ranges, negation, ] and - as members", () => {
  assert.equal(matches("[ab].yaml", "a.yaml"), true);
  assert.equal(matches("[ab].yaml", "c.yaml"), false);
  assert.equal(matches("[!ab].yaml", "c.yaml"), true);
  assert.equal(matches("[!ab].yaml", "a.yaml"), false);
  assert.equal(matches("[a-c].yaml", "b.yaml"), true);
  assert.equal(matches("[a-c].yaml", "d.yaml"), false);
  assert.equal(matches("[]].yaml", "].yaml"), true);
  assert.equal(matches("[!]].yaml", "].yaml"), false);
  assert.equal(matches("[a-].yaml", "-.yaml"), true);
  assert.equal(matches("[-a].yaml", "-.yaml"), true);
  // `^` is an ordinary member (upstream's glob negates with `!` only).
  assert.equal(matches("[^a].yaml", "^.yaml"), true);
  assert.equal(matches("[^a].yaml", "b.yaml"), false);
  // Braces and backslashes are literal.
  assert.equal(matches("{a,b}*.yaml", "{a,b}1.yaml"), true);
  assert.equal(matches("{a,b}*.yaml", "a1.yaml"), false);
});

Deno.test("glob: ** matches zero or more directories, only as a whole component", () => {
  assert.equal(matches("conf/**/*.yaml", "conf/a.yaml"), true);
  assert.equal(matches("conf/**/*.yaml", "conf/x/y/z/a.yaml"), true);
  assert.equal(matches("conf/**/*.yaml", "other/a.yaml"), false);
  assert.equal(matches("**", "a/b/c"), true);
  assert.equal(matches("**/more.yaml", "deep/more.yaml"), true);
  assert.equal(matches("**/more.yaml", "deep/less.yaml"), false);
  assert.equal(matches("a/**/b/**/c", "a/b/c"), true);
  assert.equal(matches("a/**/b/**/c", "a/x/b/y/z/c"), true);
  assert.equal(matches("a/**/b/**/c", "a/x/y/z/c"), false);
  assert.equal(compileGlob("a/**/b").recursive, true);
  assert.equal(compileGlob("a/*/b").recursive, false);
});

Deno.test("glob: invalid patterns are GlobSyntaxErrors with the reason", () => {
  assert.throws(() => compileGlob("[ab.yaml"), GlobSyntaxError);
  assert.throws(() => compileGlob("[!]"), /unclosed character class/);
  assert.throws(() => compileGlob("a**.yaml"), /single path component/);
  assert.throws(() => compileGlob("x/**b/y"), /single path component/);
});

Deno.test("glob: many stars against a long name that almost matches still answers", () => {
  // A regular expression with backtracking would take far too long on this input.
  const pattern = "*a".repeat(40) + "b";
  assert.equal(matches(pattern, "a".repeat(5000)), false);
  assert.equal(matches(pattern, "a".repeat(5000) + "b"), true);
  const deep = Array.from({ length: 30 }, () => "**").join("/") + "/z";
  assert.equal(matches(deep, Array.from({ length: 200 }, () => "d").join("/")), false);
});

/** Reference semantics on a small alphabet: the glob rewritten as a regular expression over
 * the path with a leading `/`, where `**` is any number of `/component`s. */
function referenceRegExp(pattern: string): RegExp {
  const source = pattern.split("/").map((c) => {
    if (c === "**") return "(?:/[^/]*)*";
    let out = "/";
    for (let i = 0; i < c.length; i++) {
      const ch = c[i]!;
      if (ch === "*") out += "[^/]*";
      else if (ch === "?") out += "[^/]";
      else if (ch === "[") {
        const negated = c[i + 1] === "!";
        const close = c.indexOf("]", negated ? i + 3 : i + 2);
        const body = c.slice(negated ? i + 2 : i + 1, close);
        out += negated ? `[^/${body}]` : `[${body}]`;
        i = close;
      } else out += ch === "." ? "\\." : ch;
    }
    return out;
  }).join("");
  return new RegExp(`^${source}$`);
}

Deno.test("glob: agrees with a regular-expression reference on random short inputs", () => {
  const component = fc.oneof(
    fc.constant("**"),
    fc.stringMatching(/^(?:[ab*?.]|\[!?[ab]\]|\[a-b\])*$/, { maxLength: 5 })
      .filter((c) => !c.includes("**")),
  );
  const pattern = fc.array(component, { minLength: 1, maxLength: 3 }).map((c) => c.join("/"));
  const path = fc.array(fc.stringMatching(/^[ab.]*$/, { maxLength: 4 }), {
    minLength: 1,
    maxLength: 4,
  }).map((p) => p.join("/"));
  fc.assert(
    fc.property(pattern, path, (p, s) => {
      const expected = referenceRegExp(p).test(`/${s}`);
      assert.equal(matches(p, s), expected, `${p} vs ${s}`);
    }),
    { numRuns: 3000 },
  );
});
