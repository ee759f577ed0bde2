import assert from "node:assert/strict";
import {
  DEFAULT_MAX_LENGTH,
  DEFAULT_MAX_NESTING,
  isWholeInterpolation,
  needsInterpolation,
  parseTemplate,
} from "../../src/interpolation/parser.ts";
import type { ArgValue, Call, Part, RelativeRef, Template } from "../../src/interpolation/ast.ts";
import { ParseError } from "../../src/errors.ts";

// ---- helpers: build expected ASTs without offsets ----

type Shape =
  | { kind: "text"; text: string }
  | { kind: "interp"; body: BodyShape };
type BodyShape = RelativeRef | {
  type: "call";
  resolver: string;
  shorthand: boolean;
  args: ValueShape[];
  kwargs: { name: string; value: ValueShape }[];
};
type ValueShape = { parts: Shape[]; quoted: boolean };

function strip(parts: Part[]): Shape[] {
  return parts.map((p): Shape =>
    p.kind === "text" ? p : { kind: "interp", body: stripBody(p.body) }
  );
}
function stripBody(b: RelativeRef | Call): BodyShape {
  if (b.type === "relref") return b;
  return {
    type: "call",
    resolver: b.resolver,
    shorthand: b.shorthand,
    args: b.args.map(stripValue),
    kwargs: b.kwargs.map((k) => ({ name: k.name, value: stripValue(k.value) })),
  };
}
function stripValue(v: ArgValue): ValueShape {
  return { parts: strip(v.parts), quoted: v.quoted };
}
/** Parses and returns the parts without offsets. */
function shape(s: string): Shape[] {
  return strip(parseTemplate(s).parts);
}

const t = (text: string): Shape => ({ kind: "text", text });
/** An unquoted value; strings are text parts. */
const v = (...parts: (string | Shape)[]): ValueShape => ({
  parts: parts.map((p) => typeof p === "string" ? t(p) : p),
  quoted: false,
});
const q = (text: string): ValueShape => ({ parts: text === "" ? [] : [t(text)], quoted: true });
const call = (
  resolver: string,
  args: ValueShape[] = [],
  kwargs: [string, ValueShape][] = [],
): Shape => ({
  kind: "interp",
  body: {
    type: "call",
    resolver,
    shorthand: false,
    args,
    kwargs: kwargs.map(([name, value]) => ({ name, value })),
  },
});
const ref = (
  path: string,
  args: ValueShape[] = [],
  kwargs: [string, ValueShape][] = [],
): Shape => ({
  kind: "interp",
  body: {
    type: "call",
    resolver: "ref",
    shorthand: true,
    args: [v(path), ...args],
    kwargs: kwargs.map(([name, value]) => ({ name, value })),
  },
});
const rel = (levels: number, path: string): Shape => ({
  kind: "interp",
  body: { type: "relref", levels, path },
});

/** Asserts a ParseError with the given headline and column (line 1). */
function assertParseError(
  s: string,
  headline: string,
  column: number,
  options: { line?: number } = {},
): ParseError {
  let caught: unknown;
  try {
    parseTemplate(s);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ParseError, `expected ParseError for ${JSON.stringify(s)}`);
  assert.equal(caught.code, "PARSE_ERROR");
  assert.equal(caught.column, column, `column for ${JSON.stringify(s)}`);
  assert.equal(caught.line, options.line ?? 1);
  assert.equal(caught.headline, headline);
  return caught;
}

// ---- literal text and escapes ----

Deno.test("parseTemplate returns plain text as one untrimmed text part", () => {
  assert.deepEqual(shape("  just a string  "), [t("  just a string  ")]);
  assert.deepEqual(parseTemplate(""), { parts: [] });
});

