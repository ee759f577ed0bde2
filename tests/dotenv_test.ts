// Tests of the .env parser (src/dotenv.ts): the edge cases of the format as holoconf reads it.

import assert from "node:assert/strict";
import { dotenvReady, loadDotenv, parseDotenv } from "../src/dotenv.ts";

await loadDotenv();

function parse(text: string): Record<string, string> {
  return Object.fromEntries(parseDotenv(text));
}

Deno.test("parseDotenv() reads KEY=value, export, comments and blank lines", () => {
  assert.equal(dotenvReady(), true);
  assert.deepEqual(
    parse("# comment\n\nA=1\nexport B=two words\n  C = padded  \nD=v # trailing comment\nE=\n"),
    { A: "1", B: "two words", C: "padded", D: "v", E: "" },
  );
});

Deno.test("parseDotenv() reads quotes: # kept inside, escapes in double quotes only", () => {
  assert.deepEqual(
    parse(`S='a # b \\n $X'\nD="a # b \\n c"\nB=\`back tick\`\n`),
    { S: "a # b \\n $X", D: "a # b \n c", B: "back tick" },
  );
});

Deno.test("parseDotenv() reads a quoted value over several lines", () => {
  assert.deepEqual(parse('KEY="-----BEGIN-----\nabc\n-----END-----"\nNEXT=1\n'), {
    KEY: "-----BEGIN-----\nabc\n-----END-----",
    NEXT: "1",
  });
  assert.deepEqual(parse("S='a\nb'\n"), { S: "a\nb" });
});

Deno.test("parseDotenv() reads CRLF files, keys with . and -, the last repeat winning", () => {
  assert.deepEqual(parse('A=1\r\nB="x"\r\nA=2\r\nDOT.KEY=d\r\nDASH-KEY=e\r\n'), {
    A: "2",
    B: "x",
    "DOT.KEY": "d",
    "DASH-KEY": "e",
  });
});

Deno.test("parseDotenv() skips lines it cannot read instead of failing", () => {
  assert.deepEqual(parse("no equals sign\n=no key\nOK=1\n!bad=2\n"), { OK: "1" });
  // An unterminated quote is taken as text: no error, nothing to quote in one.
  assert.deepEqual(parse('U="abc\nT=1\n'), { U: '"abc', T: "1" });
});

Deno.test("parseDotenv() keeps ${...} as text (holoconf expands nothing in .env files)", () => {
  assert.deepEqual(parse("A=${HOME}/x\nB='${B}'\n"), { A: "${HOME}/x", B: "${B}" });
});
