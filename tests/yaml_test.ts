import assert from "node:assert/strict";
import { ParseError } from "../src/errors.ts";
import type { MapNode, TreeNode } from "../src/tree.ts";
import { toPlain } from "../src/tree.ts";
import { parseJsonTree, parseYamlTree, parseYamlValue } from "../src/yaml.ts";

function at(node: TreeNode, ...path: (string | number)[]): TreeNode {
  let cur = node;
  for (const p of path) {
    if (typeof p === "number") {
      assert.equal(cur.kind, "seq");
      cur = (cur as { items: TreeNode[] }).items[p] as TreeNode;
    } else {
      assert.equal(cur.kind, "map");
      cur = (cur as MapNode).entries.get(p) as TreeNode;
    }
    assert.ok(cur, `missing ${String(p)}`);
  }
  return cur;
}

function pos(node: TreeNode): string {
  const s = node.source;
  return s === undefined ? "none" : `${s.file}:${s.line}:${s.column}`;
}

function parseErrorOf(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ParseError, `expected ParseError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected a ParseError");
}

Deno.test("parseYamlValue applies the YAML 1.2 core schema", () => {
  const v = parseYamlValue(
    [
      "t: true",
      "T: True",
      "f: false",
      "yes: yes",
      "no: no",
      "on: on",
      "off: off",
      "int: 42",
      "neg: -7",
      "hex: 0x1f",
      "oct: 0o17",
      "float: 1.5",
      "exp: 1e3",
      "inf: .inf",
      "ninf: -.Inf",
      "nan: .nan",
      "n1: null",
      "n2: ~",
      "n3:",
      "s: '42'",
      "str: !!str 12",
      "int2: !!int '7'",
    ].join("\n"),
  ) as Record<string, unknown>;
  assert.equal(v.t, true);
  assert.equal(v.T, true);
  assert.equal(v.f, false);
  assert.equal(v.yes, "yes");
  assert.equal(v.no, "no");
  assert.equal(v.on, "on");
  assert.equal(v.off, "off");
  assert.equal(v.int, 42);
  assert.equal(v.neg, -7);
  assert.equal(v.hex, 31);
  assert.equal(v.oct, 15);
  assert.equal(v.float, 1.5);
  assert.equal(v.exp, 1000);
  assert.equal(v.inf, Infinity);
  assert.equal(v.ninf, -Infinity);
  assert.ok(Number.isNaN(v.nan));
  assert.equal(v.n1, null);
  assert.equal(v.n2, null);
  assert.equal(v.n3, null);
  assert.equal(v.s, "42");
  assert.equal(v.str, "12");
  assert.equal(v.int2, 7);
});

Deno.test("parseYamlValue accepts any root type and treats empty text as null", () => {
  assert.deepEqual(parseYamlValue("- 1\n- two\n"), [1, "two"]);
  assert.equal(parseYamlValue("42"), 42);
  assert.equal(parseYamlValue("hello"), "hello");
  assert.equal(parseYamlValue(""), null);
  assert.equal(parseYamlValue("# only a comment\n\n"), null);
  assert.equal(parseYamlValue("---\n"), null);
});

Deno.test("parseYamlValue keeps key order and stringifies keys", () => {
  const v = parseYamlValue("z: 1\na: 2\n1.0: x\ntrue: y\nm: 3\n") as Record<string, unknown>;
  assert.deepEqual(Object.keys(v), ["z", "a", "1.0", "true", "m"]);
  assert.equal(v["1.0"], "x");
  assert.equal(v["true"], "y");
});

Deno.test("a __proto__ key stays an own data property", () => {
  const v = parseYamlValue("__proto__:\n  polluted: 1\nsafe: 2\n") as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.ok(Object.hasOwn(v, "__proto__"));
  assert.deepEqual(Object.getOwnPropertyDescriptor(v, "__proto__")?.value, { polluted: 1 });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const tree = parseYamlTree("__proto__: {a: 1}\n", { file: "p.yaml" }) as MapNode;
  assert.deepEqual([...tree.entries.keys()], ["__proto__"]);
});

Deno.test("a second document is a ParseError", () => {
  const e = parseErrorOf(() => parseYamlValue("a: 1\n---\nb: 2\n"));
  assert.equal(e.line, 3);
  assert.equal(e.column, 1);
  assert.match(e.headline, /^Invalid YAML at line 3, column 1: .*single document/);
  parseErrorOf(() => parseYamlTree("a: 1\n---\n", { file: "two.yaml" }));
});

Deno.test("duplicate keys fail unless allowed (last wins, first position)", () => {
  const e = parseErrorOf(() => parseYamlValue("a: 1\nb: 2\na: 3\n"));
  assert.equal(e.line, 3);
  assert.equal(e.column, 1);
  assert.match(e.headline, /duplicate key 'a'/);
  assert.deepEqual(parseYamlValue("a: 1\nb: 2\na: 3\n", { allowDuplicateKeys: true }), {
    a: 3,
    b: 2,
  });
});

Deno.test("anchors and aliases expand to copies", () => {
  const v = parseYamlValue("base: &b {x: 1, y: [1, 2]}\ncopy: *b\n") as Record<string, unknown>;
  assert.deepEqual(v.copy, { x: 1, y: [1, 2] });
  const tree = parseYamlTree("base: &b {x: 1}\ncopy: *b\n", { file: "a.yaml" });
  assert.notEqual(at(tree, "base"), at(tree, "copy"));
  assert.equal(pos(at(tree, "copy")), "a.yaml:2:7");
  assert.equal(pos(at(tree, "copy", "x")), "a.yaml:1:14");
  const e = parseErrorOf(() => parseYamlValue("a: *missing\n"));
  assert.match(e.headline, /unknown alias/);
});

Deno.test("a billion-laughs document hits the alias expansion limit", () => {
  const lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < 10; i++) {
    lines.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(", ")}]`);
  }
  const e = parseErrorOf(() => parseYamlValue(lines.join("\n")));
  assert.match(e.headline, /alias expansion limit/);
  const small = parseErrorOf(() =>
    parseYamlValue("a: &a [1, 2, 3]\nb: [*a, *a]\n", { maxAliasNodes: 5 })
  );
  assert.match(small.headline, /alias expansion limit/);
  assert.deepEqual(parseYamlValue("a: &a [1, 2, 3]\nb: [*a, *a]\n", { maxAliasNodes: 8 }), {
    a: [1, 2, 3],
    b: [[1, 2, 3], [1, 2, 3]],
  });
});

