import assert from "node:assert/strict";
import fc from "fast-check";
import { parseTemplate } from "../../src/interpolation/parser.ts";
import type { ArgValue, Part } from "../../src/interpolation/ast.ts";
import { ParseError } from "../../src/errors.ts";

/**
 * Linearity bound: `stats.steps <= STEPS_PER_CHAR * (length + 1)`.
 *
 * Every scanning loop of the parser counts one step per character visit. Per loop:
 * - main loop plus the dots of relative references: the index only moves forward and the
 *   two never visit the same position, so at most n together;
 * - name, path and identifier scans: their ranges are disjoint (interpolation heads vs.
 *   argument starts), plus one terminator per scan call, and there is at most one call per
 *   `$`, `{`, `:` or `,` character: at most 2n;
 * - blank skipping: each call starts right after one specific character (`{`, `:`, `,`, `=`,
 *   closing quote, end of a path) and every blank run is walked by at most one call that
 *   visits anything; the main loop may walk the run after a closing quote again, which is
 *   counted under "main loop": generously 2n;
 * - quote search (`indexOf` for the closing quote): from one opening `'` the search stops at
 *   the next `'`, so ranges of searches for the same quote character are disjoint: at most n
 *   per quote kind, 2n;
 * - trimming an argument's two ends: each literal character belongs to at most one value: n.
 * Total at most 8n (observed maxima are below 2.5n).
 */
const STEPS_PER_CHAR = 8;

const ALPHABET = ["$", "{", "}", "\\", ":", ",", "=", ".", "'", '"', "a", "b", "-", " ", "\t"];

const grammarString = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...ALPHABET) },
      { weight: 1, arbitrary: fc.constantFrom("${", "\\${", "${a:", "${.") },
    ),
    { maxLength: 60 },
  )
  .map((chunks) => chunks.join(""));

const anyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  grammarString,
  grammarString,
);

/** Checks structural invariants of a successful parse. */
function checkParts(parts: Part[], text: string, from: number, to: number): void {
  let prevKind: string | undefined;
  let pos = from;
  for (const p of parts) {
    if (p.kind === "text") {
      assert.notEqual(p.text, "", "no empty text parts");
      assert.notEqual(prevKind, "text", "adjacent text parts are merged");
    } else {
      assert.ok(p.start >= pos && p.end <= to && p.start < p.end, "offsets in order");
      assert.equal(text.slice(p.start, p.start + 2), "${");
      assert.equal(text[p.end - 1], "}");
      pos = p.end;
      if (p.body.type === "call") {
        const values: ArgValue[] = [...p.body.args, ...p.body.kwargs.map((k) => k.value)];
        for (const v of values) {
          if (v.quoted) assert.ok(v.parts.length <= 1 && v.parts[0]?.kind !== "interp");
          else checkParts(v.parts, text, p.start + 2, p.end - 1);
        }
      }
    }
    prevKind = p.kind;
  }
}

Deno.test("parseTemplate returns or throws ParseError on 100,000 random strings, in linear steps", () => {
  fc.assert(
    fc.property(anyString, (s) => {
      const stats = { steps: 0 };
      try {
        const tpl = parseTemplate(s, { stats });
        checkParts(tpl.parts, s, 0, s.length);
        if (!s.includes("${")) {
          assert.deepEqual(tpl.parts, s === "" ? [] : [{ kind: "text", text: s }]);
        }
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        assert.equal(e.code, "PARSE_ERROR");
        assert.equal(e.line, 1);
        assert.ok(e.column !== undefined && e.column >= 1 && e.column <= s.length + 1);
        assert.ok(s.includes("${"), "only interpolations can be malformed");
      }
      assert.ok(stats.steps <= STEPS_PER_CHAR * (s.length + 1));
    }),
    { numRuns: 100_000 },
  );
});

Deno.test("parseTemplate stays linear on long random grammar strings", () => {
  const long = fc
    .array(fc.constantFrom(...ALPHABET, "${", "${a:", "'a',", "k="), {
      minLength: 2_000,
      maxLength: 5_000,
    })
    .map((c) => c.join(""));
  fc.assert(
    fc.property(long, (s) => {
      const stats = { steps: 0 };
      try {
        parseTemplate(s, { stats, maxNesting: Infinity });
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
      }
      assert.ok(stats.steps <= STEPS_PER_CHAR * (s.length + 1));
    }),
    { numRuns: 300 },
  );
});