Deno.test("parseTemplate turns \\${ into a literal ${ and keeps a lone backslash", () => {
  assert.deepEqual(shape("\\${not_a_var}"), [t("${not_a_var}")]);
  assert.deepEqual(shape("C:\\dir\\x"), [t("C:\\dir\\x")]);
  assert.deepEqual(shape("a\\$b\\{c\\"), [t("a\\$b\\{c\\")]);
  // Two backslashes: the first is a lone backslash, the second starts the escape.
  assert.deepEqual(shape("\\\\${x}"), [t("\\${x}")]);
});

Deno.test("parseTemplate reads $${x} as a dollar followed by an interpolation", () => {
  assert.deepEqual(shape("$${x}"), [t("$"), ref("x")]);
  assert.deepEqual(shape("cost $5"), [t("cost $5")]);
});

Deno.test("parseTemplate keeps stray braces outside interpolations literal", () => {
  assert.deepEqual(shape("${env:X}}"), [call("env", [v("X")]), t("}")]);
  assert.deepEqual(shape("{a} }{ ${b} {"), [t("{a} }{ "), ref("b"), t(" {")]);
});

Deno.test("parseTemplate merges adjacent text and never emits empty text parts", () => {
  assert.deepEqual(shape("a\\${b}c${x}${y}"), [t("a${b}c"), ref("x"), ref("y")]);
  assert.deepEqual(shape("${x}"), [ref("x")]);
});

Deno.test("parseTemplate keeps top-level text around interpolations untrimmed", () => {
  assert.deepEqual(shape(" ${env:A} - ${env:B} "), [
    t(" "),
    call("env", [v("A")]),
    t(" - "),
    call("env", [v("B")]),
    t(" "),
  ]);
});

Deno.test("parseTemplate records UTF-16 offsets of each interpolation", () => {
  const tpl = parseTemplate("é𝒜${a}x${env:B}");
  const [, first, , second] = tpl.parts;
  assert.ok(first?.kind === "interp" && second?.kind === "interp");
  assert.equal(first.start, 3);
  assert.equal(first.end, 7);
  assert.equal(second.start, 8);
  assert.equal(second.end, 16);
  const nested = parseTemplate("${a:${b}}").parts[0];
  assert.ok(nested?.kind === "interp" && nested.body.type === "call");
  const inner = nested.body.args[0]?.parts[0];
  assert.ok(inner?.kind === "interp");
  assert.deepEqual([inner.start, inner.end, nested.start, nested.end], [4, 8, 0, 9]);
});

// ---- body forms ----

Deno.test("parseTemplate reads a bare path as a ref shorthand", () => {
  assert.deepEqual(shape("${database.port}"), [ref("database.port")]);
  assert.deepEqual(shape("${a.b[0].c}"), [ref("a.b[0].c")]);
  assert.deepEqual(shape("${hosts[0]}"), [ref("hosts[0]")]);
  assert.deepEqual(shape("${my-key}"), [ref("my-key")]);
  assert.deepEqual(shape("${日本語}"), [ref("日本語")]);
  assert.deepEqual(shape("${a_1.x2}"), [ref("a_1.x2")]);
});

Deno.test("parseTemplate allows blanks around the body", () => {
  assert.deepEqual(shape("${ a.b }"), [ref("a.b")]);
  assert.deepEqual(shape("${\ta.b\n}"), [ref("a.b")]);
  assert.deepEqual(shape("${ env:X }"), [call("env", [v("X")])]);
  assert.deepEqual(shape("${ .x }"), [rel(1, "x")]);
});

Deno.test("parseTemplate accepts keyword arguments after a ref shorthand path", () => {
  assert.deepEqual(shape("${a.b,default=x}"), [ref("a.b", [], [["default", v("x")]])]);
  assert.deepEqual(shape("${ a.b , default=x , sensitive=true }"), [
    ref("a.b", [], [["default", v("x")], ["sensitive", v("true")]]),
  ]);
});