Deno.test("100,000-deep nesting is a ParseError, not a stack overflow", () => {
  for (
    const text of [
      "[".repeat(100_000),
      "[".repeat(100_000) + "]".repeat(100_000),
      "- ".repeat(100_000) + "x",
      "{a: ".repeat(100_000),
    ]
  ) {
    const e = parseErrorOf(() => parseYamlValue(text));
    assert.match(e.headline, /depth limit|too deep/);
  }
  const json = parseErrorOf(() =>
    parseJsonTree("[".repeat(100_000) + "]".repeat(100_000), { file: "deep.json" })
  );
  assert.match(json.headline, /^Invalid JSON at line 1, column \d+: .*depth limit/);
  const jsonOpen = parseErrorOf(() => parseJsonTree('{"a":'.repeat(100_000), { file: "d.json" }));
  assert.match(jsonOpen.headline, /^Invalid JSON/);
  assert.deepEqual(parseYamlValue("[[[1]]]", { maxDepth: 3 }), [[[1]]]);
  parseErrorOf(() => parseYamlValue("[[[[1]]]]", { maxDepth: 3 }));
});

Deno.test("an alias cannot push nesting past the depth limit", () => {
  const e = parseErrorOf(() => parseYamlValue("a: &a [[[1]]]\nb: [[*a]]\n", { maxDepth: 4 }));
  assert.match(e.headline, /depth limit/);
});

Deno.test("syntax errors report line and column without the input", () => {
  const e = parseErrorOf(() => parseYamlValue("a: 1\n b: secret-value\n"));
  assert.equal(e.line, 2);
  assert.equal(e.column, 3);
  assert.match(e.headline, /^Invalid YAML at line 2, column 3: /);
  assert.ok(!e.message.includes("secret-value"));
  const withPreview = parseErrorOf(() => parseYamlValue("a: 1\n b: shown\n", { preview: true }));
  assert.match(withPreview.message, /b: shown/);
});

