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
  // At the end, ** takes at least one component: what lies under the directory before it.
  assert.equal(matches("conf/**", "conf/app.yaml"), true);
  assert.equal(matches("conf/**", "conf/d/x.yaml"), true);
  assert.equal(matches("*/**", "app.yaml"), false);
  assert.equal(matches("app*/**", "app.yaml"), false);
  assert.equal(matches("app*/**", "app.d/x.yaml"), true);
  assert.equal(compileGlob("a/**/b").recursive, true);
  assert.equal(compileGlob("a/*/b").recursive, false);
});

Deno.test("glob: invalid patterns are GlobSyntaxErrors with the reason", () => {
  assert.throws(() => compileGlob("[ab.yaml"), GlobSyntaxError);
  assert.throws(() => compileGlob("[!]"), /unclosed character class/);
  assert.throws(() => compileGlob("a**.yaml"), /single path component/);
  assert.throws(() => compileGlob("x/**b/y"), /single path component/);
  assert.throws(() => compileGlob("a***"), /single path component/);
  // Inside a class, stars are members.
  assert.equal(matches("[**]", "*"), true);
  assert.equal(matches("x[a**]", "xa"), true);
  assert.equal(matches("x[a**]*", "x*yz"), true);
});

Deno.test("glob: many stars against a long name that almost matches still answers", () => {
  // A regular expression with backtracking would take far too long on this input.
  const pattern = "*a".repeat(40) + "b";
  assert.equal(matches(pattern, "a".repeat(5000)), false);
  assert.equal(matches(pattern, "a".repeat(5000) + "b"), true);
  const deep = Array.from({ length: 30 }, () => "**").join("/") + "/z";
  assert.equal(matches(deep, Array.from({ length: 200 }, () => "d").join("/")), false);
  // A very long pattern is no stack overflow.
  const long = Array.from({ length: 20_000 }, () => "**").join("/");
  assert.equal(matches(long, "a/b"), true);
});

/** Class patterns for the property test, each with the regular-expression class it means. */
const CLASSES: Record<string, string> = {
  "[a]": "[a]",
  "[!a]": "[^/a]",
  "[a-b]": "[a-b]",
  "[]a]": "[\\]a]",
  "[!]a]": "[^/\\]a]",
  "[a-]": "[a\\-]",
  "[-a]": "[\\-a]",
  "[!-]": "[^/\\-]",
  "[]-a]": "[\\]-a]",
  "[^a]": "[\\^a]",
  "[!!]": "[^/!]",
  "[*?]": "[*?]",
};
const LITERALS = ["a", "b", ".", "-", "!", "]", "^"];

/**
 * Reference semantics: the glob, given as its tokens, rewritten as a regular expression over
 * the path with a leading `/`. `**` is any number of `/component`s, at least one at the end.
 */
function referenceRegExp(components: (string[] | "**")[]): RegExp {
  const source = components.map((c, i) => {
    if (c === "**") return i === components.length - 1 ? "(?:/[^/]*)+" : "(?:/[^/]*)*";
    return "/" +
      c.map((t) =>
        t === "*" ? "[^/]*" : t === "?" ? "[^/]" : CLASSES[t] ?? t.replace(/[.\]^]/g, "\\$&")
      ).join("");
  }).join("");
  return new RegExp(`^${source}$`, "u");
}

Deno.test("glob: agrees with a regular-expression reference on random short inputs", () => {
  const token = fc.constantFrom("*", "?", ...LITERALS, ...Object.keys(CLASSES));
  const component = fc.oneof(
    fc.constant("**" as const),
    fc.array(token, { maxLength: 4 }).filter((ts) =>
      !ts.some((t, i) => t === "*" && ts[i - 1] === "*")
    ),
  );
  const pattern = fc.array(component, { minLength: 1, maxLength: 3 });
  const name = fc.array(fc.constantFrom(...LITERALS, "*", "?"), { maxLength: 3 }).map((c) =>
    c.join("")
  );
  const path = fc.array(name, { minLength: 1, maxLength: 4 }).map((p) => p.join("/"));
  fc.assert(
    fc.property(pattern, path, (components, s) => {
      const text = components.map((c) => (c === "**" ? c : c.join(""))).join("/");
      const expected = referenceRegExp(components).test(`/${s}`);
      assert.equal(matches(text, s), expected, `${text} vs ${s}`);
    }),
    { numRuns: 5000 },
  );
});