Deno.test("parseTemplate rejects positional arguments after a reference (path, kwargs only)", () => {
  // `${missing,localhost}` most likely meant default=: silently ignoring it would hide that.
  assertParseError("${a,b}", "Expected a keyword argument after a reference", 5);
  assertParseError("${a,}", "Expected a keyword argument after a reference", 5);
  assertParseError("${a,default=x,y}", "Expected a keyword argument after a reference", 15);
  // The explicit resolver form is an ordinary call: its arguments are the resolver's business.
  assert.deepEqual(shape("${ref:a,b}"), [call("ref", [v("a"), v("b")])]);
});

Deno.test("parseTemplate reads name: as a resolver call", () => {
  assert.deepEqual(shape("${env:HOME}"), [call("env", [v("HOME")])]);
  assert.deepEqual(shape("${my-resolver:x}"), [call("my-resolver", [v("x")])]);
  assert.deepEqual(shape("${𝒜:x}"), [call("𝒜", [v("x")])]);
  assert.deepEqual(shape("${ssm:/p,region=eu-west-1}"), [
    call("ssm", [v("/p")], [["region", v("eu-west-1")]]),
  ]);
  const body = parseTemplate("${env:X}").parts[0];
  assert.ok(body?.kind === "interp" && body.body.type === "call");
  assert.equal(body.body.shorthand, false);
});

Deno.test("parseTemplate reads relative references with their level count", () => {
  assert.deepEqual(shape("${.sibling}"), [rel(1, "sibling")]);
  assert.deepEqual(shape("${..uncle}"), [rel(2, "uncle")]);
  assert.deepEqual(shape("${...x.y[0]}"), [rel(3, "x.y[0]")]);
  assert.deepEqual(shape("${...}"), [rel(3, "")]);
  assert.deepEqual(shape("${.}"), [rel(1, "")]);
  assert.deepEqual(shape("${.a..b}"), [rel(1, "a..b")]);
  assert.deepEqual(shape("${.my-key}"), [rel(1, "my-key")]);
});

// ---- arguments ----

Deno.test("parseTemplate gives ${name:} with only blanks no arguments", () => {
  assert.deepEqual(shape("${env:}"), [call("env")]);
  assert.deepEqual(shape("${env:   }"), [call("env")]);
});

Deno.test("parseTemplate keeps empty positionals and adds one for a trailing comma", () => {
  assert.deepEqual(shape("${r:a,}"), [call("r", [v("a"), v()])]);
  assert.deepEqual(shape("${r:a,,b}"), [call("r", [v("a"), v(), v("b")])]);
  assert.deepEqual(shape("${r:,}"), [call("r", [v(), v()])]);
  assert.deepEqual(shape("${r: , }"), [call("r", [v(), v()])]);
});

Deno.test("parseTemplate detects kwargs syntactically, with no blank before =", () => {
  assert.deepEqual(shape("${env:X, default=v}"), [call("env", [v("X")], [["default", v("v")]])]);
  assert.deepEqual(shape("${env:X, default = v}"), [call("env", [v("X"), v("default = v")])]);
  assert.deepEqual(shape("${env:X,foo.bar=1}"), [call("env", [v("X"), v("foo.bar=1")])]);
  assert.deepEqual(shape("${env:X,my-key=1}"), [call("env", [v("X"), v("my-key=1")])]);
  assert.deepEqual(shape("${env:X,a=b=c}"), [call("env", [v("X")], [["a", v("b=c")]])]);
  assert.deepEqual(shape("${env:X,=1}"), [call("env", [v("X"), v("=1")])]);
  assert.deepEqual(shape("${env:X,délai_2=1}"), [call("env", [v("X")], [["délai_2", v("1")]])]);
  assert.deepEqual(shape("${r:k=}"), [call("r", [], [["k", v()]])]);
  assert.deepEqual(shape("${r:k= }"), [call("r", [], [["k", v()]])]);
});

Deno.test("parseTemplate keeps repeated kwargs in source order", () => {
  assert.deepEqual(shape("${http:u,header=A: 1,header=B: 2}"), [
    call("http", [v("u")], [["header", v("A: 1")], ["header", v("B: 2")]]),
  ]);
});