Deno.test("unsupported tags are rejected", () => {
  assert.match(parseErrorOf(() => parseYamlValue("a: !custom 1")).headline, /unsupported tag/);
  assert.match(
    parseErrorOf(() => parseYamlValue("a: !!binary aGk=")).headline,
    /unsupported tag '!!binary'/,
  );
  assert.match(parseErrorOf(() => parseYamlValue("a: !!int abc")).headline, /does not match/);
});

Deno.test("parseYamlTree records file, line and column of every node", () => {
  const text = [
    "# header", //                  1
    "server:", //                   2
    "  host: localhost", //         3
    "  ports:", //                  4
    "    - 80", //                  5
    "    - '443'", //               6
    "  flow: [a, {b: c}]", //       7
    "text: |", //                   8
    "  line one", //                9
    "  line two", //                10
    "folded: >-", //                11
    "  a", //                       12
    "  b", //                       13
    'quoted: "x', //                14
    '  y"', //                      15
    "empty:", //                    16
  ].join("\n");
  const tree = parseYamlTree(text, { file: "cfg.yaml" });
  assert.equal(pos(tree), "cfg.yaml:2:1");
  assert.equal(pos(at(tree, "server")), "cfg.yaml:3:3");
  assert.equal(pos(at(tree, "server", "host")), "cfg.yaml:3:9");
  assert.equal(pos(at(tree, "server", "ports")), "cfg.yaml:5:5");
  assert.equal(pos(at(tree, "server", "ports", 0)), "cfg.yaml:5:7");
  assert.equal(pos(at(tree, "server", "ports", 1)), "cfg.yaml:6:7");
  assert.equal(pos(at(tree, "server", "flow")), "cfg.yaml:7:9");
  assert.equal(pos(at(tree, "server", "flow", 0)), "cfg.yaml:7:10");
  assert.equal(pos(at(tree, "server", "flow", 1)), "cfg.yaml:7:13");
  assert.equal(pos(at(tree, "server", "flow", 1, "b")), "cfg.yaml:7:17");
  assert.equal(pos(at(tree, "text")), "cfg.yaml:8:7");
  assert.equal(pos(at(tree, "folded")), "cfg.yaml:11:9");
  assert.equal(pos(at(tree, "quoted")), "cfg.yaml:14:9");
  assert.deepEqual(toPlain(tree), {
    server: { host: "localhost", ports: [80, "443"], flow: ["a", { b: "c" }] },
    text: "line one\nline two\n",
    folded: "a b",
    quoted: "x y",
    empty: null,
  });
  assert.equal(at(tree, "empty").source?.file, "cfg.yaml");
});

Deno.test("CRLF line ends and a byte-order mark do not shift positions", () => {
  const tree = parseYamlTree("\ufeffa: 1\r\nb: two\r\n", { file: "w.yaml" });
  assert.equal(pos(at(tree, "a")), "w.yaml:1:4");
  assert.equal(pos(at(tree, "b")), "w.yaml:2:4");
  assert.deepEqual(toPlain(tree), { a: 1, b: "two" });
});

Deno.test("parseYamlTree requires a mapping root; empty and null documents are empty maps", () => {
  for (const text of ["", "# nothing\n", "null\n", "~", "---\n"]) {
    const tree = parseYamlTree(text, { file: "e.yaml" });
    assert.equal(tree.kind, "map");
    assert.equal((tree as MapNode).entries.size, 0);
  }
  for (const text of ["- a\n- b\n", "42\n", "just text"]) {
    const e = parseErrorOf(() => parseYamlTree(text, { file: "root.yaml" }));
    assert.match(e.headline, /Config root must be a mapping/);
    assert.match(e.message, /root\.yaml/);
  }
});

Deno.test("parseYamlTree errors carry the file in source", () => {
  const e = parseErrorOf(() => parseYamlTree("a: [1, 2\n", { file: "bad.yaml" }));
  assert.equal(e.source, `bad.yaml:${e.line}:${e.column}`);
  assert.match(e.message, /Source: bad\.yaml:/);
});