Deno.test("parseTemplate does not treat text from a nested interpolation as a kwarg", () => {
  // `${b}=x` starts with `$`, not an identifier: one positional.
  assert.deepEqual(shape("${r:${b}=x}"), [call("r", [v(ref("b"), "=x")])]);
});

Deno.test("parseTemplate ends values at , or } at brace depth 0 only", () => {
  assert.deepEqual(shape('${r:default={"a":1,"b":2}}'), [
    call("r", [], [["default", v('{"a":1,"b":2}')]]),
  ]);
  assert.deepEqual(shape("${r:{a,{b}},c}"), [call("r", [v("{a,{b}}"), v("c")])]);
  assert.deepEqual(shape("${r:a{b}}tail"), [call("r", [v("a{b}")]), t("tail")]);
});

Deno.test("parseTemplate keeps : inside arguments literal", () => {
  assert.deepEqual(shape("${http:https://h/x}"), [call("http", [v("https://h/x")])]);
  assert.deepEqual(shape("${file:///etc/x}"), [call("file", [v("///etc/x")])]);
  assert.deepEqual(shape("${env:X:Y}"), [call("env", [v("X:Y")])]);
  assert.deepEqual(shape("${http://h/x}"), [call("http", [v("//h/x")])]);
});

Deno.test("parseTemplate trims literal text at the two ends of a value only", () => {
  assert.deepEqual(shape("${r:  a b  ,  c  }"), [call("r", [v("a b"), v("c")])]);
  assert.deepEqual(shape("${r: a ${x} b }"), [call("r", [v("a ", ref("x"), " b")])]);
  assert.deepEqual(shape("${r:a, default=\t v \t}"), [call("r", [v("a")], [["default", v("v")]])]);
});

Deno.test("parseTemplate makes a value of one nested interpolation a whole-argument value", () => {
  const tpl = parseTemplate("${base64: ${file:a.bin,encoding=binary} }");
  const outer = tpl.parts[0];
  assert.ok(outer?.kind === "interp" && outer.body.type === "call");
  const arg = outer.body.args[0];
  assert.ok(arg !== undefined);
  assert.equal(arg.parts.length, 1);
  assert.equal(arg.parts[0]?.kind, "interp");
  assert.equal(isWholeInterpolation(arg), true);
  // With literal text around it, it is not.
  const mixed = parseTemplate("${r:x${a}}").parts[0];
  assert.ok(mixed?.kind === "interp" && mixed.body.type === "call");
  assert.equal(isWholeInterpolation(mixed.body.args[0] ?? { parts: [] }), false);
});

Deno.test("parseTemplate accepts nested interpolations anywhere in a value", () => {
  assert.deepEqual(shape("${ssm:/${env:ENV}/db/password}"), [
    call("ssm", [v("/", call("env", [v("ENV")]), "/db/password")]),
  ]);
  assert.deepEqual(shape("${ssm:/${env:REGION}/${env:ACCOUNT}/api-key}"), [
    call("ssm", [v("/", call("env", [v("REGION")]), "/", call("env", [v("ACCOUNT")]), "/api-key")]),
  ]);
  assert.deepEqual(shape("${env:X,${env:Y}suffix}"), [
    call("env", [v("X"), v(call("env", [v("Y")]), "suffix")]),
  ]);
  assert.deepEqual(shape("${env:A,default=${env:B,default=z}}"), [
    call("env", [v("A")], [["default", v(call("env", [v("B")], [["default", v("z")]]))]]),
  ]);
  assert.deepEqual(shape("${r:${a}${b}}"), [call("r", [v(ref("a"), ref("b"))])]);
  assert.deepEqual(shape("${r:${.x}}"), [call("r", [v(rel(1, "x"))])]);
});

Deno.test("parseTemplate applies \\${ escapes inside unquoted values", () => {
  assert.deepEqual(shape("${r:default=\\${HOME}}"), [call("r", [], [["default", v("${HOME}")]])]);
  assert.deepEqual(shape("${r:a\\b}"), [call("r", [v("a\\b")])]);
});

// ---- quoted values ----

Deno.test("parseTemplate takes a quoted value verbatim", () => {
  assert.deepEqual(shape("${r:default='a,b'}"), [call("r", [], [["default", q("a,b")]])]);
  assert.deepEqual(shape('${r:"x}y"}'), [call("r", [q("x}y")])]);
  assert.deepEqual(shape("${r:' spaced ' , \"k=v\"}"), [call("r", [q(" spaced "), q("k=v")])]);
  assert.deepEqual(shape("${r:'${env:X}'}"), [call("r", [q("${env:X}")])]);
  assert.deepEqual(shape("${r:'\\${x}'}"), [call("r", [q("\\${x}")])]);
  assert.deepEqual(shape("${r:'a\"b'}"), [call("r", [q('a"b')])]);
  assert.deepEqual(shape("${r:''}"), [call("r", [q("")])]);
  assert.deepEqual(shape("${r:default= 'x' ,y}"), [call("r", [v("y")], [["default", q("x")]])]);
});

Deno.test("parseTemplate treats quotes as ordinary characters when the closing quote is not followed by , or }", () => {
  assert.deepEqual(shape("${r:'a'b'}"), [call("r", [v("'a'b'")])]);
  assert.deepEqual(shape("${r:it's}"), [call("r", [v("it's")])]);
  assert.deepEqual(shape("${r:'a,b}"), [call("r", [v("'a"), v("b")])]);
  assert.deepEqual(shape("${r:x'a',y}"), [call("r", [v("x'a'"), v("y")])]);
  // The quoted rule looks at the NEXT same quote only.
  assert.deepEqual(shape("${r:'a'x,'b'}"), [call("r", [v("'a'x"), q("b")])]);
});

// ---- whole-value detection and needsInterpolation ----

Deno.test("isWholeInterpolation is true only for exactly one interpolation", () => {
  assert.equal(isWholeInterpolation(parseTemplate("${a}")), true);
  assert.equal(isWholeInterpolation(parseTemplate(" ${a}")), false);
  assert.equal(isWholeInterpolation(parseTemplate("${a}${b}")), false);
  assert.equal(isWholeInterpolation(parseTemplate("\\${a}")), false);
  assert.equal(isWholeInterpolation(parseTemplate("")), false);
});

Deno.test("needsInterpolation is true exactly when parsing can change the string", () => {
  assert.equal(needsInterpolation("${a}"), true);
  assert.equal(needsInterpolation("\\${a}"), true);
  assert.equal(needsInterpolation("${"), true);
  assert.equal(needsInterpolation("$ {a}"), false);
  assert.equal(needsInterpolation("\\$a {b}"), false);
  for (const s of ["plain", "a\\b", "}{", "$$", "{$}"]) {
    assert.equal(needsInterpolation(s), false);
    assert.deepEqual(parseTemplate(s), { parts: [{ kind: "text", text: s }] });
  }
});

// ---- errors ----

Deno.test("parseTemplate reports an empty interpolation at its $", () => {
  assertParseError("${}", "Empty interpolation expression", 1);
  assertParseError("ab${ }", "Empty interpolation expression", 3);
  assertParseError("${:x}", "Empty interpolation expression", 1);
  assertParseError("${env:A,default=${}}", "Empty interpolation expression", 17);
});

Deno.test("parseTemplate reports an unexpected character at its column", () => {
  assertParseError("${a.b c}", "Unexpected character 'c' in interpolation", 7);
  assertParseError("${a.b:x}", "Unexpected character ':' in interpolation", 6);
  assertParseError("${env :x}", "Unexpected character ':' in interpolation", 7);
  assertParseError("${@x}", "Unexpected character '@' in interpolation", 3);
  assertParseError("${'a'}", "Unexpected character ''' in interpolation", 3);
  assertParseError("${${x}}", "Unexpected character '$' in interpolation", 3);
  assertParseError("${.x y}", "Unexpected character 'y' in interpolation", 6);
  assertParseError("${.x:y}", "Unexpected character ':' in interpolation", 5);
  assertParseError("${a 😀}", "Unexpected character '😀' in interpolation", 5);
});