Deno.test("parseJsonTree is strict JSON with positions", () => {
  const tree = parseJsonTree('{\n  "a": {"b": [1, 2.5, "x", null, true]},\n  "a2": 1\n}', {
    file: "c.json",
  });
  assert.deepEqual(toPlain(tree), { a: { b: [1, 2.5, "x", null, true] }, a2: 1 });
  assert.equal(pos(at(tree, "a", "b", 2)), "c.json:2:23");
  const cases: [string, number, number, RegExp][] = [
    ['{"a": 1,}', 1, 9, /trailing comma/],
    ['{\n  "a": [1,\n  2,]\n}', 3, 5, /trailing comma/],
    ["{'a': 1}", 1, 2, /key must be a string/],
    ['{"a": 1} // comment', 1, 10, /trailing characters/],
    ['{"a": tru}', 1, 7, /expected value/],
    ["", 1, 1, /EOF while parsing a value/],
  ];
  for (const [text, line, column, reason] of cases) {
    const e = parseErrorOf(() => parseJsonTree(text, { file: "bad.json" }));
    assert.match(e.headline, /^Invalid JSON at line \d+, column \d+: /);
    assert.equal(e.line, line, text);
    assert.equal(e.column, column, text);
    assert.match(e.headline, reason);
    assert.equal(e.source, `bad.json:${line}:${column}`);
  }
  // JSON.parse semantics for repeated keys: last value wins.
  assert.deepEqual(toPlain(parseJsonTree('{"a": 1, "a": 2}', { file: "d.json" })), { a: 2 });
  // Tab indentation is fine JSON.
  assert.deepEqual(toPlain(parseJsonTree('{\n\t"a": [\n\t\t1\n\t]\n}', { file: "t.json" })), {
    a: [1],
  });
  assert.match(
    parseErrorOf(() => parseJsonTree("[1, 2]", { file: "arr.json" })).headline,
    /Config root must be a mapping/,
  );
});

Deno.test("sensitive: true keeps every key, tag, alias name and fragment out of reasons", () => {
  const secret = "hunter2secret";
  const inputs = [
    // A quote inside a key defeated the old after-the-fact redaction.
    `k'${secret}: 1\nk'${secret}: 2\n`,
    `"${secret}": 1\n"${secret}": 2\n`,
    `a: !!int '${secret}'\n`,
    `a: !<tag:${secret}> 1\n`,
    `%TAG !x! tag:${secret}:\n---\na: !x!y 1\n`,
    `a: !${secret}!y 1\n`,
    `a: *${secret}\n`,
    `a: !${secret}{ 1\n`,
    `a: !<tag:${secret}^> 1\n`,
    `%TAG !${secret}! tag:a:\n%TAG !${secret}! tag:b:\n---\na: 1\n`,
    `a: "${secret}\n`,
  ];
  for (const text of inputs) {
    const e = parseErrorOf(() => parseYamlValue(text, { sensitive: true, preview: true }));
    assert.match(e.headline, /^Invalid YAML at line \d+, column \d+: \S/, text);
    assert.ok(!e.message.includes(secret), `leaked: ${e.message}`);
    assert.deepEqual(e.detail, [], text);
  }
  // Without the option the reasons still name what they are about.
  assert.match(
    parseErrorOf(() => parseYamlValue("a: 1\na: 2\n")).headline,
    /duplicate key 'a'/,
  );
  assert.match(parseErrorOf(() => parseYamlValue("a: *nope\n")).headline, /unknown alias '\*nope'/);
});

Deno.test("aliases of a big scalar hit the alias expansion character limit", () => {
  // 10,000 aliases of a 200,000-character scalar would be two billion characters of output.
  const lines = [`a: &a "${"x".repeat(200_000)}"`, "l:"];
  for (let i = 0; i < 9_990; i++) lines.push("  - *a");
  const e = parseErrorOf(() => parseYamlValue(lines.join("\n")));
  assert.match(e.headline, /alias expansion limit exceeded \(more than 10000000 characters\)/);
  // Keys and nested scalars count too; the limit is an option.
  const doc = "a: &a {kkkk: vvvv}\nb: [*a, *a]\n";
  assert.match(
    parseErrorOf(() => parseYamlValue(doc, { maxAliasChars: 15 })).headline,
    /alias expansion limit/,
  );
  assert.deepEqual(parseYamlValue(doc, { maxAliasChars: 16 }), {
    a: { kkkk: "vvvv" },
    b: [{ kkkk: "vvvv" }, { kkkk: "vvvv" }],
  });
});