Deno.test("parseTemplate rejects a comma after a relative reference", () => {
  assertParseError("${.x,default=1}", "Invalid character ',' in path", 5);
  assertParseError("${..x , a}", "Invalid character ',' in path", 7);
});

Deno.test("parseTemplate reports unterminated interpolations at the end of input", () => {
  assertParseError("${unclosed", "Unexpected end of input in interpolation", 11);
  assertParseError("${env:X", "Unexpected end of input in interpolation", 8);
  assertParseError("${", "Unexpected end of input in interpolation", 3);
  assertParseError("x ${ ", "Unexpected end of input in interpolation", 6);
  assertParseError("${.x", "Unexpected end of input in interpolation", 5);
  assertParseError("${a,b=c", "Unexpected end of input in interpolation", 8);
  assertParseError("${r:{a}", "Unexpected end of input in interpolation", 8);
  assertParseError("${r:'a'", "Unexpected end of input in interpolation", 8);
  assertParseError("${r:${x}", "Unexpected end of input in interpolation", 9);
  assertParseError("${r:\\${x}", "Unexpected end of input in interpolation", 10);
});

Deno.test("parse errors show the text with a caret under the column", () => {
  const e = assertParseError("${a.b c}", "Unexpected character 'c' in interpolation", 7);
  assert.deepEqual(e.detail, ["${a.b c}", "      ^"]);
  assert.match(e.message, /^Unexpected character 'c' in interpolation\n {2}\$\{a\.b c\}\n {8}\^/);
  assert.ok(e.help !== undefined);
  const end = assertParseError("${env:X", "Unexpected end of input in interpolation", 8);
  assert.deepEqual(end.detail, ["${env:X", "       ^"]);
});

Deno.test("parse errors keep the caret aligned across newlines and astral characters", () => {
  // Line 2, column 7 (UTF-16 units within that line: 𝒜 is two).
  const e = assertParseError("a\n𝒜${a b}", "Unexpected character 'b' in interpolation", 7, {
    line: 2,
  });
  assert.deepEqual(e.detail, ["a⏎𝒜${a b}", "       ^"]);
});

Deno.test("parse errors cut long text around the problem", () => {
  const s = "x".repeat(500) + "${a b}" + "y".repeat(500);
  const e = assertParseError(s, "Unexpected character 'b' in interpolation", 505);
  const [line, caret] = e.detail;
  assert.ok(line !== undefined && caret !== undefined);
  assert.ok(line.startsWith("…") && line.endsWith("…"));
  assert.ok(line.length < 100);
  assert.equal(line[caret.indexOf("^")], "b");
});

// ---- limits ----

Deno.test("parseTemplate rejects text longer than maxLength", () => {
  assert.equal(DEFAULT_MAX_LENGTH, 1_048_576);
  let caught: unknown;
  try {
    parseTemplate("${a}" + "x".repeat(10), { maxLength: 8 });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ParseError);
  assert.equal(caught.headline, "Interpolation text too long (14 > 8)");
  assert.equal(caught.column, 9);
  assert.throws(
    () => parseTemplate("x".repeat(DEFAULT_MAX_LENGTH + 1)),
    (err: unknown) =>
      err instanceof ParseError &&
      err.headline ===
        `Interpolation text too long (${DEFAULT_MAX_LENGTH + 1} > ${DEFAULT_MAX_LENGTH})`,
  );
  // Exactly at the limit is accepted.
  assert.equal(parseTemplate("x".repeat(8), { maxLength: 8 }).parts.length, 1);
});

Deno.test("parseTemplate enforces maxNesting at the $ of the first too-deep ${", () => {
  assert.equal(DEFAULT_MAX_NESTING, 32);
  const ok = "${a:".repeat(32) + "}".repeat(32);
  assert.equal(parseTemplate(ok).parts.length, 1);
  const tooDeep = "${a:".repeat(33) + "}".repeat(33);
  let caught: unknown;
  try {
    parseTemplate(tooDeep);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ParseError);
  assert.equal(caught.headline, "Maximum interpolation nesting depth (32) exceeded");
  assert.equal(caught.column, 32 * 4 + 1);
  // Relative references and shorthand refs count as a nesting level too.
  assert.throws(() => parseTemplate("${a:${.x}}", { maxNesting: 1 }), /nesting depth \(1\)/);
  assert.equal(parseTemplate("${.x}${y}", { maxNesting: 1 }).parts.length, 2);
});

Deno.test("parseTemplate validates its limit options", () => {
  assert.throws(() => parseTemplate("x", { maxNesting: 0 }), RangeError);
  assert.throws(() => parseTemplate("x", { maxNesting: 1.5 }), RangeError);
  assert.throws(() => parseTemplate("x", { maxLength: -1 }), RangeError);
  assert.throws(() => parseTemplate("x", { maxLength: Number.NaN }), RangeError);
  assert.equal(parseTemplate("", { maxLength: 0 }).parts.length, 0);
});

Deno.test("parseTemplate handles 100,000 nested ${a: with a clean ParseError", () => {
  const s = "${a:".repeat(100_000);
  assert.throws(() => parseTemplate(s), (e: unknown) => {
    assert.ok(e instanceof ParseError);
    assert.equal(e.headline, "Maximum interpolation nesting depth (32) exceeded");
    return true;
  });
  // Without a nesting limit the parser is still stack-safe: it reaches the end of input.
  assert.throws(() => parseTemplate(s, { maxNesting: Infinity }), (e: unknown) => {
    assert.ok(e instanceof ParseError);
    assert.equal(e.headline, "Unexpected end of input in interpolation");
    assert.equal(e.column, s.length + 1);
    return true;
  });
  // And a deep but well-formed nesting parses.
  const deep = "${a:".repeat(100_000) + "}".repeat(100_000);
  const tpl = parseTemplate(deep, { maxNesting: Infinity });
  assert.equal(isWholeInterpolation(tpl), true);
});

Deno.test("parseTemplate handles a 200,000-character run of ${ with a clean ParseError", () => {
  const s = "${".repeat(100_000);
  assert.equal(s.length, 200_000);
  assert.throws(() => parseTemplate(s), (e: unknown) => {
    assert.ok(e instanceof ParseError);
    assert.equal(e.headline, "Unexpected character '$' in interpolation");
    assert.equal(e.column, 3);
    return true;
  });
});

/** Linearity bound; see tests/interpolation/parser_property_test.ts for the argument. */
const STEPS_PER_CHAR = 8;

Deno.test("stats counts linear work on long hostile inputs", () => {
  const inputs = [
    "'".repeat(50_000),
    "${r:" + "'a,".repeat(20_000) + "}",
    "${r:" + "'a\",".repeat(20_000) + "}",
    "${r:" + "a=".repeat(20_000) + "}",
    "${r:" + " ".repeat(50_000) + "x}",
    "${a:" + "{".repeat(50_000) + "}".repeat(50_001),
    "\\${".repeat(30_000),
  ];
  for (const s of inputs) {
    const stats = { steps: 0 };
    try {
      parseTemplate(s, { stats, maxNesting: Infinity });
    } catch (e) {
      assert.ok(e instanceof ParseError);
    }
    assert.ok(stats.steps > 0);
    assert.ok(
      stats.steps <= STEPS_PER_CHAR * (s.length + 1),
      `${stats.steps} steps for length ${s.length}`,
    );
  }
});

Deno.test("parseTemplate returns a Template whose parts are plain data", () => {
  const tpl: Template = parseTemplate("a${env:B}");
  assert.deepEqual(JSON.parse(JSON.stringify(tpl)), tpl);
});
